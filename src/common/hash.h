// Hashes and encodings that must match Python dlt bit for bit: SHAKE128 (nested `_dlt_id`,
// identifier shortening tags, incremental unique hashes), SHA3-256 (schema and state version
// hashes) and base64. Keccak-f[1600] is implemented here (FIPS 202), no external crypto library.
// All digests are raw bytes; use ToHex / Base64Encode to print them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "dlt/status.h"

namespace dlt::hash {

// SHAKE128 extendable-output function: the first `out_bytes` bytes of the output stream, like
// Python's hashlib.shake_128(data).digest(out_bytes).
std::string Shake128(std::string_view data, size_t out_bytes);

// Shake128 of `n` messages into `out` (n * out_bytes bytes, message i's digest at i * out_bytes).
// Groups of kShakeBatch messages of one block each (under 168 bytes, at most 168 bytes out) are
// hashed at once where the CPU has AVX-512 (keccak_batch.cc), other groups one by one;
// the bytes are those of Shake128 either way.
inline constexpr size_t kShakeBatch = 8;
void Shake128Batch(const std::string_view* data, size_t n, size_t out_bytes, unsigned char* out);
// Whether Shake128Batch hashes several messages at once on this CPU (AVX-512).
bool Shake128BatchVectorized();

// Incremental SHA3-256. Update() any number of times, then Final() once (it returns the 32 raw
// bytes; the object must not be updated again after that).
class Sha3_256 {
 public:
  static constexpr size_t kDigestBytes = 32;
  static constexpr size_t kRateBytes = 136;  // (1600 - 2 * 256) / 8

  Sha3_256();
  void Update(std::string_view data);
  std::string Final();

 private:
  uint64_t state_[25];
  size_t pos_ = 0;  // bytes absorbed into the current block
  bool finalized_ = false;
};

// One-shot SHA3-256 (hashlib.sha3_256(data).digest()).
std::string Sha3_256Digest(std::string_view data);

// Lower-case hexadecimal of raw bytes.
std::string ToHex(std::string_view bytes);

// Standard base64 (RFC 4648 alphabet with `+` and `/`). With `pad` false the trailing `=` are
// left out (what dlt does for `_dlt_id` and unique hashes).
// The standard base64 alphabet (RFC 4648, `+` and `/`), as Base64Encode writes it.
inline constexpr char kBase64Alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
std::string Base64Encode(std::string_view bytes, bool pad = true);

// Decodes standard base64. Padding is optional ("Zg" and "Zg==" both give "f"); characters
// outside the alphabet, misplaced `=` and impossible lengths are InvalidArgument.
StatusOr<std::string> Base64Decode(std::string_view text);

}  // namespace dlt::hash
