// Big files on S3 and killed loads into a bucket. Files above the part size (64 MB;
// DLT_S3_PART_BYTES lowers it here so that small files are sent in many parts) go as multipart
// uploads: the object appears whole when the upload completes, and a failed upload is aborted,
// leaving nothing under the key. A load killed anywhere, in the middle of a multipart upload
// included, is redone by the next run without any row counted twice.
#include <fstream>
#include <iterator>
#include <random>
#include <set>

#include "s3_lake_fixture.h"

namespace dlt::testing {
namespace {

namespace fs = std::filesystem;

const std::map<std::string, std::string> kSmallParts{{"DLT_S3_PART_BYTES", "1024"}};

std::string RandomBytes(size_t n) {
  std::mt19937 gen(7);
  std::string out(n, '\0');
  for (auto& c : out) c = static_cast<char>(gen() & 0xff);
  return out;
}

fs::path WriteTemp(const PipelineWorkspace& w, const std::string& name, const std::string& content) {
  fs::path p = w.root() / name;
  std::ofstream(p, std::ios::binary) << content;
  return p;
}

TEST_F(S3Lake, AFileBiggerThanThePartSizeIsUploadedInPartsAndReadsBackByteForByte) {
  S3Settings s = BucketClient(server_).settings();
  s.part_bytes = 5000;
  S3Client c(s);
  const std::string content = RandomBytes(12345);  // parts of 5000, 5000 and 2345 bytes
  ASSERT_TRUE(c.Upload("big/blob.bin", WriteTemp(w_, "blob.bin", content)).ok());
  auto back = c.Get("big/blob.bin");
  ASSERT_TRUE(back.ok()) << back.status().message();
  ASSERT_TRUE(back->has_value());
  EXPECT_EQ(back->value().size(), content.size());
  EXPECT_TRUE(back->value() == content) << "the object differs from the file";
  EXPECT_EQ(PendingUploads(), 0u) << "the multipart upload was not completed";
}

// Objects are read into files a range at a time (the filesystem source's local copies): a big
// object comes back byte for byte in many ranges, an empty one as an empty file, and a missing
// one is NotFound, leaving no file behind.
TEST_F(S3Lake, AnObjectIsDownloadedInRangesByteForByte) {
  S3Settings s = BucketClient(server_).settings();
  s.get_bytes = 1000;
  S3Client c(s);
  const std::string content = RandomBytes(12345);  // 13 ranges, the last of 345 bytes
  ASSERT_TRUE(c.Put("big/blob.bin", content).ok());
  ASSERT_TRUE(c.Put("big/empty.bin", "").ok());
  const fs::path file = w_.root() / "copy.bin";
  Status st = c.Download("big/blob.bin", file);
  ASSERT_TRUE(st.ok()) << st.message();
  std::ifstream in(file, std::ios::binary);
  const std::string back((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(back.size(), content.size());
  EXPECT_TRUE(back == content) << "the copy differs from the object";
  // With the size the listing gave, no HEAD first: the same bytes.
  const fs::path sized = w_.root() / "sized.bin";
  st = c.Download("big/blob.bin", sized, content.size());
  ASSERT_TRUE(st.ok()) << st.message();
  std::ifstream in2(sized, std::ios::binary);
  EXPECT_TRUE(std::string((std::istreambuf_iterator<char>(in2)), std::istreambuf_iterator<char>()) == content);
  const fs::path empty = w_.root() / "empty.bin";
  st = c.Download("big/empty.bin", empty);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_TRUE(fs::exists(empty));
  EXPECT_EQ(fs::file_size(empty), 0u);
  const fs::path missing = w_.root() / "missing.bin";
  st = c.Download("big/none.bin", missing);
  EXPECT_EQ(st.code(), StatusCode::kNotFound) << st.message();
  EXPECT_TRUE(Contains(st.message(), "s3://lake-bucket/big/none.bin")) << st.message();
  EXPECT_FALSE(fs::exists(missing));
}

TEST_F(S3Lake, AFailedPartAbortsTheUploadAndLeavesNothingUnderTheKey) {
  S3Settings s = BucketClient(server_).settings();
  s.part_bytes = 5000;
  S3Client c(s);
  // The test server fails part 2 of keys with this marker.
  const std::string key = "big/fail-on-part-2.bin";
  Status st = c.Upload(key, WriteTemp(w_, "blob.bin", RandomBytes(12345)));
  ASSERT_FALSE(st.ok());
  EXPECT_TRUE(Contains(st.message(), "s3://lake-bucket/" + key)) << st.message();
  EXPECT_TRUE(Contains(st.message(), "part 2")) << st.message();
  auto back = c.Get(key);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_FALSE(back->has_value()) << "a half object under its final name";
  EXPECT_EQ(PendingUploads(), 0u) << "the failed upload was not aborted";
}

TEST_F(S3Lake, ParquetFilesSentInPartsReadBackAsTheSourceRows) {
  w_.Write("orders.jsonl", Orders(1, 300));
  auto r = w_.RunPipeline({"shop.toml"}, kSmallParts);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(FileSql("SELECT min(id) || '..' || max(id) || ' x' || count(*) || ' (' || count(DISTINCT id) || ')' FROM read_parquet(" +
                    Stored("orders") + ")"), "1..300 x300 (300)");
  EXPECT_EQ(FileSql("SELECT count(*) FROM read_parquet(" + Stored("orders__items") + ")"), "600");
  // The orders file is several parts long.
  EXPECT_EQ(FileSql("SELECT (sum(size) > 3 * 1024)::VARCHAR FROM read_blob(" + Stored("orders") + ")"), "true");
  EXPECT_EQ(PendingUploads(), 0u);
}

// The crash matrix of the filesystem destination on S3: the run is killed at each point of the
// load (load_s3_part: after the first part of a multipart upload, before it completes), then run
// again. Every row is in the bucket exactly once and every load is recorded once.
TEST_F(S3Lake, LoadKilledAtEveryPointIsRedoneWithoutCountingAnyRowTwice) {
  for (const char* point : {"load_table", "load_s3_part", "load_before_state_row", "load_before_loads_row",
                            "load_after_commit", "load_before_package_move"}) {
    SCOPED_TRACE(point);
    const std::string folder = std::string("crash_") + point;
    PipelineWorkspace w;
    UseBucketFolder(w, server_, folder);
    w.Write("shop.toml", PipelineFile("shop", "orders.jsonl", "", "lake"));
    w.Write("orders.jsonl", Orders(1, 4));
    ASSERT_EQ(w.RunPipeline({"shop.toml"}, kSmallParts).exit_code, 0);
    w.Write("orders.jsonl", Orders(5, 80));
    // The files to upload are made in $TMPDIR: a folder of the test's own, to see what stays.
    const fs::path tmp = w.root() / "tmp";
    fs::create_directories(tmp);
    auto env = kSmallParts;
    env["TMPDIR"] = tmp.string();
    env["DLT_FAULT_KILL_AT"] = point;
    auto crash = w.RunPipeline({"shop.toml"}, env);
    ASSERT_EQ(crash.exit_code, 137) << crash.out << crash.err;
    w.Write("orders.jsonl", Orders(81, 90));
    env.erase("DLT_FAULT_KILL_AT");
    auto rerun = w.RunPipeline({"shop.toml"}, env);
    ASSERT_EQ(rerun.exit_code, 0) << rerun.err;
    // The killed run's upload folder (SIGKILL: it could not remove it) went with the rerun.
    EXPECT_TRUE(fs::is_empty(tmp)) << fs::directory_iterator(tmp)->path();
    EXPECT_EQ(FileSql("SELECT min(id) || '..' || max(id) || ' x' || count(*) || ' (' || count(DISTINCT id) || ')' FROM read_parquet(" +
                      Stored("orders", folder) + ")"), "1..90 x90 (90)");
    EXPECT_EQ(FileSql("SELECT count(*) FROM read_parquet(" + Stored("orders__items", folder) + ")"), "180");
    const std::string dataset = folder + "/shop_data/";
    auto keys = Keys(dataset);
    EXPECT_EQ(CountUnder(keys, dataset + "_dlt_loads/"), 3u) << ::testing::PrintToString(keys);
    for (const auto& k : keys) EXPECT_EQ(k.find("/."), std::string::npos) << "a staging object: " << k;
    auto info = w.Dlt({"pipeline", "shop", "info"});
    EXPECT_EQ(info.exit_code, 0) << info.err;
    EXPECT_TRUE(Contains(info.out, "No pending packages.")) << info.out;
  }
}

}  // namespace
}  // namespace dlt::testing
