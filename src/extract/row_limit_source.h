// At most N rows of a source, as dlt's add_limit gives at most N items of a resource: a
// RecordSource that passes on the records (or typed batches, the last one cut) of another until
// N rows have passed, then ends. Used where the rows never pass through Python (the engine's file
// readers, python/src/py_filesystem.cc). Whole files are not offered (RecordSource::whole_files):
// the extract reads the rows it keeps.
#pragma once

#include <cstdint>
#include <memory>

#include "extract/extractor.h"

namespace dlt {

std::unique_ptr<RecordSource> LimitRows(std::unique_ptr<RecordSource> source, uint64_t max_rows);

}  // namespace dlt
