// See mariadb_library.h.
#include "extract/sql_database/mariadb_library.h"

#include <cstdlib>
#include <string>

#include "common/shared_library.h"

namespace dlt::sql_source {

namespace {

// The outcome of loading libmariadb: `error` is empty when `lib` is filled.
struct LibMariadbLoad {
  LibMariadb lib;
  std::string error;
};

LibMariadbLoad* LoadLibMariadb() {
  auto* out = new LibMariadbLoad();
  const char* env = std::getenv("DLT_MARIADB_LIBRARY");
  const std::string path = env && *env ? env : "libmariadb.so.3";
  SharedLibrarySpec spec;
  spec.candidates = {path};
#define DLT_MARIADB_NAME(member, symbol) #symbol,
  spec.symbols = {DLT_MARIADB_FUNCTIONS(DLT_MARIADB_NAME)};
#undef DLT_MARIADB_NAME
  const SharedLibrary lib = SharedLibrary::Open(spec);
  if (!lib.ok()) {
    const LibraryAttempt& a = lib.attempts().front();
    out->error = "cannot load libmariadb (" + path + "): " + a.Why() +
                 ". Install Debian's libmariadb3 (scripts/bootstrap.sh does) or set DLT_MARIADB_LIBRARY";
    return out;
  }
#define DLT_MARIADB_BIND(member, symbol) lib.Bind(#symbol, &out->lib.member);
  DLT_MARIADB_FUNCTIONS(DLT_MARIADB_BIND)
#undef DLT_MARIADB_BIND
  if (out->lib.server_init(0, nullptr, nullptr) != 0) out->error = "libmariadb (" + path + ") failed to initialize";
  return out;
}

LoadOnce<LibMariadbLoad> g_libmariadb(&LoadLibMariadb);

}  // namespace

StatusOr<const LibMariadb*> EnsureLibMariadb() {
  const LibMariadbLoad& load = g_libmariadb.Get();
  if (!load.error.empty()) return FailedPrecondition(load.error);
  return &load.lib;
}

}  // namespace dlt::sql_source
