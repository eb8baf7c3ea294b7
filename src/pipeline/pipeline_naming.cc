#include "pipeline/pipeline_naming.h"

#include <cstdlib>
#include <utility>
#include <vector>

#include "common/text.h"
#include "destinations/credentials_lookup.h"
#include "dlt/destination.h"

namespace dlt {

namespace {

ConfigKey KeyOf(std::vector<std::string> sections, const std::string& key, const std::string& pipeline_name) {
  ConfigKey k;
  k.sections = std::move(sections);
  k.key = key;
  k.pipeline_name = pipeline_name;
  k.drop_sections = false;
  return k;
}

// dlt's naming convention of a run: `[schema] naming` when set, else the destination's
// `naming_convention` (a custom destination's is `direct`), else snake_case.
StatusOr<NamingConvention> ResolveConvention(const Workspace& ws, const std::string& pipeline_name,
                                             const std::string& destination_name) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> places = {
      {{"schema"}, "naming"}, {{"destination", destination_name}, "naming_convention"}};
  for (const auto& [sections, key] : places) {
    if (sections.size() > 1 && destination_name.empty()) continue;  // a pipeline without a destination
    DLT_ASSIGN_OR_RETURN(auto r, ws.config().Resolve(KeyOf(sections, key, pipeline_name)));
    if (!r) continue;
    if (auto c = ParseNamingConvention(r->value.text)) return *c;
    return InvalidArgument("naming convention `" + r->value.text + "` (" + text::Join(r->path, ".") + ", " +
                           r->origin.Describe() + ") is not supported: this tool names tables and columns with one of dlt's " +
                           NamingConventionNames());
  }
  return NamingConvention::kSnakeCase;
}

// dlt's capability override of a destination (`duckdb(max_identifier_length=10)`, or
// [destination.<name>] max_identifier_length): 0 when not set.
StatusOr<size_t> ResolveMaxLength(const Workspace& ws, const std::string& pipeline_name,
                                  const std::string& destination_name) {
  if (destination_name.empty()) return size_t{0};
  DLT_ASSIGN_OR_RETURN(auto r, ws.config().Resolve(KeyOf({"destination", destination_name}, "max_identifier_length",
                                                         pipeline_name)));
  if (!r) return size_t{0};
  DLT_ASSIGN_OR_RETURN(int n, CredentialsLookup::ToInt(*r, 7, 65536));
  return static_cast<size_t>(n);
}

}  // namespace

StatusOr<SnakeCaseNaming> ResolvePipelineNaming(const Workspace& ws, const std::string& pipeline_name,
                                                const std::string& destination_name, const std::string& destination_type) {
  DLT_ASSIGN_OR_RETURN(NamingConvention convention, ResolveConvention(ws, pipeline_name, destination_name));
  DLT_ASSIGN_OR_RETURN(size_t max_length, ResolveMaxLength(ws, pipeline_name, destination_name));
  return SnakeCaseNaming(max_length ? max_length : MaxIdentifierLength(destination_type), convention);
}

}  // namespace dlt
