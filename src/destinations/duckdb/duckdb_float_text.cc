// See duckdb_float_text.h.
#include "destinations/duckdb/duckdb_float_text.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <string_view>
#include <type_traits>

#include "destinations/duckdb/duckdb_value_text.h"

namespace dlt::duckdb::detail {
namespace {

// --- FLOAT and DOUBLE ---
// DuckDB prints both with its bundled fmt 6 ("{}"). For DOUBLE that is the shortest digits that
// read back as the same double. For FLOAT, fmt first runs Grisu with the float's rounding
// boundaries; when Grisu cannot decide (it works with limited precision) it falls back to the
// shortest digits of the value as a DOUBLE, which for some floats has more digits (413617.875
// instead of 413617.88). GrisuFloat reproduces that decision.

// Digits d1..dn and exponent: value = 0.d1..dn * 10^(point), i.e. the decimal point sits after
// `point` digits.
struct DecimalDigits {
  std::string digits;
  int point = 0;
};

template <typename F>
DecimalDigits ShortestDigits(F v) {  // v > 0, finite
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string_view s(buf, static_cast<size_t>(r.ptr - buf));
  size_t e = s.find('e');
  DecimalDigits out;
  out.digits.assign(1, s[0]);
  if (e > 1) out.digits.append(s.substr(2, e - 2));
  std::string_view es = s.substr(e + 1);
  if (!es.empty() && es[0] == '+') es.remove_prefix(1);
  int exp10 = 0;
  std::from_chars(es.data(), es.data() + es.size(), exp10);
  out.point = exp10 + 1;
  return out;
}

// Normalized 64-bit significands and binary exponents of 10^k for k = -348, -340, ..., 340
// (f * 2^e rounded to nearest, 2^63 <= f < 2^64), the cache Grisu scales values with.
struct CachedPower {
  uint64_t f;
  int e;
};
constexpr CachedPower kPowersOf10[] = {
    {0xfa8fd5a0081c0288ULL, -1220},
    {0xbaaee17fa23ebf76ULL, -1193},
    {0x8b16fb203055ac76ULL, -1166},
    {0xcf42894a5dce35eaULL, -1140},
    {0x9a6bb0aa55653b2dULL, -1113},
    {0xe61acf033d1a45dfULL, -1087},
    {0xab70fe17c79ac6caULL, -1060},
    {0xff77b1fcbebcdc4fULL, -1034},
    {0xbe5691ef416bd60cULL, -1007},
    {0x8dd01fad907ffc3cULL, -980},
    {0xd3515c2831559a83ULL, -954},
    {0x9d71ac8fada6c9b5ULL, -927},
    {0xea9c227723ee8bcbULL, -901},
    {0xaecc49914078536dULL, -874},
    {0x823c12795db6ce57ULL, -847},
    {0xc21094364dfb5637ULL, -821},
    {0x9096ea6f3848984fULL, -794},
    {0xd77485cb25823ac7ULL, -768},
    {0xa086cfcd97bf97f4ULL, -741},
    {0xef340a98172aace5ULL, -715},
    {0xb23867fb2a35b28eULL, -688},
    {0x84c8d4dfd2c63f3bULL, -661},
    {0xc5dd44271ad3cdbaULL, -635},
    {0x936b9fcebb25c996ULL, -608},
    {0xdbac6c247d62a584ULL, -582},
    {0xa3ab66580d5fdaf6ULL, -555},
    {0xf3e2f893dec3f126ULL, -529},
    {0xb5b5ada8aaff80b8ULL, -502},
    {0x87625f056c7c4a8bULL, -475},
    {0xc9bcff6034c13053ULL, -449},
    {0x964e858c91ba2655ULL, -422},
    {0xdff9772470297ebdULL, -396},
    {0xa6dfbd9fb8e5b88fULL, -369},
    {0xf8a95fcf88747d94ULL, -343},
    {0xb94470938fa89bcfULL, -316},
    {0x8a08f0f8bf0f156bULL, -289},
    {0xcdb02555653131b6ULL, -263},
    {0x993fe2c6d07b7facULL, -236},
    {0xe45c10c42a2b3b06ULL, -210},
    {0xaa242499697392d3ULL, -183},
    {0xfd87b5f28300ca0eULL, -157},
    {0xbce5086492111aebULL, -130},
    {0x8cbccc096f5088ccULL, -103},
    {0xd1b71758e219652cULL, -77},
    {0x9c40000000000000ULL, -50},
    {0xe8d4a51000000000ULL, -24},
    {0xad78ebc5ac620000ULL, 3},
    {0x813f3978f8940984ULL, 30},
    {0xc097ce7bc90715b3ULL, 56},
    {0x8f7e32ce7bea5c70ULL, 83},
    {0xd5d238a4abe98068ULL, 109},
    {0x9f4f2726179a2245ULL, 136},
    {0xed63a231d4c4fb27ULL, 162},
    {0xb0de65388cc8ada8ULL, 189},
    {0x83c7088e1aab65dbULL, 216},
    {0xc45d1df942711d9aULL, 242},
    {0x924d692ca61be758ULL, 269},
    {0xda01ee641a708deaULL, 295},
    {0xa26da3999aef774aULL, 322},
    {0xf209787bb47d6b85ULL, 348},
    {0xb454e4a179dd1877ULL, 375},
    {0x865b86925b9bc5c2ULL, 402},
    {0xc83553c5c8965d3dULL, 428},
    {0x952ab45cfa97a0b3ULL, 455},
    {0xde469fbd99a05fe3ULL, 481},
    {0xa59bc234db398c25ULL, 508},
    {0xf6c69a72a3989f5cULL, 534},
    {0xb7dcbf5354e9beceULL, 561},
    {0x88fcf317f22241e2ULL, 588},
    {0xcc20ce9bd35c78a5ULL, 614},
    {0x98165af37b2153dfULL, 641},
    {0xe2a0b5dc971f303aULL, 667},
    {0xa8d9d1535ce3b396ULL, 694},
    {0xfb9b7cd9a4a7443cULL, 720},
    {0xbb764c4ca7a44410ULL, 747},
    {0x8bab8eefb6409c1aULL, 774},
    {0xd01fef10a657842cULL, 800},
    {0x9b10a4e5e9913129ULL, 827},
    {0xe7109bfba19c0c9dULL, 853},
    {0xac2820d9623bf429ULL, 880},
    {0x80444b5e7aa7cf85ULL, 907},
    {0xbf21e44003acdd2dULL, 933},
    {0x8e679c2f5e44ff8fULL, 960},
    {0xd433179d9c8cb841ULL, 986},
    {0x9e19db92b4e31ba9ULL, 1013},
    {0xeb96bf6ebadf77d9ULL, 1039},
    {0xaf87023b9bf0ee6bULL, 1066},
};

constexpr uint64_t kPow10U64[] = {1ULL,
                                  10ULL,
                                  100ULL,
                                  1000ULL,
                                  10000ULL,
                                  100000ULL,
                                  1000000ULL,
                                  10000000ULL,
                                  100000000ULL,
                                  1000000000ULL,
                                  10000000000ULL,
                                  100000000000ULL,
                                  1000000000000ULL,
                                  10000000000000ULL,
                                  100000000000000ULL,
                                  1000000000000000ULL,
                                  10000000000000000ULL,
                                  100000000000000000ULL,
                                  1000000000000000000ULL,
                                  10000000000000000000ULL};

struct Fp {
  uint64_t f;
  int e;
};

// a * b / 2^64, rounded half up.
uint64_t MulHigh(uint64_t a, uint64_t b) {
  unsigned __int128 p = static_cast<unsigned __int128>(a) * b;
  uint64_t hi = static_cast<uint64_t>(p >> 64);
  return (static_cast<uint64_t>(p) >> 63) ? hi + 1 : hi;
}

// Shifts a double's significand (its leading one at bit 52 + shift) left until bit 63 is set.
Fp Normalize(Fp v, int shift) {
  const uint64_t lead = (uint64_t{1} << 52) << shift;
  while ((v.f & lead) == 0) {
    v.f <<= 1;
    --v.e;
  }
  const int offset = 64 - 52 - shift - 1;
  v.f <<= offset;
  v.e -= offset;
  return v;
}

int CountDigits(uint32_t n) {
  int d = 1;
  while (n >= 10) {
    n /= 10;
    ++d;
  }
  return d;
}

// Grisu "shortest" for a float (held in a double) with the float's boundaries. Returns false
// where the algorithm gives up.
bool GrisuFloat(double value, DecimalDigits& out) {
  uint64_t u;
  std::memcpy(&u, &value, sizeof u);
  constexpr uint64_t kImplicit = uint64_t{1} << 52;
  Fp v{u & (kImplicit - 1), 0};
  uint64_t biased = (u >> 52) & 0x7FF;
  if (biased != 0) {
    v.f += kImplicit;
  } else {
    biased = 1;
  }
  v.e = static_cast<int>(biased) - 1075;

  // Boundaries half a FLOAT ulp away (the lower one closer for a power of two).
  constexpr int kMinNormalE = -125 - 53;
  uint64_t half_ulp = uint64_t{1} << (53 - 24 - 1);
  if (kMinNormalE > v.e) half_ulp <<= kMinNormalE - v.e;
  Fp upper = Normalize(Fp{v.f + half_ulp, v.e}, 0);
  Fp lower{v.f - (half_ulp >> ((v.f == kImplicit && v.e > kMinNormalE) ? 1 : 0)), v.e};
  lower.f <<= lower.e - upper.e;

  v = Normalize(v, 0);
  // A cached power of ten that brings the binary exponent into [-60, -32].
  const int min_exponent = -60 - (v.e + 64);
  int64_t t = static_cast<int64_t>(min_exponent + 63) * 0x4d104d42LL + 0xFFFFFFFFLL;
  int index = static_cast<int>(t >> 32);
  index = (index + 348 - 1) / 8 + 1;
  if (index < 0 || index >= static_cast<int>(std::size(kPowersOf10))) return false;
  const int cached_exp10 = -348 + index * 8;
  const CachedPower c = kPowersOf10[index];
  v = Fp{MulHigh(v.f, c.f), v.e + c.e + 64};
  uint64_t lo = MulHigh(lower.f, c.f) - 1;
  uint64_t hi = MulHigh(upper.f, c.f) + 1;

  // Digit generation from the upper boundary, with Grisu3's round-weed check.
  const uint64_t diff = hi - v.f;
  uint64_t error = hi - lo;
  const int shift = -v.e;
  const uint64_t one = uint64_t{1} << shift;
  uint32_t integral = static_cast<uint32_t>(hi >> shift);
  uint64_t fractional = hi & (one - 1);
  int exp = CountDigits(integral);
  std::string& buf = out.digits;
  buf.clear();

  // 0 = more digits, 1 = done, 2 = give up.
  auto on_digit = [&](char digit, uint64_t divisor, uint64_t remainder, bool is_integral) -> int {
    buf += digit;
    if (remainder >= error) return 0;
    if (!is_integral && -exp > 19) return 2;
    uint64_t unit = is_integral ? 1 : kPow10U64[-exp];
    uint64_t up = (diff - 1) * unit;
    while (remainder < up && error - remainder >= divisor &&
           (remainder + divisor < up || up - remainder >= remainder + divisor - up)) {
      --buf.back();
      remainder += divisor;
    }
    uint64_t down = (diff + 1) * unit;
    if (remainder < down && error - remainder >= divisor &&
        (remainder + divisor < down || down - remainder > remainder + divisor - down)) {
      return 2;
    }
    return 2 * unit <= remainder && remainder <= error - 4 * unit ? 1 : 2;
  };

  int result = 0;
  do {
    uint32_t digit;
    if (exp == 1) {
      digit = integral;
      integral = 0;
    } else {
      uint32_t divisor = static_cast<uint32_t>(kPow10U64[exp - 1]);
      digit = integral / divisor;
      integral %= divisor;
    }
    --exp;
    uint64_t remainder = (static_cast<uint64_t>(integral) << shift) + fractional;
    result = on_digit(static_cast<char>('0' + digit), kPow10U64[exp] << shift, remainder, true);
  } while (result == 0 && exp > 0);
  while (result == 0) {
    fractional *= 10;
    error *= 10;
    char digit = static_cast<char>('0' + static_cast<char>(fractional >> shift));
    fractional &= one - 1;
    --exp;
    result = on_digit(digit, one, fractional, false);
  }
  if (result != 1) return false;
  // value = digits * 10^(exp - cached_exp10)
  out.point = exp - cached_exp10 + static_cast<int>(buf.size());
  return true;
}

// fmt's "{}" layout: fixed notation with at least one decimal ("100000.0", "0.0001") when the
// decimal exponent is in -4..15, else "1e+16", "1.5e-07".
void AppendDigits(std::string& out, const DecimalDigits& d) {
  const int n = static_cast<int>(d.digits.size());
  const int exp10 = d.point - 1;  // scientific exponent
  if (exp10 < -4 || exp10 >= 16) {
    out += d.digits[0];
    if (n > 1) {
      out += '.';
      out.append(d.digits, 1, std::string::npos);
    }
    out += 'e';
    out += exp10 < 0 ? '-' : '+';
    int a = exp10 < 0 ? -exp10 : exp10;
    if (a < 10) out += '0';
    AppendInt(out, a);
  } else if (d.point >= n) {
    out += d.digits;
    out.append(static_cast<size_t>(d.point - n), '0');
    out += ".0";
  } else if (d.point > 0) {
    out.append(d.digits, 0, static_cast<size_t>(d.point));
    out += '.';
    out.append(d.digits, static_cast<size_t>(d.point), std::string::npos);
  } else {
    out += "0.";
    out.append(static_cast<size_t>(-d.point), '0');
    out += d.digits;
  }
}

template <typename F>
void AppendShortest(std::string& out, F v) {
  if (std::isnan(v)) {
    out += "nan";
    return;
  }
  if (std::isinf(v)) {
    out += v < 0 ? "-inf" : "inf";
    return;
  }
  if (std::signbit(v)) {
    out += '-';
    v = -v;
  }
  if (v == 0) {
    out += "0.0";
    return;
  }
  DecimalDigits d;
  if constexpr (std::is_same_v<F, float>) {
    if (!GrisuFloat(static_cast<double>(v), d)) d = ShortestDigits(static_cast<double>(v));
  } else {
    d = ShortestDigits(v);
  }
  AppendDigits(out, d);
}

}  // namespace

void AppendFloat(std::string& out, float v) { AppendShortest(out, v); }
void AppendFloat(std::string& out, double v) { AppendShortest(out, v); }

}  // namespace dlt::duckdb::detail
