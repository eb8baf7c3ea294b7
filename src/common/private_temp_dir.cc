#include "common/private_temp_dir.h"

#include <stdlib.h>

namespace dlt {

PrivateTempDir::PrivateTempDir(const std::string& prefix) {
  std::error_code ec;
  std::string t = (std::filesystem::temp_directory_path(ec) / (prefix + "XXXXXX")).string();
  if (!ec && ::mkdtemp(t.data()) != nullptr) path_ = t;
}

PrivateTempDir::~PrivateTempDir() {
  std::error_code ec;
  if (!path_.empty()) std::filesystem::remove_all(path_, ec);
}

}  // namespace dlt
