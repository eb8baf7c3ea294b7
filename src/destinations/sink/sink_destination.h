// dlt's custom destination (`@dlt.destination`, destination type "destination"): every job file
// of a load package is handed, as a file of its rows, to a function of the process that runs the
// pipeline (the Python package sets it: python/src/py_sink.cc). The engine keeps the package
// bookkeeping: a job whose function call succeeded is recorded in the package (`sink/completed`)
// and never handed over again; a failure leaves the package pending, and the next run goes on
// from the job that failed (the function keeps its own progress inside a job: the batches it
// already took). The destination has nothing to read back: no stored state, schema or rows.
#pragma once

#include <filesystem>
#include <functional>
#include <string>

#include "dlt/destination.h"
#include "dlt/status.h"

namespace dlt {

// The settings of a custom destination (what the engine needs of them).
struct SinkConfig : DestinationCredentials {
  std::string format = "jsonl";  // the rows' file: "jsonl" (typed-jsonl) or "parquet"
  std::string Redacted() const override { return ""; }
};

// One job handed to the function.
struct SinkJob {
  std::string destination_name;
  std::string load_id;
  std::string table;        // the table's name in the schema
  std::string schema_json;  // the package's schema (dlt's JSON form): the table's columns and hints
  std::filesystem::path items;  // the job's rows: JSON lines (typed columns as DuckDB writes them) or Parquet
  std::string format;           // "jsonl" or "parquet"
  std::string storage_id;       // "<table>.<file id>": the job's key in the function's progress
  std::filesystem::path package_dir;  // the load package (the function keeps its progress there)
};

// What a function's failure means: kRetry leaves the package pending (the next run retries the
// job); kTerminal gives up the job (dlt's DestinationTerminalException): the rest of the package is
// loaded and the package completes without that job.
enum class SinkFailure { kRetry, kTerminal };
struct SinkResult {
  Status status;
  SinkFailure failure = SinkFailure::kRetry;
};

using SinkCallback = std::function<SinkResult(const SinkJob&)>;

// Sets the function of this process (nullptr removes it). Without one, loading into a custom
// destination fails with dlt's message (a process other than the one that ran the pipeline, such
// as the CLI, cannot call it).
void SetSinkCallback(SinkCallback callback);

}  // namespace dlt
