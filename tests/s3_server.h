// A local S3-compatible server for tests: the npm package s3rver (tools/s3rver, installed by
// scripts/bootstrap.sh with `npm ci`) run by Node.js on a free port of 127.0.0.1 with its data in
// a temp folder and one bucket. Stopped by the destructor.
//
// s3rver knows one key pair, S3RVER / S3RVER. It checks the access key id but never a V4
// signature, so it is started through tools/s3rver/sigv4-s3rver.js, which checks every request's
// V4 signature as S3 does: a wrong secret key is refused with SignatureDoesNotMatch, and a request
// that S3 would refuse for a badly canonicalized signature is refused here too.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>

namespace dlt::testing {

class S3Server {
 public:
  explicit S3Server(const std::string& bucket = "lake-bucket");
  ~S3Server();
  S3Server(const S3Server&) = delete;

  bool ok() const { return ok_; }
  const std::string& error() const { return error_; }
  int port() const { return port_; }
  std::string Endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // The folder where s3rver keeps the bucket's objects.
  const std::filesystem::path& dir() const { return dir_; }

  static constexpr const char* kKeyId = "S3RVER";
  static constexpr const char* kSecret = "S3RVER";

 private:
  bool ok_ = false;
  std::string error_;
  int port_ = 0;
  pid_t pid_ = -1;
  std::filesystem::path dir_;
};

}  // namespace dlt::testing
