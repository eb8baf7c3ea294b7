// Nested rows' `_dlt_id`: dlt's digest of "<parent _dlt_id>_<table>_<list index>" for every row
// the normalizer writes, whichever way the keys were computed (several at a time for a row's
// lists, kKeysAhead at a time for long lists and lists of lists: relational_walk.h), and
// NestedRowKeyBatch against NestedRowKey.
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "load/csv_job_reader.h"
#include "normalize/relational.h"
#include "normalize/schema.h"
#include "normalize_test_support.h"
#include "support/temp_workspace.h"

namespace dlt {
namespace {

using Row = std::map<std::string, std::optional<std::string>>;

// Every row of every table the record normalizes into, by table, from the job files.
std::map<std::string, std::vector<Row>> Normalize(const std::vector<std::string>& records, int max_nesting = 1000) {
  testing::TempDir dir;
  Schema schema("keys");
  std::map<std::string, std::vector<Row>> out;
  for (const JobFileInfo& f : testing::NormalizeRecords(dir.path(), schema, records, max_nesting)) {
    auto reader = CsvJobReader::Open(f.path, f.columns.size());
    EXPECT_TRUE(reader.ok()) << reader.status().message();
    if (!reader.ok()) continue;
    std::vector<CsvField> fields;
    for (;;) {
      auto more = (*reader)->Next(fields);
      EXPECT_TRUE(more.ok()) << more.status().message();
      if (!more.ok() || !*more) break;
      Row row;
      for (size_t i = 0; i < fields.size(); ++i) {
        row[f.columns[i]] = fields[i].null ? std::nullopt : std::optional<std::string>(std::string(fields[i].text));
      }
      out[f.table].push_back(std::move(row));
    }
  }
  return out;
}

// Checks every nested row's key against NestedRowKey of its parent key, table and index, that
// every parent key is a key of a row, and that no key repeats. Returns the nested rows checked.
size_t CheckKeys(const std::map<std::string, std::vector<Row>>& tables) {
  std::set<std::string> keys;
  for (const auto& [table, rows] : tables) {
    for (const Row& r : rows) {
      const std::string& id = *r.at("_dlt_id");
      EXPECT_TRUE(keys.insert(id).second) << "key " << id << " of " << table << " repeats";
    }
  }
  size_t nested = 0;
  for (const auto& [table, rows] : tables) {
    for (const Row& r : rows) {
      auto parent = r.find("_dlt_parent_id");
      if (parent == r.end()) continue;
      ++nested;
      const uint64_t idx = std::stoull(*r.at("_dlt_list_idx"));
      EXPECT_EQ(*r.at("_dlt_id"), NestedRowKey(*parent->second, table, idx)) << table << " item " << idx;
      EXPECT_TRUE(keys.count(*parent->second)) << table << " item " << idx << ": parent key not found";
    }
  }
  return nested;
}

std::string List(size_t n, const std::string& item_prefix, bool objects) {
  std::string s = "[";
  for (size_t i = 0; i < n; ++i) {
    if (i) s += ",";
    s += objects ? R"({"n":)" + std::to_string(i) + R"(,"tag":")" + item_prefix + std::to_string(i) + "\"}"
                 : "\"" + item_prefix + std::to_string(i) + "\"";
  }
  return s + "]";
}

TEST(NestedRowKeys, SeveralListsOfARowAndTheirOwnListsGetDltsKeys) {
  // Lists of 0-3 objects holding lists, two lists in one row, a list of scalars, objects in
  // objects: the keys of a row's lists are computed together, and each level again.
  const std::string record =
      R"({"id": 1, "commits": [{"sha": "a", "files": ["x", "y"]}, {"sha": "b", "files": []},
          {"sha": "c", "files": ["z"], "reviews": [{"by": "u", "notes": ["n1", "n2", "n3"]}]}],
          "labels": ["bug", "ui"], "empty": [], "payload": {"pages": [{"p": 1}, {"p": 2}]}})";
  auto tables = Normalize({record, record, R"({"id": 2, "labels": ["one"]})"});
  EXPECT_EQ(tables["t"].size(), 3u);
  EXPECT_EQ(tables["t__commits"].size(), 6u);
  EXPECT_EQ(tables["t__commits__files"].size(), 6u);
  EXPECT_EQ(tables["t__commits__reviews__notes"].size(), 6u);
  EXPECT_EQ(tables["t__labels"].size(), 5u);
  EXPECT_EQ(tables["t__payload__pages"].size(), 4u);
  EXPECT_EQ(CheckKeys(tables), 6u + 6u + 2u + 6u + 5u + 4u);
}

TEST(NestedRowKeys, LongListsAcrossTheKeysComputedAheadGetDltsKeys) {
  // A row whose lists hold more items than are keyed ahead at once (kKeysAhead = 256): each
  // list then computes its own keys in parts; 255, 256 and 257 around the limit, and 1000.
  for (size_t n : {255u, 256u, 257u, 513u, 1000u}) {
    const std::string record = R"({"id": 1, "a": )" + List(n, "a", true) + R"(, "b": )" + List(3, "b", false) + "}";
    auto tables = Normalize({record});
    ASSERT_EQ(tables["t__a"].size(), n);
    ASSERT_EQ(tables["t__b"].size(), 3u);
    EXPECT_EQ(CheckKeys(tables), n + 3) << n << " items";
  }
  // Lists of exactly 256 items in all are keyed ahead together; 128 and 129 are not.
  for (size_t second : {128u, 129u}) {
    auto tables = Normalize({R"({"a": )" + List(128, "a", false) + R"(, "b": )" + List(second, "b", false) + "}"});
    EXPECT_EQ(CheckKeys(tables), 128u + second);
  }
  // A long list of objects that have lists of their own: the long list keys its items itself
  // while each item keys its own lists ahead, at the same level.
  std::string items = "[";
  for (size_t i = 0; i < 300; ++i) items += std::string(i ? "," : "") + R"({"x": [1, 2], "y": [{"z": [3]}]})";
  auto tables = Normalize({R"({"a": )" + items + "]}"});
  EXPECT_EQ(tables["t__a"].size(), 300u);
  EXPECT_EQ(tables["t__a__x"].size(), 600u);
  EXPECT_EQ(tables["t__a__y__z"].size(), 300u);
  EXPECT_EQ(CheckKeys(tables), 300u + 600u + 300u + 300u);
}

TEST(NestedRowKeys, ListsOfListsGetDltsKeysAtEveryLevel) {
  // A list in a list is a row of <table>__list wrapping it, its items one level down.
  std::string deep = "[[1, 2], [3], [], [[4, 5], [6]]]";
  std::string long_inner = "[" + List(300, "v", false) + ", [1]]";
  // Lists in lists whose items are objects with lists of their own.
  std::string objects = R"([[{"k": [1, 2], "o": [{"p": [7]}]}, {"k": [3]}], [{"k": []}]])";
  auto tables = Normalize({R"({"id": 1, "m": )" + deep + "}", R"({"id": 2, "m": )" + long_inner + "}",
                           R"({"id": 3, "m": )" + objects + "}"});
  EXPECT_FALSE(tables["t__m"].empty());
  EXPECT_EQ(tables["t__m__list"].size(), 2u + 1u + 0u + 2u + 300u + 1u + 3u);
  EXPECT_EQ(tables["t__m__list__k"].size(), 3u);
  EXPECT_EQ(tables["t__m__list__o__p"].size(), 1u);
  size_t nested = 0;
  for (const auto& [name, rows] : tables) nested += name == "t" ? 0 : rows.size();
  EXPECT_EQ(CheckKeys(tables), nested);
}

TEST(NestedRowKeys, TheBatchGivesEachRowItsNestedRowKey) {
  NestedRowKeyBatch batch;
  std::vector<std::string> keys = {"stale"};
  batch.Compute(&keys);
  EXPECT_TRUE(keys.empty());
  // Parent keys of the usual 14 characters and longer ones (a message past one hash block).
  const std::string long_parent(200, 'p');
  for (size_t n : {1u, 2u, 7u, 8u, 9u, 17u, 100u}) {
    for (size_t i = 0; i < n; ++i) batch.Add(i % 5 == 4 ? long_parent : "Ab+/Cd0123XyZw", "t__items", i * 3);
    EXPECT_EQ(batch.size(), n);
    batch.Compute(&keys);
    EXPECT_EQ(batch.size(), 0u);
    ASSERT_EQ(keys.size(), n);
    for (size_t i = 0; i < n; ++i) {
      EXPECT_EQ(keys[i], NestedRowKey(i % 5 == 4 ? long_parent : "Ab+/Cd0123XyZw", "t__items", i * 3)) << i << " of " << n;
    }
  }
}

}  // namespace
}  // namespace dlt
