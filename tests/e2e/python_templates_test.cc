// The Python form of every `dlt init` template runs: filesystem (incremental over its sample
// files, two runs), rest_api (a script Python compiles; it needs an API to be filled in),
// sql_database (against a SQLite file put in its secrets.toml, two runs). The
// pokemon_api and github_api scripts run in python_seed_test.cc and python_secrets_test.cc.
#include <gtest/gtest.h>

#include "support/duckdb_query.h"
#include "support/python_script.h"

namespace dlt::testing {
namespace {

TEST(PythonTemplates, TheFilesystemScriptLoadsItsSampleThenOnlyNewerRows) {
  TempWorkspace w;
  auto init = w.Dlt({"init", "filesystem", "duckdb"});
  ASSERT_EQ(init.exit_code, 0) << init.out << init.err;
  EXPECT_TRUE(Contains(init.out, "created   filesystem_pipeline.py")) << init.out;
  auto r = RunPython(w, "filesystem_pipeline.py");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto db = w.root() / "_local/dev/warehouse.duckdb";
  EXPECT_EQ(CountRows(db, "filesystem_data.events"), 3);
  EXPECT_EQ(CountRows(db, "filesystem_data.events__tags"), 3);

  w.Write("data/more.jsonl",
          "{\"id\": 4, \"type\": \"push\", \"created_at\": \"2024-03-04T08:00:00Z\", \"tags\": []}\n"
          "{\"id\": 9, \"type\": \"old\", \"created_at\": \"2023-12-31T00:00:00Z\", \"tags\": []}\n");
  r = RunPython(w, "filesystem_pipeline.py");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(SqlColumn(db, "SELECT id FROM filesystem_data.events ORDER BY id"),
            (std::vector<std::string>{"1", "2", "3", "4"}));  // 9 is older than the cursor
}

TEST(PythonTemplates, TheFilesystemScriptReadsItsCsvSampleWithReadCsvAndOnlyNewFilesOnTheNextRun) {
  TempWorkspace w;
  auto init = w.Dlt({"init", "filesystem", "duckdb"});
  ASSERT_EQ(init.exit_code, 0) << init.out << init.err;
  EXPECT_TRUE(Contains(init.out, "created   data/orders.csv")) << init.out;
  EXPECT_TRUE(Contains(w.Read("filesystem_pipeline.py"), "filesystem(bucket_url=")) << "the script uses the source";
  EXPECT_TRUE(Contains(w.Read("filesystem_pipeline.py"), "| read_csv()"));
  auto r = RunPython(w, "filesystem_pipeline.py");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto db = w.root() / "_local/dev/warehouse.duckdb";
  EXPECT_EQ(CountRows(db, "filesystem_data.orders"), 3);
  EXPECT_EQ(SqlValue(db, "SELECT data_type FROM information_schema.columns WHERE table_name = 'orders' "
                         "AND column_name = 'ordered_at'"), "TIMESTAMP");  // naive, as dlt creates it
  EXPECT_EQ(SqlValue(db, "SELECT sum(amount) FROM filesystem_data.orders"), "145.49");
  // The sample did not change: the next run reads no CSV file again.
  r = RunPython(w, "filesystem_pipeline.py");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(CountRows(db, "filesystem_data.orders"), 3);
}

TEST(PythonTemplates, TheRestApiScriptIsValidPythonUsingThePackagesApi) {
  TempWorkspace w;
  ASSERT_EQ(w.Dlt({"init", "rest_api", "duckdb"}).exit_code, 0);
  // Importing it builds the pipeline and the source without running it.
  w.Write("check.py",
          "import rest_api_pipeline as m\n"
          "src = m.rest_api_source()\n"
          "print(m.pipeline.pipeline_name, sorted(src.resources), src.name)\n");
  auto r = RunPython(w, "check.py");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "rest_api_pipeline ['items'] rest_api\n");
}

TEST(PythonTemplates, TheSqlDatabaseScriptLoadsTheTablesOfTheDatabaseInItsSecretsThenOnlyChangedRows) {
  TempWorkspace w;
  auto init = w.Dlt({"init", "sql_database", "duckdb"});
  ASSERT_EQ(init.exit_code, 0) << init.out << init.err;
  EXPECT_TRUE(Contains(init.out, "created   sql_database_pipeline.py")) << init.out;
  // The template reads dlt's public Rfam database until the user puts their own URL here.
  std::string secrets = w.Read(".dlt/secrets.toml");
  const std::string rfam = "credentials = \"mysql://rfamro@mysql-rfam-public.ebi.ac.uk:4497/Rfam\"";
  ASSERT_TRUE(Contains(secrets, "[sources.sql_database]\n")) << secrets;
  ASSERT_TRUE(Contains(secrets, rfam)) << secrets;
  secrets.replace(secrets.find(rfam), rfam.size(), "credentials = \"sqlite:///" + (w.root() / "rfam.db").string() + "\"");
  w.Write(".dlt/secrets.toml", secrets);
  auto make = RunPythonSource(w, "make_db.py", R"PY(
import sqlite3
c = sqlite3.connect("rfam.db")
c.executescript("""
CREATE TABLE family (rfam_acc TEXT PRIMARY KEY, description TEXT, updated TIMESTAMP NOT NULL);
INSERT INTO family VALUES ('RF00001', '5S rRNA', '2024-01-01 00:00:00'), ('RF00002', '5.8S rRNA', '2024-01-02 00:00:00');
CREATE TABLE clan (clan_acc TEXT PRIMARY KEY, id TEXT, updated TIMESTAMP NOT NULL);
INSERT INTO clan VALUES ('CL00001', 'tRNA', '2024-01-01 00:00:00');
CREATE TABLE genome (upid TEXT PRIMARY KEY);
""")
c.commit()
)PY");
  ASSERT_EQ(make.exit_code, 0) << make.err;
  auto r = RunPython(w, "sql_database_pipeline.py");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto db = w.root() / "_local/dev/warehouse.duckdb";
  EXPECT_EQ(CountRows(db, "sql_database_data.family"), 2);
  EXPECT_EQ(CountRows(db, "sql_database_data.clan"), 1);

  auto change = RunPythonSource(w, "change.py", R"PY(
import sqlite3
c = sqlite3.connect("rfam.db")
c.execute("UPDATE family SET description = '5.8S ribosomal RNA', updated = '2024-02-01 00:00:00' WHERE rfam_acc = 'RF00002'")
c.commit()
)PY");
  ASSERT_EQ(change.exit_code, 0) << change.err;
  r = RunPython(w, "sql_database_pipeline.py");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  // merge on the table's primary key: the changed row replaced, not added.
  EXPECT_EQ(SqlColumn(db, "SELECT description FROM sql_database_data.family ORDER BY rfam_acc"),
            (std::vector<std::string>{"5S rRNA", "5.8S ribosomal RNA"}));
}

TEST(PythonTemplates, TheSqlDatabaseTemplatesPipelineFileLoadsTheSameTablesWithDltRun) {
  TempWorkspace w;
  auto init = w.Dlt({"init", "sql_database", "postgres", "--toml"});
  ASSERT_EQ(init.exit_code, 0) << init.out << init.err;
  EXPECT_TRUE(Contains(init.out, "created   sql_database_pipeline.toml")) << init.out;
  EXPECT_TRUE(Contains(init.out, "[sources.sql_database] credentials")) << init.out;
  // With postgres as destination, both secrets sections are there.
  std::string secrets = w.Read(".dlt/secrets.toml");
  EXPECT_TRUE(Contains(secrets, "[sources.sql_database]")) << secrets;
  EXPECT_TRUE(Contains(secrets, "[destination.warehouse")) << secrets;

  TempWorkspace d;
  ASSERT_EQ(d.Dlt({"init", "sql_database", "duckdb", "--toml"}).exit_code, 0);
  d.WriteSecrets("[sources.sql_database]\ncredentials = \"sqlite:///" + (d.root() / "rfam.db").string() + "\"\n", "dev");
  auto make = RunPythonSource(d, "make_db.py", R"PY(
import sqlite3
c = sqlite3.connect("rfam.db")
c.executescript("""
CREATE TABLE family (rfam_acc TEXT PRIMARY KEY, description TEXT, updated TIMESTAMP NOT NULL);
INSERT INTO family VALUES ('RF00001', '5S rRNA', '2024-01-01 00:00:00');
CREATE TABLE clan (clan_acc TEXT PRIMARY KEY, id TEXT, updated TIMESTAMP NOT NULL);
INSERT INTO clan VALUES ('CL00001', 'tRNA', '2024-01-01 00:00:00'), ('CL00002', 'x', '2024-01-02 00:00:00');
""")
c.commit()
)PY");
  ASSERT_EQ(make.exit_code, 0) << make.err;
  auto r = d.Dlt({"run", "sql_database_pipeline.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto db = d.root() / "_local/dev/warehouse.duckdb";
  EXPECT_EQ(CountRows(db, "sql_database_data.family"), 1);
  EXPECT_EQ(CountRows(db, "sql_database_data.clan"), 2);
}

}  // namespace
}  // namespace dlt::testing
