// See pg_libpq.h.
#include "common/pg_libpq.h"

#include <cstdlib>

#include "common/shared_library.h"

namespace dlt::pg {

const LibPq* g_pq = nullptr;

namespace {

// The outcome of loading libpq: `error` is empty when `pq` is filled.
struct LibPqLoad {
  LibPq pq;
  std::string error;
};

LibPqLoad* LoadLibPq() {
  auto* out = new LibPqLoad();
  const char* env = std::getenv("DLT_LIBPQ_LIBRARY");
  const std::string path = env && *env ? env : "libpq.so.5";
  SharedLibrarySpec spec;
  spec.candidates = {path};
#define DLT_LIBPQ_NAME(member, symbol) #symbol,
  spec.symbols = {DLT_LIBPQ_FUNCTIONS(DLT_LIBPQ_NAME)};
#undef DLT_LIBPQ_NAME
  const SharedLibrary lib = SharedLibrary::Open(spec);
  if (!lib.ok()) {
    const LibraryAttempt& a = lib.attempts().front();
    if (a.failure == LibraryAttempt::Failure::kIncomplete) {
      out->error = "libpq (" + path + ") lacks a required function; it is too old";
    } else {
      out->error = "cannot load libpq (" + path + "): " + (a.dl_error.empty() ? "unknown error" : a.dl_error) +
                   ". Install Debian's libpq5 (scripts/bootstrap.sh does) or set DLT_LIBPQ_LIBRARY";
    }
    return out;
  }
#define DLT_LIBPQ_BIND(member, symbol) lib.Bind(#symbol, &out->pq.member);
  DLT_LIBPQ_FUNCTIONS(DLT_LIBPQ_BIND)
#undef DLT_LIBPQ_BIND
  g_pq = &out->pq;
  return out;
}

LoadOnce<LibPqLoad> g_libpq(&LoadLibPq);

}  // namespace

Status EnsureLibPq() {
  const LibPqLoad& load = g_libpq.Get();
  if (!load.error.empty()) return FailedPrecondition(load.error);
  return Status::Ok();
}

std::string TrimMessage(const char* m) {
  std::string s = m ? m : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace dlt::pg
