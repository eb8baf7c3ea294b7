// The extract step: every resource's rows become an extracted load package (normalize/extracted/),
// published with one rename together with the state the run will have once it is loaded.
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>

#include "common/fault.h"
#include "destinations/destination_types.h"
#include "workspace/pipeline_paths.h"
#include "extract/extractor.h"
#include "extract/resource_access.h"
#include "extract/routed_extract.h"
#include "extract/typed_extract.h"
#include "pipeline/file_items.h"
#include "pipeline/package_manifest.h"
#include "pipeline/pipeline_impl.h"

namespace dlt {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

namespace {

// The last value of a resource's cursor in any schema's part of the state.
std::optional<Json> LastCursorValue(const Json& state, std::string_view resource, std::string_view cursor) {
  auto sources = state.find("sources");
  if (sources == state.end() || !sources->is_object()) return std::nullopt;
  for (const auto& [schema, s] : sources->items()) {
    const Json* v = &s;
    for (const std::string& key : {std::string("resources"), std::string(resource), std::string("incremental"),
                                   std::string(cursor), std::string("last_value")}) {
      if (!v->is_object()) {
        v = nullptr;
        break;
      }
      auto it = v->find(key);
      if (it == v->end()) {
        v = nullptr;
        break;
      }
      v = &*it;
    }
    if (v && !v->is_null()) return *v;
  }
  return std::nullopt;
}

// The size of the extract's job files (normalize gives each worker whole files);
// DLT_EXTRACT_PART_BYTES makes them small for tests of many workers on little data.
// DLT_PRE_NORMALIZE=0 turns normalizing while extracting off (to compare, in tests and benches).
// DLT_LOAD_WHILE_EXTRACTING=0 turns loading its files while extracting off (to compare).
bool LoadWhileExtractingEnabled() {
  static const bool on = [] {
    const char* v = std::getenv("DLT_LOAD_WHILE_EXTRACTING");
    return !(v && std::string(v) == "0");
  }();
  return on;
}

bool PreNormalizeEnabled() {
  static const bool on = [] {
    const char* v = std::getenv("DLT_PRE_NORMALIZE");
    return !(v && std::string(v) == "0");
  }();
  return on;
}

uint64_t ExtractPartBytes(uint64_t otherwise) {
  static const uint64_t env = [] {
    const char* v = std::getenv("DLT_EXTRACT_PART_BYTES");
    return v ? std::strtoull(v, nullptr, 10) : 0;
  }();
  return env ? env : otherwise;
}

}  // namespace

Status Pipeline::Impl::MergeSourceState(const std::vector<Resource>& resources) {
  if (!options.source_state) return Status::Ok();
  const std::string& schema_name = schema->name();
  DLT_ASSIGN_OR_RETURN(std::optional<std::string> given, options.source_state(schema_name));
  if (!given) return Status::Ok();
  Json user = Json::parse(*given, nullptr, false);
  const std::string what = "the source state of `" + schema_name + "` (dlt.current.source_state())";
  if (user.is_discarded() || !user.is_object()) {
    return InvalidArgument(what + " must be a dictionary of JSON-serializable values");
  }
  Json& stored = state.doc()["sources"][schema_name];
  if (!stored.is_object()) stored = Json::object();
  // The cursors this extract moved are the engine's: user code saw them before they moved. A
  // resource without an engine incremental keeps what user code wrote (dlt.sources.filesystem
  // keeps its file cursor there itself).
  for (const auto& r : resources) {
    if (!r.options().incremental) continue;
    const Json* engine = state.FindResourceState(schema_name, r.options().name);
    if (engine == nullptr || !engine->contains("incremental")) continue;
    Json& res = user["resources"][r.options().name];
    if (!res.is_object()) res = Json::object();
    res["incremental"] = (*engine)["incremental"];
  }
  Json check = Json::object();
  check["sources"][schema_name] = user;
  DLT_RETURN_IF_ERROR(PipelineState::Validate(check, jsonread::JsonFile::Labeled(what, "")));
  stored = std::move(user);
  return Status::Ok();
}

StatusOr<bool> Pipeline::Impl::Extract(const std::vector<Resource>& resources, const std::string& load_id, LoadInfo* info,
                                       bool pre_normalize) {
  auto t0 = std::chrono::steady_clock::now();
  pre_normalizer.reset();
  // Normalizing while extracting (pre_normalize.h): one JSON resource whose records come slowly
  // (RecordSource::slow_producer), a core to spare, and a destination that does not load while
  // normalizing (that path streams the parts instead).
  const DestinationType* dest_type = FindDestinationType(destination.type);
  std::unique_ptr<PreNormalizer> pre;
  std::string started_at = NowIso();
  mark = {"extract", load_id, std::nullopt};
  DLT_ASSIGN_OR_RETURN(fs::path tmp, storage->BeginPackage(load_id));
  // What was loaded while extracting stays in the destination's open transaction only when the
  // part it came from goes on to NormalizePackage; on every other way out it is rolled back,
  // before the part's folder goes (it is declared after `pre`, so it runs first).
  auto abandon_stream = [this] {
    if (!stream) return;
    StopStream();
    AbortStream();
    stream.reset();
  };
  struct StreamAbandon {
    const std::unique_ptr<PreNormalizer>* pre;
    std::function<void()> abandon;
    ~StreamAbandon() {
      if (!*pre) return;
      (*pre)->Finish();  // its thread hands the stream no further file
      abandon();
    }
  } stream_abandon{&pre, abandon_stream};
  PipelineState before = state;
  // A pending package of another source's schema may have been normalized just before.
  DLT_RETURN_IF_ERROR(UseSchema(WorkingSchemaName()));
  // As dlt: a resource that replaces its table starts from an empty state, its incremental
  // cursor too, so that the replacing load holds every row from the initial value on.
  for (const auto& r : resources) {
    if (r.options().write_disposition == "replace") state.ResetResourceState(schema->name(), r.options().name);
  }
  Json package_state = Json::object();
  package_state["created_at"] = NowIso();
  package_state["schema_name"] = schema->name();
  // dlt's refresh (PipelineOptions::refresh): the state is reset here; the tables are listed in
  // the package's state, for its load to drop or empty in its transaction (normalize leaves the
  // dropped ones out of the schema first, so that the package's rows make them anew).
  const std::string refresh = options.refresh;
  std::vector<std::string> refreshed;  // nested tables before their roots
  if (!refresh.empty()) {
    std::set<std::string> names;
    for (const auto& r : resources) names.insert(r.options().name);
    for (const Table* t : schema->DataTables()) {
      if (t->parent) continue;
      if (refresh != "drop_sources" && !(t->resource && names.count(*t->resource))) continue;
      auto nested = schema->NestedTablesOf(t->name);
      for (auto it = nested.rbegin(); it != nested.rend(); ++it) refreshed.push_back((*it)->name);
      refreshed.push_back(t->name);
    }
    if (refresh == "drop_sources") {
      if (auto src = state.doc().find("sources"); src != state.doc().end() && src->is_object()) src->erase(schema->name());
    } else {
      for (const auto& n : names) state.ResetResourceState(schema->name(), n);
    }
    if (!refreshed.empty()) package_state[refresh == "drop_data" ? "truncated_tables" : "dropped_tables"] = refreshed;
  }
  Json res_json = Json::object();
  Json job_kinds = Json::object();
  ExtractStats total;
  uint64_t written = 0;
  for (const auto& r : resources) {
    DLT_RETURN_IF_ERROR(ValidateResourceOptions(r.options()));
    res_json[r.options().name] = HintsToJson(r.options());
    ExtractContext context;
    context.pipeline_name = options.pipeline_name;
    context.last_value = [this](std::string_view resource, std::string_view cursor) {
      return LastCursorValue(state.doc(), resource, cursor);
    };
    auto opened = ResourceAccess::OpenSource(r, context);
    if (!opened.ok()) {
      mark.kind = RunFailure::Kind::kSource;
      state = before;
      std::error_code ec;
      fs::remove_all(tmp, ec);
      return opened.status();
    }
    auto source = std::move(opened).value();
    std::optional<IncrementalSpec> inc;
    Json* inc_state = nullptr;
    Json scratch;
    if (auto spec = IncrementalSpecOf(r.options())) {
      inc = *spec;
      // A backfill range (end_value) neither reads nor moves the stored cursor.
      inc_state = spec->end_value ? &scratch
                                  : &state.ResourceState(schema->name(), r.options().name)["incremental"][spec->cursor_path];
    }
    char stem_index[16];
    std::snprintf(stem_index, sizeof stem_index, ".%03d", static_cast<int>(++written));
    ExtractStats stats;
    auto t_resource = std::chrono::steady_clock::now();
    // The resource's own rows, and the run's total once there is more than one resource.
    auto show = [&](const ExtractStats& st, uint64_t bytes) {
      progress.Update("extract", r.options().name, st.records_out, bytes, SecondsSince(t_resource),
                      written > 1 ? std::to_string(total.records_out + st.records_out) + " rows in all" : "");
    };
    const bool typed = source->kind() == SourceKind::kTyped;
    bool whole_files = false;  // Parquet files kept as they are (file_items.h)
    const fs::path jobs_dir = tmp / package_file::kNewJobs;
    const std::string stem = r.options().name + stem_index;
    Status s;
    // Each table a record names (a table_name function, dlt.mark.with_table_name) gets the
    // resource's hints under a key of its own (normalize finds a job's hints by the file name's
    // part before the first dot), the resource's name kept inside them; the hints are written
    // again when the extract ends, as the source left them (dlt.mark.with_hints).
    int routed = 0;
    std::map<std::string, std::string> routed_keys;  // table -> its hints' key
    auto options_for = [&](const std::string& table) {
      const ResourceOptions* o = source->table_options(table);
      if (!o) o = source->resource_options();
      ResourceOptions out = o ? *o : r.options();
      out.name = r.options().name;
      out.table_name = table;
      return out;
    };
    auto stem_for = [&](const std::string& table) {
      std::string key;
      do key = r.options().name + "~" + std::to_string(++routed);
      while (res_json.contains(key));
      res_json[key] = HintsToJson(options_for(table));
      routed_keys[table] = key;
      return key + stem_index;
    };
    if (source->routes_tables()) {
      // The resource's own table gets nothing until a record names it.
      res_json.erase(r.options().name);
      s = ExtractRoutedResource(*source, jobs_dir, stem_for, inc, inc_state, &stats, show, ExtractPartBytes(16ull << 20));
    } else if (KeepsWholeFiles(*source, inc.has_value())) {
      whole_files = true;
      s = ExtractWholeFiles(*source, jobs_dir, stem, &stats, show);
    } else {
      // Normalizing (and loading) while extracting: a JSON resource whose records come slowly,
      // or a typed one whose part files the destination loads as they are (typed_items.h).
      // (No destination yet, as for `pipeline.extract()` of a pipeline without one: neither.)
      const bool json_pre = dest_type && !typed && source->slow_producer() && !dest_type->load_while_normalizing;
      const bool typed_pre = dest_type && typed && dest_type->typed_jobs_with_generated_columns &&
                             dest_type->load_while_extracting &&
                             !dest_type->load_while_normalizing && LoadWhileExtractingEnabled();
      // (Not with a refresh: nothing may reach the destination before its tables are dropped.)
      if (pre_normalize && refresh.empty() && resources.size() == 1 && normalize_workers >= 2 && (json_pre || typed_pre) &&
          PreNormalizeEnabled()) {
        PreNormalizer::Setup setup;
        setup.load_id = load_id;
        setup.schema = schema.get();
        setup.resources = res_json;
        setup.naming = &naming;
        setup.dir = PipelinePaths(dir).NewPackagesDir() / (load_id + ".pre");
        setup.typed_jobs = dest_type->reads_typed_jobs;
        // Its job files hold most of the rows: cut so that the load can read them on every core.
        setup.rotate_bytes = JobFileBytes() ? JobFileBytes() : uint64_t{32} << 20;
        // And loaded as they close, while the generator goes on (the load waits otherwise).
        if (dest_type->load_while_extracting && LoadWhileExtractingEnabled()) {
          StartStream(load_id, /*while_extracting=*/true);
          setup.rotate_bytes = StreamFileBytes();
          setup.on_file = [this](const Schema& part_schema, const JobFileInfo& f) {
            if (auto item = StreamItemFor(part_schema, f, /*may_alter=*/true)) stream->Push(std::move(*item));
          };
        }
        auto started = PreNormalizer::Start(std::move(setup));
        if (started.ok()) pre = std::move(started).value();  // else normalized the ordinary way
        else if (stream) abandon_stream();
      }
      std::function<void(const fs::path&)> closed;
      if (pre) {
        closed = [&](const fs::path& p) {
          PackageJob job;
          job.path = p;
          job.file_name = p.filename().string();
          job.table = job.file_name.substr(0, job.file_name.find('.'));
          pre->Push(std::move(job));
        };
      }
      RoutedTableWriter marked(jobs_dir, stem_for, ExtractPartBytes(16ull << 20), &stats);  // opens files lazily
      if (typed) {
        // Loaded while extracting, a part file is loaded on one thread and the normalize step
        // waits for the one in hand: smaller parts then, else big ones for the load's threads.
        s = ExtractTypedResource(*source, jobs_dir, stem, inc, inc_state, &stats, show,
                                 ExtractPartBytes(pre && stream ? 16ull << 20 : 64ull << 20), closed);
      } else {
        s = ExtractResource(*source, jobs_dir, stem, inc, inc_state, &stats, show, ExtractPartBytes(16ull << 20),
                            &marked, closed);
      }
      if (pre) pre->Stop();  // the file in hand is finished meanwhile
    }
    if (s.ok()) {
      for (const auto& [table, key] : routed_keys) res_json[key] = HintsToJson(options_for(table));
      // The resource's own table takes the hints it ended with, unless they moved its later
      // items to another table: then it keeps those its rows went there with (as dlt).
      const ResourceOptions* changed = source->resource_options();
      if (changed && changed->table_name == r.options().table_name && res_json.contains(r.options().name)) {
        ResourceOptions o = *changed;
        o.name = r.options().name;
        res_json[r.options().name] = HintsToJson(o);
      }
    }
    // Normalize reads each job by the kind recorded here (package_manifest.h).
    for (const auto& f : stats.files) job_kinds[f] = whole_files ? kJobKindParquet : typed ? kJobKindTyped : kJobKindJson;
    if (!s.ok()) {
      // The resource's rows could not be read (its source's error, or its data's).
      mark.kind = RunFailure::Kind::kSource;
      state = before;
      std::error_code ec;
      fs::remove_all(tmp, ec);
      return s;
    }
    total.records_in += stats.records_in;
    total.records_out += stats.records_out;
    total.records_skipped += stats.records_skipped;
    total.bytes += stats.bytes;
  }
  progress.Done();
  if (Status merged = MergeSourceState(resources); !merged.ok()) {
    mark.kind = RunFailure::Kind::kSource;
    state = before;
    std::error_code ec;
    fs::remove_all(tmp, ec);
    return merged;
  }
  info->records_skipped += total.records_skipped;
  package_state["resources"] = res_json;
  package_state[kJobKindsKey] = job_kinds;
  Json& local = state.doc()["_local"];
  local["first_run"] = false;
  local["_last_extracted_at"] = NowIso();
  bool state_changed = state.BumpIfChanged();
  info->steps.push_back({"extract", SecondsSince(t0), total.records_out, total.bytes, started_at, NowIso()});
  if (total.records_out == 0 && !state_changed && refreshed.empty()) {
    std::error_code ec;
    fs::remove_all(tmp, ec);
    state = before;
    return false;
  }
  if (state_changed) {
    Json ps = Json::object();
    ps["version"] = state.version();
    ps["engine_version"] = PipelineState::kEngineVersion;
    ps["pipeline_name"] = options.pipeline_name;
    ps["state"] = state.Encode();
    ps["version_hash"] = state.version_hash();
    ps["_dlt_id"] = NewRowKey();
    package_state["pipeline_state"] = ps;
  }
  package_state["local_state"] = state.doc();
  DLT_RETURN_IF_ERROR(PackageStorage::WriteJson(tmp / package_file::kState, package_state));
  FaultPoint("extract_before_publish");
  DLT_RETURN_IF_ERROR(storage->Publish(tmp, PackageStage::kExtracted, load_id));
  FaultPoint("extract_before_state_save");
  DLT_RETURN_IF_ERROR(state.Save(StatePath()));
  FaultPoint("after_extract");
  Touch(load_id);
  pre_normalizer = std::move(pre);
  return true;
}

}  // namespace dlt
