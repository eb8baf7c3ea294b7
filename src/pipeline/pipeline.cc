// The pipeline: runs extract -> normalize -> load over load packages on disk, so that every
// stage can be resumed from what the previous one left behind.
#include "dlt/pipeline.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <set>
#include <thread>

#include "common/fault.h"
#include "common/fs.h"
#include "common/text.h"
#include "dlt/destination.h"
#include "extract/extractor.h"
#include "extract/json_reader.h"
#include "load/package.h"
#include "load/package_state.h"
#include "load/pipeline_state.h"
#include "load/sql_loader.h"
#include "normalize/job_writer.h"
#include "normalize/naming.h"
#include "normalize/relational.h"
#include "normalize/schema.h"
#include "normalize/schema_history.h"
#include "pipeline/destination_factory.h"
#include "pipeline/pipeline_lock.h"
#include "pipeline/progress.h"

namespace dlt {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

namespace {

double Since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

Status ValidatePipelineName(const std::string& name) {
  bool ok = !name.empty() && name.size() <= 128 && name != "." && name != "..";
  for (char c : name) {
    if (c == '/' || c == '\\' || c == '\0' || static_cast<unsigned char>(c) < 0x20) ok = false;
  }
  if (!ok) {
    return InvalidArgument("Invalid pipeline name `" + name +
                           "`: it names a folder, so it cannot be empty or contain path separators");
  }
  return Status::Ok();
}

Json HintsToJson(const ResourceOptions& o) {
  Json j = Json::object();
  j["name"] = o.name;
  j["table_name"] = o.table_name.empty() ? o.name : o.table_name;
  j["write_disposition"] = o.write_disposition;
  j["primary_key"] = o.primary_key;
  j["merge_key"] = o.merge_key;
  j["max_table_nesting"] = o.max_table_nesting;
  j["schema_contract"] = {{"tables", o.schema_contract.tables},
                          {"columns", o.schema_contract.columns},
                          {"data_type", o.schema_contract.data_type}};
  if (o.incremental && o.incremental->cursor_path.find('.') == std::string::npos &&
      o.incremental->cursor_path.find('[') == std::string::npos) {
    std::string cursor = o.incremental->cursor_path;
    if (cursor.starts_with("$.")) cursor = cursor.substr(2);
    j["incremental_cursor"] = cursor;
  }
  Json cols = Json::array();
  for (const auto& c : o.columns) {
    Json cj = Json::object();
    cj["name"] = c.name;
    if (c.data_type) cj["data_type"] = *c.data_type;
    if (c.nullable) cj["nullable"] = *c.nullable;
    if (c.primary_key) cj["primary_key"] = true;
    if (c.merge_key) cj["merge_key"] = true;
    if (c.unique) cj["unique"] = true;
    if (c.precision) cj["precision"] = *c.precision;
    if (c.scale) cj["scale"] = *c.scale;
    cols.push_back(cj);
  }
  j["columns"] = cols;
  return j;
}

StatusOr<TableHints> HintsFromJson(const Json& j) {
  TableHints h;
  h.resource = j.value("name", "");
  h.table_name = j.value("table_name", h.resource);
  auto disp = ParseWriteDisposition(j.value("write_disposition", "append"));
  if (!disp) return InvalidArgument("unknown write_disposition `" + j.value("write_disposition", "") + "`");
  h.disposition = *disp;
  for (const auto& k : j.value("primary_key", Json::array())) h.primary_key.push_back(k.get<std::string>());
  for (const auto& k : j.value("merge_key", Json::array())) h.merge_key.push_back(k.get<std::string>());
  h.max_nesting = j.value("max_table_nesting", 1000);
  if (auto sc = j.find("schema_contract"); sc != j.end() && sc->is_object()) {
    h.contract_tables = sc->value("tables", "evolve");
    h.contract_columns = sc->value("columns", "evolve");
    h.contract_data_type = sc->value("data_type", "evolve");
  }
  h.incremental_cursor = j.value("incremental_cursor", "");
  for (const auto& cj : j.value("columns", Json::array())) {
    ColumnHint c;
    c.name = cj.value("name", "");
    if (cj.contains("data_type")) {
      auto t = ParseDataType(cj["data_type"].get<std::string>());
      if (!t) return InvalidArgument("column `" + c.name + "`: unknown data_type `" + cj["data_type"].get<std::string>() + "`");
      c.data_type = *t;
    }
    if (cj.contains("nullable")) c.nullable = cj["nullable"].get<bool>();
    c.primary_key = cj.value("primary_key", false);
    c.merge_key = cj.value("merge_key", false);
    c.unique = cj.value("unique", false);
    if (cj.contains("precision")) c.precision = cj["precision"].get<int>();
    if (cj.contains("scale")) c.scale = cj["scale"].get<int>();
    h.columns.push_back(c);
  }
  return h;
}

Status ValidateOptions(const ResourceOptions& o) {
  if (o.name.empty()) return InvalidArgument("a resource needs a name");
  if (o.name.find_first_of("./\\") != std::string::npos || o.name.size() > 200) {
    return InvalidArgument("resource name `" + o.name + "` may not contain `.`, `/` or `\\` (use table_name to name its table)");
  }
  if (!ParseWriteDisposition(o.write_disposition)) {
    return InvalidArgument("resource `" + o.name + "`: unknown write_disposition `" + o.write_disposition +
                           "` (use append, replace, merge or skip)");
  }
  for (const auto& c : o.columns) {
    if (c.data_type && !ParseDataType(*c.data_type)) {
      return InvalidArgument("resource `" + o.name + "`, column `" + c.name + "`: unknown data_type `" + *c.data_type +
                             "` (use text, bigint, double, bool, timestamp, date, time, decimal, json, binary)");
    }
  }
  if (o.incremental) {
    if (o.incremental->cursor_path.empty()) return InvalidArgument("resource `" + o.name + "`: incremental needs a cursor_path");
    const auto& m = o.incremental->on_cursor_value_missing;
    if (m != "raise" && m != "include" && m != "exclude") {
      return InvalidArgument("resource `" + o.name + "`: on_cursor_value_missing must be raise, include or exclude");
    }
    if (o.incremental->initial_value_json) {
      auto v = Json::parse(*o.incremental->initial_value_json, nullptr, false);
      if (v.is_discarded()) return InvalidArgument("resource `" + o.name + "`: initial_value is not a JSON value");
    }
  }
  if (o.max_table_nesting < 0) return InvalidArgument("resource `" + o.name + "`: max_table_nesting must be >= 0");
  for (const auto& [kind, m] : {std::pair<const char*, const std::string&>{"tables", o.schema_contract.tables},
                                {"columns", o.schema_contract.columns},
                                {"data_type", o.schema_contract.data_type}}) {
    bool ok = m == "evolve" || m == "freeze" || (m == "discard_value" && std::string_view(kind) != "tables");
    if (!ok) {
      return InvalidArgument("resource `" + o.name + "`: schema_contract." + kind + " must be evolve, freeze" +
                             (std::string_view(kind) != "tables" ? " or discard_value" : "") + ", got `" + m + "`");
    }
  }
  return Status::Ok();
}

// True when every column present in both schemas has the same type and flags.
bool SchemasAgree(const Schema& a, const Schema& b) {
  for (const Table& tb : b.tables()) {
    const Table* ta = a.FindTable(tb.name);
    if (!ta) continue;
    if (ta->parent != tb.parent) return false;
    for (const Column& cb : tb.columns) {
      const Column* ca = ta->FindColumn(cb.name);
      if (ca && (ca->data_type != cb.data_type || ca->nullable != cb.nullable || ca->variant != cb.variant)) return false;
    }
  }
  return true;
}

// Appends the tables and columns of `b` that `a` lacks, in `b`'s order.
void MergeSchemaInto(Schema& a, const Schema& b) {
  for (const Table& tb : b.tables()) {
    Table* ta = a.FindTable(tb.name);
    if (!ta) {
      a.AddTable(tb);
      continue;
    }
    ta->seen_data = ta->seen_data || tb.seen_data;
    for (const Column& cb : tb.columns) {
      if (!ta->FindColumn(cb.name)) ta->columns.push_back(cb);
    }
  }
}

}  // namespace

struct Pipeline::Impl {
  PipelineOptions options;
  std::string profile;
  std::string profile_selected_by;
  std::vector<std::pair<std::string, std::string>> config_origins;  // key -> where its value came from
  DestinationConfig destination;
  fs::path dir;
  std::unique_ptr<PackageStorage> storage;
  PipelineState state;
  std::unique_ptr<Schema> schema;
  SnakeCaseNaming naming;
  // dlt's `<dataset_name>_staging` (the name as given, not yet normalized), normalized.
  std::string staging_dataset;
  std::unique_ptr<SqlClient> client;
  std::unique_ptr<SqlLoader> loader;
  Progress progress;

  // Loading while normalizing: job files of append tables that the normalizer finishes early
  // (it closes them at StreamFileBytes()) are loaded by a thread of their own into the package's
  // transaction, which stays open until LoadPackage commits it after the normalized package is
  // published. A crash before that commit loses nothing: the destination rolls the transaction
  // back and the package is normalized or loaded again. When anything goes wrong on that thread
  // the transaction is rolled back and the package is loaded the ordinary way.
  // DLT_STREAM_FILE_BYTES overrides the size (for the crash tests of this path with small data).
  static uint64_t StreamFileBytes() {
    static const uint64_t bytes = [] {
      const char* env = std::getenv("DLT_STREAM_FILE_BYTES");
      uint64_t v = env && *env ? std::strtoull(env, nullptr, 10) : 0;
      return v ? v : uint64_t{16} << 20;
    }();
    return bytes;
  }
  // DuckDB reads job files with one thread per file. A big package is normalized in two halves,
  // so its big tables have two files: enough for two cores. With more cores, files are also
  // continued in a new file at 32 MB so that the load can use them all. (On two cores that only
  // costs: about 0.3 s more CPU for the nested benchmark, measured.)
  static uint64_t JobFileBytes() {
    static const uint64_t bytes = std::thread::hardware_concurrency() > 2 ? (uint64_t{32} << 20) : 0;
    return bytes;
  }
  struct StreamItem {
    Table table;  // the table as it was when the file was written (its columns = the file's header)
    PackageJob job;
    bool may_alter = true;  // false: load only into a table that already has every column
  };
  struct Stream {
    std::mutex mu;
    std::condition_variable cv;
    std::deque<StreamItem> queue;
    std::vector<StreamItem> waiting;  // files of tables not yet widened by the first half
    bool stopping = false;
    bool failed = false;
    bool begun = false;
    std::set<std::string> loaded_files;
    std::set<std::string> loaded_tables;
    std::thread thread;
  };
  struct Streamed {
    std::string load_id;
    std::set<std::string> files;
    std::set<std::string> tables;
  };
  std::unique_ptr<Stream> stream;
  std::optional<Streamed> streamed;  // the package whose transaction is open, with what it loaded

  // Loads one streamed file; false = not loadable yet (a column is still missing).
  StatusOr<bool> StreamOne(Stream& st, const StreamItem& item) {
    if (!st.begun) {
      DLT_RETURN_IF_ERROR(OpenDestination());
      FaultPoint("load_before_transaction");
      DLT_RETURN_IF_ERROR(loader->BeginStream());
      st.begun = true;
    }
    if (!item.may_alter) {
      DLT_ASSIGN_OR_RETURN(auto have, client->TableColumns(options.dataset_name, item.table.name));
      std::set<std::string> cols(have.begin(), have.end());
      for (const auto& c : item.table.columns) {
        if (!cols.count(c.name)) return false;
      }
    }
    DLT_RETURN_IF_ERROR(loader->StreamJob(item.table, item.job));
    return true;
  }

  void StreamWorker() {
    Stream& st = *stream;
    std::unique_lock<std::mutex> lock(st.mu);
    for (;;) {
      st.cv.wait(lock, [&] { return st.stopping || !st.queue.empty(); });
      if (st.stopping || st.failed) return;  // what is left is loaded with the package
      StreamItem item = std::move(st.queue.front());
      st.queue.pop_front();
      lock.unlock();
      auto r = StreamOne(st, item);
      bool progress_made = r.ok() && *r;
      // Files that waited for a column may be loadable now.
      std::vector<StreamItem> retry;
      if (progress_made) {
        lock.lock();
        retry.swap(st.waiting);
        lock.unlock();
        for (auto& w : retry) {
          if (!r.ok()) break;
          auto rr = StreamOne(st, w);
          if (!rr.ok()) {
            r = rr.status();
            break;
          }
          lock.lock();
          if (*rr) {
            st.loaded_files.insert(w.job.file_name);
            st.loaded_tables.insert(w.table.name);
          } else {
            st.waiting.push_back(std::move(w));
          }
          lock.unlock();
        }
      }
      lock.lock();
      if (!r.ok()) {
        st.failed = true;
      } else if (*r) {
        st.loaded_files.insert(item.job.file_name);
        st.loaded_tables.insert(item.table.name);
      } else {
        st.waiting.push_back(std::move(item));
      }
    }
  }

  void StreamPush(StreamItem item) {
    Stream& st = *stream;
    {
      std::lock_guard<std::mutex> lock(st.mu);
      if (st.stopping || st.failed) return;
      st.queue.push_back(std::move(item));
    }
    st.cv.notify_one();
  }

  // Stops the stream thread once the file being loaded is done (the rest is loaded with the
  // package). Returns false when the stream failed (its transaction is then rolled back).
  bool StopStream() {
    if (!stream) return false;
    {
      std::lock_guard<std::mutex> lock(stream->mu);
      stream->stopping = true;
    }
    stream->cv.notify_all();
    if (stream->thread.joinable()) stream->thread.join();
    bool ok = stream->begun && !stream->failed;
    if (stream->begun && stream->failed) loader->AbortStream();
    return ok;
  }

  fs::path StatePath() const { return dir / "state.json"; }
  fs::path SchemaPath() const { return dir / "schemas" / (options.pipeline_name + ".schema.json"); }

  Status OpenDestination() {
    if (client) return Status::Ok();
    DLT_ASSIGN_OR_RETURN(client, MakeSqlClient(destination, options.read_only));
    loader = std::make_unique<SqlLoader>(client.get(), options.dataset_name, staging_dataset);
    return Status::Ok();
  }

  Status LoadLocal() {
    std::error_code ec;
    if (fs::exists(StatePath(), ec)) {
      DLT_ASSIGN_OR_RETURN(state, PipelineState::Load(StatePath()));
    } else {
      state = PipelineState::New(options.pipeline_name);
    }
    if (fs::exists(SchemaPath(), ec)) {
      DLT_ASSIGN_OR_RETURN(Schema s, Schema::ReadFile(SchemaPath(), "Restore it from the destination with `dlt pipeline " +
                                                                        options.pipeline_name + " sync`"));
      schema = std::make_unique<Schema>(std::move(s));
    } else {
      schema = std::make_unique<Schema>(options.pipeline_name);
    }
    Json& d = state.doc();
    d["pipeline_name"] = options.pipeline_name;
    d["dataset_name"] = options.dataset_name;
    d["default_schema_name"] = schema->name();
    d["schema_names"] = Json::array({schema->name()});
    d["destination_type"] = "dlt.destinations." + destination.type;
    d["destination_name"] = destination.name == destination.type ? Json(nullptr) : Json(destination.name);
    return Status::Ok();
  }

  // A package published by a run that crashed before saving state.json carries the newer state.
  // It is saved to state.json at once: the package is loaded and moved away by this run, and a
  // run that extracts nothing new would otherwise never write the state, leaving state.json with
  // the old cursor for the run after (which would extract the package's rows again).
  Status AdoptNewerPackageState() {
    bool adopted = false;
    for (PackageStage stage : {PackageStage::kExtracted, PackageStage::kNormalized}) {
      for (const auto& id : storage->List(stage)) {
        // A damaged package is reported by the normalize or load of it that follows.
        auto ps = ReadLoadPackageState(storage->PackageDir(stage, id) / "load_package_state.json", options.pipeline_name);
        if (!ps.ok() || !ps->local_state) continue;
        PipelineState local(*ps->local_state);
        if (local.version() > state.version()) {
          state = std::move(local);
          adopted = true;
        }
      }
    }
    if (adopted) DLT_RETURN_IF_ERROR(state.Save(StatePath()));
    return Status::Ok();
  }

  // Restores state and schema from the destination when the local folder has none (a new
  // machine, or a folder wiped by `dlt workspace clean`).
  Status RestoreFromDestinationIfNew() {
    std::error_code ec;
    if (fs::exists(StatePath(), ec)) return Status::Ok();
    if (!storage->List(PackageStage::kExtracted).empty() || !storage->List(PackageStage::kNormalized).empty()) {
      return Status::Ok();
    }
    if (destination.type == "duckdb") {
      const auto& db = std::get<DuckDbCredentials>(destination.credentials).database;
      if (!fs::exists(db, ec)) return Status::Ok();
    }
    DLT_RETURN_IF_ERROR(OpenDestination());
    DLT_ASSIGN_OR_RETURN(auto stored, loader->RetrieveState(options.pipeline_name));
    if (!stored) return Status::Ok();
    DLT_ASSIGN_OR_RETURN(PipelineState restored, PipelineState::Decode(stored->state));
    Json local = state.doc().value("_local", Json::object());
    state = std::move(restored);
    state.doc()["_local"] = local;
    DLT_ASSIGN_OR_RETURN(auto stored_schema, loader->RetrieveSchema(options.pipeline_name));
    if (stored_schema) {
      DLT_ASSIGN_OR_RETURN(Schema s, Schema::FromJson(*stored_schema, "stored schema"));
      schema = std::make_unique<Schema>(std::move(s));
      DLT_RETURN_IF_ERROR(fsutil::WriteFileAtomic(SchemaPath(), schema->ToJson(true)));
    }
    DLT_RETURN_IF_ERROR(state.Save(StatePath()));
    progress.Note("Restored the state of pipeline " + options.pipeline_name + " (version " +
                  std::to_string(state.version()) + ") from the destination.");
    return Status::Ok();
  }

  std::string NextLoadId() {
    std::optional<std::string> last;
    double best = 0;
    for (PackageStage stage : {PackageStage::kExtracted, PackageStage::kNormalized, PackageStage::kLoaded}) {
      for (const auto& id : storage->List(stage)) {
        double v = std::strtod(id.c_str(), nullptr);
        if (v >= best) {
          best = v;
          last = id;
        }
      }
    }
    return NewLoadId(last);
  }

  StatusOr<bool> Extract(const std::vector<Resource>& resources, const std::string& load_id, LoadInfo* info) {
    auto t0 = std::chrono::steady_clock::now();
    DLT_ASSIGN_OR_RETURN(fs::path tmp, storage->BeginPackage(load_id));
    PipelineState before = state;
    Json package_state = Json::object();
    package_state["created_at"] = NowIso();
    Json res_json = Json::object();
    ExtractStats total;
    uint64_t written = 0;
    for (const auto& r : resources) {
      DLT_RETURN_IF_ERROR(ValidateOptions(r.options()));
      res_json[r.options().name] = HintsToJson(r.options());
      DLT_ASSIGN_OR_RETURN(auto source, r.Open());
      std::optional<IncrementalSpec> inc;
      Json* inc_state = nullptr;
      Json scratch;
      if (r.options().incremental) {
        IncrementalSpec spec;
        spec.cursor_path = r.options().incremental->cursor_path;
        if (r.options().incremental->initial_value_json) {
          spec.initial_value = Json::parse(*r.options().incremental->initial_value_json);
        }
        spec.on_cursor_value_missing = r.options().incremental->on_cursor_value_missing;
        // The incremental's own primary_key wins, then the resource's (as dlt's
        // set_deduplication_key); without either, rows are told apart by their whole content.
        if (r.options().incremental->primary_key) {
          spec.dedup_key = *r.options().incremental->primary_key;
          spec.dedup_key_is_list = r.options().incremental->primary_key_is_list;
        } else if (!r.options().primary_key.empty()) {
          spec.dedup_key = r.options().primary_key;
          spec.dedup_key_is_list = r.options().primary_key_is_list;
        }
        spec.resource_name = r.options().name;
        inc = spec;
        inc_state = &state.ResourceState(schema->name(), r.options().name)["incremental"][spec.cursor_path];
      }
      char stem_index[16];
      std::snprintf(stem_index, sizeof stem_index, ".%03d", static_cast<int>(++written));
      ExtractStats stats;
      auto t_resource = std::chrono::steady_clock::now();
      // The resource's own rows, and the run's total once there is more than one resource.
      Status s = ExtractResource(*source, tmp / "new_jobs", r.options().name + stem_index, inc, inc_state, &stats,
                                 [&](const ExtractStats& st, uint64_t bytes) {
        progress.Update("extract", r.options().name, st.records_out, bytes, Since(t_resource),
                        written > 1 ? std::to_string(total.records_out + st.records_out) + " rows in all" : "");
      });
      if (!s.ok()) {
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
    info->records_skipped += total.records_skipped;
    package_state["resources"] = res_json;
    Json& local = state.doc()["_local"];
    local["first_run"] = false;
    local["_last_extracted_at"] = NowIso();
    bool state_changed = state.BumpIfChanged();
    info->steps.push_back({"extract", Since(t0), total.records_out, total.bytes});
    if (total.records_out == 0 && !state_changed) {
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
    DLT_RETURN_IF_ERROR(PackageStorage::WriteJson(tmp / "load_package_state.json", package_state));
    FaultPoint("extract_before_publish");
    DLT_RETURN_IF_ERROR(storage->Publish(tmp, PackageStage::kExtracted, load_id));
    FaultPoint("extract_before_state_save");
    DLT_RETURN_IF_ERROR(state.Save(StatePath()));
    FaultPoint("after_extract");
    return true;
  }

  // `stream`: load finished job files while normalizing (see Stream).
  Status NormalizePackage(const std::string& load_id, LoadInfo* info, bool stream_load = false) {
    auto t0 = std::chrono::steady_clock::now();
    streamed.reset();
    // Whatever happens, the stream thread is stopped on return, and its transaction is rolled
    // back unless the package was published (LoadPackage commits it then).
    bool published = false;
    struct StreamGuard {
      Impl* im;
      bool* published;
      ~StreamGuard() {
        if (!im->stream) return;
        bool ok = im->StopStream();
        if (ok && !*published) im->loader->AbortStream();
        im->stream.reset();
      }
    } stream_guard{this, &published};
    fs::path src = storage->PackageDir(PackageStage::kExtracted, load_id);
    DLT_ASSIGN_OR_RETURN(LoadPackageState read, ReadLoadPackageState(src / "load_package_state.json", options.pipeline_name));
    Json ps = std::move(read.doc);
    DLT_ASSIGN_OR_RETURN(fs::path tmp, storage->BeginPackage(load_id));
    std::map<std::string, TableHints> hints;
    for (auto it = ps["resources"].begin(); it != ps["resources"].end(); ++it) {
      DLT_ASSIGN_OR_RETURN(TableHints h, HintsFromJson(it.value()));
      hints[it.key()] = std::move(h);
    }
    const bool new_schema = IsNewSchema(*schema);
    auto jobs = storage->Jobs(PackageStage::kExtracted, load_id);
    uint64_t total_bytes = 0;
    for (const auto& j : jobs) {
      std::error_code ec;
      total_bytes += fs::file_size(j.path, ec);
    }
    // Big packages are normalized in two halves at once. The second half starts from the same
    // schema; when both halves agree on every column type the second half's new tables and
    // columns are appended after the first half's, exactly as one pass would order them.
    // When they disagree (a type change across the halves) the second half is redone after the
    // first, so the result is always the one of a single pass.
    // The halves are cut between the part files where their sizes come closest (extract writes
    // parts of 16 MB, so they differ by at most 8 MB).
    size_t split = jobs.size();
    if (jobs.size() >= 2 && total_bytes >= (48ull << 20)) {
      uint64_t acc = 0, best_diff = UINT64_MAX;
      for (size_t i = 0; i + 1 < jobs.size(); ++i) {
        std::error_code ec;
        acc += fs::file_size(jobs[i].path, ec);
        uint64_t diff = acc * 2 > total_bytes ? acc * 2 - total_bytes : total_bytes - acc * 2;
        if (diff < best_diff) {
          best_diff = diff;
          split = i + 1;
        }
      }
    }
    std::vector<PackageJob> first(jobs.begin(), jobs.begin() + static_cast<long>(split));
    std::vector<PackageJob> second(jobs.begin() + static_cast<long>(split), jobs.end());

    struct Part {
      Schema schema;
      std::unique_ptr<JobWriterSet> writers;
      std::unique_ptr<Normalizer> normalizer;
      std::vector<JobFileInfo> files;
      uint64_t records = 0;
    };
    std::atomic<uint64_t> normalized_records{0};
    Part* part_a = nullptr;
    Part* part_b = nullptr;
    // Files of the first half are final when written; those of the second half only when both
    // halves agree on the column types (checked after both are done, the stream is abandoned
    // otherwise), so they never create or widen a table.
    auto stream_files = [&](Part& part, bool may_alter) {
      part.writers->SetRotation(StreamFileBytes(), [this, &part, may_alter](const JobFileInfo& f) {
        const Table* t = part.schema.FindTable(f.table);
        if (!t) return;
        const Table& root = part.schema.RootOf(f.table);
        if (root.write_disposition.value_or(WriteDisposition::kAppend) != WriteDisposition::kAppend) return;
        StreamItem item;
        item.table.name = t->name;
        item.table.parent = t->parent;
        for (const auto& name : f.columns) {
          const Column* c = t->FindColumn(name);
          if (!c) return;
          item.table.columns.push_back(*c);
        }
        item.job.table = f.table;
        item.job.path = f.path;
        item.job.file_name = f.path.filename().string();
        item.may_alter = may_alter;
        StreamPush(std::move(item));
      });
    };
    auto run_part = [&](Part& part, const std::vector<PackageJob>& part_jobs, bool show) -> Status {
      part.writers = std::make_unique<JobWriterSet>(tmp / "new_jobs");
      if (stream && (&part == part_a || &part == part_b)) {
        stream_files(part, &part == part_a);
      } else if (JobFileBytes() > 0) {
        part.writers->SetRotation(JobFileBytes(), nullptr);
      }
      part.normalizer = std::make_unique<Normalizer>(&part.schema, &naming, load_id, part.writers.get());
      for (const auto& [name, h] : hints) DLT_RETURN_IF_ERROR(part.normalizer->Prepare(h));
      for (const auto& job : part_jobs) {
        std::string resource = job.file_name.substr(0, job.file_name.find('.'));
        auto h = hints.find(resource);
        if (h == hints.end()) return DataLoss("extracted job " + job.path.string() + " has no resource hints in its package");
        JsonReaderOptions ro;
        ro.format = JsonFormat::kJsonLines;
        DLT_ASSIGN_OR_RETURN(auto reader, JsonRecordReader::Open(job.path, ro));
        RawRecord rec;
        // Named only when an error needs it.
        const std::function<std::string()> where = [&] {
          // The source's own location (file:line) when extract recorded it.
          if (auto loc = RecordSourceLocation(job.path, rec.index)) return *loc + " (resource `" + resource + "`)";
          return "resource `" + resource + "` record " + std::to_string(rec.index + 1) + " of " + job.file_name;
        };
        for (;;) {
          DLT_ASSIGN_OR_RETURN(bool more, reader->Next(&rec));
          if (!more) break;
          DLT_RETURN_IF_ERROR(part.normalizer->NormalizeRecord(
              rec.json, h->second, where, JsonRecordReader::kReadableTail >= Normalizer::kParserPadding));
          // Both halves add to one count, so the line shows the package's true total.
          if (++part.records % 65536 == 0) {
            uint64_t all = normalized_records.fetch_add(65536) + 65536;
            if (show) progress.Update("normalize", "all resources", all, part.writers->bytes_written(), Since(t0));
          }
        }
      }
      DLT_ASSIGN_OR_RETURN(part.files, part.writers->Close());
      return Status::Ok();
    };
    Part a{*schema, nullptr, nullptr, {}, 0};
    Part b{*schema, nullptr, nullptr, {}, 0};
    part_a = &a;
    part_b = &b;
    if (stream_load) {
      stream = std::make_unique<Stream>();
      stream->thread = std::thread([this] { StreamWorker(); });
    }
    Status status_b = Status::Ok();
    // The destination's library loads meanwhile (about 30 ms for DuckDB's), not after.
    std::thread preload;
    if (!client) preload = std::thread([this] { PreloadDestination(destination); });
    std::thread worker;
    if (!second.empty()) worker = std::thread([&] { status_b = run_part(b, second, false); });
    Status status_a = run_part(a, first, true);
    if (worker.joinable()) worker.join();
    if (preload.joinable()) preload.join();
    progress.Done();
    // The remaining files are loaded with the package; paths change when it is published.
    bool stream_ok = stream && StopStream();
    DLT_RETURN_IF_ERROR(status_a);
    DLT_RETURN_IF_ERROR(status_b);
    std::map<std::string, uint64_t> row_counts = a.normalizer->row_counts();
    std::vector<JobFileInfo> files = a.files;
    if (!second.empty()) {
      if (SchemasAgree(a.schema, b.schema)) {
        MergeSchemaInto(a.schema, b.schema);
        for (const auto& [t, n] : b.normalizer->row_counts()) row_counts[t] += n;
        files.insert(files.end(), b.files.begin(), b.files.end());
      } else {
        if (stream_ok) {
          // Files of the second half may have been loaded: load the package the ordinary way.
          loader->AbortStream();
          stream_ok = false;
        }
        for (const auto& f : b.files) {
          std::error_code ec;
          fs::remove(f.path, ec);
        }
        Part c{std::move(a.schema), nullptr, nullptr, {}, 0};
        DLT_RETURN_IF_ERROR(run_part(c, second, true));
        for (const auto& [t, n] : c.normalizer->row_counts()) row_counts[t] += n;
        files.insert(files.end(), c.files.begin(), c.files.end());
        a.schema = std::move(c.schema);
      }
    }
    Schema work = std::move(a.schema);
    uint64_t bytes_written = 0;
    nlohmann::ordered_json job_bytes = nlohmann::ordered_json::object();  // checked before the load
    for (const auto& f : files) {
      job_bytes[f.path.filename().string()] = f.bytes;
      bytes_written += f.bytes;
    }
    if (new_schema) {
      // The two versions dlt's extract step gives a new schema (normalize/schema_history.h).
      std::vector<const TableHints*> hs;
      for (const auto& [name, h] : hints) hs.push_back(&h);
      ExtractStepHashes eh = ComputeExtractStepHashes(work, hs, naming);
      work.SetVersionHistory(1, eh.state_added, {eh.tables_added});
    }
    work.BumpVersion();
    std::vector<std::string> replace;
    for (const auto& [name, h] : hints) {
      if (h.disposition == WriteDisposition::kReplace) replace.push_back(naming.NormalizeIdentifier(h.table_name));
    }
    ps["replace_tables"] = replace;
    Json counts = Json::object();
    uint64_t rows = 0;
    for (const auto& [t, n] : row_counts) {
      counts[t] = n;
      rows += n;
    }
    ps["row_counts"] = counts;
    ps["job_bytes"] = job_bytes;
    DLT_RETURN_IF_ERROR(fsutil::WriteFileAtomic(tmp / "schema.json", work.ToJson()));
    // The tables and columns this package adds to the schema (dlt's schema_updates.json).
    DLT_RETURN_IF_ERROR(PackageStorage::WriteJson(tmp / "schema_updates.json", work.UpdateOf(work.ColumnsAddedSince(*schema))));
    DLT_RETURN_IF_ERROR(PackageStorage::WriteJson(tmp / "load_package_state.json", ps));
    // The pipeline's schema is saved before the package is published: a crash in between leaves
    // the extracted package, which normalizes again against a schema that already has its columns.
    FaultPoint("normalize_before_schema_save");
    DLT_RETURN_IF_ERROR(fsutil::WriteFileAtomic(SchemaPath(), work.ToJson(true)));
    *schema = std::move(work);
    FaultPoint("normalize_before_publish");
    DLT_RETURN_IF_ERROR(storage->Publish(tmp, PackageStage::kNormalized, load_id));
    if (stream_ok) {
      published = true;
      streamed = Streamed{load_id, stream->loaded_files, stream->loaded_tables};
    }
    FaultPoint("normalize_before_extracted_delete");
    DLT_RETURN_IF_ERROR(storage->Discard(PackageStage::kExtracted, load_id));
    FaultPoint("after_normalize");
    info->steps.push_back({"normalize", Since(t0), rows, bytes_written});
    return Status::Ok();
  }

  Status LoadPackage(const std::string& load_id, LoadInfo* info) {
    if (loader && loader->streaming() && !(streamed && streamed->load_id == load_id)) loader->AbortStream();
    Status s = LoadPackageImpl(load_id, info);
    // A transaction opened while normalizing is never left open.
    if (loader) loader->AbortStream();
    streamed.reset();
    return s;
  }

  Status LoadPackageImpl(const std::string& load_id, LoadInfo* info) {
    auto t0 = std::chrono::steady_clock::now();
    fs::path dir = storage->PackageDir(PackageStage::kNormalized, load_id);
    DLT_RETURN_IF_ERROR(OpenDestination());
    DLT_ASSIGN_OR_RETURN(LoadPackageState ps, ReadLoadPackageState(dir / "load_package_state.json", options.pipeline_name));
    DLT_ASSIGN_OR_RETURN(bool loaded, loader->IsLoaded(load_id));
    if (loaded) loader->AbortStream();
    uint64_t rows = 0;
    // What the load created in the destination (dlt's applied_schema_updates.json); nothing is
    // known of a package found committed after a crash.
    Json applied = Json::object();
    if (!loaded) {
      DLT_ASSIGN_OR_RETURN(Schema pkg_schema, Schema::ReadFile(dir / "schema.json", "Discard the package with `dlt pipeline " +
                                                                   options.pipeline_name + " drop-pending-packages`, then restore the state with `dlt pipeline " +
                                                                   options.pipeline_name + " sync`"));
      PackageToLoad p;
      p.load_id = load_id;
      p.schema = &pkg_schema;
      p.jobs = storage->Jobs(PackageStage::kNormalized, load_id);
      // Job files of very long (deeply nested) table names carry a shortened stem.
      for (auto& j : p.jobs) {
        if (pkg_schema.FindTable(j.table)) continue;
        for (const auto& t : pkg_schema.tables()) {
          if (JobWriterSet::JobFileStem(t.name) == j.table) {
            j.table = t.name;
            break;
          }
        }
      }
      if (streamed && streamed->load_id == load_id && loader->streaming()) {
        // Part of the package was loaded while it was normalized, in the transaction still open.
        std::erase_if(p.jobs, [&](const PackageJob& j) { return streamed->files.count(j.file_name) > 0; });
        p.streamed_tables.assign(streamed->tables.begin(), streamed->tables.end());
      }
      streamed.reset();
      // A job file cut at a line boundary would load fewer rows without any CSV error.
      for (const auto& j : p.jobs) {
        auto size = ps.job_bytes.find(j.file_name);
        if (size == ps.job_bytes.end()) continue;
        std::error_code ec;
        uint64_t want = size->second, have = fs::file_size(j.path, ec);
        if (ec || have != want) {
          return DataLoss("load job " + j.path.string() + " has " + std::to_string(ec ? 0 : have) + " bytes, " +
                          std::to_string(want) + " when it was written: the package is corrupt. Discard it with `dlt pipeline " +
                          options.pipeline_name + " drop-pending-packages`, then restore the state with `dlt pipeline " +
                          options.pipeline_name + " sync`");
        }
      }
      p.replace_tables = ps.replace_tables;
      p.state = ps.pipeline_state;
      uint64_t package_rows = 0;
      for (const auto& [table, n] : ps.row_counts) package_rows += n;
      progress.Update("load", destination.type, package_rows, 0, Since(t0));
      if (!loader->streaming()) FaultPoint("load_before_transaction");
      Status s = loader->Load(p);
      progress.Done();
      if (!s.ok()) {
        return s.WithContext("Load of package " + load_id + " into " + destination.Describe() + " failed (the package is kept and will be loaded by the next run)");
      }
      applied = pkg_schema.UpdateOf(loader->applied_columns());
    }
    for (const auto& [table, n] : ps.row_counts) {
      info->rows_per_table[table] += n;
      rows += n;
    }
    FaultPoint("load_after_commit");
    std::error_code ec;
    fs::rename(dir / "new_jobs", dir / "completed_jobs_tmp", ec);
    if (!ec) {
      fs::remove_all(dir / "completed_jobs", ec);
      fs::rename(dir / "completed_jobs_tmp", dir / "completed_jobs", ec);
    }
    // As dlt: the package keeps an empty new_jobs/, the applied update replaces schema_updates.json.
    fs::create_directories(dir / "new_jobs", ec);
    DLT_RETURN_IF_ERROR(PackageStorage::WriteJson(dir / "applied_schema_updates.json", applied));
    fs::remove(dir / "schema_updates.json", ec);
    FaultPoint("load_before_package_completed");
    DLT_RETURN_IF_ERROR(fsutil::WriteFileAtomic(dir / "package_completed.json", "loaded"));
    FaultPoint("load_before_package_move");
    DLT_RETURN_IF_ERROR(storage->Move(load_id, PackageStage::kNormalized, PackageStage::kLoaded));
    FaultPoint("after_load");
    info->load_ids.push_back(load_id);
    info->steps.push_back({"load", Since(t0), rows, 0});
    return Status::Ok();
  }

  Status ProcessPending(LoadInfo* info) {
    for (const auto& id : storage->List(PackageStage::kExtracted)) {
      // A crash between publishing the normalized package and deleting the extracted one leaves
      // both: the normalized package is complete (it was published by one rename), so the
      // extracted copy is only deleted.
      std::error_code ec;
      if (fs::exists(storage->PackageDir(PackageStage::kNormalized, id), ec) ||
          fs::exists(storage->PackageDir(PackageStage::kLoaded, id), ec)) {
        DLT_RETURN_IF_ERROR(storage->Delete(PackageStage::kExtracted, id));
        continue;
      }
      Status s = GuardPackage(PackageStage::kExtracted, id, [&] { return NormalizePackage(id, info); });
      if (!s.ok()) {
        return s.WithContext("Normalize of pending package " + id +
                             " failed; fix the cause or discard it with `dlt pipeline " + options.pipeline_name +
                             " drop-pending-packages`");
      }
    }
    for (const auto& id : storage->List(PackageStage::kNormalized)) {
      DLT_RETURN_IF_ERROR(GuardPackage(PackageStage::kNormalized, id, [&] { return LoadPackage(id, info); }));
    }
    return Status::Ok();
  }

  // A package file of the right syntax but the wrong shape (a value of the wrong type in its
  // load_package_state.json) is a damaged package, named with what to do; JSON library
  // exceptions stop here instead of ending the process, run after run.
  template <class F>
  Status GuardPackage(PackageStage stage, const std::string& id, F&& step) {
    try {
      return step();
    } catch (const nlohmann::json::exception& e) {
      return DataLoss("load package " + storage->PackageDir(stage, id).string() +
                      " is damaged: one of its files holds a value of the wrong type (" + e.what() +
                      "). Discard it with `dlt pipeline " + options.pipeline_name +
                      " drop-pending-packages`, then restore the state with `dlt pipeline " + options.pipeline_name +
                      " sync`");
    }
  }

  LoadInfo NewInfo() const {
    LoadInfo info;
    info.pipeline_name = options.pipeline_name;
    info.profile = profile;
    info.destination = destination.Describe();
    info.dataset_name = options.dataset_name;
    return info;
  }

  Status WriteTrace(const LoadInfo& info, const Status& outcome, const std::string& started_at) {
    Json t = Json::object();
    t["pipeline_name"] = info.pipeline_name;
    t["profile"] = info.profile;
    t["profile_selected_by"] = profile_selected_by;
    Json origins = Json::array();
    for (const auto& [k, o] : config_origins) origins.push_back({{"key", k}, {"origin", o}});
    t["config_origins"] = origins;
    t["started_at"] = started_at;
    t["finished_at"] = NowIso();
    t["destination"] = info.destination;
    t["dataset_name"] = info.dataset_name;
    t["load_ids"] = info.load_ids;
    Json steps = Json::array();
    for (const auto& s : info.steps) {
      steps.push_back({{"step", s.step}, {"seconds", s.seconds}, {"rows", s.rows}, {"bytes", s.bytes}});
    }
    t["steps"] = steps;
    t["rows_per_table"] = info.rows_per_table;
    t["records_skipped_by_incremental"] = info.records_skipped;
    t["outcome"] = outcome.ok() ? "completed" : "failed";
    if (!outcome.ok()) t["error"] = outcome.message();
    return fsutil::WriteFileAtomic(dir / "trace.json", t.dump(2));
  }
};

Pipeline::Pipeline() : impl_(std::make_unique<Impl>()) {}
Pipeline::Pipeline(Pipeline&&) noexcept = default;
Pipeline& Pipeline::operator=(Pipeline&&) noexcept = default;
Pipeline::~Pipeline() = default;

const std::string& Pipeline::name() const { return impl_->options.pipeline_name; }
const fs::path& Pipeline::working_dir() const { return impl_->dir; }

StatusOr<Pipeline> Pipeline::Create(const Workspace& ws, PipelineOptions options) {
  if (!ws.config_loaded()) return FailedPrecondition("Workspace::LoadConfig() must be called before creating a pipeline");
  DLT_RETURN_IF_ERROR(ValidatePipelineName(options.pipeline_name));
  if (options.destination.empty()) {
    return InvalidArgument("pipeline `" + options.pipeline_name + "` has no destination (set `destination`)");
  }
  if (options.dataset_name.empty()) options.dataset_name = options.pipeline_name + "_dataset";
  Pipeline p;
  Impl& im = *p.impl_;
  DLT_ASSIGN_OR_RETURN(im.destination, ResolveDestination(ws, options.destination, options.pipeline_name));
  // As dlt: every table, column and dataset name is shortened to what the destination takes
  // (PostgreSQL 63), with a hash tag, instead of being cut by the database.
  im.naming = SnakeCaseNaming(MaxIdentifierLength(im.destination.type));
  std::string normalized_dataset = im.naming.NormalizeIdentifier(options.dataset_name);
  if (normalized_dataset.empty()) return InvalidArgument("dataset name `" + options.dataset_name + "` is not usable");
  // The staging dataset's tag (when shortened) comes from the name as given, as in dlt.
  im.staging_dataset = im.naming.NormalizeIdentifier(options.dataset_name + "_staging");
  options.dataset_name = normalized_dataset;
  im.options = options;
  im.profile = ws.workspace_mode() ? ws.profile() : "";
  im.profile_selected_by = ws.workspace_mode() ? std::string(ProfileSourceName(ws.profile_source())) : "classic mode";
  im.dir = ws.pipelines_dir() / options.pipeline_name;
  // The run record keeps where each configuration value came from (never the values).
  const std::string dkey = "destination." + options.destination;
  im.config_origins.emplace_back(dkey + ".destination_type",
                                 im.destination.type_origin ? im.destination.type_origin->Describe()
                                                            : "(the destination name is the type)");
  im.config_origins.emplace_back(dkey + ".credentials", im.destination.credentials_origin
                                                            ? im.destination.credentials_origin->Describe()
                                                            : "(defaults)");
  for (const auto& o : options.source_config_origins) im.config_origins.push_back(o);
  im.progress = Progress(options.progress);
  return p;
}

StatusOr<LoadInfo> Pipeline::Run(const std::vector<Resource>& resources) {
  Impl& im = *impl_;
  std::string started_at = NowIso();
  if (im.options.read_only) {
    return PermissionDenied("pipeline `" + im.options.pipeline_name + "` is read-only in this profile: runs are refused");
  }
  // Shared with other runs, never with `dlt workspace clean` (which deletes the working folder).
  WorkingFolderLock folder_lock;
  DLT_RETURN_IF_ERROR(folder_lock.Acquire(im.dir.parent_path().parent_path(), /*exclusive=*/false,
                                          im.options.lock_timeout_s));
  DLT_RETURN_IF_ERROR(fsutil::CreateDirectories(im.dir));
  PipelineLock lock;
  DLT_RETURN_IF_ERROR(lock.Acquire(im.dir, im.options.pipeline_name, im.options.lock_timeout_s));
  im.storage = std::make_unique<PackageStorage>(im.dir);
  DLT_RETURN_IF_ERROR(im.storage->Init());
  DLT_RETURN_IF_ERROR(im.LoadLocal());
  DLT_RETURN_IF_ERROR(im.AdoptNewerPackageState());
  DLT_RETURN_IF_ERROR(im.RestoreFromDestinationIfNew());
  LoadInfo info = im.NewInfo();
  auto run = [&]() -> Status {
    DLT_RETURN_IF_ERROR(im.ProcessPending(&info));
    if (resources.empty()) return Status::Ok();
    std::string load_id = im.NextLoadId();
    PipelineState before = im.state;
    DLT_ASSIGN_OR_RETURN(bool has_package, im.Extract(resources, load_id, &info));
    if (!has_package) return Status::Ok();
    // Only where the destination does its work in a process of its own: DuckDB runs in ours,
    // on the cores the normalizer already uses (streaming gains nothing there and costs memory).
    Status s = im.NormalizePackage(load_id, &info, /*stream_load=*/im.destination.type == "postgres");
    if (!s.ok()) {
      if (im.loader) im.loader->AbortStream();
      // Nothing of this run is kept: the package goes and the state is rolled back.
      (void)im.storage->Delete(PackageStage::kExtracted, load_id);
      { std::error_code ec; fs::remove_all(im.storage->dir() / "load" / "new" / load_id, ec); }  // half-normalized copy
      im.state = before;
      (void)im.state.Save(im.StatePath());
      return s;
    }
    return im.LoadPackage(load_id, &info);
  };
  Status s = run();
  (void)im.WriteTrace(info, s, started_at);
  if (!s.ok()) return s;
  return info;
}

StatusOr<LoadInfo> Pipeline::LoadPending() { return Run({}); }

std::string LoadInfo::Summary() const {
  std::string out;
  uint64_t total = 0;
  for (const auto& [t, n] : rows_per_table) total += n;
  out += "Pipeline " + pipeline_name + " load step completed";
  if (!load_ids.empty()) out += " (" + std::to_string(load_ids.size()) + " load package" + (load_ids.size() > 1 ? "s" : "") + ")";
  out += "\n";
  out += "  destination: " + destination + "\n";
  out += "  dataset:     " + dataset_name + "\n";
  if (!profile.empty()) out += "  profile:     " + profile + "\n";
  if (load_ids.empty()) {
    out += "  No new data to load.\n";
  } else {
    out += "  load ids:    " + text::Join(load_ids, ", ") + "\n";
    out += "  tables (rows loaded):\n";
    for (const auto& [t, n] : rows_per_table) out += "    " + t + ": " + std::to_string(n) + "\n";
    out += "  total rows:  " + std::to_string(total) + "\n";
  }
  if (records_skipped) out += "  skipped by incremental cursor: " + std::to_string(records_skipped) + "\n";
  std::map<std::string, StepTiming> steps;
  for (const auto& s : this->steps) {
    auto& agg = steps[s.step];
    agg.step = s.step;
    agg.seconds += s.seconds;
    agg.rows += s.rows;
    agg.bytes += s.bytes;
  }
  out += "  time:";
  for (const char* name : {"extract", "normalize", "load"}) {
    auto it = steps.find(name);
    if (it == steps.end()) continue;
    char buf[96];
    std::snprintf(buf, sizeof buf, " %s %.2fs", name, it->second.seconds);
    out += buf;
  }
  out += "\n";
  return out;
}

}  // namespace dlt
