// Random generators for names and keys that must not repeat: seeded with 256 bits of the OS's
// entropy. From one 32-bit value, two of the many threads of a pipeline's life (one in 2^32, a
// birthday's odds over tens of thousands of runs) would draw the same sequence, and so the same
// _dlt_id values or job file names.
#pragma once

#include <random>

namespace dlt {

inline std::mt19937_64 WellSeededRng() {
  std::random_device rd;
  std::seed_seq seed{rd(), rd(), rd(), rd(), rd(), rd(), rd(), rd()};
  return std::mt19937_64(seed);
}

}  // namespace dlt
