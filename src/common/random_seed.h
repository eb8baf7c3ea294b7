// Random generators for names and keys that must not repeat: seeded with 256 bits of the OS's
// entropy. From one 32-bit value, two of the many threads of a pipeline's life (one in 2^32, a
// birthday's odds over tens of thousands of runs) would draw the same sequence, and so the same
// _dlt_id values or job file names.
#pragma once

#include <cstdint>
#include <random>

namespace dlt {

inline std::mt19937_64 WellSeededRng() {
  std::random_device rd;
  std::seed_seq seed{rd(), rd(), rd(), rd(), rd(), rd(), rd(), rd()};
  return std::mt19937_64(seed);
}

// xoshiro256** (Blackman and Vigna's generator): 256 bits of state seeded from the OS's entropy,
// a 64-bit value in a few instructions (row keys take two per row; mt19937_64 was 1% of the CPU of
// a 5M-row sql_database load). Not for secrets: row keys need not be unpredictable, only not to repeat.
class FastRng {
 public:
  FastRng() {
    std::random_device rd;
    uint64_t any = 0;
    for (auto& w : s_) {
      w = (uint64_t{rd()} << 32) | rd();
      any |= w;
    }
    if (any == 0) s_[0] = 1;  // the one state it must not start from
  }
  uint64_t operator()() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

}  // namespace dlt
