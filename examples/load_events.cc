// Example: a pipeline from C++ code. Loads rows produced by the program into the destination
// `warehouse` of the active profile (in dev: _local/dev/warehouse.duckdb).
//
//   cd my_workspace && /path/to/load_events [N]
#include <cstdio>
#include <cstdlib>
#include <string>

#include "dlt/pipeline.h"
#include "dlt/workspace.h"

int main(int argc, char** argv) {
  int n = argc > 1 ? std::atoi(argv[1]) : 100;

  auto ws = dlt::Workspace::Open({});
  if (!ws.ok()) {
    std::fprintf(stderr, "ERROR: %s\n", ws.status().message().c_str());
    return 1;
  }
  if (auto s = ws->LoadConfig(); !s.ok()) {
    std::fprintf(stderr, "ERROR: %s\n", s.message().c_str());
    return 1;
  }

  dlt::PipelineOptions options;
  options.pipeline_name = "api_events";
  options.destination = "warehouse";
  options.dataset_name = "api_events_data";
  auto pipeline = dlt::Pipeline::Create(*ws, options);
  if (!pipeline.ok()) {
    std::fprintf(stderr, "ERROR: %s\n", pipeline.status().message().c_str());
    return 1;
  }

  // Rows come from user code: here a generator that builds JSON documents.
  dlt::ResourceOptions events;
  events.name = "events";
  events.write_disposition = "merge";
  events.primary_key = {"id"};
  int i = 0;
  auto resource = dlt::Resource::FromCallback(events, [&](std::string& json) {
    if (i >= n) return false;
    json = "{\"id\": " + std::to_string(i) + ", \"kind\": \"" + (i % 2 ? "push" : "pull") +
           "\", \"tags\": [\"a\", \"b\"], \"actor\": {\"login\": \"user" + std::to_string(i % 7) + "\"}}";
    ++i;
    return true;
  });

  auto info = pipeline->Run({resource});
  if (!info.ok()) {
    std::fprintf(stderr, "ERROR: %s\n", info.status().message().c_str());
    return 1;
  }
  std::fputs(info->Summary().c_str(), stdout);
  return 0;
}
