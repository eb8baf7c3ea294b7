// The sql_database source on a real MariaDB server (tests/mariadb_server.h), loading into DuckDB
// through the C++ API and `dlt run`: every mapped type arrives with the value the server prints,
// the incremental asks only for new rows, merge replaces changed rows, a table added later is
// found, and missing tables, wrong passwords and unreachable ports fail clearly, loading nothing
// and writing the password nowhere.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "dlt/pipeline.h"
#include "dlt/sql_database.h"
#include "mariadb_server.h"
#include "pipeline_fixture.h"
#include "test_util.h"

namespace dlt::testing {
namespace {

namespace fs = std::filesystem;

class SqlDatabaseMysqlTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (MariadbServer::Available()) server_ = new MariadbServer();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override {
    ASSERT_TRUE(MariadbServer::Available()) << "mariadbd is not installed: run scripts/bootstrap.sh (Debian's mariadb-server)";
    ASSERT_TRUE(server_->ok()) << server_->error();
  }
  // SQL as root in UTC; returns the server's own text of the result (-N -B -r).
  static std::string Sql(const std::string& sql, const std::string& database = MariadbServer::kDatabase) {
    std::string out = server_->Sql("SET time_zone = '+00:00'; " + sql, database);
    EXPECT_TRUE(server_->error().empty()) << sql << ": " << server_->error();
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
  }
  static std::string Url(const std::string& password, const std::string& database = MariadbServer::kDatabase) {
    return "mysql://" + std::string(MariadbServer::kUser) + ":" + password + "@127.0.0.1:" +
           std::to_string(server_->port()) + "/" + database;
  }
  // A workspace with the DuckDB destination `warehouse` and `url` as the source's credentials.
  static void Secrets(PipelineWorkspace& w, const std::string& url) {
    w.Write(".dlt/dev.secrets.toml", "[destination.warehouse]\ndestination_type = \"duckdb\"\n\n"
                                     "[sources.sql_database]\ncredentials = \"" + url + "\"\n");
  }
  static StatusOr<LoadInfo> RunTables(PipelineWorkspace& w, const std::string& name, const SqlDatabaseOptions& o) {
    Workspace ws = w.OpenLoaded();
    PipelineOptions po;
    po.pipeline_name = name;
    po.destination = "warehouse";
    po.dataset_name = name + "_data";
    DLT_ASSIGN_OR_RETURN(Pipeline p, Pipeline::Create(ws, po));
    DLT_ASSIGN_OR_RETURN(auto resources, SqlDatabase(ws, o));
    return p.Run(resources);
  }
  // The tables of `dataset` in the DuckDB file (none when no run has created the file).
  static int64_t TablesIn(const PipelineWorkspace& w, const std::string& dataset) {
    if (!fs::exists(w.Db())) return 0;
    return std::stoll(SqlValue(w.Db(), "SELECT count(*) FROM information_schema.tables WHERE table_schema = '" +
                                           dataset + "'"));
  }
  static MariadbServer* server_;
};

MariadbServer* SqlDatabaseMysqlTest::server_ = nullptr;

// Finds the first "last_value" under `j` (the incremental state of the only resource).
const nlohmann::json* FindLastValue(const nlohmann::json& j) {
  if (!j.is_object()) return nullptr;
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it.key() == "last_value") return &it.value();
    if (const nlohmann::json* f = FindLastValue(it.value())) return f;
  }
  return nullptr;
}

// A port bound on 127.0.0.1 but not listening: connections to it are refused. Close the fd after.
int RefusingPort(int* fd) {
  *fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(*fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return -1;
  socklen_t len = sizeof a;
  ::getsockname(*fd, reinterpret_cast<sockaddr*>(&a), &len);
  return ntohs(a.sin_port);
}

TEST_F(SqlDatabaseMysqlTest, EveryMappedTypeLoadsIntoDuckDbWithTheValueTheServerPrints) {
  Sql("CREATE TABLE every_type (id INT PRIMARY KEY, ti TINYINT, b1 TINYINT(1), si SMALLINT, mi MEDIUMINT,"
      " bi BIGINT NOT NULL, ub BIGINT UNSIGNED, dec1 DECIMAL(38,9), fl FLOAT, dbl DOUBLE, vc VARCHAR(20), tx TEXT,"
      " en ENUM('a','b'), st SET('x','y'), d DATE, t TIME(6), dt DATETIME(6), ts TIMESTAMP(6) NULL DEFAULT NULL,"
      " js JSON, bin VARBINARY(10), bl BLOB, bt BIT(10), yr YEAR);"
      "INSERT INTO every_type VALUES (1, -128, 1, -32768, 8388607, -9223372036854775808, 9223372036854775807,"
      " '12345678901234567890123456789.123456789', 1.5, 0.1, 'zoë 🎉', 'it''s \\\\ \"q\"', 'b', 'x,y', '2024-02-29',"
      " '23:59:59.999999', '2024-05-01 12:30:00.250000', '2024-05-01 12:30:00.000001', '{\"b\": 1, \"a\": [1, 2.5, \"x\"]}',"
      " X'00FF', X'DEADBEEF', b'1010101010', 2024);"
      "INSERT INTO every_type (id, bi) VALUES (2, 0);"
      "INSERT INTO every_type VALUES (3, 0, 0, 0, 0, 1, 0, '-0.000000001', -0.25, 123456.789, '', '', 'a', '', '1000-01-01',"
      " '00:00:00', '9999-12-31 23:59:59.999999', '1970-01-01 00:00:01', '[]', X'', X'', b'0', 1901);");
  PipelineWorkspace w;
  Secrets(w, server_->Url());
  SqlDatabaseOptions o;
  o.table_names = {"every_type"};
  o.reflection_level = "full_with_precision";
  auto info = RunTables(w, "types", o);
  ASSERT_TRUE(info.ok()) << info.status().message();
  struct Case {
    std::string column, maria, duck;
  };
  // The server's own text of each value (or its DATE_FORMAT, HEX, JSON_COMPACT, UNIX_TIMESTAMP)
  // against DuckDB's text of the loaded value.
  const std::vector<Case> cases = {
      {"ti", "ti", "CAST(ti AS VARCHAR)"},
      {"b1", "b1", "CAST(b1 AS VARCHAR)"},
      {"si", "si", "CAST(si AS VARCHAR)"},
      {"mi", "mi", "CAST(mi AS VARCHAR)"},
      {"bi", "bi", "CAST(bi AS VARCHAR)"},
      {"ub", "ub", "CAST(ub AS VARCHAR)"},
      {"dec1", "dec1", "CAST(dec1 AS VARCHAR)"},
      {"fl", "fl", "CAST(fl AS VARCHAR)"},
      {"dbl", "dbl", "CAST(dbl AS VARCHAR)"},
      {"vc", "vc", "vc"},
      {"tx", "tx", "tx"},
      {"en", "en", "en"},
      {"st", "st", "st"},
      {"d", "d", "CAST(d AS VARCHAR)"},
      {"t", "TIME_FORMAT(t, '%H:%i:%s.%f')", "strftime(DATE '2000-01-01' + t, '%H:%M:%S.%f')"},
      {"dt", "DATE_FORMAT(dt, '%Y-%m-%d %H:%i:%s.%f')", "strftime(dt, '%Y-%m-%d %H:%M:%S.%f')"},
      {"ts", "CAST(UNIX_TIMESTAMP(ts) * 1000000 AS SIGNED)", "CAST(epoch_us(ts) AS VARCHAR)"},
      {"js", "JSON_COMPACT(js)", "CAST(js AS VARCHAR)"},
      {"bin", "LOWER(HEX(bin))", "lower(hex(bin))"},
      {"bl", "LOWER(HEX(bl))", "lower(hex(bl))"},
      {"bt", "bt + 0", "CAST(bt AS VARCHAR)"},
      {"yr", "yr", "CAST(yr AS VARCHAR)"},
  };
  for (const auto& c : cases) {
    std::string src = Sql("SELECT GROUP_CONCAT(COALESCE(" + c.maria + ", 'NULL') ORDER BY id SEPARATOR '|') FROM every_type");
    std::string duck = SqlValue(w.Db(), "SELECT string_agg(coalesce(" + c.duck + ", 'NULL'), '|' ORDER BY id) FROM "
                                        "types_data.every_type");
    EXPECT_EQ(duck, src) << "column " << c.column;
  }
  EXPECT_EQ(SqlValue(w.Db(), "SELECT count(*) FROM types_data.every_type"), "3");
  auto duck_type = [&](const std::string& col) {
    return SqlValue(w.Db(), "SELECT data_type FROM information_schema.columns WHERE table_schema = 'types_data' "
                            "AND table_name = 'every_type' AND column_name = '" + col + "'");
  };
  EXPECT_EQ(duck_type("bi"), "BIGINT");
  EXPECT_EQ(duck_type("dec1"), "DECIMAL(38,9)");
  EXPECT_EQ(duck_type("dbl"), "DOUBLE");
  EXPECT_EQ(duck_type("vc"), "VARCHAR");
  EXPECT_EQ(duck_type("d"), "DATE");
  EXPECT_EQ(duck_type("t"), "TIME");
  // A timestamp without time zone (dlt's `timezone: false`) is a plain TIMESTAMP in DuckDB, as
  // dlt 1.26's DuckDB destination makes it.
  EXPECT_EQ(duck_type("dt"), "TIMESTAMP");
  EXPECT_EQ(duck_type("ts"), "TIMESTAMP WITH TIME ZONE");
  EXPECT_EQ(duck_type("js"), "JSON");
  EXPECT_EQ(duck_type("bl"), "BLOB");
  auto schema = nlohmann::json::parse(ReadFile(w.PipelineDir("types") / "schemas" / "types.schema.json"));
  auto cols = schema["tables"]["every_type"]["columns"];
  EXPECT_EQ(cols["id"]["primary_key"], true);
  EXPECT_EQ(cols["bi"]["nullable"], false);
  EXPECT_EQ(cols["vc"]["precision"], 20);
  EXPECT_EQ(cols["dt"]["timezone"], false);
}

TEST_F(SqlDatabaseMysqlTest, IncrementalSecondRunLoadsOnlyTheNewRowsAndTheStateHoldsTheLastValue) {
  Sql("CREATE TABLE events (id INT PRIMARY KEY, updated_at DATETIME(6) NOT NULL, note TEXT);"
      "INSERT INTO events SELECT seq, TIMESTAMP '2024-01-01 00:00:00' + INTERVAL seq HOUR, CONCAT('n', seq)"
      " FROM seq_1_to_5;");
  PipelineWorkspace w;
  Secrets(w, server_->Url());
  SqlDatabaseOptions o;
  SqlTableOptions t;
  t.table = "events";
  t.incremental = IncrementalOptions{};
  t.incremental->cursor_path = "updated_at";
  t.incremental->initial_value_json = "\"2024-01-01T02:00:00+00:00\"";
  o.table_names = {"events"};
  o.tables = {t};
  auto first = RunTables(w, "inc", o);
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_EQ(SqlValue(w.Db(), "SELECT string_agg(CAST(id AS VARCHAR), ',' ORDER BY id) FROM inc_data.events"), "2,3,4,5");
  Sql("INSERT INTO events VALUES (6, '2024-01-01 06:00:00', 'n6'), (7, '2024-01-01 07:00:00.5', 'n7');");
  auto second = RunTables(w, "inc", o);
  ASSERT_TRUE(second.ok()) << second.status().message();
  EXPECT_EQ(SqlValue(w.Db(), "SELECT string_agg(CAST(id AS VARCHAR), ',' ORDER BY id) FROM inc_data.events"),
            "2,3,4,5,6,7");
  EXPECT_EQ(SqlValue(w.Db(), "SELECT string_agg(CAST(id AS VARCHAR), ',' ORDER BY id) FROM inc_data.events WHERE "
                             "_dlt_load_id = (SELECT max(_dlt_load_id) FROM inc_data.events)"),
            "6,7");
  auto state = w.State("inc");
  const nlohmann::json* last = FindLastValue(state);
  ASSERT_NE(last, nullptr) << state.dump(2);
  ASSERT_TRUE(last->is_string()) << last->dump();
  EXPECT_EQ(last->get<std::string>().rfind("2024-01-01T07:00:00.5", 0), 0u) << last->dump();
  auto third = RunTables(w, "inc", o);
  ASSERT_TRUE(third.ok()) << third.status().message();
  EXPECT_EQ(SqlValue(w.Db(), "SELECT count(*) FROM inc_data.events"), "6");
}

TEST_F(SqlDatabaseMysqlTest, MergeSecondRunReplacesTheUpdatedRowByTheTablesPrimaryKey) {
  Sql("CREATE TABLE customers (id INT PRIMARY KEY, name VARCHAR(20)); INSERT INTO customers VALUES (1, 'ann'), (2, 'bob');");
  PipelineWorkspace w;
  Secrets(w, server_->Url());
  SqlDatabaseOptions o;
  SqlTableOptions t;
  t.table = "customers";
  t.write_disposition = "merge";
  o.table_names = {"customers"};
  o.tables = {t};
  auto first = RunTables(w, "mrg", o);
  ASSERT_TRUE(first.ok()) << first.status().message();
  Sql("UPDATE customers SET name = 'bobby' WHERE id = 2; INSERT INTO customers VALUES (3, 'cy');");
  auto second = RunTables(w, "mrg", o);
  ASSERT_TRUE(second.ok()) << second.status().message();
  EXPECT_EQ(SqlValue(w.Db(), "SELECT string_agg(CAST(id AS VARCHAR) || '=' || name, ',' ORDER BY id) FROM "
                             "mrg_data.customers"),
            "1=ann,2=bobby,3=cy");
}

TEST_F(SqlDatabaseMysqlTest, TableAddedBetweenRunsIsLoadedByTheNextRunWithoutTableNames) {
  // A database of its own, so that "every table" is only this test's.
  Sql("CREATE DATABASE grow CHARACTER SET utf8mb4; GRANT ALL ON grow.* TO 'loader'@'%';"
      "CREATE TABLE grow.first_table (id INT PRIMARY KEY, v TEXT); INSERT INTO grow.first_table VALUES (1, 'a');");
  PipelineWorkspace w;
  Secrets(w, Url(MariadbServer::kPassword, "grow"));
  auto first = RunTables(w, "grow", SqlDatabaseOptions{});
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_EQ(SqlValue(w.Db(), "SELECT count(*) FROM grow_data.first_table"), "1");
  EXPECT_FALSE(TableExists(w.Db(), "grow_data", "later_table"));
  Sql("CREATE TABLE grow.later_table (id INT PRIMARY KEY, amount DECIMAL(8,3));"
      "INSERT INTO grow.later_table VALUES (1, 2.5), (2, NULL);");
  auto second = RunTables(w, "grow", SqlDatabaseOptions{});
  ASSERT_TRUE(second.ok()) << second.status().message();
  EXPECT_EQ(SqlValue(w.Db(), "SELECT string_agg(coalesce(CAST(amount AS VARCHAR), 'NULL'), ',' ORDER BY id) FROM "
                             "grow_data.later_table"),
            "2.500,NULL");
}

TEST_F(SqlDatabaseMysqlTest, UnsignedBigintBeyondBigintEitherLoadsExactlyOrFailsNamingTheColumnAndLoadsNothing) {
  // 2^64-1 fits no signed 64-bit integer: dlt's bigint cannot hold it; a silent wrap is the bug.
  Sql("CREATE TABLE counters (id INT PRIMARY KEY, hits BIGINT UNSIGNED);"
      "INSERT INTO counters VALUES (1, 18446744073709551615), (2, 5);");
  PipelineWorkspace w;
  Secrets(w, server_->Url());
  SqlDatabaseOptions o;
  o.table_names = {"counters"};
  auto r = RunTables(w, "ctr", o);
  if (r.ok()) {
    EXPECT_EQ(SqlValue(w.Db(), "SELECT string_agg(CAST(hits AS VARCHAR), ',' ORDER BY id) FROM ctr_data.counters"),
              Sql("SELECT GROUP_CONCAT(hits ORDER BY id SEPARATOR ',') FROM counters"));
  } else {
    EXPECT_NE(r.status().message().find("hits"), std::string::npos) << r.status().message();
    EXPECT_NE(r.status().message().find("counters"), std::string::npos) << r.status().message();
    EXPECT_EQ(TablesIn(w, "ctr_data"), 0);
  }
}

TEST_F(SqlDatabaseMysqlTest, MissingTableFailsNamingItAndLoadsNothing) {
  Sql("CREATE TABLE present_table (id INT PRIMARY KEY); INSERT INTO present_table VALUES (1);");
  PipelineWorkspace w;
  Secrets(w, server_->Url());
  SqlDatabaseOptions o;
  o.table_names = {"present_table", "absent_table"};
  auto r = RunTables(w, "missing", o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("absent_table"), std::string::npos) << r.status().message();
  EXPECT_EQ(TablesIn(w, "missing_data"), 0);
}

TEST_F(SqlDatabaseMysqlTest, WrongPasswordFailsNamingTheUserWithThePasswordInNoMessageOrFile) {
  Sql("CREATE TABLE IF NOT EXISTS orders (id INT PRIMARY KEY); INSERT IGNORE INTO orders VALUES (1);");
  const std::string wrong = "Wr0ngSecret_mysql_5521";
  PipelineWorkspace w;
  Secrets(w, server_->Url());
  SqlDatabaseOptions o;
  o.credentials = Secret(Url(wrong));
  auto r = RunTables(w, "pw", o);
  ASSERT_FALSE(r.ok());
  const std::string& m = r.status().message();
  EXPECT_EQ(m.find(wrong), std::string::npos) << m;
  EXPECT_NE(m.find("loader"), std::string::npos) << m;
  EXPECT_NE(m.find("Access denied"), std::string::npos) << m;
  EXPECT_EQ(FilesContaining(w.root(), wrong), std::vector<std::string>{});
  EXPECT_EQ(TablesIn(w, "pw_data"), 0);
  // The same through `dlt run` of a pipeline file, the password in the profile's secrets: not in
  // its output nor in any file the run wrote (secrets files aside).
  PipelineWorkspace cli;
  Secrets(cli, Url(wrong));
  cli.Write("pw.toml", "[pipeline]\nname = \"pwcli\"\ndestination = \"warehouse\"\ndataset_name = \"pwcli_data\"\n\n"
                       "[source]\ntype = \"sql_database\"\ntable_names = [\"orders\"]\n");
  auto run = cli.RunPipeline({"pw.toml"});
  EXPECT_NE(run.exit_code, 0);
  EXPECT_TRUE(Contains(run.out + run.err, "Access denied")) << run.out << run.err;
  EXPECT_FALSE(Contains(run.out + run.err, wrong)) << run.out << run.err;
  EXPECT_EQ(FilesContaining(cli.root(), wrong), std::vector<std::string>{});
  EXPECT_EQ(TablesIn(cli, "pwcli_data"), 0);
}

TEST_F(SqlDatabaseMysqlTest, UnreachablePortFailsNamingHostAndPortAndLoadsNothing) {
  int fd = -1;
  const int port = RefusingPort(&fd);
  ASSERT_GT(port, 0);
  PipelineWorkspace w;
  Secrets(w, server_->Url());
  SqlDatabaseOptions o;
  o.credentials = Secret("mysql://loader:pw_unreach_88@127.0.0.1:" + std::to_string(port) + "/shop");
  auto r = RunTables(w, "down", o);
  ::close(fd);
  ASSERT_FALSE(r.ok());
  const std::string& m = r.status().message();
  EXPECT_NE(m.find("127.0.0.1:" + std::to_string(port)), std::string::npos) << m;
  EXPECT_EQ(m.find("pw_unreach_88"), std::string::npos) << m;
  EXPECT_EQ(TablesIn(w, "down_data"), 0);
}

}  // namespace
}  // namespace dlt::testing
