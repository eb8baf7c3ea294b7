// Typed part files loaded while extracting (pipeline/typed_items.h, pre_normalize.h): a CSV file
// (a typed source) into DuckDB is extracted into typed part files, each of which becomes a load
// job as it is and is loaded into the run's open transaction while the extract goes on. The
// table and rows are those of a run without it, the dlt columns filled in by the load, and a
// run killed after such a file was loaded leaves nothing committed: the next run loads every
// row once.
#include <string>

#include "pipeline_fixture.h"

namespace dlt::testing {
namespace {

namespace fs = std::filesystem;

constexpr int kRows = 300000;

std::string Csv() {
  std::string csv = "id,name,price,day,note\n";
  for (int i = 0; i < kRows; ++i) {
    csv += std::to_string(i) + ",name " + std::to_string(i) + "," + std::to_string(i % 997) + ".25,2024-01-" +
           (i % 28 < 9 ? "0" : "") + std::to_string(i % 28 + 1) + "," + (i % 10 == 0 ? "" : "n" + std::to_string(i)) +
           "\n";
  }
  return csv;
}

// Typed part files of 64 KB: each batch of 65536 rows is a part file of its own (five), loaded as
// it closes; the extract pauses 300 ms after each batch, so that the thread loading beside it
// (at a lower priority) gets its turn however busy the machine is.
void LoadWhileExtracting(PipelineWorkspace& w) {
  w.env()["NORMALIZE__WORKERS"] = "2";
  w.env()["DLT_EXTRACT_PART_BYTES"] = "65536";
  w.env()["DLT_FAULT_PAUSE_AT"] = "extract_record:300";
  w.Write("files.toml",
          "[pipeline]\nname = \"files\"\ndestination = \"warehouse\"\ndataset_name = \"files_data\"\n\n"
          "[[resources]]\nname = \"items\"\npath = \"data/items.csv\"\nformat = \"csv\"\n");
  w.Write("data/items.csv", Csv());
}

const char kRowsSql[] =
    "SELECT string_agg(id || '|' || name || '|' || price || '|' || day || '|' || coalesce(note, 'NULL'), ';' "
    "ORDER BY id) FROM files_data.items";

TEST(TypedStream, RowsAndTableAreThoseOfARunThatLoadsAfterTheExtract) {
  PipelineWorkspace streamed, after;
  LoadWhileExtracting(streamed);
  LoadWhileExtracting(after);
  after.env()["DLT_LOAD_WHILE_EXTRACTING"] = "0";
  auto a = streamed.RunPipeline({"files.toml"});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  auto b = after.RunPipeline({"files.toml"});
  ASSERT_EQ(b.exit_code, 0) << b.err;
  const fs::path db = streamed.Db();
  EXPECT_EQ(SqlValue(db, kRowsSql), SqlValue(after.Db(), kRowsSql));
  const char* columns =
      "SELECT string_agg(column_name || ':' || data_type || ':' || is_nullable, ',' ORDER BY ordinal_position) "
      "FROM information_schema.columns WHERE table_schema = 'files_data' AND table_name = 'items'";
  EXPECT_EQ(SqlValue(db, columns), SqlValue(after.Db(), columns));
  // The dlt columns the load filled in: the package's load id, a distinct key per row.
  EXPECT_EQ(SqlValue(db, "SELECT count(*) || ' ' || count(DISTINCT _dlt_id) || ' ' || min(length(_dlt_id)) FROM "
                         "files_data.items"),
            std::to_string(kRows) + " " + std::to_string(kRows) + " 14");
  EXPECT_EQ(SqlValue(db, "SELECT count(*) FROM files_data.items i JOIN files_data._dlt_loads l "
                         "ON i._dlt_load_id = l.load_id"),
            std::to_string(kRows));
  // The package's jobs are the typed part files as they were extracted, with the dlt columns
  // they get recorded in its state.
  auto loaded = streamed.Packages("files", "load/loaded");
  ASSERT_EQ(loaded.size(), 1u);
  auto state = nlohmann::json::parse(
      ReadFile(streamed.PipelineDir("files") / "load" / "loaded" / loaded[0] / "load_package_state.json"), nullptr,
      false);
  ASSERT_TRUE(state.contains("generated_columns")) << state.dump();
  EXPECT_EQ(state["generated_columns"].size(), 5u) << state.dump();
  for (const auto& [file, cols] : state["generated_columns"].items()) {
    EXPECT_EQ(cols, nlohmann::json::parse(R"(["_dlt_load_id", "_dlt_id"])")) << file;
  }
}

TEST(TypedStream, ARunKilledAfterAPartFileWasLoadedWhileExtractingLoadsEveryRowOnceAfterwards) {
  PipelineWorkspace w;
  LoadWhileExtracting(w);
  w.env()["DLT_FAULT_KILL_AT"] = "load_streamed_job:2";
  auto crash = w.RunPipeline({"files.toml"});
  EXPECT_EQ(crash.exit_code, 137) << "no part file was loaded while extracting: " << crash.out << crash.err;
  w.env().erase("DLT_FAULT_KILL_AT");
  const fs::path db = w.Db();
  ASSERT_TRUE(fs::exists(db)) << "the destination was not opened while extracting";
  EXPECT_EQ(SqlValue(db, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'files_data'"), "0")
      << "what the killed run loaded was committed";
  auto rerun = w.RunPipeline({"files.toml"});
  ASSERT_EQ(rerun.exit_code, 0) << rerun.err;
  EXPECT_EQ(SqlValue(db, "SELECT count(*) || ' ' || count(DISTINCT id) FROM files_data.items"),
            std::to_string(kRows) + " " + std::to_string(kRows));
  EXPECT_EQ(SqlValue(db, "SELECT count(*) FROM files_data._dlt_loads"), "1");
}

}  // namespace
}  // namespace dlt::testing
