#include "config/secret_names.h"

#include <algorithm>
#include <array>

#include "common/text.h"

namespace dlt {

namespace {

constexpr std::array<std::string_view, 19> kKeyNames = {
    "credentials",   "password",    "token",      "api_key",    "secret",
    "access_token",  "refresh_token", "client_secret", "private_key", "secret_key",
    "aws_secret_access_key", "motherduck_token", "connection_string", "passphrase", "session_token",
    "bearer_token",  "passwd",      "apikey",     "pwd"};

// Names that end like a secret: pipedrive_api_key, private_app_password, stripe_secret_key,
// github_token (but not token_url or primary_key).
constexpr std::array<std::string_view, 11> kKeySuffixes = {
    "_password", "_passwd", "_passphrase", "_secret", "_token", "_api_key", "_apikey", "_private_key",
    "_secret_key", "_access_key", "_credentials"};

// Header and query parameter names that are credentials on their own (`?key=...` of Google
// APIs, `sig=` of signed URLs, the Cookie header).
constexpr std::array<std::string_view, 11> kHttpNames = {
    "authorization", "proxy_authorization", "cookie", "key", "apikey", "access_key",
    "auth", "sig", "signature", "client_secret", "private_token"};

// Parts that make any header or parameter name secret (X-Api-Key, x_auth_token, app_secret_v2).
constexpr std::array<std::string_view, 7> kHttpParts = {"token", "secret", "password", "api_key",
                                                        "apikey", "x_api_key", "access_key"};

bool In(std::string_view s, std::span<const std::string_view> list) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

}  // namespace

std::span<const std::string_view> SecretKeyNames() { return kKeyNames; }
std::span<const std::string_view> SecretKeySuffixes() { return kKeySuffixes; }
std::span<const std::string_view> HttpSecretNames() { return kHttpNames; }
std::span<const std::string_view> HttpSecretNameParts() { return kHttpParts; }

bool LooksSecret(std::string_view key) {
  std::string lower = text::ToLower(key);
  if (In(lower, kKeyNames)) return true;
  for (std::string_view suffix : kKeySuffixes) {
    if (lower.size() > suffix.size() && lower.ends_with(suffix)) return true;
  }
  return false;
}

bool IsSecretKeyName(std::string_view key) { return LooksSecret(key); }

bool LooksSecretPath(const std::vector<std::string>& path) {
  return std::any_of(path.begin(), path.end(), [](const std::string& p) { return LooksSecret(p); });
}

bool IsSecretByOrigin(ProviderKind provider, const std::vector<std::string>& path) {
  return provider == ProviderKind::kSecretsToml && !(path.size() >= 1 && path.back() == "destination_type");
}

bool LooksSecretHttpName(std::string_view name) {
  std::string lower = text::ToLower(name);
  std::replace(lower.begin(), lower.end(), '-', '_');
  if (In(lower, kHttpNames) || LooksSecret(lower)) return true;
  return std::any_of(kHttpParts.begin(), kHttpParts.end(),
                     [&](std::string_view part) { return lower.find(part) != std::string::npos; });
}

bool LooksSecretEnvName(std::string_view name) {
  std::string lower = text::ToLower(name);
  if (lower == "motherduck_token") return true;
  size_t sep = lower.rfind("__");
  if (sep == std::string::npos) return false;
  return LooksSecret(std::string_view(lower).substr(sep + 2));
}

bool LooksLikeUrlWithPassword(std::string_view v) {
  size_t scheme = v.find("://");
  if (scheme == std::string_view::npos) return false;
  std::string_view rest = v.substr(scheme + 3);
  size_t at = rest.find('@');
  if (at == std::string_view::npos) return false;
  std::string_view userinfo = rest.substr(0, at);
  if (userinfo.find('/') != std::string_view::npos) return false;
  size_t colon = userinfo.find(':');
  return colon != std::string_view::npos && colon + 1 < userinfo.size();
}

bool LooksLikeToken(std::string_view v) {
  for (std::string_view prefix : {"ghp_", "gho_", "github_pat_", "sk-", "xoxb-", "xoxp-", "AKIA", "glpat-"}) {
    if (v.starts_with(prefix) && v.size() >= prefix.size() + 12) return true;
  }
  if (v.find("motherduck_token=") != std::string_view::npos || v.find("token=") != std::string_view::npos) {
    return true;
  }
  if (v.size() < 24) return false;
  bool digit = false, lower = false, upper = false;
  for (char c : v) {
    if (c >= '0' && c <= '9') digit = true;
    else if (c >= 'a' && c <= 'z') lower = true;
    else if (c >= 'A' && c <= 'Z') upper = true;
    else if (c != '_' && c != '-' && c != '+' && c != '=' && c != '.') return false;
  }
  return digit && lower && upper;
}

}  // namespace dlt
