#include "common/hash.h"
#include "common/keccak.h"

#include <gtest/gtest.h>

#include <fstream>
#include <optional>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>
#include <cstdio>

#include "support/golden_fixtures.h"

namespace dlt::hash {
namespace {

std::string FromHex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
  }
  return out;
}

using ::dlt::testing::ReadFixture;

// Deterministic message of `n` bytes covering all byte values.
std::string Pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 7 + 3) & 0xFF);
  return s;
}

// FIPS 202 / NIST CSRC example values.
TEST(HashSha3, NistVectors) {
  EXPECT_EQ(ToHex(Sha3_256Digest("")),
            "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a");
  EXPECT_EQ(ToHex(Sha3_256Digest("abc")),
            "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532");
  EXPECT_EQ(ToHex(Sha3_256Digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "41c0dba2a9d6240849100376a8235e2c82e1b9998a999e21db32dd97496d3376");
  EXPECT_EQ(ToHex(Sha3_256Digest(std::string(1000000, 'a'))),
            "5c8875ae474a3634ba4fd55ec85bffd661f32aca75c6d699d0cdcb6c115891c1");
}

TEST(HashShake128, NistVectors) {
  EXPECT_EQ(ToHex(Shake128("", 32)),
            "7f9c2ba4e88f827d616045507605853ed73b8093f6efbc88eb1a6eacfa66ef26");
  EXPECT_EQ(ToHex(Shake128("abc", 32)),
            "5881092dd818bf5cf8a3ddb793fbcba74097d5c526a6d35f97b83351940f2cc8");
  EXPECT_EQ(Shake128("abc", 0), "");
}

TEST(HashShake128, OutputIsAPrefixOfTheStreamAcrossBlocks) {
  // 400 bytes of output need three squeezes (rate 168); the tail was taken from
  // hashlib.shake_128(b"abc").hexdigest(400).
  std::string long_out = Shake128("abc", 400);
  ASSERT_EQ(long_out.size(), 400u);
  EXPECT_EQ(ToHex(long_out.substr(380)), "47b4a0586ee173e30bd4d08f2bc59c6114bdd745");
  EXPECT_EQ(long_out.substr(0, 32), Shake128("abc", 32));
  EXPECT_EQ(Shake128("abc", 10), Shake128("abc", 32).substr(0, 10));
}

// Messages around the rate boundaries (SHA3-256: 136, SHAKE128: 168), values from Python's
// hashlib (sha3_256(m).hexdigest(), shake_128(m).hexdigest(20)) for m = Pattern(n).
TEST(HashKeccak, RateBoundaries) {
  struct Case {
    size_t n;
    const char* sha3;
    const char* shake20;
  };
  const Case cases[] = {
      {1, "e3ed56bd086d8958483a12734fa0ae7f5c8bb160ef9092c67e82ed9b19e4c7b2",
       "776915233d1e79097718e09db209efa466affa24"},
      {7, "5a85987e2b471b18e43fc4ec332789a417b5979a1e56c9cdba59ebda022faf6d",
       "ec1531e014d16b98a83e3e031fc3e9a902d0a077"},
      {8, "fb5960edfcf342314d52f945e86663b28b211107e69d487b001a7984c6f9a28c",
       "0c00180510bf5506621f5c8fadbf2a82737c7ce9"},
      {135, "d9dcf1f98e49a79b0643a9e68fef48079ff8777c5e7e7f93469ded65f192ac71",
       "c46af4f9a43a25a3f21d90f6a131ff3ed6944306"},
      {136, "743bd32e775ac7387a57d4d574c89ddef5ebcb08bb5cc6b88c55a27b5035cc45",
       "c9b065cf999862c0c15d02ffa9450e5bf9b57d84"},
      {137, "01d47e8d6dce6e3dcbf1baa6f845b6ace4ef74bd17da8176ecc49bc35dbe5d21",
       "4bd0a672017e58746a1d4c98e2474ce03edf7267"},
      {167, "684bf83317ea400f033de352516c168261086092de3a12b6478a20f870a18096",
       "bb961bb015521037905f9baf69ce60dd3ba73f6e"},
      {168, "a5a267be792383677005e1628c1c16a64e0c4e2c9ce096287d389c58706a86d1",
       "d4f73f3b6c4b72d05f45ed1f80b5774409f9cf33"},
      {169, "f7a2c4983e6cf26809daea869b625a0748da650270acad5d223be730bb700954",
       "30454dd0f630ab1bb8fada554060d54012efdbb8"},
      {200, "9da37ea2fb33acd563a014f50d6f7cc225f25577a81d900452b72b5de98f239d",
       "243a1de243bd9dce318a217d75b1b026985c06b5"},
      {335, "e1ab3c6aa3b21c1fe30aba23775c82af4b00d47e47ad2038524404acca84c09d",
       "d7b9f9df93b966dae4b874b4ba7c8199f5bddf5c"},
      {336, "91484bea8e1df927a3145fbbedd013ed6796227fbb6a00505562c112bb52ebd1",
       "bcac93c8c1c863cf4dde7427a5ff18bab6095ee9"},
      {337, "ee0641863ff329d641dc6584991ed00b154ef432a261b014b654fbd20b7298aa",
       "a8953cbd0a39b255b0ce239fc3ff819ce3928cf0"},
      {1000, "bd8b4d76041e0135e53fab1aaf425c7b1c129d8878ffb64cc31230ccafd7dc7c",
       "e666e4224e1a10753e9267e04c93764c4380baad"},
  };
  for (const auto& c : cases) {
    std::string m = Pattern(c.n);
    EXPECT_EQ(ToHex(Sha3_256Digest(m)), c.sha3) << "n=" << c.n;
    EXPECT_EQ(ToHex(Shake128(m, 20)), c.shake20) << "n=" << c.n;
  }
}

// Shake128Batch, and each of its paths this CPU can run (the eight-state code compiled for plain
// x86-64 runs on any x86-64 machine, so it is checked even where AVX-512 is missing), against
// Shake128 message by message: every batch size from 1 to 3 groups, messages of every length
// around the one-block limit (167 fits, 168 does not) mixed into one group, digests of 0 to 168
// bytes and past one squeeze, nothing written past the last digest (each position of a group is
// the last one in some batch, so an overrun of any slot would show), and the Python values above.
TEST(HashShake128, BatchEqualsOneByOne) {
  std::printf("Shake128Batch: %s\n", Shake128BatchVectorized() ? "eight states at once (AVX-512)" : "one by one");
  std::vector<std::string> messages;
  for (size_t n = 0; n < 24; ++n) messages.push_back(Pattern(n * 7 + (n % 3)));
  for (size_t n : {160u, 165u, 166u, 167u, 168u, 169u, 200u, 400u}) messages.push_back(Pattern(n));
  for (size_t i = 0; i < 20; ++i) messages.push_back("d2XbpwQ9Jb3Yxw_events__payload__commits_" + std::to_string(i));
  const std::string_view empty_view;  // no data pointer at all
  const std::vector<std::pair<const char*, std::optional<KeccakPath>>> paths = {
      {"Shake128Batch", std::nullopt},
      {"one by one", KeccakPath::kOneByOne},
      {"eight states, plain x86-64", KeccakPath::kPortable},
      {"eight states, AVX-512", KeccakPath::kAvx512}};
  int ran = 0;
  for (const auto& [name, path] : paths) {
    if (path && !Shake128BatchPathAvailable(*path)) {
      std::printf("%s: not available here\n", name);
      continue;
    }
    ++ran;
    for (size_t out_bytes : {0u, 1u, 7u, 8u, 10u, 15u, 16u, 20u, 32u, 167u, 168u, 169u, 400u}) {
      for (size_t first = 0; first < messages.size(); first += 5) {
        for (size_t n = 1; n <= 3 * kShakeBatch && first + n <= messages.size(); ++n) {
          std::vector<std::string_view> views(messages.begin() + first, messages.begin() + first + n);
          if (first == 0) views[0] = empty_view;
          std::vector<unsigned char> out(n * out_bytes + 1, 0xAB);
          if (path) Shake128BatchWith(*path, views.data(), n, out_bytes, out.data());
          else Shake128Batch(views.data(), n, out_bytes, out.data());
          for (size_t i = 0; i < n; ++i) {
            std::string got(reinterpret_cast<const char*>(out.data()) + i * out_bytes, out_bytes);
            ASSERT_EQ(ToHex(got), ToHex(Shake128(views[i], out_bytes)))
                << name << ": message " << first + i << " of " << views[i].size() << " bytes in a batch of " << n
                << ", " << out_bytes << " bytes out";
          }
          ASSERT_EQ(out.back(), 0xAB) << name << ": wrote past the end of a batch of " << n;
        }
      }
    }
    // Independent of Shake128: the values from hashlib in RateBoundaries, eight at a time.
    const std::string m1 = Pattern(1), m7 = Pattern(7), m8 = Pattern(8), m135 = Pattern(135), m167 = Pattern(167);
    const std::string_view batch[] = {m1, m7, m8, m135, m167, m1, m8, m167};
    unsigned char out[8 * 20 + 1];
    out[8 * 20] = 0xAB;
    if (path) Shake128BatchWith(*path, batch, 8, 20, out);
    else Shake128Batch(batch, 8, 20, out);
    EXPECT_EQ(out[8 * 20], 0xAB) << name << ": wrote past the end";
    const char* expected[] = {"776915233d1e79097718e09db209efa466affa24", "ec1531e014d16b98a83e3e031fc3e9a902d0a077",
                              "0c00180510bf5506621f5c8fadbf2a82737c7ce9", "c46af4f9a43a25a3f21d90f6a131ff3ed6944306",
                              "bb961bb015521037905f9baf69ce60dd3ba73f6e", "776915233d1e79097718e09db209efa466affa24",
                              "0c00180510bf5506621f5c8fadbf2a82737c7ce9", "bb961bb015521037905f9baf69ce60dd3ba73f6e"};
    for (size_t i = 0; i < 8; ++i) {
      EXPECT_EQ(ToHex(std::string(reinterpret_cast<const char*>(out) + i * 20, 20)), expected[i])
          << name << ": message " << i;
    }
  }
#if defined(__x86_64__)
  EXPECT_GE(ran, 3) << "the eight-state code compiled for plain x86-64 must run on any x86-64 machine";
#endif
}

TEST(HashSha3, IncrementalUpdatesEqualOneShot) {
  std::string m = Pattern(1000);
  std::string expected = Sha3_256Digest(m);
  for (size_t chunk : {1u, 3u, 8u, 13u, 135u, 136u, 137u, 500u}) {
    Sha3_256 h;
    for (size_t i = 0; i < m.size(); i += chunk) h.Update(std::string_view(m).substr(i, chunk));
    EXPECT_EQ(h.Final(), expected) << "chunk " << chunk;
  }
  Sha3_256 empty_updates;
  empty_updates.Update("");
  empty_updates.Update("ab");
  empty_updates.Update("");
  empty_updates.Update("c");
  EXPECT_EQ(ToHex(empty_updates.Final()),
            "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532");
}

// nested_append/dlt_id_derivation.json: nested _dlt_id = base64(shake_128(input).digest(10)),
// `=` stripped.
TEST(HashDltId, FixtureWorkedExamples) {
  auto doc = nlohmann::json::parse(ReadFixture("nested_append/dlt_id_derivation.json"));
  const auto& examples = doc.at("examples");
  ASSERT_EQ(examples.size(), 3u);
  for (const auto& ex : examples) {
    std::string input = ex.at("hash_input");
    EXPECT_EQ(input, ex.at("parent_id").get<std::string>() + "_" +
                         ex.at("table").get<std::string>() + "_" +
                         std::to_string(ex.at("list_idx").get<int>()));
    std::string digest = Shake128(input, 10);
    EXPECT_EQ(ToHex(digest), ex.at("shake_128_10_bytes_hex").get<std::string>()) << input;
    EXPECT_EQ(Base64Encode(digest), ex.at("base64_padded").get<std::string>()) << input;
    EXPECT_EQ(Base64Encode(digest, /*pad=*/false), ex.at("_dlt_id").get<std::string>()) << input;
  }
}

TEST(HashBase64, Rfc4648Vectors) {
  const std::pair<const char*, const char*> cases[] = {
      {"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},        {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : cases) {
    EXPECT_EQ(Base64Encode(plain), encoded);
    auto decoded = Base64Decode(encoded);
    ASSERT_TRUE(decoded.ok()) << encoded << ": " << decoded.status().message();
    EXPECT_EQ(*decoded, plain);
  }
  EXPECT_EQ(Base64Encode("f", false), "Zg");
  EXPECT_EQ(Base64Encode("fo", false), "Zm8");
  EXPECT_EQ(Base64Encode("foo", false), "Zm9v");
  EXPECT_EQ(Base64Encode(FromHex("fbff"), true), "+/8=");
}

TEST(HashBase64, DecodeAcceptsMissingPadding) {
  EXPECT_EQ(*Base64Decode("Zg"), "f");
  EXPECT_EQ(*Base64Decode("Zm8"), "fo");
  EXPECT_EQ(*Base64Decode("Zm9vYg"), "foob");
  EXPECT_EQ(*Base64Decode("u8+0iLDk5+3B5A"), FromHex("bbcfb488b0e4e7edc1e4"));
  EXPECT_EQ(*Base64Decode("+/8"), FromHex("fbff"));
}

TEST(HashBase64, DecodeRejectsGarbage) {
  EXPECT_FALSE(Base64Decode("Z").ok());          // impossible length
  EXPECT_FALSE(Base64Decode("Zm9vY").ok());      // impossible length
  EXPECT_FALSE(Base64Decode("Zg=").ok());        // padding that does not complete a group
  EXPECT_FALSE(Base64Decode("Zg===").ok());      // too much padding
  EXPECT_FALSE(Base64Decode("Z=g=").ok());       // `=` inside
  EXPECT_FALSE(Base64Decode("Zm9v\n").ok());     // not in the alphabet
  EXPECT_FALSE(Base64Decode("Zm-_").ok());       // URL-safe alphabet is not standard base64
  auto bad = Base64Decode("ab$d");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
}

TEST(HashBase64, RoundTripAllLengths) {
  for (size_t n = 0; n < 300; ++n) {
    std::string m = Pattern(n);
    EXPECT_EQ(*Base64Decode(Base64Encode(m)), m) << n;
    EXPECT_EQ(*Base64Decode(Base64Encode(m, false)), m) << n;
  }
}

// The pipeline state in _dlt_pipeline_state is base64 of a zlib stream (starts with 78 da).
TEST(HashBase64, DecodesFixtureState) {
  std::string text = ReadFixture("naming/state_raw_base64.txt");
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  auto raw = Base64Decode(text);
  ASSERT_TRUE(raw.ok()) << raw.status().message();
  ASSERT_GE(raw->size(), 2u);
  EXPECT_EQ(ToHex(raw->substr(0, 2)), "78da");
  EXPECT_EQ(Base64Encode(*raw), text);
}

}  // namespace
}  // namespace dlt::hash
