// What the S3 tests of the filesystem destination share: a local S3-compatible server
// (tests/s3_server.h) with the bucket `lake-bucket`, workspaces whose `lake` destination loads
// into a folder of it, and ways to look at the bucket (ListObjectsV2, and s3rver's own files,
// which DuckDB reads directly).
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "destinations/filesystem/s3_client.h"
#include "pipeline_fixture.h"
#include "s3_server.h"
#include "support/duckdb_query.h"
#include "test_util.h"

namespace dlt::testing {

inline constexpr const char* kBucket = "lake-bucket";

inline size_t CountUnder(const std::vector<std::string>& keys, const std::string& folder) {
  size_t n = 0;
  for (const auto& k : keys) n += k.starts_with(folder) && k.find('/', folder.size()) == std::string::npos;
  return n;
}

inline std::string S3Credentials(const std::string& key_id, const std::string& secret, const std::string& endpoint) {
  return "[destination.lake.credentials]\naws_access_key_id = \"" + key_id + "\"\naws_secret_access_key = \"" + secret +
         "\"\nregion_name = \"eu-central-1\"\nendpoint_url = \"" + endpoint + "\"\n";
}

// Points the dev profile's destination `lake` of `w` at s3://lake-bucket/<folder> on `server`,
// writing Parquet files (the tests read them back with read_parquet; the default is jsonl).
inline void UseBucketFolder(PipelineWorkspace& w, const S3Server& server, const std::string& folder) {
  w.WriteConfig("[destination.lake]\ndestination_type = \"filesystem\"\nbucket_url = \"s3://" + std::string(kBucket) + "/" +
                    folder + "\"\nloader_file_format = \"parquet\"\n", "dev");
  w.WriteSecrets(S3Credentials(S3Server::kKeyId, S3Server::kSecret, server.Endpoint()), "dev");
}

// A client of the test server's bucket with the right key pair.
inline S3Client BucketClient(const S3Server& server) {
  S3Settings s;
  s.bucket = kBucket;
  s.endpoint = server.Endpoint();
  s.key_id = S3Server::kKeyId;
  s.secret = S3Server::kSecret;
  return S3Client(s);
}

// A workspace whose dev profile loads into s3://lake-bucket/raw on a fresh local server.
class S3Lake : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.ok()) << server_.error();
    UseBucketFolder(w_, server_, "raw");
    w_.Write("shop.toml", PipelineFile("shop", "orders.jsonl", "", "lake"));
  }
  static std::string Credentials(const std::string& key_id, const std::string& secret, const std::string& endpoint) {
    return S3Credentials(key_id, secret, endpoint);
  }
  // Keys under `prefix` as listed by the server (ListObjectsV2).
  std::vector<std::string> Keys(const std::string& prefix) {
    S3Client c = BucketClient(server_);
    auto keys = c.List(prefix);
    EXPECT_TRUE(keys.ok()) << keys.status().message();
    return keys.ok() ? *keys : std::vector<std::string>{};
  }
  // Where s3rver keeps the objects of a table folder, as a glob DuckDB reads. s3rver answers a
  // PUT (and a multipart completion) once the data went through its hashing stream, before its
  // write stream has flushed the object file; the MD5 it computed is written first
  // (`<object>.md5`). So each object file is waited for (at most 10 s) until its content has
  // that MD5: only then is it whole.
  std::string Stored(const std::string& table, const std::string& folder = "raw") const {
    const std::filesystem::path dir = server_.dir() / "data" / kBucket / folder / "shop_data" / table;
    auto whole = [&] {
      std::error_code ec;
      for (auto it = std::filesystem::directory_iterator(dir, ec); !ec && it != std::filesystem::directory_iterator();
           it.increment(ec)) {
        const std::string file = it->path().string();
        if (!file.ends_with("._S3rver_object")) continue;
        std::error_code missing;
        if (!std::filesystem::exists(file + ".md5", missing)) return false;
        const std::string want = ReadFile(file + ".md5");
        if (want.empty() || FileSql("SELECT md5(content) FROM read_blob('" + file + "')") != want) return false;
      }
      return true;
    };
    for (int waited = 0; !whole() && waited < 10000; waited += 50) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return "'" + (dir / "*._S3rver_object").string() + "'";
  }
  // Multipart uploads of the bucket neither completed nor aborted (s3rver keeps one folder each).
  size_t PendingUploads() const {
    size_t n = 0;
    std::error_code ec;
    for (auto it = std::filesystem::directory_iterator(server_.dir() / "data" / kBucket / "._S3rver_uploads", ec);
         !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
      ++n;
    }
    return n;
  }
  S3Server server_;
  PipelineWorkspace w_;
};

}  // namespace dlt::testing
