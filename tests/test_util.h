#pragma once
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace dlt::testing {

// TempDir and TempWorkspace (the temporary folders of every test) are in support/temp_workspace.h.

void WriteFile(const std::filesystem::path& path, const std::string& content);
std::string ReadFile(const std::filesystem::path& path);

// Files under `dir` (secrets files, *secrets.toml, left out) whose bytes contain `needle`: where a
// secret canary leaked to.
std::vector<std::string> FilesContaining(const std::filesystem::path& dir, const std::string& needle);

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs a program with arguments in `cwd` with exactly the environment `env` (plus PATH),
// stdin from `input` (a pipe, so non-interactive) and captures stdout and stderr.
RunResult Run(const std::vector<std::string>& argv, const std::filesystem::path& cwd,
              const std::map<std::string, std::string>& env, const std::string& input = "");

// Same, but on a pseudo-terminal (interactive): `input` is typed into it; stdout and stderr are
// both captured into `out`.
RunResult RunInTerminal(const std::vector<std::string>& argv, const std::filesystem::path& cwd,
                        const std::map<std::string, std::string>& env, const std::string& input);

}  // namespace dlt::testing
