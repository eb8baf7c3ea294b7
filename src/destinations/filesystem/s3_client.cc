#include "destinations/filesystem/s3_client.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "common/text.h"

namespace dlt {

namespace {

// The text of every <tag>...</tag> in `xml`, with the five XML entities decoded.
std::vector<std::string> Elements(const std::string& xml, const std::string& tag) {
  std::vector<std::string> out;
  const std::string open = "<" + tag + ">", close = "</" + tag + ">";
  for (size_t at = xml.find(open); at != std::string::npos; at = xml.find(open, at)) {
    at += open.size();
    size_t end = xml.find(close, at);
    if (end == std::string::npos) break;
    std::string v = xml.substr(at, end - at), d;
    for (size_t i = 0; i < v.size(); ++i) {
      static const std::pair<const char*, char> kEntities[] = {
          {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
      bool replaced = false;
      for (const auto& [e, c] : kEntities) {
        if (v.compare(i, std::strlen(e), e) == 0) {
          d += c;
          i += std::strlen(e) - 1;
          replaced = true;
          break;
        }
      }
      if (!replaced) d += v[i];
    }
    out.push_back(std::move(d));
    at = end + close.size();
  }
  return out;
}

// Percent-encodes a key for the URL path, keeping its "/".
std::string EncodeKey(const std::string& key) {
  std::string out;
  for (const auto& part : text::Split(key, '/')) out += "/" + http::UrlEncode(part);
  return out;
}

}  // namespace

std::string CanonicalS3Query(S3Query q) {
  std::sort(q.begin(), q.end());
  std::string out;
  for (const auto& [k, v] : q) out += (out.empty() ? "?" : "&") + http::UrlEncode(k) + "=" + http::UrlEncode(v);
  return out;
}

std::vector<std::string> S3XmlElements(const std::string& xml, const std::string& tag) { return Elements(xml, tag); }

S3ListPage ParseS3ListPage(const std::string& xml) {
  S3ListPage page;
  page.keys = Elements(xml, "Key");
  // Each <Contents> block as it is (its elements are decoded once, below).
  std::vector<std::string> blocks;
  for (size_t at = xml.find("<Contents>"); at != std::string::npos; at = xml.find("<Contents>", at)) {
    size_t end = xml.find("</Contents>", at);
    if (end == std::string::npos) break;
    blocks.push_back(xml.substr(at + 10, end - at - 10));
    at = end + 11;
  }
  for (const std::string& block : blocks) {
    S3Object o;
    auto key = Elements(block, "Key");
    if (key.empty()) continue;
    o.key = key[0];
    auto size = Elements(block, "Size");
    if (!size.empty()) o.size = std::strtoull(size[0].c_str(), nullptr, 10);
    auto modified = Elements(block, "LastModified");
    if (!modified.empty()) o.last_modified = modified[0];
    page.objects.push_back(std::move(o));
  }
  auto truncated = Elements(xml, "IsTruncated");
  auto token = Elements(xml, "NextContinuationToken");
  if (!truncated.empty() && truncated[0] == "true" && !token.empty()) page.next_token = token[0];
  return page;
}

S3Client::S3Client(S3Settings s) : s_(std::move(s)) {
  if (s_.endpoint.empty()) s_.endpoint = "https://s3." + s_.region + ".amazonaws.com";
  while (s_.endpoint.ends_with("/")) s_.endpoint.pop_back();
  if (const char* env = std::getenv("DLT_S3_PART_BYTES"); env && *env) {
    if (uint64_t v = std::strtoull(env, nullptr, 10); v > 0) s_.part_bytes = v;
  }
  if (const char* env = std::getenv("DLT_S3_GET_BYTES"); env && *env) {
    if (uint64_t v = std::strtoull(env, nullptr, 10); v > 0) s_.get_bytes = v;
  }
}

StatusOr<http::Response> S3Client::Send(const std::string& method, const std::string& key, const S3Query& query,
                                        std::optional<std::string> body, const http::Headers& extra_headers) {
  if (!client_) {
    DLT_RETURN_IF_ERROR(http::EnsureCurl());
    DLT_ASSIGN_OR_RETURN(auto c, http::Client::Create());
    client_.emplace(std::move(c));
  }
  http::Request r;
  r.method = method;
  r.url = s_.endpoint + "/" + http::UrlEncode(s_.bucket) + (key.empty() ? "" : EncodeKey(key)) + CanonicalS3Query(query);
  // S3 requires the payload hash header; libcurl signs whatever value it finds there.
  r.headers = {{"x-amz-content-sha256", "UNSIGNED-PAYLOAD"}};
  if (body) r.headers.push_back({"Content-Type", "application/octet-stream"});
  r.headers.insert(r.headers.end(), extra_headers.begin(), extra_headers.end());
  r.body = std::move(body);
  r.aws_sigv4 = "aws:amz:" + s_.region + ":s3";
  r.aws_key_id = s_.key_id;
  r.aws_secret = s_.secret;
  if (!s_.secret.empty()) r.secrets.push_back(s_.secret);
  http::RetryPolicy policy;
  policy.max_attempts = 3;
  policy.backoff_factor = 0.5;
  policy.timeout_s = 300;
  policy.connect_timeout_s = 10;
  policy.max_response_bytes = size_t{4} << 30;
  auto res = client_->Send(r, policy);
  if (!res.ok()) {
    return Unavailable(http::Mask("cannot reach the bucket `" + s_.bucket + "` at " + s_.endpoint + " (" +
                                      method + " " + Display(key) + "): " + res.status().message() +
                                      ". Check `endpoint_url` and that the server is running",
                                  r.secrets));
  }
  return res;
}

Status S3Client::Failure(const std::string& what, const std::string& key, const http::Response& r) const {
  auto code = Elements(r.body, "Code");
  auto message = Elements(r.body, "Message");
  std::string msg = what + " " + Display(key) + " failed with HTTP " + std::to_string(r.status);
  if (!code.empty()) msg += " " + code[0];
  if (!message.empty()) msg += ": " + message[0];
  if (r.status == 403 || r.status == 401) {
    msg += ". Check `aws_access_key_id` and `aws_secret_access_key` of the destination's credentials, and that they "
           "may use the bucket `" + s_.bucket + "`";
  } else if (!code.empty() && code[0] == "NoSuchBucket") {
    msg += ". Create the bucket `" + s_.bucket + "` or fix `bucket_url`";
  }
  std::vector<std::string> secrets;
  if (!s_.secret.empty()) secrets.push_back(s_.secret);
  return (r.status == 403 || r.status == 401 ? PermissionDenied(http::Mask(msg, secrets))
                                             : Unavailable(http::Mask(msg, secrets)));
}

Status S3Client::Put(const std::string& key, const std::string& content) {
  DLT_ASSIGN_OR_RETURN(auto r, Send("PUT", key, {}, content));
  if (r.status / 100 != 2) return Failure("PUT", key, r);
  return Status::Ok();
}

StatusOr<std::optional<std::string>> S3Client::Get(const std::string& key) {
  DLT_ASSIGN_OR_RETURN(auto r, Send("GET", key, {}, std::nullopt));
  if (r.status == 404) {
    auto code = Elements(r.body, "Code");
    if (code.empty() || code[0] == "NoSuchKey") return std::optional<std::string>();
  }
  if (r.status / 100 != 2) return Failure("GET", key, r);
  return std::optional<std::string>(std::move(r.body));
}

Status S3Client::Delete(const std::string& key) {
  DLT_ASSIGN_OR_RETURN(auto r, Send("DELETE", key, {}, std::nullopt));
  if (r.status / 100 != 2 && r.status != 404) return Failure("DELETE", key, r);
  return Status::Ok();
}

StatusOr<std::vector<std::string>> S3Client::List(const std::string& prefix) {
  DLT_ASSIGN_OR_RETURN(std::vector<S3Object> objects, ListObjects(prefix));
  std::vector<std::string> keys;
  keys.reserve(objects.size());
  for (auto& o : objects) keys.push_back(std::move(o.key));
  return keys;
}

StatusOr<std::vector<S3Object>> S3Client::ListObjects(const std::string& prefix) {
  std::vector<S3Object> objects;
  std::optional<std::string> token;
  do {
    S3Query q{{"list-type", "2"}, {"prefix", prefix}};
    if (token) q.push_back({"continuation-token", *token});
    DLT_ASSIGN_OR_RETURN(auto r, Send("GET", "", q, std::nullopt));
    if (r.status / 100 != 2) return Failure("listing", prefix + "*", r);
    S3ListPage page = ParseS3ListPage(r.body);
    for (auto& o : page.objects) objects.push_back(std::move(o));
    token = page.next_token;
  } while (token);
  return objects;
}

}  // namespace dlt
