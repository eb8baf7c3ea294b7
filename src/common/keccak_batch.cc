// SHAKE128 of several short messages at once (hash.h Shake128Batch). Every nested row's _dlt_id
// is a SHAKE128 of "<parent id>_<table>_<index>" (relational_row_key.cc): a message of one block,
// so the cost is one Keccak-f[1600] permutation per row, about 8% of a nested load's CPU. With
// AVX-512 the permutation runs on eight states at once, lane i of each state in element i of a
// 512-bit vector (rotations are one instruction there), for about the cost of one scalar
// permutation; elsewhere, and for messages of more than one block, each message goes through
// Shake128 as before. Both give the same bytes (tests/unit/hash_test.cc compares them).
#include <cstring>

#include "common/hash.h"
#include "common/keccak.h"

namespace dlt::hash {

namespace {

// Message i fits one block when it and its padding (one suffix byte) fit in the rate.
bool OneBlock(std::string_view data, size_t out_bytes) {
  return data.size() < keccak::kShake128Rate && out_bytes <= keccak::kShake128Rate;
}

void OneByOne(const std::string_view* data, size_t n, size_t out_bytes, unsigned char* out) {
  for (size_t i = 0; i < n; ++i) {
    const std::string digest = Shake128(data[i], out_bytes);
    std::memcpy(out + i * out_bytes, digest.data(), out_bytes);
  }
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define DLT_KECCAK_X8 1

typedef uint64_t V8 __attribute__((vector_size(64)));

// Rotation offsets (rho) of lane x + 5y, and where pi moves it: lane (x, y) to (y, 2x + 3y).
constexpr int kRho[25] = {0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14};
constexpr int PiTarget(int i) { return (i / 5) + 5 * ((2 * (i % 5) + 3 * (i / 5)) % 5); }

#define DLT_ROTL8(v, n) ((n) == 0 ? (v) : (((v) << (n)) | ((v) >> (64 - (n)))))

__attribute__((target("avx512f"))) void KeccakF1600x8(V8 a[25]) {
  V8 b[25], c[5], d[5];
  for (int round = 0; round < 24; ++round) {
#pragma GCC unroll 5
    for (int x = 0; x < 5; ++x) c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
#pragma GCC unroll 5
    for (int x = 0; x < 5; ++x) d[x] = c[(x + 4) % 5] ^ DLT_ROTL8(c[(x + 1) % 5], 1);
#pragma GCC unroll 25
    for (int i = 0; i < 25; ++i) b[PiTarget(i)] = DLT_ROTL8(a[i] ^ d[i % 5], kRho[i]);
#pragma GCC unroll 25
    for (int i = 0; i < 25; ++i) {
      const int x = i % 5, row = i - x;
      a[i] = b[i] ^ (~b[row + (x + 1) % 5] & b[row + (x + 2) % 5]);
    }
    a[0] ^= keccak::kRoundConstants[round];
  }
}

// Up to eight one-block messages: each padded block is loaded as lane i of its state, the eight
// states permuted together, and the first `out_bytes` bytes of each squeezed out.
__attribute__((target("avx512f"))) void EightAtOnce(const std::string_view* data, size_t n, size_t out_bytes,
                                                   unsigned char* out) {
  constexpr size_t kLanes = keccak::kShake128Rate / 8;  // 21
  V8 a[25] = {};
  for (size_t k = 0; k < n; ++k) {
    unsigned char block[keccak::kShake128Rate] = {};
    std::memcpy(block, data[k].data(), data[k].size());
    block[data[k].size()] ^= keccak::kShakeSuffix;
    block[keccak::kShake128Rate - 1] ^= 0x80;
    for (size_t lane = 0; lane < kLanes; ++lane) {
      uint64_t v;
      std::memcpy(&v, block + lane * 8, 8);  // x86-64: lanes are little-endian as Keccak's
      a[lane][k] = v;
    }
  }
  KeccakF1600x8(a);
  for (size_t k = 0; k < n; ++k) {
    unsigned char* o = out + k * out_bytes;
    for (size_t lane = 0; lane * 8 < out_bytes; ++lane) {
      const uint64_t v = a[lane][k];
      const size_t take = out_bytes - lane * 8 < 8 ? out_bytes - lane * 8 : 8;
      std::memcpy(o + lane * 8, &v, take);
    }
  }
}

#undef DLT_ROTL8

bool HasAvx512() {
  static const bool has = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") != 0;
  }();
  return has;
}
#endif

}  // namespace

void Shake128Batch(const std::string_view* data, size_t n, size_t out_bytes, unsigned char* out) {
#ifdef DLT_KECCAK_X8
  // One message costs less alone; eight at once cost about what one does.
  if (n >= 2 && HasAvx512()) {
    while (n > 0) {
      const size_t take = n < kShakeBatch ? n : kShakeBatch;
      bool fits = true;
      for (size_t i = 0; i < take && fits; ++i) fits = OneBlock(data[i], out_bytes);
      if (fits) EightAtOnce(data, take, out_bytes, out);
      else OneByOne(data, take, out_bytes, out);
      data += take, out += take * out_bytes, n -= take;
    }
    return;
  }
#endif
  OneByOne(data, n, out_bytes, out);
}

bool Shake128BatchVectorized() {
#ifdef DLT_KECCAK_X8
  return HasAvx512();
#else
  return false;
#endif
}

}  // namespace dlt::hash
