#include "destinations/duckdb/duckdb_client.h"

#include <chrono>
#include <filesystem>
#include <thread>
#include <utility>
#include <vector>

#include "common/text.h"
#include "destinations/duckdb/duckdb_row_key.h"
#include "load/job_header.h"

namespace dlt {

StatusOr<std::unique_ptr<DuckDbClient>> DuckDbClient::Open(const std::string& path, const std::string& display,
                                                           bool read_only, bool no_external_access) {
  std::vector<std::pair<std::string, std::string>> config;
  if (no_external_access) {
    // Set at open time: DuckDB refuses to switch external access back on while the database is
    // open, and the locked configuration refuses every other SET but search_path/schema.
    config = {{"enable_external_access", "false"}, {"lock_configuration", "true"}};
  }
  auto db = duckdb::Database::Open(path, read_only, config);
  // A reader in another process (the dashboard, `dlt pipeline ... sync`) holds the file's lock
  // for the few milliseconds of a query: a writer waits for it (up to 30 s) instead of failing.
  // Another process that is creating the same new file has not written its headers yet (DuckDB
  // then calls it "not a valid DuckDB database file"): for a file that new, wait a moment (up to
  // 2 s) for it to be written, rather than failing a run that started alongside. Its size says
  // nothing: by the time it is looked at, the other process may have written its headers and
  // its first blocks. An old file that is not a database is refused at once.
  auto being_created = [&](const Status& s) {
    if (s.message().find("not a valid DuckDB database file") == std::string::npos) return false;
    std::error_code ec;
    const auto written = std::filesystem::last_write_time(path, ec);
    if (ec) return false;
    return std::filesystem::file_time_type::clock::now() - written < std::chrono::seconds(2);
  };
  for (int waited_ms = 0; !read_only && !db.ok() && waited_ms < 30000 &&
                          (db.status().message().find("Could not set lock") != std::string::npos ||
                           (waited_ms < 2000 && being_created(db.status())));
       waited_ms += 25) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
    db = duckdb::Database::Open(path, read_only, config);
  }
  if (!db.ok()) {
    std::string msg = db.status().message();
    // Never echo a connection string: it may hold a token.
    if (path != display) {
      size_t pos;
      while ((pos = msg.find(path)) != std::string::npos) msg.replace(pos, path.size(), display);
    }
    return Status(db.status().code(), msg);
  }
  auto conn = db->Connect();
  if (!conn.ok()) return conn.status();
  if (!read_only) {
    // Rows of a load have no order to keep; without it DuckDB writes tables in parallel (about
    // 3x faster for wide text tables).
    Status s = conn->Execute("SET preserve_insertion_order = false");
    if (!s.ok()) return s;
    // Job files are loaded through a table function of ours, registered now, outside the load's
    // transaction (a rollback would take it away).
    s = conn->EnableJobScans();
    if (!s.ok()) return s;
  }
  std::unique_ptr<DuckDbClient> client(new DuckDbClient(std::move(db).value(), std::move(conn).value(), display));
  DLT_ASSIGN_OR_RETURN(auto catalog, client->Query("SELECT current_database()"));
  if (!catalog.empty() && !catalog[0].empty() && catalog[0][0]) {
    client->catalog_prefix_ = client->QuoteIdentifier(*catalog[0][0]) + ".";
  }
  return client;
}

StatusOr<std::unique_ptr<DuckDbClient>> DuckDbClient::OpenSession() {
  auto conn = db_.Connect();
  if (!conn.ok()) return Wrap(conn.status());
  Status s = conn->Execute("SET preserve_insertion_order = false");
  if (s.ok()) s = conn->EnableJobScans();
  if (!s.ok()) return Wrap(s);
  // The session's connection keeps the database open; the client's own handle stays with this one.
  std::unique_ptr<DuckDbClient> session(new DuckDbClient(duckdb::Database(), std::move(conn).value(), display_));
  session->catalog_prefix_ = catalog_prefix_;
  session->create_indexes_ = create_indexes_;
  return session;
}

Status DuckDbClient::BeforeCommit(bool rows_deleted) {
  // The COMMIT of a large load checkpoints the file. DuckDB's checkpoint then "vacuums": it
  // rewrites (decompresses and compresses again) adjacent row groups that are not full, which
  // after a parallel insert means the partial row groups each thread left, and cost a third of
  // a whole load's time in the nested benchmark. That only pays off after deletes, so it is
  // kept for packages that deleted rows (merge) and skipped otherwise; emptied row groups (a
  // replace) are dropped either way.
  if (default_vacuum_tasks_.empty()) {
    DLT_ASSIGN_OR_RETURN(auto rows, Query("SELECT current_setting('max_vacuum_tasks')::VARCHAR"));
    if (rows.empty() || rows[0].empty() || !rows[0][0]) return Status::Ok();  // no such setting: nothing to tune
    default_vacuum_tasks_ = vacuum_tasks_ = *rows[0][0];
  }
  std::string tasks = rows_deleted ? default_vacuum_tasks_ : "0";
  if (tasks == vacuum_tasks_) return Status::Ok();
  Status s = Execute("SET max_vacuum_tasks = " + tasks);
  if (s.ok()) vacuum_tasks_ = tasks;
  return s;
}

// DuckDB keeps what a transaction appends in its buffer pool until the commit writes it out, so
// without a limit its memory grows with the package (200 MB for the 357 MB nested benchmark,
// 276 MB for twice that). Under a limit it writes finished row groups to the file and evicts
// them, and memory stays flat in the input's size at no measured cost in time. What must fit at
// once: for the table being appended, each thread's unfinished row group (a block of 256 KB per
// column for the values and one for the validity mask, twice that while compressing: 1 MB per
// column per thread); for every other table the transaction appends to, its last row group
// (512 KB per column); and 32 MB for the rest (the scan's chunks, metadata). A lower base or
// 512 KB per column per thread ran DuckDB out of memory on a tiny package with a 69-column table
// (it needed ~150 MiB there); a higher base only holds more finished blocks as cache, so peak
// memory then grows with the input until it reaches the limit.
Status DuckDbClient::ReadThreads() {
  if (threads_ != 0) return Status::Ok();
  DLT_ASSIGN_OR_RETURN(auto rows, Query("SELECT current_setting('threads')::BIGINT::VARCHAR"));
  threads_ = rows.empty() || rows[0].empty() || !rows[0][0] ? 1 : std::max<int64_t>(1, std::stoll(*rows[0][0]));
  return Status::Ok();
}

// Measured on the nested Python benchmark: DuckDB's two workers loading beside the generator
// took ~6 s more CPU for 1M events (threads polling for tasks) and slowed the generator down.
Status DuckDbClient::UseOneThread(bool one) {
  if (one == one_thread_) return Status::Ok();
  DLT_RETURN_IF_ERROR(ReadThreads());
  Status s = Execute("SET threads = " + std::to_string(one ? 1 : threads_));
  if (s.ok()) one_thread_ = one;
  return s;
}

Status DuckDbClient::SizeForLoad(size_t widest_table_columns, size_t all_columns) {
  // Sized for the threads configured, also while only one works (UseOneThread).
  DLT_RETURN_IF_ERROR(ReadThreads());
  const uint64_t kb = static_cast<uint64_t>(threads_) * widest_table_columns * 1024 + all_columns * 512;
  load_memory_mb_ = 32 + (kb + 1023) / 1024;
  return SetMemoryLimit(load_memory_mb_);
}

Status DuckDbClient::SetMemoryLimit(uint64_t mb) {
  std::string limit = std::to_string(mb) + "MB";
  if (limit == memory_limit_) return Status::Ok();
  Status s = Execute("SET memory_limit = '" + limit + "'");
  if (s.ok()) memory_limit_ = limit;
  return s;
}

// DuckDB reads a Parquet file one row group per thread, holding the group's compressed column
// chunks and the pages it decompresses. Under the load's limit alone (sized for job scans) it
// spilled to its temp folder all through the insert: 5M rows in row groups of 4 MB compressed,
// 10 MB uncompressed, took 0.25 s longer with 62 MB than with 90 MB, and no less with more. So
// each thread gets the largest row group's compressed and uncompressed bytes on top, while the
// statement runs: memory stays bounded by the files' row groups, not their size.
StatusOr<uint64_t> DuckDbClient::ParquetReadMb(const std::vector<std::filesystem::path>& files) {
  std::vector<std::string> paths;
  for (const auto& f : files) paths.push_back(QuoteLiteral(f.string()));
  DLT_ASSIGN_OR_RETURN(auto rows, Query("SELECT COALESCE(max(bytes), 0)::VARCHAR FROM (SELECT sum(total_compressed_size) + "
                                        "sum(total_uncompressed_size) AS bytes FROM parquet_metadata([" +
                                        text::Join(paths, ", ") + "]) GROUP BY file_name, row_group_id)"));
  const uint64_t bytes = rows.empty() || rows[0].empty() || !rows[0][0] ? 0 : std::stoull(*rows[0][0]);
  DLT_RETURN_IF_ERROR(ReadThreads());
  return static_cast<uint64_t>(threads_) * ((bytes + (1 << 20) - 1) >> 20);
}

Status DuckDbClient::Wrap(Status s) const {
  if (s.ok()) return s;
  return s.WithContext("duckdb " + display_);
}

Status DuckDbClient::Execute(std::string_view sql) { return Wrap(conn_.Execute(sql)); }

StatusOr<std::vector<SqlRow>> DuckDbClient::Query(std::string_view sql) {
  auto r = conn_.Query(sql);
  if (!r.ok()) return Wrap(r.status());
  std::vector<SqlRow> out;
  out.reserve(r->rows.size());
  for (auto& row : r->rows) {
    SqlRow sr;
    sr.reserve(row.size());
    for (auto& v : row) {
      if (v.is_null) {
        sr.emplace_back(std::nullopt);
      } else {
        sr.emplace_back(std::move(v.text));
      }
    }
    out.push_back(std::move(sr));
  }
  return out;
}

namespace {

// dlt's `timezone: false` column hint (a naive timestamp, from a SQL source or a file): the
// column is created without a time zone, as dlt creates it.
bool IsNaiveTimestamp(const Column& c) {
  auto it = c.extra.find("timezone");
  return c.data_type == DataType::kTimestamp && it != c.extra.end() && it->is_boolean() && !it->get<bool>();
}

}  // namespace

std::string DuckDbClient::TypeSql(const Column& c) const {
  switch (c.data_type) {
    case DataType::kText: return "VARCHAR";
    case DataType::kBigint: {
      // As dlt: a precision is a number of bits, which picks the integer type.
      if (!c.precision) return "BIGINT";
      const int bits = *c.precision;
      return bits <= 8 ? "TINYINT" : bits <= 16 ? "SMALLINT" : bits <= 32 ? "INTEGER" : bits <= 64 ? "BIGINT" : "HUGEINT";
    }
    case DataType::kDouble: return "DOUBLE";
    case DataType::kBool: return "BOOLEAN";
    case DataType::kTimestamp: {
      // As dlt: a precision only for timestamps without time zone (DuckDB's TIMESTAMP WITH TIME
      // ZONE has microseconds only): seconds, milliseconds, microseconds or nanoseconds.
      if (!IsNaiveTimestamp(c)) return "TIMESTAMP WITH TIME ZONE";
      const int p = c.precision.value_or(6);
      return p == 0 ? "TIMESTAMP_S" : p <= 3 ? "TIMESTAMP_MS" : p <= 6 ? "TIMESTAMP" : "TIMESTAMP_NS";
    }
    case DataType::kDate: return "DATE";
    case DataType::kTime: return "TIME";
    case DataType::kDecimal:
      return "DECIMAL(" + std::to_string(c.precision.value_or(38)) + "," + std::to_string(c.scale.value_or(9)) + ")";
    case DataType::kWei: return "DECIMAL(38,0)";
    case DataType::kJson: return "JSON";
    case DataType::kBinary: return "BLOB";
  }
  return "VARCHAR";
}

std::string DuckDbClient::StorageSql(const Column& c) const {
  // Row and parent keys are random or hashed: DuckDB's dictionary compression never pays off for
  // them, yet it is analyzed for every segment. A parent key repeats for each child row, and FSST
  // writes it smaller. A row key never repeats: FSST saves about 4 of its 14 bytes but its
  // analysis is a third of the load of a table with few other columns (5M Parquet rows: 4.7-5.2 s
  // with FSST, 3.8-4.5 s without; the database 15% larger), so row keys are stored as they are.
  // The load id repeats in every row of a load: dictionary compression is what DuckDB would pick,
  // without analyzing the others for every segment (5M rows: 0.45 s of CPU instead of 0.5-1.4 s).
  if (c.data_type != DataType::kText) return "";
  if (c.row_key) return " USING COMPRESSION uncompressed";
  if (c.parent_key) return " USING COMPRESSION fsst";
  if (c.name == "_dlt_load_id") return " USING COMPRESSION dictionary";
  return "";
}

std::string DuckDbClient::ConstraintSql(const Column& c) const { return c.unique && create_indexes_ ? " UNIQUE" : ""; }

Status DuckDbClient::AddColumns(const std::string& dataset, const Table& table,
                                const std::vector<const Column*>& added) {
  // DuckDB takes one ADD COLUMN per ALTER TABLE, and each one copies the table's catalog entry
  // and its storage, so inside the load's transaction n ALTERs cost about n times the width:
  // 1000 new columns took 4-15 s, 3000 minutes. Rebuilding the table (a CREATE TABLE with every
  // column, one INSERT of the old rows) costs one pass over its data instead, which is cheaper
  // unless the table has many rows per new column. Both happen in the load's transaction.
  const std::string target = Qualified(dataset, table.name);
  if (added.size() < kRebuildFromColumns) return SqlClient::AddColumns(dataset, table, added);
  DLT_ASSIGN_OR_RETURN(auto count, Query("SELECT count(*) FROM " + target));
  const uint64_t rows = count.empty() || !count[0][0] ? 0 : std::stoull(*count[0][0]);
  if (rows > kRebuildRowsPerColumn * added.size()) return SqlClient::AddColumns(dataset, table, added);

  // A table someone gave defaults, constraints beyond NOT NULL or indexes keeps them: ALTERs.
  const std::string where = "database_name = current_database() AND schema_name = " + QuoteLiteral(dataset) +
                            " AND table_name = ";
  DLT_ASSIGN_OR_RETURN(
      auto extras,
      Query("SELECT (SELECT count(*) FROM duckdb_constraints() WHERE " + where + QuoteLiteral(table.name) +
            " AND constraint_type <> 'NOT NULL') + (SELECT count(*) FROM duckdb_indexes() WHERE " + where +
            QuoteLiteral(table.name) + ") + (SELECT count(*) FROM duckdb_columns() WHERE " + where +
            QuoteLiteral(table.name) + " AND column_default IS NOT NULL)"));
  if (extras.empty() || !extras[0][0] || *extras[0][0] != "0") return SqlClient::AddColumns(dataset, table, added);
  // The existing columns exactly as they are (type, NOT NULL), in their order.
  DLT_ASSIGN_OR_RETURN(auto existing, Query("SELECT column_name, data_type, is_nullable FROM duckdb_columns() WHERE " +
                                            where + QuoteLiteral(table.name) + " ORDER BY column_index"));
  // Every column the loader saw must be there (another attached database could hold a table of
  // the same name): otherwise the rebuild would drop columns, so ALTER instead.
  DLT_ASSIGN_OR_RETURN(auto seen, TableColumns(dataset, table.name));
  if (existing.size() != seen.size()) return SqlClient::AddColumns(dataset, table, added);
  // The new table's temporary name cannot be a table name of ours (those never hold `~`).
  const std::string temp_name = table.name + "~dlt_widened";
  DLT_ASSIGN_OR_RETURN(auto taken, TableColumns(dataset, temp_name));
  if (!taken.empty()) return SqlClient::AddColumns(dataset, table, added);
  std::vector<std::string> defs, old_names;
  for (const auto& r : existing) {
    if (r.size() < 3 || !r[0] || !r[1]) return Internal("duckdb_columns() returned an incomplete row for " + target);
    const Column* known = table.FindColumn(*r[0]);
    defs.push_back(QuoteIdentifier(*r[0]) + " " + *r[1] + (known ? StorageSql(*known) : "") +
                   (r[2] && *r[2] == "false" ? " NOT NULL" : ""));
    old_names.push_back(QuoteIdentifier(*r[0]));
  }
  // Added columns are nullable: rows loaded before have no value for them.
  for (const Column* c : added) defs.push_back(QuoteIdentifier(c->name) + " " + TypeSql(*c) + StorageSql(*c));
  const std::string temp = Qualified(dataset, temp_name);
  DLT_RETURN_IF_ERROR(Execute("CREATE TABLE " + temp + " (" + text::Join(defs, ", ") + ")"));
  if (rows > 0) {
    const std::string cols = text::Join(old_names, ", ");
    DLT_RETURN_IF_ERROR(Execute("INSERT INTO " + temp + " (" + cols + ") SELECT " + cols + " FROM " + target));
  }
  DLT_RETURN_IF_ERROR(Execute("DROP TABLE " + target));
  return Execute("ALTER TABLE " + temp + " RENAME TO " + QuoteIdentifier(table.name));
}


namespace {

// DuckDB casts text to a DECIMAL of more than 18 digits (128-bit storage) about 20x slower than
// to one of up to 18 (a 5M-row Parquet file with one DECIMAL(21,1) column spent 2 minutes in it).
// A value whose integer part has at most 18 - scale characters (sign included) fits DECIMAL(18,
// scale): it takes that cast and is widened, which is exact; any other value (and exponent
// notation) takes the direct cast.
std::string WideDecimalCast(const std::string& e, int precision, int scale) {
  const std::string wide = "DECIMAL(" + std::to_string(precision) + "," + std::to_string(scale) + ")";
  const std::string narrow = "DECIMAL(18," + std::to_string(scale) + ")";
  return "CASE WHEN coalesce(nullif(strpos(" + e + ", '.'), 0) - 1, length(" + e + ")) <= " +
         std::to_string(18 - scale) + " AND strpos(" + e + ", 'e') = 0 AND strpos(" + e + ", 'E') = 0 THEN CAST(CAST(" +
         e + " AS " + narrow + ") AS " + wide + ") ELSE CAST(" + e + " AS " + wide + ") END";
}

}  // namespace

StatusOr<std::string> DuckDbClient::JobSelectSql(const std::vector<const Column*>& columns,
                                                const std::vector<std::filesystem::path>& files,
                                                std::vector<std::string>* targets, duckdb::JobFileScan* scan_out) {
  // The job files are read by our own table function (duckdb::Connection::ScanJobFiles): it knows
  // their exact dialect and fills DuckDB's vectors directly, which costs about half of what
  // DuckDB's general CSV reader spends on them. Types it does not produce itself are read as
  // text and cast by DuckDB.
  std::vector<std::string> file_list;
  std::vector<duckdb::ScanColumn> scan_columns;
  std::vector<std::string> select;
  bool all_typed = true;
  for (const auto& f : files) {
    file_list.push_back(f.string());
    all_typed = all_typed && IsTypedJobFile(f);
  }
  for (const Column* c : columns) {
    duckdb::ScanType type = duckdb::ScanType::kVarchar;
    switch (c->data_type) {
      // Typed jobs hold dates and times as integers, copied as they are; CSV jobs' text is cast.
      case DataType::kDate:
        if (all_typed) type = duckdb::ScanType::kDate;
        break;
      case DataType::kTime:
        if (all_typed) type = duckdb::ScanType::kTime;
        break;
      case DataType::kBigint: type = duckdb::ScanType::kBigint; break;
      case DataType::kDouble: type = duckdb::ScanType::kDouble; break;
      case DataType::kBool: type = duckdb::ScanType::kBoolean; break;
      case DataType::kTimestamp:
        type = IsNaiveTimestamp(*c) ? duckdb::ScanType::kTimestamp : duckdb::ScanType::kTimestampTz;
        break;
      case DataType::kDecimal: {
        // Up to 18 digits: parsed by the scan (ParseJobDecimal rounds as DuckDB's cast does).
        const int p = c->precision.value_or(38), s = c->scale.value_or(9);
        if (p >= 1 && p <= 18 && s >= 0 && s <= p) {
          scan_columns.push_back({c->name, duckdb::ScanType::kDecimal, p, s});
          type = duckdb::ScanType::kDecimal;
        }
        break;
      }
      default: break;
    }
    if (type != duckdb::ScanType::kDecimal) scan_columns.push_back({c->name, type});
    std::string expr = QuoteIdentifier(c->name);
    if (c->data_type == DataType::kBinary) {
      // Binary cells are `\x` + hex (normalize/typed_batch.h BinaryCell, PostgreSQL's bytea
      // form); a CAST would read DuckDB's own escapes instead.
      expr = "from_hex(substr(" + expr + ", 3))";
    } else if (c->data_type == DataType::kDecimal && c->precision.value_or(38) > 18 && c->scale.value_or(9) < 18) {
      expr = WideDecimalCast(expr, c->precision.value_or(38), c->scale.value_or(9));
    } else if (type == duckdb::ScanType::kVarchar && c->data_type != DataType::kText) {  // kDecimal: as it is
      expr = "CAST(" + expr + " AS " + TypeSql(*c) + ")";
    }
    select.push_back(expr + (targets ? "" : " AS " + QuoteIdentifier(c->name)));
    if (targets) targets->push_back(QuoteIdentifier(c->name));
  }
  auto scan = conn_.ScanJobFiles(std::move(file_list), std::move(scan_columns));
  if (!scan.ok()) return Wrap(scan.status());
  std::string sql = "SELECT " + text::Join(select, ", ") + " FROM " + scan->sql();
  *scan_out = std::move(scan).value();
  return sql;
}

Status DuckDbClient::CopyJobFiles(const std::string& dataset, const std::string& table,
                             const std::vector<const Column*>& columns,
                             const std::vector<std::filesystem::path>& files) {
  std::vector<std::string> targets;
  duckdb::JobFileScan scan;  // registered while the statement runs
  DLT_ASSIGN_OR_RETURN(std::string select, JobSelectSql(columns, files, &targets, &scan));
  return Execute("INSERT INTO " + Qualified(dataset, table) + " (" + text::Join(targets, ", ") + ") " + select);
}

StatusOr<std::string> DuckDbClient::GeneratedValueSql(const Column& c, const std::string& load_id,
                                                     const std::filesystem::path& file) {
  if (c.row_key) return std::string(duckdb::detail::kRowKeyFunction) + "()";
  if (c.name == "_dlt_load_id") return QuoteLiteral(load_id);
  return DataLoss("load job " + file.string() + " asks for column `" + c.name + "`, which the load does not fill in");
}

Status DuckDbClient::CopyTypedJobsWithGenerated(const std::string& dataset, const std::string& table,
                                                const std::vector<const Column*>& columns,
                                                const std::vector<const Column*>& generated,
                                                const std::string& load_id,
                                                const std::vector<std::filesystem::path>& files) {
  // Typed files kept as the extract wrote them (pipeline/typed_items.h): read by our scan as any
  // typed job, the dlt columns filled in by the statement.
  std::vector<std::string> targets;
  duckdb::JobFileScan scan;  // registered while the statement runs
  DLT_ASSIGN_OR_RETURN(std::string select, JobSelectSql(columns, files, &targets, &scan));
  const std::string from = " FROM " + scan.sql();
  const size_t at = select.rfind(from);
  if (at == std::string::npos) return Internal("the select of typed jobs has no FROM " + scan.sql());
  std::string extra;
  for (const Column* c : generated) {
    DLT_ASSIGN_OR_RETURN(std::string value, GeneratedValueSql(*c, load_id, files.front()));
    extra += ", " + value;
    targets.push_back(QuoteIdentifier(c->name));
  }
  select.insert(at, extra);
  return Execute("INSERT INTO " + Qualified(dataset, table) + " (" + text::Join(targets, ", ") + ") " + select);
}

StatusOr<std::string> DuckDbClient::ParquetSelectSql(const std::vector<const Column*>& columns,
                                                    const std::vector<const Column*>& generated,
                                                    const std::string& load_id,
                                                    const std::vector<std::filesystem::path>& files,
                                                    std::vector<std::string>* targets) {
  // Parquet files kept as they are (pipeline/file_items.h): their columns have the table's names
  // and types that DuckDB takes unchanged, so DuckDB reads them itself; the dlt columns are
  // filled in here. Without `targets` (an export) each column is cast to its table type, which
  // an INSERT does itself, so that the file holds the types a table would.
  std::vector<std::string> select, paths;
  for (const Column* c : columns) {
    const std::string name = QuoteIdentifier(c->name);
    if (targets) targets->push_back(name);
    select.push_back(targets ? name : "CAST(" + name + " AS " + TypeSql(*c) + ") AS " + name);
  }
  for (const Column* c : generated) {
    const std::string name = QuoteIdentifier(c->name);
    if (targets) targets->push_back(name);
    DLT_ASSIGN_OR_RETURN(std::string value, GeneratedValueSql(*c, load_id, files.front()));
    select.push_back(targets ? value : value + " AS " + name);
  }
  for (const auto& f : files) paths.push_back(QuoteLiteral(f.string()));
  return "SELECT " + text::Join(select, ", ") + " FROM read_parquet([" + text::Join(paths, ", ") + "])";
}

Status DuckDbClient::CopyParquetJobs(const std::string& dataset, const std::string& table,
                                     const std::vector<const Column*>& columns,
                                     const std::vector<const Column*>& generated, const std::string& load_id,
                                     const std::vector<std::filesystem::path>& files) {
  std::vector<std::string> targets;
  DLT_ASSIGN_OR_RETURN(std::string select, ParquetSelectSql(columns, generated, load_id, files, &targets));
  const std::string insert = "INSERT INTO " + Qualified(dataset, table) + " (" + text::Join(targets, ", ") + ") " + select;
  if (load_memory_mb_ == 0) return Execute(insert);  // no limit set: nothing to widen
  DLT_ASSIGN_OR_RETURN(uint64_t extra, ParquetReadMb(files));
  DLT_RETURN_IF_ERROR(SetMemoryLimit(load_memory_mb_ + extra));
  Status s = Execute(insert);
  Status back = SetMemoryLimit(load_memory_mb_);
  return s.ok() ? back : s;
}

Status DuckDbClient::ExportParquetJob(const std::vector<const Column*>& columns,
                                      const std::vector<const Column*>& generated, const std::string& load_id,
                                      const std::filesystem::path& file, const std::filesystem::path& target,
                                      std::string_view copy_options) {
  DLT_ASSIGN_OR_RETURN(std::string select, ParquetSelectSql(columns, generated, load_id, {file}, nullptr));
  return Execute("COPY (" + select + ") TO " + QuoteLiteral(target.string()) + " (" + std::string(copy_options) + ")");
}

StatusOr<std::vector<std::string>> DuckDbClient::ParquetJobColumns(const std::filesystem::path& file) {
  auto r = conn_.Query("SELECT * FROM read_parquet(" + QuoteLiteral(file.string()) + ") LIMIT 0");
  if (!r.ok()) return DataLoss("load job " + file.string() + " cannot be read: " + Wrap(r.status()).message());
  return r->column_names;
}

Status DuckDbClient::ExportJobs(const std::vector<const Column*>& columns, const std::vector<std::filesystem::path>& files,
                                const std::filesystem::path& target, std::string_view copy_options) {
  duckdb::JobFileScan scan;  // registered while the statement runs
  DLT_ASSIGN_OR_RETURN(std::string select, JobSelectSql(columns, files, nullptr, &scan));
  return Execute("COPY (" + select + ") TO " + QuoteLiteral(target.string()) + " (" + std::string(copy_options) + ")");
}

}  // namespace dlt
