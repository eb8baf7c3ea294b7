// Pages of an engine source's rows as one JSON array text (dlt's typed JSON; the rows of typed
// batches converted as dlt's dicts of them are), for the Python side to decode: what
// py_steps_source (rows through Python steps) and py_engine_rows (rows read in Python) take
// from the engine. Runs without the GIL.
#pragma once

#include <cmath>
#include <string>
#include <string_view>

#include "common/text.h"
#include "extract/extractor.h"
#include "normalize/typed_batch.h"

namespace dlt::python {

// Row `r` of `batch` as dlt's typed JSON of the dict Python gets for it, as dlt's sqlalchemy
// backend yields it (AppendBatchRowJson's form, with two differences): a timestamp of a column
// without time zone (`timezone: false`, SQL's TIMESTAMP WITHOUT TIME ZONE) is a naive datetime,
// its wall clock without an offset, and a double is always a float (3.0, never 3). A row a step
// returns so keeps its column a naive TIMESTAMP of doubles at the destination.
inline void AppendPythonRowJson(const TypedBatch& batch, size_t r, std::string& json, std::string& cell) {
  // dlt's typed-JSON markers (common/typed_json.h) keep the types JSON has no form for.
  static constexpr const char* kDecimal = "\xEF\x80\xA6";
  static constexpr const char* kDateTime = "\xEF\x80\xA7";
  static constexpr const char* kDate = "\xEF\x80\xA8";
  static constexpr const char* kHexBytes = "\xEF\x80\xAA";
  static constexpr const char* kTime = "\xEF\x80\xAD";
  static constexpr std::string_view kUtc = "+00:00";
  const auto& cols = batch.columns();
  json += '{';
  bool first = true;
  for (size_t c = 0; c < cols.size(); ++c) {
    if (batch.IsNull(c, r)) continue;  // as a dict without the key: no column for all-NULL data
    if (!first) json += ',';
    first = false;
    text::AppendJsonString(json, cols[c].name);
    json += ':';
    batch.CellText(c, r, &cell);
    switch (cols[c].data_type) {
      case DataType::kBigint:
      case DataType::kBool:
      case DataType::kJson: json += cell; break;
      case DataType::kDouble:
        if (!std::isfinite(batch.vector(c).doubles[r])) {
          json += "null";
          break;
        }
        json += cell;
        if (cell.find_first_of(".eEn") == std::string::npos) json += ".0";
        break;
      case DataType::kDecimal: text::AppendJsonString(json, kDecimal + cell); break;
      case DataType::kTimestamp:
        if (!cols[c].timezone && cell.size() > kUtc.size() &&
            std::string_view(cell).substr(cell.size() - kUtc.size()) == kUtc) {
          cell.resize(cell.size() - kUtc.size());
        }
        text::AppendJsonString(json, kDateTime + cell);
        break;
      case DataType::kDate: text::AppendJsonString(json, kDate + cell); break;
      case DataType::kTime: text::AppendJsonString(json, kTime + cell); break;
      case DataType::kBinary:
        // `\x` and hex digits (BinaryCell): dlt's hex-bytes form is the digits alone.
        text::AppendJsonString(json, kHexBytes + cell.substr(cell.size() >= 2 ? 2 : 0));
        break;
      default: text::AppendJsonString(json, cell);
    }
  }
  json += '}';
}

class EnginePages {
 public:
  static constexpr size_t kPageRows = 1000;

  // Appends up to kPageRows rows of `source` to `page` ("[" written by the caller, "]" too),
  // counting them in `rows`; `first_where` gets where the first one came from. No rows: the end.
  Status Fill(RecordSource& source, std::string& page, size_t& rows, std::string* first_where) {
    auto add = [&](std::string_view row) {
      if (rows++) page += ',';
      page.append(row);
    };
    if (done_) return Status::Ok();
    std::string where;
    while (rows < kPageRows) {
      if (source.kind() == SourceKind::kTyped) {
        if (batch_row_ >= batch_.rows()) {
          DLT_ASSIGN_OR_RETURN(bool more, source.NextBatch(&batch_, &where));
          batch_row_ = 0;
          if (!more) break;
          if (first_where && first_where->empty()) *first_where = where;
          continue;
        }
        row_.clear();
        AppendPythonRowJson(batch_, batch_row_++, row_, cell_);
        add(row_);
        continue;
      }
      std::string_view doc;
      DLT_ASSIGN_OR_RETURN(bool more, source.Next(&doc, &where));
      if (!more) break;
      if (first_where && first_where->empty()) *first_where = where;
      add(doc);
    }
    done_ = rows < kPageRows;
    return Status::Ok();
  }
  bool done() const { return done_; }

 private:
  TypedBatch batch_;
  size_t batch_row_ = 0;
  std::string row_, cell_;
  bool done_ = false;
};

}  // namespace dlt::python
