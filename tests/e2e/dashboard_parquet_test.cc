// The query tab's Parquet download (GET .../query?sql=...&format=parquet) from a DuckDB and a
// PostgreSQL dataset: the file DuckDB's read_parquet reads back has the rows of the query and
// their types, no secret, and refused statements stay refused.
#include "dashboard_query_fixture.h"

namespace dlt::testing {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

struct ParquetTag {};
using DashboardParquet = DashboardQueryBase<ParquetTag>;

// The Parquet download of `sql` over `pipeline`.
httplib::Result Download(int port, const std::string& token, const std::string& pipeline, const std::string& sql,
                         const std::string& format = "parquet") {
  httplib::Client c("127.0.0.1", port);
  c.set_read_timeout(60, 0);
  return c.Get("/api/profiles/dev/pipelines/" + pipeline + "/query", httplib::Params{{"sql", sql}, {"format", format}},
               {{"Authorization", "Bearer " + token}});
}

// The values joined by `|`, NULL as "NULL".
std::string Texts(const std::vector<std::optional<std::string>>& row) {
  std::string out;
  for (size_t i = 0; i < row.size(); ++i) out += (i ? "|" : "") + row[i].value_or("NULL");
  return out;
}

// Saves `bytes` and reads them back with DuckDB: the column types, then the rows as text.
struct ReadBack {
  std::vector<std::string> names, types;
  SqlRows rows;
};
ReadBack ReadParquet(const std::string& bytes) {
  TempDir dir;
  const fs::path file = dir.path() / "download.parquet";
  WriteFile(file, bytes);
  duckdb::QueryResult r = QueryDuckDbTyped(":memory:", "SELECT * FROM read_parquet('" + file.string() + "')", false);
  ReadBack out{r.column_names, r.column_types, {}};
  for (const auto& row : r.rows) {
    std::vector<std::optional<std::string>> values;
    for (const auto& v : row) values.push_back(v.is_null ? std::nullopt : std::optional<std::string>(v.text));
    out.rows.push_back(std::move(values));
  }
  return out;
}

TEST_F(DashboardParquet, TheDownloadHasTheQueryRowsWithTheirTypesForDuckDbAndPostgres) {
  for (const std::string pipeline : {"shop", "pgshop"}) {
    const std::string blob = pipeline == "shop" ? "unhex('00ff')" : "decode('00ff', 'hex')";
    const std::string sql =
        "SELECT id, customer, paid, CAST(id AS DOUBLE PRECISION) / 2 AS half, CAST(id AS DECIMAL(10, 2)) AS price, "
        "DATE '2024-01-02' + CAST(id AS INTEGER) AS day, "
        "TIMESTAMP WITH TIME ZONE '2024-01-02 03:04:05+00' AS at, " + blob + " AS raw, "
        "CASE WHEN id = 5 THEN NULL ELSE customer END AS maybe FROM orders ORDER BY id";
    httplib::Result r = Download(port_, token_, pipeline, sql);
    ASSERT_TRUE(r) << pipeline;
    ASSERT_EQ(r->status, 200) << pipeline << ": " << r->body;
    EXPECT_EQ(r->get_header_value("Content-Type"), "application/vnd.apache.parquet");
    EXPECT_EQ(r->get_header_value("Content-Disposition"), "attachment; filename=\"" + pipeline + "-query.parquet\"");
    EXPECT_EQ(r->body.substr(0, 4), "PAR1") << pipeline;
    ReadBack back = ReadParquet(r->body);
    EXPECT_EQ(back.names, (std::vector<std::string>{"id", "customer", "paid", "half", "price", "day", "at", "raw", "maybe"}));
    ASSERT_EQ(back.types.size(), 9u) << pipeline;
    EXPECT_EQ(back.types[0], "BIGINT") << pipeline;
    EXPECT_EQ(back.types[1], "VARCHAR") << pipeline;
    EXPECT_EQ(back.types[2], "BOOLEAN") << pipeline;
    EXPECT_EQ(back.types[3], "DOUBLE") << pipeline;
    EXPECT_TRUE(back.types[4].starts_with("DECIMAL(") && back.types[4].ends_with(",2)")) << back.types[4];
    EXPECT_EQ(back.types[5], "DATE") << pipeline;
    EXPECT_EQ(back.types[6], "TIMESTAMP WITH TIME ZONE") << pipeline;
    EXPECT_EQ(back.types[7], "BLOB") << pipeline;
    EXPECT_EQ(back.types[8], "VARCHAR") << pipeline;
    ASSERT_EQ(back.rows.size(), 5u) << pipeline;
    for (int id = 1; id <= 5; ++id) {
      const auto& row = back.rows[id - 1];
      const std::string c = "c" + std::to_string(id);
      EXPECT_EQ(Texts(row), Texts({std::to_string(id), c, id % 2 ? "true" : "false",
                                   id == 1 ? "0.5" : id == 2 ? "1.0" : id == 3 ? "1.5" : id == 4 ? "2.0" : "2.5",
                                   std::to_string(id) + ".00", "2024-01-0" + std::to_string(2 + id),
                                   "2024-01-02 03:04:05+00", "\\x00\\xFF",
                                   id == 5 ? std::nullopt : std::optional<std::string>(c)}))
          << pipeline << " row " << id;
    }
  }
}

TEST_F(DashboardParquet, NoSecretIsInTheFileAndRefusedStatementsStayRefused) {
  for (const std::string pipeline : {"shop", "pgshop"}) {
    // Order 1's note is the canary; so is a column name.
    httplib::Result r = Download(port_, token_, pipeline,
                                 "SELECT id, note, 'x' AS \"" + kCanary + "\" FROM orders WHERE id = 1");
    ASSERT_TRUE(r) << pipeline;
    ASSERT_EQ(r->status, 200) << r->body;
    EXPECT_EQ(r->body.find("CANARY"), std::string::npos) << pipeline;
    ReadBack back = ReadParquet(r->body);
    EXPECT_EQ(back.names, (std::vector<std::string>{"id", "note", "***"})) << pipeline;
    ASSERT_EQ(back.rows.size(), 1u);
    EXPECT_EQ(*back.rows[0][1], "***") << pipeline;

    // A write asked for as a download is refused by the database, as JSON.
    httplib::Result drop = Download(port_, token_, pipeline, "DROP TABLE orders");
    ASSERT_TRUE(drop);
    EXPECT_GE(drop->status, 400) << drop->body;
    EXPECT_LT(drop->status, 500) << drop->body;
    EXPECT_TRUE(Contains(drop->body, "read-only")) << drop->body;
    EXPECT_EQ(Query(pipeline, "SELECT count(*) FROM orders").doc["rows"], Json::parse(R"([["5"]])")) << pipeline;
  }
  httplib::Result copy = Download(port_, token_, "shop", "COPY orders TO '" + w_->root().string() + "/out.parquet'");
  ASSERT_TRUE(copy);
  EXPECT_GE(copy->status, 400) << copy->body;
  EXPECT_FALSE(fs::exists(w_->root() / "out.parquet"));
  httplib::Result other = Download(port_, token_, "shop", "SELECT 1", "xml");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 400);
  EXPECT_TRUE(Contains(other->body, "json or parquet")) << other->body;
}

}  // namespace
}  // namespace dlt::testing
