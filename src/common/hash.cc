#include "common/hash.h"

#include <cassert>
#include <cstring>

namespace dlt::hash {

namespace {

constexpr uint64_t kRoundConstants[24] = {
    0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808AULL, 0x8000000080008000ULL,
    0x000000000000808BULL, 0x0000000080000001ULL, 0x8000000080008081ULL, 0x8000000000008009ULL,
    0x000000000000008AULL, 0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000AULL,
    0x000000008000808BULL, 0x800000000000008BULL, 0x8000000000008089ULL, 0x8000000000008003ULL,
    0x8000000000008002ULL, 0x8000000000000080ULL, 0x000000000000800AULL, 0x800000008000000AULL,
    0x8000000080008081ULL, 0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL,
};

// Rotation offsets of the rho step, lane index x + 5 * y.
constexpr unsigned kRho[25] = {
    0,  1,  62, 28, 27,  //
    36, 44, 6,  55, 20,  //
    3,  10, 43, 25, 39,  //
    41, 45, 15, 21, 8,   //
    18, 2,  61, 56, 14,
};

inline uint64_t Rotl(uint64_t v, unsigned n) { return (v << n) | (v >> ((64 - n) & 63)); }

// Destination lane of the pi step for each source lane: (x, y) -> (y, 2x + 3y).
constexpr unsigned kPi[25] = {
    0,  10, 20, 5,  15,  //
    16, 1,  11, 21, 6,   //
    7,  17, 2,  12, 22,  //
    23, 8,  18, 3,  13,  //
    14, 24, 9,  19, 4,
};

void KeccakF1600(uint64_t a[25]) {
  uint64_t b[25];
  uint64_t c[5];
  uint64_t d[5];
  for (int round = 0; round < 24; ++round) {
    // theta
#pragma GCC unroll 5
    for (int x = 0; x < 5; ++x) c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
    d[0] = c[4] ^ Rotl(c[1], 1);
    d[1] = c[0] ^ Rotl(c[2], 1);
    d[2] = c[1] ^ Rotl(c[3], 1);
    d[3] = c[2] ^ Rotl(c[4], 1);
    d[4] = c[3] ^ Rotl(c[0], 1);
#pragma GCC unroll 25
    for (int i = 0; i < 25; ++i) a[i] ^= d[i % 5];
    // rho and pi
#pragma GCC unroll 25
    for (int i = 0; i < 25; ++i) b[kPi[i]] = Rotl(a[i], kRho[i]);
    // chi
#pragma GCC unroll 5
    for (int y = 0; y < 25; y += 5) {
      a[y + 0] = b[y + 0] ^ (~b[y + 1] & b[y + 2]);
      a[y + 1] = b[y + 1] ^ (~b[y + 2] & b[y + 3]);
      a[y + 2] = b[y + 2] ^ (~b[y + 3] & b[y + 4]);
      a[y + 3] = b[y + 3] ^ (~b[y + 4] & b[y + 0]);
      a[y + 4] = b[y + 4] ^ (~b[y + 0] & b[y + 1]);
    }
    // iota
    a[0] ^= kRoundConstants[round];
  }
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

constexpr size_t kShake128Rate = 168;  // (1600 - 2 * 128) / 8
constexpr uint8_t kShakeSuffix = 0x1F;
constexpr uint8_t kSha3Suffix = 0x06;

constexpr char kB64Alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

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
    out += kB64Alphabet[(v >> 18) & 63];
    out += kB64Alphabet[(v >> 12) & 63];
    out += kB64Alphabet[(v >> 6) & 63];
    out += kB64Alphabet[v & 63];
  }
  size_t rest = n - i;
  if (rest == 1) {
    uint32_t v = uint32_t{p[i]} << 16;
    out += kB64Alphabet[(v >> 18) & 63];
    out += kB64Alphabet[(v >> 12) & 63];
    if (pad) out += "==";
  } else if (rest == 2) {
    uint32_t v = (uint32_t{p[i]} << 16) | (uint32_t{p[i + 1]} << 8);
    out += kB64Alphabet[(v >> 18) & 63];
    out += kB64Alphabet[(v >> 12) & 63];
    out += kB64Alphabet[(v >> 6) & 63];
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
