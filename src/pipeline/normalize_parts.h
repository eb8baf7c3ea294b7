// How a big extracted package is normalized by several workers at once, and how their results
// become the one of a single pass. The package's job files are cut into contiguous parts of about
// equal size (one per worker); every part starts from the same schema; in record order each part
// whose column types agree with everything before it is merged (its new tables and columns
// appended), and one that disagrees (a type change) is normalized again from the merged schema.
// So the stored schema, the columns' order and the rows are the same as one pass gives, with any
// number of workers.
#pragma once

#include <cstdint>
#include <vector>

#include "normalize/schema.h"

namespace dlt {

// The least bytes of job files a part gets (24 MB; DLT_NORMALIZE_PART_BYTES in tests): below it
// a thread costs more than it saves.
uint64_t NormalizePartBytes();

// Where the parts start: cut points (indexes into `job_bytes`, ascending, first 0) for at most
// `workers` parts, and at most total / NormalizePartBytes(), each cut between the files where the
// sizes come closest to equal shares; every part gets at least one file.
std::vector<size_t> CutParts(const std::vector<uint64_t>& job_bytes, size_t workers);

// True when every column present in both schemas has the same type and flags.
bool SchemasAgree(const Schema& a, const Schema& b);
// Appends the tables and columns of `b` that `a` lacks, in `b`'s order.
void MergeSchemaInto(Schema& a, const Schema& b);

}  // namespace dlt
