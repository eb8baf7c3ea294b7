// ParseSqlDatabaseSource (sql_database_file.h): the keys dlt's sql_database() and sql_table()
// take, read from a pipeline file into SqlDatabaseOptions.
#include "pipeline/sql_database_file.h"

#include <string>
#include <vector>

#include "common/text.h"

namespace dlt {

namespace {

struct FileCtx {
  std::string file;
  Status Error(const ConfigNode& n, const std::string& what) const {
    return InvalidArgument(file + ":" + std::to_string(n.where.line) + ":" + std::to_string(n.where.column) + ": " + what);
  }
};

StatusOr<std::string> String(const FileCtx& c, const ConfigNode& n, const std::string& key) {
  if (n.kind != ConfigNode::Kind::kString) return c.Error(n, "`" + key + "` must be a string");
  return n.text;
}

StatusOr<std::vector<std::string>> Strings(const FileCtx& c, const ConfigNode& n, const std::string& key) {
  if (n.kind == ConfigNode::Kind::kString) return std::vector<std::string>{n.text};
  if (n.kind != ConfigNode::Kind::kArray) return c.Error(n, "`" + key + "` must be a list of strings");
  std::vector<std::string> out;
  for (const auto& i : n.items) {
    if (i.kind != ConfigNode::Kind::kString) return c.Error(i, "`" + key + "` must contain strings only");
    out.push_back(i.text);
  }
  return out;
}

StatusOr<long long> Integer(const FileCtx& c, const ConfigNode& n, const std::string& key, long long min) {
  if (n.kind != ConfigNode::Kind::kInteger) return c.Error(n, "`" + key + "` must be a whole number");
  long long v = std::stoll(n.text);
  if (v < min) return c.Error(n, "`" + key + "` must be at least " + std::to_string(min));
  return v;
}

// One [[resources]] entry: the table's hints as SqlTableOptions.
StatusOr<SqlTableOptions> ParseTable(const FileCtx& c, const ConfigNode& t, const std::string& default_name,
                                     const std::function<StatusOr<ResourceOptions>(const ConfigNode&, const std::string&)>& hints) {
  SqlTableOptions out;
  // Keys only sql tables have are taken out; the rest are the hints every resource takes.
  ConfigNode rest = t;
  rest.members.clear();
  for (const auto& [k, v] : t.members) {
    if (k == "schema") {
      DLT_ASSIGN_OR_RETURN(std::string s, String(c, v, k));
      out.schema = s;
    } else if (k == "table") {
      DLT_ASSIGN_OR_RETURN(out.table, String(c, v, k));
    } else if (k == "excluded_columns") {
      DLT_ASSIGN_OR_RETURN(out.excluded_columns, Strings(c, v, k));
    } else if (k == "path" || k == "paths" || k == "format") {
      return c.Error(v, "`" + k + "` is for file resources; a sql_database resource reads the table it is named after");
    } else {
      rest.members.emplace_back(k, v);
    }
  }
  DLT_ASSIGN_OR_RETURN(ResourceOptions ro, hints(rest, default_name));
  if (out.table.empty()) out.table = ro.name;
  if (ro.name != out.table) out.resource_name = ro.name;
  if (!ro.table_name.empty()) out.table_name = ro.table_name;
  if (t.Find("write_disposition")) out.write_disposition = ro.write_disposition;
  if (t.Find("primary_key")) out.primary_key = ro.primary_key;
  out.merge_key = ro.merge_key;
  out.merge = ro.merge;
  out.incremental = ro.incremental;
  out.columns = ro.columns;
  if (t.Find("schema_contract")) out.schema_contract = ro.schema_contract;
  return out;
}

}  // namespace

StatusOr<SqlDatabaseOptions> ParseSqlDatabaseSource(
    std::string_view display_name, const ConfigNode& source, const ConfigNode* resources,
    const std::function<StatusOr<ResourceOptions>(const ConfigNode& table, const std::string& name)>& parse_hints) {
  FileCtx c{std::string(display_name)};
  SqlDatabaseOptions o;
  static const std::vector<std::string> kKeys = {"type",          "credentials",      "schema",
                                                 "table_names",   "chunk_size",       "reflection_level",
                                                 "include_views", "parallel_chunks",  "section",
                                                 "backend"};
  for (const auto& [k, v] : source.members) {
    if (k == "type") continue;
    if (k == "credentials") {
      DLT_ASSIGN_OR_RETURN(std::string url, String(c, v, k));
      o.credentials = Secret(url);
    } else if (k == "section") {
      DLT_ASSIGN_OR_RETURN(o.section, String(c, v, k));
    } else if (k == "schema") {
      DLT_ASSIGN_OR_RETURN(std::string s, String(c, v, k));
      o.schema = s;
    } else if (k == "table_names") {
      DLT_ASSIGN_OR_RETURN(o.table_names, Strings(c, v, k));
    } else if (k == "chunk_size") {
      DLT_ASSIGN_OR_RETURN(long long n, Integer(c, v, k, 1));
      o.chunk_size = static_cast<size_t>(n);
    } else if (k == "parallel_chunks") {
      DLT_ASSIGN_OR_RETURN(long long n, Integer(c, v, k, 0));
      o.parallel_chunks = static_cast<int>(n);
    } else if (k == "reflection_level") {
      DLT_ASSIGN_OR_RETURN(o.reflection_level, String(c, v, k));
      if (o.reflection_level != "minimal" && o.reflection_level != "full" && o.reflection_level != "full_with_precision") {
        return c.Error(v, "`reflection_level` must be minimal, full or full_with_precision");
      }
    } else if (k == "backend") {
      DLT_ASSIGN_OR_RETURN(o.backend, String(c, v, k));
      if (o.backend != "sqlalchemy" && o.backend != "pyarrow") {
        return c.Error(v, "`backend` must be sqlalchemy or pyarrow (pandas and connectorx are not supported; both "
                          "read the rows natively, pyarrow loads them as dlt loads Arrow tables: without _dlt_id "
                          "and _dlt_load_id)");
      }
    } else if (k == "include_views") {
      if (v.kind != ConfigNode::Kind::kBoolean) return c.Error(v, "`include_views` must be true or false");
      o.include_views = v.text == "true";
    } else {
      std::string msg = "unknown key `" + k + "` in [source] of type sql_database.";
      if (auto s = text::Suggest(k, kKeys)) msg += " Did you mean `" + *s + "`?";
      else msg += " Known keys: " + text::Join(kKeys, ", ");
      return c.Error(v, msg);
    }
  }
  if (resources) {
    auto add = [&](const ConfigNode& item, const std::string& name) -> Status {
      if (!item.is_table()) return c.Error(item, "[[resources]] entries must be tables");
      DLT_ASSIGN_OR_RETURN(SqlTableOptions t, ParseTable(c, item, name, parse_hints));
      o.tables.push_back(std::move(t));
      return Status::Ok();
    };
    if (resources->kind == ConfigNode::Kind::kArray) {
      for (const auto& item : resources->items) DLT_RETURN_IF_ERROR(add(item, ""));
    } else if (resources->is_table()) {
      for (const auto& [name, item] : resources->members) DLT_RETURN_IF_ERROR(add(item, name));
    }
  }
  return o;
}

}  // namespace dlt
