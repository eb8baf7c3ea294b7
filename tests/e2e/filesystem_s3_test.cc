// The filesystem destination on S3: `bucket_url = "s3://bucket/prefix"` against a local
// S3-compatible server (s3rver, tests/s3_server.h). Objects follow dlt's layout, read back as the
// source rows, and credentials problems name the bucket, never the secret key.
#include <set>

#include "destinations/filesystem/s3_client.h"
#include "pipeline_fixture.h"
#include "s3_server.h"
#include "destinations/filesystem/filesystem_destination.h"

namespace dlt::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char* kBucket = "lake-bucket";

std::string FileSql(const std::string& sql) {
  auto db = duckdb::Database::Open(":memory:");
  if (!db.ok()) return "open failed: " + db.status().message();
  auto c = db->Connect();
  if (!c.ok()) return "connect failed: " + c.status().message();
  auto r = c->Query(sql);
  if (!r.ok()) return "query failed: " + r.status().message() + " (" + sql + ")";
  if (r->rows.size() != 1 || r->rows[0].size() != 1) return "<" + std::to_string(r->rows.size()) + " rows>";
  return r->rows[0][0].is_null ? "NULL" : r->rows[0][0].text;
}

// A workspace whose dev profile loads into s3://lake-bucket/raw on a fresh local server.
class S3Lake : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.ok()) << server_.error();
    w_.WriteConfig("[destination.lake]\ndestination_type = \"filesystem\"\nbucket_url = \"s3://" + std::string(kBucket) +
                       "/raw\"\n", "dev");
    w_.WriteSecrets(Credentials(S3Server::kKeyId, S3Server::kSecret, server_.Endpoint()), "dev");
    w_.Write("shop.toml", PipelineFile("shop", "orders.jsonl", "", "lake"));
  }
  static std::string Credentials(const std::string& key_id, const std::string& secret, const std::string& endpoint) {
    return "[destination.lake.credentials]\naws_access_key_id = \"" + key_id + "\"\naws_secret_access_key = \"" + secret +
           "\"\nregion_name = \"eu-central-1\"\nendpoint_url = \"" + endpoint + "\"\n";
  }
  // Keys under `prefix` as listed by the server (ListObjectsV2).
  std::vector<std::string> Keys(const std::string& prefix) {
    S3Settings s;
    s.bucket = kBucket;
    s.endpoint = server_.Endpoint();
    s.key_id = S3Server::kKeyId;
    s.secret = S3Server::kSecret;
    S3Client c(s);
    auto keys = c.List(prefix);
    EXPECT_TRUE(keys.ok()) << keys.status().message();
    return keys.ok() ? *keys : std::vector<std::string>{};
  }
  // Where s3rver keeps the objects of a table folder, as a glob DuckDB reads.
  std::string Stored(const std::string& table) const {
    return "'" + (server_.dir() / "data" / kBucket / "raw" / "shop_data" / table / "*._S3rver_object").string() + "'";
  }
  S3Server server_;
  PipelineWorkspace w_;
};

size_t CountUnder(const std::vector<std::string>& keys, const std::string& folder) {
  size_t n = 0;
  for (const auto& k : keys) n += k.starts_with(folder) && k.find('/', folder.size()) == std::string::npos;
  return n;
}

TEST_F(S3Lake, LoadsParquetObjectsInDltsLayoutThatReadBackAsTheSourceRows) {
  w_.Write("orders.jsonl", Orders(1, 4));
  auto r = w_.RunPipeline({"shop.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto keys = Keys("raw/");
  std::set<std::string> set(keys.begin(), keys.end());
  EXPECT_TRUE(set.count("raw/shop_data/init")) << ::testing::PrintToString(keys);
  EXPECT_EQ(CountUnder(keys, "raw/shop_data/orders/"), 1u) << ::testing::PrintToString(keys);
  EXPECT_EQ(CountUnder(keys, "raw/shop_data/orders__items/"), 1u);
  EXPECT_EQ(CountUnder(keys, "raw/shop_data/_dlt_loads/"), 1u);
  EXPECT_EQ(CountUnder(keys, "raw/shop_data/_dlt_pipeline_state/"), 1u);
  EXPECT_EQ(CountUnder(keys, "raw/shop_data/_dlt_version/"), 1u);
  for (const auto& k : keys) {
    if (k.starts_with("raw/shop_data/orders/")) EXPECT_TRUE(k.ends_with(".parquet")) << k;
    if (k.starts_with("raw/shop_data/_dlt_loads/")) EXPECT_TRUE(k.starts_with("raw/shop_data/_dlt_loads/shop__")) << k;
  }
  EXPECT_EQ(FileSql("SELECT min(id) || '..' || max(id) || ' x' || count(*) FROM read_parquet(" + Stored("orders") + ")"), "1..4 x4");
  EXPECT_EQ(FileSql("SELECT string_agg(customer || ':' || address__city, ',' ORDER BY id) FROM read_parquet(" + Stored("orders") + ")"),
            "c1:city1,c2:city2,c3:city0,c4:city1");
  EXPECT_EQ(FileSql("SELECT count(*) FROM read_parquet(" + Stored("orders__items") + ")"), "8");
  // No staging file left in the bucket.
  for (const auto& k : keys) EXPECT_EQ(k.find("/."), std::string::npos) << k;
}

TEST_F(S3Lake, AppendingTwiceAddsObjectsAndReplaceLeavesOnlyTheNewOnes) {
  w_.Write("orders.jsonl", Orders(1, 3));
  ASSERT_EQ(w_.RunPipeline({"shop.toml"}).exit_code, 0);
  w_.Write("orders.jsonl", Orders(4, 5));
  auto r = w_.RunPipeline({"shop.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(CountUnder(Keys("raw/shop_data/orders/"), "raw/shop_data/orders/"), 2u);
  EXPECT_EQ(FileSql("SELECT min(id) || '..' || max(id) || ' x' || count(*) FROM read_parquet(" + Stored("orders") + ")"), "1..5 x5");

  w_.Write("shop.toml", PipelineFile("shop", "orders.jsonl", "write_disposition = \"replace\"\n", "lake"));
  w_.Write("orders.jsonl", Orders(7, 8));
  r = w_.RunPipeline({"shop.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(CountUnder(Keys("raw/shop_data/orders/"), "raw/shop_data/orders/"), 1u);
  EXPECT_EQ(FileSql("SELECT string_agg(id::VARCHAR, ',' ORDER BY id) FROM read_parquet(" + Stored("orders") + ")"), "7,8");
  EXPECT_EQ(FileSql("SELECT count(*) FROM read_parquet(" + Stored("orders__items") + ")"), "4");
  EXPECT_EQ(CountUnder(Keys("raw/shop_data/_dlt_loads/"), "raw/shop_data/_dlt_loads/"), 3u);
}

TEST_F(S3Lake, SyncAfterTheLocalStateIsWipedRestoresItFromTheBucket) {
  w_.Write("shop.toml", PipelineFile("shop", "orders.jsonl", "incremental = { cursor_path = \"id\", initial_value = 0 }\n", "lake"));
  w_.Write("orders.jsonl", Orders(1, 4));
  ASSERT_EQ(w_.RunPipeline({"shop.toml"}).exit_code, 0);
  fs::remove_all(w_.root() / ".dlt" / ".var");
  auto s = w_.Dlt({"pipeline", "shop", "sync"});
  ASSERT_EQ(s.exit_code, 0) << s.out << s.err;
  EXPECT_TRUE(Contains(s.out, "Restored pipeline shop from dataset shop_data")) << s.out;
  EXPECT_EQ(w_.State("shop")["sources"]["shop"]["resources"]["orders"]["incremental"]["id"]["last_value"], 4);
  w_.Write("orders.jsonl", Orders(1, 6));
  auto r = w_.RunPipeline({"shop.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(FileSql("SELECT min(id) || '..' || max(id) || ' x' || count(*) FROM read_parquet(" + Stored("orders") + ")"), "1..6 x6");
}

TEST_F(S3Lake, ProfileSwitchFromALocalDevFolderToAnS3BucketInProdWithoutTouchingThePipeline) {
  // dev: a local folder; prod: the bucket (the fixture's dev settings move to prod).
  w_.WriteConfig("[destination.lake]\ndestination_type = \"filesystem\"\nbucket_url = \"lake\"\n", "dev");
  w_.WriteSecrets("", "dev");
  w_.WriteConfig("[destination.lake]\ndestination_type = \"filesystem\"\nbucket_url = \"s3://" + std::string(kBucket) +
                     "/raw\"\n", "prod");
  w_.WriteSecrets(Credentials(S3Server::kKeyId, S3Server::kSecret, server_.Endpoint()), "prod");
  w_.Write("orders.jsonl", Orders(1, 3));
  auto r = w_.RunPipeline({"shop.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Keys("raw/").empty());
  EXPECT_EQ(FileSql("SELECT count(*) FROM read_parquet('" +
                    (w_.root() / "_local" / "dev" / "lake" / "shop_data" / "orders" / "*.parquet").string() + "')"), "3");
  r = w_.RunPipeline({"shop.toml", "--profile", "prod"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(FileSql("SELECT count(*) FROM read_parquet(" + Stored("orders") + ")"), "3");
}

TEST_F(S3Lake, WrongCredentialsNameTheBucketAndNeverTheSecretKey) {
  const std::string secret = "sEcReT-canary-8f3a91";
  w_.WriteSecrets(Credentials("NOT-A-KEY", secret, server_.Endpoint()), "dev");
  w_.Write("orders.jsonl", Orders(1, 2));
  auto r = w_.RunPipeline({"shop.toml"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.err, kBucket)) << r.err;
  EXPECT_TRUE(Contains(r.err, "aws_access_key_id")) << r.err;
  EXPECT_FALSE(Contains(r.out + r.err, secret)) << r.out << r.err;
}

TEST_F(S3Lake, AnUnreachableEndpointNamesTheBucketAndNeverTheSecretKey) {
  const std::string secret = "sEcReT-canary-77c0de";
  w_.WriteSecrets(Credentials(S3Server::kKeyId, secret, "http://127.0.0.1:1"), "dev");
  w_.Write("orders.jsonl", Orders(1, 2));
  auto r = w_.RunPipeline({"shop.toml"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.err, kBucket)) << r.err;
  EXPECT_TRUE(Contains(r.err, "endpoint_url")) << r.err;
  EXPECT_FALSE(Contains(r.out + r.err, secret)) << r.out << r.err;
}

TEST_F(S3Lake, MissingKeysAreNamedBeforeAnythingRuns) {
  w_.WriteSecrets("", "dev");
  w_.Write("orders.jsonl", Orders(1, 2));
  auto r = w_.RunPipeline({"shop.toml"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.err, "aws_access_key_id")) << r.err;
  EXPECT_TRUE(Contains(r.err, "aws_secret_access_key")) << r.err;
}

}  // namespace
}  // namespace dlt::testing
