// Loading a shared library at run time (dlopen) and resolving the functions a module calls.
//
// DuckDB, libpq and libcurl are not linked into `dlt`: loading them costs tens of milliseconds,
// and most commands never touch a database or the network. Each module that needs one opens it
// here on first use. What differs between them (which files to try, what to install when none
// loads, what to do once it is loaded) stays with the module; the mechanics are here:
//   - candidates are tried in order: a bare file name goes through the dynamic loader's search
//     path, a path with a '/' is that file;
//   - dlopen with RTLD_NOW | RTLD_LOCAL: every symbol is bound now (no late crash on first call)
//     and nothing leaks into the global namespace of the process;
//   - every symbol the module needs is resolved up front; a candidate that lacks one is closed;
//   - each failed candidate is recorded with why it failed, so the module's error message can
//     name the files tried and the reason for each.
// LoadOnce holds the outcome process-wide, computed once by whichever thread asks first.
#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <vector>

namespace dlt {

struct SharedLibrarySpec {
  // File names or paths, tried in order.
  std::vector<std::string> candidates;
  // The symbols every candidate must have.
  std::vector<const char*> symbols;
  // Stop at the first candidate dlopen accepts, even when it lacks a symbol (instead of trying
  // the next one).
  bool first_loadable_only = false;
};

// One candidate that did not load.
struct LibraryAttempt {
  enum class Failure { kNoSuchFile, kNotLoadable, kIncomplete };
  std::string file;
  Failure failure = Failure::kNotLoadable;
  std::string dl_error;              // dlerror()'s text when dlopen failed ("" when it gave none)
  std::vector<std::string> missing;  // kIncomplete: the symbols it lacks, in the spec's order

  // "no such file", dlerror()'s text (or `no_error_text` when it gave none), or "loaded, but it
  // lacks the function a" / "... the functions a, b, c and 2 more".
  std::string Why(const char* no_error_text = "dlopen failed") const;
};

// A loaded library with its symbols resolved, or the reasons none of the candidates loaded.
// The library is never closed: the process may call into it until it exits.
class SharedLibrary {
 public:
  static SharedLibrary Open(const SharedLibrarySpec& spec);

  bool ok() const { return handle_ != nullptr; }
  // The candidate that loaded ("" when none did).
  const std::string& file() const { return file_; }
  // Failed candidates, in the order tried.
  const std::vector<LibraryAttempt>& attempts() const { return attempts_; }

  // The address of `name`, which must be one of the spec's symbols (nullptr otherwise, or when
  // nothing loaded).
  void* Symbol(const char* name) const;
  // *out = the function `name`, e.g. Bind("PQexec", &table.exec).
  template <typename F>
  void Bind(const char* name, F* out) const {
    *out = reinterpret_cast<F>(Symbol(name));
  }

 private:
  void* handle_ = nullptr;
  std::string file_;
  std::vector<const char*> names_;
  std::vector<void*> addresses_;
  std::vector<LibraryAttempt> attempts_;
};

// A process-wide value made on first use by `load` (typically: open a library, fill a function
// table, say what went wrong), thread-safe: concurrent first callers wait for the one that loads.
// Meant for namespace scope; it is constant-initialized, so it can be used during static
// initialization, and the value is never destroyed, so code running at exit can still use it.
template <typename T>
class LoadOnce {
 public:
  using Loader = T* (*)();
  constexpr explicit LoadOnce(Loader load) : load_(load) {}
  LoadOnce(const LoadOnce&) = delete;
  LoadOnce& operator=(const LoadOnce&) = delete;

  const T& Get() {
    std::call_once(once_, [this] { value_.store(load_(), std::memory_order_release); });
    return *value_.load(std::memory_order_acquire);
  }
  // The value when Get() has finished once, else nullptr. Never loads.
  const T* IfLoaded() const { return value_.load(std::memory_order_acquire); }

 private:
  Loader load_;
  std::once_flag once_;
  std::atomic<const T*> value_{nullptr};
};

}  // namespace dlt
