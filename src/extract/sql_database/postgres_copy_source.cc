// The PostgreSQL reader's scan: `COPY (SELECT ...) TO STDOUT (FORMAT binary)` decoded straight
// into typed batch columns. Binary COPY spares the server its text output and us the parsing of
// it; values keep their exact form (numeric digits, microseconds) with no float on the way.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <utility>

#include "common/pg_libpq.h"
#include "extract/sql_database/postgres_source.h"

namespace dlt::sql_source {

namespace {

using pg::g_pq;

// PostgreSQL's epoch (2000-01-01) from the Unix epoch, in days and microseconds.
constexpr int64_t kPgEpochDays = 10957;
constexpr int64_t kPgEpochMicros = kPgEpochDays * 86400LL * 1000000LL;

inline uint16_t Be16(const char* p) {
  return static_cast<uint16_t>((static_cast<uint8_t>(p[0]) << 8) | static_cast<uint8_t>(p[1]));
}
inline uint32_t Be32(const char* p) {
  return (static_cast<uint32_t>(static_cast<uint8_t>(p[0])) << 24) |
         (static_cast<uint32_t>(static_cast<uint8_t>(p[1])) << 16) |
         (static_cast<uint32_t>(static_cast<uint8_t>(p[2])) << 8) | static_cast<uint32_t>(static_cast<uint8_t>(p[3]));
}
inline uint64_t Be64(const char* p) { return (static_cast<uint64_t>(Be32(p)) << 32) | Be32(p + 4); }

// A base-10000 digit as four decimal digits (no printf: this runs for every numeric value).
inline void Digits4(int d, char* out) {
  out[0] = static_cast<char>('0' + d / 1000);
  out[1] = static_cast<char>('0' + d / 100 % 10);
  out[2] = static_cast<char>('0' + d / 10 % 10);
  out[3] = static_cast<char>('0' + d % 10);
}

constexpr char kSignature[] = "PGCOPY\n\377\r\n";  // 11 bytes with its NUL

class PgCopySource : public BatchSource {
 public:
  PgCopySource(std::unique_ptr<PgConnection> c, std::string sql, std::vector<PgScanColumn> columns, size_t chunk,
               std::string name)
      : conn_(std::move(c)), sql_(std::move(sql)), columns_(std::move(columns)), chunk_(chunk ? chunk : 50000),
        name_(std::move(name)) {
    for (const auto& c : columns_) typed_.push_back(c.column);
  }
  ~PgCopySource() override {
    if (buf_) g_pq->freemem(buf_);
  }

  StatusOr<bool> NextBatch(TypedBatch* batch, std::string* where) override {
    if (!started_) DLT_RETURN_IF_ERROR(Start());
    batch->Reset(typed_);
    ++batches_;
    *where = name_ + " batch " + std::to_string(batches_);
    size_t rows = 0;
    while (!done_ && rows < chunk_) {
      char* data = nullptr;
      int n = g_pq->get_copy_data(static_cast<PGconn*>(conn_->raw()), &data, 0);
      if (n == -1) {
        DLT_RETURN_IF_ERROR(Finish());
        break;
      }
      if (n == -2) return Unavailable("reading " + name_ + " from " + conn_->target() + ": " + conn_->LastError());
      if (buf_) g_pq->freemem(buf_);
      buf_ = data;
      DLT_ASSIGN_OR_RETURN(bool row, Decode(data, static_cast<size_t>(n), batch));
      if (row) ++rows;
    }
    if (rows == 0 && done_) return false;
    return true;
  }

 private:
  Status Start() {
    started_ = true;
    PGconn* c = static_cast<PGconn*>(conn_->raw());
    PGresult* r = g_pq->exec(c, sql_.c_str());
    ExecStatusType st = g_pq->result_status(r);
    std::string err = st == PGRES_COPY_OUT ? "" : conn_->LastError();
    g_pq->clear(r);
    if (st != PGRES_COPY_OUT) return FailedPrecondition("cannot read " + name_ + " from " + conn_->target() + ": " + err);
    return Status::Ok();
  }
  Status Finish() {
    done_ = true;
    PGconn* c = static_cast<PGconn*>(conn_->raw());
    std::string err;
    while (PGresult* r = g_pq->get_result(c)) {
      if (g_pq->result_status(r) != PGRES_COMMAND_OK && err.empty()) err = conn_->LastError();
      g_pq->clear(r);
    }
    if (!err.empty()) return Unavailable("reading " + name_ + " from " + conn_->target() + ": " + err);
    return Status::Ok();
  }
  Status Broken(const std::string& what) const {
    return DataLoss("reading " + name_ + ": the server's binary COPY data is malformed (" + what + ")");
  }

  // One CopyData message: the server sends one per row (the header comes with the first, the
  // trailer alone). Returns whether it held a row.
  StatusOr<bool> Decode(const char* p, size_t n, TypedBatch* batch) {
    if (!header_seen_) {
      if (n < 19 || std::memcmp(p, kSignature, 11) != 0) return Broken("no header");
      size_t ext = Be32(p + 15);
      if (n < 19 + ext) return Broken("short header");
      p += 19 + ext;
      n -= 19 + ext;
      header_seen_ = true;
      if (n == 0) return false;
    }
    if (n < 2) return Broken("short row");
    int16_t fields = static_cast<int16_t>(Be16(p));
    if (fields == -1) return false;  // the trailer
    if (static_cast<size_t>(fields) != columns_.size()) return Broken("unexpected field count");
    p += 2;
    n -= 2;
    for (size_t i = 0; i < columns_.size(); ++i) {
      if (n < 4) return Broken("short field");
      int32_t len = static_cast<int32_t>(Be32(p));
      p += 4;
      n -= 4;
      if (len < 0) {
        batch->AppendNull(i);
        continue;
      }
      if (static_cast<size_t>(len) > n) return Broken("field past the row");
      DLT_RETURN_IF_ERROR(Value(i, p, static_cast<size_t>(len), batch));
      p += len;
      n -= len;
    }
    return true;
  }

  Status Value(size_t i, const char* p, size_t len, TypedBatch* batch) {
    const PgScanColumn& col = columns_[i];
    switch (col.wire) {
      case PgWire::kInteger:
        if (len == 8) batch->AppendInt(i, static_cast<int64_t>(Be64(p)));
        else if (len == 4) batch->AppendInt(i, static_cast<int32_t>(Be32(p)));
        else if (len == 2) batch->AppendInt(i, static_cast<int16_t>(Be16(p)));
        else return Broken("integer of " + std::to_string(len) + " bytes in " + col.column.name);
        return Status::Ok();
      case PgWire::kFloat:
        if (len == 8) {
          uint64_t bits = Be64(p);
          double d;
          std::memcpy(&d, &bits, 8);
          batch->AppendDouble(i, d);
        } else if (len == 4) {
          uint32_t bits = Be32(p);
          float f;
          std::memcpy(&f, &bits, 4);
          batch->AppendDouble(i, static_cast<double>(f));
        } else {
          return Broken("float of " + std::to_string(len) + " bytes in " + col.column.name);
        }
        return Status::Ok();
      case PgWire::kBool:
        batch->AppendBool(i, len > 0 && p[0] != 0);
        return Status::Ok();
      case PgWire::kNumeric: {
        auto s = DecodePgNumeric(p, len);
        if (!s.ok()) return s.status().WithContext("column `" + col.column.name + "` of " + name_);
        batch->AppendText(i, std::move(s).value());
        return Status::Ok();
      }
      case PgWire::kDate: {
        if (len != 4) return Broken("date size");
        int32_t d = static_cast<int32_t>(Be32(p));
        if (d == INT32_MAX || d == INT32_MIN) return Infinite(col);
        batch->AppendInt(i, int64_t{d} + kPgEpochDays);
        return Status::Ok();
      }
      case PgWire::kTime:
        if (len != 8) return Broken("time size");
        batch->AppendInt(i, static_cast<int64_t>(Be64(p)));
        return Status::Ok();
      case PgWire::kTimestamp: {
        if (len != 8) return Broken("timestamp size");
        int64_t v = static_cast<int64_t>(Be64(p));
        if (v == INT64_MAX || v == INT64_MIN) return Infinite(col);
        batch->AppendInt(i, v + kPgEpochMicros);
        return Status::Ok();
      }
      case PgWire::kUuid: {
        if (len != 16) return Broken("uuid size");
        static const char kHex[] = "0123456789abcdef";
        char s[36];
        size_t at = 0;
        for (int b = 0; b < 16; ++b) {
          if (b == 4 || b == 6 || b == 8 || b == 10) s[at++] = '-';
          s[at++] = kHex[static_cast<uint8_t>(p[b]) >> 4];
          s[at++] = kHex[static_cast<uint8_t>(p[b]) & 15];
        }
        batch->AppendText(i, std::string_view(s, sizeof s));
        return Status::Ok();
      }
      case PgWire::kBytes:
        if (col.column.data_type == DataType::kBinary) batch->AppendText(i, BinaryCell(std::string_view(p, len)));
        else batch->AppendText(i, std::string_view(p, len));
        return Status::Ok();
    }
    return Status::Ok();
  }

  Status Infinite(const PgScanColumn& col) const {
    return InvalidArgument("column `" + col.column.name + "` of " + name_ +
                           " holds an infinite date or timestamp, which the destination cannot store; "
                           "exclude the rows or the column (excluded_columns)");
  }

  std::unique_ptr<PgConnection> conn_;
  std::string sql_;
  std::vector<PgScanColumn> columns_;
  std::vector<TypedColumn> typed_;
  size_t chunk_;
  std::string name_;
  bool started_ = false;
  bool done_ = false;
  bool header_seen_ = false;
  char* buf_ = nullptr;
  size_t batches_ = 0;
};

}  // namespace

StatusOr<std::string> DecodePgNumeric(const char* p, size_t n) {
  if (n < 8) return DataLoss("a numeric value of " + std::to_string(n) + " bytes");
  int ndigits = static_cast<int16_t>(Be16(p));
  int weight = static_cast<int16_t>(Be16(p + 2));
  uint16_t sign = Be16(p + 4);
  int dscale = static_cast<int16_t>(Be16(p + 6));
  if (sign == 0xC000 || sign == 0xD000 || sign == 0xF000) {
    return InvalidArgument("holds NaN or infinity, which a decimal column cannot store");
  }
  if (n < 8 + 2 * static_cast<size_t>(ndigits) || ndigits < 0 || dscale < 0) return DataLoss("a malformed numeric value");
  auto digit = [&](int k) -> int { return k >= 0 && k < ndigits ? Be16(p + 8 + 2 * k) : 0; };
  std::string out;
  out.reserve(static_cast<size_t>(std::max(weight + 1, 1)) * 4 + static_cast<size_t>(dscale) + 2);
  if (sign == 0x4000) out.push_back('-');
  // The integer part: base-10000 digits 0..weight, the first without leading zeros.
  if (weight < 0) {
    out.push_back('0');
  } else {
    for (int k = 0; k <= weight; ++k) {
      char tmp[4];
      Digits4(digit(k), tmp);
      size_t skip = 0;
      while (k == 0 && skip < 3 && tmp[skip] == '0') ++skip;  // the first group without leading zeros
      out.append(tmp + skip, 4 - skip);
    }
  }
  // The fraction: exactly dscale decimal digits, as the server prints it.
  if (dscale > 0) {
    out.push_back('.');
    for (int k = weight + 1, left = dscale; left > 0; ++k, left -= 4) {
      char tmp[4];
      Digits4(digit(k), tmp);
      out.append(tmp, static_cast<size_t>(std::min(left, 4)));
    }
  }
  if (sign == 0x4000 && out.find_first_not_of("-0.") == std::string::npos) {
    out.erase(0, 1);  // the server never prints a negative zero
  }
  return out;
}

std::unique_ptr<BatchSource> MakePgCopySource(std::unique_ptr<PgConnection> connection, std::string copy_sql,
                                              std::vector<PgScanColumn> columns, size_t chunk_size,
                                              std::string name) {
  return std::make_unique<PgCopySource>(std::move(connection), std::move(copy_sql), std::move(columns), chunk_size,
                                        std::move(name));
}

}  // namespace dlt::sql_source
