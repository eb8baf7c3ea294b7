// Baseline for the load benchmark: DuckDB's own JSON reader into a new database file,
// without flattening or child tables:
//   duckdb_baseline DB_FILE 'SQL'
#include <duckdb.h>

#include <chrono>
#include <cstdio>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: duckdb_baseline DB_FILE SQL\n");
    return 2;
  }
  duckdb_database db;
  duckdb_connection con;
  if (duckdb_open(argv[1], &db) != DuckDBSuccess || duckdb_connect(db, &con) != DuckDBSuccess) {
    std::fprintf(stderr, "cannot open %s\n", argv[1]);
    return 1;
  }
  duckdb_result res;
  if (duckdb_query(con, argv[2], &res) != DuckDBSuccess) {
    std::fprintf(stderr, "query failed: %s\n", duckdb_result_error(&res));
    return 1;
  }
  duckdb_destroy_result(&res);
  duckdb_disconnect(&con);
  duckdb_close(&db);
  return 0;
}
