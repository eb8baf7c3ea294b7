// The sql_database source on a real SQLite file (written with Debian's sqlite3 tool), loading into
// DuckDB through the C++ API: every mapped type arrives with the value SQLite itself prints, the
// incremental asks only for new rows, merge replaces changed rows, a table added later is found,
// and missing tables or broken files fail clearly with nothing loaded.
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "dlt/pipeline.h"
#include "dlt/sql_database.h"
#include "pg_suite.h"
#include "pipeline_fixture.h"
#include "test_util.h"

namespace dlt::testing {
namespace {

namespace fs = std::filesystem;

class SqlDatabaseSqliteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs::exists("/usr/bin/sqlite3")) << "/usr/bin/sqlite3 is missing: install Debian's sqlite3 (scripts/bootstrap.sh does)";
    db_ = w_.root() / "shop.db";
    w_.Write(".dlt/dev.secrets.toml", "[destination.warehouse]\ndestination_type = \"duckdb\"\n\n"
                                      "[sources.sql_database]\ncredentials = \"sqlite:///" + db_.string() + "\"\n");
  }
  // Runs `sql` in the source file with sqlite3; returns what sqlite3 prints (its own text of values).
  std::string Sqlite(const std::string& sql) {
    auto r = dlt::testing::Run({"/usr/bin/sqlite3", db_.string(), sql}, w_.root(), {});
    EXPECT_EQ(r.exit_code, 0) << sql << ": " << r.err;
    std::string out = r.out;
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
  }
  StatusOr<LoadInfo> RunTables(const std::string& name, const SqlDatabaseOptions& o) {
    Workspace ws = w_.OpenLoaded();
    PipelineOptions po;
    po.pipeline_name = name;
    po.destination = "warehouse";
    po.dataset_name = name + "_data";
    DLT_ASSIGN_OR_RETURN(Pipeline p, Pipeline::Create(ws, po));
    DLT_ASSIGN_OR_RETURN(auto resources, SqlDatabase(ws, o));
    return p.Run(resources);
  }
  // One table through SqlTable (dlt's sql_table) instead of the whole database.
  StatusOr<LoadInfo> RunTable(const std::string& name, const SqlTableOptions& t) {
    Workspace ws = w_.OpenLoaded();
    PipelineOptions po;
    po.pipeline_name = name;
    po.destination = "warehouse";
    po.dataset_name = name + "_data";
    DLT_ASSIGN_OR_RETURN(Pipeline p, Pipeline::Create(ws, po));
    DLT_ASSIGN_OR_RETURN(Resource r, SqlTable(ws, SqlDatabaseOptions{}, t));
    return p.Run(std::vector<Resource>{r});
  }
  // The tables of `dataset` in the DuckDB file (none when no run has created the file).
  int64_t TablesIn(const std::string& dataset) {
    if (!fs::exists(w_.Db())) return 0;
    return std::stoll(SqlValue(w_.Db(), "SELECT count(*) FROM information_schema.tables WHERE table_schema = '" +
                                            dataset + "'"));
  }
  PipelineWorkspace w_;
  fs::path db_;
};

// Finds the first "last_value" under `j` (the incremental state of the only resource).
const nlohmann::json* FindLastValue(const nlohmann::json& j) {
  if (!j.is_object()) return nullptr;
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it.key() == "last_value") return &it.value();
    if (const nlohmann::json* f = FindLastValue(it.value())) return f;
  }
  return nullptr;
}

TEST_F(SqlDatabaseSqliteTest, EveryMappedTypeLoadsIntoDuckDbWithTheValueSqlitePrints) {
  Sqlite("CREATE TABLE every_type (id INTEGER PRIMARY KEY, big BIGINT NOT NULL, small SMALLINT, f REAL,"
         " price DECIMAL(10,2), n NUMERIC, ok BOOLEAN, day DATE, at DATETIME, tod TIME, raw BLOB, doc JSON,"
         " name TEXT, code VARCHAR(12));"
         "INSERT INTO every_type VALUES (1, 9223372036854775807, -32768, 1.5, '12.5', '1234567890.123', 1,"
         " '2024-02-29', '2024-05-01 12:30:00.250000', '23:59:59.5', X'00FF41', '{\"b\": 1, \"a\": [1, 2]}',"
         " 'zoë \"q\" ''s''', 'abc');"
         "INSERT INTO every_type VALUES (2, -1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);"
         "INSERT INTO every_type VALUES (3, 0, 7, -0.25, '-0.01', -42.5, 0, '1970-01-01', '2024-05-01T01:02:03+02:00',"
         " '00:00:00', X'', '[]', '', 'x');");
  SqlDatabaseOptions o;
  o.reflection_level = "full_with_precision";
  auto info = RunTables("types", o);
  ASSERT_TRUE(info.ok()) << info.status().message();
  struct Case {
    std::string column, sqlite, duck;
  };
  // SQLite's own reading of each value (its text, printf, strftime, hex, json) against DuckDB's.
  const std::vector<Case> cases = {
      {"big", "big", "CAST(big AS VARCHAR)"},
      {"small", "small", "CAST(small AS VARCHAR)"},
      {"f", "f", "CAST(f AS VARCHAR)"},
      {"price", "iif(price IS NULL, NULL, printf('%.2f', price))", "CAST(price AS VARCHAR)"},
      // A NUMERIC without scale: SQLite's shortest text, DuckDB's decimal without trailing zeros.
      {"n", "CAST(n AS TEXT)", "rtrim(rtrim(CAST(n AS VARCHAR), '0'), '.')"},
      {"ok", "CASE ok WHEN 1 THEN 'true' WHEN 0 THEN 'false' END", "CAST(ok AS VARCHAR)"},
      {"day", "day", "CAST(day AS VARCHAR)"},
      {"at", "strftime('%Y-%m-%d %H:%M:%f', at)", "strftime(\"at\", '%Y-%m-%d %H:%M:%S.%g')"},
      {"tod", "strftime('%H:%M:%f', tod)", "strftime(DATE '2000-01-01' + tod, '%H:%M:%S.%g')"},
      {"raw", "iif(raw IS NULL, NULL, lower(hex(raw)))", "lower(hex(raw))"},
      {"doc", "json(doc)", "CAST(doc AS VARCHAR)"},
      {"name", "name", "name"},
      {"code", "code", "code"},
  };
  for (const auto& c : cases) {
    std::string src = Sqlite("SELECT group_concat(v, '|') FROM (SELECT coalesce(" + c.sqlite +
                             ", 'NULL') AS v FROM every_type ORDER BY id)");
    std::string duck = SqlValue(w_.Db(), "SELECT string_agg(coalesce(" + c.duck + ", 'NULL'), '|' ORDER BY id) FROM "
                                         "types_data.every_type");
    EXPECT_EQ(duck, src) << "column " << c.column;
  }
  EXPECT_EQ(SqlValue(w_.Db(), "SELECT count(*) FROM types_data.every_type"), "3");
  auto duck_type = [&](const std::string& col) {
    return SqlValue(w_.Db(), "SELECT data_type FROM information_schema.columns WHERE table_schema = 'types_data' "
                             "AND table_name = 'every_type' AND column_name = '" + col + "'");
  };
  EXPECT_EQ(duck_type("big"), "BIGINT");
  EXPECT_EQ(duck_type("f"), "DOUBLE");
  EXPECT_EQ(duck_type("price"), "DECIMAL(10,2)");
  EXPECT_EQ(duck_type("ok"), "BOOLEAN");
  EXPECT_EQ(duck_type("day"), "DATE");
  // A timestamp without time zone (dlt's `timezone: false`) is a plain TIMESTAMP in DuckDB, as
  // dlt 1.26's DuckDB destination makes it.
  EXPECT_EQ(duck_type("at"), "TIMESTAMP");
  EXPECT_EQ(duck_type("tod"), "TIME");
  EXPECT_EQ(duck_type("raw"), "BLOB");
  EXPECT_EQ(duck_type("doc"), "JSON");
  EXPECT_EQ(duck_type("name"), "VARCHAR");
  auto schema = nlohmann::json::parse(ReadFile(w_.PipelineDir("types") / "schemas" / "types.schema.json"));
  auto cols = schema["tables"]["every_type"]["columns"];
  EXPECT_EQ(cols["id"]["primary_key"], true);
  EXPECT_EQ(cols["big"]["nullable"], false);
  EXPECT_EQ(cols["code"]["precision"], 12);
  EXPECT_EQ(cols["price"]["scale"], 2);
}

// The extensions of the job files of every loaded package of pipeline `name` (".typed", ".csv").
std::set<std::string> LoadedJobExtensions(const PipelineWorkspace& w, const std::string& name) {
  std::set<std::string> out;
  for (const auto& id : w.Packages(name, "load/loaded")) {
    for (const auto& e : fs::directory_iterator(w.PipelineDir(name) / "load/loaded" / id / "completed_jobs")) {
      out.insert(e.path().extension().string());
    }
  }
  return out;
}

TEST_F(SqlDatabaseSqliteTest, TypedRowsReachDuckDbAsTypedJobFilesWithoutACsvStep) {
  Sqlite("CREATE TABLE readings (id INTEGER PRIMARY KEY, v REAL, ok BOOLEAN, at DATETIME, note TEXT);"
         "INSERT INTO readings VALUES (1, 0.1, 1, '2024-01-01 00:00:00.000001', 'a,\"b\"'), (2, NULL, 0, NULL, NULL),"
         " (3, -1e300, NULL, '1999-12-31 23:59:59', '');");
  auto info = RunTables("typedjobs", SqlDatabaseOptions{});
  ASSERT_TRUE(info.ok()) << info.status().message();
  EXPECT_EQ(LoadedJobExtensions(w_, "typedjobs"), (std::set<std::string>{".typed"}));
  EXPECT_EQ(SqlValue(w_.Db(), "SELECT string_agg(id || '/' || coalesce(CAST(v AS VARCHAR), 'NULL') || '/' || "
                              "coalesce(CAST(ok AS VARCHAR), 'NULL') || '/' || coalesce(CAST(\"at\" AS VARCHAR), 'NULL') "
                              "|| '/' || coalesce(note, 'NULL'), '|' ORDER BY id) FROM typedjobs_data.readings"),
            "1/0.1/true/2024-01-01 00:00:00.000001/a,\"b\"|2/NULL/false/NULL/NULL|3/-1e+300/NULL/1999-12-31 23:59:59/");
  // Every row has its load id and a unique row key, as on the CSV path.
  EXPECT_EQ(SqlValue(w_.Db(), "SELECT count(DISTINCT _dlt_id) || '/' || count(DISTINCT _dlt_load_id) FROM "
                              "typedjobs_data.readings"),
            "3/1");
}

TEST_F(SqlDatabaseSqliteTest, IncrementalSecondRunLoadsOnlyTheNewRowsAndTheStateHoldsTheLastValue) {
  Sqlite("CREATE TABLE events (id INTEGER PRIMARY KEY, updated_at DATETIME NOT NULL, note TEXT);"
         "INSERT INTO events VALUES (1, '2024-01-01 01:00:00', 'n1'), (2, '2024-01-01 02:00:00', 'n2'),"
         " (3, '2024-01-01 03:00:00', 'n3'), (4, '2024-01-01 04:00:00', 'n4'), (5, '2024-01-01 05:00:00', 'n5');");
  SqlDatabaseOptions o;
  SqlTableOptions t;
  t.table = "events";
  t.incremental = IncrementalOptions{};
  t.incremental->cursor_path = "updated_at";
  t.incremental->initial_value_json = "\"2024-01-01T02:00:00+00:00\"";
  o.tables = {t};
  auto first = RunTables("inc", o);
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_EQ(SqlValue(w_.Db(), "SELECT string_agg(CAST(id AS VARCHAR), ',' ORDER BY id) FROM inc_data.events"), "2,3,4,5");
  Sqlite("INSERT INTO events VALUES (6, '2024-01-01 06:00:00', 'n6'), (7, '2024-01-01 07:00:00.5', 'n7');");
  auto second = RunTables("inc", o);
  ASSERT_TRUE(second.ok()) << second.status().message();
  EXPECT_EQ(SqlValue(w_.Db(), "SELECT string_agg(CAST(id AS VARCHAR), ',' ORDER BY id) FROM inc_data.events"),
            "2,3,4,5,6,7");
  EXPECT_EQ(SqlValue(w_.Db(), "SELECT string_agg(CAST(id AS VARCHAR), ',' ORDER BY id) FROM inc_data.events WHERE "
                              "_dlt_load_id = (SELECT max(_dlt_load_id) FROM inc_data.events)"),
            "6,7");
  auto state = w_.State("inc");
  const nlohmann::json* last = FindLastValue(state);
  ASSERT_NE(last, nullptr) << state.dump(2);
  ASSERT_TRUE(last->is_string()) << last->dump();
  EXPECT_EQ(last->get<std::string>().rfind("2024-01-01T07:00:00.5", 0), 0u) << last->dump();
  // A third run without new rows loads nothing more.
  auto third = RunTables("inc", o);
  ASSERT_TRUE(third.ok()) << third.status().message();
  EXPECT_EQ(SqlValue(w_.Db(), "SELECT count(*) FROM inc_data.events"), "6");
}

TEST_F(SqlDatabaseSqliteTest, MergeSecondRunReplacesTheUpdatedRowByTheTablesPrimaryKey) {
  Sqlite("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customers VALUES (1, 'ann'), (2, 'bob');");
  SqlTableOptions t;
  t.table = "customers";
  t.write_disposition = "merge";
  auto first = RunTable("mrg", t);
  ASSERT_TRUE(first.ok()) << first.status().message();
  Sqlite("UPDATE customers SET name = 'bobby' WHERE id = 2; INSERT INTO customers VALUES (3, 'cy');");
  auto second = RunTable("mrg", t);
  ASSERT_TRUE(second.ok()) << second.status().message();
  EXPECT_EQ(SqlValue(w_.Db(), "SELECT string_agg(CAST(id AS VARCHAR) || '=' || name, ',' ORDER BY id) FROM "
                              "mrg_data.customers"),
            "1=ann,2=bobby,3=cy");
}

TEST_F(SqlDatabaseSqliteTest, SchemaContractFreezingColumnsFailsTheRunThatWouldAddAColumnAndLoadsNothingOfIt) {
  Sqlite("CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO accounts VALUES (1, 'ann');");
  SqlTableOptions t;
  t.table = "accounts";
  t.schema_contract = SchemaContract{};
  t.schema_contract->columns = "freeze";
  auto first = RunTable("frozen", t);
  ASSERT_TRUE(first.ok()) << first.status().message();
  Sqlite("ALTER TABLE accounts ADD COLUMN email TEXT; INSERT INTO accounts VALUES (2, 'bob', 'b@x');");
  auto second = RunTable("frozen", t);
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.status().message().find("freeze"), std::string::npos) << second.status().message();
  EXPECT_NE(second.status().message().find("email"), std::string::npos) << second.status().message();
  EXPECT_EQ(SqlValue(w_.Db(), "SELECT count(*) FROM frozen_data.accounts"), "1");
  EXPECT_EQ(SqlValue(w_.Db(), "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'frozen_data' "
                              "AND table_name = 'accounts' AND column_name = 'email'"),
            "0");
}

TEST_F(SqlDatabaseSqliteTest, TableAddedBetweenRunsIsLoadedByTheNextRunWithoutTableNames) {
  Sqlite("CREATE TABLE first_table (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO first_table VALUES (1, 'a');");
  auto first = RunTables("grow", SqlDatabaseOptions{});
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_EQ(SqlValue(w_.Db(), "SELECT count(*) FROM grow_data.first_table"), "1");
  EXPECT_FALSE(TableExists(w_.Db(), "grow_data", "later_table"));
  Sqlite("CREATE TABLE later_table (id INTEGER PRIMARY KEY, amount DECIMAL(8,3));"
         "INSERT INTO later_table VALUES (1, '2.5'), (2, NULL);");
  auto second = RunTables("grow", SqlDatabaseOptions{});
  ASSERT_TRUE(second.ok()) << second.status().message();
  EXPECT_EQ(SqlValue(w_.Db(), "SELECT string_agg(coalesce(CAST(amount AS VARCHAR), 'NULL'), ',' ORDER BY id) FROM "
                              "grow_data.later_table"),
            "2.500,NULL");
}

TEST_F(SqlDatabaseSqliteTest, MissingTableFailsNamingItAndLoadsNothing) {
  Sqlite("CREATE TABLE present (id INTEGER PRIMARY KEY); INSERT INTO present VALUES (1);");
  SqlDatabaseOptions o;
  o.table_names = {"present", "absent"};
  auto r = RunTables("missing", o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("absent"), std::string::npos) << r.status().message();
  EXPECT_EQ(TablesIn("missing_data"), 0);
}

TEST_F(SqlDatabaseSqliteTest, TableDroppedAfterTheSourceWasMadeFailsTheRunNamingItAndLoadsNothing) {
  Sqlite("CREATE TABLE a_kept (id INTEGER PRIMARY KEY); INSERT INTO a_kept VALUES (1);"
         "CREATE TABLE b_dropped (id INTEGER PRIMARY KEY); INSERT INTO b_dropped VALUES (1);");
  Workspace ws = w_.OpenLoaded();
  PipelineOptions po;
  po.pipeline_name = "dropped";
  po.destination = "warehouse";
  po.dataset_name = "dropped_data";
  auto p = Pipeline::Create(ws, po);
  ASSERT_TRUE(p.ok()) << p.status().message();
  auto resources = SqlDatabase(ws, SqlDatabaseOptions{});
  ASSERT_TRUE(resources.ok()) << resources.status().message();
  Sqlite("DROP TABLE b_dropped;");
  auto r = p->Run(*resources);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("b_dropped"), std::string::npos) << r.status().message();
  EXPECT_EQ(TablesIn("dropped_data"), 0);
}

TEST_F(SqlDatabaseSqliteTest, BrokenSqliteFileFailsNamingTheFileAndLoadsNothing) {
  // Not a database: a header-sized run of text, as a truncated download or a wrong file would be.
  w_.Write("shop.db", std::string(4096, 'x'));
  auto r = RunTables("broken", SqlDatabaseOptions{});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find(db_.string()), std::string::npos) << r.status().message();
  EXPECT_EQ(TablesIn("broken_data"), 0);
  // The file is left as it was.
  EXPECT_EQ(ReadFile(db_), std::string(4096, 'x'));
}

// The same source into the PostgreSQL destination: values and types land as PostgreSQL's own.
class SqlDatabaseSqliteToPostgresTest : public PostgresSuite {};

TEST_F(SqlDatabaseSqliteToPostgresTest, MappedTypesLoadIntoPostgresWithTheValueSqlitePrints) {
  ASSERT_TRUE(fs::exists("/usr/bin/sqlite3")) << "/usr/bin/sqlite3 is missing: install Debian's sqlite3 (scripts/bootstrap.sh does)";
  CreateDatabase("from_sqlite");
  PipelineWorkspace w;
  const fs::path db = w.root() / "shop.db";
  auto r = dlt::testing::Run({"/usr/bin/sqlite3", db.string(),
                "CREATE TABLE items (id INTEGER PRIMARY KEY, price DECIMAL(10,2), ok BOOLEAN, at DATETIME, raw BLOB,"
                " doc JSON, name TEXT);"
                "INSERT INTO items VALUES (1, '12.5', 1, '2024-05-01 12:30:00.250000', X'00FF41', '{\"a\": [1, 2]}',"
                " 'zoë ''s''');"
                "INSERT INTO items VALUES (2, NULL, NULL, NULL, NULL, NULL, NULL);"},
               w.root(), {});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  w.Write(".dlt/dev.secrets.toml", "[destination.warehouse]\ndestination_type = \"postgres\"\ncredentials = \"" +
                                       server_->Url("from_sqlite") + "\"\n\n[sources.sql_database]\ncredentials = "
                                       "\"sqlite:///" + db.string() + "\"\n");
  Workspace ws = w.OpenLoaded();
  PipelineOptions po;
  po.pipeline_name = "topg";
  po.destination = "warehouse";
  po.dataset_name = "topg_data";
  auto p = Pipeline::Create(ws, po);
  ASSERT_TRUE(p.ok()) << p.status().message();
  auto resources = SqlDatabase(ws, SqlDatabaseOptions{});
  ASSERT_TRUE(resources.ok()) << resources.status().message();
  auto info = p->Run(*resources);
  ASSERT_TRUE(info.ok()) << info.status().message();
  EXPECT_EQ(Value("from_sqlite", "SELECT string_agg(coalesce(price::text, 'NULL') || '/' || coalesce(ok::text, 'NULL') "
                                 "|| '/' || coalesce((extract(epoch FROM at) * 1000000)::bigint::text, 'NULL') || '/' || "
                                 "coalesce(encode(raw, 'hex'), 'NULL') || '/' || coalesce(doc::text, 'NULL') || '/' || "
                                 "coalesce(name, 'NULL'), '|' ORDER BY id) FROM topg_data.items"),
            "12.50/true/1714566600250000/00ff41/{\"a\": [1, 2]}/zoë 's'|NULL/NULL/NULL/NULL/NULL/NULL");
  EXPECT_EQ(Value("from_sqlite", "SELECT string_agg(column_name || ' ' || data_type, ', ' ORDER BY column_name) FROM "
                                 "information_schema.columns WHERE table_schema = 'topg_data' AND table_name = 'items' "
                                 "AND column_name NOT LIKE '\\_dlt%'"),
            "at timestamp without time zone, doc jsonb, id bigint, name character varying, ok boolean, price numeric, "
            "raw bytea");

  // PostgreSQL reads CSV jobs: normalize wrote no typed ones for it.
  std::set<std::string> exts;
  for (const auto& id : w.Packages("topg", "load/loaded")) {
    for (const auto& e : fs::directory_iterator(w.PipelineDir("topg") / "load/loaded" / id / "completed_jobs")) {
      exts.insert(e.path().extension().string());
    }
  }
  EXPECT_EQ(exts, (std::set<std::string>{".csv"}));
}

TEST_F(SqlDatabaseSqliteToPostgresTest, PackageNormalizedForDuckDbThenLoadedIntoPostgresFailsNamingTheJobAndWhatToDo) {
  ASSERT_TRUE(fs::exists("/usr/bin/sqlite3")) << "/usr/bin/sqlite3 is missing: install Debian's sqlite3 (scripts/bootstrap.sh does)";
  CreateDatabase("switched");
  PipelineWorkspace w;
  const fs::path db = w.root() / "shop.db";
  auto r = dlt::testing::Run({"/usr/bin/sqlite3", db.string(),
                              "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO items VALUES (1, 'a');"},
                             w.root(), {});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string sources = "\n[sources.sql_database]\ncredentials = \"sqlite:///" + db.string() + "\"\n";
  w.Write(".dlt/dev.secrets.toml", "[destination.warehouse]\ndestination_type = \"duckdb\"\n" + sources);
  PipelineOptions po;
  po.pipeline_name = "switch";
  po.destination = "warehouse";
  po.dataset_name = "switch_data";
  {
    Workspace ws = w.OpenLoaded();
    auto p = Pipeline::Create(ws, po);
    ASSERT_TRUE(p.ok()) << p.status().message();
    auto resources = SqlDatabase(ws, SqlDatabaseOptions{});
    ASSERT_TRUE(resources.ok()) << resources.status().message();
    ASSERT_TRUE(p->Extract(*resources).ok());
    auto n = p->Normalize();
    ASSERT_TRUE(n.ok()) << n.status().message();
  }
  // The destination changes to PostgreSQL while the package waits to be loaded.
  w.Write(".dlt/dev.secrets.toml", "[destination.warehouse]\ndestination_type = \"postgres\"\ncredentials = \"" +
                                       server_->Url("switched") + "\"\n" + sources);
  Workspace ws = w.OpenLoaded();
  auto p = Pipeline::Create(ws, po);
  ASSERT_TRUE(p.ok()) << p.status().message();
  auto loaded = p->Load();
  ASSERT_FALSE(loaded.ok());
  const std::string m = loaded.status().message();
  EXPECT_NE(m.find(".typed"), std::string::npos) << m;
  EXPECT_NE(m.find("postgres"), std::string::npos) << m;
  EXPECT_NE(m.find("drop-pending-packages"), std::string::npos) << m;
  // Nothing loaded, and the package still waits.
  EXPECT_EQ(Value("switched", "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'switch_data' "
                              "AND table_name = 'items'"),
            "0");
  EXPECT_EQ(w.Packages("switch", "load/normalized").size(), 1u);
}

}  // namespace
}  // namespace dlt::testing
