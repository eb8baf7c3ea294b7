// See shared_library.h: dlopen over a list of candidates, all symbols resolved up front.
#include "common/shared_library.h"

#include <dlfcn.h>
#include <sys/stat.h>

#include <cstring>

namespace dlt {

namespace {

bool FileExists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

std::string LastDlError() {
  const char* e = ::dlerror();
  return e ? e : "";
}

}  // namespace

std::string LibraryAttempt::Why(const char* no_error_text) const {
  switch (failure) {
    case Failure::kNoSuchFile:
      return "no such file";
    case Failure::kNotLoadable:
      return dl_error.empty() ? no_error_text : dl_error;
    case Failure::kIncomplete:
      break;
  }
  std::string why = "loaded, but it lacks the function";
  if (missing.size() > 1) why += "s";
  for (size_t i = 0; i < missing.size() && i < 3; ++i) why += (i ? ", " : " ") + missing[i];
  if (missing.size() > 3) why += " and " + std::to_string(missing.size() - 3) + " more";
  return why;
}

SharedLibrary SharedLibrary::Open(const SharedLibrarySpec& spec) {
  SharedLibrary lib;
  for (const std::string& file : spec.candidates) {
    LibraryAttempt attempt;
    attempt.file = file;
    ::dlerror();  // clear a stale message
    void* handle = ::dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      attempt.dl_error = LastDlError();
      // A path (not a name for the loader's search) that is not there: say so plainly.
      const bool is_path = file.find('/') != std::string::npos;
      attempt.failure = is_path && !FileExists(file) ? LibraryAttempt::Failure::kNoSuchFile
                                                      : LibraryAttempt::Failure::kNotLoadable;
      lib.attempts_.push_back(std::move(attempt));
      continue;
    }
    std::vector<void*> addresses;
    addresses.reserve(spec.symbols.size());
    for (const char* name : spec.symbols) {
      void* address = ::dlsym(handle, name);
      if (!address) attempt.missing.emplace_back(name);
      addresses.push_back(address);
    }
    if (!attempt.missing.empty()) {
      ::dlclose(handle);
      attempt.failure = LibraryAttempt::Failure::kIncomplete;
      lib.attempts_.push_back(std::move(attempt));
      if (spec.first_loadable_only) break;
      continue;
    }
    lib.handle_ = handle;
    lib.file_ = file;
    lib.names_ = spec.symbols;
    lib.addresses_ = std::move(addresses);
    break;
  }
  return lib;
}

void* SharedLibrary::Symbol(const char* name) const {
  for (size_t i = 0; i < names_.size(); ++i) {
    if (std::strcmp(names_[i], name) == 0) return addresses_[i];
  }
  return nullptr;
}

}  // namespace dlt
