// SHAKE128 of several short messages at once (hash.h Shake128Batch). Every nested row's _dlt_id
// is a SHAKE128 of "<parent id>_<table>_<index>" (relational_row_key.cc): a message of one block,
// so the cost is one Keccak-f[1600] permutation per row, the biggest single item of a nested
// load's own CPU. Here the permutation runs on eight states at once, lane i of each state in
// element i of a vector of eight 64-bit values (GCC vector extensions): one body, compiled for
// AVX-512 (a vector is one register, a rotation one instruction: eight states for about the cost
// of one scalar permutation) and for plain x86-64 (SSE2: four registers per vector, slower than
// one by one unless all eight are used; there only for the tests, which check the eight-state
// code against Shake128 on any x86-64 machine). Compiled for AVX2 it was no faster than one by
// one for fewer than eight messages (50 registers' worth of state in 16), so CPUs without
// AVX-512 hash one by one. A group of eight goes one by one through Shake128 when one of its
// messages is longer than one block or more than one block is squeezed.
#include <cstring>

#include "common/hash.h"
#include "common/keccak.h"

namespace dlt::hash {

namespace {

void OneByOne(const std::string_view* data, size_t n, size_t out_bytes, unsigned char* out) {
  for (size_t i = 0; i < n; ++i) {
    const std::string digest = Shake128(data[i], out_bytes);
    std::memcpy(out + i * out_bytes, digest.data(), out_bytes);
  }
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define DLT_KECCAK_X8 1

typedef uint64_t V8 __attribute__((vector_size(64)));
static_assert(kShakeBatch == 8, "a vector holds one lane of eight states");

// A message fits one block when it and its padding (one suffix byte) fit in the rate.
bool OneBlock(std::string_view data, size_t out_bytes) {
  return data.size() < keccak::kShake128Rate && out_bytes <= keccak::kShake128Rate;
}

// Rotation offsets (rho) of lane x + 5y, and where pi moves it: lane (x, y) to (y, 2x + 3y).
constexpr int kRho[25] = {0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14};
constexpr int PiTarget(int i) { return (i / 5) + 5 * ((2 * (i % 5) + 3 * (i / 5)) % 5); }

#define DLT_ROTL8(v, n) ((n) == 0 ? (v) : (((v) << (n)) | ((v) >> (64 - (n)))))

// Keccak-f[1600] over eight states, then the first `out_bytes` bytes of each squeezed out; the
// blocks of up to eight one-block messages are loaded first (each padded, in lane i of its state).
// Inlined into each of the entry points below, compiled for their instruction sets.
__attribute__((always_inline)) inline void EightAtOnceBody(const std::string_view* data, size_t n,
                                                           size_t out_bytes, unsigned char* out) {
  constexpr size_t kLanes = keccak::kShake128Rate / 8;  // 21
  V8 a[25] = {};
  for (size_t k = 0; k < n; ++k) {
    unsigned char block[keccak::kShake128Rate] = {};
    if (!data[k].empty()) std::memcpy(block, data[k].data(), data[k].size());
    block[data[k].size()] ^= keccak::kShakeSuffix;
    block[keccak::kShake128Rate - 1] ^= 0x80;
    for (size_t lane = 0; lane < kLanes; ++lane) {
      uint64_t v;
      std::memcpy(&v, block + lane * 8, 8);  // x86-64: lanes are little-endian as Keccak's
      a[lane][k] = v;
    }
  }
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

__attribute__((target("avx512f"))) void EightAtOnceAvx512(const std::string_view* data, size_t n, size_t out_bytes,
                                                         unsigned char* out) {
  EightAtOnceBody(data, n, out_bytes, out);
}
void EightAtOncePortable(const std::string_view* data, size_t n, size_t out_bytes, unsigned char* out) {
  EightAtOnceBody(data, n, out_bytes, out);
}

using EightAtOnce = void (*)(const std::string_view*, size_t, size_t, unsigned char*);

// Groups of eight through `eight`, those with a message of more than one block one by one.
void InGroups(EightAtOnce eight, const std::string_view* data, size_t n, size_t out_bytes, unsigned char* out) {
  while (n > 0) {
    const size_t take = n < kShakeBatch ? n : kShakeBatch;
    bool fits = true;
    for (size_t i = 0; i < take && fits; ++i) fits = OneBlock(data[i], out_bytes);
    if (fits) eight(data, take, out_bytes, out);
    else OneByOne(data, take, out_bytes, out);
    data += take, out += take * out_bytes, n -= take;
  }
}

bool HasAvx512() {
  static const bool has = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") != 0;
  }();
  return has;
}

KeccakPath Best() { return HasAvx512() ? KeccakPath::kAvx512 : KeccakPath::kOneByOne; }
#else
KeccakPath Best() { return KeccakPath::kOneByOne; }
#endif

}  // namespace

bool Shake128BatchPathAvailable(KeccakPath path) {
#ifdef DLT_KECCAK_X8
  switch (path) {
    case KeccakPath::kOneByOne:
    case KeccakPath::kPortable: return true;
    case KeccakPath::kAvx512: return HasAvx512();
  }
  return false;
#else
  return path == KeccakPath::kOneByOne;
#endif
}

void Shake128BatchWith(KeccakPath path, const std::string_view* data, size_t n, size_t out_bytes, unsigned char* out) {
#ifdef DLT_KECCAK_X8
  switch (path) {
    case KeccakPath::kAvx512: return InGroups(EightAtOnceAvx512, data, n, out_bytes, out);
    case KeccakPath::kPortable: return InGroups(EightAtOncePortable, data, n, out_bytes, out);
    case KeccakPath::kOneByOne: break;
  }
#else
  (void)path;
#endif
  OneByOne(data, n, out_bytes, out);
}

void Shake128Batch(const std::string_view* data, size_t n, size_t out_bytes, unsigned char* out) {
  // One message costs less alone than in a group of eight.
  Shake128BatchWith(n >= 2 ? Best() : KeccakPath::kOneByOne, data, n, out_bytes, out);
}

bool Shake128BatchVectorized() { return Best() != KeccakPath::kOneByOne; }

}  // namespace dlt::hash
