// PgConnection: the PostgreSQL reader's libpq connection (postgres_source.h). Messages name the
// server, database and user; the password is scrubbed from anything the server or libpq says.
#include <utility>

#include "destinations/postgres/postgres_libpq.h"
#include "extract/sql_database/postgres_source.h"

namespace dlt::sql_source {

namespace {

using pg::g_pq;

void IgnoreNotice(void*, const char*) {}

}  // namespace

StatusOr<std::unique_ptr<PgConnection>> PgConnection::Open(const PostgresCredentials& c) {
  DLT_RETURN_IF_ERROR(pg::EnsureLibPq());
  std::unique_ptr<PgConnection> out(new PgConnection());
  out->password_ = c.password.reveal();
  out->target_ = "PostgreSQL at " + c.host + ":" + std::to_string(c.port) + " (database `" + c.database +
                 "`, user `" + c.username + "`)";
  // UTC: time values cast to text and cursor literals read the same in every session.
  std::string conninfo = c.ConnectionString() +
                         " application_name='dlt sql_database'"
                         " options='-c TimeZone=UTC -c standard_conforming_strings=on -c extra_float_digits=3'";
  PGconn* conn = g_pq->connectdb(conninfo.c_str());
  if (!conn) return Internal("libpq could not allocate a connection");
  out->conn_ = conn;
  if (g_pq->status(conn) != CONNECTION_OK) {
    std::string err = out->LastError();
    if (err.find("authentication failed") != std::string::npos || err.find("no password supplied") != std::string::npos) {
      return PermissionDenied("sql_database: authentication failed for " + out->target_ +
                              ": check the user name and password of the source's credentials "
                              "(sources.sql_database.credentials)");
    }
    return Unavailable("sql_database: cannot connect to " + out->target_ + ": " + err);
  }
  g_pq->set_notice_processor(conn, IgnoreNotice, nullptr);
  return out;
}

PgConnection::~PgConnection() {
  if (conn_ && g_pq) g_pq->finish(static_cast<PGconn*>(conn_));
}

std::string PgConnection::LastError() const {
  std::string msg = pg::TrimMessage(g_pq->error_message(static_cast<PGconn*>(conn_)));
  if (password_.size() >= 3) {
    size_t pos;
    while ((pos = msg.find(password_)) != std::string::npos) msg.replace(pos, password_.size(), "***");
  }
  return msg;
}

StatusOr<std::vector<std::vector<std::optional<std::string>>>> PgConnection::Query(
    const std::string& sql, const std::string& what, const std::vector<std::string>& params) {
  std::vector<const char*> values;
  for (const auto& p : params) values.push_back(p.c_str());
  PGconn* c = static_cast<PGconn*>(conn_);
  PGresult* r = g_pq->exec_params(c, sql.c_str(), static_cast<int>(values.size()), nullptr,
                                  values.empty() ? nullptr : values.data(), nullptr, nullptr, 0);
  ExecStatusType st = g_pq->result_status(r);
  if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
    std::string err = LastError();
    g_pq->clear(r);
    return FailedPrecondition("sql_database: " + what + " on " + target_ + " failed: " + err);
  }
  std::vector<std::vector<std::optional<std::string>>> rows;
  int n = g_pq->ntuples(r), f = g_pq->nfields(r);
  rows.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    auto& row = rows.emplace_back();
    for (int j = 0; j < f; ++j) {
      if (g_pq->getisnull(r, i, j)) row.emplace_back();
      else row.emplace_back(std::string(g_pq->getvalue(r, i, j), static_cast<size_t>(g_pq->getlength(r, i, j))));
    }
  }
  g_pq->clear(r);
  return rows;
}

}  // namespace dlt::sql_source
