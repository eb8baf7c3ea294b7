// The few S3 requests the filesystem destination makes: PUT, GET and DELETE of an object and
// ListObjectsV2, path-style (`<endpoint>/<bucket>/<key>`, which local S3-compatible servers
// serve), signed with AWS Signature V4 by libcurl (through the project's HTTP client, so libcurl
// is loaded only when a bucket is used). The secret access key is passed to libcurl and to the
// message masking only: no message, URL or repr this file produces contains it.
#pragma once

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

  const S3Settings& settings() const { return s_; }
  // "s3://bucket/key" for messages.
  std::string Display(const std::string& key) const { return "s3://" + s_.bucket + "/" + key; }

 private:
  StatusOr<http::Response> Send(const std::string& method, const std::string& key, const std::string& query,
                                std::optional<std::string> body);
  Status Failure(const std::string& what, const std::string& key, const http::Response& r) const;

  S3Settings s_;
  std::optional<http::Client> client_;
};

// Pieces of a ListObjectsV2 response body: the <Key> values (XML entities decoded), and the
// <NextContinuationToken> when <IsTruncated> is true.
struct S3ListPage {
  std::vector<std::string> keys;
  std::optional<std::string> next_token;
};
S3ListPage ParseS3ListPage(const std::string& xml);

}  // namespace dlt
