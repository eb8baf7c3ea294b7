#include "load/sql_destination.h"

#include <algorithm>
#include <charconv>

namespace dlt {

SqlDestination::SqlDestination(std::unique_ptr<SqlClient> client, DestinationOpenOptions options,
                               bool streams)
    : client_(std::move(client)),
      options_(std::move(options)),
      streams_(streams),
      loader_(client_.get(), options_.dataset, options_.staging_dataset) {}

StatusOr<std::vector<LoadRecord>> SqlDestination::RecentLoads(size_t limit) {
  DLT_ASSIGN_OR_RETURN(auto rows, client_->Query("SELECT load_id, schema_name, status, inserted_at, schema_version_hash FROM " +
                                                 client_->Qualified(options_.dataset, "_dlt_loads") +
                                                 " ORDER BY load_id DESC LIMIT " + std::to_string(limit)));
  std::vector<LoadRecord> out;
  for (auto& r : rows) {
    LoadRecord l;
    std::optional<std::string>* fields[] = {&l.load_id, &l.schema_name, &l.status, &l.inserted_at, &l.schema_version_hash};
    for (size_t i = 0; i < std::size(fields) && i < r.size(); ++i) *fields[i] = std::move(r[i]);
    out.push_back(std::move(l));
  }
  return out;
}

StatusOr<uint64_t> SqlDestination::CountRows(const std::string& table) {
  DLT_ASSIGN_OR_RETURN(auto n, client_->Query("SELECT count(*) FROM " + client_->Qualified(options_.dataset, table)));
  uint64_t v = 0;
  if (!n.empty() && !n[0].empty() && n[0][0]) {
    const std::string& s = *n[0][0];
    std::from_chars(s.data(), s.data() + s.size(), v);
  }
  return v;
}

StatusOr<std::optional<std::string>> SqlDestination::NewestLoadId(const std::string& table) {
  DLT_ASSIGN_OR_RETURN(auto columns, client_->TableColumns(options_.dataset, table));
  if (std::find(columns.begin(), columns.end(), "_dlt_load_id") == columns.end()) return std::optional<std::string>();
  DLT_ASSIGN_OR_RETURN(auto rows, client_->Query("SELECT max(" + client_->QuoteIdentifier("_dlt_load_id") + ") FROM " +
                                                 client_->Qualified(options_.dataset, table)));
  if (rows.empty() || rows[0].empty()) return std::optional<std::string>();
  return rows[0][0];
}

StatusOr<RowPage> SqlDestination::ReadRows(const std::string& table, uint64_t limit, uint64_t offset) {
  RowPage page;
  DLT_ASSIGN_OR_RETURN(page.columns, client_->TableColumns(options_.dataset, table));
  if (page.columns.empty()) return NotFound("table `" + table + "` does not exist in dataset `" + options_.dataset + "` yet");
  std::string list;
  for (const auto& col : page.columns) list += (list.empty() ? "" : ", ") + client_->QuoteIdentifier(col);
  std::string from = client_->Qualified(options_.dataset, table);
  DLT_ASSIGN_OR_RETURN(page.total, CountRows(table));
  DLT_ASSIGN_OR_RETURN(page.rows, client_->Query("SELECT " + list + " FROM " + from + " LIMIT " + std::to_string(limit) +
                                                 " OFFSET " + std::to_string(offset)));
  return page;
}

}  // namespace dlt
