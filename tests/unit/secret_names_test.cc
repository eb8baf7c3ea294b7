// The one list of secret-looking names (src/config/secret_names.h). It replaced three lists
// (config keys, REST API header/parameter names, URL query parameters in HTTP messages); every
// name any of them recognised must still be recognised, by the caller that used it and, since
// the lists are one now, by the other callers of the same kind.
#include <gtest/gtest.h>

#include "config/secret_names.h"
#include "extract/http_client.h"

namespace dlt {
namespace {

TEST(SecretNames, EveryKeyNameOfTheOldConfigListIsASecret) {
  for (const char* k : {"credentials", "password", "token", "api_key", "secret", "access_token", "refresh_token",
                        "client_secret", "private_key", "secret_key", "aws_secret_access_key", "motherduck_token",
                        "connection_string", "passphrase", "session_token", "bearer_token", "passwd", "apikey", "pwd"}) {
    EXPECT_TRUE(LooksSecret(k)) << k;
    EXPECT_TRUE(IsSecretKeyName(k)) << k;
    EXPECT_TRUE(LooksSecretHttpName(k)) << k;
  }
}

TEST(SecretNames, EveryKeyEndingOfTheOldConfigListMakesASecret) {
  for (const char* suffix : {"_password", "_passwd", "_passphrase", "_secret", "_token", "_api_key", "_apikey",
                             "_private_key", "_secret_key", "_access_key", "_credentials"}) {
    EXPECT_TRUE(LooksSecret(std::string("my") + suffix)) << suffix;
    EXPECT_FALSE(LooksSecret(suffix)) << suffix << " alone is not a name";
  }
}

TEST(SecretNames, ConfigKeysThatOnlyContainASecretWordAreNotSecrets) {
  for (const char* k : {"token_url", "primary_key", "merge_key", "tokenizer", "host", "destination_type", "key"}) {
    EXPECT_FALSE(LooksSecret(k)) << k;
  }
}

TEST(SecretNames, EveryHeaderAndParameterNameOfTheOldRestApiListIsASecret) {
  for (const char* k : {"Authorization", "Proxy-Authorization", "Cookie", "X-Api-Key", "x_api_key", "X-Access-Key",
                        "my_apikey_v2", "auth_token_x", "app_secret_2", "db_password_hash"}) {
    EXPECT_TRUE(LooksSecretHttpName(k)) << k;
  }
}

TEST(SecretNames, EveryQueryParameterNameOfTheOldUrlMaskListIsASecret) {
  for (const char* k : {"key", "apikey", "access_key", "auth", "sig", "signature", "client_secret", "private_token",
                        "Private-Token"}) {
    EXPECT_TRUE(LooksSecretHttpName(k)) << k;
  }
  EXPECT_FALSE(LooksSecretHttpName("page"));
  EXPECT_FALSE(LooksSecretHttpName("sort_key"));
}

TEST(SecretNames, TheListsAreTheUnionOfTheOldOnesSoEachCallerMasksWhatAnotherUsedTo) {
  // The URL masker knew `sig`, the REST API checks knew `cookie`: both now mask both.
  std::string masked = http::Mask("GET https://api.example.com/x?sig=abc123&cookie=c0ffee&page=2", {});
  EXPECT_EQ(masked, "GET https://api.example.com/x?sig=***&cookie=***&page=2");
}

TEST(SecretNames, EnvironmentVariablesAreSecretWhenTheirLastSectionIs) {
  EXPECT_TRUE(LooksSecretEnvName("SOURCES__GITHUB__API_KEY"));
  EXPECT_TRUE(LooksSecretEnvName("DESTINATION__PG__CREDENTIALS"));
  EXPECT_TRUE(LooksSecretEnvName("MOTHERDUCK_TOKEN"));
  EXPECT_FALSE(LooksSecretEnvName("DESTINATION__PG__CREDENTIALS__HOST"));
  EXPECT_FALSE(LooksSecretEnvName("POSTGRES_PASSWORD"));  // not a dlt-style name: never read
}

TEST(SecretNames, APathIsSecretWhenAnyOfItsSectionsIs) {
  EXPECT_TRUE(LooksSecretPath({"destination", "pg", "credentials", "host"}));
  EXPECT_FALSE(LooksSecretPath({"destination", "pg", "destination_type"}));
  EXPECT_TRUE(IsSecretByOrigin(ProviderKind::kSecretsToml, {"sources", "x", "note"}));
  EXPECT_FALSE(IsSecretByOrigin(ProviderKind::kSecretsToml, {"destination", "pg", "destination_type"}));
  EXPECT_FALSE(IsSecretByOrigin(ProviderKind::kConfigToml, {"sources", "x", "note"}));
}

TEST(SecretNames, ValuesThatLookSecretAreRecognisedWhateverTheirKey) {
  EXPECT_TRUE(LooksLikeUrlWithPassword("postgresql://loader:s3cret@db:5432/x"));
  EXPECT_FALSE(LooksLikeUrlWithPassword("postgresql://loader@db:5432/x"));
  EXPECT_TRUE(LooksLikeToken("ghp_0123456789abcdefABCD"));
  EXPECT_FALSE(LooksLikeToken("hello world"));
}

}  // namespace
}  // namespace dlt
