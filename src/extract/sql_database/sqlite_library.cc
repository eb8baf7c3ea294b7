// See sqlite_library.h.
#include "extract/sql_database/sqlite_library.h"

#include <cstdlib>
#include <string>

#include "common/shared_library.h"

namespace dlt::sql_source {

namespace {

// The outcome of loading libsqlite3: `error` is empty when `lib` is filled.
struct LibSqliteLoad {
  LibSqlite lib;
  std::string error;
};

LibSqliteLoad* LoadLibSqlite() {
  auto* out = new LibSqliteLoad();
  const char* env = std::getenv("DLT_SQLITE_LIBRARY");
  const std::string path = env && *env ? env : "libsqlite3.so.0";
  SharedLibrarySpec spec;
  spec.candidates = {path};
#define DLT_SQLITE_NAME(member, symbol) #symbol,
  spec.symbols = {DLT_SQLITE_FUNCTIONS(DLT_SQLITE_NAME)};
#undef DLT_SQLITE_NAME
  const SharedLibrary lib = SharedLibrary::Open(spec);
  if (!lib.ok()) {
    const LibraryAttempt& a = lib.attempts().front();
    out->error = "cannot load libsqlite3 (" + path + "): " + a.Why() +
                 ". Install Debian's libsqlite3-0 (scripts/bootstrap.sh does) or set DLT_SQLITE_LIBRARY";
    return out;
  }
#define DLT_SQLITE_BIND(member, symbol) lib.Bind(#symbol, &out->lib.member);
  DLT_SQLITE_FUNCTIONS(DLT_SQLITE_BIND)
#undef DLT_SQLITE_BIND
  return out;
}

LoadOnce<LibSqliteLoad> g_libsqlite(&LoadLibSqlite);

}  // namespace

StatusOr<const LibSqlite*> EnsureLibSqlite() {
  const LibSqliteLoad& load = g_libsqlite.Get();
  if (!load.error.empty()) return FailedPrecondition(load.error);
  return &load.lib;
}

}  // namespace dlt::sql_source
