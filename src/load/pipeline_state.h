// The pipeline state, in dlt's layout (engine version 4): pipeline name, dataset, schema names,
// destination, source/resource state (incremental cursors), and a `_local` part that never
// leaves the machine. Stored locally as state.json and in the destination's
// _dlt_pipeline_state table as base64(zlib(compact JSON)).
#pragma once

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "common/json_read.h"
#include "dlt/status.h"

namespace dlt {

class PipelineState {
 public:
  static constexpr int kEngineVersion = 4;

  PipelineState() = default;
  explicit PipelineState(nlohmann::ordered_json doc) : doc_(std::move(doc)) {}
  static PipelineState New(const std::string& pipeline_name);

  // A state.json that is not JSON, or whose keys have the wrong type, is DataLoss naming the
  // file, the key and `dlt pipeline <name> sync` (the folder name is the pipeline name).
  static StatusOr<PipelineState> Load(const std::filesystem::path& path);
  // Checks the type of every key the engine reads from a state document (`where` prefixes the
  // key paths in messages: a state inside a package state is at "local_state"): versions, names,
  // `_local`, and the incremental state at sources.<schema>.resources.<resource>.incremental.
  static Status Validate(const nlohmann::ordered_json& doc, const jsonread::JsonFile& file, std::string_view where = "");
  Status Save(const std::filesystem::path& path) const;

  int version() const;
  // The destination the pipeline last ran with, as `dlt run` names it: `destination_name` (a named
  // destination), else the type of `destination_type` without dlt's "dlt.destinations." prefix;
  // empty when the state names none.
  std::string DestinationName() const;
  const std::string& version_hash() const;
  // Hash of the state without its version fields and without `_local`.
  std::string ComputeHash() const;
  // Recomputes the hash; when the content changed, increments `_state_version`. Returns true
  // when it changed (the state must then be stored in the destination with the next load).
  bool BumpIfChanged();

  // The destination form: base64 of zlib-compressed compact JSON, without `_local`.
  std::string Encode() const;
  static StatusOr<PipelineState> Decode(std::string_view encoded);

  nlohmann::ordered_json& doc() { return doc_; }
  const nlohmann::ordered_json& doc() const { return doc_; }
  // schema_names (dlt: every schema of the pipeline, the default first); default_schema_name
  // alone in states that do not list them.
  std::vector<std::string> SchemaNames() const;
  // sources.<schema>.resources.<resource> (created when missing)
  nlohmann::ordered_json& ResourceState(const std::string& schema, const std::string& resource);
  const nlohmann::ordered_json* FindResourceState(const std::string& schema, const std::string& resource) const;
  // Removes the resource's state (dlt's reset_resource_state); nothing when it has none.
  void ResetResourceState(const std::string& schema, const std::string& resource);

 private:
  nlohmann::ordered_json doc_ = nlohmann::ordered_json::object();
};

}  // namespace dlt
