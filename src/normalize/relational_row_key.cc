// Row keys (relational.h): random ones for root rows, and the deterministic ones dlt derives for
// nested rows from the parent's key, the table and the list index.
#include "normalize/relational.h"

#include <charconv>
#include <cstring>
#include <random>

#include "common/hash.h"
#include "common/random_seed.h"

namespace dlt {

namespace {

constexpr size_t kKeyBytes = 10;

// 10 bytes in base64 without padding (kRowKeyChars characters): 3 groups of 3 bytes and one of
// 1, as Base64Encode writes them.
void EncodeKey(const unsigned char* bytes, char* out) {
  constexpr const char* kAlphabet = hash::kBase64Alphabet;
  for (int g = 0; g < 3; ++g) {
    const uint32_t v = (uint32_t{bytes[g * 3]} << 16) | (uint32_t{bytes[g * 3 + 1]} << 8) | bytes[g * 3 + 2];
    out[g * 4] = kAlphabet[(v >> 18) & 63];
    out[g * 4 + 1] = kAlphabet[(v >> 12) & 63];
    out[g * 4 + 2] = kAlphabet[(v >> 6) & 63];
    out[g * 4 + 3] = kAlphabet[v & 63];
  }
  out[12] = kAlphabet[(bytes[9] >> 2) & 63];
  out[13] = kAlphabet[(bytes[9] & 3) << 4];
}

}  // namespace

void NewRowKeyInto(char* out) {
  static thread_local FastRng rng;
  const uint64_t a = rng(), b = rng();
  // 10 random bytes: a's 8 in little-endian order, then b's low 2.
  unsigned char bytes[kKeyBytes];
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<unsigned char>((a >> (i * 8)) & 0xff);
  bytes[8] = static_cast<unsigned char>(b & 0xff);
  bytes[9] = static_cast<unsigned char>((b >> 8) & 0xff);
  EncodeKey(bytes, out);
}

std::string NewRowKey() {
  std::string key(kRowKeyChars, '\0');
  NewRowKeyInto(key.data());
  return key;
}

std::string NestedRowKey(std::string_view parent_id, std::string_view table, uint64_t list_idx) {
  // "<parent_id>_<table>_<list_idx>", on the stack when it fits (one key per nested row).
  char stack[256];
  std::string heap;
  size_t size = parent_id.size() + table.size() + 22;
  char* p = stack;
  if (size > sizeof stack) {
    heap.resize(size);
    p = heap.data();
  }
  char* w = p;
  std::memcpy(w, parent_id.data(), parent_id.size());
  w += parent_id.size();
  *w++ = '_';
  std::memcpy(w, table.data(), table.size());
  w += table.size();
  *w++ = '_';
  w = std::to_chars(w, p + size, list_idx).ptr;
  const std::string digest = hash::Shake128(std::string_view(p, static_cast<size_t>(w - p)), kKeyBytes);
  std::string key(kRowKeyChars, '\0');
  EncodeKey(reinterpret_cast<const unsigned char*>(digest.data()), key.data());
  return key;
}

void NestedRowKeyBatch::Add(std::string_view parent_id, std::string_view table, uint64_t list_idx) {
  // "<parent_id>_<table>_<list_idx>", as NestedRowKey hashes it.
  text_.append(parent_id);
  text_ += '_';
  text_.append(table);
  text_ += '_';
  char digits[24];
  text_.append(digits, static_cast<size_t>(std::to_chars(digits, digits + sizeof digits, list_idx).ptr - digits));
  ends_.push_back(text_.size());
}

void NestedRowKeyBatch::Compute(std::vector<std::string>* keys) {
  const size_t n = ends_.size();
  views_.clear();
  for (size_t i = 0, begin = 0; i < n; begin = ends_[i++]) views_.emplace_back(text_.data() + begin, ends_[i] - begin);
  digests_.resize(n * kKeyBytes);
  hash::Shake128Batch(views_.data(), n, kKeyBytes, digests_.data());
  keys->resize(n);
  for (size_t i = 0; i < n; ++i) {
    std::string& key = (*keys)[i];
    key.resize(kRowKeyChars);
    EncodeKey(digests_.data() + i * kKeyBytes, key.data());
  }
  text_.clear();
  ends_.clear();
}

}  // namespace dlt
