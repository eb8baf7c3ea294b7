// Shared by the json_reader_*_test.cc files (the streaming JSON record splitter): records as
// read, and reading from memory, from a file, and every way at once (through tiny buffers).
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include "extract/json_reader.h"
#include "support/temp_workspace.h"
#include "test_util.h"

namespace dlt::json_reader_test {

namespace fs = std::filesystem;
using testing::TempDir;
using testing::WriteFile;

struct Rec {
  std::string json;
  uint64_t line;
  bool operator==(const Rec&) const = default;
};

inline std::ostream& operator<<(std::ostream& os, const Rec& r) {
  return os << "{" << r.json << " @" << r.line << "}";
}

struct Result {
  std::vector<Rec> records;
  Status status;  // the error that stopped reading, if any
};

inline Result ReadAll(JsonRecordReader& reader) {
  Result res;
  RawRecord rec;
  for (;;) {
    StatusOr<bool> more = reader.Next(&rec);
    if (!more.ok()) {
      res.status = more.status();
      break;
    }
    if (!*more) break;
    EXPECT_EQ(rec.index, res.records.size());
    res.records.push_back({std::string(rec.json), rec.line});
  }
  return res;
}

inline Result ReadString(const std::string& data, JsonReaderOptions options = {}) {
  return ReadAll(*JsonRecordReader::FromString(data, "input.json", options));
}

inline Result ReadFileWith(const fs::path& path, JsonReaderOptions options) {
  auto reader = JsonRecordReader::Open(path, options);
  if (!reader.ok()) return {{}, reader.status()};
  return ReadAll(**reader);
}

// Reads `data` from memory and from a file with several tiny buffer sizes (so records and line
// endings span buffer boundaries) and checks that every way gives the same result.
inline Result ReadEveryWay(const std::string& data, JsonReaderOptions options = {}) {
  Result expected = ReadString(data, options);
  TempDir dir;
  fs::path file = dir.path() / "input.json";
  WriteFile(file, data);
  for (size_t buffer : {4, 5, 7, 16, 64, 1 << 20}) {
    JsonReaderOptions o = options;
    o.buffer_bytes = buffer;
    Result got = ReadFileWith(file, o);
    EXPECT_EQ(got.records, expected.records) << "buffer_bytes=" << buffer;
    EXPECT_EQ(got.status.code(), expected.status.code()) << "buffer_bytes=" << buffer;
    // The file reader names the file by its path, the string reader by "input.json".
    if (!expected.status.ok()) {
      std::string msg = got.status.message();
      auto at = msg.find(file.string());
      if (at != std::string::npos) msg.replace(at, file.string().size(), "input.json");
      EXPECT_EQ(msg, expected.status.message()) << "buffer_bytes=" << buffer;
    }
  }
  return expected;
}

}  // namespace dlt::json_reader_test
