// `dlt run`, a first run as a user would do it in a temporary workspace: what lands in the DuckDB
// file of the profile (checked with SQL), what is left on disk, the summary; how DuckDB stores
// and compacts it, big packages normalized in halves, and finding the pipeline by name.
#include <sys/stat.h>

#include <string>
#include <vector>

#include "pipeline_cli_support.h"
#include "pipeline_fixture.h"
#include "destinations/destination_types.h"
#include "destinations/duckdb/duckdb_credentials.h"
#include "dlt/destination.h"
#include "load/sql_client.h"

namespace dlt::testing {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using pipeline_cli_test::kDb;
using pipeline_cli_test::Q;
using pipeline_cli_test::Has;

// ---------------------------------------------------------------------------------------------
// 1. A first run: tables, nested tables, system tables, local state, summary.

TEST(PipelineRun, LoadsIntoTheProfileDatabaseWithNestedAndSystemTables) {
  PipelineWorkspace w;
  w.Write("shop.toml", "#!/usr/bin/env -S dlt run\n" + PipelineFile("shop", "orders.jsonl"));
  w.Write("orders.jsonl", Orders(1, 3));
  auto r = w.Dlt({"run", "shop.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_TRUE(Contains(r.out, "Pipeline shop load step completed (1 load package)\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "  destination: duckdb " + w.Db().string() + "\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "  dataset:     shop_data\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "  profile:     dev\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "    orders: 3\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "    orders__items: 6\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "    orders__tags: 6\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "  total rows:  15\n")) << r.out;

  // The dev profile's local folder holds the database named after the destination.
  const fs::path db = w.Db();
  ASSERT_TRUE(fs::exists(db));
  EXPECT_EQ(db, w.root() / "_local" / "dev" / "warehouse.duckdb");
  EXPECT_FALSE(w.Exists("shop.duckdb"));
  EXPECT_EQ(SqlValue(db, "SELECT count(*) FROM information_schema.schemata WHERE schema_name = 'shop_data'"), "1");

  EXPECT_EQ(CountRows(db, Q("orders")), 3);
  EXPECT_EQ(CountRows(db, Q("orders__items")), 6);
  EXPECT_EQ(CountRows(db, Q("orders__tags")), 6);

  auto root_cols = TableColumns(db, kDb, "orders");
  for (const char* c : {"id", "customer", "address__city", "_dlt_load_id", "_dlt_id"}) {
    EXPECT_TRUE(Has(root_cols, c)) << c;
  }
  EXPECT_FALSE(Has(root_cols, "items"));
  EXPECT_FALSE(Has(root_cols, "tags"));
  auto item_cols = TableColumns(db, kDb, "orders__items");
  for (const char* c : {"sku", "qty", "_dlt_parent_id", "_dlt_list_idx", "_dlt_id"}) {
    EXPECT_TRUE(Has(item_cols, c)) << c;
  }
  auto tag_cols = TableColumns(db, kDb, "orders__tags");
  for (const char* c : {"value", "_dlt_parent_id", "_dlt_list_idx", "_dlt_id"}) {
    EXPECT_TRUE(Has(tag_cols, c)) << c;
  }
  EXPECT_EQ(SqlValue(db, "SELECT address__city FROM shop_data.orders WHERE id = 1"), "city1");

  // Nested rows point at their parent, in list order, with their own row keys.
  EXPECT_EQ(SqlValue(db, "SELECT count(*) FROM shop_data.orders__items i LEFT JOIN shop_data.orders o "
                         "ON i._dlt_parent_id = o._dlt_id WHERE o._dlt_id IS NULL"),
            "0");
  EXPECT_EQ(SqlValue(db, "SELECT string_agg(i.sku || ':' || i._dlt_list_idx, ',' ORDER BY i._dlt_list_idx) "
                         "FROM shop_data.orders__items i JOIN shop_data.orders o ON i._dlt_parent_id = o._dlt_id "
                         "WHERE o.id = 2"),
            "sku-2-0:0,sku-2-1:1");
  EXPECT_EQ(SqlValue(db, "SELECT string_agg(t.value, ',' ORDER BY t._dlt_list_idx) FROM shop_data.orders__tags t "
                         "JOIN shop_data.orders o ON t._dlt_parent_id = o._dlt_id WHERE o.id = 3"),
            "t3,all");
  EXPECT_EQ(SqlValue(db, "SELECT count(DISTINCT _dlt_id) FROM shop_data.orders__items"), "6");
  EXPECT_EQ(SqlValue(db, "SELECT count(*) FROM shop_data.orders__items i JOIN shop_data.orders o "
                         "ON i._dlt_id = o._dlt_id"),
            "0");

  // One completed load, and the data rows carry its id.
  auto loads = QueryDuckDb(db, "SELECT load_id, status, schema_name FROM shop_data._dlt_loads");
  ASSERT_EQ(loads.size(), 1u);
  const std::string load_id = loads[0][0].value_or("");
  EXPECT_EQ(loads[0][1].value_or(""), "0");
  EXPECT_EQ(loads[0][2].value_or(""), "shop");
  EXPECT_TRUE(Contains(r.out, "  load ids:    " + load_id + "\n")) << r.out;
  EXPECT_EQ(SqlColumn(db, "SELECT DISTINCT _dlt_load_id FROM shop_data.orders"), std::vector<std::string>{load_id});
  EXPECT_GE(CountRows(db, "shop_data._dlt_version"), 1);
  EXPECT_EQ(SqlValue(db, "SELECT count(*) FROM shop_data._dlt_version WHERE schema_name = 'shop'"),
            std::to_string(CountRows(db, "shop_data._dlt_version")));
  auto state_rows = QueryDuckDb(db, "SELECT pipeline_name, _dlt_load_id, version FROM shop_data._dlt_pipeline_state");
  ASSERT_EQ(state_rows.size(), 1u);
  EXPECT_EQ(state_rows[0][0].value_or(""), "shop");
  EXPECT_EQ(state_rows[0][1].value_or(""), load_id);

  // Local state of the profile.
  ASSERT_TRUE(w.Exists(".dlt/.var/dev/pipelines/shop/state.json"));
  EXPECT_TRUE(w.Exists(".dlt/.var/dev/pipelines/shop/schemas/shop.schema.json"));
  Json st = w.State("shop");
  EXPECT_EQ(st.value("pipeline_name", ""), "shop");
  EXPECT_EQ(st.value("dataset_name", ""), "shop_data");
  EXPECT_EQ(state_rows[0][2].value_or(""), std::to_string(st.value("_state_version", -1)));
  EXPECT_EQ(w.Packages("shop", "load/loaded"), std::vector<std::string>{load_id});
  EXPECT_TRUE(w.Packages("shop", "normalize/extracted").empty());
  EXPECT_TRUE(w.Packages("shop", "load/normalized").empty());
  // The extracted package is deleted on a thread of its own, which the run waits for.
  EXPECT_TRUE(w.Packages("shop", "load/new").empty());
}

// Row keys (_dlt_id) never repeat: their columns are stored uncompressed. Parent keys repeat for
// each child row: FSST. Neither gets DuckDB's trial of every method; other columns keep its choice.
TEST(PipelineRun, RowKeysAreStoredUncompressedAndParentKeysWithFsst) {
  PipelineWorkspace w;
  w.Write("shop.toml", PipelineFile("shop", "orders.jsonl"));
  std::string rows;
  for (int i = 0; i < 40; ++i) rows += Orders(i * 100 + 1, i * 100 + 100);
  w.Write("orders.jsonl", rows);
  ASSERT_EQ(w.RunPipeline({"shop.toml"}).exit_code, 0);
  const fs::path db = w.Db();
  auto compression = [&](const std::string& table, const std::string& column) {
    return SqlColumn(db, "SELECT DISTINCT compression FROM pragma_storage_info('shop_data." + table +
                             "') WHERE column_name = '" + column + "' AND segment_type = 'VARCHAR'");
  };
  for (const char* table : {"orders", "orders__items"}) {
    EXPECT_EQ(compression(table, "_dlt_id"), std::vector<std::string>{"Uncompressed"}) << table;
  }
  EXPECT_EQ(compression("orders__items", "_dlt_parent_id"), std::vector<std::string>{"FSST"});
  // A repeated, low-cardinality text column is left to DuckDB (dictionary here).
  std::string city = SqlValue(db, "SELECT string_agg(DISTINCT compression, ',') FROM pragma_storage_info('shop_data.orders') "
                                 "WHERE column_name = 'address__city' AND segment_type = 'VARCHAR'");
  EXPECT_FALSE(city.empty());
  EXPECT_EQ(city.find("FSST"), std::string::npos) << city;
  EXPECT_EQ(CountRows(db, Q("orders")), 4000);
}

// The COMMIT of a package checkpoints the DuckDB file; compacting row groups ("vacuum") then only
// runs for packages that deleted rows (merge): an append or replace skips it.
TEST(PipelineRun, DuckDbCompactsRowGroupsOnlyAfterDeletes) {
  PipelineWorkspace w;
  DestinationConfig d;
  d.name = "warehouse";
  d.type = "duckdb";
  d.credentials = std::make_shared<DuckDbCredentials>(w.root() / "vacuum.duckdb");
  auto dest = OpenDestination(d, {"vacuum_data", "", /*read_only=*/false});
  ASSERT_TRUE(dest.ok()) << dest.status().message();
  SqlClient* client = (*dest)->sql_client();
  auto setting = [&] {
    auto rows = client->Query("SELECT current_setting('max_vacuum_tasks')::VARCHAR");
    return rows.ok() && !rows->empty() ? rows->front()[0].value_or("NULL") : "error";
  };
  const std::string by_default = setting();
  ASSERT_NE(by_default, "0");
  ASSERT_NE(by_default, "error");
  ASSERT_TRUE(client->BeforeCommit(/*rows_deleted=*/false).ok());
  EXPECT_EQ(setting(), "0");
  ASSERT_TRUE(client->BeforeCommit(/*rows_deleted=*/true).ok());
  EXPECT_EQ(setting(), by_default);
  ASSERT_TRUE(client->BeforeCommit(/*rows_deleted=*/false).ok());
  EXPECT_EQ(setting(), "0");
}

// Packages of 48 MB and more are normalized in two halves at once, each from the same starting
// schema, merged in record order. The result must be the one of a single pass: the same columns
// in the same order, variant columns where a type changes in the second half (which is then
// redone after the first), and every row once. The same records in a small file (one pass) are
// the reference.
std::string BigOrders(int from, int to, bool late) {
  static const std::string filler(400, 'f');
  std::string out;
  for (int i = from; i <= to; ++i) {
    out += "{\"id\": " + std::to_string(i) + ", \"note\": \"" + filler + "\", \"x\": ";
    out += late ? "\"text" + std::to_string(i) + "\"" : std::to_string(i);
    out += ", \"items\": [{\"k\": " + std::to_string(i) + "}]";
    if (late) out += ", \"late\": \"yes\", \"extras\": [1, 2]";
    out += "}\n";
  }
  return out;
}

TEST(PipelineRun, BigPackagesNormalizeInTwoHalvesExactlyLikeOnePass) {
  PipelineWorkspace w;
  // ~57 MB in 16 MB part files, the second half all late records (new columns, a new nested
  // table, and `x` as text where it was a number), so that the second half starts with `x` as
  // text and disagrees with the first.
  const int n = 60000, m = 60000;
  w.Write("big.jsonl", BigOrders(1, n, false) + BigOrders(n + 1, n + m, true));
  w.Write("small.jsonl", BigOrders(1, 3, false) + BigOrders(4, 5, true));
  w.Write("big.toml", PipelineFile("big", "big.jsonl"));
  w.Write("small.toml", PipelineFile("small", "small.jsonl"));
  auto big = w.RunPipeline({"big.toml"});
  ASSERT_EQ(big.exit_code, 0) << big.err;
  ASSERT_EQ(w.RunPipeline({"small.toml"}).exit_code, 0);
  const fs::path db = w.Db();
  for (const char* table : {"orders", "orders__items", "orders__extras"}) {
    EXPECT_EQ(TableColumns(db, "big_data", table), TableColumns(db, "small_data", table)) << table;
  }
  auto cols = TableColumns(db, "big_data", "orders");
  EXPECT_TRUE(Has(cols, "x__v_text")) << "the late text values of x go to a variant column";
  EXPECT_EQ(CountRows(db, "big_data.orders"), n + m);
  // It was normalized in parts (each writes its own job files).
  auto loaded = w.Packages("big", "load/loaded");
  ASSERT_EQ(loaded.size(), 1u);
  int order_files = 0;
  for (const auto& e : fs::directory_iterator(w.PipelineDir("big") / "load" / "loaded" / loaded[0] / "completed_jobs")) {
    if (e.path().filename().string().starts_with("orders.")) ++order_files;
  }
  EXPECT_GE(order_files, 2);
  EXPECT_EQ(SqlValue(db, "SELECT count(DISTINCT id) FROM big_data.orders"), std::to_string(n + m));
  EXPECT_EQ(SqlValue(db, "SELECT count(*) FROM big_data.orders WHERE x IS NOT NULL"), std::to_string(n));
  EXPECT_EQ(SqlValue(db, "SELECT count(*) FROM big_data.orders WHERE x__v_text LIKE 'text%'"), std::to_string(m));
  EXPECT_EQ(CountRows(db, "big_data.orders__items"), n + m);
  EXPECT_EQ(CountRows(db, "big_data.orders__extras"), 2 * m);
  EXPECT_EQ(SqlValue(db, "SELECT count(*) FROM big_data.orders__items i LEFT JOIN big_data.orders o "
                         "ON i._dlt_parent_id = o._dlt_id WHERE o._dlt_id IS NULL"),
            "0");
  // The stored schemas agree too: same tables, same columns in the same order, same types.
  using Ordered = nlohmann::ordered_json;  // keeps the columns in their stored order
  Ordered bs = Ordered::parse(ReadFile(w.PipelineDir("big") / "schemas" / "big.schema.json"));
  Ordered ss = Ordered::parse(ReadFile(w.PipelineDir("small") / "schemas" / "small.schema.json"));
  for (const char* table : {"orders", "orders__items", "orders__extras"}) {
    ASSERT_TRUE(bs["tables"].contains(table)) << table;
    std::vector<std::string> bnames, snames;
    for (auto it = bs["tables"][table]["columns"].begin(); it != bs["tables"][table]["columns"].end(); ++it) {
      bnames.push_back(it.key() + ":" + it.value().value("data_type", ""));
    }
    for (auto it = ss["tables"][table]["columns"].begin(); it != ss["tables"][table]["columns"].end(); ++it) {
      snames.push_back(it.key() + ":" + it.value().value("data_type", ""));
    }
    EXPECT_EQ(bnames, snames) << table;
  }

  // Halves that agree (no type change) are merged without a second pass; the result is the same.
  w.Write("agree.jsonl", BigOrders(1, n, false) + Orders(1, 3));
  w.Write("agree_small.jsonl", BigOrders(1, 3, false) + Orders(1, 3));
  w.Write("agree.toml", PipelineFile("agree", "agree.jsonl"));
  w.Write("agree_small.toml", PipelineFile("agree_small", "agree_small.jsonl"));
  ASSERT_EQ(w.RunPipeline({"agree.toml"}).exit_code, 0);
  ASSERT_EQ(w.RunPipeline({"agree_small.toml"}).exit_code, 0);
  for (const char* table : {"orders", "orders__items", "orders__tags"}) {
    EXPECT_EQ(TableColumns(db, "agree_data", table), TableColumns(db, "agree_small_data", table)) << table;
  }
  EXPECT_EQ(CountRows(db, "agree_data.orders"), n + 3);
}

TEST(PipelineRun, FindsThePipelineByNameFromSubfoldersAndRunsAsAnExecutable) {
  PipelineWorkspace w;
  const std::string file = "#!/usr/bin/env -S dlt run\n" + PipelineFile("shop", "orders.jsonl");
  w.Write("shop.toml", file);
  w.Write("orders.jsonl", Orders(1, 2));
  fs::create_directories(w.root() / "sub" / "deeper");

  auto by_name = w.Dlt({"run", "shop", "-q"});
  ASSERT_EQ(by_name.exit_code, 0) << by_name.err;
  auto from_sub = w.Dlt({"run", "shop", "-q"}, w.root() / "sub" / "deeper");
  ASSERT_EQ(from_sub.exit_code, 0) << from_sub.err;
  EXPECT_EQ(from_sub.err, "");
  EXPECT_FALSE(fs::exists(w.root() / "sub" / "deeper" / ".dlt"));
  EXPECT_FALSE(fs::exists(w.root() / "sub" / "deeper" / "_local"));

  // `#!/usr/bin/env -S dlt run`: the file itself is the command.
  ASSERT_EQ(::chmod((w.root() / "shop.toml").c_str(), 0755), 0);
  auto env = w.env();
  env["PATH"] = fs::path(DLT_BINARY).parent_path().string() + ":/usr/local/bin:/usr/bin:/bin";
  auto exec = dlt::testing::Run({(w.root() / "shop.toml").string()}, w.root(), env);
  ASSERT_EQ(exec.exit_code, 0) << exec.out << exec.err;
  EXPECT_TRUE(Contains(exec.out, "Pipeline shop load step completed")) << exec.out;

  // A file with another name is found through its [pipeline] name.
  w.Write("pipelines/nightly_job.toml", PipelineFile("inventory", "../orders.jsonl"));
  auto other = w.Dlt({"run", "inventory", "-q"});
  ASSERT_EQ(other.exit_code, 0) << other.err;
  EXPECT_EQ(CountRows(w.Db(), "inventory_data.orders"), 2);

  EXPECT_EQ(CountRows(w.Db(), Q("orders")), 6);
  EXPECT_EQ(CountRows(w.Db(), Q("_dlt_loads")), 3);
  EXPECT_EQ(SqlValue(w.Db(), "SELECT count(*) FROM shop_data._dlt_loads WHERE status = 0"), "3");

  auto unknown = w.Dlt({"run", "shpo"});
  EXPECT_EQ(unknown.exit_code, 3) << unknown.err;
  EXPECT_TRUE(Contains(unknown.err, "ERROR: ")) << unknown.err;
  EXPECT_TRUE(Contains(unknown.err, "Did you mean `shop`?")) << unknown.err;
}

}  // namespace
}  // namespace dlt::testing
