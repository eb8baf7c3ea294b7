// CSV and Parquet files in pipeline files (`format = "csv" | "parquet" | "auto"`), run with
// `dlt run` into the profile's DuckDB: the column types DuckDB's sniffer and the Parquet schema
// give, gzip, globs over many files with different columns, a broken CSV (clear error, nothing
// loaded) and an incremental cursor on a column.
#include "pipeline_fixture.h"

namespace dlt::testing {
namespace {

namespace fs = std::filesystem;

std::string Pipeline(const std::string& path, const std::string& extra) {
  return "[pipeline]\nname = \"files\"\ndestination = \"warehouse\"\ndataset_name = \"files_data\"\n\n"
         "[[resources]]\nname = \"items\"\npath = \"" + path + "\"\n" + extra;
}

// The dlt data type of every column of files_data.items, "name:type" in column order.
std::vector<std::string> ColumnTypes(const fs::path& db) {
  return SqlColumn(db, "SELECT column_name || ':' || data_type FROM information_schema.columns "
                       "WHERE table_schema = 'files_data' AND table_name = 'items' ORDER BY ordinal_position");
}

bool Has(const std::vector<std::string>& v, const std::string& x) { return std::find(v.begin(), v.end(), x) != v.end(); }

const char kCsv[] =
    "id,price,day,seen_at,name,note\n"
    "1,1.5,2024-01-02,2024-01-02 03:04:05,apple,\n"
    "2,2.25,2024-02-03,2024-02-03 10:00:00.123456,\"pear, green\",x\n"
    "3,,2024-03-04,2024-03-04 23:59:59,\"say \"\"hi\"\"\",y\n";

TEST(FileFormats, CsvColumnsGetTheTypesDuckDbsSnifferInfers) {
  PipelineWorkspace w;
  w.Write("files.toml", Pipeline("data/items.csv", "format = \"csv\"\n"));
  w.Write("data/items.csv", kCsv);
  auto r = w.RunPipeline({"files.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const fs::path db = w.Db();
  auto types = ColumnTypes(db);
  for (const char* c : {"id:BIGINT", "price:DOUBLE", "day:DATE", "seen_at:TIMESTAMP", "name:VARCHAR", "note:VARCHAR"}) {
    EXPECT_TRUE(Has(types, c)) << c << " in " << ::testing::PrintToString(types);
  }
  EXPECT_EQ(CountRows(db, "files_data.items"), 3);
  EXPECT_EQ(SqlValue(db, "SELECT name FROM files_data.items WHERE id = 2"), "pear, green");
  EXPECT_EQ(SqlValue(db, "SELECT name FROM files_data.items WHERE id = 3"), "say \"hi\"");
  EXPECT_EQ(SqlValue(db, "SELECT CAST(seen_at AS VARCHAR) FROM files_data.items WHERE id = 2"), "2024-02-03 10:00:00.123456");  // naive: its wall time
  EXPECT_EQ(SqlValue(db, "SELECT CAST(day AS VARCHAR) FROM files_data.items WHERE id = 3"), "2024-03-04");
  EXPECT_EQ(SqlValue(db, "SELECT count(*) FROM files_data.items WHERE price IS NULL"), "1");
  EXPECT_EQ(SqlValue(db, "SELECT count(*) FROM files_data.items WHERE note IS NULL"), "1");
  EXPECT_EQ(SqlValue(db, "SELECT sum(price) FROM files_data.items"), "3.75");
}

TEST(FileFormats, GzipCsvWithAnotherDelimiterIsReadByExtension) {
  PipelineWorkspace w;
  w.Write("files.toml", Pipeline("data/*.csv.gz", "csv = { delimiter = \";\" }\n"));
  w.Write("data/a.csv.gz", Gzip("id;city\n1;Berlin\n2;Paris\n"));
  auto r = w.RunPipeline({"files.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(SqlColumn(w.Db(), "SELECT city FROM files_data.items ORDER BY id"), (std::vector<std::string>{"Berlin", "Paris"}));
}

TEST(FileFormats, CsvWithoutHeaderGetsDuckDbsColumnNames) {
  PipelineWorkspace w;
  w.Write("files.toml", Pipeline("data/a.csv", "csv = { header = false }\n"));
  w.Write("data/a.csv", "1,x\n2,y\n");
  auto r = w.RunPipeline({"files.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(SqlColumn(w.Db(), "SELECT column1 FROM files_data.items ORDER BY column0"), (std::vector<std::string>{"x", "y"}));
}

// The CSV options beyond delimiter and header: a Latin-1 file after two lines of preamble, a NULL
// marker, a zip code kept as text (its leading zeros), only some columns, another quote.
TEST(FileFormats, CsvOptionsReadLatin1FilesWithPreambleNullMarkersChosenColumnsAndTypes) {
  PipelineWorkspace w;
  w.Write("files.toml", Pipeline("data/a.csv", "csv = { delimiter = \";\", encoding = \"ISO-8859-1\", skip_rows = 2, "
                                               "null_values = [\"NA\"], types = { zip = \"text\" }, "
                                               "columns = [\"id\", \"name\", \"zip\"], quote = \"'\" }\n"));
  w.Write("data/a.csv", "exported 2024-05-01\n(latin-1)\nid;name;zip;junk\n1;J\xe9r\xf4me;00123;x\n"
                        "2;NA;00456;y\n3;'Ren\xe9" "e; M.';01000;z\n");
  auto r = w.RunPipeline({"files.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const fs::path db = w.Db();
  auto types = ColumnTypes(db);
  EXPECT_EQ(types, (std::vector<std::string>{"id:BIGINT", "name:VARCHAR", "zip:VARCHAR", "_dlt_load_id:VARCHAR",
                                             "_dlt_id:VARCHAR"}));
  EXPECT_EQ(SqlColumn(db, "SELECT coalesce(name, '<null>') || '|' || zip FROM files_data.items ORDER BY id"),
            (std::vector<std::string>{"J\u00e9r\u00f4me|00123", "<null>|00456", "Ren\u00e9e; M.|01000"}));
}

TEST(FileFormats, CsvNamesNameTheColumnsOfAFileWithoutHeaderAndAllTextKeepsEveryValueAsWritten) {
  PipelineWorkspace w;
  w.Write("files.toml", Pipeline("data/a.csv", "csv = { header = false, names = [\"code\", \"qty\"], all_text = true }\n"));
  w.Write("data/a.csv", "007,1.50\n010,2\n");
  auto r = w.RunPipeline({"files.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(SqlColumn(w.Db(), "SELECT code || '=' || qty FROM files_data.items ORDER BY code"),
            (std::vector<std::string>{"007=1.50", "010=2"}));
}

// A column typed as timestamp is read as the sniffer reads one: without an offset it is UTC on a
// machine in any time zone, with one it is moved to UTC; a decimal(p,s) keeps its digits.
TEST(FileFormats, CsvTypesReadTimestampsAsUtcInAnyTimeZoneAndDecimalsWithTheirScale) {
  PipelineWorkspace w;
  w.Write("files.toml", Pipeline("data/a.csv", "csv = { types = { ts = \"timestamp\", amount = \"decimal(20,12)\" } }\n"));
  w.Write("data/a.csv", "id,ts,amount\n1,2024-01-01 10:00:00,12345678.123456789012\n2,2024-01-01T10:00:00+02:00,0.5\n"
                        "3,2024-01-01,1\n4,2024-01-01T10:00:00.25Z,2\n5,,3\n");
  auto r = w.RunPipeline({"files.toml"}, {{"TZ", "America/New_York"}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const fs::path db = w.Db();
  EXPECT_EQ(SqlColumn(db, "SELECT epoch(ts)::BIGINT || ' ' || amount::VARCHAR FROM files_data.items WHERE ts IS NOT NULL ORDER BY id"),
            (std::vector<std::string>{"1704103200 12345678.123456789012", "1704096000 0.500000000000",
                                      "1704067200 1.000000000000", "1704103200 2.000000000000"}));
  EXPECT_EQ(SqlValue(db, "SELECT count(*) FROM files_data.items WHERE id = 5 AND ts IS NULL"), "1");
  // (the same with the columns chosen)
  w.Write("files.toml", Pipeline("data/a.csv", "csv = { types = { ts = \"timestamp\" }, columns = [\"id\", \"ts\"] }\n"));
  r = w.RunPipeline({"files.toml"}, {{"TZ", "America/New_York"}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(SqlValue(db, "SELECT epoch(ts)::BIGINT FROM files_data.items WHERE id = 2 AND _dlt_load_id = "
                         "(SELECT max(load_id) FROM files_data._dlt_loads)"), "1704096000");
}

// With chosen columns one column is no sign of a broken quote, and a quote character other than
// `"` leaves `"` in the data as it is.
TEST(FileFormats, CsvOneChosenColumnAndAnotherQuoteReadDoubleQuotesAsData) {
  PipelineWorkspace w;
  w.Write("files.toml", Pipeline("data/a.csv", "csv = { quote = \"'\", columns = [\"item\"] }\n"));
  w.Write("data/a.csv", "id,item\n1,a 5\" screen\n2,'b, c'\n");
  auto r = w.RunPipeline({"files.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(SqlColumn(w.Db(), "SELECT item FROM files_data.items ORDER BY item"),
            (std::vector<std::string>{"a 5\" screen", "b, c"}));
}

TEST(FileFormats, AnUnsupportedCsvEncodingOrTypeIsRefusedNamingTheFileKeyAndWhatIsAllowed) {
  PipelineWorkspace w;
  w.Write("data/a.csv", "id\n1\n");
  w.Write("files.toml", Pipeline("data/a.csv", "csv = { encoding = \"cp1252\" }\n"));
  auto r = w.RunPipeline({"files.toml"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.err, "files.toml:")) << r.err;
  EXPECT_TRUE(Contains(r.err, "the CSV encoding `cp1252` is not supported: use utf-8, latin-1 (iso-8859-1) or utf-16")) << r.err;
  w.Write("files.toml", Pipeline("data/a.csv", "csv = { types = { id = \"int\" } }\n"));
  r = w.RunPipeline({"files.toml"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.err, "the CSV type `int` of column `id` is not one of text, bigint, double, bool")) << r.err;
  w.Write("files.toml", Pipeline("data/a.csv", "csv = { usecols = [\"id\"] }\n"));
  r = w.RunPipeline({"files.toml"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.err, "usecols")) << r.err;
  EXPECT_FALSE(fs::exists(w.Db())) << "nothing is loaded";
}

// As dlt's read_parquet (rows as dicts): lists become nested tables and structs columns, while
// the file's own types stay exact.
TEST(FileFormats, ParquetKeepsDecimalsAndTimestampsAndNormalizesListsAndStructsAsDltDoes) {
  PipelineWorkspace w;
  const fs::path file = w.root() / "data" / "items.parquet";
  fs::create_directories(file.parent_path());
  ASSERT_TRUE(ExecDuckDb(w.root() / "scratch.duckdb",
                         "COPY (SELECT 1 AS id, 12345678901234567890.123456789::DECIMAL(38,9) AS amount, "
                         "TIMESTAMPTZ '2024-05-06 07:08:09.5+00' AS at, [1, 2, 3] AS nums, "
                         "{'city': 'Oslo', 'zip': 150} AS address, NULL::VARCHAR AS missing, "
                         "[{'sku': 'a', 'qty': 2}] AS lines, DATE '2024-02-29' AS day, '\\x00\\xFF'::BLOB AS raw "
                         "UNION ALL SELECT 2, -0.5, NULL, [], NULL, 'z', NULL, NULL, NULL) TO '" + file.string() +
                         "' (FORMAT parquet)"));
  w.Write("files.toml", Pipeline("data/*.parquet", "format = \"parquet\"\n"));
  auto r = w.RunPipeline({"files.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const fs::path db = w.Db();
  auto types = ColumnTypes(db);
  for (const char* c : {"id:BIGINT", "amount:DECIMAL(38,9)", "at:TIMESTAMP WITH TIME ZONE", "address__city:VARCHAR",
                        "address__zip:BIGINT", "missing:VARCHAR", "day:DATE", "raw:BLOB"}) {
    EXPECT_TRUE(Has(types, c)) << c << " in " << ::testing::PrintToString(types);
  }
  EXPECT_FALSE(Has(types, "nums:JSON")) << ::testing::PrintToString(types);
  EXPECT_EQ(SqlValue(db, "SELECT CAST(amount AS VARCHAR) FROM files_data.items WHERE id = 1"), "12345678901234567890.123456789");
  EXPECT_EQ(SqlValue(db, "SELECT CAST(amount AS VARCHAR) FROM files_data.items WHERE id = 2"), "-0.500000000");
  EXPECT_EQ(SqlValue(db, "SELECT CAST(epoch_ms(\"at\") AS VARCHAR) FROM files_data.items WHERE id = 1"), "1714979289500");
  EXPECT_EQ(SqlValue(db, "SELECT address__city || '/' || address__zip || '/' || \"day\" || '/' || hex(raw) FROM "
                         "files_data.items WHERE id = 1"),
            "Oslo/150/2024-02-29/00FF");
  // The list of numbers: a nested table with dlt's `value`, parent link and list index.
  EXPECT_EQ(SqlValue(db, "SELECT string_agg(CAST(n.value AS VARCHAR), ',' ORDER BY n._dlt_list_idx) FROM "
                         "files_data.items__nums n JOIN files_data.items i ON n._dlt_parent_id = i._dlt_id WHERE i.id = 1"),
            "1,2,3");
  EXPECT_EQ(SqlValue(db, "SELECT sku || ':' || qty FROM files_data.items__lines"), "a:2");
  EXPECT_EQ(SqlValue(db, "SELECT count(*) FROM files_data.items WHERE \"at\" IS NULL AND address__city IS NULL AND "
                         "missing = 'z'"),
            "1");
}

TEST(FileFormats, ManyFilesByGlobEachWithItsOwnColumns) {
  PipelineWorkspace w;
  w.Write("files.toml", Pipeline("data/part-*.csv", ""));
  w.Write("data/part-1.csv", "id,a,price\n1,x,1.5\n2,y,2\n");
  w.Write("data/part-2.csv", "id,a,price\n3,z,\n");  // no price at all: not a text column
  w.Write("data/part-3.csv", "id,b\n4,true\n");
  auto r = w.RunPipeline({"files.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const fs::path db = w.Db();
  EXPECT_EQ(CountRows(db, "files_data.items"), 4);
  EXPECT_TRUE(Has(ColumnTypes(db), "b:BOOLEAN")) << ::testing::PrintToString(ColumnTypes(db));
  EXPECT_TRUE(Has(ColumnTypes(db), "price:DOUBLE")) << ::testing::PrintToString(ColumnTypes(db));
  EXPECT_EQ(SqlValue(db, "SELECT count(*) FROM files_data.items WHERE price IS NULL"), "2");
  EXPECT_EQ(SqlValue(db, "SELECT CAST(b AS VARCHAR) FROM files_data.items WHERE id = 4"), "true");
  EXPECT_EQ(SqlValue(db, "SELECT a FROM files_data.items WHERE id = 3"), "z");
}

TEST(FileFormats, ABrokenQuoteInACsvFailsNamingTheFileAndLoadsNothing) {
  PipelineWorkspace w;
  w.Write("files.toml", Pipeline("data/*.csv", "format = \"csv\"\n"));
  w.Write("data/a.csv", "id,name\n1,ok\n");
  std::string bad = "id,name\n";
  for (int i = 1; i <= 5; ++i) bad += std::to_string(i) + ",fine\n";
  bad += "6,\"never closed\n7,after\n";
  w.Write("data/b.csv", bad);
  auto r = w.RunPipeline({"files.toml"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.err, (w.root() / "data" / "b.csv").string() + ":7: ")) << r.err;
  EXPECT_TRUE(Contains(r.err, "quote is never closed")) << r.err;
  EXPECT_FALSE(fs::exists(w.Db()) && TableExists(w.Db(), "files_data", "items"));
}

TEST(FileFormats, ABrokenQuoteAfterTheSniffersSampleIsReportedWithItsLine) {
  PipelineWorkspace w;
  w.Write("files.toml", Pipeline("data/big.csv", ""));
  std::string csv = "id,name\n";
  for (int i = 1; i <= 30000; ++i) csv += std::to_string(i) + ",\"n " + std::to_string(i) + "\"\n";
  csv += "30001,\"open\n30002,x\n";
  w.Write("data/big.csv", csv);
  auto r = w.RunPipeline({"files.toml"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.err, (w.root() / "data" / "big.csv").string())) << r.err;
  EXPECT_TRUE(Contains(r.err, "30002")) << r.err;  // the file's line 30002 holds the broken quote
  EXPECT_FALSE(fs::exists(w.Db()) && TableExists(w.Db(), "files_data", "items"));
}

TEST(FileFormats, AnUnknownFormatIsRejectedListingTheFormats) {
  PipelineWorkspace w;
  w.Write("files.toml", Pipeline("data/a.csv", "format = \"xlsx\"\n"));
  w.Write("data/a.csv", "id\n1\n");
  auto r = w.RunPipeline({"files.toml"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.err, "jsonl, json, csv, parquet or auto")) << r.err;
  EXPECT_TRUE(Contains(r.err, "files.toml")) << r.err;
}

TEST(FileFormats, IncrementalOnACsvColumnLoadsOnlyNewRowsOnTheNextRun) {
  PipelineWorkspace w;
  w.Write("files.toml", Pipeline("data/events.csv", "incremental = { cursor_path = \"updated_at\" }\nprimary_key = \"id\"\n"));
  w.Write("data/events.csv", "id,updated_at\n1,2024-01-01 00:00:00\n2,2024-01-02 00:00:00\n");
  auto first = w.RunPipeline({"files.toml"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  w.Write("data/events.csv", "id,updated_at\n1,2024-01-01 00:00:00\n2,2024-01-02 00:00:00\n3,2024-01-03 00:00:00\n");
  auto second = w.RunPipeline({"files.toml"});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(SqlColumn(w.Db(), "SELECT id FROM files_data.items ORDER BY id"), (std::vector<std::string>{"1", "2", "3"}));
}

}  // namespace
}  // namespace dlt::testing
