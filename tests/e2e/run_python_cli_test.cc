// `dlt run script.py`: a Python pipeline script runs with python3 in the workspace root, with the
// active profile as WORKSPACE__PROFILE and the script's exit code; without an importable Python
// `dlt` package the command says exactly that and what to run. A fake `dlt` package on
// PYTHONPATH stands in for the real one; a real python3 runs the script.
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

TEST(RunPython, WithoutTheDltPackageItSaysSoAndWhatToRun) {
  ASSERT_TRUE(HavePython3()) << "python3 is needed (scripts/bootstrap.sh installs it)";
  TempWorkspace w;
  // A `dlt` that fails to import, whatever else is installed.
  WriteFile(w.tmp() / "site" / "dlt" / "__init__.py", "raise ImportError('not this one')\n");
  w.env()["PYTHONPATH"] = (w.tmp() / "site").string();
  w.Write("my_pipeline.py", kScript);

  auto r = w.Dlt({"run", "my_pipeline.py"});
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
  r = w.Dlt({"run", "my_pipeline.py"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_TRUE(Contains(r.err, "it is a Python script, and python3 was not found on PATH.")) << r.err;

  // A script that does not exist.
  r = w.Dlt({"run", "missing.py"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_TRUE(Contains(r.err, "Python script not found: missing.py")) << r.err;
}

}  // namespace
}  // namespace dlt::testing
