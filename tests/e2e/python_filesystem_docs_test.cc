// dlt 1.26's filesystem source documentation (verified-sources/filesystem/basic.md and
// advanced.md), snippet by snippet, as real python3 scripts over real files: the listing's
// add_filter / add_map / add_limit pick the files a reader reads, split loading with row_order
// takes the files oldest first, the listing globs as dlt's glob_files (glob.glob(root/file_glob,
// recursive=True)) and reads file_glob from the configuration, the `readers` source and the
// documented import paths, and read_parquet of files that dlt itself wrote.
#include <gtest/gtest.h>

#include <chrono>

#include "s3_lake_fixture.h"
#include "support/duckdb_query.h"
#include "support/python_script.h"

namespace dlt::testing {
namespace {

namespace fs = std::filesystem;

#ifdef DLT_PYTHON

// Three city files of 5 rows each (London, Berlin, Paris), a nested one, and a JSON Lines file.
void WriteCityFiles(const TempWorkspace& w) {
  const char* cities[] = {"London", "Berlin", "Paris"};
  for (int i = 0; i < 3; ++i) {
    std::string csv = "id,city,value\n";
    for (int j = 0; j < 5; ++j) csv += std::to_string(i * 10 + j) + "," + cities[i] + "," + std::to_string(j) + ".5\n";
    w.Write(std::string("data/csv/") + cities[i] + "_2024.csv", csv);
  }
  w.Write("data/csv/sub/Nested_2024.csv", "id,city,value\n100,Nested,1.0\n");
  w.Write("data/jsonl/a.jsonl", "{\"id\": 1, \"name\": \"a\"}\n{\"id\": 2, \"name\": \"b\"}\n");
}

// basic.md "7. Filter files": a filter on the listing decides which files the reader reads
// (before, the reader listed the bucket again and read every file: Paris was loaded too, and the
// size filter let everything through). add_map and add_limit on the listing apply as well.
TEST(PythonFilesystemDocs, StepsOfTheListingPickTheFilesTheReaderReads) {
  TempWorkspace w;
  WriteCityFiles(w);
  auto r = RunPythonSource(w, "filter.py", R"PY(
import os
import dlt
from dlt.sources.filesystem import filesystem, read_csv

bucket = "file://" + os.path.abspath("data/csv")
pipeline = dlt.pipeline(pipeline_name="my_pipeline", destination="duckdb", dataset_name="docs")

filtered_files = filesystem(bucket_url=bucket, file_glob="*.csv")
filtered_files.add_filter(lambda item: ("London" in item["file_name"]) or ("Berlin" in item["file_name"]))
print("listing", sorted(i["file_name"] for i in filtered_files))
pipeline.run((filtered_files | read_csv()).with_name("by_name"))

MAX_SIZE_IN_BYTES = 10
small = filesystem(bucket_url=bucket, file_glob="*.csv")
small.add_filter(lambda item: item["size_in_bytes"] < MAX_SIZE_IN_BYTES)
pipeline.run((small | read_csv()).with_name("by_size"))
print("by_size", pipeline.last_trace.last_normalize_info.row_counts.get("by_size", 0))

# two pages of one file each; the map may hand on a new dict
limited = filesystem(bucket_url=bucket, file_glob="**/*.csv", files_per_page=1).add_limit(2)
pipeline.run((limited | read_csv()).with_name("limited"))
mapped = filesystem(bucket_url=bucket, file_glob="*.csv").add_map(lambda item: {**item, "seen": True})
mapped.add_filter(lambda item: item["file_name"].startswith("P"))
pipeline.run((mapped | read_csv()).with_name("mapped"))
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "listing ['Berlin_2024.csv', 'London_2024.csv']\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "by_size 0\n")) << r.out;
  const fs::path db = DevDb(w, "my_pipeline");
  EXPECT_EQ(SqlColumn(db, "SELECT city || ' ' || count(*) FROM docs.by_name GROUP BY city ORDER BY city"),
            (std::vector<std::string>{"Berlin 5", "London 5"}));
  EXPECT_FALSE(TableExists(db, "docs", "by_size"));
  EXPECT_EQ(SqlColumn(db, "SELECT city || ' ' || count(*) FROM docs.limited GROUP BY city ORDER BY city"),
            (std::vector<std::string>{"Berlin 5", "London 5"}));  // the first two files by relative path
  EXPECT_EQ(SqlColumn(db, "SELECT DISTINCT city FROM docs.mapped"), (std::vector<std::string>{"Paris"}));
}

// basic.md "Split loading": incremental("modification_date", row_order="asc"), one file per page,
// add_limit(1): each run takes the oldest file not loaded yet, so every file is loaded (before,
// the files came in name order: run 1 took the newest file and the others were never loaded).
// The same listing piped into read_csv reads one file per run in the same order.
TEST(PythonFilesystemDocs, SplitLoadingWithRowOrderLoadsEveryFileOldestFirst) {
  TempWorkspace w;
  WriteCityFiles(w);
  // Oldest first: Paris, London, Berlin (the reverse of name order).
  const auto base = fs::last_write_time(w.root() / "data" / "csv" / "London_2024.csv") - std::chrono::seconds(100);
  const char* oldest_first[] = {"Paris", "London", "Berlin"};
  for (int k = 0; k < 3; ++k) {
    fs::last_write_time(w.root() / "data" / "csv" / (std::string(oldest_first[k]) + "_2024.csv"),
                        base + std::chrono::seconds(10 * k));
  }
  auto r = RunPythonSource(w, "split.py", R"PY(
import os
import dlt
from dlt.sources.filesystem import filesystem, read_csv

bucket_url = os.path.abspath("data")
pipeline = dlt.pipeline("split", destination="duckdb", dataset_name="split_data")
incremental_ = dlt.sources.incremental("modification_date", row_order="asc")
fs_ = filesystem(bucket_url=bucket_url, file_glob="csv/*", incremental=incremental_, files_per_page=1)
for run in range(6):
    pipeline.run(fs_.with_name("files").add_limit(1))
    n = pipeline.last_trace.last_normalize_info.row_counts.get("files", 0)
    print("files run", run + 1, n)
    if not n:
        break

reader_files = filesystem(bucket_url=bucket_url, file_glob="csv/*", files_per_page=1,
                          incremental=dlt.sources.incremental("modification_date", row_order="asc"))
for run in range(6):
    pipeline.run((reader_files.add_limit(1) | read_csv()).with_name("rows"))
    n = pipeline.last_trace.last_normalize_info.row_counts.get("rows", 0)
    print("rows run", run + 1, n)
    if not n:
        break
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "files run 3 1\nfiles run 4 0\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "rows run 3 5\nrows run 4 0\n")) << r.out;
  const fs::path db = DevDb(w, "split");
  // One file per load, oldest first; csv/* does not reach csv/sub/Nested_2024.csv.
  EXPECT_EQ(SqlColumn(db, "SELECT file_name FROM split_data.files ORDER BY _dlt_load_id"),
            (std::vector<std::string>{"Paris_2024.csv", "London_2024.csv", "Berlin_2024.csv"}));
  EXPECT_EQ(SqlColumn(db, "SELECT city FROM split_data.\"rows\" GROUP BY city ORDER BY min(_dlt_load_id)"),
            (std::vector<std::string>{"Paris", "London", "Berlin"}));
}

// The listing as dlt's glob_files: `*` stays in its folder, `**` crosses folders, hidden files are
// not matched, file_glob comes from [sources.filesystem] (or SOURCES__FILESYSTEM__FILE_GLOB), a
// file as bucket_url with file_glob="" lists that file, `..` is relative to the bucket, and `~` is
// the home folder.
TEST(PythonFilesystemDocs, TheListingGlobsAsDltAndTakesFileGlobFromTheConfiguration) {
  TempWorkspace w;
  WriteCityFiles(w);
  w.Write("data/csv/.hidden.csv", "id,city,value\n0,Hidden,0\n");
  w.Write("home_data/csv/Rome_2024.csv", "id,city,value\n7,Rome,7\n");
  fs::create_directories(w.home());
  fs::copy(w.root() / "home_data", w.home() / "home_data", fs::copy_options::recursive);
  w.WriteConfig("[sources.filesystem]\nbucket_url = \"data/csv\"\nfile_glob = \"London*.csv\"\n");
  auto r = RunPythonSource(w, "listing.py", R"PY(
import os
import dlt
from dlt.sources.filesystem import filesystem, read_csv, read_jsonl

root = os.path.abspath("data")
def names(resource, key="relative_path"):
    return sorted(i[key] for i in resource)
print("csv/*", names(filesystem(root, file_glob="csv/*")))
print("**/*.csv", names(filesystem(root, file_glob="**/*.csv")))
print("config", names(filesystem(), "file_name"))
print("one file", [(i["file_name"], i["relative_path"]) for i in
                   filesystem("file://" + root + "/csv/London_2024.csv", file_glob="")])
up = list(filesystem(root + "/csv", file_glob="../jsonl/a.jsonl"))
print("up", [(i["file_name"], i["relative_path"], i["file_url"].endswith("/data/jsonl/a.jsonl")) for i in up])
print("home", names(filesystem("~/home_data/csv", file_glob="*.csv"), "file_name"))

p = dlt.pipeline(pipeline_name="globs", destination="duckdb", dataset_name="globs_data")
p.run((filesystem(root + "/csv", file_glob="../jsonl/a.jsonl") | read_jsonl()).with_name("up"))
p.run((filesystem("file://" + root + "/csv/Paris_2024.csv", file_glob="") | read_csv()).with_name("one"))
p.run((filesystem() | read_csv()).with_name("configured"))
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "csv/* ['csv/Berlin_2024.csv', 'csv/London_2024.csv', 'csv/Paris_2024.csv']\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "**/*.csv ['csv/Berlin_2024.csv', 'csv/London_2024.csv', 'csv/Paris_2024.csv', "
                              "'csv/sub/Nested_2024.csv']\n"))
      << r.out;
  EXPECT_TRUE(Contains(r.out, "config ['London_2024.csv']\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "one file [('London_2024.csv', '.')]\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "up [('a.jsonl', '../jsonl/a.jsonl', True)]\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "home ['Rome_2024.csv']\n")) << r.out;
  const fs::path db = DevDb(w, "globs");
  EXPECT_EQ(CountRows(db, "globs_data.up"), 2);
  EXPECT_EQ(SqlColumn(db, "SELECT DISTINCT city FROM globs_data.one"), (std::vector<std::string>{"Paris"}));
  EXPECT_EQ(SqlColumn(db, "SELECT DISTINCT city FROM globs_data.configured"), (std::vector<std::string>{"London"}));

  // The environment variable wins over config.toml, as dlt's providers are ordered; a file_glob
  // given in code wins over both.
  w.env()["SOURCES__FILESYSTEM__FILE_GLOB"] = "B*.csv";
  r = RunPythonSource(w, "env.py", R"PY(
from dlt.sources.filesystem import filesystem
print("env", sorted(i["file_name"] for i in filesystem()))
print("code", sorted(i["file_name"] for i in filesystem(file_glob="P*.csv")))
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "env ['Berlin_2024.csv']\ncode ['Paris_2024.csv']\n")) << r.out;
}

// The s3 listing matches keys as the local one: `*` does not cross a `/` (before, csv/* also
// listed csv/sub/...), `**` does; an object as bucket_url with file_glob="" is listed alone.
TEST(PythonFilesystemDocs, TheS3ListingKeepsStarInsideOneFolder) {
  S3Server server;
  ASSERT_TRUE(server.ok()) << server.error();
  S3Client bucket = BucketClient(server);
  ASSERT_TRUE(bucket.Put("landing/csv/a.csv", "id\n1\n").ok());
  ASSERT_TRUE(bucket.Put("landing/csv/sub/b.csv", "id\n2\n").ok());
  ASSERT_TRUE(bucket.Put("landing/top.csv", "id\n3\n").ok());
  TempWorkspace w;
  w.WriteSecrets("[sources.filesystem.credentials]\naws_access_key_id = \"" + std::string(S3Server::kKeyId) +
                 "\"\naws_secret_access_key = \"" + std::string(S3Server::kSecret) +
                 "\"\nregion_name = \"eu-central-1\"\nendpoint_url = \"" + server.Endpoint() + "\"\n");
  auto r = RunPythonSource(w, "s3glob.py", R"PY(
from dlt.sources.filesystem import filesystem
for g in ["csv/*", "**/*.csv", "csv/**", "*.csv", "csv/[ab].csv"]:
    print(g, sorted(i["relative_path"] for i in filesystem("s3://lake-bucket/landing", file_glob=g)))
one = list(filesystem("s3://lake-bucket/landing/top.csv", file_glob=""))
print("one", [(i["relative_path"], i["file_name"], i["file_url"], i.read_bytes()) for i in one])
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "csv/* ['csv/a.csv']\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "**/*.csv ['csv/a.csv', 'csv/sub/b.csv', 'top.csv']\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "csv/** ['csv/a.csv', 'csv/sub/b.csv']\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "*.csv ['top.csv']\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "csv/[ab].csv ['csv/a.csv']\n")) << r.out;
  // A file as bucket_url with file_glob="" (basic.md): that one object.
  EXPECT_TRUE(Contains(r.out, "one [('.', 'top.csv', 's3://lake-bucket/landing/top.csv', b'id\\n3\\n')]\n")) << r.out;
}

// basic.md's `readers` source (readers(bucket_url, file_glob).read_csv(), with an incremental
// on the listing), advanced.md's imports (FileItemDict from dlt.common.storages.fsspec_filesystem
// in a custom reader, fsspec_from_resource), and FileItemDict.fsspec, which says what to use.
TEST(PythonFilesystemDocs, ReadersSourceAndTheDocumentedImportPaths) {
  TempWorkspace w;
  WriteCityFiles(w);
  const char* script = R"PY(
import os
from typing import Iterator
import dlt
from dlt.common.storages.fsspec_filesystem import FileItemDict
from dlt.sources.filesystem import filesystem, readers
from dlt.sources.filesystem.helpers import fsspec_from_resource

bucket_url = os.path.abspath("data")
pipeline = dlt.pipeline(pipeline_name="rdr", destination="duckdb", dataset_name="rdr_data")
csv_files = readers(bucket_url=bucket_url, file_glob="csv/*.csv",
                    incremental=dlt.sources.incremental("modification_date")).read_csv()
pipeline.run(csv_files.with_name("cities"))
print("cities", pipeline.last_trace.last_normalize_info.row_counts.get("cities", 0))
pipeline.run(readers(bucket_url, file_glob="jsonl/*.jsonl").read_jsonl(chunksize=1).with_name("lines"))

@dlt.transformer
def read_lines(items: Iterator[FileItemDict]):
    for file_obj in items:
        with file_obj.open() as f:
            yield [{"file": file_obj["file_name"], "n": len(f.read().splitlines())}]

pipeline.run((filesystem(bucket_url, file_glob="csv/*.csv") | read_lines()).with_name("counts"))
item = next(iter(filesystem(bucket_url, file_glob="csv/London*")))
print("isinstance", isinstance(item, FileItemDict))
for get in (lambda: item.fsspec, lambda: fsspec_from_resource(filesystem(bucket_url))):
    try:
        get()
    except NotImplementedError as e:
        print("refused:", str(e)[:60])
)PY";
  for (int run = 0; run < 2; ++run) {
    auto r = RunPythonSource(w, "readers.py", script);
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    // The incremental on the listing: the second run finds no new file.
    EXPECT_TRUE(Contains(r.out, run == 0 ? "cities 15\n" : "cities 0\n")) << r.out;
    EXPECT_TRUE(Contains(r.out, "isinstance True\n")) << r.out;
    EXPECT_TRUE(Contains(r.out, "refused: FileItemDict.fsspec: dlt-cpp has no fsspec filesystem client")) << r.out;
    EXPECT_TRUE(Contains(r.out, "refused: fsspec_from_resource(`filesystem`): dlt-cpp has no fsspec")) << r.out;
  }
  const fs::path db = DevDb(w, "rdr");
  EXPECT_EQ(CountRows(db, "rdr_data.cities"), 15);
  EXPECT_EQ(CountRows(db, "rdr_data.lines"), 4);  // two runs of two lines (no incremental there)
  EXPECT_EQ(SqlValue(db, "SELECT string_agg(file || ':' || n, ',' ORDER BY file) FROM rdr_data.counts WHERE "
                         "_dlt_load_id = (SELECT min(_dlt_load_id) FROM rdr_data.counts)"),
            "Berlin_2024.csv:6,London_2024.csv:6,Paris_2024.csv:6");
}

// read_parquet / read_csv of files that hold `_dlt_id` and `_dlt_load_id` (files written by dlt's
// filesystem destination): the rows load with new dlt columns, as dlt's normalizer gives them
// (before, the load failed: "asks for column `_dlt_id`, which the load does not fill in"). With
// use_pyarrow=True the files' columns are kept, as dlt loads Arrow items.
TEST(PythonFilesystemDocs, FilesWithDltColumnsLoadWithNewDltColumns) {
  TempWorkspace w;
  fs::create_directories(w.root() / "pq");
  ASSERT_TRUE(ExecDuckDb(w.root() / "scratch.duckdb",
                         "COPY (SELECT i AS id, 'old' || i AS _dlt_id, '123.4' AS _dlt_load_id FROM range(5) t(i)) TO '" +
                             (w.root() / "pq" / "a.parquet").string() + "' (FORMAT parquet)"));
  w.Write("csv/a.csv", "id,_dlt_id,_dlt_load_id\n1,old1,123.4\n2,old2,123.4\n");
  auto r = RunPythonSource(w, "dltcols.py", R"PY(
import os
import dlt
from dlt.destinations import filesystem as fsdest
from dlt.sources.filesystem import filesystem, read_csv, read_parquet

dlt.pipeline("mk", destination=fsdest(os.path.abspath("lake"))).run(
    [{"id": i, "name": f"n{i}"} for i in range(3)], table_name="written", loader_file_format="parquet")
p = dlt.pipeline(pipeline_name="cols", destination="duckdb", dataset_name="cols_data")
p.run((filesystem(bucket_url="lake", file_glob="**/written/*.parquet") | read_parquet()).with_name("from_dlt"))
p.run((filesystem(bucket_url="pq", file_glob="*.parquet") | read_parquet()).with_name("pq"))
p.run((filesystem(bucket_url="csv", file_glob="*.csv") | read_csv()).with_name("csv"))
p.run((filesystem(bucket_url="pq", file_glob="*.parquet") | read_parquet(use_pyarrow=True)).with_name("arrow"))
cols = p.default_schema.get_table("pq")["columns"]["_dlt_id"]
print("flags", cols.get("row_key"), cols.get("unique"), cols.get("nullable"))
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "flags True True False\n")) << r.out;
  const fs::path db = DevDb(w, "cols");
  EXPECT_EQ(SqlValue(db, "SELECT count(*) || '/' || count(DISTINCT _dlt_id) FROM cols_data.from_dlt"), "3/3");
  for (const char* t : {"cols_data.pq", "cols_data.csv"}) {
    SCOPED_TRACE(t);
    EXPECT_EQ(SqlValue(db, std::string("SELECT count(*) FROM ") + t + " WHERE _dlt_id LIKE 'old%' OR _dlt_load_id = '123.4'"),
              "0");
    EXPECT_EQ(SqlValue(db, std::string("SELECT count(DISTINCT _dlt_id) = count(*) FROM ") + t), "true");
  }
  EXPECT_EQ(CountRows(db, "cols_data.pq"), 5);
  EXPECT_EQ(CountRows(db, "cols_data.csv"), 2);
  EXPECT_EQ(SqlValue(db, "SELECT count(*) FROM cols_data.arrow WHERE _dlt_id LIKE 'old%' AND _dlt_load_id = '123.4'"), "5");
}

#endif

}  // namespace
}  // namespace dlt::testing
