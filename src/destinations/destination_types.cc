#include "destinations/destination_types.h"

#include "common/text.h"
#include "dlt/workspace.h"

namespace dlt {

// Each type's entry, defined with its implementation (src/destinations/<type>/).
const DestinationType& DuckDbDestinationType();
const DestinationType& PostgresDestinationType();
const DestinationType& MotherDuckDestinationType();
const DestinationType& FilesystemDestinationType();
const DestinationType& SinkDestinationType();

namespace {

// Types Python dlt knows but this tool does not load into (yet).
const char* const kForeignTypes[] = {"bigquery", "snowflake", "redshift", "mssql", "synapse",
                                     "databricks", "athena", "clickhouse", "weaviate",
                                     "qdrant", "lancedb", "dremio", "sqlalchemy", "fabric", "ducklake"};

std::vector<std::string> Names() {
  std::vector<std::string> out;
  for (const DestinationType* t : DestinationTypes()) {
    if (t->listed) out.emplace_back(t->name);
  }
  return out;
}

}  // namespace

const std::vector<const DestinationType*>& DestinationTypes() {
  static const std::vector<const DestinationType*> types = {&DuckDbDestinationType(), &PostgresDestinationType(),
                                                            &MotherDuckDestinationType(), &FilesystemDestinationType(),
                                                            &SinkDestinationType()};
  return types;
}

const DestinationType* FindDestinationType(std::string_view name) {
  for (const DestinationType* t : DestinationTypes()) {
    if (t->name == name) return t;
  }
  return nullptr;
}

std::optional<std::string> MergeUnsupportedMessage(const DestinationType& type, std::string_view destination_name,
                                                   std::string_view table) {
  if (type.supports_merge) return std::nullopt;
  std::vector<std::string> sql;
  for (const DestinationType* t : DestinationTypes()) {
    if (t->supports_merge && t->listed) sql.emplace_back(t->name);
  }
  return "table `" + std::string(table) + "` has write_disposition `merge`, which the " + std::string(type.name) +
         " destination `" + std::string(destination_name) + "` does not support: its files are never updated in place. "
         "Use `append` or `replace` for it, or load it into a SQL destination (" + text::Join(sql, ", ") + ")";
}

std::string DestinationTypeNames() { return text::Join(Names(), ", "); }

bool IsKnownDestinationType(std::string_view type) { return FindDestinationType(type) != nullptr; }

size_t MaxIdentifierLength(std::string_view type) {
  const DestinationType* t = FindDestinationType(type);
  return t ? t->max_identifier_length : 0;
}

std::string DestinationConfig::Describe() const {
  std::string out = type;
  if (credentials) out += " " + credentials->Redacted();
  return out;
}

StatusOr<std::unique_ptr<Destination>> OpenDestination(const DestinationConfig& config, const DestinationOpenOptions& options) {
  const DestinationType* t = FindDestinationType(config.type);
  if (!t || !t->open) return FailedPrecondition("destination `" + config.name + "` of type " + config.type + " is not supported");
  return t->open(config, options);
}

void PreloadDestination(const DestinationConfig& config) {
  const DestinationType* t = FindDestinationType(config.type);
  if (t && t->preload) t->preload();
}

std::optional<std::filesystem::path> MissingLocalFile(const DestinationConfig& config) {
  const DestinationType* t = FindDestinationType(config.type);
  if (!t || !t->local_file) return std::nullopt;
  auto file = t->local_file(config);
  std::error_code ec;
  if (file && !std::filesystem::exists(*file, ec)) return file;
  return std::nullopt;
}

StatusOr<DestinationConfig> ResolveDestination(const Workspace& ws, std::string_view name_view,
                                               std::string_view pipeline_view) {
  const std::string name(name_view), pipeline(pipeline_view);
  DestinationConfig out;
  out.name = name;

  ConfigKey type_key;
  type_key.sections = {"destination", name};
  type_key.key = "destination_type";
  type_key.pipeline_name = pipeline;
  type_key.drop_sections = false;
  DLT_ASSIGN_OR_RETURN(auto type, ws.config().Resolve(type_key));
  if (type) {
    out.type = type->value.text;
    out.type_origin = type->origin;
  } else if (FindDestinationType(name)) {
    out.type = name;
  } else {
    std::string hint;
    if (auto s = text::Suggest(name, Names())) hint = " Did you mean `" + *s + "`?";
    std::string where = ws.workspace_mode() ? ".dlt/" + ws.profile() + ".secrets.toml (or .dlt/config.toml)" : ".dlt/config.toml";
    return NotFound("Destination `" + name + "` is not configured" +
                    (ws.workspace_mode() ? " in profile `" + ws.profile() + "`" : std::string()) +
                    " and is not a destination type." + hint + " Configure it in " + where +
                    ":\n  [destination." + name + "]\n  destination_type = \"duckdb\"\nor set " +
                    EnvVarName({"destination", name, "destination_type"}) + "=duckdb");
  }
  const DestinationType* type_entry = FindDestinationType(out.type);
  if (!type_entry) {
    std::string where = out.type_origin ? " (" + out.type_origin->Describe() + ")" : "";
    for (const char* t : kForeignTypes) {
      if (out.type == t) {
        return InvalidArgument("Destination type `" + out.type + "` of destination `" + name + "`" +
                               where + " is not supported by this tool; supported types: " + DestinationTypeNames());
      }
    }
    std::string hint;
    if (auto s = text::Suggest(out.type, Names())) hint = " Did you mean `" + *s + "`?";
    return InvalidArgument("Unknown destination type `" + out.type + "` for destination `" + name + "`" +
                           where + "." + hint + " Supported types: " + DestinationTypeNames());
  }

  ConfigKey cred_key;
  cred_key.sections = {"destination", name};
  cred_key.key = "credentials";
  cred_key.pipeline_name = pipeline;
  DLT_ASSIGN_OR_RETURN(auto native, ws.config().Resolve(cred_key));
  CredentialsLookup lookup{ws, name, out.type, pipeline, std::nullopt, ""};
  if (native) {
    out.credentials_origin = native->origin;
    if (native->value.kind == ConfigNode::Kind::kString) {
      lookup.native = native->value.text;
    } else if (!native->value.is_table()) {
      return InvalidArgument("`" + text::Join(native->path, ".") + "` must be a string or a table (" +
                             native->origin.Describe() + ")");
    }
  }
  lookup.where = out.credentials_origin ? " (" + out.credentials_origin->Describe() + ")" : "";
  DLT_ASSIGN_OR_RETURN(out.credentials, type_entry->resolve_credentials(lookup));
  return out;
}

}  // namespace dlt
