// Checked reading of JSON files the engine wrote earlier (state, package state, trace). Such a
// file may have been truncated by a full disk or edited by hand: every reader checks the type of
// each key it uses with these helpers before it touches the value, so a damaged file becomes a
// DataLoss Status naming the file, the key and what to do, never a nlohmann exception.
//
// Messages read "<file> is damaged: key 'a.b' must be a string, found a number. <what to do>".
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "dlt/status.h"

namespace dlt::jsonread {

enum class Kind { kString, kInteger, kUnsigned, kNumber, kBool, kObject, kArray };

// "a string", "a whole number", ... for messages.
std::string_view KindName(Kind kind);
// What a value is, for messages: "a string", "a number", "null", ...
std::string_view TypeOf(const nlohmann::ordered_json& v);
bool Is(const nlohmann::ordered_json& v, Kind kind);

// One file being read: its path (absolute in messages) and what the user should do when it is
// damaged (a full sentence, e.g. "Restore it with `dlt pipeline shop sync`.").
class JsonFile {
 public:
  JsonFile(const std::filesystem::path& path, std::string remedy);
  // A document that is not a local file (the state stored in the destination): `label` is used
  // as it is in messages.
  static JsonFile Labeled(std::string label, std::string remedy);

  const std::filesystem::path& path() const { return path_; }
  const std::string& remedy() const { return remedy_; }

  // Reads and parses the file; not JSON (truncated or edited) or not an object -> DataLoss
  // "<file> is corrupt (...)". A missing file -> NotFound.
  StatusOr<nlohmann::ordered_json> ReadObject() const;
  // Parses text already read from the file.
  StatusOr<nlohmann::ordered_json> ParseObject(std::string_view text) const;

  // DataLoss "<file> is damaged: <what>. <remedy>"
  Status Damaged(std::string_view what) const;
  // `v` (found at `where`, a dotted key path) must be of `kind`.
  Status Want(const nlohmann::ordered_json& v, std::string_view where, Kind kind) const;
  // Key `key` of object `obj` (at `where`, "" for the top level): absent is fine, else `kind`.
  Status Optional(const nlohmann::ordered_json& obj, std::string_view where, std::string_view key, Kind kind) const;
  // As Optional, but null is also accepted.
  Status OptionalOrNull(const nlohmann::ordered_json& obj, std::string_view where, std::string_view key,
                        Kind kind) const;
  // Key `key` must be present and of `kind`.
  Status Required(const nlohmann::ordered_json& obj, std::string_view where, std::string_view key, Kind kind) const;
  // Every element of an array (or value of an object) at `where` must be of `kind`.
  Status Each(const nlohmann::ordered_json& container, std::string_view where, Kind kind) const;

 private:
  std::filesystem::path path_;
  std::string remedy_;
};

// "a.b" from "a" and "b"; "b" when `where` is empty.
std::string Join(std::string_view where, std::string_view key);

}  // namespace dlt::jsonread
