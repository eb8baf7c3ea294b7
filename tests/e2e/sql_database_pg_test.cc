// The sql_database source on a real PostgreSQL, loading into DuckDB through the C++ API: every
// type arrives with the server's own value, the incremental asks only for new rows, merge
// replaces changed rows, and bad tables or passwords fail clearly without leaking the password.
#include <set>

#include "dlt/pipeline.h"
#include "dlt/sql_database.h"
#include "extract/sql_database/sql_reader.h"
#include "pg_suite.h"
#include "pipeline_fixture.h"

namespace dlt::testing {
namespace {

class SqlDatabasePgTest : public PostgresSuite {
 protected:
  // A database `db` made by the superuser with `sql`, readable by the loader role.
  static void SourceDatabase(const std::string& db, const std::string& sql) {
    CreateDatabase(db);
    std::string out;
    ASSERT_TRUE(server_->PsqlQuery(sql + "; GRANT SELECT ON ALL TABLES IN SCHEMA public TO loader", db, &out)) << out;
  }
  static void Exec(const std::string& db, const std::string& sql) {
    std::string out;
    ASSERT_TRUE(server_->PsqlQuery(sql, db, &out)) << out;
  }
  // A workspace with the DuckDB destination `warehouse` and the source's URL in its secrets.
  static Workspace WorkspaceFor(PipelineWorkspace& w, const std::string& db) {
    w.Write(".dlt/dev.secrets.toml", "[destination.warehouse]\ndestination_type = \"duckdb\"\n\n"
                                     "[sources.sql_database]\ncredentials = \"" + server_->Url(db) + "\"\n");
    return w.OpenLoaded();
  }
  // Rows, distinct keys, the keys' sum and a digest of column `v` in key order: with `w`, the
  // value from its DuckDB file; without, the SQL that gives the same text on PostgreSQL.
  static std::string Fingerprint(PipelineWorkspace* w, const std::string& table, const std::string& key) {
    const std::string sql = "SELECT CAST(count(*) AS VARCHAR) || '/' || CAST(count(DISTINCT " + key +
                            ") AS VARCHAR) || '/' || CAST(sum(" + key + ") AS VARCHAR) || '/' || md5(string_agg(v, "
                            "',' ORDER BY " + key + ")) FROM " + table;
    return w ? SqlValue(w->Db(), sql) : sql;
  }
  static StatusOr<LoadInfo> RunTables(const Workspace& ws, const std::string& name, const SqlDatabaseOptions& o) {
    PipelineOptions po;
    po.pipeline_name = name;
    po.destination = "warehouse";
    po.dataset_name = name + "_data";
    DLT_ASSIGN_OR_RETURN(Pipeline p, Pipeline::Create(ws, po));
    DLT_ASSIGN_OR_RETURN(auto resources, SqlDatabase(ws, o));
    return p.Run(resources);
  }
};

constexpr const char* kEveryType =
    "CREATE TYPE mood AS ENUM ('sad', 'happy');"
    "CREATE TABLE every_type (id int PRIMARY KEY, small smallint, big bigint NOT NULL, price numeric(20,6),"
    " ratio real, score double precision, name text, code varchar(12), flag boolean, day date, at time,"
    " local_at timestamp, paid_at timestamptz, ref uuid, doc jsonb, raw json, blob bytea, tags int[],"
    " feeling mood, span interval);"
    "INSERT INTO every_type VALUES"
    " (1, -32768, 9223372036854775807, 12345678901234.123456, 1.5, 3.141592653589793, 'héllo \"q\" ''s''',"
    "  'abc', true, '2024-02-29', '03:04:05.123456', '2024-01-02 03:04:05.123456',"
    "  '2024-01-02 03:04:05.654321+02', '6f1c1a8e-6d0e-4d43-9a43-0c4e1e3a6f10', '{\"a\": 1, \"b\": [1, 2]}',"
    "  '[1,2]', '\\x00ff41', '{1,2,3}', 'happy', '1 day 02:03:04'),"
    " (2, NULL, -1, -0.000001, NULL, -2.5, NULL, NULL, false, '1970-01-01', '00:00:00', '1999-12-31 23:59:59',"
    "  '1960-06-01 00:00:00+00', NULL, NULL, NULL, '\\x', NULL, NULL, NULL),"
    " (3, 7, 0, 0, NULL, NULL, '', 'x', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '{}', NULL, NULL)";

TEST_F(SqlDatabasePgTest, EveryColumnTypeLoadsIntoDuckDbWithTheServersOwnValue) {
  SourceDatabase("src_types", kEveryType);
  PipelineWorkspace w;
  Workspace ws = WorkspaceFor(w, "src_types");
  SqlDatabaseOptions o;
  o.reflection_level = "full_with_precision";
  auto info = RunTables(ws, "types", o);
  ASSERT_TRUE(info.ok()) << info.status().message();
  // Each column as text, on the server and in DuckDB, in the same forms.
  struct Case {
    std::string column, pg, duck;
  };
  const std::vector<Case> cases = {
      {"small", "small::text", "CAST(small AS VARCHAR)"},
      {"big", "big::text", "CAST(big AS VARCHAR)"},
      {"price", "price::text", "CAST(price AS VARCHAR)"},
      {"ratio", "ratio::text", "CAST(ratio AS VARCHAR)"},
      {"score", "score::text", "CAST(score AS VARCHAR)"},
      {"name", "name", "name"},
      {"code", "code", "code"},
      {"flag", "flag::text", "CAST(flag AS VARCHAR)"},
      {"day", "day::text", "CAST(day AS VARCHAR)"},
      {"at", "at::text", "CAST(\"at\" AS VARCHAR)"},
      {"local_at", "(extract(epoch FROM local_at) * 1000000)::bigint::text", "CAST(epoch_us(local_at) AS VARCHAR)"},
      {"paid_at", "(extract(epoch FROM paid_at) * 1000000)::bigint::text", "CAST(epoch_us(paid_at) AS VARCHAR)"},
      {"ref", "ref::text", "ref"},
      {"doc", "doc::text", "CAST(doc AS VARCHAR)"},
      {"raw", "raw::text", "CAST(raw AS VARCHAR)"},
      {"blob", "encode(blob, 'hex')", "lower(hex(blob))"},
      {"tags", "to_json(tags)::text", "CAST(tags AS VARCHAR)"},
      {"feeling", "feeling::text", "feeling"},
      {"span", "span::text", "span"},
  };
  for (const auto& c : cases) {
    std::string pg = Value("src_types", "SELECT string_agg(coalesce(" + c.pg + ", 'NULL'), '|' ORDER BY id) FROM every_type");
    std::string duck = SqlValue(w.Db(), "SELECT string_agg(coalesce(" + c.duck + ", 'NULL'), '|' ORDER BY id) FROM "
                                        "types_data.every_type");
    EXPECT_EQ(duck, pg) << "column " << c.column;
  }
  // The types come from the catalog: DuckDB's columns and the schema's hints.
  auto duck_type = [&](const std::string& col) {
    return SqlValue(w.Db(), "SELECT data_type FROM information_schema.columns WHERE table_schema = 'types_data' "
                            "AND table_name = 'every_type' AND column_name = '" + col + "'");
  };
  EXPECT_EQ(duck_type("price"), "DECIMAL(20,6)");
  EXPECT_EQ(duck_type("paid_at"), "TIMESTAMP WITH TIME ZONE");
  EXPECT_EQ(duck_type("blob"), "BLOB");
  EXPECT_EQ(duck_type("flag"), "BOOLEAN");
  EXPECT_EQ(duck_type("day"), "DATE");
  auto schema = nlohmann::json::parse(ReadFile(w.PipelineDir("types") / "schemas" / "types.schema.json"));
  auto cols = schema["tables"]["every_type"]["columns"];
  EXPECT_EQ(cols["id"]["primary_key"], true);
  EXPECT_EQ(cols["id"]["nullable"], false);
  EXPECT_EQ(cols["big"]["nullable"], false);
  EXPECT_EQ(cols["code"]["precision"], 12);
  // A timestamp without time zone carries dlt's `timezone: false` hint (its value is its UTC reading).
  EXPECT_EQ(cols["local_at"]["timezone"], false);
  EXPECT_FALSE(cols["paid_at"].contains("timezone") && cols["paid_at"]["timezone"] == false);
  EXPECT_EQ(cols["doc"]["data_type"], "json");
  EXPECT_EQ(cols["tags"]["data_type"], "json");
  EXPECT_EQ(cols["ref"]["data_type"], "text");
  EXPECT_EQ(cols["span"]["data_type"], "text");
}

TEST_F(SqlDatabasePgTest, IncrementalSecondRunLoadsOnlyTheNewRows) {
  SourceDatabase("src_inc", "CREATE TABLE events (id int PRIMARY KEY, updated_at timestamptz NOT NULL, note text);"
                            "INSERT INTO events SELECT i, TIMESTAMPTZ '2024-01-01 00:00:00+00' + i * interval '1 hour',"
                            " 'n' || i FROM generate_series(1, 5) i");
  PipelineWorkspace w;
  Workspace ws = WorkspaceFor(w, "src_inc");
  SqlDatabaseOptions o;
  SqlTableOptions t;
  t.table = "events";
  t.incremental = IncrementalOptions{};
  t.incremental->cursor_path = "updated_at";
  t.incremental->initial_value_json = "\"2024-01-01T02:00:00+00:00\"";
  o.tables = {t};
  auto first = RunTables(ws, "inc", o);
  ASSERT_TRUE(first.ok()) << first.status().message();
  // Rows from the initial value on: 2..5.
  EXPECT_EQ(SqlValue(w.Db(), "SELECT string_agg(CAST(id AS VARCHAR), ',' ORDER BY id) FROM inc_data.events"), "2,3,4,5");
  Exec("src_inc", "INSERT INTO events VALUES (6, '2024-01-01 06:00:00+00', 'n6'), (7, '2024-01-01 07:00:00+00', 'n7')");
  auto second = RunTables(ws, "inc", o);
  ASSERT_TRUE(second.ok()) << second.status().message();
  EXPECT_EQ(SqlValue(w.Db(), "SELECT string_agg(CAST(id AS VARCHAR), ',' ORDER BY id) FROM inc_data.events"),
            "2,3,4,5,6,7");
  // The second load holds the new rows only.
  EXPECT_EQ(SqlValue(w.Db(), "SELECT count(*) FROM inc_data.events WHERE _dlt_load_id = (SELECT max(_dlt_load_id) "
                             "FROM inc_data.events)"),
            "2");
}

TEST_F(SqlDatabasePgTest, MergeSecondRunReplacesChangedRowsByTheTablesPrimaryKey) {
  SourceDatabase("src_merge", "CREATE TABLE customers (id int PRIMARY KEY, name text);"
                              "INSERT INTO customers VALUES (1, 'ann'), (2, 'bob')");
  PipelineWorkspace w;
  Workspace ws = WorkspaceFor(w, "src_merge");
  SqlDatabaseOptions o;
  SqlTableOptions t;
  t.table = "customers";
  t.write_disposition = "merge";
  o.tables = {t};
  ASSERT_TRUE(RunTables(ws, "mrg", o).ok());
  Exec("src_merge", "UPDATE customers SET name = 'bobby' WHERE id = 2; INSERT INTO customers VALUES (3, 'cy')");
  auto second = RunTables(ws, "mrg", o);
  ASSERT_TRUE(second.ok()) << second.status().message();
  EXPECT_EQ(SqlValue(w.Db(), "SELECT string_agg(CAST(id AS VARCHAR) || '=' || name, ',' ORDER BY id) FROM "
                             "mrg_data.customers"),
            "1=ann,2=bobby,3=cy");
}

TEST_F(SqlDatabasePgTest, BigTableReadInParallelKeyChunksLosesAndRepeatsNoRow) {
  // Keys with gaps and a negative end: chunks of the key range hold uneven numbers of rows.
  SourceDatabase("src_chunks", "CREATE TABLE wide (id bigint PRIMARY KEY, v text);"
                               "INSERT INTO wide SELECT i * 7, 'v' || i FROM generate_series(1, 3000) i;"
                               "INSERT INTO wide SELECT -i * 1000, 'n' || i FROM generate_series(1, 50) i;"
                               "INSERT INTO wide VALUES (1000000, 'last')");
  PipelineWorkspace w;
  Workspace ws = WorkspaceFor(w, "src_chunks");
  SqlDatabaseOptions o;
  o.chunk_size = 100;
  o.parallel_chunks = 3;
  auto info = RunTables(ws, "chunks", o);
  ASSERT_TRUE(info.ok()) << info.status().message();
  EXPECT_EQ(Fingerprint(&w, "chunks_data.wide", "id"), Value("src_chunks", Fingerprint(nullptr, "wide", "id")));
  EXPECT_EQ(SqlValue(w.Db(), "SELECT count(*) FROM chunks_data.wide"), "3051");
}

// PostgreSQL 14+ tables are read in heap page ranges (ctid), all in the snapshot one transaction
// exported: cheaper for the server than key ranges, possible without a key, and a row that
// changes while the chunks are read is seen once, as it was when the read began.
TEST_F(SqlDatabasePgTest, StorageChunksReadEveryRowOnceInOneSnapshot) {
  SourceDatabase("src_pages", "CREATE TABLE heap (n int, v text);"
                              "INSERT INTO heap SELECT i, 'v' || i FROM generate_series(1, 20000) i;"
                              "DELETE FROM heap WHERE n % 7 = 0; CREATE VIEW heap_view AS SELECT * FROM heap;"
                              "ANALYZE heap");
  auto reader = sql_source::OpenSqlReader(Secret(server_->Url("src_pages")));
  ASSERT_TRUE(reader.ok()) << reader.status().message();
  auto table = (*reader)->Reflect("public", "heap", sql_source::ReflectionLevel::kFull);
  ASSERT_TRUE(table.ok()) << table.status().message();
  sql_source::ScanRequest req;
  req.table = *table;
  req.chunk_size = 100;
  auto parts = (*reader)->StorageChunks(req, 3, 300);
  ASSERT_TRUE(parts.ok()) << parts.status().message();
  ASSERT_EQ(parts->size(), 3u);
  // Changed after the snapshot: every updated row gets a new version on another page.
  Exec("src_pages", "UPDATE heap SET v = 'changed' WHERE n <= 3000; DELETE FROM heap WHERE n > 19000;"
                    "INSERT INTO heap SELECT i, 'new' FROM generate_series(20001, 21000) i");
  uint64_t rows = 0, sum = 0;
  std::set<int64_t> seen;
  std::string where;
  for (auto& part : *parts) {
    TypedBatch b;
    uint64_t part_rows = 0;
    for (;;) {
      auto more = part->NextBatch(&b, &where);
      ASSERT_TRUE(more.ok()) << more.status().message();
      if (!*more) break;
      for (size_t r = 0; r < b.rows(); ++r) {
        const int64_t n = b.vector(0).ints[r];
        EXPECT_NE(b.vector(1).texts[r], "changed") << "row " << n << " read after the snapshot";
        seen.insert(n);
        sum += static_cast<uint64_t>(n);
      }
      rows += b.rows();
      part_rows += b.rows();
    }
    EXPECT_GT(part_rows, 0u);
  }
  // 20000 rows less the 2857 multiples of 7, each once, none of those inserted later.
  EXPECT_EQ(rows, 17143u);
  EXPECT_EQ(seen.size(), 17143u);
  EXPECT_EQ(*seen.rbegin(), 20000);
  EXPECT_EQ(sum, 200010000u - 7u * (2857u * 2858u / 2u));
  // Not for a table smaller than a batch per chunk, nor for a view (which has no pages).
  auto small = (*reader)->StorageChunks(req, 3, 1000000);
  ASSERT_TRUE(small.ok()) << small.status().message();
  EXPECT_TRUE(small->empty());
  auto view = (*reader)->Reflect("public", "heap_view", sql_source::ReflectionLevel::kFull);
  ASSERT_TRUE(view.ok()) << view.status().message();
  req.table = *view;
  auto of_view = (*reader)->StorageChunks(req, 3, 300);
  ASSERT_TRUE(of_view.ok()) << of_view.status().message();
  EXPECT_TRUE(of_view->empty());

  // Through the pipeline: a table without a key is read in three chunks, every row once.
  PipelineWorkspace w;
  Workspace ws = WorkspaceFor(w, "src_pages");
  Exec("src_pages", "ANALYZE heap");
  SqlDatabaseOptions o;
  o.table_names = {"heap"};
  o.chunk_size = 100;
  o.parallel_chunks = 3;
  auto info = RunTables(ws, "pages", o);
  ASSERT_TRUE(info.ok()) << info.status().message();
  EXPECT_EQ(Fingerprint(&w, "pages_data.heap", "n"), Value("src_pages", Fingerprint(nullptr, "heap", "n")));
}

// Defect: a limit (dlt's add_limit, SqlTableOptions::max_rows) on a table read in key-range
// chunks kept whichever chunk came first, rows from the middle of the table, and an incremental
// cursor then jumped past rows never loaded. dlt forwards the limit to the query: the first rows
// in the cursor's order, so that run after run (advanced.md "Split loading") loads every row.
TEST_F(SqlDatabasePgTest, ALimitReadsTheFirstRowsInOneQuerySoSplitLoadingLosesNoRow) {
  SourceDatabase("src_limit", "CREATE TABLE wide (id bigint PRIMARY KEY, v text);"
                              "INSERT INTO wide SELECT i, 'v' || i FROM generate_series(1, 3000) i");
  PipelineWorkspace w;
  Workspace ws = WorkspaceFor(w, "src_limit");
  SqlDatabaseOptions o;
  o.chunk_size = 100;
  o.parallel_chunks = 3;  // without the limit this table is read in three key ranges at once
  SqlTableOptions t;
  t.table = "wide";
  t.max_rows = 1200;
  IncrementalOptions inc;
  inc.cursor_path = "id";
  inc.range_start = "open";
  t.incremental = inc;
  o.tables = {t};
  for (const char* want : {"1200/1/1200", "2400/1/2400", "3000/1/3000", "3000/1/3000"}) {
    auto info = RunTables(ws, "lim", o);
    ASSERT_TRUE(info.ok()) << info.status().message();
    EXPECT_EQ(SqlValue(w.Db(), "SELECT CAST(count(*) AS VARCHAR) || '/' || CAST(min(id) AS VARCHAR) || '/' || "
                               "CAST(max(id) AS VARCHAR) FROM lim_data.wide"),
              want);
  }
  EXPECT_EQ(SqlValue(w.Db(), "SELECT count(DISTINCT id) FROM lim_data.wide"), "3000");
}

TEST_F(SqlDatabasePgTest, MissingTableFailsNamingTheTableAndSchema) {
  SourceDatabase("src_missing", "CREATE TABLE present (id int)");
  PipelineWorkspace w;
  Workspace ws = WorkspaceFor(w, "src_missing");
  SqlDatabaseOptions o;
  o.table_names = {"present", "absent"};
  auto r = SqlDatabase(ws, o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("public.absent"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("does not exist"), std::string::npos) << r.status().message();
}

TEST_F(SqlDatabasePgTest, WrongPasswordFailsNamingTheUserWithoutThePassword) {
  PipelineWorkspace w;
  Workspace ws = WorkspaceFor(w, "dw");
  SqlDatabaseOptions o;
  const std::string wrong = "Wr0ngSecret_4471";
  o.credentials = Secret("postgresql://loader:" + wrong + "@127.0.0.1:" + std::to_string(server_->port()) + "/dw");
  auto r = SqlDatabase(ws, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().find(wrong), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("authentication failed"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("loader"), std::string::npos) << r.status().message();
}

TEST_F(SqlDatabasePgTest, CredentialsTableInSecretsConnectsLikeAUrl) {
  SourceDatabase("src_fields", "CREATE TABLE t1 (id int PRIMARY KEY); INSERT INTO t1 VALUES (1), (2)");
  PipelineWorkspace w;
  w.Write(".dlt/dev.secrets.toml",
          "[destination.warehouse]\ndestination_type = \"duckdb\"\n\n[sources.sql_database.credentials]\n"
          "drivername = \"postgresql\"\nhost = \"127.0.0.1\"\nport = " + std::to_string(server_->port()) +
              "\nusername = \"loader\"\npassword = \"loader_pw_123\"\ndatabase = \"src_fields\"\n");
  Workspace ws = w.OpenLoaded();
  auto info = RunTables(ws, "fields", SqlDatabaseOptions{});
  ASSERT_TRUE(info.ok()) << info.status().message();
  EXPECT_EQ(SqlValue(w.Db(), "SELECT count(*) FROM fields_data.t1"), "2");
}

}  // namespace
}  // namespace dlt::testing
