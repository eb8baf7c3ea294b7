// The filesystem destination on S3: `bucket_url = "s3://bucket/prefix"` against a local
// S3-compatible server (s3rver, tests/s3_server.h). Objects follow dlt's layout, read back as the
// source rows, and credentials problems name the bucket, never the secret key.
#include <set>

#include "s3_lake_fixture.h"

namespace dlt::testing {
namespace {

namespace fs = std::filesystem;

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
    if (k.starts_with("raw/shop_data/orders/")) {
      EXPECT_TRUE(k.ends_with(".parquet")) << k;
    }
    if (k.starts_with("raw/shop_data/_dlt_loads/")) {
      EXPECT_TRUE(k.starts_with("raw/shop_data/_dlt_loads/shop__")) << k;
    }
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
  w_.WriteConfig("[destination.lake]\ndestination_type = \"filesystem\"\nbucket_url = \"lake\"\nloader_file_format = \"parquet\"\n",
                 "dev");
  w_.WriteSecrets("", "dev");
  w_.WriteConfig("[destination.lake]\ndestination_type = \"filesystem\"\nbucket_url = \"s3://" + std::string(kBucket) +
                     "/raw\"\nloader_file_format = \"parquet\"\n", "prod");
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

// The server checks each request's V4 signature (tools/s3rver/sigv4-s3rver.js), so a known key id
// with the wrong secret key is refused as S3 refuses it: SignatureDoesNotMatch.
TEST_F(S3Lake, AWrongSecretKeyWithAValidKeyIdNamesTheBucketAndNeverTheSecretKey) {
  const std::string secret = "sEcReT-canary-4b1d07";
  w_.WriteSecrets(Credentials(S3Server::kKeyId, secret, server_.Endpoint()), "dev");
  w_.Write("orders.jsonl", Orders(1, 2));
  auto r = w_.RunPipeline({"shop.toml"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.err, kBucket)) << r.err;
  EXPECT_TRUE(Contains(r.err, "SignatureDoesNotMatch")) << r.err;
  EXPECT_TRUE(Contains(r.err, "aws_secret_access_key")) << r.err;
  EXPECT_FALSE(Contains(r.out + r.err, secret)) << r.out << r.err;
  EXPECT_TRUE(Keys("raw/").empty());
}

// ListObjectsV2 answers 1000 keys a page; the next page's request carries a continuation token,
// which must be signed in S3's canonical query order (it sorts before list-type).
TEST_F(S3Lake, ListingMoreThanAThousandKeysFollowsTheSignedContinuationToken) {
  S3Client c = BucketClient(server_);
  for (int i = 0; i < 1003; ++i) ASSERT_TRUE(c.Put("many/k" + std::to_string(i), "x").ok()) << i;
  auto keys = c.List("many/");
  ASSERT_TRUE(keys.ok()) << keys.status().message();
  EXPECT_EQ(std::set<std::string>(keys->begin(), keys->end()).size(), 1003u);
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
