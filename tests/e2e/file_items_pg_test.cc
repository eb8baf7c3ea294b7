// Parquet files kept as they are (pipeline/file_items.h) into PostgreSQL, which does not read
// Parquet jobs: normalize reads the package's file as typed batches, so the rows arrive with
// their types and dlt's columns as from any file.
#include "pg_suite.h"
#include "pipeline_fixture.h"

namespace dlt::testing {
namespace {

namespace fs = std::filesystem;

class FileItemsPgTest : public PostgresSuite {};

TEST_F(FileItemsPgTest, PostgresGetsTheRowsOfTheKeptFileNormalized) {
  PipelineWorkspace w;
  CreateDatabase("file_items");
  w.Write(".dlt/dev.secrets.toml", "[destination.warehouse]\ndestination_type = \"postgres\"\ncredentials = \"" +
                                       server_->Url("file_items") + "\"\n");
  fs::create_directories(w.root() / "data");
  ASSERT_TRUE(ExecDuckDb(w.root() / "scratch.duckdb",
                         "COPY (SELECT i AS id, (i * 1.5)::DECIMAL(12,2) AS amount, TIMESTAMP '2024-05-06 07:08:09' AS at "
                         "FROM range(1, 4) t(i)) TO '" + (w.root() / "data" / "a.parquet").string() + "' (FORMAT parquet)"));
  w.Write("dicts.toml", PipelineFile("dicts", "data/a.parquet", "format = \"parquet\"\n"));
  w.Write("arrow.toml", PipelineFile("arrow", "data/a.parquet", "format = \"parquet\"\nuse_pyarrow = true\n"));
  for (const char* p : {"dicts.toml", "arrow.toml"}) {
    auto r = w.RunPipeline({p});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }
  EXPECT_EQ(Value("file_items", "SELECT string_agg(id || ' ' || amount || ' ' || \"at\" || ' ' || length(_dlt_id), ', ' "
                                "ORDER BY id) FROM dicts_data.orders"),
            "1 1.50 2024-05-06 07:08:09 14, 2 3.00 2024-05-06 07:08:09 14, 3 4.50 2024-05-06 07:08:09 14");
  EXPECT_EQ(Value("file_items", "SELECT string_agg(column_name || ':' || data_type, ', ' ORDER BY ordinal_position) "
                                "FROM information_schema.columns WHERE table_schema = 'arrow_data' AND table_name = 'orders'"),
            "id:bigint, amount:numeric, at:timestamp without time zone");
  EXPECT_EQ(Value("file_items", "SELECT count(*) FROM arrow_data.orders"), "3");
}

}  // namespace
}  // namespace dlt::testing
