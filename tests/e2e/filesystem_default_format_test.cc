// The filesystem destination's file format when none is set: dlt 1.26's filesystem destination
// prefers `jsonl` (its factory's preferred_loader_file_format), written gzip-compressed as
// `<table>/<load_id>.<file_id>.jsonl.gz`; Arrow items (use_pyarrow, backend="pyarrow") become
// Parquet files, because dlt has no native Arrow -> JSON writer and takes the first supported
// format that has one. A format that is asked for (`loader_file_format` of the destination,
// run(loader_file_format=...)) is used for every table, Arrow items included. The dlt tables
// (_dlt_loads, _dlt_pipeline_state, _dlt_version) are plain `.jsonl` documents either way, and
// `dlt pipeline <name> sync` restores from them.
#include <algorithm>
#include <set>

#include "destinations/filesystem/filesystem_destination.h"
#include "support/lake_files.h"
#include "lake_workspace.h"
#include "support/duckdb_query.h"
#include "support/python_script.h"

namespace dlt::testing {
namespace {

namespace fs = std::filesystem;

// What follows `<load_id>.<file_id>` in a data file's name: "jsonl.gz", "parquet", ...
std::set<std::string> Extensions(const fs::path& dir) {
  std::set<std::string> out;
  for (const auto& name : FileNames(dir)) {
    size_t second = name.find('.', name.find('.') + 1);
    out.insert(name.substr(name.find('.', second + 1) + 1));
  }
  return out;
}

// Rows of `table` as the destination's read side (dashboard, pipeline show) counts them; -1 on
// an error (a test failure naming it).
int64_t CountRows(FilesystemDestination& d, const std::string& table) {
  auto n = d.CountRows(table);
  if (!n.ok()) {
    ADD_FAILURE() << table << ": " << n.status().message();
    return -1;
  }
  return static_cast<int64_t>(*n);
}

std::string ReadJson(const fs::path& dir) {
  return "read_json('" + (dir / "*.jsonl.gz").string() + "', format = 'newline_delimited')";
}

// The `lake` workspace with no loader_file_format unless `extra` sets one.
class DefaultLake : public LakeWorkspace {
 public:
  explicit DefaultLake(const std::string& extra = "") : LakeWorkspace(extra, "") {}
};

// Defect: with no loader_file_format the destination wrote Parquet files; dlt writes gzipped JSON
// Lines (`<table>/<load_id>.<file_id>.jsonl.gz`, storage version 2), nested tables in their own
// folders, and reads them back (dashboard, `dlt pipeline show`) from those files.
TEST(FilesystemDefaultFormat, DefaultRunWritesGzippedJsonlFilesInDltsLayoutWithTheSourceRows) {
  DefaultLake w;
  w.Write("shop.toml", PipelineFile("shop", "orders.jsonl", "", "lake"));
  w.Write("orders.jsonl", Orders(1, 4));
  auto r = w.RunPipeline({"shop.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;

  const fs::path ds = w.Dataset();
  EXPECT_EQ(ReadFile(ds / "init"), R"({"initial_version": 2, "current_version": 2})");
  auto files = FileNames(ds / "orders");
  ASSERT_EQ(files.size(), 1u) << ::testing::PrintToString(files);
  ASSERT_TRUE(files[0].ends_with(".jsonl.gz")) << files[0];
  const std::string load_id = LoadId(files[0]);
  // <load_id>.<file_id>.jsonl.gz: the load id is the package's, as in _dlt_loads.
  EXPECT_EQ(FileNames(ds / "_dlt_loads"), std::vector<std::string>{"shop__" + load_id + ".jsonl"});
  const std::string file_id = files[0].substr(load_id.size() + 1, files[0].size() - load_id.size() - 1 - 9);
  EXPECT_FALSE(file_id.empty());
  EXPECT_EQ(file_id.find('.'), std::string::npos) << files[0];
  // gzip-compressed, as dlt writes jsonl unless [normalize.data_writer] disable_compression.
  const std::string bytes = ReadFile(ds / "orders" / files[0]);
  ASSERT_GE(bytes.size(), 2u);
  EXPECT_EQ(static_cast<unsigned char>(bytes[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>(bytes[1]), 0x8b);
  for (const char* t : {"orders__items", "orders__tags"}) EXPECT_EQ(Extensions(ds / t), std::set<std::string>{"jsonl.gz"}) << t;
  // The dlt tables are JSON documents, as always.
  auto states = FileNames(ds / "_dlt_pipeline_state");
  ASSERT_EQ(states.size(), 1u);
  EXPECT_TRUE(states[0].starts_with("shop__" + load_id + "__") && states[0].ends_with(".jsonl")) << states[0];

  EXPECT_EQ(FileSql("SELECT min(id) || '..' || max(id) || ' x' || count(*) FROM " + ReadJson(ds / "orders")), "1..4 x4");
  EXPECT_EQ(FileSql("SELECT string_agg(customer || ':' || address__city, ',' ORDER BY id) FROM " + ReadJson(ds / "orders")),
            "c1:city1,c2:city2,c3:city0,c4:city1");
  EXPECT_EQ(FileSql("SELECT string_agg(sku || 'x' || qty, ',' ORDER BY sku) FROM " + ReadJson(ds / "orders__items") +
                    " WHERE sku LIKE 'sku-1-%'"),
            "sku-1-0x1,sku-1-1x2");
  EXPECT_EQ(FileSql("SELECT count(*) FROM " + ReadJson(ds / "orders__items") + " i JOIN " + ReadJson(ds / "orders") +
                    " o ON i._dlt_parent_id = o._dlt_id"),
            "8");
  EXPECT_EQ(FileSql("SELECT DISTINCT _dlt_load_id FROM " + ReadJson(ds / "orders")), load_id);

  // The read side (dashboard, pipeline show) reads the same files.
  auto reader = LakeReader(w.root() / "_local" / "dev" / "lake", "shop_data");
  FilesystemDestination& d = *reader;
  EXPECT_EQ(CountRows(d, "orders"), 4);
  EXPECT_EQ(CountRows(d, "orders__tags"), 8);
  auto cols = d.TableColumns("orders");
  ASSERT_TRUE(cols.ok()) << cols.status().message();
  EXPECT_NE(std::find(cols->begin(), cols->end(), "address__city"), cols->end()) << ::testing::PrintToString(*cols);
}

// Defect: the default was Parquet; a Parquet setting must still give Parquet files (typed
// columns), from the destination's section or its environment variable.
TEST(FilesystemDefaultFormat, AParquetSettingStillWritesParquetFiles) {
  DefaultLake w("loader_file_format = \"parquet\"\n");
  w.Write("pay.toml", "[pipeline]\nname = \"pay\"\ndestination = \"lake\"\ndataset_name = \"shop_data\"\n\n"
                      "[[resources]]\nname = \"payments\"\npath = \"p.jsonl\"\n"
                      "columns = { amount = { data_type = \"decimal\", precision = 10, scale = 2 } }\n");
  w.Write("p.jsonl", "{\"id\": 1, \"paid_at\": \"2024-03-01T10:00:00+02:00\", \"amount\": \"12.50\"}\n"
                     "{\"id\": 2, \"paid_at\": \"2024-03-02T00:00:00Z\", \"amount\": \"0.01\"}\n");
  auto r = w.RunPipeline({"pay.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(Extensions(w.Dataset() / "payments"), std::set<std::string>{"parquet"});
  const std::string src = "read_parquet('" + (w.Dataset() / "payments" / "*.parquet").string() + "')";
  EXPECT_EQ(FileSql("SELECT typeof(amount) || ' ' || typeof(paid_at) FROM " + src + " LIMIT 1"),
            "DECIMAL(10,2) TIMESTAMP WITH TIME ZONE");
  EXPECT_EQ(FileSql("SELECT sum(amount)::VARCHAR FROM " + src), "12.51");

  // The same asked for by environment variable, in a workspace without the setting.
  DefaultLake env_w;
  env_w.Write("shop.toml", PipelineFile("shop", "orders.jsonl", "", "lake"));
  env_w.Write("orders.jsonl", Orders(1, 3));
  r = env_w.RunPipeline({"shop.toml"}, {{"DESTINATION__LAKE__LOADER_FILE_FORMAT", "parquet"}});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  for (const char* t : {"orders", "orders__items"}) {
    EXPECT_EQ(Extensions(env_w.Dataset() / t), std::set<std::string>{"parquet"}) << t;
  }
  EXPECT_EQ(FileSql("SELECT count(*) FROM read_parquet('" + (env_w.Dataset() / "orders__items" / "*.parquet").string() + "')"),
            "6");
}

// A Parquet file with a struct and a list, read as dict rows or as Arrow items.
void WriteParquet(const DefaultLake& w) {
  fs::create_directories(w.root() / "pq");
  ASSERT_TRUE(ExecDuckDb(w.root() / "scratch.duckdb",
                         "COPY (SELECT i AS id, 'n' || i AS name, [i, i + 1] AS tags FROM range(3) t(i)) TO '" +
                             (w.root() / "pq" / "f.parquet").string() + "' (FORMAT parquet)"));
}

const char* kArrowPipeline = R"([pipeline]
name = "mixed"
destination = "lake"
dataset_name = "shop_data"

[[resources]]
name = "arrow_rows"
path = "pq/f.parquet"
use_pyarrow = true

[[resources]]
name = "dict_rows"
path = "pq/f.parquet"

[[resources]]
name = "orders"
path = "orders.jsonl"
)";

// Defect: dlt's rule for Arrow items (normalize's resolve_best_writer_spec): with jsonl preferred
// and no native Arrow -> JSON writer, their tables become Parquet files, while dict rows of the
// same run (the same Parquet file read without use_pyarrow, JSON records) are JSON Lines.
TEST(FilesystemDefaultFormat, ArrowItemsBecomeParquetFilesAndDictRowsJsonlAsDltPicksThem) {
  DefaultLake w;
  WriteParquet(w);
  w.Write("orders.jsonl", Orders(1, 2));
  w.Write("mixed.toml", kArrowPipeline);
  auto r = w.RunPipeline({"mixed.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const fs::path ds = w.Dataset();
  EXPECT_EQ(Extensions(ds / "arrow_rows"), std::set<std::string>{"parquet"});
  EXPECT_EQ(Extensions(ds / "dict_rows"), std::set<std::string>{"jsonl.gz"});
  EXPECT_EQ(Extensions(ds / "dict_rows__tags"), std::set<std::string>{"jsonl.gz"});
  EXPECT_EQ(Extensions(ds / "orders"), std::set<std::string>{"jsonl.gz"});
  // Arrow items keep their columns (the list as json) and get no dlt columns; dict rows do.
  EXPECT_EQ(FileSql("SELECT string_agg(id || name || ':' || tags::VARCHAR, ',' ORDER BY id) FROM read_parquet('" +
                    (ds / "arrow_rows" / "*.parquet").string() + "')"),
            "0n0:[0,1],1n1:[1,2],2n2:[2,3]");
  EXPECT_EQ(FileSql("SELECT count(*) FROM (DESCRIBE SELECT * FROM read_parquet('" + (ds / "arrow_rows" / "*.parquet").string() +
                    "')) WHERE column_name LIKE '_dlt%'"),
            "0");
  EXPECT_EQ(FileSql("SELECT string_agg(id || name, ',' ORDER BY id) || ' ' || count(DISTINCT _dlt_id) FROM " +
                    ReadJson(ds / "dict_rows")),
            "0n0,1n1,2n2 3");
  EXPECT_EQ(FileSql("SELECT count(*) FROM " + ReadJson(ds / "dict_rows__tags")), "6");
  // The dataset reads each table from files of its own format.
  auto reader = LakeReader(w.root() / "_local" / "dev" / "lake", "shop_data");
  FilesystemDestination& d = *reader;
  EXPECT_EQ(CountRows(d, "arrow_rows"), 3);
  EXPECT_EQ(CountRows(d, "dict_rows"), 3);
}

// Defect: a format asked for applies to Arrow items too (dlt's run(loader_file_format="jsonl")
// writes them with its Arrow -> JSON adapter).
TEST(FilesystemDefaultFormat, AJsonlSettingWritesArrowItemsAsJsonlToo) {
  DefaultLake w("loader_file_format = \"jsonl\"\n");
  WriteParquet(w);
  w.Write("orders.jsonl", Orders(1, 2));
  w.Write("mixed.toml", kArrowPipeline);
  auto r = w.RunPipeline({"mixed.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  for (const char* t : {"arrow_rows", "dict_rows", "orders"}) {
    EXPECT_EQ(Extensions(w.Dataset() / t), std::set<std::string>{"jsonl.gz"}) << t;
  }
  EXPECT_EQ(FileSql("SELECT string_agg(id || name, ',' ORDER BY id) FROM " + ReadJson(w.Dataset() / "arrow_rows")),
            "0n0,1n1,2n2");
}

// Defect: `dlt pipeline <name> sync` must restore the state from a bucket written with the
// default format: the state files are JSON documents whatever the data files are.
TEST(FilesystemDefaultFormat, SyncRestoresTheStateFromABucketWrittenWithTheDefault) {
  DefaultLake w;
  w.Write("shop.toml", PipelineFile("shop", "orders.jsonl", "incremental = { cursor_path = \"id\", initial_value = 0 }\n", "lake"));
  w.Write("orders.jsonl", Orders(1, 4));
  ASSERT_EQ(w.RunPipeline({"shop.toml"}).exit_code, 0);
  ASSERT_EQ(Extensions(w.Dataset() / "orders"), std::set<std::string>{"jsonl.gz"});
  fs::remove_all(w.root() / ".dlt" / ".var");

  auto s = w.Dlt({"pipeline", "shop", "sync"});
  ASSERT_EQ(s.exit_code, 0) << s.out << s.err;
  EXPECT_EQ(w.State("shop")["sources"]["shop"]["resources"]["orders"]["incremental"]["id"]["last_value"], 4);
  // The restored cursor skips what was loaded before: no row twice.
  w.Write("orders.jsonl", Orders(1, 6));
  auto r = w.RunPipeline({"shop.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(FileSql("SELECT min(id) || '..' || max(id) || ' x' || count(*) FROM " + ReadJson(w.Dataset() / "orders")),
            "1..6 x6");
}

// Defect: the Python package shares the engine's default: `pipeline.run(data)` into filesystem
// writes dlt's .jsonl.gz files, run(loader_file_format="parquet") Parquet ones, read_parquet
// with use_pyarrow=True (Arrow items) Parquet ones, and a dropped pipeline gets its state back
// from the bucket (sync_destination). The bucket is configured in the profile's config.toml.
TEST(FilesystemDefaultFormat, PythonRunWritesJsonlByDefaultParquetWhenAskedAndSyncsItsState) {
  DefaultLake w;
  w.WriteConfig("[destination.filesystem]\nbucket_url = \"lake\"\n", "dev");
  WriteParquet(w);
  auto r = RunPythonSource(w, "lake.py", R"PY(
import dlt
from dlt.sources.filesystem import filesystem, read_parquet

@dlt.resource(table_name="things")
def things(cursor=dlt.sources.incremental("id", initial_value=0)):
    yield [{"id": 1, "n": "a", "tags": ["x", "y"]}, {"id": 2, "n": "b"}]

p = dlt.pipeline(pipeline_name="pylake", destination="filesystem", dataset_name="py_data")
p.run(things())
p.run([{"id": 3}], table_name="asked", loader_file_format="parquet")
p.run(filesystem(bucket_url="pq", file_glob="*.parquet") | read_parquet(use_pyarrow=True), table_name="arrow")
print("rows", sorted(p.dataset().things.select("id", "n").fetchall()))

p.drop()
p = dlt.pipeline(pipeline_name="pylake", destination="filesystem", dataset_name="py_data")
p.sync_destination()
print("restored", p.state["sources"]["pylake"]["resources"]["things"]["incremental"]["id"]["last_value"])
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "rows [(1, 'a'), (2, 'b')]\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "restored 2\n")) << r.out;
  const fs::path ds = w.root() / "_local" / "dev" / "lake" / "py_data";
  EXPECT_EQ(Extensions(ds / "things"), std::set<std::string>{"jsonl.gz"});
  EXPECT_EQ(Extensions(ds / "things__tags"), std::set<std::string>{"jsonl.gz"});
  EXPECT_EQ(FileSql("SELECT string_agg(id || n, ',' ORDER BY id) FROM " + ReadJson(ds / "things")), "1a,2b");
  EXPECT_EQ(FileSql("SELECT string_agg(value, ',' ORDER BY value) FROM " + ReadJson(ds / "things__tags")), "x,y");
  EXPECT_EQ(Extensions(ds / "asked"), std::set<std::string>{"parquet"});
  EXPECT_EQ(FileSql("SELECT id FROM read_parquet('" + (ds / "asked" / "*.parquet").string() + "')"), "3");
  EXPECT_EQ(Extensions(ds / "arrow"), std::set<std::string>{"parquet"});
  EXPECT_EQ(FileSql("SELECT count(*) FROM read_parquet('" + (ds / "arrow" / "*.parquet").string() + "')"), "3");
}

// Defect: a filesystem destination configured in code (dlt.destinations.filesystem(bucket_url=...))
// was not seen by sync_destination() nor by run(refresh=...): both open the destination again and
// failed with "Missing `bucket_url`". dlt uses the pipeline's destination object for both.
TEST(FilesystemDefaultFormat, SyncAndRefreshUseTheDestinationGivenInCode) {
  DefaultLake w;
  auto r = RunPythonSource(w, "code.py", R"PY(
import dlt

@dlt.resource(table_name="things")
def things(cursor=dlt.sources.incremental("id", initial_value=0)):
    yield [{"id": 1}, {"id": 2}]

dest = dlt.destinations.filesystem(bucket_url="codelake")
p = dlt.pipeline(pipeline_name="incode", destination=dest, dataset_name="code_data")
p.run(things())
p.drop()
p = dlt.pipeline(pipeline_name="incode", destination=dest, dataset_name="code_data")
p.sync_destination()
print("restored", p.state["sources"]["incode"]["resources"]["things"]["incremental"]["id"]["last_value"])
p.run(things(), refresh="drop_sources")
print("after refresh", sorted(p.dataset().things.select("id").fetchall()))
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "restored 2\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "after refresh [(1,), (2,)]\n")) << r.out;
}

// Defect: dlt's `[normalize.data_writer] disable_compression = true` (or `[data_writer]`, or
// their environment variables) was ignored: jsonl and csv files stayed gzipped. dlt writes them
// plain and names them without ".gz"; files written compressed before stay readable beside them.
TEST(FilesystemDefaultFormat, DisableCompressionWritesPlainFilesNamedWithoutGz) {
  DefaultLake w;
  w.WriteConfig(LakeWorkspace::Config("\n[normalize.data_writer]\ndisable_compression = true\n", ""), "dev");
  w.Write("shop.toml", PipelineFile("shop", "orders.jsonl", "", "lake"));
  w.Write("orders.jsonl", Orders(1, 3));
  auto r = w.RunPipeline({"shop.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const fs::path ds = w.Dataset();
  for (const char* t : {"orders", "orders__items", "orders__tags"}) {
    EXPECT_EQ(Extensions(ds / t), std::set<std::string>{"jsonl"}) << t;
  }
  const auto files = FileNames(ds / "orders");
  ASSERT_EQ(files.size(), 1u);
  const std::string text = ReadFile(ds / "orders" / files[0]);
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text[0], '{') << text.substr(0, 40);  // plain JSON Lines, no gzip header
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 3) << text;
  const std::string plain = "read_json('" + (ds / "orders" / "*.jsonl").string() + "', format = 'newline_delimited')";
  EXPECT_EQ(FileSql("SELECT string_agg(id::VARCHAR, ',' ORDER BY id) FROM " + plain), "1,2,3");

  // csv the same, by [data_writer] as an environment variable; the table's earlier .jsonl files
  // and these are read together.
  w.WriteConfig(LakeWorkspace::Config("", ""), "dev");
  w.Write("orders.jsonl", Orders(4, 5));
  r = w.RunPipeline({"shop.toml"}, {{"DESTINATION__LAKE__LOADER_FILE_FORMAT", "csv"}, {"DATA_WRITER__DISABLE_COMPRESSION", "true"}});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(Extensions(ds / "orders"), (std::set<std::string>{"jsonl", "csv"}));
  auto reader = LakeReader(w.root() / "_local" / "dev" / "lake", "shop_data");
  EXPECT_EQ(CountRows(*reader, "orders"), 5);

  // Unset again: compressed, as dlt's default.
  w.Write("orders.jsonl", Orders(6, 6));
  r = w.RunPipeline({"shop.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(Extensions(ds / "orders"), (std::set<std::string>{"jsonl", "csv", "jsonl.gz"}));
  auto again = LakeReader(w.root() / "_local" / "dev" / "lake", "shop_data");
  EXPECT_EQ(CountRows(*again, "orders"), 6);

  // A value that is not a flag stops the run, naming the key and the file.
  w.WriteConfig(LakeWorkspace::Config("\n[normalize.data_writer]\ndisable_compression = \"maybe\"\n", ""), "dev");
  r = w.RunPipeline({"shop.toml"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.err, "normalize.data_writer.disable_compression must be true or false")) << r.err;
  EXPECT_TRUE(Contains(r.err, "dev.config.toml")) << r.err;
}

// The same from Python, set as dlt's docs set it from code: dlt.config[...] before the run.
TEST(FilesystemDefaultFormat, PythonDisableCompressionFromDltConfig) {
  DefaultLake w;
  auto r = RunPythonSource(w, "plain.py", R"PY(
import dlt
dlt.config["normalize.data_writer.disable_compression"] = True
p = dlt.pipeline(pipeline_name="plain", destination=dlt.destinations.filesystem(bucket_url="plainlake"),
                 dataset_name="plain_data")
p.run([{"id": 1, "tags": ["a"]}, {"id": 2, "tags": []}], table_name="items")
print("rows", sorted(p.dataset().items.select("id").fetchall()))
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "rows [(1,), (2,)]\n")) << r.out;
  const fs::path ds = w.root() / "_local" / "dev" / "plainlake" / "plain_data";
  EXPECT_EQ(Extensions(ds / "items"), std::set<std::string>{"jsonl"});
  EXPECT_EQ(Extensions(ds / "items__tags"), std::set<std::string>{"jsonl"});
}

}  // namespace
}  // namespace dlt::testing
