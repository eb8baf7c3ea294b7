#include "normalize/naming.h"

#include <algorithm>
#include <cstdint>

#include "common/hash.h"

namespace dlt {

namespace {

constexpr uint32_t kInvalidCodePoint = 0xFFFFFFFF;

inline bool IsContinuation(unsigned char b) { return (b & 0xC0) == 0x80; }

// Decodes the code point starting at p[0] (n > 0 bytes available) and returns its length in
// bytes. Malformed input (bad lead byte, missing continuation, overlong form, surrogate, beyond
// U+10FFFF) yields kInvalidCodePoint with length 1, so every byte is consumed exactly once.
inline size_t DecodeUtf8(const unsigned char* p, size_t n, uint32_t* cp) {
  unsigned char b0 = p[0];
  if (b0 < 0x80) {
    *cp = b0;
    return 1;
  }
  *cp = kInvalidCodePoint;
  if (b0 < 0xC2) return 1;
  if (b0 < 0xE0) {
    if (n < 2 || !IsContinuation(p[1])) return 1;
    *cp = (uint32_t{b0 & 0x1Fu} << 6) | (p[1] & 0x3Fu);
    return 2;
  }
  if (b0 < 0xF0) {
    if (n < 3 || !IsContinuation(p[1]) || !IsContinuation(p[2])) return 1;
    if (b0 == 0xE0 && p[1] < 0xA0) return 1;   // overlong
    if (b0 == 0xED && p[1] >= 0xA0) return 1;  // surrogate
    *cp = (uint32_t{b0 & 0x0Fu} << 12) | (uint32_t{p[1] & 0x3Fu} << 6) | (p[2] & 0x3Fu);
    return 3;
  }
  if (b0 < 0xF5) {
    if (n < 4 || !IsContinuation(p[1]) || !IsContinuation(p[2]) || !IsContinuation(p[3])) return 1;
    if (b0 == 0xF0 && p[1] < 0x90) return 1;   // overlong
    if (b0 == 0xF4 && p[1] >= 0x90) return 1;  // beyond U+10FFFF
    *cp = (uint32_t{b0 & 0x07u} << 18) | (uint32_t{p[1] & 0x3Fu} << 12) |
          (uint32_t{p[2] & 0x3Fu} << 6) | (p[3] & 0x3Fu);
    return 4;
  }
  return 1;
}

// Unicode general category Nd (decimal digits), Unicode 14.0 as in Python 3.11, whose `\d` and
// str.isdecimal() match exactly these.
struct Range {
  uint32_t lo, hi;
};
constexpr Range kDecimalDigits[] = {
    {0x30, 0x39},       {0x660, 0x669},     {0x6F0, 0x6F9},     {0x7C0, 0x7C9},
    {0x966, 0x96F},     {0x9E6, 0x9EF},     {0xA66, 0xA6F},     {0xAE6, 0xAEF},
    {0xB66, 0xB6F},     {0xBE6, 0xBEF},     {0xC66, 0xC6F},     {0xCE6, 0xCEF},
    {0xD66, 0xD6F},     {0xDE6, 0xDEF},     {0xE50, 0xE59},     {0xED0, 0xED9},
    {0xF20, 0xF29},     {0x1040, 0x1049},   {0x1090, 0x1099},   {0x17E0, 0x17E9},
    {0x1810, 0x1819},   {0x1946, 0x194F},   {0x19D0, 0x19D9},   {0x1A80, 0x1A89},
    {0x1A90, 0x1A99},   {0x1B50, 0x1B59},   {0x1BB0, 0x1BB9},   {0x1C40, 0x1C49},
    {0x1C50, 0x1C59},   {0xA620, 0xA629},   {0xA8D0, 0xA8D9},   {0xA900, 0xA909},
    {0xA9D0, 0xA9D9},   {0xA9F0, 0xA9F9},   {0xAA50, 0xAA59},   {0xABF0, 0xABF9},
    {0xFF10, 0xFF19},   {0x104A0, 0x104A9}, {0x10D30, 0x10D39}, {0x11066, 0x1106F},
    {0x110F0, 0x110F9}, {0x11136, 0x1113F}, {0x111D0, 0x111D9}, {0x112F0, 0x112F9},
    {0x11450, 0x11459}, {0x114D0, 0x114D9}, {0x11650, 0x11659}, {0x116C0, 0x116C9},
    {0x11730, 0x11739}, {0x118E0, 0x118E9}, {0x11950, 0x11959}, {0x11C50, 0x11C59},
    {0x11D50, 0x11D59}, {0x11DA0, 0x11DA9}, {0x16A60, 0x16A69}, {0x16AC0, 0x16AC9},
    {0x16B50, 0x16B59}, {0x1D7CE, 0x1D7FF}, {0x1E140, 0x1E149}, {0x1E2F0, 0x1E2F9},
    {0x1E950, 0x1E959}, {0x1FBF0, 0x1FBF9},
};

bool IsDecimalDigit(uint32_t cp) {
  if (cp < 0x80) return cp >= '0' && cp <= '9';
  if (cp == kInvalidCodePoint) return false;
  auto it = std::upper_bound(std::begin(kDecimalDigits), std::end(kDecimalDigits), cp,
                             [](uint32_t v, const Range& r) { return v < r.lo; });
  if (it == std::begin(kDecimalDigits)) return false;
  --it;
  return cp <= it->hi;
}

// Python's str.isspace() / str.strip() white space.
bool IsPyWhitespace(uint32_t cp) {
  if (cp < 0x80) return (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x20);
  switch (cp) {
    case 0x85: case 0xA0: case 0x1680: case 0x2028: case 0x2029: case 0x202F: case 0x205F:
    case 0x3000:
      return true;
    default:
      return cp >= 0x2000 && cp <= 0x200A;
  }
}

// Python str.strip() without arguments.
std::string_view PyStrip(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t n = s.size();
  size_t begin = 0;
  while (begin < n) {
    uint32_t cp;
    size_t len = DecodeUtf8(p + begin, n - begin, &cp);
    if (!IsPyWhitespace(cp)) break;
    begin += len;
  }
  size_t end = begin;  // end of the last non-white-space character
  for (size_t i = begin; i < n;) {
    uint32_t cp;
    size_t len = DecodeUtf8(p + i, n - i, &cp);
    i += len;
    if (!IsPyWhitespace(cp)) end = i;
  }
  return s.substr(begin, end - begin);
}

inline bool IsBlank(std::string_view s) { return PyStrip(s).empty(); }

inline bool IsAsciiUpper(unsigned char c) { return c >= 'A' && c <= 'Z'; }
inline bool IsAsciiLower(unsigned char c) { return c >= 'a' && c <= 'z'; }
inline bool IsAsciiDigit(unsigned char c) { return c >= '0' && c <= '9'; }
inline bool IsAsciiAlpha(unsigned char c) { return IsAsciiUpper(c) || IsAsciiLower(c); }

// True when `s` is already a snake_case identifier that normalization leaves unchanged:
// only [a-z0-9_], no leading digit, no trailing `_`, no `__`.
bool IsAlreadyNormal(std::string_view s) {
  if (s.empty() || IsAsciiDigit(s[0]) || s.back() == '_') return false;
  char prev = 0;
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (!(IsAsciiLower(c) || IsAsciiDigit(c) || c == '_')) return false;
    if (c == '_' && prev == '_') return false;
    prev = ch;
  }
  return true;
}

// Byte offset of the `index`-th character (code points as CharLength counts them).
size_t ByteOffsetOfChar(std::string_view s, size_t index) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t i = 0;
  for (size_t k = 0; k < index && i < s.size(); ++k) {
    uint32_t cp;
    i += DecodeUtf8(p + i, s.size() - i, &cp);
  }
  return i;
}

}  // namespace

size_t SnakeCaseNaming::CharLength(std::string_view utf8) {
  const auto* p = reinterpret_cast<const unsigned char*>(utf8.data());
  size_t n = utf8.size();
  size_t count = 0;
  for (size_t i = 0; i < n; ++count) {
    if (p[i] < 0x80) {
      ++i;
      continue;
    }
    uint32_t cp;
    i += DecodeUtf8(p + i, n - i, &cp);
  }
  return count;
}

std::string SnakeCaseNaming::ComputeTag(std::string_view original) {
  // dlt: tag bytes = int(3 * log2(1 / 0.001) // 8 + 1) = 4
  std::string tag = hash::Base64Encode(hash::Shake128(original, 4), /*pad=*/false);
  for (char& c : tag) {
    if (c == '/') c = 'a';
    else if (c == '+') c = 'b';
    else if (IsAsciiUpper(static_cast<unsigned char>(c))) c = static_cast<char>(c - 'A' + 'a');
  }
  return tag;
}

std::string SnakeCaseNaming::ShortenIdentifier(std::string_view normalized,
                                               std::string_view original, size_t max_length) {
  if (max_length == 0) return std::string(normalized);
  // Cheap exit: a string never has more characters than bytes.
  if (normalized.size() <= max_length) return std::string(normalized);
  size_t chars = CharLength(normalized);
  if (chars <= max_length) return std::string(normalized);
  std::string tag = ComputeTag(original);
  if (max_length < tag.size()) return tag.substr(0, max_length);
  size_t remaining = max_length - tag.size();
  size_t head_chars = remaining / 2 + remaining % 2;
  size_t tail_chars = remaining / 2;
  size_t head_end = ByteOffsetOfChar(normalized, head_chars);
  size_t tail_begin = ByteOffsetOfChar(normalized, chars - tail_chars);
  std::string out;
  out.reserve(head_end + tag.size() + (normalized.size() - tail_begin));
  out.append(normalized.substr(0, head_end));
  out.append(tag);
  out.append(normalized.substr(tail_begin));
  return out;
}

std::string SnakeCaseNaming::NormalizeIdentifier(std::string_view identifier) const {
  std::string_view stripped = PyStrip(identifier);
  if (stripped.empty()) return std::string(kEmptyKey);
  return NormalizeStripped(stripped);
}

// dlt's direct convention: \n, \r, ', " and ▶ become `_`; nothing else changes.
static std::string DirectStripped(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\n' || c == '\r' || c == '\'' || c == '"') {
      out += '_';
    } else if (s.compare(i, SnakeCaseNaming::kDirectPathSeparator.size(), SnakeCaseNaming::kDirectPathSeparator) == 0) {
      out += '_';
      i += SnakeCaseNaming::kDirectPathSeparator.size() - 1;
    } else {
      out += c;
    }
  }
  return out;
}

// Runs of `_` collapse into one, in place (the conventions' RE_UNDERSCORES).
static void CollapseUnderscores(std::string* c) {
  size_t w = 0;
  for (size_t r = 0; r < c->size(); ++r) {
    if ((*c)[r] == '_' && w > 0 && (*c)[w - 1] == '_') continue;
    (*c)[w++] = (*c)[r];
  }
  c->resize(w);
}

// dlt's sql_cs_v1 (before shortening): runs of characters other than ASCII letters, decimal
// digits (Unicode Nd, Python's `\d`) and `_` become one `_`; a leading digit gets a `_` prefix;
// trailing `_` go unless the name is `_`; runs of `_` collapse. `lower` gives sql_ci_v1 (only
// ASCII letters are left to lower-case).
static std::string SqlStripped(std::string_view s, bool lower) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  std::string c;
  c.reserve(n + 1);
  bool in_run = false;
  for (size_t i = 0; i < n;) {
    uint32_t cp;
    size_t len = DecodeUtf8(p + i, n - i, &cp);
    bool keep = cp < 0x80 ? (IsAsciiAlpha(static_cast<unsigned char>(cp)) || IsAsciiDigit(static_cast<unsigned char>(cp)) || cp == '_')
                          : IsDecimalDigit(cp);
    if (keep) {
      c.append(s.substr(i, len));
      in_run = false;
    } else if (!in_run) {
      c += '_';
      in_run = true;
    }
    i += len;
  }
  if (!c.empty()) {
    uint32_t cp;
    DecodeUtf8(reinterpret_cast<const unsigned char*>(c.data()), c.size(), &cp);
    if (IsDecimalDigit(cp)) c.insert(c.begin(), '_');
  }
  if (c != "_") {
    while (!c.empty() && c.back() == '_') c.pop_back();
  }
  CollapseUnderscores(&c);
  if (lower) {
    for (char& ch : c) {
      if (IsAsciiUpper(static_cast<unsigned char>(ch))) ch = static_cast<char>(ch - 'A' + 'a');
    }
  }
  return c;
}

// dlt's duck_case (before shortening): `\n`, `\r` and `"` become `_`, runs of `_` collapse.
static std::string DuckCaseStripped(std::string_view s) {
  std::string c(s);
  for (char& ch : c) {
    if (ch == '\n' || ch == '\r' || ch == '"') ch = '_';
  }
  CollapseUnderscores(&c);
  return c;
}

namespace {
struct ConventionName {
  NamingConvention convention;
  std::string_view name;
};
constexpr ConventionName kConventionNames[] = {
    {NamingConvention::kSnakeCase, "snake_case"}, {NamingConvention::kDirect, "direct"},
    {NamingConvention::kSqlCsV1, "sql_cs_v1"},    {NamingConvention::kSqlCiV1, "sql_ci_v1"},
    {NamingConvention::kDuckCase, "duck_case"},
};
}  // namespace

std::optional<NamingConvention> ParseNamingConvention(std::string_view name) {
  constexpr std::string_view kModule = "dlt.common.normalizers.naming.";
  if (name.starts_with(kModule)) name.remove_prefix(kModule.size());
  for (const auto& c : kConventionNames) {
    if (c.name == name) return c.convention;
  }
  return std::nullopt;
}

std::string_view NamingConventionName(NamingConvention convention) {
  for (const auto& c : kConventionNames) {
    if (c.convention == convention) return c.name;
  }
  return "snake_case";
}

std::string NamingConventionNames() {
  std::string out;
  for (const auto& c : kConventionNames) {
    if (!out.empty()) out += ", ";
    out += "`" + std::string(c.name) + "`";
  }
  return out;
}

std::string SnakeCaseNaming::NormalizeStripped(std::string_view s) const {
  if (convention_ != NamingConvention::kSnakeCase) {
    std::string c = convention_ == NamingConvention::kDirect     ? DirectStripped(s)
                    : convention_ == NamingConvention::kDuckCase ? DuckCaseStripped(s)
                                                                 : SqlStripped(s, convention_ == NamingConvention::kSqlCiV1);
    if (max_length_ == 0 || CharLength(c) <= max_length_) return c;
    return ShortenIdentifier(c, s, max_length_);
  }
  if (IsAlreadyNormal(s) && (max_length_ == 0 || s.size() <= max_length_)) return std::string(s);

  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();

  // 1. Reduce the alphabet, then each run of characters other than ASCII letters, decimal digits
  //    and `_` becomes a single `_`.
  std::string a;
  a.reserve(n + 1);
  bool in_run = false;
  for (size_t i = 0; i < n;) {
    unsigned char c = p[i];
    if (c < 0x80) {
      switch (c) {
        case '+': c = 'x'; break;
        case '-': c = '_'; break;
        case '*': c = 'x'; break;
        case '@': c = 'a'; break;
        case '|': c = 'l'; break;
        default: break;
      }
      if (IsAsciiAlpha(c) || IsAsciiDigit(c) || c == '_') {
        a += static_cast<char>(c);
        in_run = false;
      } else if (!in_run) {
        a += '_';
        in_run = true;
      }
      ++i;
      continue;
    }
    uint32_t cp;
    size_t len = DecodeUtf8(p + i, n - i, &cp);
    if (IsDecimalDigit(cp)) {
      a.append(s.substr(i, len));
      in_run = false;
    } else if (!in_run) {
      a += '_';
      in_run = true;
    }
    i += len;
  }

  // 2. `([^_])([A-Z][a-z]+)` -> `\1_\2`, scanning left to right without overlaps. Working on
  //    bytes is exact: non-ASCII bytes left here belong to decimal digits, which are `[^_]`, and
  //    only the last byte of such a digit can be followed by an ASCII upper-case letter.
  std::string b;
  b.reserve(a.size() * 2);
  {
    const size_t m = a.size();
    size_t i = 0;
    while (i < m) {
      if (a[i] != '_' && i + 2 < m && IsAsciiUpper(a[i + 1]) && IsAsciiLower(a[i + 2])) {
        size_t end = i + 3;
        while (end < m && IsAsciiLower(a[end])) ++end;
        b += a[i];
        b += '_';
        b.append(a, i + 1, end - (i + 1));
        i = end;
      } else {
        b += a[i];
        ++i;
      }
    }
  }

  // 3. `([a-z0-9])([A-Z])` -> `\1_\2` (ASCII digits only), then lower case.
  std::string c;
  c.reserve(b.size() * 2 + 1);
  {
    const size_t m = b.size();
    size_t i = 0;
    while (i < m) {
      auto ch = static_cast<unsigned char>(b[i]);
      if ((IsAsciiLower(ch) || IsAsciiDigit(ch)) && i + 1 < m &&
          IsAsciiUpper(static_cast<unsigned char>(b[i + 1]))) {
        c += static_cast<char>(ch);
        c += '_';
        c += static_cast<char>(b[i + 1] - 'A' + 'a');
        i += 2;
      } else {
        c += IsAsciiUpper(ch) ? static_cast<char>(ch - 'A' + 'a') : static_cast<char>(ch);
        ++i;
      }
    }
  }

  // 4. A leading decimal digit gets a `_` prefix.
  if (!c.empty()) {
    uint32_t cp;
    DecodeUtf8(reinterpret_cast<const unsigned char*>(c.data()), c.size(), &cp);
    if (IsDecimalDigit(cp)) c.insert(c.begin(), '_');
  }

  // 5. Every trailing `_` becomes `x`.
  size_t trailing = 0;
  while (trailing < c.size() && c[c.size() - 1 - trailing] == '_') ++trailing;
  for (size_t k = 0; k < trailing; ++k) c[c.size() - 1 - k] = 'x';

  // 6. Runs of `_` collapse into one (in place).
  CollapseUnderscores(&c);

  // 7. Shorten, the tag computed from the stripped source name.
  if (max_length_ == 0 || c.size() <= max_length_) return c;
  return ShortenIdentifier(c, s, max_length_);
}

std::string SnakeCaseNaming::NormalizePath(std::string_view path) const {
  const std::string_view sep = path_separator();
  if (path.find(sep) == std::string_view::npos) {
    // One component: Python's final shortening of the joined path is a no-op because the
    // component is already within max_length.
    std::string_view stripped = PyStrip(path);
    if (stripped.empty()) return std::string();
    return NormalizeStripped(stripped);
  }
  std::string joined;
  size_t start = 0;
  for (;;) {
    size_t pos = path.find(sep, start);
    std::string_view part =
        path.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start);
    std::string_view stripped = PyStrip(part);
    if (!stripped.empty()) {
      if (!joined.empty()) joined += sep;
      joined += NormalizeStripped(stripped);
    }
    if (pos == std::string_view::npos) break;
    start = pos + sep.size();
  }
  return ShortenIdentifier(joined, path, max_length_);
}

std::string SnakeCaseNaming::NormalizeKey(std::string_view key) const {
  if (IsBlank(key)) return std::string(kEmptyKey);
  return NormalizePath(key);
}

std::string SnakeCaseNaming::MakePath(const std::vector<std::string>& normalized_parts) const {
  std::string joined;
  for (const auto& part : normalized_parts) {
    if (IsBlank(part)) continue;
    if (!joined.empty()) joined += path_separator();
    joined += part;
  }
  return ShortenIdentifier(joined, joined, max_length_);
}

}  // namespace dlt
