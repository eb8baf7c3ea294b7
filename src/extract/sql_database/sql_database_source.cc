// dlt::SqlDatabase / dlt::SqlTable (include/dlt/sql_database.h): the tables of a database as
// resources. Tables are reflected when the source is made (a missing table fails before any
// run starts); rows are read when the extract step opens a resource, asking the server only for
// rows past the incremental's last value (the extract step still filters and de-duplicates).
#include <algorithm>
#include <memory>
#include <set>
#include <utility>

#include "dlt/sql_database.h"
#include "extract/resource_access.h"
#include "extract/sql_database/sql_credentials.h"
#include "extract/sql_database/sql_reader.h"
#include "extract/sql_database/sql_table_scan.h"

namespace dlt {

namespace {

using sql_source::ReflectionLevel;
using sql_source::SourceTable;
using sql_source::SqlReader;

StatusOr<ReflectionLevel> ParseLevel(const std::string& s) {
  if (s == "minimal") return ReflectionLevel::kMinimal;
  if (s == "full") return ReflectionLevel::kFull;
  if (s == "full_with_precision") return ReflectionLevel::kFullWithPrecision;
  return InvalidArgument("sql_database: reflection_level `" + s + "` is not one of minimal, full, full_with_precision");
}

// The reader and settings every resource of one SqlDatabase() call shares.
struct Shared {
  std::shared_ptr<SqlReader> reader;
  size_t chunk_size = 50000;
  int parallel_chunks = 0;
};

StatusOr<std::shared_ptr<Shared>> Connect(const Workspace& ws, const SqlDatabaseOptions& o) {
  auto sh = std::make_shared<Shared>();
  DLT_ASSIGN_OR_RETURN(Secret url, sql_source::ResolveSqlCredentials(ws, o));
  DLT_ASSIGN_OR_RETURN(auto reader, sql_source::OpenSqlReader(url));
  sh->reader = std::move(reader);
  if (o.chunk_size == 0) return InvalidArgument("sql_database: chunk_size must be at least 1");
  sh->chunk_size = o.chunk_size;
  sh->parallel_chunks = o.parallel_chunks;
  return sh;
}

// One table's resource: reflect, apply the hints of `t`, and read on open.
StatusOr<Resource> TableResource(const std::shared_ptr<Shared>& sh, const SqlDatabaseOptions& o,
                                 const SqlTableOptions& t) {
  DLT_ASSIGN_OR_RETURN(ReflectionLevel level, ParseLevel(o.reflection_level));
  std::string schema = t.schema.value_or(o.schema.value_or(sh->reader->default_schema()));
  DLT_ASSIGN_OR_RETURN(SourceTable table, sh->reader->Reflect(schema, t.table, level));
  for (const auto& ex : t.excluded_columns) {
    auto it = std::find_if(table.columns.begin(), table.columns.end(),
                           [&](const auto& c) { return c.column.name == ex; });
    if (it == table.columns.end()) {
      return InvalidArgument("sql_database: excluded column `" + ex + "` is not a column of table " +
                             table.DisplayName());
    }
    table.columns.erase(it);
  }
  ResourceOptions ro;
  ro.name = t.resource_name.value_or(t.table);
  ro.table_name = t.table_name.value_or(ro.name);
  if (t.write_disposition) ro.write_disposition = *t.write_disposition;
  // dlt's sql_table hints the table's own primary key, as a list.
  ro.primary_key = t.primary_key.value_or(table.primary_key);
  ro.primary_key_is_list = true;
  ro.merge_key = t.merge_key;
  ro.merge = t.merge;
  ro.columns = t.columns;
  if (t.schema_contract) ro.schema_contract = *t.schema_contract;
  ro.arrow_items = t.arrow_items || o.backend == "pyarrow";
  ro.file_format = t.file_format;
  ro.incremental = t.incremental;
  if (ro.incremental) {
    const std::string& cursor = ro.incremental->cursor_path;
    bool found = std::any_of(table.columns.begin(), table.columns.end(),
                             [&](const auto& c) { return c.column.name == cursor; });
    if (!found) {
      return InvalidArgument("sql_database: the incremental cursor `" + cursor + "` is not a column of table " +
                             table.DisplayName() + "; use one of its columns as cursor_path");
    }
  }
  sql_source::TableScanPlan plan;
  plan.table = std::move(table);
  plan.chunk_size = sh->chunk_size;
  plan.parallel_chunks = sh->parallel_chunks;
  plan.incremental = ro.incremental;
  plan.max_rows = t.max_rows;
  plan.resource = ro.name;
  auto reader = sh->reader;
  auto shared_plan = std::make_shared<const sql_source::TableScanPlan>(std::move(plan));
  return ResourceAccess::FromBatches(
      std::move(ro), [reader, shared_plan](const ExtractContext& ctx) -> StatusOr<std::unique_ptr<RecordSource>> {
        DLT_ASSIGN_OR_RETURN(auto source, sql_source::OpenTableScan(reader, *shared_plan, ctx));
        return std::unique_ptr<RecordSource>(std::move(source));
      });
}

}  // namespace

StatusOr<std::vector<Resource>> SqlDatabase(const Workspace& workspace, const SqlDatabaseOptions& options) {
  DLT_ASSIGN_OR_RETURN(auto sh, Connect(workspace, options));
  std::vector<std::string> names = options.table_names;
  if (names.empty()) {
    std::string schema = options.schema.value_or(sh->reader->default_schema());
    DLT_ASSIGN_OR_RETURN(names, sh->reader->ListTables(schema, options.include_views));
  }
  for (const auto& t : options.tables) {
    if (std::find(names.begin(), names.end(), t.table) == names.end()) names.push_back(t.table);
  }
  std::vector<Resource> out;
  std::set<std::string> seen;
  for (const auto& name : names) {
    if (!seen.insert(name).second) continue;
    SqlTableOptions t;
    t.table = name;
    for (const auto& given : options.tables) {
      if (given.table == name) t = given;
    }
    DLT_ASSIGN_OR_RETURN(Resource r, TableResource(sh, options, t));
    out.push_back(std::move(r));
  }
  return out;
}

StatusOr<Resource> SqlTable(const Workspace& workspace, const SqlDatabaseOptions& options, const SqlTableOptions& table) {
  if (table.table.empty()) return InvalidArgument("sql_table: the table name is empty");
  DLT_ASSIGN_OR_RETURN(auto sh, Connect(workspace, options));
  return TableResource(sh, options, table);
}

}  // namespace dlt
