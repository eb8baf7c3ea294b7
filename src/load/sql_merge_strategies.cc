// Merge's staging tables and dlt's merge strategies besides delete-insert (sql_loader.h), as dlt
// 1.26 writes their SQL (destinations/sql_jobs.py): upsert and insert-only MERGE the staged root
// rows into the root table on its primary key and the nested rows on their row keys; scd2 keeps
// versions of the root rows, closing the validity of those no longer in the source.
#include <string>
#include <vector>

#include "common/iso8601.h"
#include "common/text.h"
#include "load/package.h"
#include "load/sql_loader.h"

namespace dlt {

namespace {

const Column* FirstWithFlag(const Table& t, bool Column::*flag) {
  for (const auto& c : t.columns) {
    if (c.*flag) return &c;
  }
  return nullptr;
}

const Column* FirstWith(const Table& t, const char* hint) {
  for (const auto& c : t.columns) {
    auto it = c.extra.find(hint);
    if (it != c.extra.end() && it->is_boolean() && it->get<bool>()) return &c;
  }
  return nullptr;
}

// A timestamp option of scd2 as the UTC instant dlt writes into SQL ("YYYY-MM-DDTHH:MM:SS.ffffff+00:00").
StatusOr<std::string> UtcTimestamp(const std::string& text, const std::string& what, const std::string& table) {
  auto parsed = iso8601::ParseIsoLike(text);
  std::optional<std::string> utc = parsed ? iso8601::UtcInstant(*parsed) : std::nullopt;
  if (!utc) return InvalidArgument("table `" + table + "`: could not parse the scd2 " + what + " `" + text + "`");
  return *utc;
}

}  // namespace

Status SqlLoader::StageFamily(const Schema& schema, const std::vector<const Table*>& family,
                              const std::map<std::string, std::vector<const PackageJob*>>& jobs) {
  const std::string staging = staging_dataset();
  DLT_RETURN_IF_ERROR(client_->Execute("CREATE SCHEMA IF NOT EXISTS " + client_->QuoteIdentifier(staging)));
  // As dlt does, the staging dataset records the schema version it was built with.
  if (const Table* version = schema.FindTable("_dlt_version")) {
    DLT_RETURN_IF_ERROR(EnsureTable(staging, *version));
    DLT_ASSIGN_OR_RETURN(auto have, client_->Query("SELECT 1 FROM " + client_->Qualified(staging, "_dlt_version") +
                                                   " WHERE version_hash = " + client_->QuoteLiteral(schema.version_hash())));
    if (have.empty()) {
      DLT_RETURN_IF_ERROR(client_->Execute(
          "INSERT INTO " + client_->Qualified(staging, "_dlt_version") +
          " (version, engine_version, inserted_at, schema_name, version_hash, schema) VALUES (" +
          std::to_string(schema.version()) + ", " + std::to_string(Schema::kEngineVersion) + ", " + client_->NowSql() +
          ", " + client_->QuoteLiteral(schema.name()) + ", " + client_->QuoteLiteral(schema.version_hash()) + ", " +
          client_->QuoteLiteral(schema.ToJson()) + ")"));
    }
  }
  for (const Table* t : family) {
    if (t->columns.empty()) continue;
    DLT_RETURN_IF_ERROR(EnsureTable(staging, *t));
    DLT_RETURN_IF_ERROR(client_->Execute("DELETE FROM " + client_->Qualified(staging, t->name)));
    auto it = jobs.find(t->name);
    if (it != jobs.end()) DLT_RETURN_IF_ERROR(CopyJobs(staging, *t, it->second));
  }
  return Status::Ok();
}

Status SqlLoader::MergeUpsert(const Table& root, const std::vector<const Table*>& family, bool insert_only) {
  auto q = [&](const std::string& n) { return client_->QuoteIdentifier(n); };
  const std::string staging = staging_dataset();
  const std::string droot = client_->Qualified(dataset_, root.name);
  const std::string sroot = client_->Qualified(staging, root.name);
  std::vector<std::string> on, cols, s_cols, updates;
  for (const auto& c : root.columns) {
    if (c.primary_key) on.push_back("d." + q(c.name) + " = s." + q(c.name));
    cols.push_back(q(c.name));
    s_cols.push_back("s." + q(c.name));
    updates.push_back(q(c.name) + " = s." + q(c.name));
  }
  if (on.empty()) {
    return InvalidArgument("table `" + root.name + "` has no primary key: the `" +
                           std::string(insert_only ? "insert-only" : "upsert") +
                           "` merge strategy needs one (set primary_key on the resource)");
  }
  // dlt's hard_delete: deleted when its value is set (true, for a bool column).
  std::string deleted, not_deleted;
  for (const auto& c : root.columns) {
    auto hd = c.extra.find("hard_delete");
    if (hd == c.extra.end() || !hd->is_boolean() || !hd->get<bool>()) continue;
    if (c.data_type == DataType::kBool) {
      deleted = q(c.name) + " = TRUE";
      not_deleted = q(c.name) + " IS NULL OR " + q(c.name) + " = FALSE";
    } else {
      deleted = q(c.name) + " IS NOT NULL";
      not_deleted = q(c.name) + " IS NULL";
    }
    break;
  }
  const std::string insert = " WHEN NOT MATCHED THEN INSERT (" + text::Join(cols, ", ") + ") VALUES (" +
                             text::Join(s_cols, ", ") + ")";
  if (insert_only) {
    std::string source = sroot;
    if (!not_deleted.empty()) source = "(SELECT * FROM " + sroot + " WHERE " + not_deleted + ")";
    DLT_RETURN_IF_ERROR(client_->Execute("MERGE INTO " + droot + " d USING " + source + " s ON " +
                                         text::Join(on, " AND ") + insert));
  } else {
    std::string del = deleted.empty() ? "" : " WHEN MATCHED AND s." + deleted + " THEN DELETE";
    DLT_RETURN_IF_ERROR(client_->Execute("MERGE INTO " + droot + " d USING " + sroot + " s ON " +
                                         text::Join(on, " AND ") + del + " WHEN MATCHED THEN UPDATE SET " +
                                         text::Join(updates, ", ") + insert));
  }
  if (family.size() < 2) return Status::Ok();
  const Column* root_row_key = FirstWithFlag(root, &Column::row_key);
  if (!root_row_key) root_row_key = root.FindColumn("_dlt_id");
  if (!root_row_key) return InvalidArgument("table `" + root.name + "` has no row key column (`_dlt_id`)");
  for (size_t i = 1; i < family.size(); ++i) {
    const Table& t = *family[i];
    if (t.columns.empty()) continue;
    const Column* row_key = FirstWithFlag(t, &Column::row_key);
    if (!row_key) return InvalidArgument("nested table `" + t.name + "` has no row key column (`_dlt_id`)");
    const std::string dt = client_->Qualified(dataset_, t.name);
    const std::string st = client_->Qualified(staging, t.name);
    std::vector<std::string> tcols, ts_cols, tupdates;
    for (const auto& c : t.columns) {
      tcols.push_back(q(c.name));
      ts_cols.push_back("s." + q(c.name));
      tupdates.push_back(q(c.name) + " = s." + q(c.name));
    }
    const std::string rk = q(row_key->name);
    DLT_RETURN_IF_ERROR(client_->Execute(
        "MERGE INTO " + dt + " d USING " + st + " s ON d." + rk + " = s." + rk +
        (insert_only ? std::string() : " WHEN MATCHED THEN UPDATE SET " + text::Join(tupdates, ", ")) +
        " WHEN NOT MATCHED THEN INSERT (" + text::Join(tcols, ", ") + ") VALUES (" + text::Join(ts_cols, ", ") + ")"));
    if (insert_only) continue;
    // The root key: _dlt_root_id, or the parent key of a table right below the root.
    const Column* root_key = FirstWithFlag(t, &Column::root_key);
    if (!root_key && t.parent && *t.parent == root.name) root_key = FirstWithFlag(t, &Column::parent_key);
    if (!root_key) {
      return InvalidArgument("nested table `" + t.name + "` has no root key column (`_dlt_root_id`) for the upsert of `" +
                             root.name + "`");
    }
    const std::string rootk = q(root_key->name);
    // Rows of lists that no longer hold them, and the rows below deleted root rows.
    rows_deleted_ = true;
    DLT_RETURN_IF_ERROR(client_->Execute("DELETE FROM " + dt + " WHERE " + rootk + " IN (SELECT " +
                                         q(root_row_key->name) + " FROM " + sroot + ") AND " + rk + " NOT IN (SELECT " +
                                         rk + " FROM " + st + ")"));
    if (!deleted.empty()) {
      DLT_RETURN_IF_ERROR(client_->Execute("DELETE FROM " + dt + " WHERE " + rootk + " IN (SELECT " +
                                           q(root_row_key->name) + " FROM " + sroot + " WHERE " + deleted + ")"));
    }
  }
  return Status::Ok();
}

Status SqlLoader::MergeScd2(const Table& root, const std::vector<const Table*>& family) {
  auto q = [&](const std::string& n) { return client_->QuoteIdentifier(n); };
  const std::string staging = staging_dataset();
  const std::string droot = client_->Qualified(dataset_, root.name);
  const std::string sroot = client_->Qualified(staging, root.name);
  const Column* from = FirstWith(root, "x-valid-from");
  const Column* to = FirstWith(root, "x-valid-to");
  const Column* version = FirstWith(root, "x-row-version");
  if (!from || !to || !version) {
    return InvalidArgument("table `" + root.name + "` has write_disposition merge with the scd2 strategy but lacks its " +
                           (!from || !to ? "validity columns (x-valid-from, x-valid-to)" : "row version column (x-row-version)") +
                           ": the schema was edited; restore it or drop the table");
  }
  // Versions start and end at the boundary: the package's creation time unless the resource set one.
  std::string boundary_text = created_at_;
  if (auto b = root.extra.find("x-boundary-timestamp"); b != root.extra.end() && b->is_string()) {
    boundary_text = b->get<std::string>();
  }
  if (boundary_text.empty()) boundary_text = NowIso();
  DLT_ASSIGN_OR_RETURN(std::string boundary_utc, UtcTimestamp(boundary_text, "boundary timestamp", root.name));
  const std::string boundary = client_->QuoteLiteral(boundary_utc);
  std::string active = "NULL";
  std::string is_active = q(to->name) + " IS NULL";
  if (auto a = to->extra.find("x-active-record-timestamp"); a != to->extra.end() && a->is_string()) {
    DLT_ASSIGN_OR_RETURN(std::string utc, UtcTimestamp(a->get<std::string>(), "active record timestamp", root.name));
    active = client_->QuoteLiteral(utc);
    is_active = q(to->name) + " = " + active;
  }
  const std::string hash = q(version->name);
  // Retire the active versions whose hash is not staged: all of them, or with a merge key only
  // those whose key was staged (an incremental source that sends only some keys).
  std::vector<std::string> merge_keys;
  for (const auto& c : root.columns) {
    if (c.merge_key) merge_keys.push_back(q(c.name));
  }
  std::string retire = "UPDATE " + droot + " SET " + q(to->name) + " = " + boundary + " WHERE " + is_active + " AND " +
                       hash + " NOT IN (SELECT " + hash + " FROM " + sroot + ")";
  if (!merge_keys.empty()) {
    std::string key = merge_keys.size() == 1 ? merge_keys[0] : "CONCAT(" + text::Join(merge_keys, ", ") + ")";
    retire += " AND " + key + " IN (SELECT " + key + " FROM " + sroot + ")";
  }
  DLT_RETURN_IF_ERROR(client_->Execute(retire));
  rows_deleted_ = true;  // updated rows leave old versions behind, as deletes do
  // New versions: staged rows whose hash no active version has.
  std::vector<std::string> cols;
  for (const auto& c : root.columns) {
    if (&c != from && &c != to) cols.push_back(q(c.name));
  }
  const std::string col_list = text::Join(cols, ", ");
  DLT_RETURN_IF_ERROR(client_->Execute("INSERT INTO " + droot + " (" + col_list + ", " + q(from->name) + ", " +
                                       q(to->name) + ") SELECT " + col_list + ", " + boundary + ", " + active +
                                       " FROM " + sroot + " AS s WHERE " + hash + " NOT IN (SELECT " + hash + " FROM " +
                                       droot + " WHERE " + is_active + ")"));
  // Nested rows are insert-only, by their row keys (derived from the root row's hash).
  for (size_t i = 1; i < family.size(); ++i) {
    const Table& t = *family[i];
    if (t.columns.empty()) continue;
    const Column* row_key = FirstWithFlag(t, &Column::row_key);
    if (!row_key) return InvalidArgument("nested table `" + t.name + "` has no row key column (`_dlt_id`)");
    std::vector<std::string> tcols;
    for (const auto& c : t.columns) tcols.push_back(q(c.name));
    const std::string cl = text::Join(tcols, ", ");
    const std::string dt = client_->Qualified(dataset_, t.name);
    const std::string rk = q(row_key->name);
    DLT_RETURN_IF_ERROR(client_->Execute("INSERT INTO " + dt + " (" + cl + ") SELECT " + cl + " FROM " +
                                         client_->Qualified(staging, t.name) + " WHERE " + rk + " NOT IN (SELECT " +
                                         rk + " FROM " + dt + ")"));
  }
  return Status::Ok();
}

}  // namespace dlt
