// Templates of `dlt init`: the files under templates/ (sources/<name>/..., destinations/<name>/...,
// gitignore), compiled into the binary by cmake/embed_files.cmake.
#pragma once

#include <string_view>
#include <vector>

namespace dlt::cli {

struct EmbeddedFile {
  std::string_view path;  // relative to templates/, e.g. "sources/pokemon_api/config.toml"
  std::string_view data;
};

const std::vector<EmbeddedFile>& EmbeddedTemplates();

}  // namespace dlt::cli
