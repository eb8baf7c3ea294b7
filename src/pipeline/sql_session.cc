// SqlSession (include/dlt/sql.h) and Pipeline::OpenSql: a connection of its own to the
// pipeline's destination, opened the way a run opens it (OpenDestination with the resolved
// profile credentials), with the dataset as the default schema.
#include "dlt/sql.h"

#include "destinations/destination_types.h"
#include "destinations/filesystem/filesystem_snapshot.h"
#include "dlt/pipeline.h"
#include "load/sql_client.h"
#include "pipeline/pipeline_impl.h"
#include "workspace/pipeline_paths.h"

namespace dlt {

struct SqlSession::Impl {
  std::shared_ptr<const void> keep;  // a filesystem dataset's snapshot, while the session reads it
  std::unique_ptr<Destination> dest;
  SqlClient* client = nullptr;  // owned by dest; nullptr once closed
  std::string dataset;
  std::string type;
  std::string where;  // "duckdb /path/x.duckdb" for messages (never a secret)
  bool read_only = false;
  bool search_path_set = false;

  Status Open() const {
    if (!client) return FailedPrecondition("the SQL session on dataset `" + dataset + "` is closed");
    return Status::Ok();
  }

  // Makes the dataset the default schema once it exists. DuckDB refuses a search_path naming a
  // schema that is not there, so a session opened before the first load sets it on a later
  // statement (after the dataset was created by a run or by this session).
  Status EnsureSearchPath() {
    if (search_path_set) return Status::Ok();
    const std::string schema = client->QuoteIdentifier(dataset);
    if (type == "postgres") {
      // As dlt's postgres sql_client (`-csearch_path=<dataset>,public`); PostgreSQL skips a
      // schema that does not exist yet.
      DLT_RETURN_IF_ERROR(client->Execute("SET search_path TO " + schema + ", public"));
    } else {
      auto exists = client->SchemaExists(dataset);
      if (!exists.ok() || !*exists) return Status::Ok();
      // With the catalog: a schema named like the database file is not ambiguous.
      DLT_RETURN_IF_ERROR(client->Execute("SET search_path = " + client->QuoteLiteral(client->catalog_prefix() + schema)));
    }
    search_path_set = true;
    return Status::Ok();
  }

  // A failed statement: when the dataset is not there, the message says so (the database's own
  // message names only the table).
  Status Explain(Status s) {
    if (s.ok()) return s;
    auto exists = client->SchemaExists(dataset);
    if (exists.ok() && !*exists) {
      return Status(s.code(), s.message() + " (dataset `" + dataset + "` does not exist in " + where +
                                  " yet: run the pipeline to load it)");
    }
    return s;
  }
};

SqlSession::SqlSession() : impl_(std::make_unique<Impl>()) {}
SqlSession::SqlSession(SqlSession&&) noexcept = default;
SqlSession& SqlSession::operator=(SqlSession&&) noexcept = default;
SqlSession::~SqlSession() = default;

Status SqlSession::Execute(std::string_view sql, const SqlParams& params) {
  DLT_RETURN_IF_ERROR(impl_->Open());
  DLT_RETURN_IF_ERROR(impl_->EnsureSearchPath());
  // Without parameters the SQL runs as written, several statements included.
  if (params.empty()) return impl_->Explain(impl_->client->Execute(sql));
  return impl_->Explain(impl_->client->QueryTyped(sql, params).status());
}

StatusOr<QueryResult> SqlSession::Query(std::string_view sql, const SqlParams& params) {
  DLT_RETURN_IF_ERROR(impl_->Open());
  DLT_RETURN_IF_ERROR(impl_->EnsureSearchPath());
  auto r = impl_->client->QueryTyped(sql, params);
  if (!r.ok()) return impl_->Explain(r.status());
  return r;
}

const std::string& SqlSession::dataset_name() const { return impl_->dataset; }

std::string SqlSession::QuoteIdentifier(std::string_view name) const {
  if (impl_->client) return impl_->client->QuoteIdentifier(name);
  // Closed: both DuckDB and PostgreSQL quote with double quotes, doubling any inside.
  std::string out = "\"";
  for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string SqlSession::destination_type() const { return impl_->type; }
bool SqlSession::read_only() const { return impl_->read_only; }

bool SqlSession::DatasetExists() {
  if (!impl_->client) return false;
  auto exists = impl_->dest->DatasetExists();
  return exists.ok() && *exists;
}

void SqlSession::Close() {
  impl_->client = nullptr;
  impl_->dest.reset();
}

bool SqlSession::is_open() const { return impl_->client != nullptr; }

StatusOr<SqlSession> Pipeline::OpenSql(bool read_only) {
  Impl& im = *impl_;
  read_only = read_only || im.options.read_only;
  const std::string where = im.destination.Describe();
  if (read_only) {
    if (auto missing = MissingLocalFile(im.destination)) {
      return NotFound("cannot open a read-only SQL session on pipeline `" + im.options.pipeline_name + "`: " +
                      missing->string() + " does not exist yet (run the pipeline first)");
    }
  }
  // The pipeline keeps the destination it loaded into open between runs. Closed here (its next
  // step opens it again) so that a read-only session can open a DuckDB file this process had
  // open for writing, and so that closing the session frees the file for other processes.
  if (im.dest && !im.StreamInProgress()) im.dest.reset();
  SqlSession s;
  SqlSession::Impl& si = *s.impl_;
  si.dataset = im.options.dataset_name;
  si.type = im.destination.type;
  si.where = where;
  si.read_only = read_only;
  DLT_ASSIGN_OR_RETURN(si.dest, dlt::OpenDestination(im.destination, {im.options.dataset_name, im.staging_dataset, read_only}));
  si.client = si.dest->sql_client();
  if (!si.client && read_only && im.destination.type == "filesystem") {
    // A lake is read through a read-only DuckDB copy of its tables (filesystem_snapshot.h), made
    // from the schema: the one a step of this process used, else the stored one.
    if (!im.schema) {
      std::error_code ec;
      const std::string name = im.WorkingSchemaName();
      if (std::filesystem::exists(PipelinePaths(im.dir).Schema(name), ec)) DLT_RETURN_IF_ERROR(im.UseSchema(name));
    }
    if (!im.schema) {
      return NotFound("cannot open a read-only SQL session on pipeline `" + im.options.pipeline_name +
                      "`: it has no schema yet (run the pipeline first)");
    }
    DLT_ASSIGN_OR_RETURN(FilesystemSnapshot snap,
                         OpenFilesystemSnapshot(*si.dest, *im.schema, im.destination.name, im.options.dataset_name,
                                                im.dir.string() + "\n" + im.destination.name + "\n" + im.options.dataset_name));
    si.keep = std::move(snap.keep);
    si.dest = std::move(snap.dest);
    si.client = si.dest->sql_client();
  }
  if (!si.client) {
    return FailedPrecondition("destination `" + im.destination.name + "` (" + si.type + ") is not a SQL database: it " +
                              (si.type == "filesystem" ? "is read through read-only SQL sessions only (dataset())"
                                                       : "has no SQL session"));
  }
  DLT_RETURN_IF_ERROR(si.EnsureSearchPath());
  return s;
}

}  // namespace dlt
