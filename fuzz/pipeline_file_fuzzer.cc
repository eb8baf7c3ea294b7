// libFuzzer target: the pipeline file parser (`dlt run <file>`), filesystem and rest_api sources.
#include <cstdint>
#include <fstream>
#include <string>

#include "fuzz_util.h"
#include "pipeline/pipeline_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::filesystem::path file = dlt::fuzz::ScratchDir() / "pipeline.toml";
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  auto spec = dlt::ParsePipelineFile(file, "pipeline.toml");
  if (spec.ok()) {
    for (const auto& r : spec->resources) {
      (void)r.options.name.size();
    }
  }
  return 0;
}
