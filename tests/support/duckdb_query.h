// The one way tests read a DuckDB file a run wrote: open it, run one statement, close it again
// (so the next `dlt run` can take the file's lock). A failure to open or query is a test failure
// (ADD_FAILURE naming the file and the SQL) and gives no rows, so no caller needs its own checks.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "destinations/duckdb/duckdb_api.h"

namespace dlt::testing {

// One query result: rows of text values (as DuckDB casts them to VARCHAR); SQL NULL is nullopt.
using SqlRows = std::vector<std::vector<std::optional<std::string>>>;

// Runs `sql` on the DuckDB file `db`, read-only.
SqlRows QueryDuckDb(const std::filesystem::path& db, const std::string& sql);

// The same with the typed values (for comparisons that need the column type); read-write only
// where a test means to change the file itself.
duckdb::QueryResult QueryDuckDbTyped(const std::filesystem::path& db, const std::string& sql,
                                     bool read_only = true);

// Runs a statement that changes the file (a test preparing what a user might have done to the
// destination); false (and a test failure) when it fails.
bool ExecDuckDb(const std::filesystem::path& db, const std::string& sql);

// Runs a statement that a test expects DuckDB to refuse: its error message ("" when it ran).
std::string DuckDbError(const std::filesystem::path& db, const std::string& sql);

// The single value of a one-row, one-column query ("<no rows>" / "NULL" otherwise).
std::string SqlValue(const std::filesystem::path& db, const std::string& sql);

// The single value of `sql` run on an in-memory DuckDB (read_parquet / read_json over files, on
// disk or S3), or a text saying what failed: "query failed: ...", "<N rows>".
std::string FileSql(const std::string& sql);

// The first column of every row, NULL as "NULL".
std::vector<std::string> SqlColumn(const std::filesystem::path& db, const std::string& sql);

// count(*) of `table` ("dataset.table"); -1 when the query fails.
int64_t CountRows(const std::filesystem::path& db, const std::string& table);

// True when the dataset has a table of that name.
bool TableExists(const std::filesystem::path& db, const std::string& dataset, const std::string& table);

// The column names of a table in their order.
std::vector<std::string> TableColumns(const std::filesystem::path& db, const std::string& dataset,
                                      const std::string& table);

}  // namespace dlt::testing
