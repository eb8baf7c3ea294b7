#include "common/json_read.h"

#include "common/fs.h"

namespace dlt::jsonread {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

std::string_view KindName(Kind kind) {
  switch (kind) {
    case Kind::kString: return "a string";
    case Kind::kInteger: return "a whole number";
    case Kind::kUnsigned: return "a whole number of at least 0";
    case Kind::kNumber: return "a number";
    case Kind::kBool: return "true or false";
    case Kind::kObject: return "an object";
    case Kind::kArray: return "a list";
  }
  return "?";
}

std::string_view TypeOf(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null: return "null";
    case Json::value_t::boolean: return "a boolean";
    case Json::value_t::string: return "a string";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned: return "a whole number";
    case Json::value_t::number_float: return "a decimal number";
    case Json::value_t::object: return "an object";
    case Json::value_t::array: return "a list";
    default: return "something else";
  }
}

bool Is(const Json& v, Kind kind) {
  switch (kind) {
    case Kind::kString: return v.is_string();
    case Kind::kInteger: return v.is_number_integer();
    case Kind::kUnsigned: return v.is_number_unsigned();
    case Kind::kNumber: return v.is_number();
    case Kind::kBool: return v.is_boolean();
    case Kind::kObject: return v.is_object();
    case Kind::kArray: return v.is_array();
  }
  return false;
}

std::string Join(std::string_view where, std::string_view key) {
  return where.empty() ? std::string(key) : std::string(where) + "." + std::string(key);
}

JsonFile::JsonFile(const fs::path& path, std::string remedy) : remedy_(std::move(remedy)) {
  std::error_code ec;
  fs::path abs = fs::absolute(path, ec);
  path_ = ec ? path : abs.lexically_normal();
}

JsonFile JsonFile::Labeled(std::string label, std::string remedy) {
  JsonFile f("", std::move(remedy));
  f.path_ = std::move(label);
  return f;
}

StatusOr<Json> JsonFile::ReadObject() const {
  DLT_ASSIGN_OR_RETURN(std::string text, fsutil::ReadFile(path_));
  return ParseObject(text);
}

StatusOr<Json> JsonFile::ParseObject(std::string_view text) const {
  Json doc = Json::parse(text, nullptr, false);
  if (doc.is_discarded()) {
    return DataLoss(path_.string() + " is corrupt (not valid JSON: truncated or edited)." +
                    (remedy_.empty() ? "" : " " + remedy_));
  }
  if (!doc.is_object()) {
    return DataLoss(path_.string() + " is corrupt (it holds " + std::string(TypeOf(doc)) +
                    ", not a JSON object)." + (remedy_.empty() ? "" : " " + remedy_));
  }
  return doc;
}

Status JsonFile::Damaged(std::string_view what) const {
  return DataLoss(path_.string() + " is damaged: " + std::string(what) + "." + (remedy_.empty() ? "" : " " + remedy_));
}

Status JsonFile::Want(const Json& v, std::string_view where, Kind kind) const {
  if (Is(v, kind)) return Status::Ok();
  return Damaged("key '" + std::string(where) + "' must be " + std::string(KindName(kind)) + ", found " +
                 std::string(TypeOf(v)));
}

Status JsonFile::Optional(const Json& obj, std::string_view where, std::string_view key, Kind kind) const {
  auto it = obj.find(std::string(key));
  if (it == obj.end()) return Status::Ok();
  return Want(*it, Join(where, key), kind);
}

Status JsonFile::OptionalOrNull(const Json& obj, std::string_view where, std::string_view key, Kind kind) const {
  auto it = obj.find(std::string(key));
  if (it == obj.end() || it->is_null()) return Status::Ok();
  return Want(*it, Join(where, key), kind);
}

Status JsonFile::Required(const Json& obj, std::string_view where, std::string_view key, Kind kind) const {
  auto it = obj.find(std::string(key));
  if (it == obj.end()) return Damaged("key '" + Join(where, key) + "' is missing");
  return Want(*it, Join(where, key), kind);
}

Status JsonFile::Each(const Json& container, std::string_view where, Kind kind) const {
  if (container.is_array()) {
    for (size_t i = 0; i < container.size(); ++i) {
      DLT_RETURN_IF_ERROR(Want(container[i], std::string(where) + "[" + std::to_string(i) + "]", kind));
    }
  } else if (container.is_object()) {
    for (auto it = container.begin(); it != container.end(); ++it) {
      DLT_RETURN_IF_ERROR(Want(it.value(), Join(where, it.key()), kind));
    }
  }
  return Status::Ok();
}

}  // namespace dlt::jsonread
