// Keccak-f[1600] internals shared by hash.cc (one state at a time) and keccak_batch.cc (eight
// states at once): the round constants of FIPS 202, the sponge's SHAKE128 parameters, and the
// batch's paths for the tests.
#pragma once

#include <cstddef>
#include <cstdint>

namespace dlt::hash::keccak {

inline constexpr uint64_t kRoundConstants[24] = {
    0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808AULL, 0x8000000080008000ULL,
    0x000000000000808BULL, 0x0000000080000001ULL, 0x8000000080008081ULL, 0x8000000000008009ULL,
    0x000000000000008AULL, 0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000AULL,
    0x000000008000808BULL, 0x800000000000008BULL, 0x8000000000008089ULL, 0x8000000000008003ULL,
    0x8000000000008002ULL, 0x8000000000000080ULL, 0x000000000000800AULL, 0x800000008000000AULL,
    0x8000000080008081ULL, 0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL,
};

inline constexpr size_t kShake128Rate = 168;  // (1600 - 2 * 128) / 8
inline constexpr uint8_t kShakeSuffix = 0x1F;

}  // namespace dlt::hash::keccak

#include <string_view>

namespace dlt::hash {

// The ways Shake128Batch can hash a group of up to eight one-block messages (keccak_batch.cc):
// one by one through Shake128, or the eight-state permutation compiled for AVX-512 or for plain
// x86-64 (never picked by Shake128Batch; there so that the tests can check the eight-state code
// on any x86-64 machine).
enum class KeccakPath { kOneByOne, kPortable, kAvx512 };
// Whether this build and CPU can run `path`.
bool Shake128BatchPathAvailable(KeccakPath path);
// Shake128Batch through `path` (which must be available).
void Shake128BatchWith(KeccakPath path, const std::string_view* data, size_t n, size_t out_bytes, unsigned char* out);

}  // namespace dlt::hash
