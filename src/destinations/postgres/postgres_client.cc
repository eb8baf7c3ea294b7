// The only translation unit that includes libpq-fe.h.
#include "destinations/postgres/postgres_client.h"

#include <dlfcn.h>
#include <libpq-fe.h>

#include <cstdio>
#include <cstring>
#include <mutex>

#include "common/fault.h"
#include "common/text.h"

namespace dlt {

namespace {

struct LibPq {
  decltype(&PQconnectdb) connectdb;
  decltype(&PQstatus) status;
  decltype(&PQerrorMessage) error_message;
  decltype(&PQfinish) finish;
  decltype(&PQexec) exec;
  decltype(&PQresultStatus) result_status;
  decltype(&PQresultErrorMessage) result_error_message;
  decltype(&PQresultErrorField) result_error_field;
  decltype(&PQclear) clear;
  decltype(&PQntuples) ntuples;
  decltype(&PQnfields) nfields;
  decltype(&PQgetvalue) getvalue;
  decltype(&PQgetisnull) getisnull;
  decltype(&PQputCopyData) put_copy_data;
  decltype(&PQputCopyEnd) put_copy_end;
  decltype(&PQgetResult) get_result;
  decltype(&PQsetNoticeProcessor) set_notice_processor;
  decltype(&PQserverVersion) server_version;
  decltype(&PQconnectionUsedPassword) used_password;
};

const LibPq* g_pq = nullptr;
std::string g_load_error;

template <typename T>
bool Resolve(void* h, const char* name, T* out) {
  *out = reinterpret_cast<T>(::dlsym(h, name));
  return *out != nullptr;
}

Status EnsureLibPq() {
  static std::once_flag once;
  std::call_once(once, [] {
    const char* env = std::getenv("DLT_LIBPQ_LIBRARY");
    std::string path = env && *env ? env : "libpq.so.5";
    void* h = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!h) {
      const char* e = ::dlerror();
      g_load_error = "cannot load libpq (" + path + "): " + std::string(e ? e : "unknown error") +
                     ". Install Debian's libpq5 (scripts/bootstrap.sh does) or set DLT_LIBPQ_LIBRARY";
      return;
    }
    auto* pq = new LibPq;
    bool ok = Resolve(h, "PQconnectdb", &pq->connectdb) && Resolve(h, "PQstatus", &pq->status) &&
              Resolve(h, "PQerrorMessage", &pq->error_message) && Resolve(h, "PQfinish", &pq->finish) &&
              Resolve(h, "PQexec", &pq->exec) && Resolve(h, "PQresultStatus", &pq->result_status) &&
              Resolve(h, "PQresultErrorMessage", &pq->result_error_message) &&
              Resolve(h, "PQresultErrorField", &pq->result_error_field) && Resolve(h, "PQclear", &pq->clear) &&
              Resolve(h, "PQntuples", &pq->ntuples) && Resolve(h, "PQnfields", &pq->nfields) &&
              Resolve(h, "PQgetvalue", &pq->getvalue) && Resolve(h, "PQgetisnull", &pq->getisnull) &&
              Resolve(h, "PQputCopyData", &pq->put_copy_data) && Resolve(h, "PQputCopyEnd", &pq->put_copy_end) &&
              Resolve(h, "PQgetResult", &pq->get_result) &&
              Resolve(h, "PQsetNoticeProcessor", &pq->set_notice_processor) &&
              Resolve(h, "PQserverVersion", &pq->server_version) &&
              Resolve(h, "PQconnectionUsedPassword", &pq->used_password);
    if (!ok) {
      g_load_error = "libpq (" + path + ") lacks a required function; it is too old";
      delete pq;
      return;
    }
    g_pq = pq;
  });
  if (!g_pq) return FailedPrecondition(g_load_error);
  return Status::Ok();
}

void IgnoreNotice(void*, const char*) {}

std::string TrimMessage(const char* m) {
  std::string s = m ? m : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// Removes any occurrence of the password from a server or library message.
std::string Scrub(std::string msg, const PostgresCredentials& c) {
  const std::string& pw = c.password.reveal();
  if (pw.size() >= 3) {
    size_t pos;
    while ((pos = msg.find(pw)) != std::string::npos) msg.replace(pos, pw.size(), "***");
  }
  return msg;
}

}  // namespace

PostgresClient::~PostgresClient() {
  if (conn_ && g_pq) g_pq->finish(static_cast<PGconn*>(conn_));
}

StatusOr<std::unique_ptr<PostgresClient>> PostgresClient::Connect(const PostgresCredentials& c, bool read_only) {
  DLT_RETURN_IF_ERROR(EnsureLibPq());
  std::string conninfo = c.ConnectionString() + " application_name='dlt'";
  if (read_only) conninfo += " options='-c default_transaction_read_only=on'";
  std::unique_ptr<PostgresClient> client(new PostgresClient());
  client->where_ = "postgres " + c.username + "@" + c.host + ":" + std::to_string(c.port) + "/" + c.database;
  PGconn* conn = g_pq->connectdb(conninfo.c_str());
  client->conn_ = conn;
  if (!conn) return Internal("libpq could not allocate a connection");
  if (g_pq->status(conn) != CONNECTION_OK) {
    std::string err = Scrub(TrimMessage(g_pq->error_message(conn)), c);
    std::string target = "PostgreSQL at " + c.host + ":" + std::to_string(c.port) + " (database `" + c.database +
                         "`, user `" + c.username + "`)";
    if (err.find("password authentication failed") != std::string::npos ||
        err.find("no password supplied") != std::string::npos ||
        err.find("authentication failed") != std::string::npos) {
      return PermissionDenied("authentication failed for " + target +
                              ": check the user name and password of the destination credentials");
    }
    if (err.find("does not exist") != std::string::npos) {
      return NotFound("cannot connect to " + target + ": " + err);
    }
    return Unavailable("cannot connect to " + target + ": " + err);
  }
  g_pq->set_notice_processor(conn, IgnoreNotice, nullptr);
  DLT_RETURN_IF_ERROR(client->Execute("SET TIME ZONE 'UTC'"));
  return client;
}

std::string PostgresClient::server_version() const {
  if (!conn_) return "";
  int v = g_pq->server_version(static_cast<PGconn*>(conn_));
  return std::to_string(v / 10000) + "." + std::to_string(v % 100);
}

Status PostgresClient::ResultError(void* result, std::string_view what) const {
  auto* r = static_cast<PGresult*>(result);
  std::string msg = TrimMessage(r ? g_pq->result_error_message(r) : g_pq->error_message(static_cast<PGconn*>(conn_)));
  const char* state = r ? g_pq->result_error_field(r, PG_DIAG_SQLSTATE) : nullptr;
  std::string code = state ? state : "";
  std::string full = where_ + ": " + msg;
  if (!what.empty()) full += " (while running: " + std::string(what.substr(0, 200)) + (what.size() > 200 ? "..." : "") + ")";
  if (code == "42501" || code == "25006") return PermissionDenied(full);
  if (code.starts_with("08") || code == "57P01") return Unavailable(full);
  return Internal(full);
}

Status PostgresClient::Execute(std::string_view sql) {
  std::string s(sql);
  PGresult* r = g_pq->exec(static_cast<PGconn*>(conn_), s.c_str());
  ExecStatusType st = r ? g_pq->result_status(r) : PGRES_FATAL_ERROR;
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    Status e = ResultError(r, sql);
    if (r) g_pq->clear(r);
    return e;
  }
  g_pq->clear(r);
  return Status::Ok();
}

StatusOr<std::vector<SqlRow>> PostgresClient::Query(std::string_view sql) {
  std::string s(sql);
  PGresult* r = g_pq->exec(static_cast<PGconn*>(conn_), s.c_str());
  if (!r || g_pq->result_status(r) != PGRES_TUPLES_OK) {
    Status e = ResultError(r, sql);
    if (r) g_pq->clear(r);
    return e;
  }
  std::vector<SqlRow> out;
  int rows = g_pq->ntuples(r), cols = g_pq->nfields(r);
  out.reserve(rows);
  for (int i = 0; i < rows; ++i) {
    SqlRow row;
    row.reserve(cols);
    for (int j = 0; j < cols; ++j) {
      if (g_pq->getisnull(r, i, j)) {
        row.emplace_back(std::nullopt);
      } else {
        row.emplace_back(std::string(g_pq->getvalue(r, i, j)));
      }
    }
    out.push_back(std::move(row));
  }
  g_pq->clear(r);
  return out;
}

Status PostgresClient::CopyCsv(const std::string& dataset, const std::string& table,
                               const std::vector<const Column*>& columns,
                               const std::vector<std::filesystem::path>& files, uint64_t) {
  std::vector<std::string> names;
  for (const Column* c : columns) names.push_back(QuoteIdentifier(c->name));
  std::string sql = "COPY " + Qualified(dataset, table) + " (" + text::Join(names, ", ") +
                    ") FROM STDIN WITH (FORMAT csv, HEADER true, NULL '')";
  auto* conn = static_cast<PGconn*>(conn_);
  for (const auto& file : files) {
    PGresult* r = g_pq->exec(conn, sql.c_str());
    if (!r || g_pq->result_status(r) != PGRES_COPY_IN) {
      Status e = ResultError(r, sql);
      if (r) g_pq->clear(r);
      return e;
    }
    g_pq->clear(r);
    FILE* f = std::fopen(file.c_str(), "rb");
    std::string read_error;
    if (!f) {
      read_error = "cannot open load job " + file.string();
    } else {
      std::vector<char> buf(1 << 20);
      size_t n;
      while ((n = std::fread(buf.data(), 1, buf.size(), f)) > 0) {
        if (g_pq->put_copy_data(conn, buf.data(), static_cast<int>(n)) != 1) break;
        FaultPoint("postgres_copy_data");
      }
      if (std::ferror(f)) read_error = "cannot read load job " + file.string();
      std::fclose(f);
    }
    g_pq->put_copy_end(conn, read_error.empty() ? nullptr : read_error.c_str());
    FaultPoint("postgres_copy_end");
    Status result = Status::Ok();
    while (PGresult* res = g_pq->get_result(conn)) {
      if (g_pq->result_status(res) != PGRES_COMMAND_OK && result.ok()) {
        result = ResultError(res, "COPY into " + Qualified(dataset, table) + " from " + file.filename().string());
      }
      g_pq->clear(res);
    }
    if (!read_error.empty()) return DataLoss(read_error);
    DLT_RETURN_IF_ERROR(result);
  }
  return Status::Ok();
}

std::string PostgresClient::TypeSql(const Column& c) const {
  switch (c.data_type) {
    case DataType::kText: return c.precision ? "varchar(" + std::to_string(*c.precision) + ")" : "varchar";
    case DataType::kBigint: return "bigint";
    case DataType::kDouble: return "double precision";
    case DataType::kBool: return "boolean";
    case DataType::kTimestamp: return "timestamp with time zone";
    case DataType::kDate: return "date";
    case DataType::kTime: return "time without time zone";
    case DataType::kDecimal:
      return "numeric(" + std::to_string(c.precision.value_or(38)) + "," + std::to_string(c.scale.value_or(9)) + ")";
    case DataType::kWei: return "numeric";
    case DataType::kJson: return "jsonb";
    case DataType::kBinary: return "bytea";
  }
  return "varchar";
}

std::string PostgresClient::QuoteIdentifier(std::string_view name) const {
  std::string out = "\"";
  for (char ch : name) {
    if (ch == '"') out += '"';
    out += ch;
  }
  return out + "\"";
}

std::string PostgresClient::QuoteLiteral(std::string_view text) const {
  std::string out = "'";
  for (char ch : text) {
    if (ch == '\'') out += '\'';
    out += ch;
  }
  return out + "'";
}

}  // namespace dlt
