// dlt's `oauth2_client_credentials` auth for the REST API source: the client's id and secret are
// posted (form-encoded, with grant_type=client_credentials and the configured
// access_token_request_data) to `access_token_url`; the `access_token` of the JSON reply is sent
// as a bearer token until `expires_in` seconds (default: default_token_expiration) have passed,
// then a new one is obtained before the next request, as dlt's OAuth2ClientCredentials does.
// One token serves every resource of the source (it is shared by their threads).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "dlt/secret.h"
#include "dlt/status.h"
#include "extract/http_client.h"

namespace dlt::rest_api::internal {

class OAuth2Token {
 public:
  struct Settings {
    std::string access_token_url;
    Secret client_id;
    Secret client_secret;
    // Added to the form after client_id, client_secret and grant_type; a key of the same name
    // replaces theirs (dlt builds the form as {..., **access_token_request_data}).
    std::vector<std::pair<std::string, std::string>> request_data;
    int64_t default_expiration_s = 3600;
    std::vector<std::string> secrets;  // the source's other secrets: masked in messages too
  };

  explicit OAuth2Token(Settings s) : s_(std::move(s)) {}
  // The token of these settings, shared in the process (a new one for settings not seen).
  static std::shared_ptr<OAuth2Token> For(Settings s);

  // The current access token, obtained (again) when there is none or it expired. Errors name
  // the token URL (masked), the HTTP status and what to check, never a secret; the caller puts
  // the resource in front.
  StatusOr<std::string> Current(http::Client& client, const http::RetryPolicy& policy);

  // The form body sent to the token URL (tests).
  std::string FormBody() const;

 private:
  Settings s_;
  std::mutex mu_;
  std::string token_;
  std::chrono::steady_clock::time_point expiry_{};
};

}  // namespace dlt::rest_api::internal
