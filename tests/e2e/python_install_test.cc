// Installing the Python package: `pip install --no-build-isolation .` from the checkout into a
// fresh venv (offline: no index), and `make install` (cmake --install) into a prefix. Each
// installed copy loads into DuckDB with the DuckDB it carries, from outside the source tree.
#include <gtest/gtest.h>

#include "support/duckdb_query.h"
#include "support/python_script.h"

namespace dlt::testing {
namespace {

namespace fs = std::filesystem;

// Loads one row, then prints which libduckdb.so the process mapped.
const char* kLoadAndShowDuckDb = R"PY(
import dlt
dlt.pipeline(pipeline_name="inst", destination="duckdb", dataset_name="inst_data").run([{"id": 7}], table_name="t")
print([l.split()[-1] for l in open("/proc/self/maps") if "libduckdb" in l][0])
)PY";

TEST(PythonInstall, PipInstallsThePackageOfflineIntoAVenvAndItLoadsWithItsOwnDuckDb) {
  TempWorkspace w;
  fs::path venv = w.tmp() / "venv";
  auto r = testing::Run({DLT_PYTHON, "-m", "venv", venv.string()}, w.tmp(), w.env());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::map<std::string, std::string> env = w.env();
  // The engine this test runs against is already built: the backend reuses that build.
  env["DLT_CPP_BUILD_DIR"] = fs::path(DLT_PYTHON_PATH).parent_path().string();
  env["PIP_NO_INDEX"] = "1";
  env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1";
  r = testing::Run({(venv / "bin" / "pip").string(), "install", "--no-build-isolation", DLT_SOURCE_DIR}, w.tmp(), env);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("Successfully installed dlt-cpp-"), std::string::npos) << r.out;

  w.Write("load.py", kLoadAndShowDuckDb);
  r = testing::Run({(venv / "bin" / "python").string(), "load.py"}, w.root(), w.env());  // no PYTHONPATH
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, (venv / "lib" / "python3.11" / "site-packages" / "dlt" / "_lib" / "libduckdb.so").string() + "\n");
  EXPECT_EQ(CountRows(w.root() / "_local" / "dev" / "inst.duckdb", "inst_data.t"), 1);
  // The distribution is dlt-cpp: Python dlt's own metadata (`dlt`) is never shadowed.
  r = testing::Run({(venv / "bin" / "python").string(), "-c",
           "import importlib.metadata as m; print(m.version('dlt-cpp'));\n"
           "try:\n  m.version('dlt'); print('dlt found')\nexcept m.PackageNotFoundError: print('no dlt')"},
          w.root(), w.env());
  EXPECT_EQ(r.out.substr(r.out.find('\n') + 1), "no dlt\n") << r.out << r.err;
}

TEST(PythonInstall, MakeInstallPutsThePackageWhereDebiansPython3FindsItWithDuckDbBesideTheBinary) {
  TempWorkspace w;
  fs::path prefix = w.tmp() / "prefix";
  fs::path build = fs::path(DLT_PYTHON_PATH).parent_path();
  auto r = testing::Run({DLT_CMAKE, "--install", build.string(), "--prefix", prefix.string()}, w.tmp(), w.env());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  fs::path site = prefix / "lib" / "python3.11" / "dist-packages";
  ASSERT_TRUE(fs::exists(site / "dlt" / "__init__.py"));
  w.Write("load.py", kLoadAndShowDuckDb);
  std::map<std::string, std::string> env = w.env();
  env["PYTHONPATH"] = site.string();  // /usr/local/lib/python3.11/dist-packages is on sys.path already
  r = testing::Run({DLT_PYTHON, "load.py"}, w.root(), env);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, (prefix / "lib" / "dlt" / "libduckdb.so").string() + "\n");
  EXPECT_EQ(CountRows(w.root() / "_local" / "dev" / "inst.duckdb", "inst_data.t"), 1);
  // The installed binary runs scripts with the installed package.
  w.Write("which.py", "import dlt, os\nprint(os.path.dirname(dlt.__file__))\n");
  r = testing::Run({(prefix / "bin" / "dlt").string(), "run", "which.py"}, w.root(), w.env());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, (site / "dlt").string() + "\n");
}

}  // namespace
}  // namespace dlt::testing
