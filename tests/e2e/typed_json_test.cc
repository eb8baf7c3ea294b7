// dlt's typed JSON (`.typed-jsonl`, and the rows the Python binding writes): strings starting
// with a private-use marker (U+F026 decimal .. U+F02D time) load as values of their type, into
// DuckDB and PostgreSQL, from JSONL files read by the file resource; the incremental cursor
// compares them as values and keeps them marked in the state, as dlt does.
#include <string>
#include <vector>

#include "pg_suite.h"
#include "pipeline_fixture.h"

namespace dlt::testing {
namespace {

// The markers in UTF-8.
const std::string kDec = "\xEF\x80\xA6", kDt = "\xEF\x80\xA7", kDate = "\xEF\x80\xA8", kUuid = "\xEF\x80\xA9",
                  kHex = "\xEF\x80\xAA", kB64 = "\xEF\x80\xAB", kWei = "\xEF\x80\xAC", kTime = "\xEF\x80\xAD";

// Every marker once (row 1); row 2 writes its decimal with a JSON escape (\uf026), as a JSON
// file may, and its binary as 0x-prefixed hex.
std::string EveryMarker() {
  return "{\"id\": 1, \"price\": \"" + kDec + "12.50\", \"paid_at\": \"" + kDt +
         "2024-01-02T03:04:05.123456+02:00\", \"local_at\": \"" + kDt + "2024-01-02T03:04:05\", \"day\": \"" + kDate +
         "2024-01-02\", \"ref\": \"" + kUuid + "6f1c1a8e-6d0e-4d43-9a43-0c4e1e3a6f10\", \"hash\": \"" + kHex +
         "00ff41\", \"blob\": \"" + kB64 + "AAFBQlz/\", \"gas\": \"" + kWei + "1000000000000000000000\", \"at\": \"" +
         kTime + "03:04:05.123456\", \"big\": \"" + kDec + "123456789012345678901\"}\n" +
         "{\"id\": 2, \"price\": \"\\uf02699.5\", \"hash\": \"" + kHex + "0x0a0b\"}\n" +
         "{\"id\": 3, \"price\": \"" + kDec + "0.1234567895\"}\n";
}

std::string Row(const std::filesystem::path& db, const std::string& sql) {
  SqlRows rows = QueryDuckDb(db, sql);
  if (rows.size() != 1) return "<" + std::to_string(rows.size()) + " rows>";
  std::string out;
  for (size_t i = 0; i < rows[0].size(); ++i) out += (i ? "|" : "") + rows[0][i].value_or("NULL");
  return out;
}

std::string DuckType(const std::filesystem::path& db, const std::string& table, const std::string& column) {
  return SqlValue(db, "SELECT data_type FROM information_schema.columns WHERE table_schema = 'typed_data' AND "
                      "table_name = '" + table + "' AND column_name = '" + column + "'");
}

TEST(TypedJsonDuckDb, EachMarkerLoadsAsAColumnOfItsTypeWithItsExactValue) {
  PipelineWorkspace w;
  w.Write("typed.toml", PipelineFile("typed", "events.jsonl"));
  w.Write("events.jsonl", EveryMarker());
  auto r = w.RunPipeline({"typed.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(DuckType(w.Db(), "orders", "price"), "DECIMAL(38,9)");
  EXPECT_EQ(DuckType(w.Db(), "orders", "paid_at"), "TIMESTAMP WITH TIME ZONE");
  EXPECT_EQ(DuckType(w.Db(), "orders", "local_at"), "TIMESTAMP WITH TIME ZONE");
  EXPECT_EQ(DuckType(w.Db(), "orders", "day"), "DATE");
  EXPECT_EQ(DuckType(w.Db(), "orders", "ref"), "VARCHAR");
  EXPECT_EQ(DuckType(w.Db(), "orders", "hash"), "BLOB");
  EXPECT_EQ(DuckType(w.Db(), "orders", "blob"), "BLOB");
  EXPECT_EQ(DuckType(w.Db(), "orders", "gas"), "DECIMAL(38,0)");
  EXPECT_EQ(DuckType(w.Db(), "orders", "at"), "TIME");
  EXPECT_EQ(DuckType(w.Db(), "orders", "big"), "DECIMAL(38,9)");
  // An aware datetime is its instant, a naive one is UTC; bytes come back exactly.
  EXPECT_EQ(Row(w.Db(), "SELECT CAST(price AS VARCHAR), strftime(timezone('UTC', paid_at), '%Y-%m-%dT%H:%M:%S.%f'), "
                        "strftime(timezone('UTC', local_at), '%Y-%m-%dT%H:%M:%S'), CAST(day AS VARCHAR), ref, "
                        "hex(hash), hex(blob), CAST(gas AS VARCHAR), CAST(\"at\" AS VARCHAR), CAST(big AS VARCHAR) "
                        "FROM typed_data.orders WHERE id = 1"),
            "12.500000000|2024-01-02T01:04:05.123456|2024-01-02T03:04:05|2024-01-02|"
            "6f1c1a8e-6d0e-4d43-9a43-0c4e1e3a6f10|00FF41|000141425CFF|1000000000000000000000|03:04:05.123456|"
            "123456789012345678901.000000000");
  EXPECT_EQ(Row(w.Db(), "SELECT CAST(price AS VARCHAR), hex(hash) FROM typed_data.orders WHERE id = 2"),
            "99.500000000|0A0B");
  // Digits beyond the column's scale (decimal(38,9), as dlt) are rounded by the destination, as
  // when dlt inserts the Decimal.
  EXPECT_EQ(SqlValue(w.Db(), "SELECT CAST(price AS VARCHAR) FROM typed_data.orders WHERE id = 3"), "0.123456790");
  // The schema dlt would write: decimal, timestamp, date, time, binary, wei; the UUID is text.
  std::string schema = ReadFile(w.PipelineDir("typed") / "schemas" / "typed.schema.json");
  auto cols = nlohmann::json::parse(schema)["tables"]["orders"]["columns"];
  EXPECT_EQ(cols["price"]["data_type"], "decimal");
  EXPECT_EQ(cols["paid_at"]["data_type"], "timestamp");
  EXPECT_EQ(cols["day"]["data_type"], "date");
  EXPECT_EQ(cols["at"]["data_type"], "time");
  EXPECT_EQ(cols["blob"]["data_type"], "binary");
  EXPECT_EQ(cols["gas"]["data_type"], "wei");
  EXPECT_EQ(cols["ref"]["data_type"], "text");
}

TEST(TypedJsonDuckDb, AMarkedValueInAColumnOfAnotherTypeIsCoercedOrMakesAVariantAsAnUnmarkedOneWould) {
  PipelineWorkspace w;
  w.Write("typed.toml", PipelineFile("typed", "events.jsonl"));
  w.Write("events.jsonl",
          "{\"id\": 1, \"amount\": 5, \"note\": \"hello\", \"seen\": \"2024-01-01T00:00:00Z\", \"n\": 7}\n"
          "{\"id\": 2, \"amount\": \"" + kDec + "12.5\", \"note\": \"" + kDt + "2024-01-02T03:04:05+00:00\", "
          "\"seen\": \"" + kDate + "2024-05-06\", \"n\": \"" + kDt + "2024-01-02T03:04:05Z\"}\n"
          "{\"id\": 3, \"amount\": \"" + kDec + "12.00\", \"note\": \"" + kDec + "1.50\"}\n"
          "{\"id\": 4, \"days\": [\"" + kDate + "2024-01-02\", \"" + kDate + "2024-02-03\"], \"odd\": \"" + kDec +
          "abc\"}\n");
  auto r = w.RunPipeline({"typed.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  // A decimal with a fraction does not fit bigint: variant; a whole one is coerced.
  EXPECT_EQ(DuckType(w.Db(), "orders", "amount__v_decimal"), "DECIMAL(38,9)");
  EXPECT_EQ(SqlColumn(w.Db(), "SELECT CAST(amount AS VARCHAR) || '/' || coalesce(CAST(amount__v_decimal AS VARCHAR), "
                              "'-') FROM typed_data.orders WHERE id <= 3 ORDER BY id"),
            (std::vector<std::string>{"5/-", "NULL", "12/-"}));
  // Into text: the value's text without its marker.
  EXPECT_EQ(SqlColumn(w.Db(), "SELECT note FROM typed_data.orders WHERE id IN (2, 3) ORDER BY id"),
            (std::vector<std::string>{"2024-01-02T03:04:05+00:00", "1.50"}));
  // A date into a timestamp column: its midnight UTC; a datetime into bigint: a timestamp variant.
  EXPECT_EQ(SqlValue(w.Db(), "SELECT strftime(timezone('UTC', seen), '%Y-%m-%d %H:%M') FROM typed_data.orders "
                             "WHERE id = 2"),
            "2024-05-06 00:00");
  EXPECT_EQ(DuckType(w.Db(), "orders", "n__v_timestamp"), "TIMESTAMP WITH TIME ZONE");
  // A list of marked values: a nested table whose `value` has the type.
  EXPECT_EQ(DuckType(w.Db(), "orders__days", "value"), "DATE");
  EXPECT_EQ(SqlColumn(w.Db(), "SELECT CAST(value AS VARCHAR) FROM typed_data.orders__days ORDER BY _dlt_list_idx"),
            (std::vector<std::string>{"2024-01-02", "2024-02-03"}));
  // What does not decode stays the string it is, marker and all, as dlt keeps it.
  EXPECT_EQ(DuckType(w.Db(), "orders", "odd"), "VARCHAR");
  EXPECT_EQ(SqlValue(w.Db(), "SELECT odd FROM typed_data.orders WHERE id = 4"), kDec + "abc");
}

TEST(TypedJsonDuckDb, JsonCellsHoldTheValuesWithoutMarkers) {
  PipelineWorkspace w;
  w.Write("typed.toml", PipelineFile("typed", "events.jsonl", "columns = { doc = { data_type = \"json\" } }\n"));
  w.Write("events.jsonl", "{\"id\": 1, \"doc\": {\"price\": \"" + kDec + "1.5\", \"days\": [\"" + kDate +
                              "2024-01-02\"], \"when\": \"" + kDt + "2024-01-02T03:04:05Z\", \"plain\": \"x\"}}\n");
  auto r = w.RunPipeline({"typed.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::string doc = SqlValue(w.Db(), "SELECT CAST(doc AS VARCHAR) FROM typed_data.orders");
  EXPECT_EQ(doc, "{\"price\":\"1.5\",\"days\":[\"2024-01-02\"],\"when\":\"2024-01-02T03:04:05Z\",\"plain\":\"x\"}");
  EXPECT_EQ(doc.find("\xEF\x80"), std::string::npos);
}

std::string CursorRows(const std::vector<std::pair<int, std::string>>& rows) {
  std::string out;
  for (const auto& [id, v] : rows) out += "{\"id\": " + std::to_string(id) + ", \"updated_at\": \"" + v + "\"}\n";
  return out;
}

TEST(TypedJsonDuckDb, AnIncrementalCursorOnMarkedDatetimesSkipsOldRowsAndKeepsTheMarkedValueInTheState) {
  PipelineWorkspace w;
  w.Write("typed.toml", PipelineFile("typed", "events.jsonl", "incremental = { cursor_path = \"updated_at\" }\n"));
  w.Write("events.jsonl", CursorRows({{1, kDt + "2024-01-01T00:00:00"}, {2, kDt + "2024-01-02T00:00:00+00:00"}}));
  auto first = w.RunPipeline({"typed.toml"});
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  auto inc = [&] { return w.State("typed")["sources"]["typed"]["resources"]["orders"]["incremental"]["updated_at"]; };
  EXPECT_EQ(inc()["last_value"], kDt + "2024-01-02T00:00:00+00:00");
  // The same rows again, a newer one and an older one whose text sorts after the last value
  // (2024-01-01T21:00Z): they compare as instants, so only the newer loads.
  w.Write("events.jsonl", CursorRows({{1, kDt + "2024-01-01T00:00:00"},
                                      {2, kDt + "2024-01-02T00:00:00+00:00"},
                                      {3, kDt + "2024-01-03T01:00:00+02:00"},
                                      {4, kDt + "2024-01-02T05:00:00+08:00"}}));
  auto second = w.RunPipeline({"typed.toml"});
  ASSERT_EQ(second.exit_code, 0) << second.out << second.err;
  EXPECT_EQ(SqlColumn(w.Db(), "SELECT id FROM typed_data.orders ORDER BY id"),
            (std::vector<std::string>{"1", "2", "3"}));
  EXPECT_EQ(inc()["last_value"], kDt + "2024-01-03T01:00:00+02:00");
  EXPECT_EQ(DuckType(w.Db(), "orders", "updated_at"), "TIMESTAMP WITH TIME ZONE");
}

TEST(TypedJsonDuckDb, MarkedDecimalCursorsCompareExactlyBeyondADoublesPrecision) {
  PipelineWorkspace w;
  w.Write("typed.toml", PipelineFile("typed", "events.jsonl", "incremental = { cursor_path = \"updated_at\" }\n"));
  w.Write("events.jsonl", CursorRows({{1, kDec + "9007199254740993"}}));
  ASSERT_EQ(w.RunPipeline({"typed.toml"}).exit_code, 0);
  // 9007199254740992 and ...993 are the same double: only an exact comparison skips row 2; and
  // 10^19 is newer though its text sorts first.
  w.Write("events.jsonl", CursorRows({{2, kDec + "9007199254740992"}, {3, kDec + "10000000000000000000"}}));
  auto second = w.RunPipeline({"typed.toml"});
  ASSERT_EQ(second.exit_code, 0) << second.out << second.err;
  EXPECT_EQ(SqlColumn(w.Db(), "SELECT id FROM typed_data.orders ORDER BY id"), (std::vector<std::string>{"1", "3"}));
  EXPECT_EQ(DuckType(w.Db(), "orders", "updated_at"), "DECIMAL(38,9)");
}

class TypedJsonPostgres : public PostgresSuite {};

TEST_F(TypedJsonPostgres, EachMarkerLoadsAsAColumnOfItsTypeWithItsExactValue) {
  PipelineWorkspace w;
  CreateDatabase("typed_json");
  w.Write(".dlt/dev.secrets.toml", "[destination.warehouse]\ndestination_type = \"postgres\"\ncredentials = \"" +
                                       server_->Url("typed_json") + "\"\n");
  w.Write("typed.toml", PipelineFile("typed", "events.jsonl"));
  w.Write("events.jsonl", EveryMarker());
  auto r = w.RunPipeline({"typed.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(Value("typed_json", "SELECT string_agg(column_name || ' ' || data_type, ', ' ORDER BY column_name) FROM "
                                "information_schema.columns WHERE table_schema = 'typed_data' AND table_name = 'orders' "
                                "AND column_name NOT LIKE '\\_dlt%'"),
            "at time without time zone, big numeric, blob bytea, day date, gas numeric, hash bytea, id bigint, "
            "local_at timestamp with time zone, paid_at timestamp with time zone, price numeric, ref character varying");
  EXPECT_EQ(Value("typed_json", "SELECT price::text || '|' || (paid_at AT TIME ZONE 'UTC')::text || '|' || "
                                "(local_at AT TIME ZONE 'UTC')::text || '|' || day::text || '|' || \"at\"::text || '|' || "
                                "encode(hash, 'hex') || '|' || encode(blob, 'hex') || '|' || gas::text || '|' || "
                                "big::text || '|' || ref FROM typed_data.orders WHERE id = 1"),
            "12.500000000|2024-01-02 01:04:05.123456|2024-01-02 03:04:05|2024-01-02|03:04:05.123456|00ff41|"
            "000141425cff|1000000000000000000000|123456789012345678901.000000000|6f1c1a8e-6d0e-4d43-9a43-0c4e1e3a6f10");
  EXPECT_EQ(Value("typed_json", "SELECT price::text || '|' || encode(hash, 'hex') FROM typed_data.orders WHERE id = 2"),
            "99.500000000|0a0b");
  EXPECT_EQ(Value("typed_json", "SELECT price::text FROM typed_data.orders WHERE id = 3"), "0.123456790");
}

}  // namespace
}  // namespace dlt::testing
