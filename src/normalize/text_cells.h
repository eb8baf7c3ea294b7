// The text cells of one typed column (normalize/typed_batch.h), stored back to back in one
// buffer with each cell's end offset: a cell costs its bytes and 8 bytes, not a std::string
// each (an allocation per cell longer than 15 bytes, and a free when the batch is cleared), and a
// whole column is written to or read from a typed job file in one copy.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace dlt {

class TextCells {
 public:
  size_t size() const { return ends_.size(); }
  bool empty() const { return ends_.empty(); }
  std::string_view operator[](size_t i) const {
    const size_t begin = i ? ends_[i - 1] : 0;
    return std::string_view(bytes_.data() + begin, ends_[i] - begin);
  }
  // Every cell's bytes, back to back (cell i from ends[i-1] to ends[i]).
  std::string_view bytes() const { return bytes_; }

  void push_back(std::string_view cell) {
    bytes_.append(cell);
    ends_.push_back(bytes_.size());
  }
  void push_empty() { ends_.push_back(bytes_.size()); }
  void clear() {
    bytes_.clear();
    ends_.clear();
  }
  void reserve(size_t cells) { ends_.reserve(cells); }
  // `n` copies of `cell`, replacing what was there.
  void assign(size_t n, std::string_view cell) {
    clear();
    bytes_.reserve(n * cell.size());
    ends_.reserve(n);
    for (size_t i = 0; i < n; ++i) push_back(cell);
  }
  // Keeps the cells whose `keep` flag is set, in order (`keep` has one flag per cell).
  void Keep(const std::vector<uint8_t>& keep) {
    size_t out_cells = 0, out_bytes = 0, begin = 0;
    for (size_t i = 0; i < ends_.size(); ++i) {
      const size_t end = ends_[i];
      if (keep[i]) {
        if (out_bytes != begin) std::memmove(&bytes_[out_bytes], bytes_.data() + begin, end - begin);
        out_bytes += end - begin;
        ends_[out_cells++] = out_bytes;
      }
      begin = end;
    }
    ends_.resize(out_cells);
    bytes_.resize(out_bytes);
  }
  // Appends `count` cells whose lengths are `lengths` and whose bytes, `total` in all, the caller
  // writes at the returned address before anything else changes these cells.
  char* AppendUninitialized(const int64_t* lengths, size_t count, size_t total) {
    const size_t at = bytes_.size();
    bytes_.resize(at + total);
    ends_.reserve(ends_.size() + count);
    size_t end = at;
    for (size_t i = 0; i < count; ++i) {
      end += static_cast<size_t>(lengths[i]);
      ends_.push_back(end);
    }
    return bytes_.data() + at;
  }

 private:
  std::string bytes_;
  std::vector<size_t> ends_;
};

}  // namespace dlt
