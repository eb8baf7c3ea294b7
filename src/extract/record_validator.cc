// Records checked as JSON (extractor_impl.h): on a second thread while they are written
// (ParallelValidator), and the error for a record simdjson refused (InvalidJson).
#include "extract/extractor_impl.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>

namespace dlt::extract_internal {

namespace {

// The first integer literal of `json` that no 64-bit integer holds (simdjson rejects the
// document then), named with the object key it belongs to: "integer 18446744073709551616 of
// field `n`". nullopt when there is none (the parse error has another cause).
std::optional<std::string> FindOutOfRangeInteger(std::string_view json) {
  auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  std::string key;
  for (size_t i = 0; i < json.size();) {
    char c = json[i];
    if (c == '"') {
      size_t j = i + 1;
      while (j < json.size() && json[j] != '"') j += json[j] == '\\' ? 2 : 1;
      std::string_view str = json.substr(i + 1, std::min(j, json.size()) - i - 1);
      i = j + 1;
      size_t k = i;
      while (k < json.size() && (json[k] == ' ' || json[k] == '\t' || json[k] == '\n' || json[k] == '\r')) ++k;
      if (k < json.size() && json[k] == ':') key = std::string(str);
      continue;
    }
    if (c != '-' && !is_digit(c)) {
      ++i;
      continue;
    }
    size_t j = i + (c == '-' ? 1 : 0);
    while (j < json.size() && json[j] == '0' && j + 1 < json.size() && is_digit(json[j + 1])) ++j;
    size_t digits_begin = j;
    while (j < json.size() && is_digit(json[j])) ++j;
    std::string_view digits = json.substr(digits_begin, j - digits_begin);
    bool integer = !(j < json.size() && (json[j] == '.' || json[j] == 'e' || json[j] == 'E'));
    std::string_view token = json.substr(i, j - i);
    while (j < json.size() && (is_digit(json[j]) || json[j] == '.' || json[j] == 'e' || json[j] == 'E' ||
                               json[j] == '+' || json[j] == '-')) {
      ++j;
    }
    i = j;
    if (!integer) continue;
    std::string_view limit = c == '-' ? "9223372036854775808" : "18446744073709551615";
    if (digits.size() > limit.size() || (digits.size() == limit.size() && digits > limit)) {
      std::string out = "integer " + std::string(token);
      if (!key.empty()) out += " of field `" + key + "`";
      return out;
    }
  }
  return std::nullopt;
}

}  // namespace

// The error for a record simdjson refused.
Status InvalidJson(simdjson::error_code err, std::string_view json, const std::string& where) {
  if (err == simdjson::NUMBER_ERROR || err == simdjson::NUMBER_OUT_OF_RANGE) {
    if (auto bad = FindOutOfRangeInteger(json)) {
      // dlt fails here too (orjson: "Integer exceeds 64-bit range").
      return InvalidArgument(where + ": " + *bad +
                             " is outside the 64-bit integer range (-2^63 .. 2^64-1); quote it as a string");
    }
  }
  std::string what = simdjson::error_message(err);
  if (err == simdjson::NUMBER_ERROR || err == simdjson::NUMBER_OUT_OF_RANGE) what += " (a number out of the 64-bit range?)";
  return InvalidArgument(where + ": invalid JSON: " + what);
}

StatusOr<OutputChunk> ParallelValidator::Swap(OutputChunk chunk) {
  if (!chunk.where_ends.empty()) {
    chunk.text.append(simdjson::SIMDJSON_PADDING, '\0');
    std::unique_lock<std::mutex> lock(mu_);
    space_.wait(lock, [&] { return pending_.size() < kMaxPending || !error_.ok(); });
    if (!error_.ok()) return error_;
    pending_.push_back(std::move(chunk));
    lock.unlock();
    ready_.notify_one();
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (!error_.ok()) return error_;
  OutputChunk next;
  if (!free_.empty()) {
    next = std::move(free_.back());
    free_.pop_back();
  } else {
    next.text.reserve((1u << 20) + (64u << 10));
  }
  return next;
}

Status ParallelValidator::Finish() {
  if (thread_.joinable()) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
    }
    ready_.notify_all();
    thread_.join();
  }
  std::lock_guard<std::mutex> lock(mu_);
  return error_;
}

void ParallelValidator::Work() {
  dom::parser parser;
  for (;;) {
    OutputChunk chunk;
    {
      std::unique_lock<std::mutex> lock(mu_);
      ready_.wait(lock, [&] { return done_ || !pending_.empty(); });
      if (pending_.empty()) return;
      chunk = std::move(pending_.front());
      pending_.pop_front();
    }
    space_.notify_one();
    // The text ends with the padding: the bytes after any line are readable.
    const char* p = chunk.text.data();
    const char* end = p + chunk.text.size() - simdjson::SIMDJSON_PADDING;
    for (size_t i = 0; p < end; ++i) {
      const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)));
      size_t len = static_cast<size_t>((nl ? nl : end) - p);
      dom::element doc;
      if (auto err = parser.parse(p, len, false).get(doc)) {
        size_t w0 = i == 0 ? 0 : chunk.where_ends[i - 1];
        std::string where = i < chunk.where_ends.size() ? chunk.where.substr(w0, chunk.where_ends[i] - w0) : "?";
        Status s = InvalidJson(err, std::string_view(p, len), where);
        std::lock_guard<std::mutex> lock(mu_);
        error_ = s;
        pending_.clear();
        space_.notify_all();
        return;
      }
      p += len + 1;
    }
    chunk.Clear();
    std::lock_guard<std::mutex> lock(mu_);
    if (free_.size() < kMaxPending) free_.push_back(std::move(chunk));
  }
}

}  // namespace dlt::extract_internal
