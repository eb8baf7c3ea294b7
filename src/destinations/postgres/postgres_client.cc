// PostgresClient: connecting, statements, COPY loading. The typed query (SqlSession) is in
// postgres_typed_query.cc; libpq itself in common/pg_libpq.h.
#include "destinations/postgres/postgres_client.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <optional>

#include "common/civil_date.h"
#include "common/fault.h"
#include "common/text.h"
#include "common/pg_libpq.h"

namespace dlt {

namespace {

using pg::EnsureLibPq;
using pg::g_pq;
using pg::TrimMessage;

void IgnoreNotice(void*, const char*) {}

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
  if (cancel_ && g_pq) g_pq->free_cancel(static_cast<PGcancel*>(cancel_));
  if (conn_ && g_pq) g_pq->finish(static_cast<PGconn*>(conn_));
}

void PostgresClient::Interrupt() {
  if (!cancel_) return;
  char error[256];
  g_pq->cancel(static_cast<PGcancel*>(cancel_), error, sizeof error);  // best effort: nothing to report to
}

StatusOr<std::unique_ptr<PostgresClient>> PostgresClient::Connect(const PostgresCredentials& c, bool read_only) {
  DLT_RETURN_IF_ERROR(EnsureLibPq());
  std::string conninfo = c.ConnectionString(read_only ? "-c default_transaction_read_only=on" : "");
  std::unique_ptr<PostgresClient> client(new PostgresClient());
  client->create_indexes_ = c.create_indexes;
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
  client->cancel_ = g_pq->get_cancel(conn);
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

namespace {

// PostgreSQL's binary COPY format, written from our CSV job files: the server then does not
// parse numbers, booleans and timestamps (a third of its COPY time). Only for files whose
// columns are all of these kinds; anything unexpected in a value makes the caller load the
// file as CSV instead.
enum class BinKind { kText, kInt8, kFloat8, kBool, kTimestamptz };

std::optional<BinKind> BinKindOf(const Column& c) {
  switch (c.data_type) {
    case DataType::kText: return BinKind::kText;
    case DataType::kBigint:
      // Binary COPY wants the column's own width: smallint and integer columns go as CSV.
      if (c.precision && *c.precision <= 32) return std::nullopt;
      return BinKind::kInt8;
    case DataType::kDouble: return BinKind::kFloat8;
    case DataType::kBool: return BinKind::kBool;
    case DataType::kTimestamp: return BinKind::kTimestamptz;
    default: return std::nullopt;
  }
}

void PutBe16(std::string& out, uint16_t v) {
  out += static_cast<char>(v >> 8);
  out += static_cast<char>(v & 0xff);
}
void PutBe32(std::string& out, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out += static_cast<char>((v >> s) & 0xff);
}
void PutBe64(std::string& out, uint64_t v) {
  for (int s = 56; s >= 0; s -= 8) out += static_cast<char>((v >> s) & 0xff);
}

// "YYYY-MM-DD(T| )HH:MM:SS[.f{1,6}](Z|+HH|+HH:MM|-HH|-HH:MM)" as microseconds since
// 2000-01-01 00:00 UTC; false for any other form (no zone means the session's, left to the server).
bool ParseTimestamptz(std::string_view s, int64_t* out) {
  auto num = [&](size_t pos, size_t n, int* v) {
    if (pos + n > s.size()) return false;
    int r = 0;
    for (size_t k = pos; k < pos + n; ++k) {
      if (s[k] < '0' || s[k] > '9') return false;
      r = r * 10 + (s[k] - '0');
    }
    *v = r;
    return true;
  };
  int y, mo, d, h, mi, se;
  if (s.size() < 20 || !num(0, 4, &y) || s[4] != '-' || !num(5, 2, &mo) || s[7] != '-' || !num(8, 2, &d) ||
      (s[10] != 'T' && s[10] != ' ') || !num(11, 2, &h) || s[13] != ':' || !num(14, 2, &mi) || s[16] != ':' ||
      !num(17, 2, &se)) {
    return false;
  }
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > civil::DaysInMonth(y, mo) || h > 23 || mi > 59 || se > 59) {
    return false;
  }
  size_t i = 19;
  int64_t frac = 0;
  if (s[i] == '.') {
    ++i;
    int nd = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (nd == 6) return false;
      frac = frac * 10 + (s[i] - '0');
      ++nd;
      ++i;
    }
    if (nd == 0) return false;
    for (; nd < 6; ++nd) frac *= 10;
  }
  if (i >= s.size()) return false;
  int64_t offset_s = 0;
  if (s[i] == 'Z') {
    if (i + 1 != s.size()) return false;
  } else if (s[i] == '+' || s[i] == '-') {
    std::string_view z = s.substr(i + 1);
    int oh = 0, om = 0;
    if (z.size() == 2) {
      if (!num(i + 1, 2, &oh)) return false;
    } else if (z.size() == 5 && z[2] == ':') {
      if (!num(i + 1, 2, &oh) || !num(i + 4, 2, &om)) return false;
    } else {
      return false;
    }
    if (oh > 15 || om > 59) return false;
    offset_s = (s[i] == '+' ? 1 : -1) * (oh * 3600 + om * 60);
  } else {
    return false;
  }
  int64_t days = civil::DaysFromCivil(y, mo, d) - civil::DaysFromCivil(2000, 1, 1);
  *out = (days * 86400 + h * 3600 + mi * 60 + se - offset_s) * 1000000 + frac;
  return true;
}

// Appends one field in binary form; false when it cannot be converted.
bool PutBinaryField(std::string& out, BinKind kind, std::string_view v, bool null) {
  if (null) {
    PutBe32(out, 0xffffffffu);
    return true;
  }
  switch (kind) {
    case BinKind::kText:
      PutBe32(out, static_cast<uint32_t>(v.size()));
      out.append(v);
      return true;
    case BinKind::kInt8: {
      int64_t x;
      auto r = std::from_chars(v.data(), v.data() + v.size(), x);
      if (r.ec != std::errc() || r.ptr != v.data() + v.size()) return false;
      PutBe32(out, 8);
      PutBe64(out, static_cast<uint64_t>(x));
      return true;
    }
    case BinKind::kFloat8: {
      double x;
      auto r = std::from_chars(v.data(), v.data() + v.size(), x);
      if (r.ec != std::errc() || r.ptr != v.data() + v.size() || !std::isfinite(x)) return false;
      uint64_t bits;
      std::memcpy(&bits, &x, 8);
      PutBe32(out, 8);
      PutBe64(out, bits);
      return true;
    }
    case BinKind::kBool:
      if (v != "true" && v != "false") return false;
      PutBe32(out, 1);
      out += static_cast<char>(v == "true" ? 1 : 0);
      return true;
    case BinKind::kTimestamptz: {
      int64_t us;
      if (!ParseTimestamptz(v, &us)) return false;
      PutBe32(out, 8);
      PutBe64(out, static_cast<uint64_t>(us));
      return true;
    }
  }
  return false;
}

enum class RecordResult { kOk, kIncomplete, kBad };

// Converts the CSV record at in[*pos] (as JobWriterSet writes them: "" quoting, NULL = empty
// unquoted field, rows end with \n) into a binary tuple appended to `out` (nothing when
// `header`). Advances *pos past it.
RecordResult ConvertRecord(std::string_view in, size_t* pos, const std::vector<BinKind>& kinds, bool header,
                           std::string& out, std::string& field) {
  size_t p = *pos;
  const size_t n = in.size();
  size_t col = 0;
  if (!header) PutBe16(out, static_cast<uint16_t>(kinds.size()));
  for (;;) {
    if (p >= n) return RecordResult::kIncomplete;
    std::string_view value;
    bool quoted = false;
    if (in[p] == '"') {
      quoted = true;
      ++p;
      field.clear();
      for (;;) {
        const void* q = std::memchr(in.data() + p, '"', n - p);
        if (!q) return RecordResult::kIncomplete;
        size_t qi = static_cast<size_t>(static_cast<const char*>(q) - in.data());
        field.append(in.data() + p, qi - p);
        p = qi + 1;
        if (p >= n) return RecordResult::kIncomplete;
        if (in[p] == '"') {
          field += '"';
          ++p;
          continue;
        }
        break;
      }
      value = field;
    } else {
      size_t q = p;
      while (q < n && in[q] != ',' && in[q] != '\n') ++q;
      if (q >= n) return RecordResult::kIncomplete;
      value = in.substr(p, q - p);
      p = q;
    }
    if (p >= n) return RecordResult::kIncomplete;
    char sep = in[p++];
    if (sep != ',' && sep != '\n') return RecordResult::kBad;
    if (col >= kinds.size()) return RecordResult::kBad;
    if (!header && !PutBinaryField(out, kinds[col], value, !quoted && value.empty())) return RecordResult::kBad;
    ++col;
    if (sep == '\n') break;
  }
  if (col != kinds.size()) return RecordResult::kBad;
  *pos = p;
  return RecordResult::kOk;
}

}  // namespace

Status PostgresClient::CopyJobFiles(const std::string& dataset, const std::string& table,
                               const std::vector<const Column*>& columns,
                               const std::vector<std::filesystem::path>& files) {
  std::vector<std::string> names;
  for (const Column* c : columns) names.push_back(QuoteIdentifier(c->name));
  const std::string target = "COPY " + Qualified(dataset, table) + " (" + text::Join(names, ", ") + ") FROM STDIN";
  const std::string sql = target + " WITH (FORMAT csv, HEADER true, NULL '')";
  auto* conn = static_cast<PGconn*>(conn_);
  std::vector<BinKind> kinds;
  for (const Column* c : columns) {
    auto k = BinKindOf(*c);
    if (!k) {
      kinds.clear();
      break;
    }
    kinds.push_back(*k);
  }
  // Starts a COPY; false with `error` set when the server refuses it.
  auto begin_copy = [&](const std::string& stmt, Status* error) {
    PGresult* r = g_pq->exec(conn, stmt.c_str());
    if (!r || g_pq->result_status(r) != PGRES_COPY_IN) {
      *error = ResultError(r, stmt);
      if (r) g_pq->clear(r);
      return false;
    }
    g_pq->clear(r);
    return true;
  };
  auto end_copy = [&](const char* abort_message, const std::filesystem::path& file) {
    g_pq->put_copy_end(conn, abort_message);
    FaultPoint("postgres_copy_end");
    Status result = Status::Ok();
    while (PGresult* res = g_pq->get_result(conn)) {
      if (g_pq->result_status(res) != PGRES_COMMAND_OK && result.ok()) {
        result = ResultError(res, "COPY into " + Qualified(dataset, table) + " from " + file.filename().string());
      }
      g_pq->clear(res);
    }
    return result;
  };
  // Binary COPY of one file inside a savepoint; false when the file has to go as CSV (the
  // savepoint is then rolled back).
  auto copy_binary = [&](const std::filesystem::path& file) -> bool {
    if (kinds.empty() || !Execute("SAVEPOINT dlt_binary_copy").ok()) return false;
    bool ok = false;
    Status error = Status::Ok();
    if (begin_copy(target + " WITH (FORMAT binary)", &error)) {
      FILE* f = std::fopen(file.c_str(), "rb");
      std::string in, out, field;
      out.append("PGCOPY\n\xff\r\n\0", 11);
      PutBe32(out, 0);
      PutBe32(out, 0);
      bool bad = !f, sent_ok = true, header = true;
      size_t pos = 0;
      bool eof = false;
      while (f && !bad && sent_ok) {
        size_t mark = out.size();
        RecordResult rr = ConvertRecord(in, &pos, kinds, header, out, field);
        if (rr == RecordResult::kOk) {
          header = false;
          if (out.size() >= (1 << 20)) {
            sent_ok = g_pq->put_copy_data(conn, out.data(), static_cast<int>(out.size())) == 1;
            FaultPoint("postgres_copy_data");
            out.clear();
          }
          continue;
        }
        out.resize(mark);
        if (rr == RecordResult::kBad) {
          bad = true;
          break;
        }
        if (eof) {
          bad = pos != in.size() || header;  // a truncated last row, or no header
          break;
        }
        in.erase(0, pos);
        pos = 0;
        size_t have = in.size();
        in.resize(have + (1 << 20));
        size_t got = std::fread(in.data() + have, 1, 1 << 20, f);
        in.resize(have + got);
        if (got == 0) {
          if (std::ferror(f)) bad = true;
          eof = true;
        }
      }
      if (f) std::fclose(f);
      if (!bad && sent_ok) {
        PutBe16(out, 0xffff);
        sent_ok = g_pq->put_copy_data(conn, out.data(), static_cast<int>(out.size())) == 1;
        FaultPoint("postgres_copy_data");
      }
      ok = end_copy(bad || !sent_ok ? "dlt: loading the file as CSV instead" : nullptr, file).ok() && !bad && sent_ok;
    }
    if (ok) return Execute("RELEASE SAVEPOINT dlt_binary_copy").ok();
    (void)Execute("ROLLBACK TO SAVEPOINT dlt_binary_copy");
    return false;
  };
  for (const auto& file : files) {
    if (copy_binary(file)) continue;
    Status error = Status::Ok();
    if (!begin_copy(sql, &error)) return error;
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
    Status result = end_copy(read_error.empty() ? nullptr : read_error.c_str(), file);
    if (!read_error.empty()) return DataLoss(read_error);
    DLT_RETURN_IF_ERROR(result);
  }
  return Status::Ok();
}

// As dlt's PostgreSQL client (create_indexes, on by default): UNIQUE for `unique` columns, so every
// `_dlt_id` gets the index `<table>__dlt_id_key`.
std::string PostgresClient::ConstraintSql(const Column& c) const { return c.unique && create_indexes_ ? " UNIQUE" : ""; }

// Unnamed, so PostgreSQL names it as it names an inline UNIQUE (`<table>_<column>_key`, cut to 63).
std::string PostgresClient::AddConstraintSql(const std::string& qualified_table, const Column& c) const {
  return c.unique && create_indexes_ ? "ALTER TABLE " + qualified_table + " ADD UNIQUE (" + QuoteIdentifier(c.name) + ")" : "";
}

Status PostgresClient::AddColumns(const std::string& dataset, const Table& table,
                                  const std::vector<const Column*>& added) {
  // One ALTER TABLE for all new columns: PostgreSQL rebuilds the table's catalog entry once per
  // statement, so a statement per column made adding n columns cost n times the table's width
  // (1000 columns took seconds, 1500 much longer).
  std::vector<std::string> parts;
  parts.reserve(added.size());
  for (const Column* c : added) {
    parts.push_back("ADD COLUMN " + QuoteIdentifier(c->name) + " " + TypeSql(*c) + ConstraintSql(*c));
  }
  return Execute("ALTER TABLE " + Qualified(dataset, table.name) + " " + text::Join(parts, ", "));
}

namespace {

// dlt's `timezone: false` column hint (a naive timestamp, from a SQL source or a file): the
// column is created without a time zone, as dlt creates it.
bool IsNaiveTimestamp(const Column& c) {
  auto it = c.extra.find("timezone");
  return c.data_type == DataType::kTimestamp && it != c.extra.end() && it->is_boolean() && !it->get<bool>();
}

}  // namespace

std::string PostgresClient::TypeSql(const Column& c) const {
  switch (c.data_type) {
    case DataType::kText: return c.precision ? "varchar(" + std::to_string(*c.precision) + ")" : "varchar";
    case DataType::kBigint:
      // As dlt: a precision is a number of bits (above 64 it is bigint here: dlt refuses it).
      return c.precision && *c.precision <= 16 ? "smallint" : c.precision && *c.precision <= 32 ? "integer" : "bigint";
    case DataType::kDouble: return "double precision";
    case DataType::kBool: return "boolean";
    case DataType::kTimestamp: {
      // As dlt: `timestamp (p)` for a precision PostgreSQL keeps (0-6, microseconds at most).
      std::string p = c.precision && *c.precision >= 0 && *c.precision <= 6 ? " (" + std::to_string(*c.precision) + ")" : "";
      return "timestamp" + p + (IsNaiveTimestamp(c) ? " without time zone" : " with time zone");
    }
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
