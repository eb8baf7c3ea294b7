// A test suite sharing one real PostgreSQL server (tests/pg_server.h) between its tests, with
// queries as the superuser and databases made per test or case.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "pg_server.h"

namespace dlt::testing {

class PostgresSuite : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new PostgresServer(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(server_->ok()) << server_->error(); }

  // One value (or rows, one per line) of a query in database `db`; "<error: ...>" and a test
  // failure when it fails.
  static std::string Value(const std::string& db, const std::string& sql) {
    std::string out;
    if (!server_->PsqlQuery(sql, db, &out)) {
      ADD_FAILURE() << "psql on " << db << " failed: " << sql << ": " << out;
      return "<error: " + out + ">";
    }
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    return out;
  }
  // A database owned by the loader role, optionally a copy of `template_db`.
  static void CreateDatabase(const std::string& name, const std::string& template_db = "") {
    std::string out;
    std::string sql = "CREATE DATABASE " + name + " OWNER " + PostgresServer::kUser;
    if (!template_db.empty()) sql += " TEMPLATE " + template_db;
    ASSERT_TRUE(server_->PsqlQuery(sql, "postgres", &out)) << out;
  }

  static inline PostgresServer* server_ = nullptr;
};

}  // namespace dlt::testing
