#include "load/pipeline_state.h"

#include <zlib.h>

#include "common/fs.h"
#include "common/hash.h"
#include "common/orjson.h"

namespace dlt {

PipelineState PipelineState::New(const std::string& pipeline_name) {
  nlohmann::ordered_json d = nlohmann::ordered_json::object();
  d["_state_version"] = 0;
  d["_state_engine_version"] = kEngineVersion;
  d["pipeline_name"] = pipeline_name;
  d["_local"] = nlohmann::ordered_json::object({{"first_run", true}});
  return PipelineState(std::move(d));
}

std::vector<std::string> PipelineState::SchemaNames() const {
  std::vector<std::string> out;
  auto names = doc_.find("schema_names");
  if (names != doc_.end() && names->is_array()) {
    for (const auto& n : *names) {
      if (n.is_string()) out.push_back(n.get<std::string>());
    }
  }
  auto def = doc_.find("default_schema_name");
  if (out.empty() && def != doc_.end() && def->is_string()) out.push_back(def->get<std::string>());
  return out;
}

StatusOr<PipelineState> PipelineState::Load(const std::filesystem::path& path) {
  const std::string name = path.parent_path().filename().string();
  jsonread::JsonFile file(path, "Restore the pipeline state from the destination with `dlt pipeline " + name +
                                    " sync`, or delete the file to start over");
  DLT_ASSIGN_OR_RETURN(nlohmann::ordered_json doc, file.ReadObject());
  DLT_RETURN_IF_ERROR(Validate(doc, file));
  if (doc.value("_state_engine_version", 0) > kEngineVersion) {
    return FailedPrecondition(path.string() + ": state engine version " +
                              std::to_string(doc.value("_state_engine_version", 0)) +
                              " is newer than this tool supports");
  }
  return PipelineState(std::move(doc));
}

Status PipelineState::Validate(const nlohmann::ordered_json& doc, const jsonread::JsonFile& file, std::string_view where) {
  using jsonread::Join;
  using K = jsonread::Kind;
  DLT_RETURN_IF_ERROR(file.Want(doc, where.empty() ? "(top level)" : where, K::kObject));
  for (const char* k : {"_state_version", "_state_engine_version"}) {
    DLT_RETURN_IF_ERROR(file.Optional(doc, where, k, K::kInteger));
  }
  for (const char* k : {"_version_hash", "pipeline_name", "dataset_name", "default_schema_name", "destination_type"}) {
    DLT_RETURN_IF_ERROR(file.Optional(doc, where, k, K::kString));
  }
  DLT_RETURN_IF_ERROR(file.OptionalOrNull(doc, where, "destination_name", K::kString));
  DLT_RETURN_IF_ERROR(file.Optional(doc, where, "schema_names", K::kArray));
  if (auto it = doc.find("schema_names"); it != doc.end()) {
    DLT_RETURN_IF_ERROR(file.Each(*it, Join(where, "schema_names"), K::kString));
  }
  DLT_RETURN_IF_ERROR(file.Optional(doc, where, "_local", K::kObject));
  DLT_RETURN_IF_ERROR(file.Optional(doc, where, "sources", K::kObject));
  auto sources = doc.find("sources");
  if (sources == doc.end()) return Status::Ok();
  const std::string at_sources = Join(where, "sources");
  DLT_RETURN_IF_ERROR(file.Each(*sources, at_sources, K::kObject));
  for (auto s = sources->begin(); s != sources->end(); ++s) {
    const std::string at_source = Join(at_sources, s.key());
    DLT_RETURN_IF_ERROR(file.Optional(s.value(), at_source, "resources", K::kObject));
    auto resources = s.value().find("resources");
    if (resources == s.value().end()) continue;
    const std::string at_resources = Join(at_source, "resources");
    DLT_RETURN_IF_ERROR(file.Each(*resources, at_resources, K::kObject));
    for (auto r = resources->begin(); r != resources->end(); ++r) {
      const std::string at_resource = Join(at_resources, r.key());
      DLT_RETURN_IF_ERROR(file.Optional(r.value(), at_resource, "incremental", K::kObject));
      auto inc = r.value().find("incremental");
      if (inc == r.value().end()) continue;
      const std::string at_inc = Join(at_resource, "incremental");
      // One entry per cursor path; the cursor's last value may be of any JSON type.
      DLT_RETURN_IF_ERROR(file.Each(*inc, at_inc, K::kObject));
      for (auto c = inc->begin(); c != inc->end(); ++c) {
        const std::string at_cursor = Join(at_inc, c.key());
        DLT_RETURN_IF_ERROR(file.Optional(c.value(), at_cursor, "unique_hashes", K::kArray));
        if (auto h = c.value().find("unique_hashes"); h != c.value().end()) {
          DLT_RETURN_IF_ERROR(file.Each(*h, Join(at_cursor, "unique_hashes"), K::kString));
        }
      }
    }
  }
  return Status::Ok();
}

Status PipelineState::Save(const std::filesystem::path& path) const {
  return fsutil::WriteFileAtomic(path, doc_.dump(2));
}

std::string PipelineState::DestinationName() const {
  auto name = doc_.find("destination_name");
  if (name != doc_.end() && name->is_string()) return name->get<std::string>();
  auto type = doc_.find("destination_type");
  if (type == doc_.end() || !type->is_string()) return "";
  std::string t = type->get<std::string>();
  constexpr std::string_view kPrefix = "dlt.destinations.";
  return t.starts_with(kPrefix) ? t.substr(kPrefix.size()) : t;
}

int PipelineState::version() const { return doc_.value("_state_version", 0); }

const std::string& PipelineState::version_hash() const {
  static const std::string kEmpty;
  auto it = doc_.find("_version_hash");
  if (it == doc_.end() || !it->is_string()) return kEmpty;
  return it->get_ref<const std::string&>();
}

std::string PipelineState::ComputeHash() const {
  nlohmann::json copy = nlohmann::json::parse(doc_.dump());  // std::map: keys sorted
  for (const char* k : {"_state_version", "_state_engine_version", "_version_hash", "_local"}) copy.erase(k);
  std::string text;
  AppendOrjson(copy, text);
  return hash::Base64Encode(hash::Sha3_256Digest(text));
}

bool PipelineState::BumpIfChanged() {
  std::string h = ComputeHash();
  if (h == version_hash()) return false;
  doc_["_state_version"] = version() + 1;
  doc_["_version_hash"] = h;
  return true;
}

std::string PipelineState::Encode() const {
  nlohmann::ordered_json copy = doc_;
  copy.erase("_local");
  std::string json = copy.dump();
  uLongf size = compressBound(static_cast<uLong>(json.size()));
  std::string out(size, '\0');
  compress2(reinterpret_cast<Bytef*>(out.data()), &size, reinterpret_cast<const Bytef*>(json.data()),
            static_cast<uLong>(json.size()), Z_BEST_COMPRESSION);
  out.resize(size);
  return hash::Base64Encode(out);
}

StatusOr<PipelineState> PipelineState::Decode(std::string_view encoded) {
  auto raw = hash::Base64Decode(encoded);
  if (!raw.ok()) return DataLoss("stored pipeline state is not valid base64");
  z_stream zs{};
  if (inflateInit(&zs) != Z_OK) return Internal("zlib init failed");
  zs.next_in = reinterpret_cast<Bytef*>(raw->data());
  zs.avail_in = static_cast<uInt>(raw->size());
  std::string out;
  char buf[65536];
  int rc;
  do {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&zs);
      return DataLoss("stored pipeline state is not a valid zlib stream");
    }
    out.append(buf, sizeof buf - zs.avail_out);
  } while (rc != Z_STREAM_END);
  inflateEnd(&zs);
  auto doc = nlohmann::ordered_json::parse(out, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return DataLoss("stored pipeline state is not valid JSON");
  // The destination's state row is read back as a local state.json is: checked key by key.
  DLT_RETURN_IF_ERROR(Validate(doc, jsonread::JsonFile::Labeled("the pipeline state stored in the destination", "")));
  return PipelineState(std::move(doc));
}

nlohmann::ordered_json& PipelineState::ResourceState(const std::string& schema, const std::string& resource) {
  auto& r = doc_["sources"][schema]["resources"][resource];
  if (!r.is_object()) r = nlohmann::ordered_json::object();
  return r;
}

const nlohmann::ordered_json* PipelineState::FindResourceState(const std::string& schema,
                                                               const std::string& resource) const {
  auto s = doc_.find("sources");
  if (s == doc_.end()) return nullptr;
  auto sc = s->find(schema);
  if (sc == s->end()) return nullptr;
  auto rs = sc->find("resources");
  if (rs == sc->end()) return nullptr;
  auto r = rs->find(resource);
  return r == rs->end() ? nullptr : &*r;
}

void PipelineState::ResetResourceState(const std::string& schema, const std::string& resource) {
  if (FindResourceState(schema, resource) != nullptr) doc_["sources"][schema]["resources"].erase(resource);
}

}  // namespace dlt
