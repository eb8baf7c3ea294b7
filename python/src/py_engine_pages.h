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
        AppendBatchRowJson(batch_, batch_row_++, row_, cell_, /*as_python=*/true);
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
