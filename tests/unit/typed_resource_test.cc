// Typed resources (normalize/typed_batch.h): resources whose rows come with their types, extracted
// as typed jobs and normalized without JSON, loaded into DuckDB through the C++ API.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "destinations/duckdb/duckdb_api.h"
#include "dlt/pipeline.h"
#include "dlt/workspace.h"
#include "extract/resource_access.h"
#include "normalize/typed_batch.h"
#include "normalize/typed_job_file.h"
#include "pipeline/package_manifest.h"
#include "support/temp_workspace.h"
#include "test_util.h"
#include "typed_test_support.h"

namespace dlt {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using namespace typed_test;

TEST(TypedResource, EveryTypeWithNullsLoadsIntoDuckDbExactly) {
  TypedEnv env;
  auto info = env.Run({ResourceAccess::FromBatches(Options("things"), std::vector<TypedBatch>{EveryType()})});
  ASSERT_TRUE(info.ok()) << info.status().message();
  EXPECT_EQ(env.Rows("SELECT id, name, CAST(price AS VARCHAR), ratio, active, epoch_us(created_at), day, \"at\", "
                     "CAST(doc AS VARCHAR), hex(blob) FROM shop_data.things ORDER BY id"),
            (std::vector<std::string>{
                "1|Zoë, \"quoted\"\nline|12345678901234567890.123456789|0.1|true|1717243200123456|2024-06-01|"
                "13:14:15.5|{\"a\":[1,2],\"b\":null}|000141425CFF",
                "2|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL"}));
  // The types come from the batch, with the decimal's precision and scale.
  Json cols = env.StoredTable("things")["columns"];
  EXPECT_EQ(cols["price"]["data_type"], "decimal");
  EXPECT_EQ(cols["price"]["precision"], 38);
  EXPECT_EQ(cols["price"]["scale"], 9);
  EXPECT_EQ(cols["blob"]["data_type"], "binary");
  EXPECT_EQ(cols["doc"]["data_type"], "json");
  EXPECT_EQ(cols["day"]["data_type"], "date");
  EXPECT_EQ(cols["at"]["data_type"], "time");
  EXPECT_EQ(env.Rows("SELECT data_type FROM information_schema.columns WHERE table_schema = 'shop_data' AND "
                     "table_name = 'things' AND column_name = 'price'"),
            (std::vector<std::string>{"DECIMAL(38,9)"}));
  // Rows get the load id and a random row key, as JSON rows do.
  EXPECT_EQ(env.Rows("SELECT count(DISTINCT _dlt_id), count(DISTINCT _dlt_load_id) FROM shop_data.things"),
            (std::vector<std::string>{"2|1"}));
}

TEST(TypedResource, ColumnTypesComeFromTheBatchNotFromTheValues) {
  TypedEnv env;
  TypedColumn naive = Col("local_ts", DataType::kTimestamp);
  naive.timezone = false;
  TypedBatch b({Col("code", DataType::kText), Col("n", DataType::kBigint), Col("ts_text", DataType::kText), naive});
  b.AppendText(0, "42");
  b.AppendInt(1, 1);
  b.AppendText(2, "2024-06-01T12:00:00Z");  // JSON would detect a timestamp
  b.AppendInt(3, 0);
  auto info = env.Run({ResourceAccess::FromBatches(Options("codes"), std::vector<TypedBatch>{b})});
  ASSERT_TRUE(info.ok()) << info.status().message();
  Json cols = env.StoredTable("codes")["columns"];
  EXPECT_EQ(cols["code"]["data_type"], "text");
  EXPECT_EQ(cols["n"]["data_type"], "bigint");
  EXPECT_EQ(cols["ts_text"]["data_type"], "text");
  EXPECT_EQ(cols["local_ts"]["data_type"], "timestamp");
  EXPECT_EQ(cols["local_ts"]["timezone"], false);
  EXPECT_EQ(env.Rows("SELECT code, ts_text FROM shop_data.codes"),
            (std::vector<std::string>{"42|2024-06-01T12:00:00Z"}));
}

TEST(TypedResource, ATypedAndAJsonResourceLoadInOneRunAndTheManifestMarksTheTypedJob) {
  TypedEnv env;
  auto info = env.Run({ResourceAccess::FromBatches(Options("orders"), std::vector<TypedBatch>{Orders({{1, "new"}, {2, "paid"}})}),
                       Resource::FromRows(Options("events"), {R"({"id": 1, "kind": "click"})"})});
  ASSERT_TRUE(info.ok()) << info.status().message();
  EXPECT_EQ(env.Rows("SELECT id, status, amount FROM shop_data.orders ORDER BY id"),
            (std::vector<std::string>{"1|new|1.50", "2|paid|2.50"}));
  EXPECT_EQ(env.Rows("SELECT id, kind FROM shop_data.events"), (std::vector<std::string>{"1|click"}));
  ASSERT_EQ(info->load_ids.size(), 1u);
  std::ifstream in(env.pipeline_dir() / "load" / "loaded" / info->load_ids[0] / "load_package_state.json");
  Json ps = Json::parse(in);
  EXPECT_EQ(ps["job_kinds"], (Json{{"orders.001_00000.0.typed", "typed"}, {"events.002_00000.0.jsonl", "json"}}))
      << ps["job_kinds"].dump();
}

TEST(TypedResource, TypedAndJsonRowsOfOneTableInOneRunShareItsColumns) {
  TypedEnv env;
  // Jobs are normalized in file name order: a_api, then orders_db, then z_api, whose "3.50"
  // goes into the decimal column the typed batch made (not into a variant column).
  ResourceOptions before = Options("a_api"), typed = Options("orders_db"), after = Options("z_api");
  before.table_name = typed.table_name = after.table_name = "orders";
  auto info = env.Run({Resource::FromRows(before, {R"({"id": 1, "status": "new", "source": "api"})"}),
                       ResourceAccess::FromBatches(typed, std::vector<TypedBatch>{Orders({{2, "paid"}})}),
                       Resource::FromRows(after, {R"({"id": 3, "amount": "3.50"})"})});
  ASSERT_TRUE(info.ok()) << info.status().message();
  EXPECT_EQ(env.Rows("SELECT id, status, amount, source FROM shop_data.orders ORDER BY id"),
            (std::vector<std::string>{"1|new|NULL|api", "2|paid|2.50|NULL", "3|NULL|3.50|NULL"}));
  Json cols = env.StoredTable("orders")["columns"];
  EXPECT_EQ(cols["amount"]["data_type"], "decimal");
  EXPECT_FALSE(cols.contains("amount__v_text")) << cols.dump();
}

TEST(TypedResource, AppendTwiceReplaceAndMergeOnThePrimaryKey) {
  TypedEnv env;
  auto typed = [](const std::string& disposition, std::vector<std::pair<int64_t, std::string>> rows) {
    ResourceOptions o = Options("orders", disposition);
    if (disposition == "merge") o.primary_key = {"id"};
    return ResourceAccess::FromBatches(o, std::vector<TypedBatch>{Orders(std::move(rows))});
  };
  auto q = [&] { return env.Rows("SELECT id, status FROM shop_data.orders ORDER BY id, status"); };
  ASSERT_TRUE(env.Run({typed("append", {{1, "new"}})}).ok());
  ASSERT_TRUE(env.Run({typed("append", {{2, "new"}})}).ok());
  EXPECT_EQ(q(), (std::vector<std::string>{"1|new", "2|new"}));
  ASSERT_TRUE(env.Run({typed("replace", {{3, "new"}})}).ok());
  EXPECT_EQ(q(), (std::vector<std::string>{"3|new"}));
  ASSERT_TRUE(env.Run({typed("merge", {{3, "paid"}, {4, "new"}})}).ok());
  auto merged = env.Run({typed("merge", {{4, "shipped"}})});
  ASSERT_TRUE(merged.ok()) << merged.status().message();
  EXPECT_EQ(q(), (std::vector<std::string>{"3|paid", "4|shipped"}));
  EXPECT_EQ(env.StoredTable("orders")["columns"]["id"]["primary_key"], true);
}

TEST(TypedResource, AnIncrementalCursorSkipsRowsAlreadyLoaded) {
  TypedEnv env;
  auto typed = [](std::vector<std::pair<int64_t, std::string>> rows) {
    ResourceOptions o = Options("orders");
    o.primary_key = {"id"};
    o.incremental = IncrementalOptions{};
    o.incremental->cursor_path = "id";
    return ResourceAccess::FromBatches(o, std::vector<TypedBatch>{Orders(std::move(rows))});
  };
  ASSERT_TRUE(env.Run({typed({{1, "a"}, {2, "b"}})}).ok());
  auto second = env.Run({typed({{1, "a"}, {2, "b"}, {3, "c"}})});
  ASSERT_TRUE(second.ok()) << second.status().message();
  // id 1 is below the last value; id 2 is at it and was loaded (remembered by its key's hash).
  EXPECT_EQ(second->records_skipped, 2u);
  EXPECT_EQ(env.Rows("SELECT id FROM shop_data.orders ORDER BY id"), (std::vector<std::string>{"1", "2", "3"}));
}

// A batch whose column has another type than the table's (another CSV file sniffed otherwise, a
// later run): its rows go through the JSON normalizer, as dlt's normalizer takes the dicts its
// readers yield: a value that coerces goes into the column, one that does not into a variant
// column. Arrow items (dlt's Arrow tables, which make no variants) fail naming both types.
TEST(TypedResource, ABatchTypeThatConflictsWithTheColumnCoercesOrMakesAVariantColumn) {
  TypedEnv env;
  TypedBatch first({Col("id", DataType::kBigint), Col("status", DataType::kText), Col("qty", DataType::kBigint)});
  first.AppendInt(0, 1);
  first.AppendText(1, "a");
  first.AppendInt(2, 3);
  ASSERT_TRUE(env.Run({ResourceAccess::FromBatches(Options("orders"), std::vector<TypedBatch>{first})}).ok());
  // status as bigint (coerced to the text column), qty as double: 4.0 fits the bigint column,
  // 2.5 goes to the variant column qty__v_double.
  TypedBatch b({Col("id", DataType::kBigint), Col("status", DataType::kBigint), Col("qty", DataType::kDouble)});
  b.AppendInt(0, 2);
  b.AppendInt(1, 5);
  b.AppendDouble(2, 4.0);
  b.AppendInt(0, 3);
  b.AppendNull(1);
  b.AppendDouble(2, 2.5);
  auto r = env.Run({ResourceAccess::FromBatches(Options("orders"), std::vector<TypedBatch>{b})});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(env.Rows("SELECT id || '|' || coalesce(status, '-') || '|' || coalesce(CAST(qty AS VARCHAR), '-') || '|' || "
                     "coalesce(CAST(qty__v_double AS VARCHAR), '-') FROM shop_data.orders ORDER BY id"),
            (std::vector<std::string>{"1|a|3|-", "2|5|4|-", "3|-|-|2.5"}));
  ResourceOptions arrow = Options("orders");
  arrow.arrow_items = true;
  auto a = env.Run({ResourceAccess::FromBatches(arrow, std::vector<TypedBatch>{b})});
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.status().message().find("column `status` is bigint, but column `status` of table `orders` is text"),
            std::string::npos)
      << a.status().message();
  EXPECT_EQ(env.Rows("SELECT count(*) FROM shop_data.orders"), (std::vector<std::string>{"3"}));
}

TEST(TypedResource, SchemaContractsFreezeOrDiscardNewColumnsOfATypedTable) {
  TypedEnv env;
  ASSERT_TRUE(env.Run({ResourceAccess::FromBatches(Options("orders"), std::vector<TypedBatch>{Orders({{1, "a"}})})}).ok());
  TypedBatch wider({Col("id", DataType::kBigint), Col("note", DataType::kText)});
  wider.AppendInt(0, 2);
  wider.AppendText(1, "gift");
  ResourceOptions frozen = Options("orders");
  frozen.schema_contract.columns = "freeze";
  auto r = env.Run({ResourceAccess::FromBatches(frozen, std::vector<TypedBatch>{wider})});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("would add the new column `note` to table `orders`"), std::string::npos)
      << r.status().message();
  ResourceOptions discard = Options("orders");
  discard.schema_contract.columns = "discard_value";
  auto d = env.Run({ResourceAccess::FromBatches(discard, std::vector<TypedBatch>{wider})});
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ(env.Rows("SELECT id, status FROM shop_data.orders ORDER BY id"), (std::vector<std::string>{"1|a", "2|NULL"}));
  EXPECT_FALSE(env.StoredTable("orders")["columns"].contains("note"));
}

// discard_row on typed batches, as dlt applies it to Arrow tables: the rows holding a value in a
// column the contract refuses are removed, then the column; a new table's batches are skipped.
TEST(TypedResource, DiscardRowRemovesTheRowsWithARefusedValueAndSkipsANewTable) {
  TypedEnv env;
  ASSERT_TRUE(env.Run({ResourceAccess::FromBatches(Options("orders"), std::vector<TypedBatch>{Orders({{1, "a"}})})}).ok());
  // A new column `note`, set in rows 2 and 4 only.
  TypedBatch wider({Col("id", DataType::kBigint), Col("status", DataType::kText), Col("note", DataType::kText)});
  for (int64_t id = 2; id <= 5; ++id) {
    wider.AppendInt(0, id);
    wider.AppendText(1, "s" + std::to_string(id));
    if (id % 2 == 0) wider.AppendText(2, "gift"); else wider.AppendNull(2);
  }
  ResourceOptions columns = Options("orders");
  columns.schema_contract.columns = "discard_row";
  auto c = env.Run({ResourceAccess::FromBatches(columns, std::vector<TypedBatch>{wider})});
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(env.Rows("SELECT id, status FROM shop_data.orders ORDER BY id"), (std::vector<std::string>{"1|a", "3|s3", "5|s5"}));
  EXPECT_FALSE(env.StoredTable("orders")["columns"].contains("note"));

  // `status` is text: a batch with it as bigint drops the rows that have a value there.
  TypedBatch retyped({Col("id", DataType::kBigint), Col("status", DataType::kBigint)});
  retyped.AppendInt(0, 6);
  retyped.AppendInt(1, 7);
  retyped.AppendInt(0, 8);
  retyped.AppendNull(1);
  ResourceOptions types = Options("orders");
  types.schema_contract.data_type = "discard_row";
  auto t = env.Run({ResourceAccess::FromBatches(types, std::vector<TypedBatch>{retyped})});
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(env.Rows("SELECT id, coalesce(status, 'NULL') FROM shop_data.orders WHERE id > 5 ORDER BY id"),
            (std::vector<std::string>{"8|NULL"}));
  EXPECT_EQ(env.StoredTable("orders")["columns"]["status"]["data_type"], "text");

  // A table the schema does not have yet: nothing of it is loaded, and the run succeeds.
  for (const char* mode : {"discard_row", "discard_value"}) {
    ResourceOptions tables = Options(std::string("returns_") + mode);
    tables.schema_contract.tables = mode;
    auto n = env.Run({ResourceAccess::FromBatches(tables, std::vector<TypedBatch>{Orders({{9, "r"}})})});
    ASSERT_TRUE(n.ok()) << mode << ": " << n.status().message();
    EXPECT_EQ(env.Rows(std::string("SELECT count(*) FROM information_schema.tables WHERE table_name = 'returns_") + mode + "'"),
              (std::vector<std::string>{"0"}))
        << mode;
  }
}

TEST(TypedResource, TypedRowsOfThisPackageDoNotCountAsDataAFrozenSchemaHeldBefore) {
  TypedEnv env;
  // A new schema: tables = "freeze" lets the first package create its tables, typed or not,
  // whichever job is normalized first.
  ResourceOptions events = Options("z_events");
  events.schema_contract.tables = "freeze";
  auto info = env.Run({ResourceAccess::FromBatches(Options("a_orders"), std::vector<TypedBatch>{Orders({{1, "a"}})}),
                       Resource::FromRows(events, {R"({"id": 1})"})});
  ASSERT_TRUE(info.ok()) << info.status().message();
  EXPECT_EQ(env.Rows("SELECT count(*) FROM shop_data.z_events"), (std::vector<std::string>{"1"}));
}

TEST(TypedResource, ANotNullColumnWithANullIsRefusedNamingTheRow) {
  TypedEnv env;
  TypedBatch first({Col("id", DataType::kBigint, {}, {}, false)});
  first.AppendInt(0, 1);
  TypedBatch b({Col("id", DataType::kBigint, {}, {}, false)});
  b.AppendInt(0, 2);
  b.AppendNull(0);
  auto r = env.Run({ResourceAccess::FromBatches(Options("orders"), std::vector<TypedBatch>{first, b})});
  ASSERT_FALSE(r.ok());
  // Into DuckDB the extracted file is the load job as it is (pipeline/typed_items.h): its rows
  // are counted over the whole file, the second batch's second row being the file's third.
  EXPECT_NE(r.status().message().find("file orders.001_00000.0.typed row 3: column `id` of table `orders` is declared "
                                      "not null"),
            std::string::npos)
      << r.status().message();
}

// A run killed after its typed package was extracted leaves the package pending; the next run
// normalizes and loads it (the workspace is shared with the killed child through TYPED_CRASH_ROOT).
TEST(TypedResourceDeathTest, APendingTypedPackageIsNormalizedByTheNextRun) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  // The child (a new process running this test up to EXPECT_EXIT) uses the parent's folder.
  const char* inherited = std::getenv("TYPED_CRASH_ROOT");
  std::optional<testing::TempDir> tmp;
  if (!inherited) tmp.emplace();
  fs::path root = inherited ? fs::path(inherited) : tmp->path();
  ::setenv("TYPED_CRASH_ROOT", root.c_str(), 1);
  TypedEnv env(root);
  EXPECT_EXIT(
      {
        ::setenv("DLT_FAULT_KILL_AT", "after_extract", 1);
        (void)env.Run({ResourceAccess::FromBatches(Options("orders"), std::vector<TypedBatch>{Orders({{1, "a"}, {2, "b"}})})});
        std::exit(0);
      },
      ::testing::KilledBySignal(SIGKILL), "");
  ::unsetenv("TYPED_CRASH_ROOT");
  fs::path pipeline_dir = root / "ws" / ".dlt" / ".var" / "dev" / "pipelines" / "shop";
  std::vector<fs::path> pending;
  for (const auto& e : fs::directory_iterator(pipeline_dir / "normalize" / "extracted")) pending.push_back(e.path());
  ASSERT_EQ(pending.size(), 1u);
  std::ifstream in(pending[0] / "load_package_state.json");
  Json ps = Json::parse(in);
  EXPECT_EQ(ps["job_kinds"]["orders.001_00000.0.typed"], "typed") << ps.dump();

  auto info = env.Run({});
  ASSERT_TRUE(info.ok()) << info.status().message();
  EXPECT_EQ(env.Rows("SELECT id, status FROM shop_data.orders ORDER BY id"), (std::vector<std::string>{"1|a", "2|b"}));
}

// Not a check: the figures for the README and reviews. Run with
//   build/dlt_unit_tests --gtest_also_run_disabled_tests --gtest_filter='TypedBench.*'
// 1M rows of 10 columns as one typed resource, then the same rows as JSON documents.
TEST(TypedBench, DISABLED_NormalizeOneMillionRowsTypedVersusJson) {
  const int64_t n = 1000000;
  std::vector<TypedColumn> cols = {Col("id", DataType::kBigint),     Col("customer", DataType::kText),
                                   Col("amount", DataType::kDecimal, 12, 2), Col("ratio", DataType::kDouble),
                                   Col("paid", DataType::kBool),     Col("created_at", DataType::kTimestamp),
                                   Col("day", DataType::kDate),      Col("qty", DataType::kBigint),
                                   Col("note", DataType::kText),     Col("score", DataType::kDouble)};
  std::vector<TypedBatch> batches;
  std::vector<std::string> json;
  json.reserve(n);
  for (int64_t start = 0; start < n; start += 65536) {
    TypedBatch b(cols);
    for (int64_t i = start; i < std::min(n, start + 65536); ++i) {
      const int64_t ts_micros = 1700000000000000 + i * 1000000, days = 19000 + i % 365;
      std::string customer = "customer-" + std::to_string(i % 997), ts = TimestampCell(ts_micros);
      std::string day = DateCell(days), amount = std::to_string(i % 10000) + ".25";
      b.AppendInt(0, i);
      b.AppendText(1, customer);
      b.AppendText(2, amount);
      b.AppendDouble(3, i * 0.5);
      b.AppendBool(4, i % 2 == 0);
      b.AppendInt(5, ts_micros);
      b.AppendInt(6, days);
      b.AppendInt(7, i % 13);
      b.AppendText(8, "note number " + std::to_string(i));
      b.AppendDouble(9, 1.25);
      json.push_back("{\"id\":" + std::to_string(i) + ",\"customer\":\"" + customer + "\",\"amount\":\"" + amount +
                     "\",\"ratio\":" + std::to_string(i * 0.5) + ",\"paid\":" + (i % 2 == 0 ? "true" : "false") +
                     ",\"created_at\":\"" + ts + "\",\"day\":\"" + day + "\",\"qty\":" + std::to_string(i % 13) +
                     ",\"note\":\"note number " + std::to_string(i) + "\",\"score\":1.25}");
    }
    batches.push_back(std::move(b));
  }
  auto report = [](const char* what, const LoadInfo& info) {
    for (const auto& s : info.steps) std::printf("%-6s %-10s %8.3f s  %10llu rows\n", what, s.step.c_str(), s.seconds,
                                                static_cast<unsigned long long>(s.rows));
  };
  {
    TypedEnv env;
    auto info = env.Run({ResourceAccess::FromBatches(Options("typed_rows"), std::move(batches))});
    ASSERT_TRUE(info.ok()) << info.status().message();
    report("typed", *info);
  }
  {
    TypedEnv env;
    auto info = env.Run({Resource::FromRows(Options("json_rows"), std::move(json))});
    ASSERT_TRUE(info.ok()) << info.status().message();
    report("json", *info);
  }
}

}  // namespace
}  // namespace dlt
