#include "normalize/typed_json_markers.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

#include "common/hash.h"
#include "common/iso8601.h"
#include "common/typed_json.h"
#include "normalize/typed_batch.h"

namespace dlt {

namespace {

using K = ScalarValue::Kind;
using typed_json::Marker;

bool Digits(std::string_view s, size_t pos, size_t n) {
  if (pos + n > s.size()) return false;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

int Two(std::string_view s, size_t pos) { return (s[pos] - '0') * 10 + (s[pos + 1] - '0'); }

// What time.isoformat() writes: "HH:MM[:SS[.ffffff]]" (no offset: a time column has none).
bool IsIsoTime(std::string_view s) {
  // A UTC offset after the time of day, as Python's isoformat writes it (+HH:MM[:SS[.ffffff]]),
  // or "Z": time.fromisoformat takes both (the time is then shifted to UTC, UtcTimeOfDay).
  if (s.size() > 5 && s.back() == 'Z') {
    s.remove_suffix(1);
  } else if (size_t at = s.find_first_of("+-"); at != std::string_view::npos) {
    std::string_view off = s.substr(at + 1);
    if (off.size() < 5 || !IsIsoTime(off)) return false;
    s = s.substr(0, at);
  }
  if (!Digits(s, 0, 2) || s.size() < 5 || s[2] != ':' || !Digits(s, 3, 2)) return false;
  if (Two(s, 0) > 23 || Two(s, 3) > 59) return false;
  if (s.size() == 5) return true;
  if (s[5] != ':' || !Digits(s, 6, 2) || Two(s, 6) > 59) return false;
  if (s.size() == 8) return true;
  if (s[8] != '.' || s.size() < 10 || s.size() > 15) return false;
  return Digits(s, 9, s.size() - 9);
}

// What date.fromisoformat() takes as dlt writes it: "YYYY-MM-DD", a real day.
bool IsIsoDate(std::string_view s) {
  if (s.size() != 10 || !Digits(s, 0, 4) || s[4] != '-' || !Digits(s, 5, 2) || s[7] != '-' || !Digits(s, 8, 2)) {
    return false;
  }
  auto p = iso8601::ParseIsoLike(s);
  return p && p->kind == iso8601::Parsed::Kind::kDate && p->year >= 1;
}

bool IsDateTime(std::string_view s) {
  auto p = iso8601::ParseIsoLike(s);
  return p && p->kind == iso8601::Parsed::Kind::kDateTime && iso8601::UtcInstant(*p);
}

std::optional<std::string> DecodeBytes(const ScalarValue& v) {
  if (v.hex) return typed_json::DecodeHex(v.s);
  auto b = hash::Base64Decode(v.s);
  if (!b.ok()) return std::nullopt;
  return std::move(b).value();
}

std::string DoubleText(double d) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, d);
  return std::string(buf, r.ptr);
}

std::optional<std::string> AsString(std::string_view s, DataType to) {
  ScalarValue str;
  str.kind = K::kString;
  str.s = s;
  return CoerceToText(str, to);
}

}  // namespace

void ReadMarkedString(std::string_view s, ScalarValue* out) {
  out->kind = K::kString;
  out->s = s;
  out->hex = false;
  Marker m = typed_json::MarkerOf(s);
  if (m == Marker::kNone) return;
  std::string_view text = s.substr(3);
  K kind = K::kString;
  switch (m) {
    case Marker::kDecimal:
    case Marker::kWei:
      if (typed_json::IsDecimalText(text)) kind = m == Marker::kWei ? K::kWei : K::kDecimal;
      break;
    case Marker::kDateTime:
      if (IsDateTime(text)) kind = K::kTimestamp;
      break;
    case Marker::kDate:
      if (IsIsoDate(text)) kind = K::kDate;
      break;
    case Marker::kTime:
      if (IsIsoTime(text)) kind = K::kTime;
      break;
    case Marker::kUuid:
      // dlt decodes a UUID and stores its text.
      out->s = text;
      return;
    case Marker::kHexBytes:
    case Marker::kBase64Bytes: {
      ScalarValue b;
      b.s = text;
      b.hex = m == Marker::kHexBytes;
      if (DecodeBytes(b)) {
        kind = K::kBinary;
        out->hex = b.hex;
      }
      break;
    }
    case Marker::kNone: return;
  }
  if (kind == K::kString) return;  // does not decode: the marked string as it is, as in dlt
  out->kind = kind;
  out->s = text;
}

std::optional<std::string> CoerceTypedToText(const ScalarValue& v, DataType to) {
  // Every typed value becomes text as its own text (dlt: str() / isoformat() / base64 / hex).
  if (to == DataType::kText) return std::string(v.s);
  switch (v.kind) {
    case K::kDecimal:
    case K::kWei:
      switch (to) {
        case DataType::kDecimal:
        case DataType::kWei: return std::string(v.s);
        case DataType::kBigint: return typed_json::DecimalToInt64Text(v.s);
        case DataType::kDouble: return DoubleText(std::strtod(std::string(v.s).c_str(), nullptr));
        case DataType::kBool: return std::string(typed_json::CompareDecimal(v.s, "0") != 0 ? "true" : "false");
        default: return std::nullopt;
      }
    case K::kTimestamp:
      if (to == DataType::kTimestamp || to == DataType::kDate) return AsString(v.s, to);
      return std::nullopt;
    case K::kDate:
      if (to == DataType::kDate) return std::string(v.s);
      if (to == DataType::kTimestamp) return AsString(v.s, to);  // midnight UTC
      return std::nullopt;
    case K::kTime:
      // A Python time's isoformat: "HH:MM" gets its seconds (not every destination reads it
      // without), one with an offset is shifted to UTC and made naive, as dlt's
      // ensure_pendulum_time does.
      if (to == DataType::kTime) {
        if (auto t = UtcTimeOfDay(v.s)) return t;
        return v.s.size() == 5 ? std::string(v.s) + ":00" : std::string(v.s);
      }
      return std::nullopt;
    case K::kBinary:
      if (to == DataType::kBinary) {
        if (auto bytes = DecodeBytes(v)) return BinaryCell(*bytes);
      }
      return std::nullopt;
    default: return std::nullopt;
  }
}

std::optional<std::string> TextToBinaryCell(std::string_view s) {
  if (s.size() >= 2 && s[0] == '0' && s[1] == 'x') {
    if (s.size() % 2) return std::nullopt;  // bytes.fromhex wants whole bytes
    auto bytes = typed_json::DecodeHex(s);
    if (!bytes) return std::nullopt;
    return BinaryCell(*bytes);
  }
  if (s.size() % 4) return std::nullopt;  // b64decode(validate=True) wants the padding
  auto bytes = hash::Base64Decode(s);
  if (!bytes.ok()) return std::nullopt;
  return BinaryCell(*bytes);
}

}  // namespace dlt
