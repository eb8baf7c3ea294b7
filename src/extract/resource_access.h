// The engine's side of dlt::Resource (include/dlt/resource.h): sources of the engine make
// resources from a RecordSource factory, and the extract step opens them with an ExtractContext.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "dlt/resource.h"
#include "dlt/status.h"
#include "extract/batch_source.h"
#include "extract/extractor.h"
#include "extract/json_reader.h"

namespace dlt {

// What the pipeline gives a resource when its extract starts, so that sources never read the
// pipeline's folder themselves.
struct ExtractContext {
  std::string pipeline_name;
  // The last value of `cursor_path` of `resource`'s incremental in the pipeline's state (the
  // newest state: state.json, a package not loaded yet, or the destination's), or nullopt.
  std::function<std::optional<nlohmann::ordered_json>(std::string_view resource, std::string_view cursor_path)>
      last_value;
};

struct ResourceAccess {
  using Open = std::function<StatusOr<std::unique_ptr<RecordSource>>(const ExtractContext&)>;
  // Rows from a RecordSource made by `open` when the extract step starts on the resource; its
  // errors stop the run (FromCallback cannot report one).
  static Resource FromSource(ResourceOptions options, Open open) {
    Resource r;
    r.options_ = std::move(options);
    r.open_ = std::move(open);
    return r;
  }
  // Rows as typed batches: `open` makes a source of kind SourceKind::kTyped (a BatchSource,
  // extract/batch_source.h); its batches go to the package as typed jobs, never as JSON.
  static Resource FromBatches(ResourceOptions options, Open open) {
    return FromSource(std::move(options), std::move(open));
  }
  // Batches held in memory, yielded in order.
  static Resource FromBatches(ResourceOptions options, std::vector<TypedBatch> batches) {
    std::string name = options.name;
    auto shared = std::make_shared<std::vector<TypedBatch>>(std::move(batches));
    return FromBatches(std::move(options), [name, shared](const ExtractContext&) -> StatusOr<std::unique_ptr<RecordSource>> {
      return std::unique_ptr<RecordSource>(new InMemoryBatchSource(name, *shared));
    });
  }
  // Opens the record source (files are globbed here).
  static StatusOr<std::unique_ptr<RecordSource>> OpenSource(const Resource& r, const ExtractContext& context) {
    if (!r.open_) return FailedPrecondition("resource `" + r.options_.name + "` has no source of rows");
    return r.open_(context);
  }
};

// JSON Lines / JSON array files ("-": standard input) read one after another, each record named
// "file:line" (Resource::FromFiles for the JSON formats).
std::unique_ptr<RecordSource> MakeJsonFileSource(std::vector<std::filesystem::path> files, JsonFormat format);

}  // namespace dlt
