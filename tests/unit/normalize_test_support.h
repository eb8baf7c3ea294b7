// Normalizing records in a test without a pipeline: the records of one resource `t` through the
// relational normalizer into job files under a folder, the tables into `schema`.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "normalize/job_writer.h"
#include "normalize/naming.h"
#include "normalize/relational.h"
#include "normalize/schema.h"

namespace dlt::testing {

// The job files written (empty, with a test failure, when a record or the close fails).
inline std::vector<JobFileInfo> NormalizeRecords(const std::filesystem::path& dir, Schema& schema,
                                                 const std::vector<std::string>& records, int max_nesting) {
  SnakeCaseNaming naming(65536);
  JobWriterSet writers(dir);
  Normalizer n(&schema, &naming, "1700000000.1", &writers);
  TableHints h;
  h.table_name = "t";
  h.resource = "t";
  h.max_nesting = max_nesting;
  EXPECT_TRUE(n.Prepare(h).ok());
  for (const auto& r : records) {
    Status s = n.NormalizeRecord(r, h, "record");
    EXPECT_TRUE(s.ok()) << s.message();
  }
  auto files = writers.Close();
  EXPECT_TRUE(files.ok()) << files.status().message();
  return files.ok() ? *files : std::vector<JobFileInfo>{};
}

}  // namespace dlt::testing
