// The fixture of the dashboard's query tests (dashboard_query*_test.cc): a workspace with a DuckDB
// pipeline `shop` and a PostgreSQL pipeline `pgshop` over the same five orders, a real PostgreSQL
// server, and `dlt workspace show` serving them. A canary secret sits in the secrets and in the
// data (order 1's note); Query() and Get() fail the test when an answer holds it.
#pragma once

#include <regex>
#include <set>

#include <httplib.h>

#include "background_process.h"
#include "pg_server.h"
#include "pipeline_fixture.h"

namespace dlt::testing {

inline const std::string kCanary = "CANARY-query-5d1e0b7a";

// Each suite that uses it gets its own servers: `Tag` keeps the static members apart.
template <typename Tag>
class DashboardQueryBase : public ::testing::Test {
 protected:
  using Json = nlohmann::json;

  static void SetUpTestSuite() {
    pg_ = new PostgresServer();
    ASSERT_TRUE(pg_->ok()) << pg_->error();
    w_ = new PipelineWorkspace();
    PipelineWorkspace& w = *w_;
    w.Write(".dlt/dev.secrets.toml", "[destination.warehouse]\ndestination_type = \"duckdb\"\n\n"
                                     "[destination.pgwh]\ndestination_type = \"postgres\"\ncredentials = \"" +
                                         pg_->Url() + "\"\n\n[sources.orders]\napi_key = \"" + kCanary + "\"\n");
    std::string rows;
    for (int id = 1; id <= 5; ++id) {
      rows += "{\"id\": " + std::to_string(id) + ", \"customer\": \"c" + std::to_string(id) + "\", \"paid\": " +
              (id % 2 ? "true" : "false") + ", \"note\": \"" + (id == 1 ? kCanary : std::string("plain")) + "\"}\n";
    }
    w.Write("orders.jsonl", rows);
    w.Write("shop.toml", PipelineFile("shop", "orders.jsonl"));
    w.Write("pgshop.toml", PipelineFile("pgshop", "orders.jsonl", "", "pgwh"));
    // A local file whose content must never come back (read_text, read_csv, pg_read_file).
    w.Write("private.txt", "id\n" + kCanary + "-file\n");
    RunResult duck = w.RunPipeline({"shop.toml"});
    ASSERT_EQ(duck.exit_code, 0) << duck.err;
    RunResult pg = w.RunPipeline({"pgshop.toml"});
    ASSERT_EQ(pg.exit_code, 0) << pg.err;
    server_ = new BackgroundProcess({DLT_BINARY, "workspace", "show", "--port", "0", "--no-browser"}, w.root(), w.env());
    auto url = server_->WaitFor(std::regex("http://127\\.0\\.0\\.1:([0-9]+)/\\?token=([0-9a-f]{32})#"), 10000);
    ASSERT_EQ(url.size(), 3u) << "no URL printed: " << server_->output();
    port_ = std::stoi(url[1]);
    token_ = url[2];
  }
  static void TearDownTestSuite() {
    delete server_;
    delete w_;
    delete pg_;
  }

  struct Answer {
    int status = 0;
    Json doc;
    std::string body;
  };
  // The query endpoint of `pipeline`; every answer is checked for the canary.
  static Answer Query(const std::string& pipeline, const std::string& sql, const std::string& limit = "") {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(60, 0);
    httplib::Params params{{"sql", sql}};
    if (!limit.empty()) params.emplace("limit", limit);
    auto r = c.Get("/api/profiles/dev/pipelines/" + pipeline + "/query", params,
                   {{"Authorization", "Bearer " + token_}});
    if (!r) {
      ADD_FAILURE() << "no response for " << sql;
      return {};
    }
    EXPECT_EQ(r->body.find("CANARY"), std::string::npos) << sql << " leaked a secret: " << r->body;
    return {r->status, Json::parse(r->body, nullptr, false), r->body};
  }
  static Answer Get(const std::string& path) {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(60, 0);
    auto r = c.Get(path, {{"Authorization", "Bearer " + token_}});
    if (!r) {
      ADD_FAILURE() << "no response for " << path;
      return {};
    }
    EXPECT_EQ(r->body.find("CANARY"), std::string::npos) << path << " leaked a secret: " << r->body;
    return {r->status, Json::parse(r->body, nullptr, false), r->body};
  }
  // The refusal of `sql`: a 4xx with the database's reason.
  static void ExpectRefused(const std::string& pipeline, const std::string& sql, const std::string& reason) {
    Answer a = Query(pipeline, sql);
    EXPECT_GE(a.status, 400) << sql << ": " << a.body;
    EXPECT_LT(a.status, 500) << sql << ": " << a.body;
    ASSERT_TRUE(a.doc.is_object() && a.doc["error"].is_string()) << a.body;
    EXPECT_TRUE(std::regex_search(a.doc["error"].template get<std::string>(), std::regex(reason, std::regex::icase)))
        << sql << " was refused, but not for the database's reason `" << reason << "`: " << a.body;
  }
  static std::string PgCount() { return pg_->Psql("SELECT count(*) FROM pgshop_data.orders", "dw"); }

  static inline PostgresServer* pg_ = nullptr;
  static inline PipelineWorkspace* w_ = nullptr;
  static inline BackgroundProcess* server_ = nullptr;
  static inline int port_ = 0;
  static inline std::string token_;
};

}  // namespace dlt::testing
