#include "pipeline/pipeline_file.h"

#include <algorithm>
#include <string_view>
#include <vector>

#include "common/fs.h"
#include "common/text.h"
#include "extract/rest_api_config.h"
#include "normalize/schema.h"
#include "pipeline/sql_database_file.h"

namespace dlt {

namespace fs = std::filesystem;

namespace {

struct Ctx {
  std::string file;
  std::vector<std::string_view> lines;  // the file's text, to find where keys are written
  Status Error(const ConfigNode& n, const std::string& what) const {
    return ErrorAt(n.where.line, n.where.column, what);
  }
  Status ErrorAt(int line, int column, const std::string& what) const {
    return InvalidArgument(file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + what);
  }
  // Errors about a key point at the key. The parser records where values start, so the key is
  // the last occurrence of its name before its value on the value's line (the value's position
  // when it is not found there, e.g. for a [table] header).
  Status KeyError(const ConfigNode& value, const std::string& key, const std::string& what) const {
    int line = value.where.line, column = value.where.column;
    if (line >= 1 && static_cast<size_t>(line) <= lines.size() && column >= 1) {
      std::string_view text = lines[static_cast<size_t>(line) - 1];
      size_t end = std::min(static_cast<size_t>(column) - 1, text.size());
      size_t at = text.substr(0, end).rfind(key);
      if (at != std::string_view::npos) column = static_cast<int>(at) + 1;
    }
    return ErrorAt(line, column, what);
  }
};

std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) {
      out.push_back(text.substr(start));
      break;
    }
    out.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

StatusOr<std::string> GetString(const Ctx& c, const ConfigNode& n, const std::string& key) {
  if (n.kind != ConfigNode::Kind::kString) return c.Error(n, "`" + key + "` must be a string");
  return n.text;
}

StatusOr<std::vector<std::string>> GetStrings(const Ctx& c, const ConfigNode& n, const std::string& key) {
  if (n.kind == ConfigNode::Kind::kString) return std::vector<std::string>{n.text};
  if (n.kind != ConfigNode::Kind::kArray) return c.Error(n, "`" + key + "` must be a string or a list of strings");
  std::vector<std::string> out;
  for (const auto& i : n.items) {
    if (i.kind != ConfigNode::Kind::kString) return c.Error(i, "`" + key + "` must contain strings only");
    out.push_back(i.text);
  }
  return out;
}

StatusOr<bool> GetBool(const Ctx& c, const ConfigNode& n, const std::string& key) {
  if (n.kind != ConfigNode::Kind::kBoolean) return c.Error(n, "`" + key + "` must be true or false");
  return n.text == "true";
}

StatusOr<int> GetInt(const Ctx& c, const ConfigNode& n, const std::string& key) {
  if (n.kind != ConfigNode::Kind::kInteger) return c.Error(n, "`" + key + "` must be a whole number");
  return std::stoi(n.text);
}

// A TOML scalar as JSON text (for incremental initial values).
std::string ToJsonText(const ConfigNode& n) {
  switch (n.kind) {
    case ConfigNode::Kind::kInteger:
    case ConfigNode::Kind::kFloat:
    case ConfigNode::Kind::kBoolean: return n.text;
    default: {
      std::string out = "\"";
      for (char ch : n.text) {
        if (ch == '"' || ch == '\\') out += '\\';
        out += ch;
      }
      return out + "\"";
    }
  }
}

Status UnknownKey(const Ctx& c, const ConfigNode& n, const std::string& key, const std::string& where,
                  const std::vector<std::string>& known) {
  std::string msg = "unknown key `" + key + "` in " + where + ".";
  if (auto s = text::Suggest(key, known)) msg += " Did you mean `" + *s + "`?";
  else msg += " Known keys: " + text::Join(known, ", ");
  return c.KeyError(n, key, msg);
}

// The keys of a `write_disposition` table besides `disposition`: dlt's merge strategy and the
// options of scd2.
Status ParseMergeOptions(const Ctx& c, const ConfigNode& v, MergeOptions* m) {
  static const std::vector<std::string> kKeys = {"disposition", "strategy", "validity_column_names",
                                                 "active_record_timestamp", "boundary_timestamp",
                                                 "row_version_column_name", "deduplicated"};
  for (const auto& [k, n] : v.members) {
    if (k == "disposition") continue;
    if (k == "strategy") {
      DLT_ASSIGN_OR_RETURN(m->strategy, GetString(c, n, k));
      static const std::vector<std::string> kStrategies = {"delete-insert", "upsert", "insert-only", "scd2"};
      if (!IsMergeStrategy(m->strategy)) {
        std::string msg = "unknown merge strategy `" + m->strategy + "`";
        if (auto s = text::Suggest(m->strategy, kStrategies)) msg += ". Did you mean `" + *s + "`?";
        return c.Error(n, msg + " (delete-insert, upsert, insert-only or scd2)");
      }
    } else if (k == "validity_column_names") {
      DLT_ASSIGN_OR_RETURN(auto names, GetStrings(c, n, k));
      if (names.size() != 2) return c.Error(n, "`validity_column_names` needs two names: [\"valid_from\", \"valid_to\"]");
      m->valid_from_column = names[0];
      m->valid_to_column = names[1];
    } else if (k == "active_record_timestamp" || k == "boundary_timestamp") {
      // A string or a TOML date / date-time (9999-12-31, 2024-01-01T00:00:00Z).
      if (n.kind != ConfigNode::Kind::kString && n.kind != ConfigNode::Kind::kDateTime) {
        return c.Error(n, "`" + k + "` must be a date or timestamp (9999-12-31 or \"2024-01-01T00:00:00Z\")");
      }
      (k == "boundary_timestamp" ? m->boundary_timestamp : m->active_record_timestamp) = n.text;
    } else if (k == "row_version_column_name") {
      DLT_ASSIGN_OR_RETURN(m->row_version_column, GetString(c, n, k));
    } else if (k == "deduplicated") {
      DLT_ASSIGN_OR_RETURN(m->deduplicated, GetBool(c, n, k));
    } else {
      return UnknownKey(c, n, k, "write_disposition", kKeys);
    }
  }
  return Status::Ok();
}

// dlt's references hint: [{ columns = [...], referenced_table = "...", referenced_columns = [...] }]
// (label and cardinality optional); kept in the table's schema, nothing enforced.
StatusOr<std::vector<TableReference>> ParseReferences(const Ctx& c, const ConfigNode& v) {
  static const std::vector<std::string> kRefKeys = {"columns", "referenced_table", "referenced_columns", "label",
                                                    "cardinality"};
  const char* shape = "`references` must be a list of tables such as { columns = [\"customer_id\"], "
                      "referenced_table = \"customers\", referenced_columns = [\"id\"] }";
  if (v.kind != ConfigNode::Kind::kArray) return c.Error(v, shape);
  std::vector<TableReference> out;
  for (const auto& item : v.items) {
    if (!item.is_table()) return c.Error(item, shape);
    TableReference ref;
    for (const auto& [rk, rv] : item.members) {
      if (rk == "columns") {
        DLT_ASSIGN_OR_RETURN(ref.columns, GetStrings(c, rv, rk));
      } else if (rk == "referenced_table") {
        DLT_ASSIGN_OR_RETURN(ref.referenced_table, GetString(c, rv, rk));
      } else if (rk == "referenced_columns") {
        DLT_ASSIGN_OR_RETURN(ref.referenced_columns, GetStrings(c, rv, rk));
      } else if (rk == "label") {
        DLT_ASSIGN_OR_RETURN(ref.label, GetString(c, rv, rk));
      } else if (rk == "cardinality") {
        // dlt's TReferenceCardinality
        static const std::vector<std::string> kCardinalities = {"zero_to_one", "one_to_zero", "zero_to_many",
                                                                "many_to_zero", "one_to_many", "many_to_one",
                                                                "one_to_one", "many_to_many"};
        DLT_ASSIGN_OR_RETURN(ref.cardinality, GetString(c, rv, rk));
        if (std::find(kCardinalities.begin(), kCardinalities.end(), *ref.cardinality) == kCardinalities.end()) {
          std::string msg = "unknown cardinality `" + *ref.cardinality + "`";
          if (auto s = text::Suggest(*ref.cardinality, kCardinalities)) msg += ". Did you mean `" + *s + "`?";
          return c.Error(rv, msg + " (" + text::Join(kCardinalities, ", ") + ")");
        }
      } else {
        return UnknownKey(c, rv, rk, "references", kRefKeys);
      }
    }
    if (ref.referenced_table.empty() || ref.columns.empty() || ref.referenced_columns.empty()) {
      return c.Error(item, "a reference needs `columns`, `referenced_table` and `referenced_columns`");
    }
    if (ref.columns.size() != ref.referenced_columns.size()) {
      return c.Error(item, "a reference's `columns` and `referenced_columns` must pair up (" +
                               std::to_string(ref.columns.size()) + " and " +
                               std::to_string(ref.referenced_columns.size()) + " names)");
    }
    out.push_back(std::move(ref));
  }
  return out;
}

StatusOr<ResourceFileSpec> ParseResource(const Ctx& c, const std::string& default_name, const ConfigNode& t) {
  static const std::vector<std::string> kKeys = {"name", "table_name", "path", "paths", "format", "write_disposition",
                                                 "primary_key", "merge_key", "incremental", "columns", "max_table_nesting",
                                                 "schema_contract", "csv", "use_pyarrow", "file_format", "references"};
  ResourceFileSpec r;
  r.options.name = default_name;
  for (const auto& [k, v] : t.members) {
    if (k == "name") {
      DLT_ASSIGN_OR_RETURN(r.options.name, GetString(c, v, k));
    } else if (k == "table_name") {
      DLT_ASSIGN_OR_RETURN(r.options.table_name, GetString(c, v, k));
    } else if (k == "path" || k == "paths") {
      DLT_ASSIGN_OR_RETURN(auto p, GetStrings(c, v, k));
      r.paths.insert(r.paths.end(), p.begin(), p.end());
    } else if (k == "format") {
      DLT_ASSIGN_OR_RETURN(r.format, GetString(c, v, k));
      static const std::vector<std::string> kFormats = {"auto", "jsonl", "json", "ndjson", "csv", "parquet"};
      if (std::find(kFormats.begin(), kFormats.end(), r.format) == kFormats.end()) {
        std::string msg = "unknown format `" + r.format + "`";
        if (auto s = text::Suggest(r.format, kFormats)) msg += ". Did you mean `" + *s + "`?";
        return c.Error(v, msg + " (`format` must be jsonl, json, csv, parquet or auto)");
      }
    } else if (k == "csv") {
      // How CSV files are read; what is left out is detected by DuckDB's sniffer.
      if (!v.is_table()) return c.Error(v, "`csv` must be a table such as { delimiter = \";\", header = true }");
      for (const auto& [ck, cv] : v.members) {
        if (ck == "delimiter") {
          DLT_ASSIGN_OR_RETURN(std::string d, GetString(c, cv, ck));
          if (d.empty()) return c.Error(cv, "`csv.delimiter` must not be empty");
          r.csv.delimiter = d;
        } else if (ck == "header") {
          DLT_ASSIGN_OR_RETURN(r.csv.header, GetBool(c, cv, ck));
        } else if (ck == "quote" || ck == "encoding") {
          DLT_ASSIGN_OR_RETURN(std::string q, GetString(c, cv, ck));
          (ck == "quote" ? r.csv.quote : r.csv.encoding) = q;
        } else if (ck == "skip_rows") {
          DLT_ASSIGN_OR_RETURN(int n, GetInt(c, cv, ck));
          if (n < 0) return c.Error(cv, "`csv.skip_rows` must be 0 or more");
          r.csv.skip_rows = static_cast<uint64_t>(n);
        } else if (ck == "names" || ck == "columns" || ck == "null_values") {
          DLT_ASSIGN_OR_RETURN(auto list, GetStrings(c, cv, ck));
          (ck == "names" ? r.csv.names : ck == "columns" ? r.csv.columns : r.csv.null_values) = list;
        } else if (ck == "all_text") {
          DLT_ASSIGN_OR_RETURN(r.csv.all_text, GetBool(c, cv, ck));
        } else if (ck == "types") {
          if (!cv.is_table()) return c.Error(cv, "`csv.types` must be a table such as { zip = \"text\" }");
          for (const auto& [tk, tv] : cv.members) {
            DLT_ASSIGN_OR_RETURN(std::string t, GetString(c, tv, tk));
            r.csv.types.emplace_back(tk, t);
          }
        } else {
          return UnknownKey(c, cv, ck, "csv",
                            {"delimiter", "header", "quote", "encoding", "skip_rows", "names", "columns",
                             "null_values", "types", "all_text"});
        }
      }
      if (Status s = CheckCsvOptions(r.csv); !s.ok()) return c.Error(v, s.message());
    } else if (k == "write_disposition") {
      if (v.is_table()) {
        const ConfigNode* d = v.Find("disposition");
        if (!d) return c.Error(v, "`write_disposition` table needs `disposition`");
        DLT_ASSIGN_OR_RETURN(r.options.write_disposition, GetString(c, *d, "disposition"));
        DLT_RETURN_IF_ERROR(ParseMergeOptions(c, v, &r.options.merge));
      } else {
        DLT_ASSIGN_OR_RETURN(r.options.write_disposition, GetString(c, v, k));
      }
      static const std::vector<std::string> kDisp = {"append", "replace", "merge", "skip"};
      if (std::find(kDisp.begin(), kDisp.end(), r.options.write_disposition) == kDisp.end()) {
        std::string msg = "unknown write_disposition `" + r.options.write_disposition + "`";
        if (auto s = text::Suggest(r.options.write_disposition, kDisp)) msg += ". Did you mean `" + *s + "`?";
        return c.Error(v, msg + " (append, replace, merge or skip)");
      }
    } else if (k == "primary_key") {
      DLT_ASSIGN_OR_RETURN(r.options.primary_key, GetStrings(c, v, k));
      r.options.primary_key_is_list = v.kind == ConfigNode::Kind::kArray;
    } else if (k == "merge_key") {
      DLT_ASSIGN_OR_RETURN(r.options.merge_key, GetStrings(c, v, k));
    } else if (k == "max_table_nesting") {
      DLT_ASSIGN_OR_RETURN(r.options.max_table_nesting, GetInt(c, v, k));
    } else if (k == "file_format") {
      // dlt's file_format hint: kept in the table's schema; the filesystem destination writes the
      // table's files in it (parquet, jsonl or csv; "preferred" and the others leave its default).
      DLT_ASSIGN_OR_RETURN(r.options.file_format, GetString(c, v, k));
      static const std::vector<std::string> kFileFormats = {"jsonl",   "typed-jsonl", "insert_values", "parquet",
                                                            "csv",     "reference",   "model",         "preferred"};
      if (std::find(kFileFormats.begin(), kFileFormats.end(), r.options.file_format) == kFileFormats.end()) {
        std::string msg = "unknown file_format `" + r.options.file_format + "`";
        if (auto s = text::Suggest(r.options.file_format, kFileFormats)) msg += ". Did you mean `" + *s + "`?";
        return c.Error(v, msg + " (dlt's formats: jsonl, parquet, csv, typed-jsonl, insert_values, reference, model, "
                                "or preferred)");
      }
    } else if (k == "references") {
      DLT_ASSIGN_OR_RETURN(r.options.references, ParseReferences(c, v));
    } else if (k == "use_pyarrow") {
      // As dlt's read_parquet/read_csv_duckdb(use_pyarrow=True): CSV and Parquet rows are loaded
      // as Arrow items (ResourceOptions::arrow_items); JSON records are not affected.
      DLT_ASSIGN_OR_RETURN(r.options.arrow_items, GetBool(c, v, k));
    } else if (k == "schema_contract") {
      // A mode for all three ("freeze"), or a table of them ({ columns = "freeze" }); dlt's four
      // modes for each (for tables discard_row and discard_value both discard a new table's rows).
      auto mode = [&](const ConfigNode& n, const std::string& key) -> StatusOr<std::string> {
        DLT_ASSIGN_OR_RETURN(std::string m, GetString(c, n, key));
        static const std::vector<std::string> kModes = {"evolve", "freeze", "discard_row", "discard_value"};
        if (std::find(kModes.begin(), kModes.end(), m) == kModes.end()) {
          std::string msg = "unknown schema contract mode `" + m + "` for " + key;
          if (auto s = text::Suggest(m, kModes)) msg += ". Did you mean `" + *s + "`?";
          return c.Error(n, msg + " (evolve, freeze, discard_row or discard_value)");
        }
        return m;
      };
      if (v.is_table()) {
        for (const auto& [ck, cv] : v.members) {
          if (ck == "tables") {
            DLT_ASSIGN_OR_RETURN(r.options.schema_contract.tables, mode(cv, ck));
          } else if (ck == "columns") {
            DLT_ASSIGN_OR_RETURN(r.options.schema_contract.columns, mode(cv, ck));
          } else if (ck == "data_type") {
            DLT_ASSIGN_OR_RETURN(r.options.schema_contract.data_type, mode(cv, ck));
          } else {
            return UnknownKey(c, cv, ck, "schema_contract", {"tables", "columns", "data_type"});
          }
        }
      } else {
        DLT_ASSIGN_OR_RETURN(std::string m, mode(v, k));
        r.options.schema_contract = SchemaContract{m, m, m};
      }
    } else if (k == "incremental") {
      if (!v.is_table()) return c.Error(v, "`incremental` must be a table with cursor_path and initial_value");
      IncrementalOptions inc;
      for (const auto& [ik, iv] : v.members) {
        if (ik == "cursor_path") {
          DLT_ASSIGN_OR_RETURN(inc.cursor_path, GetString(c, iv, ik));
        } else if (ik == "initial_value" || ik == "end_value") {
          if (!iv.is_scalar()) return c.Error(iv, "`" + ik + "` must be a string or a number");
          (ik == "initial_value" ? inc.initial_value_json : inc.end_value_json) = ToJsonText(iv);
        } else if (ik == "last_value_func") {
          DLT_ASSIGN_OR_RETURN(inc.last_value_func, GetString(c, iv, ik));
          if (inc.last_value_func != "max" && inc.last_value_func != "min") {
            return c.Error(iv, "`last_value_func` must be \"max\" or \"min\"");
          }
        } else if (ik == "range_start" || ik == "range_end") {
          DLT_ASSIGN_OR_RETURN(std::string edge, GetString(c, iv, ik));
          if (edge != "open" && edge != "closed") return c.Error(iv, "`" + ik + "` must be \"open\" or \"closed\"");
          (ik == "range_start" ? inc.range_start : inc.range_end) = edge;
        } else if (ik == "on_cursor_value_missing") {
          DLT_ASSIGN_OR_RETURN(inc.on_cursor_value_missing, GetString(c, iv, ik));
        } else if (ik == "primary_key") {
          DLT_ASSIGN_OR_RETURN(inc.primary_key, GetStrings(c, iv, ik));
          inc.primary_key_is_list = iv.kind == ConfigNode::Kind::kArray;
        } else {
          return UnknownKey(c, iv, ik, "incremental",
                            {"cursor_path", "initial_value", "end_value", "last_value_func", "range_start",
                             "range_end", "on_cursor_value_missing", "primary_key"});
        }
      }
      if (inc.cursor_path.empty()) return c.Error(v, "`incremental` needs `cursor_path`");
      if (inc.end_value_json && !inc.initial_value_json) return c.Error(v, "incremental `end_value` needs `initial_value`");
      r.options.incremental = inc;
    } else if (k == "columns") {
      if (!v.is_table()) return c.Error(v, "`columns` must be a table of column hints");
      for (const auto& [ck, cv] : v.members) {
        if (!cv.is_table()) return c.Error(cv, "column `" + ck + "` must be a table of hints");
        ColumnOptions col;
        col.name = ck;
        for (const auto& [hk, hv] : cv.members) {
          if (hk == "data_type") {
            DLT_ASSIGN_OR_RETURN(std::string dt, GetString(c, hv, hk));
            col.data_type = dt;
          } else if (hk == "nullable") {
            DLT_ASSIGN_OR_RETURN(bool b, GetBool(c, hv, hk));
            col.nullable = b;
          } else if (hk == "primary_key") {
            DLT_ASSIGN_OR_RETURN(col.primary_key, GetBool(c, hv, hk));
          } else if (hk == "merge_key") {
            DLT_ASSIGN_OR_RETURN(col.merge_key, GetBool(c, hv, hk));
          } else if (hk == "unique") {
            DLT_ASSIGN_OR_RETURN(col.unique, GetBool(c, hv, hk));
          } else if (hk == "precision") {
            DLT_ASSIGN_OR_RETURN(int p, GetInt(c, hv, hk));
            col.precision = p;
          } else if (hk == "scale") {
            DLT_ASSIGN_OR_RETURN(int s, GetInt(c, hv, hk));
            col.scale = s;
          } else if (hk == "hard_delete") {
            DLT_ASSIGN_OR_RETURN(col.hard_delete, GetBool(c, hv, hk));
          } else if (hk == "dedup_sort") {
            DLT_ASSIGN_OR_RETURN(std::string order, GetString(c, hv, hk));
            if (order != "asc" && order != "desc") return c.Error(hv, "`dedup_sort` must be \"asc\" or \"desc\"");
            col.dedup_sort = order;
          } else if (hk == "timezone") {
            DLT_ASSIGN_OR_RETURN(bool tz, GetBool(c, hv, hk));
            col.timezone = tz;
          } else {
            return UnknownKey(c, hv, hk, "column `" + ck + "`",
                              {"data_type", "nullable", "primary_key", "merge_key", "unique", "precision", "scale",
                               "hard_delete", "dedup_sort", "timezone"});
          }
        }
        r.options.columns.push_back(col);
      }
    } else {
      return UnknownKey(c, v, k, "resource `" + r.options.name + "`", kKeys);
    }
  }
  if (r.options.name.empty()) return c.Error(t, "a resource needs a `name`");
  return r;
}

}  // namespace

StatusOr<std::shared_ptr<const rest_api::RestApiSpec>> ParseRestApiConfig(std::string_view display_name,
                                                                          const ConfigNode& source,
                                                                          const ConfigNode* resources,
                                                                          const std::string& pipeline_name) {
  Ctx c{std::string(display_name), {}};
  rest_api::RestApiParseOptions options;
  options.allow_inline_secrets = true;
  DLT_ASSIGN_OR_RETURN(
      rest_api::RestApiSpec rest,
      rest_api::ParseRestApiSource(display_name, source, resources, pipeline_name,
                                   [&](const ConfigNode& t, const std::string& name) -> StatusOr<ResourceOptions> {
                                     DLT_ASSIGN_OR_RETURN(ResourceFileSpec r, ParseResource(c, name, t));
                                     return r.options;
                                   },
                                   options));
  return std::make_shared<const rest_api::RestApiSpec>(std::move(rest));
}

StatusOr<PipelineFileSpec> ParsePipelineFile(const fs::path& file, std::string_view display_name) {
  DLT_ASSIGN_OR_RETURN(std::string content, fsutil::ReadFile(file));
  // A `#!` line is a TOML comment already; nothing to strip.
  DLT_ASSIGN_OR_RETURN(ConfigNode root, ParseToml(content, display_name));
  Ctx c{std::string(display_name), SplitLines(content)};
  PipelineFileSpec spec;
  spec.file = fs::absolute(file);
  const ConfigNode* p = root.Find("pipeline");
  if (!p || !p->is_table()) {
    return InvalidArgument(std::string(display_name) + ": a pipeline file needs a [pipeline] table with name, destination and dataset_name");
  }
  for (const auto& [k, v] : p->members) {
    if (k == "name" || k == "pipeline_name") {
      DLT_ASSIGN_OR_RETURN(spec.name, GetString(c, v, k));
    } else if (k == "destination") {
      DLT_ASSIGN_OR_RETURN(spec.destination, GetString(c, v, k));
    } else if (k == "dataset_name") {
      DLT_ASSIGN_OR_RETURN(spec.dataset_name, GetString(c, v, k));
    } else {
      return UnknownKey(c, v, k, "[pipeline]", {"name", "destination", "dataset_name"});
    }
  }
  if (spec.name.empty()) return c.Error(*p, "[pipeline] needs `name`");
  if (spec.destination.empty()) return c.Error(*p, "[pipeline] needs `destination` (e.g. destination = \"warehouse\")");
  const ConfigNode* source_node = nullptr;
  const ConfigNode* resources_node = nullptr;
  if (const ConfigNode* src = root.Find("source"); src && src->is_table()) {
    if (const ConfigNode* t = src->Find("type")) {
      DLT_ASSIGN_OR_RETURN(spec.source_type, GetString(c, *t, "type"));
      static const std::vector<std::string> kTypes = {"filesystem", "rest_api", "sql_database"};
      if (std::find(kTypes.begin(), kTypes.end(), spec.source_type) == kTypes.end()) {
        std::string msg = "unknown source type `" + spec.source_type + "`.";
        if (auto s = text::Suggest(spec.source_type, kTypes)) msg += " Did you mean `" + *s + "`?";
        return c.Error(*t, msg + " Types: " + text::Join(kTypes, ", "));
      }
    }
  }
  for (const auto& [k, v] : root.members) {
    if (k == "pipeline") continue;
    if (k == "source") {
      source_node = &v;
      continue;
    }
    if (k == "resources" && (spec.source_type == "rest_api" || spec.source_type == "sql_database")) {
      resources_node = &v;  // parsed below, with the [source]
      continue;
    }
    if (k == "resources") {
      if (v.kind == ConfigNode::Kind::kArray) {
        for (const auto& item : v.items) {
          if (!item.is_table()) return c.Error(item, "[[resources]] entries must be tables");
          DLT_ASSIGN_OR_RETURN(auto r, ParseResource(c, "", item));
          spec.resources.push_back(std::move(r));
        }
      } else if (v.is_table()) {
        for (const auto& [name, item] : v.members) {
          if (!item.is_table()) return c.Error(item, "[resources." + name + "] must be a table");
          DLT_ASSIGN_OR_RETURN(auto r, ParseResource(c, name, item));
          spec.resources.push_back(std::move(r));
        }
      }
      continue;
    }
    return UnknownKey(c, v, k, "the pipeline file", {"pipeline", "source", "resources"});
  }
  if (spec.source_type == "rest_api") {
    // The declarative REST API source (src/extract/rest_api_config.cc); resource hints are read
    // by ParseResource like those of filesystem resources.
    DLT_ASSIGN_OR_RETURN(
        rest_api::RestApiSpec rest,
        rest_api::ParseRestApiSource(display_name, *source_node, resources_node, spec.name,
                                     [&](const ConfigNode& t, const std::string& name) -> StatusOr<ResourceOptions> {
                                       DLT_ASSIGN_OR_RETURN(ResourceFileSpec r, ParseResource(c, name, t));
                                       return r.options;
                                     }));
    for (const auto& r : rest.resources) {
      if (r.selected) spec.resources.push_back(ResourceFileSpec{r.options, {}, "auto", {}});
    }
    spec.rest_api = std::make_shared<const rest_api::RestApiSpec>(std::move(rest));
  }
  if (spec.source_type == "sql_database") {
    // Tables of a database (src/pipeline/sql_database_file.h); [[resources]] only add hints.
    auto hints = [&](const ConfigNode& t, const std::string& name) -> StatusOr<ResourceOptions> {
      DLT_ASSIGN_OR_RETURN(ResourceFileSpec r, ParseResource(c, name, t));
      return r.options;
    };
    DLT_ASSIGN_OR_RETURN(SqlDatabaseOptions sql, ParseSqlDatabaseSource(display_name, *source_node, resources_node, hints));
    for (const auto& t : sql.tables) {
      ResourceFileSpec r;
      r.options.name = t.resource_name.value_or(t.table);
      spec.resources.push_back(std::move(r));
    }
    spec.sql_database = std::make_shared<const SqlDatabaseOptions>(std::move(sql));
    return spec;
  }
  if (spec.resources.empty()) return InvalidArgument(std::string(display_name) + ": the pipeline has no [[resources]]");
  for (size_t i = 0; i < spec.resources.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (spec.resources[i].options.name == spec.resources[j].options.name) {
        return InvalidArgument(std::string(display_name) + ": resource `" + spec.resources[i].options.name + "` is defined twice");
      }
    }
  }
  return spec;
}

StatusOr<fs::path> FindPipelineFile(const std::string& arg, const fs::path& run_dir) {
  std::error_code ec;
  if (fs::is_regular_file(arg, ec)) return fs::absolute(arg);
  if (arg.find('/') != std::string::npos || arg.ends_with(".toml")) {
    return NotFound("pipeline file not found: " + arg);
  }
  for (const fs::path& cand : {run_dir / (arg + ".toml"), run_dir / (arg + "_pipeline.toml"),
                               run_dir / "pipelines" / (arg + ".toml")}) {
    if (fs::is_regular_file(cand, ec)) return cand;
  }
  std::vector<std::string> names;
  for (const fs::path& dir : {run_dir, run_dir / "pipelines"}) {
    for (const auto& e : fs::directory_iterator(dir, ec)) {
      if (e.path().extension() != ".toml") continue;
      auto spec = ParsePipelineFile(e.path(), e.path().filename().string());
      if (!spec.ok()) continue;
      if (spec->name == arg) return e.path();
      names.push_back(spec->name);
    }
  }
  std::string msg = "No pipeline file for `" + arg + "` in " + run_dir.string() + ".";
  if (auto s = text::Suggest(arg, names)) msg += " Did you mean `" + *s + "`?";
  else if (!names.empty()) msg += " Pipelines found: " + text::Join(names, ", ") + ".";
  return NotFound(msg);
}

}  // namespace dlt
