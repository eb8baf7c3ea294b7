#include "common/hash.h"

#include <cassert>
#include <cstring>

#include "common/keccak.h"

namespace dlt::hash {

namespace {

using keccak::kRoundConstants;

inline uint64_t Rotl(uint64_t v, unsigned n) { return (v << n) | (v >> ((64 - n) & 63)); }

// Keccak-f[1600] with the state in 25 locals and two rounds per step (a -> e -> a), so that no
// lane is copied between rounds. Lane (x, y) is a[x + 5y]; each output row y takes the lanes
// b[x] = rot(a[(x + 3y) % 5 + 5x] ^ d[(x + 3y) % 5], rho of that lane) (rho and pi), then chi.
// It runs for every nested row (its _dlt_id), so it is also compiled for x86-64 CPUs with BMI
// (and-not and rotate instructions: about 20% faster), picked at load time.
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
__attribute__((target_clones("default", "arch=haswell")))
#endif
void KeccakF1600(uint64_t s[25]) {
  uint64_t a0 = s[0], a1 = s[1], a2 = s[2], a3 = s[3], a4 = s[4];
  uint64_t a5 = s[5], a6 = s[6], a7 = s[7], a8 = s[8], a9 = s[9];
  uint64_t a10 = s[10], a11 = s[11], a12 = s[12], a13 = s[13], a14 = s[14];
  uint64_t a15 = s[15], a16 = s[16], a17 = s[17], a18 = s[18], a19 = s[19];
  uint64_t a20 = s[20], a21 = s[21], a22 = s[22], a23 = s[23], a24 = s[24];
  uint64_t e0, e1, e2, e3, e4, e5, e6, e7, e8, e9, e10, e11, e12;
  uint64_t e13, e14, e15, e16, e17, e18, e19, e20, e21, e22, e23, e24;
  uint64_t c0, c1, c2, c3, c4, d0, d1, d2, d3, d4, b0, b1, b2, b3, b4;
  for (int round = 0; round < 24; round += 2) {
    c0 = a0 ^ a5 ^ a10 ^ a15 ^ a20;
    c1 = a1 ^ a6 ^ a11 ^ a16 ^ a21;
    c2 = a2 ^ a7 ^ a12 ^ a17 ^ a22;
    c3 = a3 ^ a8 ^ a13 ^ a18 ^ a23;
    c4 = a4 ^ a9 ^ a14 ^ a19 ^ a24;
    d0 = c4 ^ Rotl(c1, 1);
    d1 = c0 ^ Rotl(c2, 1);
    d2 = c1 ^ Rotl(c3, 1);
    d3 = c2 ^ Rotl(c4, 1);
    d4 = c3 ^ Rotl(c0, 1);
    b0 = (a0 ^ d0);
    b1 = Rotl(a6 ^ d1, 44);
    b2 = Rotl(a12 ^ d2, 43);
    b3 = Rotl(a18 ^ d3, 21);
    b4 = Rotl(a24 ^ d4, 14);
    e0 = b0 ^ (~b1 & b2);
    e1 = b1 ^ (~b2 & b3);
    e2 = b2 ^ (~b3 & b4);
    e3 = b3 ^ (~b4 & b0);
    e4 = b4 ^ (~b0 & b1);
    b0 = Rotl(a3 ^ d3, 28);
    b1 = Rotl(a9 ^ d4, 20);
    b2 = Rotl(a10 ^ d0, 3);
    b3 = Rotl(a16 ^ d1, 45);
    b4 = Rotl(a22 ^ d2, 61);
    e5 = b0 ^ (~b1 & b2);
    e6 = b1 ^ (~b2 & b3);
    e7 = b2 ^ (~b3 & b4);
    e8 = b3 ^ (~b4 & b0);
    e9 = b4 ^ (~b0 & b1);
    b0 = Rotl(a1 ^ d1, 1);
    b1 = Rotl(a7 ^ d2, 6);
    b2 = Rotl(a13 ^ d3, 25);
    b3 = Rotl(a19 ^ d4, 8);
    b4 = Rotl(a20 ^ d0, 18);
    e10 = b0 ^ (~b1 & b2);
    e11 = b1 ^ (~b2 & b3);
    e12 = b2 ^ (~b3 & b4);
    e13 = b3 ^ (~b4 & b0);
    e14 = b4 ^ (~b0 & b1);
    b0 = Rotl(a4 ^ d4, 27);
    b1 = Rotl(a5 ^ d0, 36);
    b2 = Rotl(a11 ^ d1, 10);
    b3 = Rotl(a17 ^ d2, 15);
    b4 = Rotl(a23 ^ d3, 56);
    e15 = b0 ^ (~b1 & b2);
    e16 = b1 ^ (~b2 & b3);
    e17 = b2 ^ (~b3 & b4);
    e18 = b3 ^ (~b4 & b0);
    e19 = b4 ^ (~b0 & b1);
    b0 = Rotl(a2 ^ d2, 62);
    b1 = Rotl(a8 ^ d3, 55);
    b2 = Rotl(a14 ^ d4, 39);
    b3 = Rotl(a15 ^ d0, 41);
    b4 = Rotl(a21 ^ d1, 2);
    e20 = b0 ^ (~b1 & b2);
    e21 = b1 ^ (~b2 & b3);
    e22 = b2 ^ (~b3 & b4);
    e23 = b3 ^ (~b4 & b0);
    e24 = b4 ^ (~b0 & b1);
    e0 ^= kRoundConstants[round];
    c0 = e0 ^ e5 ^ e10 ^ e15 ^ e20;
    c1 = e1 ^ e6 ^ e11 ^ e16 ^ e21;
    c2 = e2 ^ e7 ^ e12 ^ e17 ^ e22;
    c3 = e3 ^ e8 ^ e13 ^ e18 ^ e23;
    c4 = e4 ^ e9 ^ e14 ^ e19 ^ e24;
    d0 = c4 ^ Rotl(c1, 1);
    d1 = c0 ^ Rotl(c2, 1);
    d2 = c1 ^ Rotl(c3, 1);
    d3 = c2 ^ Rotl(c4, 1);
    d4 = c3 ^ Rotl(c0, 1);
    b0 = (e0 ^ d0);
    b1 = Rotl(e6 ^ d1, 44);
    b2 = Rotl(e12 ^ d2, 43);
    b3 = Rotl(e18 ^ d3, 21);
    b4 = Rotl(e24 ^ d4, 14);
    a0 = b0 ^ (~b1 & b2);
    a1 = b1 ^ (~b2 & b3);
    a2 = b2 ^ (~b3 & b4);
    a3 = b3 ^ (~b4 & b0);
    a4 = b4 ^ (~b0 & b1);
    b0 = Rotl(e3 ^ d3, 28);
    b1 = Rotl(e9 ^ d4, 20);
    b2 = Rotl(e10 ^ d0, 3);
    b3 = Rotl(e16 ^ d1, 45);
    b4 = Rotl(e22 ^ d2, 61);
    a5 = b0 ^ (~b1 & b2);
    a6 = b1 ^ (~b2 & b3);
    a7 = b2 ^ (~b3 & b4);
    a8 = b3 ^ (~b4 & b0);
    a9 = b4 ^ (~b0 & b1);
    b0 = Rotl(e1 ^ d1, 1);
    b1 = Rotl(e7 ^ d2, 6);
    b2 = Rotl(e13 ^ d3, 25);
    b3 = Rotl(e19 ^ d4, 8);
    b4 = Rotl(e20 ^ d0, 18);
    a10 = b0 ^ (~b1 & b2);
    a11 = b1 ^ (~b2 & b3);
    a12 = b2 ^ (~b3 & b4);
    a13 = b3 ^ (~b4 & b0);
    a14 = b4 ^ (~b0 & b1);
    b0 = Rotl(e4 ^ d4, 27);
    b1 = Rotl(e5 ^ d0, 36);
    b2 = Rotl(e11 ^ d1, 10);
    b3 = Rotl(e17 ^ d2, 15);
    b4 = Rotl(e23 ^ d3, 56);
    a15 = b0 ^ (~b1 & b2);
    a16 = b1 ^ (~b2 & b3);
    a17 = b2 ^ (~b3 & b4);
    a18 = b3 ^ (~b4 & b0);
    a19 = b4 ^ (~b0 & b1);
    b0 = Rotl(e2 ^ d2, 62);
    b1 = Rotl(e8 ^ d3, 55);
    b2 = Rotl(e14 ^ d4, 39);
    b3 = Rotl(e15 ^ d0, 41);
    b4 = Rotl(e21 ^ d1, 2);
    a20 = b0 ^ (~b1 & b2);
    a21 = b1 ^ (~b2 & b3);
    a22 = b2 ^ (~b3 & b4);
    a23 = b3 ^ (~b4 & b0);
    a24 = b4 ^ (~b0 & b1);
    a0 ^= kRoundConstants[round + 1];
  }
  s[0] = a0; s[1] = a1; s[2] = a2; s[3] = a3; s[4] = a4;
  s[5] = a5; s[6] = a6; s[7] = a7; s[8] = a8; s[9] = a9;
  s[10] = a10; s[11] = a11; s[12] = a12; s[13] = a13; s[14] = a14;
  s[15] = a15; s[16] = a16; s[17] = a17; s[18] = a18; s[19] = a19;
  s[20] = a20; s[21] = a21; s[22] = a22; s[23] = a23; s[24] = a24;
}

inline uint64_t LoadLe64(const unsigned char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

// Keccak sponge over a state of 25 little-endian lanes; `pos` counts bytes of the current block.
void Absorb(uint64_t state[25], size_t& pos, size_t rate, std::string_view data) {
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  size_t n = data.size();
  // Bytes up to a lane boundary.
  while (n > 0 && pos % 8 != 0) {
    state[pos / 8] ^= uint64_t{*p} << (8 * (pos % 8));
    ++p, --n, ++pos;
    if (pos == rate) KeccakF1600(state), pos = 0;
  }
  // Whole lanes.
  while (n >= 8) {
    state[pos / 8] ^= LoadLe64(p);
    p += 8, n -= 8, pos += 8;
    if (pos == rate) KeccakF1600(state), pos = 0;
  }
  while (n > 0) {
    state[pos / 8] ^= uint64_t{*p} << (8 * (pos % 8));
    ++p, --n, ++pos;
    if (pos == rate) KeccakF1600(state), pos = 0;
  }
}

// Pads with the domain suffix and squeezes `out_bytes`.
std::string PadAndSqueeze(uint64_t state[25], size_t pos, size_t rate, uint8_t suffix,
                          size_t out_bytes) {
  state[pos / 8] ^= uint64_t{suffix} << (8 * (pos % 8));
  state[(rate - 1) / 8] ^= uint64_t{0x80} << (8 * ((rate - 1) % 8));
  KeccakF1600(state);
  std::string out;
  out.resize(out_bytes);
  size_t off = 0;
  for (;;) {
    for (size_t i = 0; i < rate && off < out_bytes; ++i, ++off) {
      out[off] = static_cast<char>(static_cast<uint8_t>(state[i / 8] >> (8 * (i % 8))));
    }
    if (off >= out_bytes) break;
    KeccakF1600(state);
  }
  return out;
}

using keccak::kShake128Rate;
using keccak::kShakeSuffix;
constexpr uint8_t kSha3Suffix = 0x06;

}  // namespace

std::string Shake128(std::string_view data, size_t out_bytes) {
  uint64_t state[25] = {};
  size_t pos = 0;
  Absorb(state, pos, kShake128Rate, data);
  return PadAndSqueeze(state, pos, kShake128Rate, kShakeSuffix, out_bytes);
}

Sha3_256::Sha3_256() { std::memset(state_, 0, sizeof state_); }

void Sha3_256::Update(std::string_view data) {
  assert(!finalized_ && "Sha3_256::Update after Final");
  Absorb(state_, pos_, kRateBytes, data);
}

std::string Sha3_256::Final() {
  assert(!finalized_ && "Sha3_256::Final called twice");
  finalized_ = true;
  return PadAndSqueeze(state_, pos_, kRateBytes, kSha3Suffix, kDigestBytes);
}

std::string Sha3_256Digest(std::string_view data) {
  Sha3_256 h;
  h.Update(data);
  return h.Final();
}

std::string ToHex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.resize(bytes.size() * 2);
  for (size_t i = 0; i < bytes.size(); ++i) {
    auto b = static_cast<unsigned char>(bytes[i]);
    out[2 * i] = kHex[b >> 4];
    out[2 * i + 1] = kHex[b & 0xF];
  }
  return out;
}

std::string Base64Encode(std::string_view bytes, bool pad) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t n = bytes.size();
  size_t i = 0;
  for (; i + 3 <= n; i += 3) {
    uint32_t v = (uint32_t{p[i]} << 16) | (uint32_t{p[i + 1]} << 8) | p[i + 2];
    out += kBase64Alphabet[(v >> 18) & 63];
    out += kBase64Alphabet[(v >> 12) & 63];
    out += kBase64Alphabet[(v >> 6) & 63];
    out += kBase64Alphabet[v & 63];
  }
  size_t rest = n - i;
  if (rest == 1) {
    uint32_t v = uint32_t{p[i]} << 16;
    out += kBase64Alphabet[(v >> 18) & 63];
    out += kBase64Alphabet[(v >> 12) & 63];
    if (pad) out += "==";
  } else if (rest == 2) {
    uint32_t v = (uint32_t{p[i]} << 16) | (uint32_t{p[i + 1]} << 8);
    out += kBase64Alphabet[(v >> 18) & 63];
    out += kBase64Alphabet[(v >> 12) & 63];
    out += kBase64Alphabet[(v >> 6) & 63];
    if (pad) out += '=';
  }
  return out;
}

StatusOr<std::string> Base64Decode(std::string_view text) {
  // Strip the padding, then every remaining character must be in the alphabet.
  size_t len = text.size();
  size_t padding = 0;
  while (len > 0 && text[len - 1] == '=' && padding < 2) --len, ++padding;
  if (padding > 0 && (len + padding) % 4 != 0) {
    return InvalidArgument("invalid base64: wrong padding");
  }
  if (len % 4 == 1) return InvalidArgument("invalid base64: truncated input");
  std::string out;
  out.reserve(len / 4 * 3 + 2);
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < len; ++i) {
    char ch = text[i];
    int v;
    if (ch >= 'A' && ch <= 'Z') v = ch - 'A';
    else if (ch >= 'a' && ch <= 'z') v = ch - 'a' + 26;
    else if (ch >= '0' && ch <= '9') v = ch - '0' + 52;
    else if (ch == '+') v = 62;
    else if (ch == '/') v = 63;
    else {
      return InvalidArgument("invalid base64: unexpected character at offset " + std::to_string(i));
    }
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  return out;
}

}  // namespace dlt::hash
