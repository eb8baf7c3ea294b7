#include "load/sql_loader.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include "common/fault.h"
#include "common/text.h"
#include "load/job_header.h"

namespace dlt {

namespace fs = std::filesystem;


StatusOr<std::vector<std::string>> SqlClient::TableColumns(const std::string& dataset, const std::string& table) {
  DLT_ASSIGN_OR_RETURN(auto rows, Query("SELECT column_name FROM information_schema.columns WHERE table_schema = " +
                                        QuoteLiteral(dataset) + " AND table_name = " + QuoteLiteral(table) +
                                        " ORDER BY ordinal_position"));
  std::vector<std::string> out;
  for (auto& r : rows) {
    if (!r.empty() && r[0]) out.push_back(*r[0]);
  }
  return out;
}

StatusOr<bool> SqlClient::SchemaExists(const std::string& dataset) {
  DLT_ASSIGN_OR_RETURN(auto rows, Query("SELECT 1 FROM information_schema.schemata WHERE schema_name = " +
                                        QuoteLiteral(dataset)));
  return !rows.empty();
}

Status SqlLoader::EnsureTable(const std::string& dataset, const Table& table) {
  DLT_ASSIGN_OR_RETURN(auto existing, client_->TableColumns(dataset, table.name));
  if (existing.empty()) {
    std::vector<std::string> defs;
    const std::string qualified = client_->Qualified(dataset, table.name);
    for (const auto& c : table.columns) {
      // Constraints that an index backs come after the load's rows (SqlClient::AddConstraintSql).
      std::string later = client_->AddConstraintSql(qualified, c);
      defs.push_back(client_->QuoteIdentifier(c.name) + " " + client_->TypeSql(c) + client_->StorageSql(c) +
                     (later.empty() ? client_->ConstraintSql(c) : std::string()) + (c.nullable ? "" : " NOT NULL"));
      if (!later.empty()) deferred_constraints_.push_back(std::move(later));
    }
    if (defs.empty()) return Status::Ok();
    DLT_RETURN_IF_ERROR(client_->Execute("CREATE TABLE " + client_->Qualified(dataset, table.name) + " (" +
                                         text::Join(defs, ", ") + ")"));
    if (dataset == dataset_) {
      for (const auto& c : table.columns) NoteApplied(table.name, c.name);
    }
    return Status::Ok();
  }
  std::set<std::string> have(existing.begin(), existing.end());
  std::vector<const Column*> added;
  for (const auto& c : table.columns) {
    if (!have.count(c.name)) added.push_back(&c);
  }
  // All of a table's new columns in one go: the destination picks the cheapest way.
  if (added.empty()) return Status::Ok();
  DLT_RETURN_IF_ERROR(client_->AddColumns(dataset, table, added));
  if (dataset == dataset_) {
    for (const Column* c : added) NoteApplied(table.name, c->name);
  }
  return Status::Ok();
}

Status SqlClient::AddColumns(const std::string& dataset, const Table& table, const std::vector<const Column*>& added) {
  for (const Column* c : added) {
    // Added columns are nullable: rows loaded before have no value for them.
    DLT_RETURN_IF_ERROR(Execute("ALTER TABLE " + Qualified(dataset, table.name) + " ADD COLUMN " +
                                QuoteIdentifier(c->name) + " " + TypeSql(*c) + AddColumnConstraintSql(*c)));
  }
  return Status::Ok();
}

void SqlLoader::NoteApplied(const std::string& table, const std::string& column) {
  for (auto& [name, columns] : applied_columns_) {
    if (name == table) {
      columns.push_back(column);
      return;
    }
  }
  applied_columns_.push_back({table, {column}});
}

StatusOr<bool> SqlLoader::IsLoaded(const std::string& load_id) {
  DLT_ASSIGN_OR_RETURN(auto cols, client_->TableColumns(dataset_, "_dlt_loads"));
  if (cols.empty()) return false;
  DLT_ASSIGN_OR_RETURN(auto rows, client_->Query("SELECT 1 FROM " + client_->Qualified(dataset_, "_dlt_loads") +
                                                 " WHERE load_id = " + client_->QuoteLiteral(load_id)));
  return !rows.empty();
}

Status SqlLoader::CopyJobs(const std::string& dataset, const Table& table, const std::vector<const PackageJob*>& jobs) {
  // Files with the same header are loaded together; Parquet jobs (read by the destination
  // itself) by header and generated columns, in statements of their own after the others.
  std::map<std::vector<std::string>, std::vector<fs::path>> groups;
  std::map<std::pair<std::vector<std::string>, std::vector<std::string>>, std::vector<fs::path>> parquet;
  // Typed jobs kept as extracted (pipeline/typed_items.h), by header and generated columns.
  std::map<std::pair<std::vector<std::string>, std::vector<std::string>>, std::vector<fs::path>> typed_generated;
  for (const PackageJob* j : jobs) {
    if (IsTypedJobFile(j->path) && !client_->ReadsTypedJobs()) return TypedJobUnsupported(j->path, client_->TypeName());
    if (IsParquetJobFile(j->path)) {
      if (!client_->ReadsParquetJobs()) return ParquetJobUnsupported(j->path, client_->TypeName());
      DLT_ASSIGN_OR_RETURN(auto header, client_->ParquetJobColumns(j->path));
      parquet[{header, j->generated}].push_back(j->path);
      continue;
    }
    DLT_ASSIGN_OR_RETURN(auto header, ReadJobHeader(j->path));
    if (!j->generated.empty()) {
      typed_generated[{header, j->generated}].push_back(j->path);
      continue;
    }
    groups[header].push_back(j->path);
  }
  for (const auto& [header, files] : groups) {
    DLT_ASSIGN_OR_RETURN(auto cols, JobColumns(table, header, files.front()));
    DLT_RETURN_IF_ERROR(client_->CopyJobFiles(dataset, table.name, cols, files));
  }
  for (const auto& [key, files] : typed_generated) {
    DLT_ASSIGN_OR_RETURN(auto cols, JobColumns(table, key.first, files.front()));
    DLT_ASSIGN_OR_RETURN(auto generated, JobColumns(table, key.second, files.front()));
    DLT_RETURN_IF_ERROR(client_->CopyTypedJobsWithGenerated(dataset, table.name, cols, generated, load_id_, files));
  }
  for (const auto& [key, files] : parquet) {
    DLT_ASSIGN_OR_RETURN(auto cols, JobColumns(table, key.first, files.front()));
    DLT_ASSIGN_OR_RETURN(auto generated, JobColumns(table, key.second, files.front()));
    // One statement per file: files of one header may still differ in their physical types
    // (INTEGER in one, BIGINT in the next), which one read_parquet over both would take from the
    // first file.
    for (const auto& f : files) {
      DLT_RETURN_IF_ERROR(client_->CopyParquetJobs(dataset, table.name, cols, generated, load_id_, {f}));
    }
  }
  return Status::Ok();
}

Status SqlLoader::Merge(const Schema& schema, const Table& root,
                        const std::map<std::string, std::vector<const PackageJob*>>& jobs) {
  std::vector<std::string> keys, merge_keys;
  for (const auto& c : root.columns) {
    if (c.primary_key) keys.push_back(c.name);
    if (c.merge_key) merge_keys.push_back(c.name);
  }
  // dlt's hard_delete and dedup_sort hints: the first root column that has each.
  const Column* hard_delete = nullptr;
  const Column* dedup_sort = nullptr;
  for (const auto& c : root.columns) {
    auto hd = c.extra.find("hard_delete");
    if (!hard_delete && hd != c.extra.end() && hd->is_boolean() && hd->get<bool>()) hard_delete = &c;
    auto ds = c.extra.find("dedup_sort");
    if (!dedup_sort && ds != c.extra.end() && ds->is_string()) dedup_sort = &c;
  }
  std::vector<const Table*> family{&root};
  for (const Table* t : schema.NestedTablesOf(root.name)) family.push_back(t);
  if (keys.empty() && merge_keys.empty() && !hard_delete && MergeStrategyOf(root) == "delete-insert") {
    // Without keys merge degenerates to append, as in dlt.
    for (const Table* t : family) {
      auto it = jobs.find(t->name);
      if (it != jobs.end()) DLT_RETURN_IF_ERROR(CopyJobs(dataset_, *t, it->second));
    }
    return Status::Ok();
  }
  // delete-insert finds the nested rows of a root row by their root key: without it (a source
  // with root_key = False) stale nested rows would stay, so the load stops, as dlt's does.
  if (MergeStrategyOf(root) == "delete-insert") {
    for (size_t i = 1; i < family.size(); ++i) {
      const Table* t = family[i];
      if (t->columns.empty() || t->FindColumn("_dlt_root_id")) continue;
      return InvalidArgument("nested table `" + t->name + "` has no root key column (`_dlt_root_id`), which the merge of `" +
                             root.name + "` (delete-insert) needs to replace its rows: let the source propagate it "
                             "(root_key=True, or leave root_key unset), or use another write disposition");
    }
  }
  DLT_RETURN_IF_ERROR(StageFamily(schema, family, jobs));
  FaultPoint("load_merge_staged");
  const std::string strategy = MergeStrategyOf(root);
  if (strategy == "upsert" || strategy == "insert-only") return MergeUpsert(root, family, strategy == "insert-only");
  if (strategy == "scd2") return MergeScd2(root, family);
  const std::string staging = staging_dataset();
  auto q = [&](const std::string& n) { return client_->QuoteIdentifier(n); };
  const std::string droot = client_->Qualified(dataset_, root.name);
  const std::string sroot = client_->Qualified(staging, root.name);
  auto match = [&](const std::vector<std::string>& cols) {
    std::vector<std::string> parts;
    for (const auto& c : cols) parts.push_back("s." + q(c) + " = d." + q(c));
    return text::Join(parts, " AND ");
  };
  std::string cond;
  if (!keys.empty()) cond = "EXISTS (SELECT 1 FROM " + sroot + " s WHERE " + match(keys) + ")";
  if (!merge_keys.empty()) {
    std::string mk = "EXISTS (SELECT 1 FROM " + sroot + " s WHERE " + match(merge_keys) + ")";
    cond = cond.empty() ? mk : "(" + cond + " OR " + mk + ")";
  }
  // Nested rows of replaced root rows go first (they are found through the root rows).
  for (size_t i = 1; !cond.empty() && i < family.size(); ++i) {
    const Table* t = family[i];
    if (t->columns.empty() || !t->FindColumn("_dlt_root_id")) continue;
    DLT_ASSIGN_OR_RETURN(auto exists, client_->TableColumns(dataset_, t->name));
    if (exists.empty()) continue;
    DLT_RETURN_IF_ERROR(client_->Execute("DELETE FROM " + client_->Qualified(dataset_, t->name) +
                                         " WHERE " + q("_dlt_root_id") + " IN (SELECT d." + q("_dlt_id") +
                                         " FROM " + droot + " d WHERE " + cond + ")"));
  }
  if (!cond.empty()) DLT_RETURN_IF_ERROR(client_->Execute("DELETE FROM " + droot + " d WHERE " + cond));
  // Insert the staged root rows but those marked deleted (hard_delete: true for a bool column,
  // any value for another type). With a primary key, one row per key: the first by dedup_sort,
  // any one without it; the deleted mark is read from that row. With only a merge key every row
  // is inserted (the key names a partition of rows, which the load replaces as a whole), as dlt.
  std::vector<std::string> cols;
  for (const auto& c : root.columns) cols.push_back(q(c.name));
  std::string col_list = text::Join(cols, ", ");
  std::string keep = "1 = 1";
  if (hard_delete) {
    keep = q(hard_delete->name) + " IS NULL";
    if (hard_delete->data_type == DataType::kBool) keep = "(" + keep + " OR " + q(hard_delete->name) + " = FALSE)";
  }
  // `deduplicated` (dlt's x-stage-data-deduplicated): the source promises one row per key.
  auto dedup_hint = root.extra.find("x-stage-data-deduplicated");
  const bool deduplicated = dedup_hint != root.extra.end() && dedup_hint->is_boolean() && dedup_hint->get<bool>();
  if (!keys.empty() && !deduplicated) {
    std::vector<std::string> part;
    for (const auto& k : keys) part.push_back(q(k));
    std::string order;
    if (dedup_sort) {
      order = " ORDER BY " + q(dedup_sort->name) + (dedup_sort->extra.at("dedup_sort") == "asc" ? " ASC" : " DESC");
    }
    DLT_RETURN_IF_ERROR(client_->Execute(
        "INSERT INTO " + droot + " (" + col_list + ") SELECT " + col_list + " FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY " +
        text::Join(part, ", ") + order + ") AS _dlt_dedup_rn FROM " + sroot + ") AS x WHERE _dlt_dedup_rn = 1 AND " + keep));
  } else {
    DLT_RETURN_IF_ERROR(client_->Execute("INSERT INTO " + droot + " (" + col_list + ") SELECT " + col_list + " FROM " +
                                         sroot + " WHERE " + keep));
  }
  for (size_t i = 1; i < family.size(); ++i) {
    const Table* t = family[i];
    if (t->columns.empty() || !jobs.count(t->name)) continue;
    std::vector<std::string> ccols;
    for (const auto& c : t->columns) ccols.push_back(q(c.name));
    std::string cl = text::Join(ccols, ", ");
    DLT_RETURN_IF_ERROR(client_->Execute("INSERT INTO " + client_->Qualified(dataset_, t->name) + " (" + cl + ") SELECT " +
                                         cl + " FROM " + client_->Qualified(staging, t->name) + " WHERE " +
                                         q("_dlt_root_id") + " IN (SELECT " + q("_dlt_id") + " FROM " + droot + ")"));
  }
  return Status::Ok();
}

Status SqlLoader::LoadInTransaction(const PackageToLoad& p) {
  const Schema& schema = *p.schema;
  auto q = [&](const std::string& n) { return client_->QuoteIdentifier(n); };
  auto lit = [&](const std::string& s) { return client_->QuoteLiteral(s); };
  DLT_RETURN_IF_ERROR(client_->Execute("CREATE SCHEMA IF NOT EXISTS " + q(dataset_)));
  for (const auto& t : p.drop_tables) {
    DLT_RETURN_IF_ERROR(client_->Execute("DROP TABLE IF EXISTS " + client_->Qualified(dataset_, t)));
    DLT_ASSIGN_OR_RETURN(bool staging, client_->SchemaExists(staging_dataset()));
    if (staging) DLT_RETURN_IF_ERROR(client_->Execute("DROP TABLE IF EXISTS " + client_->Qualified(staging_dataset(), t)));
  }
  for (const auto& t : p.truncate_tables) {
    DLT_ASSIGN_OR_RETURN(std::vector<std::string> existing, client_->TableColumns(dataset_, t));
    if (!existing.empty()) DLT_RETURN_IF_ERROR(client_->Execute("DELETE FROM " + client_->Qualified(dataset_, t)));
  }
  for (const char* sys : {"_dlt_version", "_dlt_loads", "_dlt_pipeline_state"}) {
    if (const Table* t = schema.FindTable(sys)) DLT_RETURN_IF_ERROR(EnsureTable(dataset_, *t));
  }

  std::map<std::string, std::vector<const PackageJob*>> by_table;
  for (const auto& j : p.jobs) by_table[j.table].push_back(&j);
  // Every table with data (and its ancestors, which may have received no rows) must exist.
  std::set<std::string> roots;
  for (const auto& [name, js] : by_table) {
    const Table* t = schema.FindTable(name);
    if (!t) return DataLoss("load package " + p.load_id + " has jobs for table `" + name + "` missing from its schema");
    roots.insert(schema.RootOf(name).name);
  }
  for (const auto& name : p.streamed_tables) {
    const Table* t = schema.FindTable(name);
    if (!t) return DataLoss("load package " + p.load_id + " has rows for table `" + name + "` missing from its schema");
    roots.insert(schema.RootOf(name).name);
  }
  for (const auto& r : p.replace_tables) {
    if (schema.FindTable(r)) roots.insert(r);
  }
  for (const auto& rname : roots) {
    const Table& root = *schema.FindTable(rname);
    WriteDisposition disp = root.write_disposition.value_or(WriteDisposition::kAppend);
    if (disp == WriteDisposition::kSkip) continue;
    std::vector<const Table*> family{&root};
    for (const Table* t : schema.NestedTablesOf(rname)) family.push_back(t);
    for (const Table* t : family) {
      if (!t->columns.empty()) DLT_RETURN_IF_ERROR(EnsureTable(dataset_, *t));
      // A table created while streaming got the columns of its first job; columns added later
      // are nullable, while a table created here gets the package schema's NOT NULLs.
      auto created = stream_created_.find(t->name);
      if (created == stream_created_.end()) continue;
      std::set<std::string> first(created->second.begin(), created->second.end());
      for (const auto& c : t->columns) {
        if (c.nullable || first.count(c.name)) continue;
        DLT_RETURN_IF_ERROR(client_->Execute("ALTER TABLE " + client_->Qualified(dataset_, t->name) + " ALTER COLUMN " +
                                             client_->QuoteIdentifier(c.name) + " SET NOT NULL"));
      }
    }
    if (disp == WriteDisposition::kReplace) {
      for (const Table* t : family) {
        if (!t->columns.empty()) DLT_RETURN_IF_ERROR(client_->Execute("DELETE FROM " + client_->Qualified(dataset_, t->name)));
      }
    }
    if (disp == WriteDisposition::kMerge) {
      rows_deleted_ = true;
      DLT_RETURN_IF_ERROR(Merge(schema, root, by_table));
    } else {
      for (const Table* t : family) {
        auto it = by_table.find(t->name);
        if (it != by_table.end()) DLT_RETURN_IF_ERROR(CopyJobs(dataset_, *t, it->second));
        FaultPoint("load_table");
      }
    }
  }

  // The constraints of the tables this load created, now that their rows are in.
  for (const auto& sql : deferred_constraints_) DLT_RETURN_IF_ERROR(client_->Execute(sql));
  deferred_constraints_.clear();

  // The schema version, once per version hash.
  DLT_ASSIGN_OR_RETURN(auto have_version,
                       client_->Query("SELECT 1 FROM " + client_->Qualified(dataset_, "_dlt_version") +
                                      " WHERE version_hash = " + lit(schema.version_hash()) +
                                      " AND schema_name = " + lit(schema.name())));
  if (have_version.empty()) {
    DLT_RETURN_IF_ERROR(client_->Execute(
        "INSERT INTO " + client_->Qualified(dataset_, "_dlt_version") +
        " (version, engine_version, inserted_at, schema_name, version_hash, schema) VALUES (" +
        std::to_string(schema.version()) + ", " + std::to_string(Schema::kEngineVersion) + ", " + client_->NowSql() +
        ", " + lit(schema.name()) + ", " + lit(schema.version_hash()) + ", " + lit(schema.ToJson()) + ")"));
  }
  FaultPoint("load_before_state_row");
  if (p.state) {
    const StateRow& s = *p.state;
    DLT_RETURN_IF_ERROR(client_->Execute(
        "INSERT INTO " + client_->Qualified(dataset_, "_dlt_pipeline_state") +
        " (version, engine_version, pipeline_name, state, created_at, version_hash, _dlt_load_id, _dlt_id) VALUES (" +
        std::to_string(s.version) + ", " + std::to_string(s.engine_version) + ", " + lit(s.pipeline_name) + ", " +
        lit(s.state) + ", " + client_->NowSql() + ", " + lit(s.version_hash) + ", " + lit(p.load_id) + ", " +
        lit(s.row_id) + ")"));
  }
  FaultPoint("load_before_loads_row");
  DLT_RETURN_IF_ERROR(client_->Execute(
      "INSERT INTO " + client_->Qualified(dataset_, "_dlt_loads") +
      " (load_id, schema_name, status, inserted_at, schema_version_hash) VALUES (" + lit(p.load_id) + ", " +
      lit(schema.name()) + ", 0, " + client_->NowSql() + ", " + lit(schema.version_hash()) + ")"));
  return Status::Ok();
}

Status SqlLoader::BeginStream(bool one_thread, const std::string& load_id) {
  load_id_ = load_id;
  DLT_RETURN_IF_ERROR(client_->UseOneThread(one_thread));
  DLT_RETURN_IF_ERROR(client_->Execute("BEGIN TRANSACTION"));
  streaming_ = true;
  stream_created_.clear();
  stream_widths_.clear();
  applied_columns_.clear();
  deferred_constraints_.clear();
  Status s = client_->Execute("CREATE SCHEMA IF NOT EXISTS " + client_->QuoteIdentifier(dataset_));
  if (!s.ok()) AbortStream();
  return s;
}

Status SqlLoader::StreamJob(const Table& table, const PackageJob& job) {
  DLT_ASSIGN_OR_RETURN(auto existing, client_->TableColumns(dataset_, table.name));
  // The memory bound of the tables streamed so far (the package's own is set by Load).
  size_t& width = stream_widths_[table.name];
  width = std::max(width, table.columns.size());
  size_t widest = 0, all = 0;
  for (const auto& [name, n] : stream_widths_) {
    widest = std::max(widest, n);
    all += n;
  }
  DLT_RETURN_IF_ERROR(client_->SizeForLoad(widest, all));
  DLT_RETURN_IF_ERROR(EnsureTable(dataset_, table));
  if (existing.empty()) {
    auto& first = stream_created_[table.name];
    for (const auto& c : table.columns) first.push_back(c.name);
  }
  return CopyJobs(dataset_, table, {&job});
}

void SqlLoader::AbortStream() {
  if (!streaming_) return;
  streaming_ = false;
  (void)client_->Execute("ROLLBACK");
  (void)client_->UseOneThread(false);
}

Status SqlLoader::Load(const PackageToLoad& package) {
  load_id_ = package.load_id;
  created_at_ = package.created_at;
  size_t widest = 0, all = 0;
  for (const Table* t : package.schema->DataTables()) {
    widest = std::max(widest, t->columns.size());
    all += t->columns.size();
  }
  DLT_RETURN_IF_ERROR(client_->SizeForLoad(widest, all));
  DLT_RETURN_IF_ERROR(client_->UseOneThread(false));  // the rest of the package on every core
  if (!streaming_) {
    DLT_RETURN_IF_ERROR(client_->Execute("BEGIN TRANSACTION"));
    applied_columns_.clear();
    deferred_constraints_.clear();
  }
  streaming_ = false;
  rows_deleted_ = false;
  Status s = LoadInTransaction(package);
  stream_created_.clear();
  if (s.ok()) FaultPoint("load_before_commit");
  if (!s.ok()) {
    (void)client_->Execute("ROLLBACK");
    return s;
  }
  Status c = client_->BeforeCommit(rows_deleted_);
  if (c.ok()) c = client_->Execute("COMMIT");
  if (!c.ok()) {
    (void)client_->Execute("ROLLBACK");
    return c;
  }
  return Status::Ok();
}

StatusOr<std::optional<StoredState>> SqlLoader::RetrieveState(const std::string& pipeline_name) {
  DLT_ASSIGN_OR_RETURN(auto cols, client_->TableColumns(dataset_, "_dlt_pipeline_state"));
  if (cols.empty()) return std::optional<StoredState>();
  DLT_ASSIGN_OR_RETURN(auto rows, client_->Query(
      "SELECT s.state, s.version, s._dlt_load_id, CAST(s.created_at AS VARCHAR) FROM " +
      client_->Qualified(dataset_, "_dlt_pipeline_state") + " s JOIN " + client_->Qualified(dataset_, "_dlt_loads") +
      " l ON l.load_id = s._dlt_load_id WHERE s.pipeline_name = " + client_->QuoteLiteral(pipeline_name) +
      " AND l.status = 0 ORDER BY s.version DESC, l.inserted_at DESC LIMIT 1"));
  if (rows.empty()) return std::optional<StoredState>();
  StoredState st;
  st.state = rows[0][0].value_or("");
  st.version = std::stoi(rows[0][1].value_or("0"));
  st.load_id = rows[0][2].value_or("");
  st.created_at = rows[0][3].value_or("");
  return std::optional<StoredState>(std::move(st));
}

StatusOr<std::optional<std::string>> SqlLoader::RetrieveSchema(const std::string& schema_name) {
  DLT_ASSIGN_OR_RETURN(auto cols, client_->TableColumns(dataset_, "_dlt_version"));
  if (cols.empty()) return std::optional<std::string>();
  DLT_ASSIGN_OR_RETURN(auto rows, client_->Query("SELECT schema FROM " + client_->Qualified(dataset_, "_dlt_version") +
                                                 " WHERE schema_name = " + client_->QuoteLiteral(schema_name) +
                                                 " ORDER BY inserted_at DESC, version DESC LIMIT 1"));
  if (rows.empty() || !rows[0][0]) return std::optional<std::string>();
  return std::optional<std::string>(*rows[0][0]);
}

}  // namespace dlt
