// The few S3 requests the filesystem destination and source make: PUT, GET and DELETE of an
// object, ListObjectsV2, the multipart upload of a big file (s3_multipart.cc) and the ranged
// download of one (s3_download.cc), path-style (`<endpoint>/<bucket>/<key>`, which local S3-compatible servers
// serve), signed with AWS Signature V4 by libcurl (through the project's HTTP client, so libcurl
// is loaded only when a bucket is used). The secret access key is passed to libcurl and to the
// message masking only: no message, URL or repr this file produces contains it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "dlt/status.h"
#include "extract/http_client.h"

namespace dlt {

struct S3Settings {
  std::string bucket;
  std::string prefix;  // key prefix inside the bucket, without leading or trailing "/"
  std::string endpoint = "";  // "http://127.0.0.1:4568"; empty: https://s3.<region>.amazonaws.com
  std::string region = "us-east-1";
  std::string key_id;
  std::string secret;
  // Files above this size are sent as a multipart upload of parts of this size (S3's single PUT
  // stops at 5 GB; parts are 5 MB at least, except the last). DLT_S3_PART_BYTES overrides it
  // (tests, to make multi-part objects of small files).
  uint64_t part_bytes = uint64_t{64} << 20;
  // Objects are read into files in ranges of this size (Download); DLT_S3_GET_BYTES overrides it.
  uint64_t get_bytes = uint64_t{64} << 20;
};

// Query parameters of a request, in any order.
using S3Query = std::vector<std::pair<std::string, std::string>>;
// The query as S3 signs it: parameters sorted by name, each "name=value" (also when the value is
// empty), RFC 3986 encoded; "" when there are none, else starting with "?". libcurl (7.88) signs
// the query as it is written, so writing it canonical is what makes S3 accept the signature of a
// continued listing (continuation-token sorts before list-type) or a multipart request ("uploads=").
std::string CanonicalS3Query(S3Query q);

// One listed object: its key, size in bytes and <LastModified> (ISO 8601, as S3 writes it).
struct S3Object {
  std::string key;
  uint64_t size = 0;
  std::string last_modified;
};

class S3Client {
 public:
  explicit S3Client(S3Settings s);

  // Keys are full object keys in the bucket.
  Status Put(const std::string& key, const std::string& content);
  // nullopt when there is no such object.
  StatusOr<std::optional<std::string>> Get(const std::string& key);
  Status Delete(const std::string& key);
  // Every key that starts with `prefix`, following continuation tokens.
  StatusOr<std::vector<std::string>> List(const std::string& prefix);
  // The same with each object's size and modification time (the filesystem source's listing).
  StatusOr<std::vector<S3Object>> ListObjects(const std::string& prefix);
  // Uploads a local file as `key`: one PUT up to part_bytes, above that a multipart upload, which
  // is aborted on any failure, so that the object appears whole under `key` or not at all.
  Status Upload(const std::string& key, const std::filesystem::path& file);
  // Writes the object to `file` in ranged GETs of get_bytes (s3_download.cc): memory stays at one
  // range. `size` is the object's (from a listing); unknown, a HEAD asks for it. NotFound when
  // there is no such object; on any failure the file is removed.
  Status Download(const std::string& key, const std::filesystem::path& file, std::optional<uint64_t> size = std::nullopt);

  const S3Settings& settings() const { return s_; }
  // "s3://bucket/key" for messages.
  std::string Display(const std::string& key) const { return "s3://" + s_.bucket + "/" + key; }

 private:
  StatusOr<http::Response> Send(const std::string& method, const std::string& key, const S3Query& query,
                                std::optional<std::string> body, const http::Headers& extra_headers = {});
  // s3_multipart.cc
  StatusOr<std::string> CreateMultipartUpload(const std::string& key);
  Status UploadParts(const std::string& key, const std::string& upload_id, const std::filesystem::path& file,
                     uint64_t size);
  void AbortMultipartUpload(const std::string& key, const std::string& upload_id);
  Status Failure(const std::string& what, const std::string& key, const http::Response& r) const;

  S3Settings s_;
  std::optional<http::Client> client_;
};

// Pieces of a ListObjectsV2 response body: the <Key> values (XML entities decoded), each
// object's key, size and time, and the <NextContinuationToken> when <IsTruncated> is true.
struct S3ListPage {
  std::vector<std::string> keys;
  std::vector<S3Object> objects;
  std::optional<std::string> next_token;
};
S3ListPage ParseS3ListPage(const std::string& xml);
// The text of every <tag>...</tag> in an S3 response body, XML entities decoded.
std::vector<std::string> S3XmlElements(const std::string& xml, const std::string& tag);

}  // namespace dlt
