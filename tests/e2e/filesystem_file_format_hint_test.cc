// dlt's `file_format` hint: `@dlt.resource(file_format=...)`, `apply_hints(file_format=...)` and
// `run(loader_file_format=...)` (which dlt applies as that hint to every resource of the run) are
// kept in the table's schema, so the filesystem destination writes the table's files in that
// format in this run and the later ones. Defect guarded: the resource hint was accepted and
// ignored, and run(loader_file_format=) lasted one run, so the next run wrote JSON Lines into a
// folder of Parquet files (a reader globbing *.parquet silently missed the new rows).
#include <gtest/gtest.h>

#include "support/python_http_server.h"

namespace dlt::testing {
namespace {

// Prints, for each table folder of the dataset, the sorted set of its files' formats.
const char* kListFormats = R"PY(
import os
def formats(dataset):
    root = os.path.join("_local", "dev", "lake", dataset)
    out = {}
    for table in sorted(os.listdir(root)):
        if table.startswith("_dlt") or table == "init":
            continue
        exts = {name.split(".", 2)[2].split(".", 1)[1] for name in os.listdir(os.path.join(root, table))}
        out[table] = sorted(exts)
    return out
)PY";

TEST(FilesystemFileFormatHint, RunLoaderFileFormatIsKeptForLaterRunsAndResourceHintsApply) {
  TempWorkspace w;
  w.WriteConfig("[destination.filesystem]\nbucket_url = \"lake\"\n", "dev");
  w.Write("listing.py", kListFormats);
  auto r = RunPythonSource(w, "main.py", R"PY(
import dlt, listing

@dlt.resource(file_format="csv")
def as_csv():
    yield [{"id": 1, "tags": ["a"]}]

@dlt.resource
def hinted():
    yield [{"id": 1}]

p = dlt.pipeline("ffh", destination="filesystem", dataset_name="ffh_data")
p.run([{"id": 1}], table_name="asked", loader_file_format="parquet")
p.run([{"id": 2}], table_name="asked")          # no format asked: the table keeps parquet
p.run(as_csv())
p.run(hinted().apply_hints(file_format="parquet"))
p.run([{"id": 3}], table_name="plain")
print(listing.formats("ffh_data"))
print(p.default_schema.tables["asked"].get("file_format"), p.default_schema.tables["plain"].get("file_format"))
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "{'as_csv': ['csv.gz'], 'as_csv__tags': ['csv.gz'], 'asked': ['parquet'], "
                              "'hinted': ['parquet'], 'plain': ['jsonl.gz']}")) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "parquet None")) << r.out << r.err;
  auto rows = RunPythonSource(w, "rows.py", R"PY(
import dlt
p = dlt.pipeline("ffh", destination="filesystem", dataset_name="ffh_data")
print(sorted(p.dataset().asked.select("id").fetchall()))
)PY");
  ASSERT_EQ(rows.exit_code, 0) << rows.out << rows.err;
  EXPECT_TRUE(Contains(rows.out, "[(1,), (2,)]")) << rows.out;
}

// A format the filesystem destination cannot write: run(loader_file_format=) is refused before
// anything runs (dlt's ValueError); a resource's hint is ignored with a warning naming it, as
// dlt's normalize does, and "preferred" is the destination's default: the tables get jsonl files.
TEST(FilesystemFileFormatHint, AFormatTheFilesystemCannotWriteIsRefusedOrIgnoredWithAWarning) {
  TempWorkspace w;
  w.WriteConfig("[destination.filesystem]\nbucket_url = \"lake\"\n", "dev");
  auto r = RunPythonSource(w, "main.py", R"PY(
import os, dlt
from dlt.pipeline.exceptions import PipelineStepFailed

@dlt.resource(file_format="insert_values")
def sqlish():
    yield [{"id": 1}]

@dlt.resource(file_format="preferred")
def pref():
    yield [{"id": 1}]

p = dlt.pipeline("ffx", destination="filesystem", dataset_name="ffx_data")
try:
    p.run([{"id": 1}], table_name="t", loader_file_format="insert_values")
except ValueError as e:
    print("run refused:", e)
try:
    p.run([{"id": 1}], table_name="t", loader_file_format="xml")
except ValueError as e:
    print("unknown refused:", e)
p.run([sqlish(), pref()])
for t in ("sqlish", "pref"):
    print(t, sorted(n.split(".", 2)[2].split(".", 1)[1] for n in os.listdir(os.path.join("_local", "dev", "lake", "ffx_data", t))))
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "run refused: loader_file_format `insert_values`: the filesystem destination writes "
                              "parquet, jsonl or csv")) << r.out;
  EXPECT_TRUE(Contains(r.out, "unknown refused: loader_file_format `xml` is not one of dlt's formats")) << r.out;
  EXPECT_TRUE(Contains(r.out, "sqlish ['jsonl.gz']\npref ['jsonl.gz']")) << r.out;
  EXPECT_TRUE(Contains(r.err, "WARNING: The configured value `insert_values` for `loader_file_format` is not supported "
                              "for table of resource `sqlish` and will be ignored")) << r.err;
  EXPECT_FALSE(Contains(r.err, "`pref`")) << r.err;
}

// run(rest_api_source(...), loader_file_format="parquet"): the REST API resources the engine
// fetches get the hint too.
TEST(FilesystemFileFormatHint, RestApiResourcesTakeTheRunsFormat) {
  TempWorkspace w;
  w.WriteConfig("[destination.filesystem]\nbucket_url = \"lake\"\n", "dev");
  w.Write("listing.py", kListFormats);
  auto r = RunWithServer(w, R"PY(
import srv, dlt, listing
from dlt.sources.rest_api import rest_api_source
s, base = srv.start(lambda r: (200, {}, [{"id": 1}, {"id": 2}]))
p = dlt.pipeline("ffr", destination="filesystem", dataset_name="ffr_data")
p.run(rest_api_source({"client": {"base_url": base}, "resources": ["items", {"name": "other", "file_format": "csv"}]}),
      loader_file_format="parquet")
print(listing.formats("ffr_data"))
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "{'items': ['parquet'], 'other': ['parquet']}")) << r.out;
}

// The TOML pipeline file: a resource's `file_format`; an unknown one is refused where it is written.
TEST(FilesystemFileFormatHint, PipelineFileResourcesTakeFileFormat) {
  TempWorkspace w;
  w.WriteConfig("[destination.lake]\ndestination_type = \"filesystem\"\nbucket_url = \"lake\"\n", "dev");
  w.Write("rows.jsonl", "{\"id\": 1}\n{\"id\": 2}\n");
  const std::string head = "[pipeline]\nname = \"tf\"\ndestination = \"lake\"\ndataset_name = \"tf_data\"\n\n"
                           "[[resources]]\nname = \"rows\"\npath = \"rows.jsonl\"\n";
  w.Write("bad.toml", head + "file_format = \"parket\"\n");
  auto bad = w.Dlt({"run", "bad.toml"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_TRUE(Contains(bad.err, "bad.toml:")) << bad.err;
  EXPECT_TRUE(Contains(bad.err, "unknown file_format `parket`. Did you mean `parquet`?")) << bad.err;
  w.Write("good.toml", head + "file_format = \"parquet\"\n");
  auto good = w.Dlt({"run", "good.toml"});
  ASSERT_EQ(good.exit_code, 0) << good.out << good.err;
  std::error_code ec;
  int parquet = 0;
  for (const auto& e : std::filesystem::directory_iterator(w.root() / "_local" / "dev" / "lake" / "tf_data" / "rows", ec)) {
    parquet += e.path().extension() == ".parquet";
  }
  EXPECT_EQ(parquet, 1);
}

}  // namespace
}  // namespace dlt::testing
