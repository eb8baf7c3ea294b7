#include "destinations/duckdb/duckdb_file_source.h"

#include <zlib.h>

#include <cstdio>
#include <optional>
#include <utility>

#include "common/text.h"
#include "destinations/duckdb/duckdb_api.h"
#include "destinations/duckdb/duckdb_batch_reader.h"

namespace dlt {

namespace fs = std::filesystem;

std::optional<TabularFormat> TabularFormatOf(const fs::path& file) {
  const std::string name = text::ToLower(file.filename().string());
  auto ends = [&](std::string_view suffix) {
    return name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  for (const char* s : {".csv", ".csv.gz", ".tsv", ".tsv.gz"}) {
    if (ends(s)) return TabularFormat::kCsv;
  }
  if (ends(".parquet") || ends(".pq")) return TabularFormat::kParquet;
  return std::nullopt;
}

std::optional<TabularFormat> ParseTabularFormat(const std::string& format) {
  if (format == "csv") return TabularFormat::kCsv;
  if (format == "parquet") return TabularFormat::kParquet;
  return std::nullopt;
}

namespace {

// DuckDB's type for a dlt data type named in CsvOptions::types (nullopt: not one of them).
// `decimal` may carry its precision and scale: decimal(p,s), p up to 38. A timestamp is read as
// text and converted by TimestampSql.
std::optional<std::string> CsvColumnType(const std::string& dlt_type) {
  int p = 0, s = 0;
  char end = 0;
  if (std::sscanf(dlt_type.c_str(), "decimal(%d,%d%c", &p, &s, &end) == 3 && end == ')' &&
      dlt_type.back() == ')' && p >= 1 && p <= 38 && s >= 0 && s <= p) {
    return "DECIMAL(" + std::to_string(p) + "," + std::to_string(s) + ")";
  }
  static const std::pair<const char*, const char*> kTypes[] = {
      {"text", "VARCHAR"}, {"bigint", "BIGINT"}, {"double", "DOUBLE"}, {"bool", "BOOLEAN"},
      {"decimal", "DECIMAL(38,9)"}, {"date", "DATE"}, {"timestamp", "VARCHAR"}};
  for (const auto& [name, sql] : kTypes) {
    if (dlt_type == name) return std::string(sql);
  }
  return std::nullopt;
}

// A timestamp column read as text, as a UTC TIMESTAMP (what the sniffer gives for one): a value
// with an offset (Z, +02, +0200, +02:00 after the time) is moved to UTC, one without is UTC.
// DuckDB's own casts would not do: TIMESTAMPTZ reads a value without an offset in the machine's
// time zone, TIMESTAMP drops the offset.
std::string TimestampSql(const std::string& column) {
  const std::string q = duckdb::QuoteIdentifier(column);
  return "CASE WHEN regexp_matches(" + q +
         ", '[0-9]:[0-9][0-9](:[0-9][0-9](\\.[0-9]*)?)?\\s*(Z|z|[+-][0-9][0-9](:?[0-9][0-9])?)\\s*$') "
         "THEN make_timestamp(epoch_us(CAST(" + q + " AS TIMESTAMPTZ))) ELSE CAST(" + q + " AS TIMESTAMP) END AS " + q;
}

std::string SqlList(const std::vector<std::string>& values) {
  std::string out = "[";
  for (size_t i = 0; i < values.size(); ++i) out += (i ? ", " : "") + duckdb::QuoteLiteral(values[i]);
  return out + "]";
}

}  // namespace

Status CheckCsvOptions(CsvOptions& csv) {
  if (csv.delimiter && csv.delimiter->empty()) return InvalidArgument("the CSV delimiter must not be empty");
  if (csv.quote && csv.quote->size() != 1) {
    return InvalidArgument("the CSV quote must be one character, got `" + *csv.quote + "`");
  }
  if (csv.encoding) {
    std::string e = text::ToLower(*csv.encoding);
    for (char& ch : e) {
      if (ch == '_') ch = '-';
    }
    if (e == "utf-8" || e == "utf8" || e == "utf-8-sig") {
      csv.encoding = "utf-8";
    } else if (e == "latin-1" || e == "latin1" || e == "iso-8859-1" || e == "iso8859-1" || e == "l1" || e == "latin") {
      csv.encoding = "latin-1";
    } else if (e == "utf-16" || e == "utf16") {
      csv.encoding = "utf-16";
    } else {
      return InvalidArgument("the CSV encoding `" + *csv.encoding +
                             "` is not supported: use utf-8, latin-1 (iso-8859-1) or utf-16, or convert the files "
                             "(iconv -f <encoding> -t utf-8)");
    }
  }
  for (const auto& [column, type] : csv.types) {
    if (!CsvColumnType(type)) {
      return InvalidArgument("the CSV type `" + type + "` of column `" + column +
                             "` is not one of text, bigint, double, bool, decimal, decimal(p,s), date, timestamp");
    }
  }
  for (const auto* list : {&csv.names, &csv.columns}) {
    for (const auto& n : *list) {
      if (n.empty()) return InvalidArgument("a CSV column name must not be empty");
    }
  }
  return Status::Ok();
}

std::string TabularScanSql(const fs::path& file, TabularFormat format, const CsvOptions& csv) {
  const std::string path = duckdb::QuoteLiteral(file.string());
  if (format == TabularFormat::kParquet) return "read_parquet(" + path + ")";
  // The quote is RFC 4180's unless told otherwise: DuckDB's sniffer would otherwise take a file
  // with a broken quote as a file without quoting and load the quote as data.
  std::string sql = "read_csv(" + path + ", quote = " + duckdb::QuoteLiteral(csv.quote.value_or("\""));
  if (csv.delimiter) sql += ", delim = " + duckdb::QuoteLiteral(*csv.delimiter);
  if (csv.header) sql += std::string(", header = ") + (*csv.header ? "true" : "false");
  if (csv.encoding) sql += ", encoding = " + duckdb::QuoteLiteral(*csv.encoding);
  if (csv.skip_rows) sql += ", skip = " + std::to_string(csv.skip_rows);
  if (!csv.names.empty()) sql += ", names = " + SqlList(csv.names);
  if (!csv.null_values.empty()) {
    std::vector<std::string> nulls = {""};
    nulls.insert(nulls.end(), csv.null_values.begin(), csv.null_values.end());
    sql += ", nullstr = " + SqlList(nulls);
  }
  if (csv.all_text) sql += ", all_varchar = true";
  if (!csv.types.empty()) {
    sql += ", types = {";
    for (size_t i = 0; i < csv.types.size(); ++i) {
      const auto type = CsvColumnType(csv.types[i].second);
      sql += (i ? ", " : "") + duckdb::QuoteLiteral(csv.types[i].first) + ": " +
             duckdb::QuoteLiteral(type.value_or("VARCHAR"));
    }
    sql += "}";
  }
  sql += ")";
  auto is_timestamp = [&](const std::string& column) {
    for (const auto& [name, type] : csv.types) {
      if (name == column && type == "timestamp") return true;
    }
    return false;
  };
  std::string select;
  if (!csv.columns.empty() && csv.columns_in_file_order) {
    // Every column, the typed timestamps replaced, then the chosen ones in the file's order
    // (OpenNext reports a chosen column the file does not have).
    std::string replaced, chosen;
    for (const auto& [name, type] : csv.types) {
      if (type == "timestamp") replaced += (replaced.empty() ? "" : ", ") + TimestampSql(name);
    }
    for (const auto& c : csv.columns) chosen += (chosen.empty() ? "" : ", ") + duckdb::QuoteLiteral(c);
    const std::string all = replaced.empty() ? sql : "(SELECT * REPLACE (" + replaced + ") FROM " + sql + ")";
    return "(SELECT COLUMNS(c -> list_contains([" + chosen + "], c)) FROM " + all + ")";
  }
  if (!csv.columns.empty()) {
    for (const auto& c : csv.columns) {
      select += (select.empty() ? "" : ", ") + (is_timestamp(c) ? TimestampSql(c) : duckdb::QuoteIdentifier(c));
    }
  } else {
    std::string replaced;
    for (const auto& [name, type] : csv.types) {
      if (type == "timestamp") replaced += (replaced.empty() ? "" : ", ") + TimestampSql(name);
    }
    if (replaced.empty()) return sql;
    select = "* REPLACE (" + replaced + ")";
  }
  return "(SELECT " + select + " FROM " + sql + ")";
}

std::optional<uint64_t> UnclosedQuoteLine(const fs::path& file, char quote) {
  gzFile in = gzopen(file.c_str(), "rb");  // reads plain files as they are
  if (!in) return std::nullopt;
  char buf[1 << 16];
  uint64_t line = 1, opened_at = 0;
  bool quoted = false;
  int n;
  while ((n = gzread(in, buf, sizeof buf)) > 0) {
    for (int i = 0; i < n; ++i) {
      if (buf[i] == '\n') {
        ++line;
      } else if (buf[i] == quote) {
        // A doubled quote inside a quoted field toggles twice: only a quote left open counts.
        quoted = !quoted;
        if (quoted) opened_at = line;
      }
    }
  }
  gzclose(in);
  if (quoted) return opened_at;
  return std::nullopt;
}

namespace {

// DuckDB's sniffer types a column without a single value in the file as VARCHAR. dlt makes no
// column of values it has not seen, and a text column here would clash with the real type a
// column has in other files (1.5 in one file, empty in the next): such a column is left out of
// the batch, and its rows are NULL there as they would have been.
void DropEmptyTextColumns(TypedBatch* batch) {
  std::vector<size_t> keep;
  const auto& columns = batch->columns();
  for (size_t c = 0; c < columns.size(); ++c) {
    bool empty = columns[c].data_type == DataType::kText;
    for (size_t r = 0; empty && r < batch->rows(); ++r) empty = batch->IsNull(c, r);
    if (!empty) keep.push_back(c);
  }
  if (keep.size() == columns.size()) return;
  std::vector<TypedColumn> kept;
  for (size_t c : keep) kept.push_back(columns[c]);
  TypedBatch out(std::move(kept));
  for (size_t i = 0; i < keep.size(); ++i) out.SetVector(i, batch->vector(keep[i]));
  *batch = std::move(out);
}

class FileBatchSource : public BatchSource {
 public:
  FileBatchSource(std::vector<fs::path> files, std::vector<TabularFormat> formats, CsvOptions csv)
      : files_(std::move(files)), formats_(std::move(formats)), csv_(std::move(csv)) {
    for (size_t i = 0; i < files_.size(); ++i) {
      whole_.push_back({files_[i], formats_[i] == TabularFormat::kParquet ? "parquet" : "csv"});
    }
  }

  const std::vector<WholeFile>* whole_files() const override { return &whole_; }

  StatusOr<bool> NextBatch(TypedBatch* batch, std::string* where) override {
    for (;;) {
      if (!reader_) {
        if (next_ >= files_.size()) return false;
        DLT_RETURN_IF_ERROR(OpenNext());
      }
      const std::string& name = files_[next_ - 1].string();
      auto more = reader_->Next(batch);
      if (!more.ok()) return Failed(more.status());
      if (*more) {
        if (formats_[next_ - 1] == TabularFormat::kCsv) DropEmptyTextColumns(batch);
        *where = name + " batch " + std::to_string(++batches_);
        return true;
      }
      reader_.reset();
      std::error_code ec;
      const auto size = fs::file_size(files_[next_ - 1], ec);
      if (!ec) done_bytes_ += size;
    }
  }

  uint64_t bytes_read() const override { return done_bytes_; }

 private:
  Status OpenNext() {
    if (!connection_.is_open()) {
      // One private in-memory database for all files; DuckDB's threads read each file in parallel.
      auto db = duckdb::Database::Open(":memory:");
      if (!db.ok()) return db.status().WithContext("cannot read CSV/Parquet files");
      database_ = std::move(*db);
      auto conn = database_.Connect();
      if (!conn.ok()) return conn.status();
      connection_ = std::move(*conn);
    }
    const size_t i = next_++;
    batches_ = 0;
    const std::string sql = "SELECT * FROM " + TabularScanSql(files_[i], formats_[i], csv_);
    auto r = duckdb::BatchReader::Start(connection_, sql);
    if (!r.ok()) {
      // (none of the chosen columns in the file: DuckDB refuses the empty selection)
      if (csv_.columns_in_file_order) {
        CsvOptions all = csv_;
        all.columns.clear();
        auto probe = duckdb::BatchReader::Start(connection_, "SELECT * FROM " + TabularScanSql(files_[i], formats_[i], all) +
                                                                 " LIMIT 0");
        if (probe.ok()) DLT_RETURN_IF_ERROR(CheckChosenColumns(i, (*probe)->columns()));
      }
      return Failed(r.status());
    }
    reader_ = std::move(*r);
    if (csv_.columns_in_file_order) DLT_RETURN_IF_ERROR(CheckChosenColumns(i, reader_->columns()));
    // With a broken quote the sniffer may fall back to one column holding whole lines (not a
    // sign of it when the columns were chosen).
    if (formats_[i] == TabularFormat::kCsv && reader_->columns().size() == 1 && csv_.columns.empty()) {
      if (auto line = UnclosedQuoteLine(files_[i], QuoteChar())) return BrokenQuote(*line);
    }
    return Status::Ok();
  }

  // Chosen columns (taken in the file's order) that the file does not have, as pandas' usecols
  // refuses them.
  Status CheckChosenColumns(size_t i, const std::vector<TypedColumn>& have) const {
    std::vector<std::string> missing;
    for (const auto& c : csv_.columns) {
      bool found = false;
      for (const auto& h : have) found = found || h.name == c;
      if (!found) missing.push_back("`" + c + "`");
    }
    if (missing.empty()) return Status::Ok();
    return InvalidArgument(files_[i].string() + ": the columns chosen to read are not all in the file; missing: " +
                           text::Join(missing, ", ") + " (choose columns of its header)");
  }

  // DuckDB's message names the line (CSV) but not always the file: prefix it, and say what to do.
  Status Failed(const Status& s) const {
    const fs::path& file = files_[next_ - 1];
    const bool csv = formats_[next_ - 1] == TabularFormat::kCsv;
    if (csv && s.message().find("CSV Error on Line") == std::string::npos) {
      if (auto line = UnclosedQuoteLine(file, QuoteChar())) return BrokenQuote(*line);
    }
    std::string msg = file.string() + ": cannot read " + (csv ? "CSV" : "Parquet") + " file: " + s.message();
    if (csv) msg += "\n(fix the file, or set the resource's csv `delimiter` / `header` if they were detected wrongly)";
    return Status(StatusCode::kInvalidArgument, msg);
  }

  char QuoteChar() const { return csv_.quote && !csv_.quote->empty() ? (*csv_.quote)[0] : '"'; }

  Status BrokenQuote(uint64_t line) const {
    return InvalidArgument(files_[next_ - 1].string() + ":" + std::to_string(line) +
                           ": a quoted field starts on this line and its quote is never closed (a broken quote); "
                           "fix the quote in the file (nothing was loaded)");
  }

  std::vector<fs::path> files_;
  std::vector<TabularFormat> formats_;
  std::vector<WholeFile> whole_;
  CsvOptions csv_;
  size_t next_ = 0;
  uint64_t batches_ = 0;
  uint64_t done_bytes_ = 0;
  duckdb::Database database_;
  duckdb::Connection connection_;  // declared after database_: closed first
  std::unique_ptr<duckdb::BatchReader> reader_;
};

}  // namespace

std::unique_ptr<BatchSource> MakeFileBatchSource(std::vector<fs::path> files, std::vector<TabularFormat> formats,
                                                 CsvOptions csv) {
  return std::make_unique<FileBatchSource>(std::move(files), std::move(formats), std::move(csv));
}

}  // namespace dlt
