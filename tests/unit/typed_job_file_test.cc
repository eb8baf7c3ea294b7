// Typed job files (normalize/typed_job_file.h): the canonical cells of a typed batch, batches
// written and read back exactly (every integer width, text length, old formats), damaged files
// refused naming the file, and the package manifest's job kinds.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "destinations/duckdb/duckdb_api.h"
#include "dlt/pipeline.h"
#include "dlt/workspace.h"
#include "extract/resource_access.h"
#include "normalize/typed_batch.h"
#include "normalize/typed_job_file.h"
#include "pipeline/package_manifest.h"
#include "support/temp_workspace.h"
#include "test_util.h"
#include "typed_test_support.h"

namespace dlt {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using namespace typed_test;

TEST(TypedBatchCells, CanonicalCellsAreWhatTheLoadJobsHold) {
  EXPECT_EQ(TimestampCell(1717243200123456), "2024-06-01T12:00:00.123456+00:00");
  EXPECT_EQ(TimestampCell(-1), "1969-12-31T23:59:59.999999+00:00");
  EXPECT_EQ(DateCell(19875), "2024-06-01");
  EXPECT_EQ(DateCell(0), "1970-01-01");
  EXPECT_EQ(DateCell(-719162), "0001-01-01");
  EXPECT_EQ(DateCell(2932896), "9999-12-31");
  EXPECT_EQ(TimeCell(3600LL * 1000000), "01:00:00");
  // PostgreSQL's bytea hex form, which DuckDB's loader decodes too (from_hex).
  EXPECT_EQ(BinaryCell(std::string("a\\\x00", 3)), "\\x615c00");
}

TEST(TypedBatchCells, TextCellsKeepTheirBytesThroughKeepBulkAppendsAndClear) {
  TextCells t;
  t.push_back("alpha");
  t.push_empty();
  t.push_back(std::string(40, 'x'));  // past a std::string's inline buffer
  t.push_back("d");
  ASSERT_EQ(t.size(), 4u);
  EXPECT_EQ(t[0], "alpha");
  EXPECT_EQ(t[1], "");
  EXPECT_EQ(t[2], std::string(40, 'x'));
  EXPECT_EQ(t.bytes(), "alpha" + std::string(40, 'x') + "d");
  t.Keep({0, 1, 1, 0});  // the first and last go, the empty one stays
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[0], "");
  EXPECT_EQ(t[1], std::string(40, 'x'));
  EXPECT_EQ(t.bytes().size(), 40u);
  const int64_t lengths[] = {2, 0, 3};
  std::memcpy(t.AppendUninitialized(lengths, 3, 5), "hiyou", 5);
  ASSERT_EQ(t.size(), 5u);
  EXPECT_EQ(t[2], "hi");
  EXPECT_EQ(t[3], "");
  EXPECT_EQ(t[4], "you");
  t.clear();
  EXPECT_TRUE(t.empty());
  t.assign(3, "load");
  EXPECT_EQ(t.size(), 3u);
  EXPECT_EQ(t[2], "load");
  EXPECT_EQ(t.bytes(), "loadloadload");
  // A batch filtered by KeepRows keeps each text column's cells with its rows.
  TypedBatch b = Orders({{1, "new"}, {2, "shipped"}, {3, "a status longer than sixteen bytes"}});
  b.KeepRows({1, 0, 1});
  ASSERT_EQ(b.rows(), 2u);
  EXPECT_EQ(b.RowJson(1), R"({"id":3,"status":"a status longer than sixteen bytes","amount":"3.50"})");
}

TEST(TypedJobFile, BatchesReadBackAsTheyWereWritten) {
  testing::TempDir tmp;
  fs::path f = tmp.path() / "t.001_00000.0.typed";
  auto w = TypedJobWriter::Create(f);
  ASSERT_TRUE(w.ok()) << w.status().message();
  TypedBatch b = EveryType();
  ASSERT_TRUE((*w)->Write(b).ok());
  ASSERT_TRUE((*w)->Write(Orders({{7, "new"}})).ok());
  ASSERT_TRUE((*w)->Finish().ok());
  auto r = TypedJobReader::Open(f);
  ASSERT_TRUE(r.ok()) << r.status().message();
  TypedBatch got;
  ASSERT_TRUE(*(*r)->Next(&got));
  ASSERT_EQ(got.rows(), 2u);
  ASSERT_EQ(got.columns().size(), 10u);
  EXPECT_EQ(got.columns()[2].precision, 38);
  std::string cell;
  for (size_t c = 0; c < 10; ++c) {
    std::string want;
    b.CellText(c, 0, &want);
    got.CellText(c, 0, &cell);
    EXPECT_EQ(cell, want) << got.columns()[c].name;
    EXPECT_TRUE(c == 0 || got.IsNull(c, 1));
  }
  ASSERT_TRUE(*(*r)->Next(&got));
  EXPECT_EQ(got.RowJson(0), R"({"id":7,"status":"new","amount":"7.50"})");
  EXPECT_FALSE(*(*r)->Next(&got));
}

TEST(TypedJobFile, ATruncatedFileIsRefusedNamingIt) {
  testing::TempDir tmp;
  fs::path f = tmp.path() / "t.001_00000.0.typed";
  auto w = TypedJobWriter::Create(f);
  ASSERT_TRUE((*w)->Write(Orders({{1, "a"}, {2, "b"}})).ok());
  ASSERT_TRUE((*w)->Finish().ok());
  fs::resize_file(f, fs::file_size(f) - 12);
  auto r = TypedJobReader::Open(f);
  ASSERT_TRUE(r.ok());
  TypedBatch got;
  StatusOr<bool> next = (*r)->Next(&got);
  while (next.ok() && *next) next = (*r)->Next(&got);
  ASSERT_FALSE(next.ok());
  EXPECT_NE(next.status().message().find(f.string()), std::string::npos) << next.status().message();
  EXPECT_NE(next.status().message().find("corrupt"), std::string::npos) << next.status().message();
}

TEST(TypedJobFile, AFileOfTheFormatBeforeIntegerTimestampsIsRefusedSayingSo) {
  testing::TempDir tmp;
  fs::path f = tmp.path() / "t.001_00000.0.typed";
  {
    std::ofstream out(f, std::ios::binary);
    out << "DLTTYP01B";  // format 01 held timestamps, dates and times as text
  }
  auto r = TypedJobReader::Open(f, "Delete the package with `dlt pipeline <name> drop-pending-packages`.");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("older version of dlt (typed job format 01, this version reads 04)"),
            std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find(f.string()), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("drop-pending-packages"), std::string::npos) << r.status().message();
}

TEST(TypedJobFile, IntegersAndTextLengthsOfEveryWidthReadBackExactly) {
  // Each batch column is written in the narrowest width its values need: 1, 2, 4 or 8 bytes for
  // integers (signed), 1, 2 or 4 for text lengths.
  testing::TempDir tmp;
  fs::path f = tmp.path() / "t.001_00000.0.typed";
  const std::vector<std::vector<int64_t>> ints = {
      {0, 1, -1, 127, -128},
      {128, -129, 32767, -32768},
      {32768, -32769, 2147483647, -2147483647 - 1},
      {2147483648LL, -2147483649LL, std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min()}};
  const std::vector<std::string> texts = {"", "x", std::string(255, 'a'), std::string(256, 'b'),
                                          std::string(65536, 'c')};
  {
    auto w = TypedJobWriter::Create(f);
    ASSERT_TRUE(w.ok()) << w.status().message();
    for (const auto& values : ints) {
      TypedBatch b({Col("n", DataType::kBigint), Col("at", DataType::kTimestamp)});
      for (int64_t v : values) b.AppendInt(0, v), b.AppendInt(1, v);
      ASSERT_TRUE((*w)->Write(b).ok());
    }
    for (size_t k = 1; k <= texts.size(); ++k) {
      TypedBatch b({Col("s", DataType::kText)});
      for (size_t i = 0; i < k; ++i) b.AppendText(0, texts[i]);
      ASSERT_TRUE((*w)->Write(b).ok());
    }
    ASSERT_TRUE((*w)->Finish().ok());
  }
  auto r = TypedJobReader::Open(f);
  ASSERT_TRUE(r.ok()) << r.status().message();
  TypedBatch got;
  for (const auto& values : ints) {
    ASSERT_TRUE(*(*r)->Next(&got));
    ASSERT_EQ(got.rows(), values.size());
    for (size_t i = 0; i < values.size(); ++i) {
      EXPECT_EQ(got.vector(0).ints[i], values[i]);
      EXPECT_EQ(got.vector(1).ints[i], values[i]);
    }
  }
  for (size_t k = 1; k <= texts.size(); ++k) {
    ASSERT_TRUE(*(*r)->Next(&got));
    ASSERT_EQ(got.rows(), k);
    for (size_t i = 0; i < k; ++i) EXPECT_EQ(got.vector(0).texts[i], texts[i]) << k << " " << i;
  }
  EXPECT_FALSE(*(*r)->Next(&got));
  auto skim = SkimTypedJobFile(f);
  ASSERT_TRUE(skim.ok()) << skim.status().message();
  EXPECT_FALSE(skim->uniform);
  EXPECT_EQ(skim->rows, 5u + 4u + 4u + 4u + 1u + 2u + 3u + 4u + 5u);
}

TEST(TypedJobFile, AFileOfFormat02WithNullFlagsInEveryColumnIsStillRead) {
  // A package extracted by the version before the null flags were left out of columns without
  // NULL: format 02 held them for every column.
  testing::TempDir tmp;
  fs::path f = tmp.path() / "t.001_00000.0.typed";
  {
    const std::string header = R"({"columns":[{"name":"id","data_type":"bigint","nullable":true,"timezone":true},)"
                               R"({"name":"s","data_type":"text","nullable":true,"timezone":true}]})";
    std::string bytes = "DLTTYP02B";
    auto put = [&](const void* p, size_t n) { bytes.append(static_cast<const char*>(p), n); };
    const uint32_t len = static_cast<uint32_t>(header.size());
    const uint64_t rows = 2;
    const int64_t ids[2] = {5, 6};
    const uint32_t lengths[2] = {2, 0};
    put(&len, 4);
    bytes += header;
    put(&rows, 8);
    bytes += std::string("\0\0", 2);  // id: no NULL
    put(ids, 16);
    bytes += std::string("\0\1", 2);  // s: NULL in the second row
    put(lengths, 8);
    bytes += "ab";
    bytes += "E";
    put(&rows, 8);
    std::ofstream(f, std::ios::binary) << bytes;
  }
  auto r = TypedJobReader::Open(f);
  ASSERT_TRUE(r.ok()) << r.status().message();
  TypedBatch got;
  auto more = (*r)->Next(&got);
  ASSERT_TRUE(more.ok()) << more.status().message();
  ASSERT_TRUE(*more);
  EXPECT_EQ(got.RowJson(0), R"({"id":5,"s":"ab"})");
  EXPECT_EQ(got.RowJson(1), R"({"id":6,"s":null})");
  more = (*r)->Next(&got);
  ASSERT_TRUE(more.ok()) << more.status().message();
  EXPECT_FALSE(*more);
}

TEST(TypedJobFile, ASkimFindsTheColumnsRowsFirstNullsAndNonFiniteDoublesOfEveryBatch) {
  testing::TempDir tmp;
  fs::path f = tmp.path() / "t.001_00000.0.typed";
  auto batch = [](std::vector<std::optional<double>> values) {
    TypedBatch b({Col("id", DataType::kBigint), Col("score", DataType::kDouble), Col("note", DataType::kText)});
    for (size_t i = 0; i < values.size(); ++i) {
      b.AppendInt(0, static_cast<int64_t>(i));
      if (values[i]) b.AppendDouble(1, *values[i]);
      else b.AppendNull(1);
      b.AppendText(2, "n" + std::to_string(i));
    }
    return b;
  };
  {
    auto w = TypedJobWriter::Create(f);
    ASSERT_TRUE(w.ok()) << w.status().message();
    ASSERT_TRUE((*w)->Write(batch({1.0, 2.0, 3.0})).ok());
    ASSERT_TRUE((*w)->Write(batch({4.0, std::nullopt, std::numeric_limits<double>::infinity()})).ok());
    ASSERT_TRUE((*w)->Finish().ok());
  }
  auto skim = SkimTypedJobFile(f);
  ASSERT_TRUE(skim.ok()) << skim.status().message();
  EXPECT_TRUE(skim->uniform);
  EXPECT_EQ(skim->rows, 6u);
  EXPECT_EQ(skim->batches, 2u);
  ASSERT_EQ(skim->columns.size(), 3u);
  EXPECT_FALSE(skim->first_null[0]);
  EXPECT_EQ(skim->first_null[1], 4u);  // the second batch's second row
  EXPECT_FALSE(skim->first_null[2]);
  EXPECT_EQ(skim->first_non_finite[1], 5u);
  // The rows read back as written, NULLs where they were.
  auto r = TypedJobReader::Open(f);
  ASSERT_TRUE(r.ok());
  TypedBatch got;
  ASSERT_TRUE(*(*r)->Next(&got));
  EXPECT_FALSE(got.IsNull(1, 1));
  ASSERT_TRUE(*(*r)->Next(&got));
  EXPECT_TRUE(got.IsNull(1, 1));
  EXPECT_FALSE(got.IsNull(1, 0));
  // A batch with other columns makes the file not uniform.
  fs::path g = tmp.path() / "u.001_00000.0.typed";
  {
    auto w = TypedJobWriter::Create(g);
    ASSERT_TRUE((*w)->Write(batch({1.0})).ok());
    ASSERT_TRUE((*w)->Write(Orders({{1, "a"}})).ok());
    ASSERT_TRUE((*w)->Finish().ok());
  }
  auto mixed = SkimTypedJobFile(g);
  ASSERT_TRUE(mixed.ok()) << mixed.status().message();
  EXPECT_FALSE(mixed->uniform);
  EXPECT_EQ(mixed->rows, 2u);
}

TEST(PackageManifest, APackageWithoutJobKindsHoldsJsonJobsAndAnUnknownKindIsAnError) {
  EXPECT_EQ(*JobKindOf(nlohmann::ordered_json::object(), "a.001_00000.0.jsonl"), "json");
  nlohmann::ordered_json ps = {{"job_kinds", {{"a.001_00000.0.typed", "typed"}, {"b.002_00000.0.x", "csv"}}}};
  EXPECT_EQ(*JobKindOf(ps, "a.001_00000.0.typed"), "typed");
  auto bad = JobKindOf(ps, "b.002_00000.0.x");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("b.002_00000.0.x"), std::string::npos);
}

}  // namespace
}  // namespace dlt
