// The one list of what looks like a secret: key names of the configuration, names of HTTP
// headers and query parameters, environment variable names and values (connection strings with
// a password, tokens). Every redaction and every "secret in a config file" check asks here, so a
// name added once is redacted everywhere (config show/explain, workspace check, the dashboard,
// HTTP error messages, the REST API pipeline-file checks).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dlt/config.h"

namespace dlt {

// A configuration key named like a secret: one of SecretKeyNames() or ending in one of
// SecretKeySuffixes() (github_token, stripe_secret_key), case-insensitively. Exact names and
// suffixes only, so that token_url, primary_key or tokenizer are not secrets. This is what
// IsSecretKeyName (dlt/config.h) answers.
bool LooksSecret(std::string_view key);
// A path with a component named like a secret (destination.pg.credentials.host is secret).
bool LooksSecretPath(const std::vector<std::string>& path);
// A value read from a secrets file is a secret whatever its key is called, except
// destination_type (it names a destination type).
bool IsSecretByOrigin(ProviderKind provider, const std::vector<std::string>& path);

// An HTTP header or query parameter name that carries credentials. Broader than LooksSecret:
// '-' counts as '_', a name containing one of HttpSecretNameParts() is secret (X-Api-Key,
// private_token), and so are HttpSecretNames() (authorization, cookie, key, sig, ...). A false
// positive only costs a masked value or a request to move a value to secrets.toml.
bool LooksSecretHttpName(std::string_view name);

// An environment variable that the configuration reads and that holds a secret: a dlt-style name
// (SECTION__KEY) whose last part LooksSecret (SOURCES__X__API_KEY, not
// DESTINATION__PG__CREDENTIALS__HOST), or MOTHERDUCK_TOKEN.
bool LooksSecretEnvName(std::string_view name);

// Values that are secrets whatever their key: scheme://user:password@host ...
bool LooksLikeUrlWithPassword(std::string_view value);
// ... and token-looking strings (ghp_..., sk-..., AKIA..., long mixed-case alphanumerics).
bool LooksLikeToken(std::string_view value);

// The lists themselves (for tests and for `dlt config` documentation).
std::span<const std::string_view> SecretKeyNames();
std::span<const std::string_view> SecretKeySuffixes();
std::span<const std::string_view> HttpSecretNames();
std::span<const std::string_view> HttpSecretNameParts();

}  // namespace dlt
