// dlt.sources.filesystem over an s3:// bucket (a local S3-compatible server, tests/s3_server.h):
// the listing with each object's size and time, `filesystem(...) | read_csv()` / read_jsonl()
// loading the objects' rows, credentials from the profile's `sources.filesystem.credentials`,
// the incremental on modification_date loading only new objects, FileItemDict.read_bytes(), and
// a wrong secret key failing with the bucket named and the key never shown.
#include <gtest/gtest.h>

#include "s3_lake_fixture.h"
#include "support/duckdb_query.h"
#include "support/python_script.h"

namespace dlt::testing {
namespace {

namespace fs = std::filesystem;

#ifdef DLT_PYTHON

std::string SourceCredentials(const std::string& secret, const std::string& endpoint) {
  return "[sources.filesystem]\nbucket_url = \"s3://lake-bucket/landing\"\n\n"
         "[sources.filesystem.credentials]\naws_access_key_id = \"" + std::string(S3Server::kKeyId) +
         "\"\naws_secret_access_key = \"" + secret + "\"\nregion_name = \"eu-central-1\"\nendpoint_url = \"" + endpoint +
         "\"\n";
}

const char* kScript = R"PY(
import dlt
from dlt.sources.filesystem import filesystem, read_csv, read_jsonl

files = filesystem(file_glob="**/*.csv")
files.apply_hints(incremental=dlt.sources.incremental("modification_date"))
listing = list(filesystem(file_glob="**/*.csv"))
print(sorted((f["relative_path"], f["size_in_bytes"], f["file_url"]) for f in listing))
print(listing[0].read_bytes().decode().splitlines()[0], listing[0]["modification_date"].tzinfo is not None)
with listing[0].open("r") as text, listing[0].open() as binary:
    print("open:", text.readline().strip(), binary.read() == listing[0].read_bytes())
p = dlt.pipeline(pipeline_name="lake_in", destination="duckdb", dataset_name="lake_in_data")
p.run([(files | read_csv()).with_name("prices"),
       (filesystem(file_glob="events.jsonl") | read_jsonl()).with_name("events")])
print("loaded")
)PY";

TEST(PythonFilesystemS3, ReadsObjectsOfABucketWithTheProfilesCredentialsAndOnlyNewOnesNextRun) {
  S3Server server;
  ASSERT_TRUE(server.ok()) << server.error();
  S3Client bucket = BucketClient(server);
  ASSERT_TRUE(bucket.Put("landing/2024/a.csv", "id,price\n1,1.5\n2,2.5\n").ok());
  ASSERT_TRUE(bucket.Put("landing/2024/b.csv", "id,price\n3,3.5\n").ok());
  ASSERT_TRUE(bucket.Put("landing/events.jsonl", "{\"id\": 1, \"tags\": [\"x\"]}\n").ok());
  ASSERT_TRUE(bucket.Put("elsewhere/c.csv", "id,price\n9,9.9\n").ok());
  TempWorkspace w;
  w.WriteSecrets(SourceCredentials(S3Server::kSecret, server.Endpoint()));
  w.env()["DLT_S3_GET_BYTES"] = "8";  // the local copies and open() read objects in many ranges
  const fs::path tmp = w.root() / "tmp";  // $TMPDIR of the script: to see what stays there
  fs::create_directories(tmp);
  w.env()["TMPDIR"] = tmp.string();
  auto r = RunPythonSource(w, "lake.py", kScript);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "open: id,price True")) << r.out;
  EXPECT_TRUE(Contains(r.out, "[('2024/a.csv', 21, 's3://lake-bucket/landing/2024/a.csv'), "
                              "('2024/b.csv', 15, 's3://lake-bucket/landing/2024/b.csv')]"))
      << r.out;
  EXPECT_TRUE(Contains(r.out, "id,price True")) << r.out;
  const fs::path db = DevDb(w, "lake_in");
  EXPECT_EQ(SqlValue(db, "SELECT string_agg(id || ':' || price, ',' ORDER BY id) FROM lake_in_data.prices"),
            "1:1.5,2:2.5,3:3.5");
  EXPECT_EQ(SqlValue(db, "SELECT count(*) FROM lake_in_data.events__tags"), "1");
  // S3 times have a resolution of seconds: the next object is written a second later.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  ASSERT_TRUE(bucket.Put("landing/2024/c.csv", "id,price\n4,4.5\n").ok());
  // What a script killed while it held local copies leaves: its folder with an owner file that
  // no process holds locked. Next to it a folder of the same prefix that no run made.
  w.Write("tmp/dlt-s3-killed1/.owner", "");
  w.Write("tmp/dlt-s3-killed1/0/a.csv", "id,price\n1,1.5\n");
  fs::create_directories(tmp / "dlt-s3-foreign");
  r = RunPythonSource(w, "lake.py", kScript);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(SqlValue(db, "SELECT string_agg(id || ':' || price, ',' ORDER BY id) FROM lake_in_data.prices"),
            "1:1.5,2:2.5,3:3.5,4:4.5")
      << "the second run loads only the new object";
  // The local copies of the objects are gone with the process, and so is the killed script's
  // folder; the folder no run made stays.
  std::vector<std::string> left;
  for (const auto& e : fs::directory_iterator(tmp)) left.push_back(e.path().filename().string());
  EXPECT_EQ(left, std::vector<std::string>{"dlt-s3-foreign"});
}

TEST(PythonFilesystemS3, AWrongSecretKeyNamesTheBucketAndNeverTheKey) {
  S3Server server;
  ASSERT_TRUE(server.ok()) << server.error();
  ASSERT_TRUE(BucketClient(server).Put("landing/a.csv", "id\n1\n").ok());
  const std::string secret = "sEcReT-canary-5a3f91";
  TempWorkspace w;
  w.WriteSecrets(SourceCredentials(secret, server.Endpoint()));
  auto r = RunPythonSource(w, "lake.py", R"PY(
import dlt
from dlt.sources.filesystem import filesystem, read_csv
try:
    list(filesystem(file_glob="*.csv"))
except OSError as e:
    print("OSError:", e)
p = dlt.pipeline(pipeline_name="lake_bad", destination="duckdb", dataset_name="d")
p.run(filesystem(file_glob="*.csv") | read_csv())
)PY");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(r.out, "OSError:")) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out + r.err, "lake-bucket")) << r.out << r.err;
  EXPECT_FALSE(Contains(r.out + r.err, secret));
  EXPECT_FALSE(fs::exists(DevDb(w, "lake_bad")) &&
               SqlValue(DevDb(w, "lake_bad"), "SELECT count(*) FROM information_schema.tables WHERE table_name = "
                                              "'read_csv'") != "0");
}

// dlt's AwsCredentials given in code, with no secrets file: the filesystem source reads the
// bucket with them and the filesystem destination writes its files into it; the spec prints
// without its values.
TEST(PythonFilesystemS3, AwsCredentialsGivenInCodeReadAndWriteTheBucket) {
  S3Server server;
  ASSERT_TRUE(server.ok()) << server.error();
  S3Client bucket = BucketClient(server);
  ASSERT_TRUE(bucket.Put("landing/a.csv", "id,price\n1,1.5\n2,2.5\n").ok());
  TempWorkspace w;
  w.env()["S3_KEY_ID"] = S3Server::kKeyId;
  w.env()["S3_SECRET"] = S3Server::kSecret;
  w.env()["S3_ENDPOINT"] = server.Endpoint();
  w.env()["NORMALIZE__DATA_WRITER__DISABLE_COMPRESSION"] = "true";  // the object read as text below
  auto r = RunPythonSource(w, "aws.py", R"PY(
import os, dlt
from dlt.common.configuration.specs import AwsCredentials
from dlt.sources.filesystem import filesystem, read_csv
creds = AwsCredentials(aws_access_key_id=os.environ["S3_KEY_ID"], aws_secret_access_key=os.environ["S3_SECRET"],
                       region_name="eu-central-1", endpoint_url=os.environ["S3_ENDPOINT"])
print(os.environ["S3_SECRET"] in repr(creds) + str(creds), creds.region_name, creds["aws_access_key_id"] == os.environ["S3_KEY_ID"])
files = filesystem(bucket_url="s3://lake-bucket/landing", credentials=creds, file_glob="*.csv")
lake = dlt.destinations.filesystem(bucket_url="s3://lake-bucket/out", credentials=creds)
p = dlt.pipeline(pipeline_name="aws_code", destination=lake, dataset_name="copy")
print(p.run((files | read_csv()).with_name("prices"), loader_file_format="jsonl").has_failed_jobs)
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "False eu-central-1 True\nFalse\n");
  auto keys = bucket.List("out/copy/prices/");
  ASSERT_TRUE(keys.ok()) << keys.status().message();
  ASSERT_EQ(keys->size(), 1u);
  auto body = bucket.Get(keys->front());
  ASSERT_TRUE(body.ok() && body->has_value());
  EXPECT_TRUE(Contains(**body, "\"id\":2")) << **body;
}

#endif

}  // namespace
}  // namespace dlt::testing
