// Loading into PostgreSQL while the package is still being normalized (pipeline.cc, Stream):
// with DLT_STREAM_FILE_BYTES tiny, the normalizer closes many small job files that a second
// thread loads into the package's open transaction. The result must be the one of an ordinary
// load (same rows, same columns in the same order), and a kill at any point, before or after
// the package is published, must leave every row loaded exactly once after the next run.
#include "pg_suite.h"
#include "pipeline_fixture.h"

namespace dlt::testing {
namespace {

const std::map<std::string, std::string> kSmallFiles = {{"DLT_STREAM_FILE_BYTES", "4096"}};

class PgStreamLoadTest : public PostgresSuite {
 protected:
  // A workspace with 600 orders (1200 nested items) loading into database `db`.
  static void Prepare(PipelineWorkspace& w, const std::string& db) {
    CreateDatabase(db);
    w.Write(".dlt/dev.secrets.toml", "[destination.warehouse]\ndestination_type = \"postgres\"\ncredentials = \"" +
                                         server_->Url(db) + "\"\n");
    w.Write("shop.toml", PipelineFile("shop", "a.jsonl"));
    w.Write("a.jsonl", Orders(1, 600));
    w.Write("empty.jsonl", "");
  }
  static void ExpectAllRowsOnce(PipelineWorkspace& w, const std::string& db) {
    EXPECT_EQ(Value(db, "SELECT min(id) || '..' || max(id) || ' x' || count(*) || ' (' || count(DISTINCT id) || ')' "
                        "FROM shop_data.orders"),
              "1..600 x600 (600)");
    EXPECT_EQ(Value(db, "SELECT count(*) || ' ' || count(DISTINCT _dlt_id) FROM shop_data.orders__items"), "1200 1200");
    EXPECT_EQ(Value(db, "SELECT count(*) FROM shop_data.orders__items i LEFT JOIN shop_data.orders o "
                        "ON i._dlt_parent_id = o._dlt_id WHERE o._dlt_id IS NULL"),
              "0");
    EXPECT_EQ(Value(db, "SELECT count(*) FROM shop_data._dlt_loads"), "1");
    EXPECT_EQ(Value(db, "SELECT count(DISTINCT _dlt_load_id) FROM shop_data.orders"), "1");
    EXPECT_TRUE(w.Packages("shop", "normalize/extracted").empty());
    EXPECT_TRUE(w.Packages("shop", "load/normalized").empty());
    EXPECT_TRUE(w.Packages("shop", "load/new").empty());
    EXPECT_EQ(w.Packages("shop", "load/loaded").size(), 1u);
  }
  static std::string Columns(const std::string& db, const std::string& table) {
    return Value(db, "SELECT string_agg(column_name || ' ' || data_type || ' ' || is_nullable, ', ' ORDER BY "
                     "ordinal_position) FROM information_schema.columns WHERE table_schema = 'shop_data' AND "
                     "table_name = '" + table + "'");
  }

};


TEST_F(PgStreamLoadTest, StreamedLoadEqualsAnOrdinaryLoad) {
  PipelineWorkspace streamed, ordinary;
  Prepare(streamed, "stream_on");
  Prepare(ordinary, "stream_off");
  auto a = streamed.RunPipeline({"shop.toml"}, kSmallFiles);
  ASSERT_EQ(a.exit_code, 0) << a.out << a.err;
  auto b = ordinary.RunPipeline({"shop.toml"});
  ASSERT_EQ(b.exit_code, 0) << b.out << b.err;
  ExpectAllRowsOnce(streamed, "stream_on");
  ExpectAllRowsOnce(ordinary, "stream_off");
  for (const char* t : {"orders", "orders__items", "orders__tags", "_dlt_loads", "_dlt_version", "_dlt_pipeline_state"}) {
    EXPECT_EQ(Columns("stream_on", t), Columns("stream_off", t)) << t;
  }
  EXPECT_EQ(Value("stream_on", "SELECT count(*) FROM shop_data.orders__tags"), "1200");
  EXPECT_EQ(Value("stream_on", "SELECT sum(qty) || ' ' || count(DISTINCT sku) FROM shop_data.orders__items"),
            Value("stream_off", "SELECT sum(qty) || ' ' || count(DISTINCT sku) FROM shop_data.orders__items"));
}

TEST_F(PgStreamLoadTest, TheStreamStartsBeforeThePackageIsNormalized) {
  PipelineWorkspace w;
  Prepare(w, "stream_early");
  std::map<std::string, std::string> env = kSmallFiles;
  env["DLT_FAULT_KILL_AT"] = "load_before_transaction";
  auto crash = w.RunPipeline({"shop.toml"}, env);
  ASSERT_EQ(crash.exit_code, 137) << crash.out << crash.err;
  // Killed as the transaction was about to begin, while normalizing: the package is still extracted.
  EXPECT_EQ(w.Packages("shop", "normalize/extracted").size(), 1u);
  EXPECT_TRUE(w.Packages("shop", "load/normalized").empty());
}

TEST_F(PgStreamLoadTest, KilledAtEveryPointLoadsEveryRowExactlyOnce) {
  const char* points[] = {"load_before_transaction", "postgres_copy_data:3", "postgres_copy_end:2",
                          "normalize_row:900",      "normalize_before_schema_save", "normalize_before_publish",
                          "normalize_before_extracted_delete", "after_normalize", "load_table",
                          "load_before_loads_row",  "load_before_commit", "load_after_commit",
                          "load_before_package_move", "after_load"};
  int n = 0;
  for (const char* point : points) {
    SCOPED_TRACE(std::string("DLT_FAULT_KILL_AT=") + point);
    PipelineWorkspace w;
    std::string db = "stream_kill_" + std::to_string(n++);
    Prepare(w, db);
    std::map<std::string, std::string> env = kSmallFiles;
    env["DLT_FAULT_KILL_AT"] = point;
    auto crash = w.RunPipeline({"shop.toml"}, env);
    ASSERT_EQ(crash.exit_code, 137) << "not killed: " << crash.out << crash.err;
    auto again = w.RunPipeline({"shop.toml", "--resource", "orders=empty.jsonl"}, kSmallFiles);
    ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
    ExpectAllRowsOnce(w, db);
  }
}

}  // namespace
}  // namespace dlt::testing
