// What `dlt` shows a person: a damaged pin file is named escaped and cut, never echoed raw; the
// live progress on a terminal counts each resource's own rows and the run's true totals.
#include <regex>

#include "pipeline_fixture.h"

namespace dlt::testing {
namespace {

TEST(PinFileDisplay, AGarbagePinFileIsShownEscapedAndCut) {
  TempWorkspace w;
  std::string garbage = "pr\x1b[31mod\x07\x01\xff\xfe";
  garbage += std::string(300, 'z');
  garbage += std::string("\0tail", 5);
  w.Write(".dlt/profile-name", garbage);
  auto r = w.Dlt({"profile"});
  EXPECT_NE(r.exit_code, 0);
  // No control character (ESC, BEL, other C0) and no invalid UTF-8 reaches the terminal.
  for (char c : r.err) {
    unsigned char u = static_cast<unsigned char>(c);
    EXPECT_TRUE(u == '\n' || (u >= 0x20 && u < 0x7f)) << "byte " << int(u) << " in: " << r.err;
  }
  EXPECT_TRUE(Contains(r.err, "pr\\x1b[31mod\\x07\\x01\\xff\\xfe")) << r.err;
  EXPECT_TRUE(Contains(r.err, ".dlt/profile-name")) << r.err;
  EXPECT_TRUE(Contains(r.err, "more bytes)")) << r.err;
  EXPECT_LT(r.err.size(), 600u) << r.err;
}

// The segments of a progress line ("\r\x1b[K" starts each redraw; the terminal's \r is dropped).
std::vector<std::string> ProgressLines(const std::string& out) {
  std::vector<std::string> lines;
  size_t pos = 0;
  const std::string mark = "\x1b[K";
  while ((pos = out.find(mark, pos)) != std::string::npos) {
    pos += mark.size();
    size_t end = out.find_first_of("\x1b\n", pos);
    std::string seg = out.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    if (!seg.empty()) lines.push_back(seg);
  }
  return lines;
}

TEST(RunProgress, EachResourceShowsItsOwnRowsAndTheLoadShowsThePackagesRows) {
  PipelineWorkspace w;
  w.Write("farm.toml",
          "[pipeline]\nname = \"farm\"\ndestination = \"warehouse\"\ndataset_name = \"farm_data\"\n\n"
          "[[resources]]\nname = \"berry\"\npath = \"berry.jsonl\"\n\n"
          "[[resources]]\nname = \"apple\"\npath = \"apple.jsonl\"\n");
  std::string berries, apples;
  for (int i = 0; i < 15; ++i) berries += "{\"n\": " + std::to_string(i) + "}\n";
  for (int i = 0; i < 25; ++i) apples += "{\"n\": " + std::to_string(i) + "}\n";
  w.Write("berry.jsonl", berries);
  w.Write("apple.jsonl", apples);
  auto r = RunInTerminal({DLT_BINARY, "run", "farm.toml"}, w.root(), w.env(), "");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  std::vector<std::string> lines = ProgressLines(r.out);
  std::regex row_re(R"(^(\w+)\s+(\S+)\s+(\d+) rows)");
  std::map<std::string, uint64_t> last;  // "stage what" -> rows last shown
  std::string apple_note;
  for (const auto& l : lines) {
    std::smatch m;
    if (!std::regex_search(l, m, row_re)) continue;
    last[m[1].str() + " " + m[2].str()] = std::stoull(m[3].str());
    if (m[2].str() == "apple") apple_note = l;
  }
  EXPECT_EQ(last["extract berry"], 15u) << r.out;
  EXPECT_EQ(last["extract apple"], 25u) << r.out;
  EXPECT_TRUE(Contains(apple_note, "(40 rows in all)")) << apple_note;
  EXPECT_EQ(last["load duckdb"], 40u) << r.out;
}

}  // namespace
}  // namespace dlt::testing
