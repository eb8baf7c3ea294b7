// Normalizing while extracting (pipeline/pre_normalize.h): the part files pushed are normalized
// on a thread of its own; Take gives the part, its job files moved into the package, only when
// it stands for the package's first files and was made from the same schema and hints.
// (Under ASan/UBSan with the unit tests: the thread, the queue and the moves.)
#include "pipeline/pre_normalize.h"

#include <gtest/gtest.h>

#include <fstream>

#include "pipeline/package_manifest.h"
#include "support/temp_workspace.h"

namespace dlt {
namespace {

namespace fs = std::filesystem;

struct PreFixture {
  testing::TempDir dir;
  Schema schema{"shop"};
  SnakeCaseNaming naming;
  nlohmann::ordered_json resources;
  std::vector<PackageJob> jobs;

  PreFixture() {
    ResourceOptions o;
    o.name = "orders";
    resources["orders"] = HintsToJson(o);
    fs::create_directories(dir.path() / "extract");
    fs::create_directories(dir.path() / "package");
    for (int f = 0; f < 3; ++f) {
      PackageJob j;
      j.file_name = "orders.001_0000" + std::to_string(f) + ".0.jsonl";
      j.path = dir.path() / "extract" / j.file_name;
      j.table = "orders";
      std::ofstream out(j.path);
      for (int i = 0; i < 100; ++i) {
        int id = f * 100 + i;
        out << "{\"id\": " << id << ", \"items\": [{\"sku\": \"s" << id << "\"}]"
            << (f == 2 ? ", \"late\": true" : "") << "}\n";
      }
      jobs.push_back(j);
    }
  }

  std::unique_ptr<PreNormalizer> Start() {
    PreNormalizer::Setup s;
    s.load_id = "1700000000.1";
    s.schema = &schema;
    s.resources = resources;
    s.naming = &naming;
    s.dir = dir.path() / "pre";
    auto p = PreNormalizer::Start(std::move(s));
    EXPECT_TRUE(p.ok()) << p.status().message();
    return p.ok() ? std::move(p).value() : nullptr;
  }
};

TEST(PreNormalize, ThePartOfTheFilesPushedIsTakenIntoThePackage) {
  PreFixture f;
  auto pre = f.Start();
  ASSERT_TRUE(pre);
  pre->Push(f.jobs[0]);
  pre->Push(f.jobs[1]);
  // Take stops the thread after what it has in hand: wait until both were taken up.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto taken = pre->Take(f.schema, f.resources, f.jobs, f.dir.path() / "package");
  ASSERT_TRUE(taken.has_value());
  EXPECT_EQ(taken->files, 2u);
  EXPECT_EQ(taken->part->normalizer->row_counts().at("orders"), 200u);
  EXPECT_EQ(taken->part->normalizer->row_counts().at("orders__items"), 200u);
  ASSERT_FALSE(taken->part->files.empty());
  for (const auto& file : taken->part->files) {
    EXPECT_EQ(file.path.parent_path(), f.dir.path() / "package") << file.path;
    EXPECT_TRUE(fs::exists(file.path)) << file.path;
  }
  EXPECT_EQ(taken->part->schema.FindTable("orders")->FindColumn("late"), nullptr) << "file 3 was never pushed";
  pre.reset();
  EXPECT_FALSE(fs::exists(f.dir.path() / "pre")) << "its folder goes with it";
  EXPECT_TRUE(fs::exists(taken->part->files.front().path)) << "what was taken stays";
}

TEST(PreNormalize, APartMadeFromOtherHintsOtherFilesOrAnotherSchemaIsDropped) {
  {
    PreFixture f;
    auto pre = f.Start();
    pre->Push(f.jobs[0]);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    auto changed = f.resources;
    changed["orders"]["write_disposition"] = "replace";  // dlt.mark.with_hints during the extract
    EXPECT_FALSE(pre->Take(f.schema, changed, f.jobs, f.dir.path() / "package").has_value());
    EXPECT_TRUE(fs::is_empty(f.dir.path() / "package")) << "nothing of a dropped part reaches the package";
  }
  {
    PreFixture f;
    auto pre = f.Start();
    pre->Push(f.jobs[1]);  // not the package's first file
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    EXPECT_FALSE(pre->Take(f.schema, f.resources, f.jobs, f.dir.path() / "package").has_value());
  }
  {
    PreFixture f;
    auto pre = f.Start();
    pre->Push(f.jobs[0]);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    Schema other("another");
    EXPECT_FALSE(pre->Take(other, f.resources, f.jobs, f.dir.path() / "package").has_value());
  }
  {
    PreFixture f;
    auto pre = f.Start();  // stopped before any file: nothing to take
    EXPECT_FALSE(pre->Take(f.schema, f.resources, f.jobs, f.dir.path() / "package").has_value());
  }
}

TEST(PreNormalize, ABrokenRecordDropsThePartAndTheStepReportsIt) {
  PreFixture f;
  { std::ofstream(f.jobs[0].path, std::ios::app) << "{\"id\": \n"; }
  auto pre = f.Start();
  pre->Push(f.jobs[0]);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_FALSE(pre->Take(f.schema, f.resources, f.jobs, f.dir.path() / "package").has_value());
}

}  // namespace
}  // namespace dlt
