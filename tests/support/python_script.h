// Runs a real Python script with Debian's python3 and the package of this build on PYTHONPATH
// (build/python), in a TempWorkspace: the Python package's end-to-end tests' way in.
#pragma once

#include <string>
#include <vector>

#include "support/temp_workspace.h"

namespace dlt::testing {

#ifdef DLT_PYTHON
// `python3 <script> <args>` in the workspace root (or `cwd`) with exactly the workspace's
// environment plus PYTHONPATH. `script` is relative to the workspace root.
inline RunResult RunPython(const TempWorkspace& w, const std::string& script, const std::vector<std::string>& args = {},
                           const std::filesystem::path& cwd = {}) {
  std::map<std::string, std::string> env = w.env();
  env["PYTHONPATH"] = DLT_PYTHON_PATH;
  env["PYTHONDONTWRITEBYTECODE"] = "1";
  std::vector<std::string> argv{DLT_PYTHON, script};
  argv.insert(argv.end(), args.begin(), args.end());
  return Run(argv, cwd.empty() ? w.root() : cwd, env);
}

// Writes `source` as `name` into the workspace and runs it.
inline RunResult RunPythonSource(const TempWorkspace& w, const std::string& name, const std::string& source,
                                 const std::vector<std::string>& args = {}) {
  w.Write(name, source);
  return RunPython(w, name, args);
}
#endif

// The DuckDB file a pipeline of the dev profile loads into with `destination="duckdb"`:
// <workspace>/_local/dev/<pipeline name>.duckdb.
inline std::filesystem::path DevDb(const TempWorkspace& w, const std::string& pipeline_name) {
  return w.root() / "_local" / "dev" / (pipeline_name + ".duckdb");
}

}  // namespace dlt::testing
