// PostgreSQL tables carry UNIQUE on `_dlt_id` (index `<table>__dlt_id_key`) as dlt 1.26 creates
// them: root and nested tables, `_dlt_pipeline_state`, the merge staging tables, and any column
// with a `unique` hint; never `_dlt_loads` or `_dlt_version`.
#include "pg_suite.h"
#include "pipeline_fixture.h"

namespace dlt::testing {
namespace {

class PgUniqueTest : public PostgresSuite {
 protected:
  static void Prepare(PipelineWorkspace& w, const std::string& db, const std::string& extra) {
    CreateDatabase(db);
    w.Write(".dlt/dev.secrets.toml", "[destination.warehouse]\ndestination_type = \"postgres\"\ncredentials = \"" +
                                         server_->Url(db) + "\"\n");
    w.Write("parcels.toml", PipelineFile("depot", "parcels.jsonl", extra));
    w.Write("parcels.jsonl",
            "{\"id\": 1, \"courier\": \"kite\", \"stops\": [{\"town\": \"Aalen\", \"scans\": [\"a1\", \"a2\"]}]}\n"
            "{\"id\": 2, \"courier\": \"wren\", \"stops\": [{\"town\": \"Bree\", \"scans\": [\"b1\"]}]}\n");
  }
  // "<table> <constraint> <definition>" of every constraint in `schema`, sorted.
  static std::string Constraints(const std::string& db, const std::string& schema) {
    return Value(db, "SELECT string_agg(c.conrelid::regclass::text || ' ' || c.conname || ' ' || "
                     "pg_get_constraintdef(c.oid), E'\\n' ORDER BY c.conname) FROM pg_constraint c "
                     "WHERE c.connamespace = '" + schema + "'::regnamespace");
  }
};

TEST_F(PgUniqueTest, EveryRowKeyIsUniqueAsInDlt) {
  PipelineWorkspace w;
  Prepare(w, "uniq_append", "");
  auto r = w.RunPipeline({"parcels.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(Constraints("uniq_append", "depot_data"),
            "depot_data._dlt_pipeline_state _dlt_pipeline_state__dlt_id_key UNIQUE (_dlt_id)\n"
            "depot_data.orders orders__dlt_id_key UNIQUE (_dlt_id)\n"
            "depot_data.orders__stops orders__stops__dlt_id_key UNIQUE (_dlt_id)\n"
            "depot_data.orders__stops__scans orders__stops__scans__dlt_id_key UNIQUE (_dlt_id)");
  // The index dlt's users find: <table>__dlt_id_key, a unique btree on _dlt_id.
  EXPECT_EQ(Value("uniq_append", "SELECT indexdef FROM pg_indexes WHERE schemaname = 'depot_data' AND "
                                 "indexname = 'orders__stops__dlt_id_key'"),
            "CREATE UNIQUE INDEX orders__stops__dlt_id_key ON depot_data.orders__stops USING btree (_dlt_id)");
  // A second load appends rows under the constraint.
  auto r2 = w.RunPipeline({"parcels.toml"});
  ASSERT_EQ(r2.exit_code, 0) << r2.out << r2.err;
  EXPECT_EQ(Value("uniq_append", "SELECT count(*) || ' ' || count(DISTINCT _dlt_id) FROM depot_data.orders__stops__scans"),
            "6 6");
}

TEST_F(PgUniqueTest, MergeStagingTablesAndUniqueHintsGetTheConstraintToo) {
  PipelineWorkspace w;
  Prepare(w, "uniq_merge",
          "write_disposition = \"merge\"\nprimary_key = \"id\"\ncolumns = { courier = { unique = true } }\n");
  ASSERT_EQ(w.RunPipeline({"parcels.toml"}).exit_code, 0);
  auto r = w.RunPipeline({"parcels.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::string main = Constraints("uniq_merge", "depot_data");
  EXPECT_NE(main.find("depot_data.orders orders_courier_key UNIQUE (courier)"), std::string::npos) << main;
  EXPECT_NE(main.find("depot_data.orders orders__dlt_id_key UNIQUE (_dlt_id)"), std::string::npos) << main;
  EXPECT_EQ(main.find("_dlt_loads"), std::string::npos) << main;
  EXPECT_EQ(main.find("_dlt_version"), std::string::npos) << main;
  std::string staging = Constraints("uniq_merge", "depot_data_staging");
  EXPECT_NE(staging.find("depot_data_staging.orders orders__dlt_id_key UNIQUE (_dlt_id)"), std::string::npos) << staging;
  EXPECT_NE(staging.find("depot_data_staging.orders__stops orders__stops__dlt_id_key UNIQUE (_dlt_id)"),
            std::string::npos)
      << staging;
  // The merge kept one row per key.
  EXPECT_EQ(Value("uniq_merge", "SELECT count(*) FROM depot_data.orders"), "2");
}

// Defect: `create_indexes = false` ([destination.<name>], dlt's setting, e.g. to load faster) was
// ignored and every `_dlt_id` still got its index. And the URL's other query parameters (dlt
// hands them to libpq) were dropped: `?options=-c...` set nothing on the server.
TEST_F(PgUniqueTest, CreateIndexesFalseLoadsWithoutThemAndUrlOptionsReachTheServer) {
  PipelineWorkspace w;
  Prepare(w, "uniq_off", "");
  // A server setting through the URL's options: every transaction read-only, so the load fails.
  w.Write(".dlt/dev.secrets.toml", "[destination.warehouse]\ndestination_type = \"postgres\"\ncredentials = \"" +
                                       server_->Url("uniq_off") +
                                       "?options=-cdefault_transaction_read_only%3Don&application_name=parcels\"\n");
  auto ro = w.RunPipeline({"parcels.toml"});
  EXPECT_NE(ro.exit_code, 0) << ro.out << ro.err;
  EXPECT_NE((ro.out + ro.err).find("read-only transaction"), std::string::npos) << ro.out << ro.err;
  w.Write(".dlt/dev.secrets.toml", "[destination.warehouse]\ndestination_type = \"postgres\"\ncreate_indexes = false\n"
                                   "credentials = \"" + server_->Url("uniq_off") + "?application_name=parcels\"\n");
  auto r = w.RunPipeline({"parcels.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(Constraints("uniq_off", "depot_data"), "");
  // The package the read-only run could not load was kept, and loaded now beside the new one.
  EXPECT_EQ(Value("uniq_off", "SELECT count(*) || ' ' || count(DISTINCT _dlt_load_id) FROM depot_data.orders"),
            "4 2");
  // A keyword libpq does not have is refused, naming it.
  w.Write(".dlt/dev.secrets.toml", "[destination.warehouse]\ndestination_type = \"postgres\"\ncredentials = \"" +
                                       server_->Url("uniq_off") + "?Bad-Key=1\"\n");
  auto bad = w.RunPipeline({"parcels.toml"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE((bad.out + bad.err).find("`Bad-Key`"), std::string::npos) << bad.out << bad.err;
}

}  // namespace
}  // namespace dlt::testing
