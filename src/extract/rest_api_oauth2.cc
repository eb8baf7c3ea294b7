#include "extract/rest_api_oauth2.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "common/hash.h"
#include "common/text.h"

namespace dlt::rest_api::internal {
namespace {

constexpr int64_t kMaxLifetimeS = int64_t{10} * 366 * 24 * 3600;

bool ParseWhole(const std::string& s, int64_t* out) {
  std::string_view t = text::Trim(s);
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), *out);
  return ec == std::errc() && end == t.data() + t.size() && !t.empty();
}

}  // namespace

std::string OAuth2Token::FormBody() const {
  std::vector<std::pair<std::string, std::string>> form = {
      {"client_id", s_.client_id.reveal()},
      {"client_secret", s_.client_secret.reveal()},
      {"grant_type", "client_credentials"},
  };
  for (const auto& field : s_.request_data) {
    auto same = [&field](const auto& e) { return e.first == field.first; };
    if (auto it = std::find_if(form.begin(), form.end(), same); it != form.end()) {
      it->second = field.second;
    } else {
      form.push_back(field);
    }
  }
  std::string body;
  for (const auto& [k, v] : form) {
    if (!body.empty()) body += '&';
    body += http::UrlEncode(k) + "=" + http::UrlEncode(v);
  }
  return body;
}

StatusOr<std::string> OAuth2Token::Current(http::Client& client, const http::RetryPolicy& policy) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!token_.empty() && std::chrono::steady_clock::now() < expiry_) return token_;

  http::Request req;
  req.method = "POST";
  req.url = s_.access_token_url;
  req.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  req.body = FormBody();
  req.secrets = s_.secrets;
  req.secrets.push_back(s_.client_id.reveal());
  req.secrets.push_back(s_.client_secret.reveal());
  const std::string shown = http::Mask(req.url, req.secrets);
  const std::string what = "oauth2_client_credentials auth could not obtain an access token";
  client.on_retry = nullptr;
  auto sent = client.Send(req, policy);
  if (!sent.ok()) return Status(sent.status().code(), what + ": " + sent.status().message());
  const http::Response& resp = *sent;
  if (resp.status < 200 || resp.status >= 300) {
    // OAuth 2.0 answers a bad client with 400 (invalid_client) as often as with 401
    StatusCode code = resp.status == 400 ? StatusCode::kPermissionDenied : http::StatusCodeForHttp(resp.status);
    std::string failure = http::DescribeFailure(req, resp, resp.attempts, policy.show_error_body);
    // DescribeFailure's hint for 401/403 points at the source's credentials; the others get ours.
    if (failure.find("Check ") == std::string::npos) failure += ". Check access_token_url, client_id and client_secret";
    return Status(code, what + ": " + failure);
  }
  auto body = nlohmann::json::parse(resp.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return InvalidArgument(what + ": the reply of POST " + shown + " is not a JSON object (" +
                           resp.Header("Content-Type").value_or("no Content-Type") + ")");
  }
  auto tok = body.find("access_token");
  if (tok == body.end() || !tok->is_string() || tok->get<std::string>().empty()) {
    return InvalidArgument(what + ": the reply of POST " + shown + " has no `access_token` (keys: " + [&] {
      std::string keys;
      for (const auto& [k, v] : body.items()) keys += (keys.empty() ? "" : ", ") + k;
      return keys.empty() ? std::string("none") : keys;
    }() + ")");
  }
  // dlt: int(response_json.get("expires_in", default_token_expiration)); a number or its text.
  int64_t expires = s_.default_expiration_s;
  if (auto e = body.find("expires_in"); e != body.end() && !e->is_null()) {
    if (e->is_number()) {
      const double d = std::floor(e->get<double>());
      expires = d != d ? 0 : static_cast<int64_t>(std::clamp(d, 0.0, static_cast<double>(kMaxLifetimeS)));
    } else if (e->is_string() && ParseWhole(e->get<std::string>(), &expires)) {
    } else {
      return InvalidArgument(what + ": `expires_in` in the reply of POST " + shown + " is not a number: " + e->dump());
    }
  }
  token_ = tok->get<std::string>();
  // (a lifetime beyond ten years, or below zero, is taken as ten years or none)
  expiry_ = std::chrono::steady_clock::now() + std::chrono::seconds(std::clamp<int64_t>(expires, 0, kMaxLifetimeS));
  return token_;
}

}  // namespace dlt::rest_api::internal

namespace dlt::rest_api::internal {

std::shared_ptr<OAuth2Token> OAuth2Token::For(Settings s) {
  // One token per token URL, client and request form in the process: every source and
  // RESTClient.paginate call with the same credentials uses it until it expires, as one dlt
  // auth object does (a token endpoint may count, or bill, each request).
  static std::mutex mu;
  static std::map<std::string, std::shared_ptr<OAuth2Token>> tokens;  // kept for the process
  std::string key = s.access_token_url + "\n" + std::to_string(s.default_expiration_s);
  for (const auto& [k, v] : s.request_data) key += "\n" + k + "=" + v;
  key = hash::Shake128(key + "\n" + s.client_id.reveal() + "\n" + s.client_secret.reveal(), 32);
  std::lock_guard<std::mutex> lock(mu);
  auto& slot = tokens[key];
  if (!slot) slot = std::make_shared<OAuth2Token>(std::move(s));
  return slot;
}

}  // namespace dlt::rest_api::internal
