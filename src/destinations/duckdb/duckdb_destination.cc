// The duckdb and motherduck destination types: their registry entries (destination_types.h).
// Both load through DuckDB in this process (DuckDbClient); DuckDB uses the normalizer's cores,
// so neither loads while normalizing.
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <memory>

#include "common/fs.h"
#include "destinations/destination_types.h"
#include "destinations/duckdb/duckdb_api.h"
#include "destinations/duckdb/duckdb_client.h"
#include "destinations/duckdb/duckdb_connection_setup.h"
#include "destinations/duckdb/duckdb_credentials.h"
#include "load/sql_destination.h"

namespace dlt {

namespace fs = std::filesystem;

namespace {

StatusOr<std::shared_ptr<const DestinationCredentials>> ResolveDuckDb(const CredentialsLookup& l) {
  DuckDbCredentials c;
  std::optional<std::string> path = l.native;
  if (!path) {
    DLT_ASSIGN_OR_RETURN(auto db, l.Get("database"));
    if (db) path = db->value.text;
  }
  if (path && *path == ":pipeline:") {
    // dlt's `:pipeline:`: a file named after the pipeline in its working folder.
    if (l.pipeline.empty()) {
      return InvalidArgument("destination `" + l.name + "`: the database `:pipeline:`" + l.where +
                             " is a file in a pipeline's working folder, and there is no pipeline here; give a path");
    }
    c.database = l.ws.pipelines_dir() / l.pipeline / (l.pipeline + ".duckdb");
  } else if (path && !path->empty()) {
    fs::path p(*path);
    if (p.string().starts_with("duckdb:///")) p = p.string().substr(10);
    // A URL is not a DuckDB file: most likely credentials of another destination type (with a
    // password in it) under a duckdb destination. Never used as a file name, never echoed.
    const std::string& ps = p.string();
    size_t at = ps.find('@');
    if (ps.find("://") != std::string::npos || (at != std::string::npos && ps.rfind(':', at) != std::string::npos)) {
      return InvalidArgument("destination `" + l.name + "` is of type duckdb but its credentials" + l.where +
                             " are a URL, not a database file path; check destination_type (the value is not shown: it may hold a password)");
    }
    c.database = p.is_absolute() ? p : l.ws.local_dir() / p;
  } else {
    bool named = l.name != l.type || l.pipeline.empty();
    c.database = l.ws.local_dir() / ((named ? l.name : l.pipeline) + ".duckdb");
  }
  c.database = fsutil::Normalize(c.database);
  DLT_ASSIGN_OR_RETURN(c.setup, DuckDbConnectionSetup(l));
  DLT_ASSIGN_OR_RETURN(auto indexes, l.Setting("create_indexes"));
  if (indexes) {
    DLT_ASSIGN_OR_RETURN(c.create_indexes, CredentialsLookup::ToBool(*indexes));
  }
  return std::shared_ptr<const DestinationCredentials>(std::make_shared<DuckDbCredentials>(std::move(c)));
}

StatusOr<std::shared_ptr<const DestinationCredentials>> ResolveMotherDuck(const CredentialsLookup& l) {
  MotherDuckCredentials c;
  if (l.native) {
    auto parsed = ParseMotherDuckCredentials(*l.native);
    if (!parsed.ok()) return parsed.status().WithContext("destination `" + l.name + "`" + l.where);
    c = std::move(parsed).value();
  } else {
    DLT_ASSIGN_OR_RETURN(auto db, l.Get("database"));
    if (db && !db->value.text.empty()) c.database = db->value.text;
    DLT_ASSIGN_OR_RETURN(auto pw, l.Get("password", true));
    if (!pw) {
      DLT_ASSIGN_OR_RETURN(pw, l.Get("token", true));
    }
    if (pw) c.token = Secret(pw->value.text);
  }
  if (c.token.empty()) {
    if (auto t = l.ws.env().Get("MOTHERDUCK_TOKEN"); t && !t->empty()) c.token = Secret(*t);
    else if (auto t2 = l.ws.env().Get("motherduck_token"); t2 && !t2->empty()) c.token = Secret(*t2);
  }
  if (c.token.empty()) {
    return InvalidArgument(l.MissingMessage({"password"}) +
                           " (the MotherDuck token; MOTHERDUCK_TOKEN works too)");
  }
  DLT_ASSIGN_OR_RETURN(auto indexes, l.Setting("create_indexes"));
  if (indexes) {
    DLT_ASSIGN_OR_RETURN(c.create_indexes, CredentialsLookup::ToBool(*indexes));
  }
  return std::shared_ptr<const DestinationCredentials>(std::make_shared<MotherDuckCredentials>(std::move(c)));
}

// A new DuckDB file is made whole under a name of its own and then linked into place, which
// fails if the file is there by then. Two runs that start together on a new file (two pipelines
// of one profile) cannot both create it: DuckDB creates a file by truncating it, so the second
// would wipe what the first had written, or open it before its headers are written.
Status CreateDuckDbFileOnce(const fs::path& path) {
  std::error_code ec;
  if (path.string().starts_with(":memory:") || fs::exists(path, ec) || ec) return Status::Ok();
  static std::atomic<unsigned> counter{0};
  fs::path fresh = path;
  fresh += ".new-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
  auto remove_fresh = [&] {
    fs::remove(fresh, ec);
    fs::remove(fs::path(fresh.string() + ".wal"), ec);
  };
  {
    auto db = duckdb::Database::Open(fresh.string(), /*read_only=*/false, {});
    if (!db.ok()) {
      remove_fresh();
      return Status(db.status().code(), "cannot create DuckDB database " + path.string() + ": " +
                                            db.status().message());
    }
  }  // closed: the file is complete
  if (::link(fresh.c_str(), path.c_str()) != 0) {
    const int err = errno;
    if (err != EEXIST && err != EPERM && err != ENOTSUP && err != EXDEV) {
      remove_fresh();
      return Unavailable("cannot create DuckDB database " + path.string() + ": " + std::strerror(err));
    }
    // EEXIST: another run made it first, that one is used. A file system without hard links:
    // DuckDB creates the file itself when it opens it, as it would without this.
  }
  remove_fresh();
  return Status::Ok();
}

StatusOr<std::unique_ptr<Destination>> OpenDuckDb(const DestinationConfig& d, const DestinationOpenOptions& o) {
  const auto* c = d.CredentialsAs<DuckDbCredentials>();
  if (!c) return Internal("destination `" + d.name + "`: credentials of another type");
  if (!o.read_only) {
    DLT_RETURN_IF_ERROR(fsutil::CreateDirectories(c->database.parent_path()));
    DLT_RETURN_IF_ERROR(CreateDuckDbFileOnce(c->database));
  }
  DLT_ASSIGN_OR_RETURN(auto client, DuckDbClient::Open(c->database.string(), c->database.string(), o.read_only,
                                                              o.read_only && o.no_external_access));
  client->set_create_indexes(c->create_indexes);
  // A session opened without external access has its configuration locked (the dashboard's): the
  // connection settings are not run there.
  if (!(o.read_only && o.no_external_access)) {
    for (const auto& st : c->setup) {
      if (Status s = client->Execute(st.sql); !s.ok()) {
        // A setting's value may be a secret (an S3 key): the message names the statement without
        // it, and DuckDB's message with it masked.
        std::string why = s.message();
        if (st.value.size() >= 3) {
          for (size_t at; (at = why.find(st.value)) != std::string::npos;) why.replace(at, st.value.size(), "***");
        }
        return InvalidArgument("destination `" + d.name + "`: `" + st.shown + "` (from `" + st.key + "`) failed: " + why);
      }
    }
  }
  return std::unique_ptr<Destination>(std::make_unique<SqlDestination>(std::move(client), o, /*streams=*/true));
}

StatusOr<std::unique_ptr<Destination>> OpenMotherDuck(const DestinationConfig& d, const DestinationOpenOptions& o) {
  const auto* m = d.CredentialsAs<MotherDuckCredentials>();
  if (!m) return Internal("destination `" + d.name + "`: credentials of another type");
  auto client = DuckDbClient::Open(m->ConnectionString(), m->Redacted(), o.read_only);
  if (!client.ok()) {
    return Unavailable("cannot connect to MotherDuck database `" + m->database + "` (destination `" + d.name +
                       "`; MotherDuck needs internet access and DuckDB's motherduck extension): " +
                       client.status().message());
  }
  (*client)->set_create_indexes(m->create_indexes);
  return std::unique_ptr<Destination>(std::make_unique<SqlDestination>(std::move(client).value(), o, /*streams=*/true));
}

void PreloadDuckDb() { (void)duckdb::EnsureLoaded(); }

std::optional<fs::path> DuckDbFile(const DestinationConfig& d) {
  const auto* c = d.CredentialsAs<DuckDbCredentials>();
  if (!c) return std::nullopt;
  return c->database;
}

}  // namespace

const DestinationType& DuckDbDestinationType() {
  static const DestinationType t{
      .name = "duckdb",
      .max_identifier_length = 65536,
      .case_sensitive_identifiers = false,
      .load_while_normalizing = false,
      .load_while_extracting = true,
      .reads_typed_jobs = true,
      .typed_jobs_with_generated_columns = true,
      .reads_parquet_jobs = true,
      .resolve_credentials = &ResolveDuckDb,
      .open = &OpenDuckDb,
      .preload = &PreloadDuckDb,
      .local_file = &DuckDbFile,
      .init_loads_into = "into _local/dev/warehouse.duckdb",
      .init_credentials_step = "",
  };
  return t;
}

const DestinationType& MotherDuckDestinationType() {
  static const DestinationType t{
      .name = "motherduck",
      .max_identifier_length = 65536,
      .case_sensitive_identifiers = false,
      .load_while_normalizing = false,
      .load_while_extracting = true,
      .reads_typed_jobs = true,
      .resolve_credentials = &ResolveMotherDuck,
      .open = &OpenMotherDuck,
      .preload = &PreloadDuckDb,
      .local_file = nullptr,
      .init_loads_into = "into motherduck",
      .init_credentials_step = "Add the MotherDuck credentials to .dlt/secrets.toml: uncomment `credentials = ...` under\n"
                               "[destination.warehouse] (or set MOTHERDUCK_TOKEN).",
  };
  return t;
}

}  // namespace dlt
