// dlt.sources.filesystem on the native engine, as real python3 scripts: the listing as rows,
// `filesystem(...) | read_csv() / read_parquet() / read_jsonl()` read by the engine, and the
// incremental on modification_date loading only new or changed files on the next run.
#include <gtest/gtest.h>

#include "support/duckdb_query.h"
#include "support/python_script.h"

namespace dlt::testing {
namespace {

namespace fs = std::filesystem;

#ifdef DLT_PYTHON


TEST(PythonFilesystem, ReadCsvLoadsTypedColumnsOfEveryMatchingFile) {
  TempWorkspace w;
  w.Write("data/a.csv", "id,price,day\n1,1.5,2024-01-02\n2,2.5,2024-01-03\n");
  w.Write("data/b.csv", "id,price,day\n3,,2024-01-04\n");
  w.Write("data/skip.txt", "not csv\n");
  auto r = RunPythonSource(w, "files.py", R"PY(
import os
import dlt
from dlt.sources.filesystem import filesystem, read_csv

p = dlt.pipeline(pipeline_name="files", destination="duckdb", dataset_name="files_data")
files = filesystem(bucket_url="file://" + os.path.abspath("data"), file_glob="*.csv")
print(p.run((files | read_csv()).with_name("prices")))
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const fs::path db = DevDb(w, "files");
  EXPECT_EQ(SqlValue(db, "SELECT count(*) FROM files_data.prices"), "3");
  EXPECT_EQ(SqlValue(db, "SELECT data_type FROM information_schema.columns WHERE table_name = 'prices' AND column_name = 'day'"), "DATE");
  EXPECT_EQ(SqlValue(db, "SELECT data_type FROM information_schema.columns WHERE table_name = 'prices' AND column_name = 'price'"), "DOUBLE");
  EXPECT_EQ(SqlValue(db, "SELECT count(*) FROM files_data.prices WHERE price IS NULL"), "1");
}

// pandas' read_csv options that dlt users pass to read_csv, honoured by the engine's reader (a
// Latin-1 file was read as UTF-8 before: `encoding` was dropped).
TEST(PythonFilesystem, ReadCsvHonoursPandasEncodingSkiprowsNamesUsecolsNaValuesAndDtype) {
  TempWorkspace w;
  w.Write("data/people.csv", "exported 2024-05-01\nid;name;zip;junk\n1;J\xe9r\xf4me;00123;x\n2;NA;00456;y\n");
  w.Write("data/plain.csv", "007,1.50\n010,2\n");
  w.Write("data/when.csv", "id,seen_at\n1,2024-01-02T10:00:00+02:00\n");
  auto r = RunPythonSource(w, "opts.py", R"PY(
import os
import dlt
from dlt.sources.filesystem import filesystem, read_csv, read_csv_duckdb

url = "file://" + os.path.abspath("data")
p = dlt.pipeline(pipeline_name="opts", destination="duckdb", dataset_name="opts_data")
people = filesystem(bucket_url=url, file_glob="people.csv") | read_csv(
    sep=";", encoding="latin-1", skiprows=1, usecols=["zip", "id", "name"], na_values=["NA"], dtype={"zip": str})
p.run(people.with_name("people"))
plain = filesystem(bucket_url=url, file_glob="plain.csv") | read_csv(names=["code", "qty"], dtype=str)
p.run(plain.with_name("plain"))
duck = filesystem(bucket_url=url, file_glob="plain.csv") | read_csv_duckdb(header=False, names=["code", "qty"],
                                                                            types={"code": "VARCHAR", "qty": "DECIMAL(10,3)"})
p.run(duck.with_name("duck"))
with p.sql_client() as c:
    print(c.execute_sql("SELECT id, coalesce(name, '-'), zip FROM people ORDER BY id"))
    print(c.execute_sql("SELECT code, qty FROM plain ORDER BY code"))
    print(c.execute_sql("SELECT code, qty FROM duck ORDER BY code"))
    print(c.execute_sql("SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns "
                        "WHERE table_name = 'people' AND column_name NOT LIKE '_dlt%'"))
p.run((filesystem(bucket_url=url, file_glob="when.csv") | read_csv(parse_dates=["seen_at"])).with_name("stamps"))
with p.sql_client() as c:
    print(c.execute_sql("SELECT id, seen_at FROM stamps ORDER BY id"))
try:
    p.run((filesystem(bucket_url=url, file_glob="people.csv") | read_csv(sep=";", skiprows=1, usecols=["id", "nope"],
                                                                         encoding="latin-1")).with_name("missing"))
except Exception as e:
    print(type(e).__name__, "missing: `nope`" in str(e))
try:  # none of the chosen columns
    p.run((filesystem(bucket_url=url, file_glob="when.csv") | read_csv(usecols=["zz"])).with_name("none_chosen"))
except Exception as e:
    print(type(e).__name__, "missing: `zz`" in str(e))
p.run((filesystem(bucket_url=url, file_glob="when.csv") | read_csv(usecols=["id", "id"])).with_name("twice"))
with p.sql_client() as c:
    print(c.execute_sql("SELECT * EXCLUDE (_dlt_id, _dlt_load_id) FROM twice"))
for bad in (dict(encoding="cp1252"), dict(dtype={"zip": "category"}), dict(skiprows=[1, 2]), dict(thousands=",")):
    try:
        read_csv(**bad)
    except (ValueError, NotImplementedError) as e:
        print(type(e).__name__, str(e).splitlines()[0])
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out,
            "[(1, 'J\u00e9r\u00f4me', '00123'), (2, '-', '00456')]\n"
            "[('007', '1.50'), ('010', '2')]\n"
            "[('007', Decimal('1.500')), ('010', Decimal('2.000'))]\n"
            "[('id,name,zip',)]\n"  // pandas' usecols: the file's order, not the list's
            "[(1, datetime.datetime(2024, 1, 2, 8, 0))]\n"  // moved to UTC (naive: see README, Compatibility)
            "PipelineStepFailed True\nPipelineStepFailed True\n[(1,)]\n"
            "ValueError the CSV encoding `cp1252` is not supported: use utf-8, latin-1 (iso-8859-1) or utf-16, or "
            "convert the files (iconv -f <encoding> -t utf-8)\n"
            "ValueError read_csv dtype: the type `category` is not one dlt-cpp reads CSV columns as (str, int, float, "
            "bool, date, timestamp, decimal)\n"
            "NotImplementedError read_csv: skiprows=[1, 2] is not supported (a number of rows is)\n"
            "NotImplementedError read_csv: options ['thousands'] are not supported by dlt-cpp (sep, delimiter, header, "
            "names, usecols, skiprows, encoding, na_values, dtype, parse_dates and quotechar are)\n");
}

TEST(PythonFilesystem, ReadParquetAndReadJsonlLoadThroughTheEngine) {
  TempWorkspace w;
  fs::create_directories(w.root() / "pq");
  ASSERT_TRUE(ExecDuckDb(w.root() / "scratch.duckdb",
                         "COPY (SELECT 7 AS id, 1.25::DECIMAL(10,2) AS amount, [1, 2] AS tags) TO '" +
                             (w.root() / "pq" / "x.parquet").string() + "' (FORMAT parquet)"));
  w.Write("js/e.jsonl", "{\"id\": 1, \"items\": [{\"sku\": \"a\"}, {\"sku\": \"b\"}]}\n");
  auto r = RunPythonSource(w, "files.py", R"PY(
import dlt
from dlt.sources.filesystem import filesystem, read_parquet, read_jsonl

p = dlt.pipeline(pipeline_name="files", destination="duckdb", dataset_name="files_data")
p.run(filesystem(bucket_url="pq", file_glob="*.parquet") | read_parquet())
p.run(filesystem(bucket_url="js", file_glob="*.jsonl") | read_jsonl())
rows = list(filesystem(bucket_url="js", file_glob="*.jsonl"))
print(sorted(rows[0].keys()), rows[0]["file_name"], rows[0]["size_in_bytes"])
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const fs::path db = DevDb(w, "files");
  EXPECT_EQ(SqlValue(db, "SELECT CAST(amount AS VARCHAR) FROM files_data.read_parquet"), "1.25");
  // As dlt's read_parquet (rows as dicts): the list is a nested table.
  EXPECT_EQ(SqlValue(db, "SELECT string_agg(CAST(value AS VARCHAR), ',' ORDER BY _dlt_list_idx) FROM "
                         "files_data.read_parquet__tags"),
            "1,2");
  EXPECT_EQ(SqlValue(db, "SELECT count(*) FROM files_data.read_jsonl__items"), "2");
  EXPECT_TRUE(Contains(r.out, "['file_name', 'file_url', 'mime_type', 'modification_date', 'relative_path', "
                              "'size_in_bytes'] e.jsonl 49\n")) << r.out;
}

// add_limit on a file reader keeps max_items chunks of its chunk size: at most max_items *
// chunksize rows, read by the engine (before, the limit was ignored and every row was loaded).
TEST(PythonFilesystem, AddLimitOnAReaderLoadsAtMostThatManyChunksOfRows) {
  TempWorkspace w;
  fs::create_directories(w.root() / "pq");
  for (const char* f : {"a", "b"}) {
    ASSERT_TRUE(ExecDuckDb(w.root() / "scratch.duckdb",
                           "COPY (SELECT i AS id FROM range(100) t(i)) TO '" + (w.root() / "pq" / (std::string(f) + ".parquet")).string() +
                               "' (FORMAT parquet)"));
  }
  std::string lines;
  for (int i = 0; i < 50; ++i) lines += "{\"id\": " + std::to_string(i) + "}\n";
  w.Write("js/e.jsonl", lines);
  auto r = RunPythonSource(w, "files.py", R"PY(
import dlt
from dlt.sources.filesystem import filesystem, read_parquet, read_jsonl

p = dlt.pipeline(pipeline_name="files", destination="duckdb", dataset_name="files_data")
p.run((filesystem(bucket_url="pq", file_glob="*.parquet") | read_parquet(chunksize=30)).add_limit(5), table_name="pq")
p.run((filesystem(bucket_url="pq", file_glob="*.parquet") | read_parquet(use_pyarrow=True)).add_limit(1), table_name="pa")
p.run((filesystem(bucket_url="js", file_glob="*.jsonl") | read_jsonl(chunksize=7)).add_limit(2), table_name="js")
p.run((filesystem(bucket_url="js", file_glob="*.jsonl") | read_jsonl()).add_limit(), table_name="all")
try:
    (filesystem(bucket_url="js", file_glob="*.jsonl") | read_jsonl()).add_limit(max_time=1.0)
except NotImplementedError as e:
    print("max_time:", e)
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const fs::path db = DevDb(w, "files");
  EXPECT_EQ(CountRows(db, "files_data.pq"), 150);
  EXPECT_EQ(CountRows(db, "files_data.pa"), 200);  // one chunk of read_parquet's 1000 rows: both files
  EXPECT_EQ(SqlValue(db, "SELECT count(*) || '/' || max(id) FROM files_data.js"), "14/13");
  EXPECT_EQ(CountRows(db, "files_data.\"all\""), 50);
  EXPECT_TRUE(Contains(r.out, "max_time: resource `read_jsonl`: add_limit(max_time=...) on file readers is not supported"))
      << r.out;
}

// An incremental given to the reader (not the listing) is a cursor over the rows: a second run
// over the same files loads nothing, a new file only its rows past the cursor (before, the
// cursor was dropped and every run loaded every row again).
TEST(PythonFilesystem, AnIncrementalOnTheReaderLoadsOnlyRowsPastItsCursor) {
  TempWorkspace w;
  w.Write("csv/a.csv", "id,updated_at\n1,2024-01-01\n2,2024-01-02\n");
  w.Write("inc.py", R"PY(
import dlt
from dlt.sources.filesystem import filesystem, read_csv
p = dlt.pipeline(pipeline_name="inc", destination="duckdb", dataset_name="inc_data")
r = filesystem(bucket_url="csv", file_glob="*.csv") | read_csv()
r.apply_hints(incremental=dlt.sources.incremental("updated_at"))
info = p.run(r, table_name="rows")
print("rows", p.last_trace.last_normalize_info.row_counts.get("rows", 0))
)PY");
  for (int run = 0; run < 2; ++run) {
    auto r = RunPython(w, "inc.py");
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_TRUE(Contains(r.out, run == 0 ? "rows 2\n" : "rows 0\n")) << r.out;
  }
  w.Write("csv/b.csv", "id,updated_at\n3,2024-01-03\n2,2024-01-02\n");
  auto r = RunPython(w, "inc.py");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(SqlValue(DevDb(w, "inc"), "SELECT string_agg(CAST(id AS VARCHAR), ',' ORDER BY id) FROM inc_data.\"rows\""),
            "1,2,3");
}

TEST(PythonFilesystem, IncrementalOnModificationDateReadsOnlyNewAndChangedFilesOnTheNextRun) {
  TempWorkspace w;
  w.Write("data/a.csv", "id,v\n1,a\n");
  w.Write("data/b.csv", "id,v\n2,b\n");
  const char* script = R"PY(
import os, sys, dlt
from dlt.sources.filesystem import filesystem, read_csv

files = filesystem(bucket_url="data", file_glob="*.csv")
files.apply_hints(incremental=dlt.sources.incremental("modification_date"))
p = dlt.pipeline(pipeline_name="files", destination="duckdb", dataset_name="files_data")
p.run((files | read_csv()).with_name("rows"))
)PY";
  w.Write("files.py", script);
  auto first = RunPython(w, "files.py");
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  const fs::path db = DevDb(w, "files");
  EXPECT_EQ(SqlValue(db, "SELECT count(*) FROM files_data.rows"), "2");
  // One new file and one changed file (a later modification time); a.csv stays as it was.
  w.Write("data/c.csv", "id,v\n3,c\n");
  w.Write("data/b.csv", "id,v\n2,b2\n");
  const auto later = fs::last_write_time(w.root() / "data" / "a.csv") + std::chrono::seconds(5);
  fs::last_write_time(w.root() / "data" / "b.csv", later);
  fs::last_write_time(w.root() / "data" / "c.csv", later);
  auto second = RunPython(w, "files.py");
  ASSERT_EQ(second.exit_code, 0) << second.out << second.err;
  EXPECT_EQ(SqlColumn(db, "SELECT v FROM files_data.rows ORDER BY id, v"), (std::vector<std::string>{"a", "b", "b2", "c"}));
  // Nothing new: nothing loaded.
  auto third = RunPython(w, "files.py");
  ASSERT_EQ(third.exit_code, 0) << third.out << third.err;
  EXPECT_EQ(SqlValue(db, "SELECT count(*) FROM files_data.rows"), "4");
}

// The docs' URL form file://Users/admin/... (a host part, no third slash): as dlt's
// make_local_path, the host part stays in the path, //Users/admin/..., which POSIX reads as the
// absolute folder. Before, the host part was dropped and the folder not found.
TEST(PythonFilesystem, AFileUrlWithTheFolderAsItsHostPartListsThatFolder) {
  TempWorkspace w;
  w.Write("data/a.csv", "id\n1\n");
  w.Write("urls.py", R"PY(
import sys
from dlt.sources.filesystem import filesystem
root = sys.argv[1]
for url in ("file:/" + root + "/data", "file://" + root + "/data", root + "/data/"):
    print([(i["file_url"], i["relative_path"]) for i in filesystem(bucket_url=url, file_glob="*.csv")])
)PY");
  const std::string root = w.root().string();
  auto r = RunPython(w, "urls.py", {root});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const std::string line = "[('file://" + root + "/data/a.csv', 'a.csv')]\n";
  EXPECT_EQ(r.out, line + line + line);
}

// Defect: CSV files whose column types differ (a code that is a number in one file and text in
// another, a quantity that is whole in one and fractional in another) failed the whole run. As
// dlt's normalizer does with the rows its readers yield: a value that coerces goes into the
// column, one that does not into a variant column.
TEST(PythonFilesystem, CsvFilesWhoseColumnTypesDifferLoadWithCoercionAndVariantColumns) {
  TempWorkspace w;
  w.Write("data/a.csv", "id,code,qty\n1,5,5\n");
  w.Write("data/b.csv", "id,code,qty\n2,A1,2.5\n");
  w.Write("mixed.py", R"PY(
import dlt
from dlt.sources.filesystem import filesystem, read_csv
p = dlt.pipeline(pipeline_name="mixed", destination="duckdb", dataset_name="mixed_data")
p.run((filesystem(bucket_url="data", file_glob="*.csv") | read_csv()).with_name("rows"))
with p.sql_client() as c:
    print(c.execute_sql("SELECT id, code, code__v_text, qty, qty__v_double FROM rows ORDER BY id"))
)PY");
  auto r = RunPython(w, "mixed.py");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "[(1, 5, None, 5, None), (2, None, 'A1', None, 2.5)]\n");
}

#endif

}  // namespace
}  // namespace dlt::testing
