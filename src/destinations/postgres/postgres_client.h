// PostgreSQL as a SQL destination through libpq (loaded with dlopen on first use, like DuckDB,
// so that commands that never connect start fast). Bulk loading with COPY ... FROM STDIN.
#pragma once

#include <memory>
#include <string>

#include "destinations/postgres/postgres_credentials.h"
#include "load/sql_client.h"

namespace dlt {

class PostgresClient : public SqlClient {
 public:
  // Connects; errors name host, port, database and user, never the password. `read_only`
  // makes every transaction of the session read-only (default_transaction_read_only = on).
  static StatusOr<std::unique_ptr<PostgresClient>> Connect(const PostgresCredentials& credentials, bool read_only);
  ~PostgresClient() override;

  Status Execute(std::string_view sql) override;
  Status LimitStatementTime(int seconds) override {
    return Execute("SET statement_timeout = '" + std::to_string(seconds) + "s'");
  }
  StatusOr<std::vector<SqlRow>> Query(std::string_view sql) override;
  // In postgres_typed_query.cc.
  StatusOr<QueryResult> QueryTyped(std::string_view sql, const SqlParams& params) override;
  StatusOr<QueryResult> QueryTypedOneStatement(std::string_view sql) override;
  std::string TypeName() const override { return "postgres"; }
  Status CopyJobFiles(const std::string& dataset, const std::string& table, const std::vector<const Column*>& columns,
                 const std::vector<std::filesystem::path>& files) override;
  std::string TypeSql(const Column& column) const override;
  std::string ConstraintSql(const Column& column) const override;
  std::string AddConstraintSql(const std::string& qualified_table, const Column& column) const override;
  Status AddColumns(const std::string& dataset, const Table& table, const std::vector<const Column*>& added) override;
  std::string QuoteIdentifier(std::string_view name) const override;
  std::string QuoteLiteral(std::string_view text) const override;
  std::string NowSql() const override { return "now()"; }
  // Asks the server to cancel the statement running now (PQcancel, from another thread: the
  // dashboard when its client goes away or it is stopped). The statement then fails with
  // "canceling statement due to user request".
  void Interrupt() override;

  std::string server_version() const;

 private:
  PostgresClient() = default;
  Status ResultError(void* result, std::string_view what) const;
  // The rows of a finished PGresult (cleared here) as QueryTyped returns them.
  StatusOr<QueryResult> TypedResult(void* result, std::string_view sql) const;
  void* conn_ = nullptr;  // PGconn*
  void* cancel_ = nullptr;  // PGcancel*, made at connect time: PQcancel on it is thread-safe
  std::string where_;     // "postgres loader@127.0.0.1:5432/dw"
  bool create_indexes_ = true;  // PostgresCredentials::create_indexes
};

}  // namespace dlt
