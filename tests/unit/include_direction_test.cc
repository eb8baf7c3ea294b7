// Imports run one way (issue #21 item 7): common < config < workspace < normalize < extract, load <
// destinations < pipeline < dashboard < cli. Read from the source files, so a new include that
// points upwards fails here, with the file and the line, before it grows into a cycle.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

struct Include {
  std::string file;  // relative to the repository, e.g. src/dashboard/dashboard.cc
  int line;
  std::string target;  // what is between the quotes, e.g. cli/config_view.h
};

// Every `#include "..."` of src/ and include/ (the dashboard's embedded assets are not C++).
std::vector<Include> AllIncludes() {
  std::vector<Include> out;
  const fs::path root(DLT_SOURCE_DIR);
  for (const char* top : {"src", "include"}) {
    for (const auto& entry : fs::recursive_directory_iterator(root / top)) {
      const fs::path& p = entry.path();
      if (!entry.is_regular_file() || (p.extension() != ".h" && p.extension() != ".cc")) continue;
      std::ifstream in(p);
      std::string text;
      int n = 0;
      while (std::getline(in, text)) {
        ++n;
        const std::string prefix = "#include \"";
        if (text.rfind(prefix, 0) != 0) continue;
        size_t end = text.find('"', prefix.size());
        if (end == std::string::npos) continue;
        out.push_back({p.lexically_relative(root).generic_string(), n, text.substr(prefix.size(), end - prefix.size())});
      }
    }
  }
  return out;
}

bool Under(const std::string& path, const std::string& dir) { return path.rfind(dir + "/", 0) == 0; }

// Includes that break a rule today, each with the reason it is still allowed. Remove an entry
// when its include goes; the test then keeps it from coming back.
const std::set<std::pair<std::string, std::string>> kAllowed = {};

std::vector<std::string> Violations(const std::string& rule, bool (*breaks)(const Include&)) {
  std::vector<std::string> out;
  for (const Include& i : AllIncludes()) {
    if (!breaks(i) || kAllowed.count({i.file, i.target})) continue;
    out.push_back(i.file + ":" + std::to_string(i.line) + ": includes \"" + i.target + "\" (" + rule + ")");
  }
  return out;
}

std::string Lines(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& l : v) s += l + "\n";
  return s;
}

TEST(IncludeDirection, TheSourceTreeHasTheFoldersTheRulesNameSoTheyCheckSomething) {
  std::set<std::string> dirs;
  for (const Include& i : AllIncludes()) dirs.insert(i.file.substr(0, i.file.find('/', i.file.find('/') + 1)));
  for (const char* d : {"src/common", "src/config", "src/workspace", "src/extract", "src/normalize", "src/load",
                        "src/pipeline", "src/dashboard", "src/cli", "include/dlt"}) {
    EXPECT_TRUE(dirs.count(d)) << d;
  }
}

// The layer of a folder of src/ (extract and load are side by side: neither includes the other).
int Layer(const std::string& dir) {
  static const std::map<std::string, int> layers = {
      {"common", 0},       {"config", 1},   {"workspace", 2}, {"normalize", 3}, {"extract", 4},
      {"load", 4},         {"destinations", 5}, {"pipeline", 6}, {"dashboard", 7}, {"cli", 8}};
  auto it = layers.find(dir);
  return it == layers.end() ? -1 : it->second;
}

TEST(IncludeDirection, EveryIncludeOfAnotherFolderPointsToALowerLayer) {
  auto v = Violations("common < config < workspace < normalize < extract, load < destinations < pipeline < dashboard < cli",
                      [](const Include& i) {
                        if (!Under(i.file, "src")) return false;
                        std::string from = i.file.substr(4, i.file.find('/', 4) - 4);
                        size_t slash = i.target.find('/');
                        if (slash == std::string::npos) return false;
                        std::string to = i.target.substr(0, slash);
                        if (to == "dlt" || to == from || Layer(to) < 0) return false;
                        return Layer(to) >= Layer(from);
                      });
  EXPECT_TRUE(v.empty()) << Lines(v);
}

TEST(IncludeDirection, OnlyTheCommandLineIncludesCommandLineHeaders) {
  auto v = Violations("only src/cli may include cli/", [](const Include& i) {
    return i.target.rfind("cli/", 0) == 0 && !Under(i.file, "src/cli");
  });
  EXPECT_TRUE(v.empty()) << Lines(v);
}

TEST(IncludeDirection, OnlyTheCommandLineAndTheDashboardIncludeDashboardHeaders) {
  auto v = Violations("only src/cli and src/dashboard may include dashboard/", [](const Include& i) {
    return i.target.rfind("dashboard/", 0) == 0 && !Under(i.file, "src/cli") && !Under(i.file, "src/dashboard");
  });
  EXPECT_TRUE(v.empty()) << Lines(v);
}

TEST(IncludeDirection, EngineStagesBelowThePipelineDoNotIncludeIt) {
  auto v = Violations("extract, normalize, load, config and common are below the pipeline", [](const Include& i) {
    bool below = false;
    for (const char* d : {"src/extract", "src/normalize", "src/load", "src/config", "src/common"}) below |= Under(i.file, d);
    return below && (i.target.rfind("pipeline/", 0) == 0 || i.target == "dlt/pipeline.h");
  });
  EXPECT_TRUE(v.empty()) << Lines(v);
}

TEST(IncludeDirection, CommonIncludesNothingButItselfAndTheStatusType) {
  auto v = Violations("src/common is the bottom layer", [](const Include& i) {
    return Under(i.file, "src/common") && i.target.rfind("common/", 0) != 0 && i.target != "dlt/status.h" &&
           i.target != "dlt/version.h";
  });
  EXPECT_TRUE(v.empty()) << Lines(v);
}

TEST(IncludeDirection, ThePublicHeadersIncludeOnlyPublicHeaders) {
  auto v = Violations("include/dlt must not expose src/", [](const Include& i) {
    return Under(i.file, "include/dlt") && i.target.rfind("dlt/", 0) != 0;
  });
  EXPECT_TRUE(v.empty()) << Lines(v);
}

TEST(IncludeDirection, ConfigurationDoesNotIncludeTheWorkspaceAboveIt) {
  auto v = Violations("src/config is below src/workspace", [](const Include& i) {
    return Under(i.file, "src/config") && (i.target.rfind("workspace/", 0) == 0 || i.target == "dlt/workspace.h");
  });
  EXPECT_TRUE(v.empty()) << Lines(v);
}

}  // namespace
