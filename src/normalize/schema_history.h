// The versions dlt 1.26 gives a new schema before its first normalize, so that a first load
// stores the same `previous_hashes` as dlt.
//
// dlt's extract step versions a new schema twice: once as the resources' tables are added from
// their hints (system tables `_dlt_version` and `_dlt_loads` plus, per resource, its root table
// with only the columns its hints name), and once when the pipeline state adds
// `_dlt_pipeline_state` (seven columns: no `_dlt_id` yet, no `x-normalizer`). The first is
// recorded without a version of its own; the second is saved as version 1; normalize then makes
// version 2 with previous_hashes [second, first]. This engine versions a schema once, after
// normalize: these functions recompute the two extract-time hashes from the normalized schema
// (its settings and normalizer config, which merge propagation already changed at extract) and
// the resources' hints.
#pragma once

#include <string>
#include <vector>

#include "normalize/naming.h"
#include "normalize/relational.h"
#include "normalize/schema.h"

namespace dlt {

struct ExtractStepHashes {
  std::string tables_added;  // resources' tables from hints (dlt keeps it in previous_hashes only)
  std::string state_added;   // plus `_dlt_pipeline_state`: version 1
};

ExtractStepHashes ComputeExtractStepHashes(const Schema& normalized, const std::vector<const TableHints*>& hints,
                                           const SnakeCaseNaming& naming);

// True for a schema that no run has versioned yet (as `Schema(name)` makes it).
bool IsNewSchema(const Schema& schema);

}  // namespace dlt
