// Loading libduckdb: which files are tried, in which order, and what to do when none of them is
// a usable DuckDB. The dlopen mechanics are common/shared_library's; this file decides the
// candidates (duckdb_api.h lists them), fills the function table and words the error.
#include "destinations/duckdb/duckdb_library.h"

#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "common/shared_library.h"
#include "destinations/duckdb/duckdb_api.h"

namespace dlt::duckdb {
namespace detail {
namespace {

struct LoadState {
  Status status;
  Api api;
  std::string path;
  duckdb_instance_cache cache = nullptr;
};

std::vector<std::string> Candidates(bool& from_env) {
  std::vector<std::string> candidates;
  const char* env = std::getenv("DLT_DUCKDB_LIBRARY");
  from_env = env && *env;
  if (from_env) {
    candidates.emplace_back(env);
  } else {
    // Inside the Python package (dlt._native): the wheel carries DuckDB as dlt/_lib/libduckdb.so,
    // `make install` puts the package in <prefix>/lib/python3.*/dist-packages and DuckDB in
    // <prefix>/lib/dlt/. (In the dlt binary this finds the binary itself, with no such files.)
    std::error_code ec;
    Dl_info self{};
    if (dladdr(reinterpret_cast<const void*>(&Candidates), &self) && self.dli_fname) {
      std::filesystem::path dir = std::filesystem::absolute(self.dli_fname, ec).parent_path();
      if (dir.filename() == "dlt") {
        for (const auto& cand : {dir / "_lib" / "libduckdb.so", dir.parent_path().parent_path().parent_path() / "dlt" / "libduckdb.so"}) {
          if (std::filesystem::exists(cand, ec)) candidates.emplace_back(cand.string());
        }
      }
    }
    // An installed dlt (make install) carries its DuckDB in <prefix>/lib/dlt/.
    std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) {
      std::filesystem::path beside = exe.parent_path().parent_path() / "lib" / "dlt" / "libduckdb.so";
      if (std::filesystem::exists(beside, ec)) candidates.emplace_back(beside.string());
    }
#ifdef DLT_DUCKDB_LIBRARY_PATH
    candidates.emplace_back(DLT_DUCKDB_LIBRARY_PATH);
#endif
    candidates.emplace_back("libduckdb.so");
  }
  return candidates;
}

LoadState* Load() {
  auto* state = new LoadState();
  bool from_env = false;
  SharedLibrarySpec spec;
  spec.candidates = Candidates(from_env);
#define DLT_DUCKDB_NAME(name) #name,
  spec.symbols = {DLT_DUCKDB_FUNCTIONS(DLT_DUCKDB_NAME)};
#undef DLT_DUCKDB_NAME
  const SharedLibrary lib = SharedLibrary::Open(spec);
  if (lib.ok()) {
#define DLT_DUCKDB_BIND(name) lib.Bind(#name, &state->api.name);
    DLT_DUCKDB_FUNCTIONS(DLT_DUCKDB_BIND)
#undef DLT_DUCKDB_BIND
    state->path = lib.file();
    state->cache = state->api.duckdb_create_instance_cache();
    state->status = Status::Ok();
    return state;
  }
  std::string tried;
  for (const LibraryAttempt& a : lib.attempts()) {
    std::string why = a.Why("dlopen failed");
    if (a.failure == LibraryAttempt::Failure::kIncomplete) why += " (it is not libduckdb, or a DuckDB older than 1.4)";
    if (!tried.empty()) tried += "; ";
    tried += (from_env ? "DLT_DUCKDB_LIBRARY=" : "") + a.file + ": " + why;
  }
  std::string fix = from_env
                        ? "Point DLT_DUCKDB_LIBRARY at a libduckdb.so of DuckDB 1.4 or newer, or unset it "
                          "to use the bundled library (run scripts/bootstrap.sh to download it)."
                        : "Run scripts/bootstrap.sh to download the bundled DuckDB library, or set "
                          "DLT_DUCKDB_LIBRARY to the path of a libduckdb.so (DuckDB 1.4 or newer).";
  state->status = FailedPrecondition("cannot load the DuckDB library (tried " + tried + "). " + fix);
  return state;
}

// Built once, thread-safely, on first use. Never destroyed: libduckdb stays loaded for the life
// of the process, and objects with static storage may still call it while the process exits.
LoadOnce<LoadState> g_state(&Load);

}  // namespace

const Api& A() { return g_state.Get().api; }

duckdb_instance_cache InstanceCache() { return g_state.Get().cache; }

}  // namespace detail

Status EnsureLoaded() { return detail::g_state.Get().status; }

bool IsLoaded() {
  const detail::LoadState* state = detail::g_state.IfLoaded();
  return state && state->status.ok();
}

std::string LoadedLibraryPath() { return IsLoaded() ? detail::g_state.Get().path : std::string(); }

std::string LibraryVersion() {
  if (!EnsureLoaded().ok()) return {};
  const char* v = detail::A().duckdb_library_version();
  return v ? v : "";
}

}  // namespace dlt::duckdb
