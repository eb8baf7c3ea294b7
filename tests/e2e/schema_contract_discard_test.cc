// Schema contracts that discard rows (`dlt run` of a pipeline file), as dlt 1.26 applies them
// (schema.py apply_schema_contract, items_normalizers/jsonl.py): discard_row works per table, so a
// nested row that would change the schema is dropped while its parent row loads; a discarded row's
// own nested rows are not loaded; the column or variant column it would have made is not created.
// For tables, discard_row and discard_value both drop the rows of a table that would be new.
#include "pipeline_fixture.h"

namespace dlt::testing {
namespace {

namespace fs = std::filesystem;

// A workspace with pipeline `shop` (incremental on id) that loaded orders 1-3 (each with two
// items and two tags) once, with `schema_contract` set for the runs after.
class DiscardContract : public ::testing::Test {
 protected:
  void SetUp() override {
    w_.Write("shop.toml", PipelineFile("shop", "orders.jsonl", "incremental = { cursor_path = \"id\", initial_value = 0 }\n"));
    w_.Write("orders.jsonl", Orders(1, 3));
    auto first = w_.RunPipeline({"shop.toml"});
    ASSERT_EQ(first.exit_code, 0) << first.err;
  }
  void Contract(const std::string& contract) {
    w_.Write("shop.toml", PipelineFile("shop", "orders.jsonl",
                                       "incremental = { cursor_path = \"id\", initial_value = 0 }\n"
                                       "schema_contract = " + contract + "\n"));
  }
  RunResult RunOn(const std::string& name, const std::string& content) {
    w_.Write(name, content);
    return w_.RunPipeline({"shop.toml", "--resource", "orders=" + name});
  }
  std::string Ids(const std::string& sql) { return SqlValue(w_.Db(), "SELECT coalesce(string_agg(v, ',' ORDER BY v), '') FROM (" + sql + ")"); }
  std::string Columns(const std::string& table) {
    return SqlValue(w_.Db(), "SELECT string_agg(column_name, ',' ORDER BY column_name) FROM information_schema.columns "
                             "WHERE table_schema = 'shop_data' AND table_name = '" + table + "' AND column_name NOT LIKE '_dlt%'");
  }

  PipelineWorkspace w_;
};

TEST_F(DiscardContract, ANewColumnOrAVariantDropsItsRowAndItsNestedRowsButNotItsParent) {
  Contract("{ columns = \"discard_row\", data_type = \"discard_row\" }");
  auto r = RunOn("mixed.jsonl",
                 // a new column `discount`: the order goes, with its item and tag
                 "{\"id\": 13, \"customer\": \"c13\", \"discount\": 0.1, \"items\": [{\"sku\": \"x13\", \"qty\": 1}], \"tags\": [\"t13\"]}\n"
                 // a text qty (a variant of the bigint column): that item goes, its order and sibling stay
                 "{\"id\": 14, \"customer\": \"c14\", \"items\": [{\"sku\": \"s14\", \"qty\": \"many\"}, {\"sku\": \"t14\", \"qty\": 2}]}\n"
                 // a new column in a nested item: only that item goes
                 "{\"id\": 15, \"customer\": \"c15\", \"items\": [{\"sku\": \"u15\", \"qty\": 1, \"gift\": true}]}\n"
                 // fits
                 "{\"id\": 16, \"customer\": \"c16\", \"items\": [{\"sku\": \"v16\", \"qty\": 3}], \"tags\": [\"t16\"]}\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Ids("SELECT CAST(id AS VARCHAR) v FROM shop_data.orders WHERE id > 3"), "14,15,16");
  EXPECT_EQ(Ids("SELECT sku v FROM shop_data.orders__items WHERE sku NOT LIKE 'sku-%'"), "t14,v16");
  EXPECT_EQ(Ids("SELECT value v FROM shop_data.orders__tags WHERE value NOT IN ('all', 't1', 't2', 't3')"), "t16");
  EXPECT_EQ(Columns("orders"), "address__city,customer,id");
  EXPECT_EQ(Columns("orders__items"), "qty,sku");
  // The items and tags left hang from loaded orders.
  EXPECT_EQ(SqlValue(w_.Db(), "SELECT count(*) FROM shop_data.orders__items i LEFT JOIN shop_data.orders o "
                              "ON i._dlt_parent_id = o._dlt_id WHERE o.id IS NULL"),
            "0");
  // The schema the pipeline keeps has neither column either, so the next run discards them again.
  const std::string schema = ReadFile(w_.PipelineDir("shop") / "schemas" / "shop.schema.json");
  EXPECT_FALSE(Contains(schema, "\"discount\"")) << schema;
  EXPECT_FALSE(Contains(schema, "qty__v_text")) << schema;
  EXPECT_FALSE(Contains(schema, "\"gift\"")) << schema;
}

TEST_F(DiscardContract, ANewNestedTableIsNotCreatedAndItsParentRowsLoad) {
  Contract("{ tables = \"discard_row\" }");
  auto r = RunOn("notes.jsonl",
                 "{\"id\": 13, \"customer\": \"c13\", \"notes\": [\"n1\", \"n2\"], \"items\": [{\"sku\": \"x13\", \"qty\": 1}]}\n"
                 "{\"id\": 14, \"customer\": \"c14\", \"notes\": [\"n3\"], \"discount\": 0.5}\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Ids("SELECT CAST(id AS VARCHAR) v FROM shop_data.orders WHERE id > 3"), "13,14");
  EXPECT_EQ(Ids("SELECT sku v FROM shop_data.orders__items WHERE sku NOT LIKE 'sku-%'"), "x13");
  EXPECT_EQ(SqlValue(w_.Db(), "SELECT count(*) FROM information_schema.tables WHERE table_name = 'orders__notes'"), "0");
  // Columns still evolve.
  EXPECT_EQ(Columns("orders"), "address__city,customer,discount,id");
}

TEST_F(DiscardContract, TheShorthandDiscardValueAlsoDiscardsNewTablesAsDltExpandsIt) {
  Contract("\"discard_value\"");
  auto r = RunOn("mixed.jsonl",
                 "{\"id\": 13, \"customer\": \"c13\", \"discount\": 0.1, \"notes\": [\"n1\"], \"items\": [{\"sku\": \"x13\", \"qty\": \"many\"}]}\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Ids("SELECT CAST(id AS VARCHAR) v FROM shop_data.orders WHERE id > 3"), "13");
  EXPECT_EQ(SqlValue(w_.Db(), "SELECT coalesce(CAST(qty AS VARCHAR), 'NULL') FROM shop_data.orders__items WHERE sku = 'x13'"),
            "NULL");
  EXPECT_EQ(SqlValue(w_.Db(), "SELECT count(*) FROM information_schema.tables WHERE table_name = 'orders__notes'"), "0");
  EXPECT_EQ(Columns("orders"), "address__city,customer,id");
}

TEST_F(DiscardContract, AllRowsDiscardedIsASuccessfulRunThatLoadsNothing) {
  Contract("\"discard_row\"");
  auto r = RunOn("new.jsonl", "{\"id\": 13, \"customer\": \"c13\", \"discount\": 0.1}\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(CountRows(w_.Db(), "shop_data.orders"), 3);
  EXPECT_TRUE(w_.Packages("shop", "normalize/extracted").empty());
  EXPECT_TRUE(w_.Packages("shop", "load/normalized").empty());
}

// A Parquet file is loaded as it is only while no contract touches its columns; with a refused
// column it is read as rows, and discard_row drops those holding a value there, for dict rows
// and Arrow items alike.
TEST(DiscardContractFiles, AParquetFileWithANewColumnLosesTheRowsThatSetIt) {
  for (const char* arrow : {"false", "true"}) {
    SCOPED_TRACE(arrow);
    PipelineWorkspace w;
    auto parquet = [&](const std::string& name, const std::string& select) {
      fs::create_directories(w.root() / "data");
      ASSERT_TRUE(ExecDuckDb(w.root() / "scratch.duckdb",
                             "COPY (" + select + ") TO '" + (w.root() / "data" / name).string() + "' (FORMAT parquet)"));
    };
    parquet("a.parquet", "SELECT i AS id, 'n' || i AS name FROM range(1, 4) t(i)");
    parquet("b.parquet", "SELECT i AS id, 'n' || i AS name, CASE WHEN i % 2 = 0 THEN 'gift' END AS note FROM range(4, 10) t(i)");
    const std::string opts = std::string("format = \"parquet\"\nuse_pyarrow = ") + arrow + "\n";
    w.Write("f.toml", PipelineFile("f", "data/a.parquet", opts));
    auto first = w.RunPipeline({"f.toml"});
    ASSERT_EQ(first.exit_code, 0) << first.err;
    w.Write("f.toml", PipelineFile("f", "data/b.parquet", opts + "schema_contract = { columns = \"discard_row\" }\n"));
    auto second = w.RunPipeline({"f.toml"});
    ASSERT_EQ(second.exit_code, 0) << second.err;
    EXPECT_EQ(SqlValue(w.Db(), "SELECT string_agg(CAST(id AS VARCHAR) || ':' || name, ',' ORDER BY id) FROM f_data.orders"),
              "1:n1,2:n2,3:n3,5:n5,7:n7,9:n9");
    EXPECT_EQ(SqlValue(w.Db(), "SELECT count(*) FROM information_schema.columns WHERE column_name = 'note'"), "0");
  }
}

}  // namespace
}  // namespace dlt::testing
