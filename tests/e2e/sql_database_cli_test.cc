// `dlt run` of a pipeline file with `[source] type = "sql_database"`: tables of a real
// PostgreSQL load into DuckDB with the hints of [[resources]]; mistakes name file, line and key.
#include "pg_suite.h"
#include "pipeline_fixture.h"

namespace dlt::testing {
namespace {

class SqlDatabaseCliTest : public PostgresSuite {
 protected:
  static void SourceDatabase(const std::string& db, const std::string& sql) {
    CreateDatabase(db);
    std::string out;
    ASSERT_TRUE(server_->PsqlQuery(sql + "; GRANT SELECT ON ALL TABLES IN SCHEMA public TO loader", db, &out)) << out;
  }
  // The source's URL in the profile's secrets, next to the DuckDB destination.
  static void Secrets(PipelineWorkspace& w, const std::string& db) {
    w.Write(".dlt/dev.secrets.toml", "[destination.warehouse]\ndestination_type = \"duckdb\"\n\n"
                                     "[sources.sql_database]\ncredentials = \"" + server_->Url(db) + "\"\n");
  }
};

constexpr const char* kShopFile =
    "[pipeline]\nname = \"shop\"\ndestination = \"warehouse\"\ndataset_name = \"shop_data\"\n\n"
    "[source]\ntype = \"sql_database\"\ntable_names = [\"orders\", \"customers\"]\nchunk_size = 2\n\n"
    "[[resources]]\nname = \"orders\"\nwrite_disposition = \"append\"\n"
    "incremental = { cursor_path = \"id\", initial_value = 0 }\nexcluded_columns = [\"secret_note\"]\n\n"
    "[[resources]]\nname = \"customers\"\nwrite_disposition = \"merge\"\n";

TEST_F(SqlDatabaseCliTest, RunLoadsTheTablesWithTheirHintsAndTheSecondRunOnlyNewRows) {
  SourceDatabase("cli_shop", "CREATE TABLE orders (id int PRIMARY KEY, amount numeric(10,2), secret_note text);"
                             "CREATE TABLE customers (id int PRIMARY KEY, name text);"
                             "INSERT INTO orders SELECT i, i * 1.25, 'x' FROM generate_series(1, 5) i;"
                             "INSERT INTO customers VALUES (1, 'ann'), (2, 'bob')");
  PipelineWorkspace w;
  Secrets(w, "cli_shop");
  w.Write("shop.toml", kShopFile);
  auto r = w.RunPipeline({"shop.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(SqlValue(w.Db(), "SELECT string_agg(CAST(amount AS VARCHAR), ',' ORDER BY id) FROM shop_data.orders"),
            "1.25,2.50,3.75,5.00,6.25");
  EXPECT_EQ(SqlValue(w.Db(), "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'shop_data' "
                             "AND table_name = 'orders' AND column_name = 'secret_note'"),
            "0");
  std::string out;
  ASSERT_TRUE(server_->PsqlQuery("INSERT INTO orders VALUES (6, 7.5, 'y'); UPDATE customers SET name = 'bobby' "
                                 "WHERE id = 2",
                                 "cli_shop", &out))
      << out;
  r = w.RunPipeline({"shop.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(SqlValue(w.Db(), "SELECT count(*) FROM shop_data.orders"), "6");
  EXPECT_EQ(SqlValue(w.Db(), "SELECT string_agg(name, ',' ORDER BY id) FROM shop_data.customers"), "ann,bobby");
}

TEST_F(SqlDatabaseCliTest, SchemaContractOfAResourceFreezesItsColumnsOnTheNextRun) {
  SourceDatabase("cli_frozen", "CREATE TABLE accounts (id int PRIMARY KEY, name text);"
                               "INSERT INTO accounts VALUES (1, 'ann')");
  PipelineWorkspace w;
  Secrets(w, "cli_frozen");
  w.Write("f.toml", "[pipeline]\nname = \"f\"\ndestination = \"warehouse\"\ndataset_name = \"f_data\"\n\n"
                    "[source]\ntype = \"sql_database\"\ntable_names = [\"accounts\"]\n\n"
                    "[[resources]]\nname = \"accounts\"\nschema_contract = { columns = \"freeze\" }\n");
  auto r = w.RunPipeline({"f.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::string out;
  ASSERT_TRUE(server_->PsqlQuery("ALTER TABLE accounts ADD COLUMN email text; INSERT INTO accounts VALUES (2, 'bob', 'b')",
                                 "cli_frozen", &out))
      << out;
  r = w.RunPipeline({"f.toml"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.err, "freeze")) << r.err;
  EXPECT_TRUE(Contains(r.err, "email")) << r.err;
  EXPECT_EQ(SqlValue(w.Db(), "SELECT count(*) FROM f_data.accounts"), "1");
}

TEST_F(SqlDatabaseCliTest, UnknownSourceKeyNamesTheFileLineAndKey) {
  PipelineWorkspace w;
  Secrets(w, "dw");
  w.Write("bad.toml", "[pipeline]\nname = \"bad\"\ndestination = \"warehouse\"\ndataset_name = \"d\"\n\n"
                      "[source]\ntype = \"sql_database\"\ntable_name = [\"orders\"]\n");
  auto r = w.RunPipeline({"bad.toml"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.err, "bad.toml:8:")) << r.err;
  EXPECT_TRUE(Contains(r.err, "table_name")) << r.err;
  EXPECT_TRUE(Contains(r.err, "table_names")) << r.err;
}

TEST_F(SqlDatabaseCliTest, MissingTableFailsTheRunNamingItAndLoadsNothing) {
  SourceDatabase("cli_missing", "CREATE TABLE present (id int)");
  PipelineWorkspace w;
  Secrets(w, "cli_missing");
  w.Write("m.toml", "[pipeline]\nname = \"m\"\ndestination = \"warehouse\"\ndataset_name = \"m_data\"\n\n"
                    "[source]\ntype = \"sql_database\"\ntable_names = [\"present\", \"gone\"]\n");
  auto r = w.RunPipeline({"m.toml"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.err, "public.gone")) << r.err;
  EXPECT_FALSE(Contains(r.out + r.err, PostgresServer::kPassword)) << r.out << r.err;
}

}  // namespace
}  // namespace dlt::testing
