// `dlt run` and `dlt pipeline`, run as a user would in a temporary workspace: what lands in the
// DuckDB file of the profile (checked with SQL), what is left on disk, exit codes and messages.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <set>
#include <thread>

#include "pipeline_fixture.h"
#include "dlt/destination.h"
#include "load/sql_client.h"
#include "destinations/destination_types.h"
#include "destinations/duckdb/duckdb_credentials.h"

namespace dlt::testing {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

const char* const kDb = "shop_data";

std::string Q(const std::string& table) { return std::string(kDb) + "." + table; }

bool Has(const std::vector<std::string>& v, const std::string& x) { return std::find(v.begin(), v.end(), x) != v.end(); }

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

// ---------------------------------------------------------------------------------------------
// 2. Write dispositions over repeated runs.

TEST(PipelineDisposition, AppendLoadsTheSameInputTwice) {
  PipelineWorkspace w;
  w.Write("shop.toml", PipelineFile("shop", "orders.jsonl", "write_disposition = \"append\"\n"));
  w.Write("orders.jsonl", Orders(1, 3));
  ASSERT_EQ(w.RunPipeline({"shop.toml"}).exit_code, 0);
  auto r = w.RunPipeline({"shop.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(CountRows(w.Db(), Q("orders")), 6);
  EXPECT_EQ(CountRows(w.Db(), Q("orders__items")), 12);
  EXPECT_EQ(CountRows(w.Db(), Q("orders__tags")), 12);
  EXPECT_EQ(SqlValue(w.Db(), "SELECT count(*) FROM shop_data.orders WHERE id = 2"), "2");
  EXPECT_EQ(CountRows(w.Db(), Q("_dlt_loads")), 2);
  EXPECT_EQ(SqlValue(w.Db(), "SELECT count(DISTINCT _dlt_load_id) FROM shop_data.orders"), "2");
}

TEST(PipelineDisposition, ReplaceKeepsOnlyTheLastRunIncludingNestedTables) {
  PipelineWorkspace w;
  w.Write("shop.toml", PipelineFile("shop", "orders.jsonl", "write_disposition = \"replace\"\n"));
  w.Write("orders.jsonl", Orders(1, 3));
  ASSERT_EQ(w.RunPipeline({"shop.toml"}).exit_code, 0);
  auto r = w.RunPipeline({"shop.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(CountRows(w.Db(), Q("orders")), 3);
  EXPECT_EQ(CountRows(w.Db(), Q("orders__items")), 6);
  EXPECT_EQ(CountRows(w.Db(), Q("orders__tags")), 6);
  EXPECT_EQ(CountRows(w.Db(), Q("_dlt_loads")), 2);

  // Fewer rows: only they remain, in every table of the resource.
  w.Write("orders.jsonl", Orders(7, 7, 1));
  ASSERT_EQ(w.RunPipeline({"shop.toml"}).exit_code, 0);
  EXPECT_EQ(SqlColumn(w.Db(), "SELECT id FROM shop_data.orders"), std::vector<std::string>{"7"});
  EXPECT_EQ(SqlColumn(w.Db(), "SELECT sku FROM shop_data.orders__items"), std::vector<std::string>{"sku-7-0"});
  EXPECT_EQ(SqlColumn(w.Db(), "SELECT value FROM shop_data.orders__tags ORDER BY _dlt_list_idx"),
            (std::vector<std::string>{"t7", "all"}));
  EXPECT_EQ(CountRows(w.Db(), Q("_dlt_loads")), 3);
}

TEST(PipelineDisposition, MergeOnPrimaryKeyUpdatesRowsAndReplacesTheirNestedRows) {
  PipelineWorkspace w;
  w.Write("shop.toml", PipelineFile("shop", "orders.jsonl",
                                    "write_disposition = \"merge\"\nprimary_key = \"id\"\n"));
  w.Write("orders.jsonl", Orders(1, 3));
  ASSERT_EQ(w.RunPipeline({"shop.toml"}).exit_code, 0);
  EXPECT_EQ(CountRows(w.Db(), Q("orders")), 3);
  EXPECT_EQ(CountRows(w.Db(), Q("orders__items")), 6);

  // Order 2 changed (new customer, one item instead of two); order 4 is new.
  w.Write("update.jsonl", Orders(2, 2, 1, "updated") + Orders(4, 4, 2, "new"));
  auto r = w.RunPipeline({"shop.toml", "--resource", "orders=update.jsonl"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const fs::path db = w.Db();
  EXPECT_EQ(CountRows(db, Q("orders")), 4);
  EXPECT_EQ(SqlColumn(db, "SELECT id || '=' || customer FROM shop_data.orders ORDER BY id"),
            (std::vector<std::string>{"1=c1", "2=updated2", "3=c3", "4=new4"}));
  EXPECT_EQ(CountRows(db, Q("orders__items")), 7);  // 2 + 1 + 2 + 2
  EXPECT_EQ(SqlColumn(db, "SELECT i.sku FROM shop_data.orders__items i JOIN shop_data.orders o "
                          "ON i._dlt_parent_id = o._dlt_id WHERE o.id = 2"),
            std::vector<std::string>{"sku-2-0"});
  EXPECT_EQ(CountRows(db, Q("orders__tags")), 8);
  for (const char* child : {"orders__items", "orders__tags"}) {
    EXPECT_EQ(SqlValue(db, std::string("SELECT count(*) FROM shop_data.") + child +
                               " c LEFT JOIN shop_data.orders o ON c._dlt_parent_id = o._dlt_id WHERE o._dlt_id IS NULL"),
              "0")
        << "orphaned rows in " << child;
  }
  EXPECT_EQ(CountRows(db, Q("_dlt_loads")), 2);

  // The same update again changes nothing.
  ASSERT_EQ(w.RunPipeline({"shop.toml", "--resource", "orders=update.jsonl"}).exit_code, 0);
  EXPECT_EQ(CountRows(db, Q("orders")), 4);
  EXPECT_EQ(CountRows(db, Q("orders__items")), 7);
  EXPECT_EQ(CountRows(db, Q("orders__tags")), 8);
}

TEST(PipelineDisposition, MergeOnACompoundKey) {
  PipelineWorkspace w;
  w.Write("shop.toml", PipelineFile("shop", "stock.jsonl",
                                    "write_disposition = \"merge\"\nprimary_key = [\"id\", \"region\"]\n"));
  w.Write("stock.jsonl",
          "{\"id\": 1, \"region\": \"eu\", \"qty\": 10}\n"
          "{\"id\": 1, \"region\": \"us\", \"qty\": 20}\n"
          "{\"id\": 2, \"region\": \"eu\", \"qty\": 30}\n");
  ASSERT_EQ(w.RunPipeline({"shop.toml"}).exit_code, 0);
  w.Write("stock.jsonl",
          "{\"id\": 1, \"region\": \"us\", \"qty\": 21}\n"
          "{\"id\": 2, \"region\": \"us\", \"qty\": 40}\n");
  auto r = w.RunPipeline({"shop.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(SqlColumn(w.Db(), "SELECT id || '/' || region || '=' || qty FROM shop_data.orders ORDER BY id, region"),
            (std::vector<std::string>{"1/eu=10", "1/us=21", "2/eu=30", "2/us=40"}));
}

TEST(PipelineDisposition, SkipLoadsNothing) {
  PipelineWorkspace w;
  w.Write("shop.toml", PipelineFile("shop", "orders.jsonl", "write_disposition = \"skip\"\n"));
  w.Write("orders.jsonl", Orders(1, 3));
  auto r = w.RunPipeline({"shop.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(w.RunPipeline({"shop.toml"}).exit_code, 0);
  for (const char* t : {"orders", "orders__items", "orders__tags"}) {
    EXPECT_FALSE(TableExists(w.Db(), kDb, t)) << t;
  }
}

// ---------------------------------------------------------------------------------------------
// 3. Incremental cursor.

std::string Event(int id, const std::string& updated_at, const std::string& v = "x") {
  return "{\"id\": " + std::to_string(id) + ", \"updated_at\": \"" + updated_at + "\", \"v\": \"" + v + "\"}\n";
}

TEST(PipelineIncremental, SkipsOldRowsAndBoundaryDuplicatesAndLoadsNewOnes) {
  PipelineWorkspace w;
  w.Write("shop.toml",
          PipelineFile("shop", "orders.jsonl",
                       "incremental = { cursor_path = \"updated_at\", initial_value = \"2024-01-01T00:00:00Z\" }\n"));
  w.Write("orders.jsonl", Event(1, "2023-12-31T00:00:00Z") + Event(2, "2024-01-02T00:00:00Z") +
                              Event(3, "2024-01-05T00:00:00Z"));
  auto r1 = w.RunPipeline({"shop.toml"});
  ASSERT_EQ(r1.exit_code, 0) << r1.err;
  EXPECT_EQ(SqlColumn(w.Db(), "SELECT id FROM shop_data.orders ORDER BY id"), (std::vector<std::string>{"2", "3"}));
  EXPECT_TRUE(Contains(r1.out, "skipped by incremental cursor: 1\n")) << r1.out;
  auto cursor = [&]() {
    Json st = w.State("shop");
    return st["sources"]["shop"]["resources"]["orders"]["incremental"]["updated_at"];
  };
  EXPECT_EQ(cursor().value("last_value", ""), "2024-01-05T00:00:00Z") << w.State("shop").dump(2);

  // Overlapping input: 2 and 6 are older than the last value, 3 is the same row at the boundary;
  // 4 has the boundary value but is a different row (loaded, as in dlt); 5 is newer.
  w.Write("orders.jsonl", Event(2, "2024-01-02T00:00:00Z") + Event(3, "2024-01-05T00:00:00Z") +
                              Event(4, "2024-01-05T00:00:00Z") + Event(5, "2024-01-07T00:00:00Z") +
                              Event(6, "2024-01-03T00:00:00Z"));
  auto r2 = w.RunPipeline({"shop.toml"});
  ASSERT_EQ(r2.exit_code, 0) << r2.err;
  EXPECT_EQ(SqlColumn(w.Db(), "SELECT id FROM shop_data.orders ORDER BY id"),
            (std::vector<std::string>{"2", "3", "4", "5"}));
  EXPECT_TRUE(Contains(r2.out, "skipped by incremental cursor: 3\n")) << r2.out;
  EXPECT_EQ(cursor().value("last_value", ""), "2024-01-07T00:00:00Z");
  EXPECT_EQ(CountRows(w.Db(), Q("_dlt_loads")), 2);

  // The same input again: nothing new.
  auto r3 = w.RunPipeline({"shop.toml"});
  ASSERT_EQ(r3.exit_code, 0) << r3.err;
  EXPECT_TRUE(Contains(r3.out, "No new data to load.")) << r3.out;
  EXPECT_EQ(CountRows(w.Db(), Q("orders")), 4);
  EXPECT_EQ(CountRows(w.Db(), Q("_dlt_loads")), 2);
  EXPECT_EQ(cursor().value("last_value", ""), "2024-01-07T00:00:00Z");
}

// ---------------------------------------------------------------------------------------------
// 4. Schema evolution.

TEST(PipelineSchemaEvolution, NewColumnIsAddedAndATypeChangeGoesToAVariantColumn) {
  PipelineWorkspace w;
  w.Write("shop.toml", PipelineFile("shop", "orders.jsonl"));
  w.Write("orders.jsonl", "{\"id\": 1, \"amount\": 10}\n{\"id\": 2, \"amount\": 20}\n");
  ASSERT_EQ(w.RunPipeline({"shop.toml"}).exit_code, 0);
  EXPECT_FALSE(Has(TableColumns(w.Db(), kDb, "orders"), "note"));

  w.Write("orders.jsonl", "{\"id\": 3, \"amount\": \"n/a\", \"note\": \"hello\"}\n{\"id\": 4, \"amount\": 40}\n");
  auto r = w.RunPipeline({"shop.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto cols = TableColumns(w.Db(), kDb, "orders");
  EXPECT_TRUE(Has(cols, "note"));
  EXPECT_TRUE(Has(cols, "amount__v_text"));
  EXPECT_EQ(SqlValue(w.Db(), "SELECT data_type FROM information_schema.columns WHERE table_schema = 'shop_data' "
                             "AND table_name = 'orders' AND column_name = 'amount'"),
            "BIGINT");
  EXPECT_EQ(SqlValue(w.Db(), "SELECT data_type FROM information_schema.columns WHERE table_schema = 'shop_data' "
                             "AND table_name = 'orders' AND column_name = 'amount__v_text'"),
            "VARCHAR");
  auto rows = QueryDuckDb(w.Db(), "SELECT id, amount, amount__v_text, note FROM shop_data.orders ORDER BY id");
  ASSERT_EQ(rows.size(), 4u);
  auto show = [](const std::vector<std::optional<std::string>>& row) {
    std::string s;
    for (const auto& v : row) s += (s.empty() ? "" : "|") + v.value_or("NULL");
    return s;
  };
  EXPECT_EQ(show(rows[0]), "1|10|NULL|NULL");
  EXPECT_EQ(show(rows[1]), "2|20|NULL|NULL");
  EXPECT_EQ(show(rows[2]), "3|NULL|n/a|hello");
  EXPECT_EQ(show(rows[3]), "4|40|NULL|NULL");
  // Each schema change is a new stored version.
  EXPECT_GE(CountRows(w.Db(), Q("_dlt_version")), 2);
}

// ---------------------------------------------------------------------------------------------
// 5. Profiles isolate data and state.

TEST(PipelineProfiles, DevAndACustomProfileNeverShareDataOrState) {
  PipelineWorkspace w;
  w.Write(".dlt/staging.secrets.toml", "[destination.warehouse]\ndestination_type = \"duckdb\"\n");
  w.Write("shop.toml", PipelineFile("shop", "orders.jsonl", "incremental = { cursor_path = \"id\", initial_value = 0 }\n"));
  w.Write("orders.jsonl", Orders(1, 3));
  w.Write("staging.jsonl", Orders(1, 2));

  auto dev = w.RunPipeline({"shop.toml"});
  ASSERT_EQ(dev.exit_code, 0) << dev.err;
  EXPECT_EQ(dev.err, "");

  // Staging sees nothing of dev: not its cursor (ids 1 and 2 are loaded again), not its rows.
  auto staging = w.Dlt({"--profile", "staging", "run", "shop.toml", "--resource", "orders=staging.jsonl", "-q"});
  ASSERT_EQ(staging.exit_code, 0) << staging.err;
  EXPECT_EQ(staging.err, "Profile `staging` is active.\n");
  EXPECT_TRUE(Contains(staging.out, "  profile:     staging\n")) << staging.out;
  EXPECT_TRUE(Contains(staging.out, w.Db("staging").string())) << staging.out;

  ASSERT_TRUE(fs::exists(w.Db("dev")));
  ASSERT_TRUE(fs::exists(w.Db("staging")));
  EXPECT_TRUE(w.Exists(".dlt/.var/dev/pipelines/shop/state.json"));
  EXPECT_TRUE(w.Exists(".dlt/.var/staging/pipelines/shop/state.json"));
  EXPECT_EQ(SqlColumn(w.Db("dev"), "SELECT id FROM shop_data.orders ORDER BY id"),
            (std::vector<std::string>{"1", "2", "3"}));
  EXPECT_EQ(SqlColumn(w.Db("staging"), "SELECT id FROM shop_data.orders ORDER BY id"),
            (std::vector<std::string>{"1", "2"}));

  // WORKSPACE__PROFILE selects the profile the same way.
  w.Write("staging.jsonl", Orders(1, 4));
  auto env_run = w.RunPipeline({"shop.toml", "--resource", "orders=staging.jsonl"}, {{"WORKSPACE__PROFILE", "staging"}});
  ASSERT_EQ(env_run.exit_code, 0) << env_run.err;
  EXPECT_EQ(env_run.err, "Profile `staging` is active.\n");
  EXPECT_EQ(SqlColumn(w.Db("staging"), "SELECT id FROM shop_data.orders ORDER BY id"),
            (std::vector<std::string>{"1", "2", "3", "4"}));
  EXPECT_EQ(CountRows(w.Db("staging"), Q("_dlt_loads")), 2);
  EXPECT_EQ(SqlColumn(w.Db("dev"), "SELECT id FROM shop_data.orders ORDER BY id"),
            (std::vector<std::string>{"1", "2", "3"}));
  EXPECT_EQ(CountRows(w.Db("dev"), Q("_dlt_loads")), 1);

  auto last = [&](const std::string& profile) {
    return w.State("shop", profile)["sources"]["shop"]["resources"]["orders"]["incremental"]["id"]["last_value"];
  };
  EXPECT_EQ(last("dev"), 3);
  EXPECT_EQ(last("staging"), 4);

  auto dev_info = w.Dlt({"pipeline", "shop", "info"});
  EXPECT_TRUE(Contains(dev_info.out, "1 completed load package(s)")) << dev_info.out;
  auto st_info = w.Dlt({"--profile", "staging", "pipeline", "shop", "info"});
  EXPECT_TRUE(Contains(st_info.out, "2 completed load package(s)")) << st_info.out;
  EXPECT_TRUE(Contains(st_info.out, (w.root() / ".dlt/.var/staging/pipelines/shop").string())) << st_info.out;
  EXPECT_EQ(st_info.err, "Profile `staging` is active.\n");
}

// ---------------------------------------------------------------------------------------------
// 6. Inputs: stdin, gzip, globs, JSON arrays.

TEST(PipelineInput, ReadsStandardInput) {
  PipelineWorkspace w;
  w.Write("shop.toml", PipelineFile("shop", "orders.jsonl"));
  auto r = w.RunPipeline({"shop.toml", "--resource", "orders=-"}, {}, Orders(1, 5));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(CountRows(w.Db(), Q("orders")), 5);
  EXPECT_EQ(CountRows(w.Db(), Q("orders__items")), 10);
  EXPECT_FALSE(w.Exists("orders.jsonl"));

  auto bad = w.RunPipeline({"shop.toml", "--resource", "ordrs=-"}, {}, Orders(1, 1));
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_TRUE(Contains(bad.err, "Did you mean `orders`?")) << bad.err;
}

TEST(PipelineInput, GzipFilesAndGlobsOverSeveralFiles) {
  PipelineWorkspace w;
  w.Write("shop.toml", PipelineFile("shop", "data/part-*"));
  w.Write("data/part-1.jsonl.gz", Gzip(Orders(1, 2)));
  w.Write("data/part-2.jsonl.gz", Gzip(Orders(3, 5)));
  w.Write("data/part-3.jsonl", Orders(6, 6));
  w.Write("data/other.jsonl", Orders(100, 101));
  auto r = w.RunPipeline({"shop.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(SqlColumn(w.Db(), "SELECT id FROM shop_data.orders ORDER BY id"),
            (std::vector<std::string>{"1", "2", "3", "4", "5", "6"}));
  EXPECT_EQ(CountRows(w.Db(), Q("orders__items")), 12);
}

TEST(PipelineInput, JsonArrayFilesRelativeToThePipelineFile) {
  PipelineWorkspace w;
  w.Write("pipelines/shop.toml", PipelineFile("shop", "../data/orders.json"));
  w.Write("data/orders.json",
          "[\n  {\"id\": 1, \"items\": [{\"sku\": \"a\"}]},\n  {\"id\": 2, \"items\": []},\n  {\"id\": 3}\n]\n");
  auto r = w.RunPipeline({"shop"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(SqlColumn(w.Db(), "SELECT id FROM shop_data.orders ORDER BY id"), (std::vector<std::string>{"1", "2", "3"}));
  EXPECT_EQ(CountRows(w.Db(), Q("orders__items")), 1);

  // format = "json" explicitly.
  w.Write("pipelines/shop.toml", PipelineFile("shop", "../data/orders.json", "format = \"json\"\n"));
  auto r2 = w.RunPipeline({"shop"});
  ASSERT_EQ(r2.exit_code, 0) << r2.err;
  EXPECT_EQ(CountRows(w.Db(), Q("orders")), 6);
}

// ---------------------------------------------------------------------------------------------
// 7. Bad input loads nothing and says where.

struct Snapshot {
  int64_t orders = 0, items = 0, loads = 0;
  std::string state;
};

Snapshot Take(PipelineWorkspace& w) {
  return {CountRows(w.Db(), Q("orders")), CountRows(w.Db(), Q("orders__items")), CountRows(w.Db(), Q("_dlt_loads")),
          ReadFile(w.PipelineDir("shop") / "state.json")};
}

void ExpectNothingOfTheRunLoaded(PipelineWorkspace& w, const Snapshot& before) {
  Snapshot after = Take(w);
  EXPECT_EQ(after.orders, before.orders);
  EXPECT_EQ(after.items, before.items);
  EXPECT_EQ(after.loads, before.loads);
  EXPECT_EQ(after.state, before.state) << "state.json changed by a failed run";
  EXPECT_TRUE(w.Packages("shop", "normalize/extracted").empty());
  EXPECT_TRUE(w.Packages("shop", "load/normalized").empty());
  EXPECT_TRUE(w.Packages("shop", "load/new").empty());
  auto info = w.Dlt({"pipeline", "shop", "info"});
  EXPECT_TRUE(Contains(info.out, "No pending packages.")) << info.out;
}

TEST(PipelineBadInput, AMalformedLineIsReportedWithFileAndLineAndNothingIsLoaded) {
  PipelineWorkspace w;
  w.Write("shop.toml", PipelineFile("shop", "orders.jsonl",
                                    "incremental = { cursor_path = \"id\", initial_value = 0 }\n"));
  w.Write("orders.jsonl", Orders(1, 3));
  ASSERT_EQ(w.RunPipeline({"shop.toml"}).exit_code, 0);
  Snapshot before = Take(w);
  ASSERT_EQ(before.orders, 3);

  // Line 27 of 50 is broken.
  std::string lines = Orders(10, 35);
  lines += "{\"id\": 36, \"customer\": \"x\",, }\n";
  lines += Orders(37, 59);
  w.Write("bad.jsonl", lines);
  auto r = w.RunPipeline({"shop.toml", "--resource", "orders=bad.jsonl"});
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_TRUE(r.err.starts_with("ERROR: ")) << r.err;
  EXPECT_TRUE(Contains(r.err, "bad.jsonl:27:")) << r.err;
  EXPECT_FALSE(Contains(r.out, "load step completed")) << r.out;
  ExpectNothingOfTheRunLoaded(w, before);

  // The last of many lines is truncated.
  std::string many = Orders(100, 599);
  many += "{\"id\": 600, \"customer\": \"trunc";
  w.Write("big.jsonl", many);
  auto r2 = w.RunPipeline({"shop.toml", "--resource", "orders=big.jsonl"});
  EXPECT_EQ(r2.exit_code, 2);
  EXPECT_TRUE(Contains(r2.err, "big.jsonl:501:")) << r2.err;
  ExpectNothingOfTheRunLoaded(w, before);

  // In a gzip file, on stdin.
  w.Write("bad.jsonl.gz", Gzip(lines));
  auto r3 = w.RunPipeline({"shop.toml", "--resource", "orders=bad.jsonl.gz"});
  EXPECT_EQ(r3.exit_code, 2);
  EXPECT_TRUE(Contains(r3.err, "bad.jsonl.gz:27:")) << r3.err;
  auto r4 = w.RunPipeline({"shop.toml", "--resource", "orders=-"}, {}, lines);
  EXPECT_EQ(r4.exit_code, 2);
  EXPECT_TRUE(Contains(r4.err, "<stdin>:27:")) << r4.err;
  ExpectNothingOfTheRunLoaded(w, before);

  // The input, fixed, loads completely afterwards.
  w.Write("good.jsonl", Orders(10, 59));
  auto ok = w.RunPipeline({"shop.toml", "--resource", "orders=good.jsonl"});
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(CountRows(w.Db(), Q("orders")), 53);
  EXPECT_EQ(CountRows(w.Db(), Q("_dlt_loads")), 2);
}

TEST(PipelineBadInput, UnknownKeysInThePipelineFileGiveLineColumnAndSuggestion) {
  PipelineWorkspace w;
  w.Write("orders.jsonl", Orders(1, 1));
  w.Write("shop.toml", PipelineFile("shop", "orders.jsonl", "write_dispositon = \"merge\"\n"));
  auto r = w.RunPipeline({"shop.toml"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(Contains(r.err, "shop.toml:9:1: unknown key `write_dispositon`")) << r.err;
  EXPECT_TRUE(Contains(r.err, "Did you mean `write_disposition`?")) << r.err;

  w.Write("shop.toml",
          "[pipeline]\nname = \"shop\"\ndestination = \"warehouse\"\n  datset_name = \"x\"\n\n[[resources]]\nname = \"orders\"\npath = \"orders.jsonl\"\n");
  auto r2 = w.RunPipeline({"shop.toml"});
  EXPECT_EQ(r2.exit_code, 2);
  EXPECT_TRUE(Contains(r2.err, "shop.toml:4:3:")) << r2.err;
  EXPECT_TRUE(Contains(r2.err, "Did you mean `dataset_name`?")) << r2.err;

  w.Write("shop.toml", PipelineFile("shop", "orders.jsonl", "incremental = { cursr_path = \"id\" }\n"));
  auto inline_table = w.RunPipeline({"shop.toml"});
  EXPECT_EQ(inline_table.exit_code, 2);
  EXPECT_TRUE(Contains(inline_table.err, "shop.toml:9:17: unknown key `cursr_path`")) << inline_table.err;
  EXPECT_TRUE(Contains(inline_table.err, "Did you mean `cursor_path`?")) << inline_table.err;

  w.Write("shop.toml", PipelineFile("shop", "orders.jsonl", "write_disposition = \"mrege\"\n"));
  auto r3 = w.RunPipeline({"shop.toml"});
  EXPECT_EQ(r3.exit_code, 2);
  EXPECT_TRUE(Contains(r3.err, "shop.toml:9:")) << r3.err;
  EXPECT_TRUE(Contains(r3.err, "Did you mean `merge`?")) << r3.err;

  EXPECT_FALSE(w.Exists("_local/dev/warehouse.duckdb"));
  EXPECT_FALSE(w.Exists(".dlt/.var/dev/pipelines/shop"));
}

TEST(PipelineBadInput, AnUnknownDestinationTellsHowToConfigureIt) {
  PipelineWorkspace w;
  w.Write("orders.jsonl", Orders(1, 1));
  w.Write("shop.toml", PipelineFile("shop", "orders.jsonl", "", "lakehouse"));
  auto r = w.RunPipeline({"shop.toml"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.err, "ERROR: ")) << r.err;
  EXPECT_TRUE(Contains(r.err, "`lakehouse`")) << r.err;
  EXPECT_TRUE(Contains(r.err, "[destination.lakehouse]")) << r.err;
  EXPECT_TRUE(Contains(r.err, "destination_type = \"duckdb\"")) << r.err;
  EXPECT_TRUE(Contains(r.err, "DESTINATION__LAKEHOUSE__DESTINATION_TYPE=duckdb")) << r.err;
  EXPECT_FALSE(w.Exists("_local/dev"));
}

TEST(PipelineBadInput, AMissingInputFileIsAClearError) {
  PipelineWorkspace w;
  w.Write("shop.toml", PipelineFile("shop", "orders.jsonl"));
  auto r = w.RunPipeline({"shop.toml"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_TRUE(Contains(r.err, "ERROR: ")) << r.err;
  EXPECT_TRUE(Contains(r.err, "orders.jsonl")) << r.err;
  EXPECT_TRUE(Contains(r.err, "not found")) << r.err;
  auto g = w.RunPipeline({"shop.toml", "--resource", "orders=nothing/*.jsonl"});
  EXPECT_NE(g.exit_code, 0);
  EXPECT_TRUE(Contains(g.err, "no files match")) << g.err;
  EXPECT_FALSE(w.Exists("_local/dev/warehouse.duckdb"));

  auto nofile = w.RunPipeline({"nope.toml"});
  EXPECT_EQ(nofile.exit_code, 3);
  EXPECT_TRUE(Contains(nofile.err, "pipeline file not found: nope.toml")) << nofile.err;
}

// ---------------------------------------------------------------------------------------------
// 9. `dlt pipeline`.

TEST(PipelineInspect, ListInfoTraceSchemaAndLoadPackage) {
  PipelineWorkspace w;
  w.Write("shop.toml", PipelineFile("shop", "orders.jsonl"));
  w.Write("orders.jsonl", Orders(1, 3));
  auto empty = w.Dlt({"pipeline", "-l"});
  EXPECT_EQ(empty.exit_code, 0) << empty.err;
  EXPECT_TRUE(Contains(empty.out, "No pipelines found")) << empty.out;

  auto run = w.RunPipeline({"shop.toml"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::string load_id = SqlValue(w.Db(), "SELECT load_id FROM shop_data._dlt_loads");
  w.Write("inventory.toml", PipelineFile("inventory", "orders.jsonl"));
  ASSERT_EQ(w.RunPipeline({"inventory.toml"}).exit_code, 0);

  auto list = w.Dlt({"pipeline", "-l"});
  EXPECT_EQ(list.exit_code, 0) << list.err;
  EXPECT_TRUE(Contains(list.out, "2 pipeline(s) found in " + (w.root() / ".dlt/.var/dev/pipelines").string()))
      << list.out;
  EXPECT_TRUE(Contains(list.out, "\nshop")) << list.out;
  EXPECT_TRUE(Contains(list.out, "\ninventory")) << list.out;
  // dlt's long option lists the same
  auto long_list = w.Dlt({"pipeline", "--list-pipelines"});
  EXPECT_EQ(long_list.exit_code, 0) << long_list.err;
  EXPECT_EQ(long_list.out, list.out);

  auto info = w.Dlt({"pipeline", "shop", "info"});
  EXPECT_EQ(info.exit_code, 0) << info.err;
  EXPECT_TRUE(Contains(info.out, "Found pipeline shop in " + w.PipelineDir("shop").string())) << info.out;
  EXPECT_TRUE(Contains(info.out, "dataset_name: shop_data\n")) << info.out;
  EXPECT_TRUE(Contains(info.out, "destination_name: warehouse\n")) << info.out;
  EXPECT_TRUE(Contains(info.out, "  orders (append): ")) << info.out;
  EXPECT_TRUE(Contains(info.out, "  orders__items (nested in orders): ")) << info.out;
  EXPECT_TRUE(Contains(info.out, "1 completed load package(s), newest " + load_id)) << info.out;
  EXPECT_TRUE(Contains(info.out, "No pending packages.")) << info.out;
  EXPECT_EQ(w.Dlt({"pipeline", "shop"}).out, info.out);

  auto trace = w.Dlt({"pipeline", "shop", "trace"});
  EXPECT_EQ(trace.exit_code, 0) << trace.err;
  EXPECT_TRUE(Contains(trace.out, "Run of pipeline shop started at ")) << trace.out;
  EXPECT_TRUE(Contains(trace.out, ": completed\n")) << trace.out;
  EXPECT_TRUE(Contains(trace.out, "profile: dev (selected by default)\n")) << trace.out;
  EXPECT_TRUE(Contains(trace.out, "dataset: shop_data")) << trace.out;
  for (const char* step : {"  extract ", "  normalize ", "  load "}) EXPECT_TRUE(Contains(trace.out, step)) << trace.out;
  EXPECT_TRUE(Contains(trace.out, "load ids: " + load_id)) << trace.out;

  auto yaml = w.Dlt({"pipeline", "shop", "schema"});
  EXPECT_EQ(yaml.exit_code, 0) << yaml.err;
  EXPECT_TRUE(Contains(yaml.out, "\nname: shop\n")) << yaml.out;
  EXPECT_TRUE(Contains(yaml.out, "\n  orders:\n")) << yaml.out;
  EXPECT_TRUE(Contains(yaml.out, "\n  orders__items:\n")) << yaml.out;
  EXPECT_TRUE(Contains(yaml.out, "write_disposition: append")) << yaml.out;
  EXPECT_EQ(w.Dlt({"pipeline", "shop", "schema", "--format", "yaml"}).out, yaml.out);

  auto json = w.Dlt({"pipeline", "shop", "schema", "--format", "json"});
  EXPECT_EQ(json.exit_code, 0) << json.err;
  Json doc = Json::parse(json.out, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << json.out;
  EXPECT_EQ(doc.value("name", ""), "shop");
  EXPECT_EQ(doc["tables"]["orders"]["columns"]["id"].value("data_type", ""), "bigint");
  EXPECT_EQ(doc["tables"]["orders"]["columns"]["customer"].value("data_type", ""), "text");
  EXPECT_EQ(doc["tables"]["orders__items"].value("parent", ""), "orders");
  auto badfmt = w.Dlt({"pipeline", "shop", "schema", "--format", "xml"});
  EXPECT_EQ(badfmt.exit_code, 2);

  auto pkg = w.Dlt({"pipeline", "shop", "load-package"});
  EXPECT_EQ(pkg.exit_code, 0) << pkg.err;
  EXPECT_TRUE(Contains(pkg.out, "Package " + load_id + " in state loaded")) << pkg.out;
  EXPECT_TRUE(Contains(pkg.out, "  orders: 3\n")) << pkg.out;
  EXPECT_TRUE(Contains(pkg.out, "  orders__items: 6\n")) << pkg.out;
  EXPECT_TRUE(Contains(pkg.out, "completed_jobs:\n  orders.")) << pkg.out;
  EXPECT_EQ(w.Dlt({"pipeline", "shop", "load-package", load_id}).out, pkg.out);
  auto nopkg = w.Dlt({"pipeline", "shop", "load-package", "123.4"});
  EXPECT_EQ(nopkg.exit_code, 3);

  auto failed = w.Dlt({"pipeline", "shop", "failed-jobs"});
  EXPECT_EQ(failed.exit_code, 0);
  EXPECT_TRUE(Contains(failed.out, "No failed jobs found in pipeline shop")) << failed.out;

  auto typo = w.Dlt({"pipeline", "shpo", "info"});
  EXPECT_EQ(typo.exit_code, 3);
  EXPECT_TRUE(Contains(typo.err, "Did you mean `shop`?")) << typo.err;
  auto badop = w.Dlt({"pipeline", "shop", "inf"});
  EXPECT_EQ(badop.exit_code, 2);
  EXPECT_TRUE(Contains(badop.err, "Did you mean `info`?")) << badop.err;

  // A failed run shows in the trace.
  w.Write("bad.jsonl", "{\"id\": 1}\n{oops\n");
  ASSERT_EQ(w.RunPipeline({"shop.toml", "--resource", "orders=bad.jsonl"}).exit_code, 2);
  auto trace2 = w.Dlt({"pipeline", "shop", "trace"});
  EXPECT_TRUE(Contains(trace2.out, ": failed\n")) << trace2.out;
  EXPECT_TRUE(Contains(trace2.out, "error: ")) << trace2.out;
  EXPECT_TRUE(Contains(trace2.out, "bad.jsonl:2")) << trace2.out;
}

TEST(PipelineInspect, DropPendingPackagesDiscardsAPackageThatWasNeverLoaded) {
  PipelineWorkspace w;
  w.Write("shop.toml", PipelineFile("shop", "orders.jsonl"));
  w.Write("a.jsonl", Orders(1, 3));
  w.Write("b.jsonl", Orders(4, 5));
  w.Write("c.jsonl", Orders(6, 6));
  ASSERT_EQ(w.RunPipeline({"shop.toml", "--resource", "orders=a.jsonl"}).exit_code, 0);
  auto killed = w.RunPipeline({"shop.toml", "--resource", "orders=b.jsonl"}, {{"DLT_FAULT_KILL_AT", "after_normalize"}});
  ASSERT_EQ(killed.exit_code, 137) << killed.err;
  auto pending = w.Packages("shop", "load/normalized");
  ASSERT_EQ(pending.size(), 1u);

  auto info = w.Dlt({"pipeline", "shop", "info"});
  EXPECT_TRUE(Contains(info.out, "1 pending package(s): " + pending[0])) << info.out;
  EXPECT_TRUE(Contains(info.out, "drop-pending-packages")) << info.out;
  auto pkg = w.Dlt({"pipeline", "shop", "load-package"});
  EXPECT_TRUE(Contains(pkg.out, "Package " + pending[0] + " in state normalized")) << pkg.out;
  EXPECT_TRUE(Contains(pkg.out, "new_jobs:")) << pkg.out;

  // Without --yes and without a terminal the default answer (no) keeps the package.
  auto no = w.Dlt({"pipeline", "shop", "drop-pending-packages"});
  EXPECT_EQ(no.exit_code, 0) << no.err;
  EXPECT_EQ(w.Packages("shop", "load/normalized").size(), 1u);

  auto yes = w.Dlt({"pipeline", "shop", "drop-pending-packages", "--yes"});
  EXPECT_EQ(yes.exit_code, 0) << yes.err;
  EXPECT_TRUE(Contains(yes.out, "Deleted 1 pending package(s).")) << yes.out;
  EXPECT_TRUE(w.Packages("shop", "load/normalized").empty());
  EXPECT_TRUE(Contains(w.Dlt({"pipeline", "shop", "info"}).out, "No pending packages."));
  auto again = w.Dlt({"pipeline", "shop", "drop-pending-packages", "--yes"});
  EXPECT_TRUE(Contains(again.out, "No pending packages found in pipeline shop")) << again.out;

  // The next run loads its own data and nothing of the dropped package.
  auto next = w.RunPipeline({"shop.toml", "--resource", "orders=c.jsonl"});
  ASSERT_EQ(next.exit_code, 0) << next.err;
  EXPECT_EQ(SqlColumn(w.Db(), "SELECT id FROM shop_data.orders ORDER BY id"),
            (std::vector<std::string>{"1", "2", "3", "6"}));
  EXPECT_EQ(CountRows(w.Db(), Q("orders__items")), 8);
  EXPECT_EQ(CountRows(w.Db(), Q("_dlt_loads")), 2);
  EXPECT_EQ(SqlValue(w.Db(), "SELECT count(*) FROM shop_data._dlt_loads WHERE load_id = '" + pending[0] + "'"), "0");
}

// ---------------------------------------------------------------------------------------------
// 10. Two runs of one pipeline at the same time.

// A `dlt` process whose stdin is a pipe the test keeps open; stdout and stderr go to files.
class Child {
 public:
  Child(const std::vector<std::string>& argv, const fs::path& cwd, const std::map<std::string, std::string>& env,
        const fs::path& out, const fs::path& err) {
    int in[2];
    if (::pipe2(in, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    std::vector<std::string> envv;
    for (const auto& [k, v] : env) envv.push_back(k + "=" + v);
    if (!env.count("PATH")) envv.push_back("PATH=/usr/local/bin:/usr/bin:/bin");
    pid_ = ::fork();
    if (pid_ == 0) {
      int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (o < 0 || e < 0 || ::chdir(cwd.c_str()) != 0) _exit(127);
      ::dup2(in[0], 0);
      ::dup2(o, 1);
      ::dup2(e, 2);
      std::vector<char*> a, ev;
      for (const auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
      a.push_back(nullptr);
      for (const auto& s : envv) ev.push_back(const_cast<char*>(s.c_str()));
      ev.push_back(nullptr);
      ::execve(a[0], a.data(), ev.data());
      _exit(127);
    }
    ::close(in[0]);
    stdin_ = in[1];
  }
  ~Child() {
    CloseStdin();
    if (pid_ > 0 && !waited_) {
      ::kill(pid_, SIGKILL);
      Wait();
    }
  }
  pid_t pid() const { return pid_; }
  void Send(const std::string& data) {
    signal(SIGPIPE, SIG_IGN);
    ssize_t n = ::write(stdin_, data.data(), data.size());
    (void)n;
  }
  void CloseStdin() {
    if (stdin_ >= 0) ::close(stdin_);
    stdin_ = -1;
  }
  int Wait() {
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    waited_ = true;
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
  }

 private:
  pid_t pid_ = -1;
  int stdin_ = -1;
  bool waited_ = false;
};

// Waits until the pipeline's lock file names `pid` (the run holds the lock).
bool WaitForLockHolder(const fs::path& lock, pid_t pid) {
  for (int i = 0; i < 1000; ++i) {
    if (ReadFile(lock) == std::to_string(pid)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

TEST(PipelineConcurrency, ASecondRunFailsFastNamingTheHolderAndAKilledHolderLeavesNoStaleLock) {
  PipelineWorkspace w;
  w.Write("shop.toml", PipelineFile("shop", "orders.jsonl"));
  w.Write("orders.jsonl", Orders(1, 3));
  ASSERT_EQ(w.RunPipeline({"shop.toml"}).exit_code, 0);
  const fs::path lock = w.PipelineDir("shop") / ".lock";

  {
    // The first run reads stdin, which the test holds open.
    Child first({DLT_BINARY, "run", "shop.toml", "--resource", "orders=-", "-q"}, w.root(), w.env(),
                w.tmp() / "first.out", w.tmp() / "first.err");
    first.Send(Orders(10, 11));
    ASSERT_TRUE(WaitForLockHolder(lock, first.pid())) << ReadFile(w.tmp() / "first.err");

    auto t0 = std::chrono::steady_clock::now();
    auto second = w.RunPipeline({"shop.toml"});
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_EQ(second.exit_code, 4);  // busy: refused
    EXPECT_LT(secs, 5.0) << "the second run waited instead of failing fast";
    EXPECT_TRUE(Contains(second.err, "ERROR: Pipeline `shop` is being run by another process (pid " +
                                         std::to_string(first.pid()) + ")"))
        << second.err;
    EXPECT_FALSE(Contains(second.out, "load step completed"));

    first.Send(Orders(12, 12));
    first.CloseStdin();
    EXPECT_EQ(first.Wait(), 0) << ReadFile(w.tmp() / "first.err");
  }
  EXPECT_EQ(SqlColumn(w.Db(), "SELECT id FROM shop_data.orders ORDER BY id"),
            (std::vector<std::string>{"1", "2", "3", "10", "11", "12"}));
  EXPECT_EQ(CountRows(w.Db(), Q("_dlt_loads")), 2);

  {
    // A holder killed mid-run: the lock goes with the process.
    Child victim({DLT_BINARY, "run", "shop.toml", "--resource", "orders=-", "-q"}, w.root(), w.env(),
                 w.tmp() / "victim.out", w.tmp() / "victim.err");
    victim.Send(Orders(20, 21));
    ASSERT_TRUE(WaitForLockHolder(lock, victim.pid()));
    ::kill(victim.pid(), SIGKILL);
    EXPECT_EQ(victim.Wait(), 137);
  }
  auto after = w.RunPipeline({"shop.toml"});
  ASSERT_EQ(after.exit_code, 0) << after.err;
  EXPECT_EQ(SqlColumn(w.Db(), "SELECT id FROM shop_data.orders ORDER BY id"),
            (std::vector<std::string>{"1", "1", "2", "2", "3", "3", "10", "11", "12"}));
  EXPECT_EQ(CountRows(w.Db(), Q("_dlt_loads")), 3);
  EXPECT_TRUE(w.Packages("shop", "load/new").empty());

  // Killed at a fault point while holding the lock: the next run is not locked out either.
  auto killed = w.RunPipeline({"shop.toml"}, {{"DLT_FAULT_KILL_AT", "load_before_commit"}});
  EXPECT_EQ(killed.exit_code, 137);
  auto resumed = w.RunPipeline({"shop.toml", "--resource", "orders=-"}, {}, "");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(CountRows(w.Db(), Q("orders")), 12);
  EXPECT_EQ(CountRows(w.Db(), Q("_dlt_loads")), 4);
}

// Two runs started at the same moment: exactly one loads, the other is refused; nothing is
// loaded twice and the refused one can run afterwards.
TEST(PipelineConcurrency, TwoRunsStartedTogetherNeverInterleave) {
  PipelineWorkspace w;
  w.Write("shop.toml", PipelineFile("shop", "orders.jsonl"));
  w.Write("orders.jsonl", Orders(1, 200));
  ASSERT_EQ(w.RunPipeline({"shop.toml"}).exit_code, 0);
  RunResult a, b;
  std::thread ta([&] { a = w.RunPipeline({"shop.toml"}); });
  std::thread tb([&] { b = w.RunPipeline({"shop.toml"}); });
  ta.join();
  tb.join();
  int ok = (a.exit_code == 0) + (b.exit_code == 0);
  EXPECT_GE(ok, 1) << a.err << b.err;
  for (const auto* r : {&a, &b}) {
    if (r->exit_code != 0) {
      EXPECT_TRUE(Contains(r->err, "is being run by another process (pid ")) << r->err;
    }
  }
  EXPECT_EQ(CountRows(w.Db(), Q("orders")), 200 * (1 + ok));
  EXPECT_EQ(CountRows(w.Db(), Q("_dlt_loads")), 1 + ok);
}

}  // namespace
}  // namespace dlt::testing
