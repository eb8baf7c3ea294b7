// GlobMatch and ExpandGlob (the input files of a resource): wildcards within a segment, `**` for
// any depth, literal and absolute patterns, and no match as a not-found error.
#include "extract/json_reader.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "support/temp_workspace.h"
#include "test_util.h"

namespace dlt {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;
using testing::WriteFile;

// ---------------------------------------------------------------------------------------------
// Globs

TEST(GlobMatch, Wildcards) {
  EXPECT_TRUE(GlobMatch("*.jsonl", "a.jsonl"));
  EXPECT_TRUE(GlobMatch("*", "anything"));
  EXPECT_TRUE(GlobMatch("*", ""));
  EXPECT_FALSE(GlobMatch("*.jsonl", "a.json"));
  EXPECT_TRUE(GlobMatch("a*b*c", "aXXbYYc"));
  EXPECT_FALSE(GlobMatch("a*b*c", "aXXbYY"));
  EXPECT_TRUE(GlobMatch("?.json", "x.json"));
  EXPECT_FALSE(GlobMatch("?.json", "xy.json"));
  EXPECT_TRUE(GlobMatch("part[0-9].csv", "part7.csv"));
  EXPECT_FALSE(GlobMatch("part[0-9].csv", "partx.csv"));
  EXPECT_TRUE(GlobMatch("[abc]x", "bx"));
  EXPECT_FALSE(GlobMatch("[!abc]x", "bx"));
  EXPECT_TRUE(GlobMatch("[!abc]x", "dx"));
  EXPECT_TRUE(GlobMatch("[]]", "]"));
  EXPECT_TRUE(GlobMatch("a[b", "a[b"));  // unclosed class: literal '['
  EXPECT_TRUE(GlobMatch("exact", "exact"));
  EXPECT_FALSE(GlobMatch("exact", "exactly"));
}

class Glob : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* f : {"a.jsonl", "b.jsonl", "c.json", "x1.csv", "x2.csv", "x10.csv", ".hidden.jsonl",
                          "sub/d.jsonl", "sub/deep/e.jsonl", "sub/deep/f.txt", ".git/g.jsonl"}) {
      WriteFile(dir_.path() / f, "{}\n");
    }
    fs::create_directories(dir_.path() / "folder.jsonl");  // a folder that matches *.jsonl
  }

  std::vector<std::string> Expand(std::string_view pattern) {
    auto r = ExpandGlob(pattern, dir_.path());
    EXPECT_TRUE(r.ok()) << r.status().message();
    std::vector<std::string> rel;
    if (r.ok()) {
      for (const fs::path& p : *r) rel.push_back(p.lexically_relative(dir_.path()).string());
    }
    return rel;
  }

  TempDir dir_;
};

using Strings = std::vector<std::string>;

TEST_F(Glob, StarAndQuestionMarkWithinASegment) {
  EXPECT_EQ(Expand("*.jsonl"), (Strings{"a.jsonl", "b.jsonl"}));
  EXPECT_EQ(Expand("?.json*"), (Strings{"a.jsonl", "b.jsonl", "c.json"}));
  EXPECT_EQ(Expand("x?.csv"), (Strings{"x1.csv", "x2.csv"}));
  EXPECT_EQ(Expand("x[12].csv"), (Strings{"x1.csv", "x2.csv"}));
  EXPECT_EQ(Expand("*/*.jsonl"), (Strings{"sub/d.jsonl"}));
  EXPECT_EQ(Expand("sub/*/*"), (Strings{"sub/deep/e.jsonl", "sub/deep/f.txt"}));
  EXPECT_EQ(Expand(".*.jsonl"), (Strings{".hidden.jsonl"}));
}

TEST_F(Glob, DoubleStarForAnyDepth) {
  EXPECT_EQ(Expand("**/*.jsonl"), (Strings{"a.jsonl", "b.jsonl", "sub/d.jsonl", "sub/deep/e.jsonl"}));
  EXPECT_EQ(Expand("sub/**"), (Strings{"sub/d.jsonl", "sub/deep/e.jsonl", "sub/deep/f.txt"}));
  EXPECT_EQ(Expand("sub/**/e.jsonl"), (Strings{"sub/deep/e.jsonl"}));
  EXPECT_EQ(Expand("**/**/d.jsonl"), (Strings{"sub/d.jsonl"}));  // no duplicates
}

TEST_F(Glob, LiteralPathsAndAbsolutePatterns) {
  EXPECT_EQ(Expand("sub/d.jsonl"), (Strings{"sub/d.jsonl"}));
  auto abs = ExpandGlob((dir_.path() / "sub/*.jsonl").string(), "/nonexistent");
  ASSERT_TRUE(abs.ok()) << abs.status().message();
  EXPECT_EQ(*abs, (std::vector<fs::path>{dir_.path() / "sub/d.jsonl"}));
}

TEST_F(Glob, NoMatchIsNotFoundNamingThePattern) {
  auto none = ExpandGlob("*.parquet", dir_.path());
  EXPECT_EQ(none.status().code(), StatusCode::kNotFound);
  EXPECT_NE(none.status().message().find("*.parquet"), std::string::npos);
  auto missing = ExpandGlob("missing.jsonl", dir_.path());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("missing.jsonl"), std::string::npos);
  auto deep = ExpandGlob("nope/**/*.jsonl", dir_.path());
  EXPECT_EQ(deep.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace dlt
