#include "load/identifier_collision.h"

#include <unordered_map>

#include "normalize/naming.h"

namespace dlt {

namespace {

std::string Fold(const std::string& name) {
  std::string out = name;
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// dlt's SchemaIdentifierNormalizationCollision (in a SchemaException: "In schema `s`: ").
std::string Message(const Schema& schema, const std::string& type, const std::string& table, const std::string& name,
                    const std::string& other) {
  std::string where = type == "column" ? " in table `" + table + "`" : "";
  return "In schema `" + schema.name() + "`: A `" + type + "` name `" + name + "`" + where + " collides with `" + other +
         "` after normalization with `" + schema.naming() + "` naming convention. Destination is case insensitive. "
         "Please clean up your data before loading so the entities have different name. You can also change to case "
         "insensitive naming convention. Note that in that case data from both columns will be merged into one.";
}

}  // namespace

std::optional<std::string> FindIdentifierCollision(const Schema& schema) {
  // As dlt: each table, then its columns, in schema order; the first collision is reported.
  std::unordered_map<std::string, std::string> tables;
  for (const Table* t : schema.DataTables()) {
    auto [it, fresh] = tables.emplace(Fold(t->name), t->name);
    if (!fresh) return Message(schema, "table", t->name, t->name, it->second);
    std::unordered_map<std::string, std::string> columns;
    for (const Column& c : t->columns) {
      auto [cit, cfresh] = columns.emplace(Fold(c.name), c.name);
      if (!cfresh) return Message(schema, "column", t->name, c.name, cit->second);
    }
  }
  return std::nullopt;
}

std::optional<std::string> FindTooLongIdentifier(const Schema& schema, size_t max_length,
                                                 const std::string& destination_type) {
  if (max_length == 0) return std::nullopt;
  auto message = [&](const std::string& type, const std::string& name) {
    return "The length of " + type + " `" + name + "` (" + std::to_string(SnakeCaseNaming::CharLength(name)) +
           " characters) exceeds " + std::to_string(max_length) + " allowed for destination `" + destination_type +
           "` (its max_identifier_length): the package was normalized without this destination's limit.";
  };
  // (dlt's own tables and columns keep their names whatever the limit, as the normalizer gives them)
  auto own = [](const std::string& name) { return name.rfind("_dlt_", 0) == 0; };
  for (const Table* t : schema.DataTables()) {
    if (SnakeCaseNaming::CharLength(t->name) > max_length) return message("table", t->name);
    for (const Column& c : t->columns) {
      if (!own(c.name) && SnakeCaseNaming::CharLength(c.name) > max_length) return message("column", t->name + "." + c.name);
    }
  }
  return std::nullopt;
}

}  // namespace dlt
