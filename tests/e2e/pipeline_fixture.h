// Helpers for end-to-end tests of `dlt run` / `dlt pipeline`: a workspace whose dev profile has a
// duckdb destination `warehouse`, pipeline files and input data. SQL on the DuckDB file the runs
// wrote is support/duckdb_query.h.
#pragma once

#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/duckdb_query.h"
#include "support/temp_workspace.h"

namespace dlt::testing {

// gzip-compresses `data` (a .gz file's content).
inline std::string Gzip(const std::string& data) {
  z_stream z{};
  if (deflateInit2(&z, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return {};
  std::string out(compressBound(static_cast<uLong>(data.size())) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return rc == Z_STREAM_END ? out : std::string();
}

// Order records with ids [from, to]: every order has `items_per_order` nested items, a nested
// object (flattened into address__city) and a list of scalar tags (two each).
inline std::string Orders(int from, int to, int items_per_order = 2, const std::string& customer_prefix = "c") {
  std::string out;
  for (int id = from; id <= to; ++id) {
    std::string items;
    for (int i = 0; i < items_per_order; ++i) {
      if (i) items += ", ";
      items += "{\"sku\": \"sku-" + std::to_string(id) + "-" + std::to_string(i) + "\", \"qty\": " +
               std::to_string(i + 1) + "}";
    }
    out += "{\"id\": " + std::to_string(id) + ", \"customer\": \"" + customer_prefix + std::to_string(id) +
           "\", \"items\": [" + items + "], \"address\": {\"city\": \"city" + std::to_string(id % 3) +
           "\"}, \"tags\": [\"t" + std::to_string(id) + "\", \"all\"]}\n";
  }
  return out;
}

// The text of a pipeline file with one resource `orders`; `resource_extra` are more TOML lines of
// the resource (write_disposition, primary_key, ...).
inline std::string PipelineFile(const std::string& name, const std::string& path, const std::string& resource_extra = "",
                                const std::string& destination = "warehouse") {
  return "[pipeline]\n"
         "name = \"" + name + "\"\n"
         "destination = \"" + destination + "\"\n"
         "dataset_name = \"" + name + "_data\"\n"
         "\n"
         "[[resources]]\n"
         "name = \"orders\"\n"
         "path = \"" + path + "\"\n" + resource_extra;
}

// A workspace whose profile `dev` has `[destination.warehouse] destination_type = "duckdb"`.
class PipelineWorkspace : public TempWorkspace {
 public:
  PipelineWorkspace() { WriteSecrets("[destination.warehouse]\ndestination_type = \"duckdb\"\n", "dev"); }

  std::filesystem::path Db(const std::string& profile = "dev") const {
    return root() / "_local" / profile / "warehouse.duckdb";
  }
  std::filesystem::path PipelineDir(const std::string& name, const std::string& profile = "dev") const {
    return root() / ".dlt" / ".var" / profile / "pipelines" / name;
  }
  nlohmann::json State(const std::string& name, const std::string& profile = "dev") const {
    std::string text = ReadFile(PipelineDir(name, profile) / "state.json");
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded()) ADD_FAILURE() << "state.json of " << name << " is not JSON: " << text;
    return j;
  }
  // Package folders of a stage: "normalize/extracted", "load/normalized", "load/loaded", "load/new".
  std::vector<std::string> Packages(const std::string& name, const std::string& stage,
                                    const std::string& profile = "dev") const {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(PipelineDir(name, profile) / stage, ec)) {
      out.push_back(e.path().filename().string());
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  // `dlt run <args> --quiet` with extra environment variables for this run only.
  RunResult RunPipeline(std::vector<std::string> args, const std::map<std::string, std::string>& extra_env = {},
                        const std::string& input = "") {
    std::vector<std::string> argv{DLT_BINARY, "run"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back("--quiet");
    std::map<std::string, std::string> env = this->env();
    for (const auto& [k, v] : extra_env) env[k] = v;
    return Run(argv, root(), env, input);
  }
};

// An incremental pipeline `shop` (cursor `id`) that has loaded orders 1..5, with orders 1..8
// waiting in its input: the starting point of the tests that damage its files between runs.
class ShopPipelineWithNewRows : public ::testing::Test {
 protected:
  void SetUp() override {
    w_.Write("shop.toml", PipelineFile("shop", "orders.jsonl", "incremental = { cursor_path = \"id\", initial_value = 0 }\n"));
    w_.Write("orders.jsonl", Orders(1, 5));
    auto first = w_.RunPipeline({"shop.toml"});
    ASSERT_EQ(first.exit_code, 0) << first.err;
    w_.Write("orders.jsonl", Orders(1, 8));
  }
  PipelineWorkspace w_;
};

}  // namespace dlt::testing
