// `dlt run script.py`: a Python pipeline script runs with python3 in the workspace root, with the
// active profile as WORKSPACE__PROFILE and the script's exit code; without an importable Python
// `dlt` package the command says exactly that and what to run. The script runs with the Python
// package of the dlt binary that runs it (build/python here) first on PYTHONPATH; a real python3
// runs the script.
#include <gtest/gtest.h>

#include "support/temp_workspace.h"

namespace dlt::testing {
namespace {

namespace fs = std::filesystem;

// Writes down what the script saw, then exits with code 3.
const char* kScript =
    "import os, sys\n"
    "import dlt\n"
    "with open('seen.txt', 'w') as f:\n"
    "    f.write(os.environ.get('WORKSPACE__PROFILE', '-') + '|' + os.getcwd() + '|' + ' '.join(sys.argv[1:]))\n"
    "sys.exit(3)\n";

bool HavePython3() { return std::system("python3 -c 'pass' >/dev/null 2>&1") == 0; }

TEST(RunPython, AScriptRunsWithPython3InTheWorkspaceWithTheActiveProfileAndItsExitCode) {
  ASSERT_TRUE(HavePython3()) << "python3 is needed (scripts/bootstrap.sh installs it)";
  TempWorkspace w;
  WriteFile(w.tmp() / "site" / "dlt" / "__init__.py", "");
  w.env()["PYTHONPATH"] = (w.tmp() / "site").string();
  w.Write("pipelines/my_pipeline.py", kScript);
  fs::create_directories(w.root() / "sub");

  auto r = w.Dlt({"--profile", "prod", "run", "../pipelines/my_pipeline.py", "--full", "x"}, w.root() / "sub");
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_EQ(w.Read("seen.txt"), "prod|" + fs::canonical(w.root()).string() + "|--full x");
}

// A dlt binary without its Python package beside it (a copy elsewhere): only what PYTHONPATH
// and python3 bring can be imported.
RunResult DltWithoutPackage(const TempWorkspace& w, const std::vector<std::string>& args) {
  fs::path copy = w.tmp() / "bin" / "dlt";
  if (!fs::exists(copy)) {
    fs::create_directories(copy.parent_path());
    fs::copy_file(DLT_BINARY, copy);
  }
  std::vector<std::string> argv{copy.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return Run(argv, w.root(), w.env());
}

TEST(RunPython, ScriptsRunWithThePythonPackageOfTheDltThatRunsThem) {
  ASSERT_TRUE(HavePython3()) << "python3 is needed (scripts/bootstrap.sh installs it)";
  TempWorkspace w;
  // Another `dlt` on PYTHONPATH loses to the package built with this binary.
  WriteFile(w.tmp() / "site" / "dlt" / "__init__.py", "raise ImportError('not this one')\n");
  w.env()["PYTHONPATH"] = (w.tmp() / "site").string();
  w.Write("which.py", "import dlt, os\nprint(os.path.dirname(dlt.__file__))\n");
  auto r = w.Dlt({"run", "which.py"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, (fs::path(DLT_BINARY).parent_path() / "python" / "dlt").string() + "\n");
}

TEST(RunPython, WithoutTheDltPackageItSaysSoAndWhatToRun) {
  ASSERT_TRUE(HavePython3()) << "python3 is needed (scripts/bootstrap.sh installs it)";
  TempWorkspace w;
  // A `dlt` that fails to import, whatever else is installed.
  WriteFile(w.tmp() / "site" / "dlt" / "__init__.py", "raise ImportError('not this one')\n");
  w.env()["PYTHONPATH"] = (w.tmp() / "site").string();
  w.Write("my_pipeline.py", kScript);

  auto r = DltWithoutPackage(w, {"run", "my_pipeline.py"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.err,
            "ERROR: Cannot run `my_pipeline.py`: it is a Python script, and the Python `dlt` package is not "
            "importable (`python3 -c 'import dlt'` failed). Once the Python `dlt` package is installed, run "
            "`dlt run my_pipeline.py` again, or `WORKSPACE__PROFILE=dev python3 my_pipeline.py`. (`dlt run` runs "
            "pipeline files (.toml) without Python.)\n");
  EXPECT_FALSE(w.Exists("seen.txt"));

  // No python3 at all.
  w.env()["PATH"] = (w.tmp() / "empty").string();
  fs::create_directories(w.tmp() / "empty");
  r = DltWithoutPackage(w, {"run", "my_pipeline.py"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_TRUE(Contains(r.err, "it is a Python script, and python3 was not found on PATH.")) << r.err;

  // A script that does not exist.
  r = w.Dlt({"run", "missing.py"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_TRUE(Contains(r.err, "Python script not found: missing.py")) << r.err;
}

}  // namespace
}  // namespace dlt::testing
