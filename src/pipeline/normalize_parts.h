// How a big extracted package is normalized by several workers at once, and how their results
// become the one of a single pass. The package's job files are cut into contiguous parts of about
// equal size (one per worker); every part starts from the same schema; in record order each part
// whose column types agree with everything before it is merged (its new tables and columns
// appended), and one that disagrees (a type change) is normalized again from the merged schema.
// So the stored schema, the columns' order and the rows are the same as one pass gives, with any
// number of workers.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "load/package.h"
#include "normalize/job_writer.h"
#include "normalize/relational.h"
#include "normalize/schema.h"
#include "normalize/typed_normalizer.h"

namespace dlt {

// The least bytes of job files a part gets (24 MB; DLT_NORMALIZE_PART_BYTES in tests): below it
// a thread costs more than it saves.
uint64_t NormalizePartBytes();

// Where the parts start: cut points (indexes into `job_bytes`, ascending, first 0) for at most
// `workers` parts, and at most total / NormalizePartBytes(), each cut between the files where the
// sizes come closest to equal shares; every part gets at least one file.
std::vector<size_t> CutParts(const std::vector<uint64_t>& job_bytes, size_t workers);

// One part's work: its own copy of the schema the package starts from, its writers and its rows.
struct NormalizePart {
  Schema schema;
  std::unique_ptr<JobWriterSet> writers;
  std::unique_ptr<Normalizer> normalizer;
  std::unique_ptr<TypedNormalizer> typed;
  std::vector<JobFileInfo> files;
  uint64_t records = 0;
  bool streams = false;  // its files are loaded while normalizing
  bool first = false;    // the first part: its files are final when written
};

// The records of one extracted JSON Lines job into `part` (its normalizer set up), with the
// resource's hints; `tick` after every 65536 records. Errors name the record's source location
// when extract recorded it, else the resource, record number and job file.
Status NormalizeJsonJob(NormalizePart& part, const PackageJob& job, const std::string& resource,
                        const TableHints& hints, const std::function<void()>& tick);

// True when every column present in both schemas has the same type and flags.
bool SchemasAgree(const Schema& a, const Schema& b);
// Appends the tables and columns of `b` that `a` lacks, in `b`'s order.
void MergeSchemaInto(Schema& a, const Schema& b);

}  // namespace dlt
