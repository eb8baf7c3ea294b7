// The bad-input corpus of `dlt run`: each input gets a clear error naming the file and line (or
// the record, key, layer or URL), a non-zero exit code, and nothing of that run is loaded: the
// destination, the local state and the pending packages are as before the run. (The malformed
// line cases are in pipeline_cli_test.cc, PipelineBadInput.*; profile names in profile_cli_test.)
//
// Decisions: a JSON object with a duplicate key, or two keys equal after normalization ("Id" and
// "id"), is an error naming the field and the column rather than dlt's silent last-wins. Numbers
// outside int64/uint64 or double range, NaN and Infinity are errors (quote them as strings to
// load them as text). HTTP responses are limited to 100 MB each.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <thread>

#include "pipeline_fixture.h"

namespace dlt::testing {
namespace {

namespace fs = std::filesystem;

struct Snapshot {
  int64_t orders = 0, loads = 0;
  std::string state;
};

Snapshot Take(PipelineWorkspace& w) {
  return {CountRows(w.Db(), "shop_data.orders"), CountRows(w.Db(), "shop_data._dlt_loads"),
          ReadFile(w.PipelineDir("shop") / "state.json")};
}

void ExpectNothingOfTheRunLoaded(PipelineWorkspace& w, const Snapshot& before) {
  Snapshot after = Take(w);
  EXPECT_EQ(after.orders, before.orders);
  EXPECT_EQ(after.loads, before.loads);
  EXPECT_EQ(after.state, before.state) << "state.json changed by a failed run";
  EXPECT_TRUE(w.Packages("shop", "normalize/extracted").empty());
  EXPECT_TRUE(w.Packages("shop", "load/normalized").empty());
  EXPECT_TRUE(w.Packages("shop", "load/new").empty());
}

// A workspace with pipeline `shop` (incremental on id) that loaded orders 1-3 once.
class BadInput : public ::testing::Test {
 protected:
  void SetUp() override {
    w_.Write("shop.toml", PipelineFile("shop", "orders.jsonl", "incremental = { cursor_path = \"id\", initial_value = 0 }\n"));
    w_.Write("orders.jsonl", Orders(1, 3));
    auto first = w_.RunPipeline({"shop.toml"});
    ASSERT_EQ(first.exit_code, 0) << first.err;
    before_ = Take(w_);
    ASSERT_EQ(before_.orders, 3);
  }
  // Runs the pipeline on `content` (good orders 10-12 first, so something would be loadable).
  RunResult RunOn(const std::string& name, const std::string& content) {
    w_.Write(name, Orders(10, 12) + content);
    return w_.RunPipeline({"shop.toml", "--resource", "orders=" + name});
  }
  void ExpectRejected(const RunResult& r, const std::vector<std::string>& says) {
    EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
    EXPECT_TRUE(r.err.starts_with("ERROR: ")) << r.err;
    for (const auto& s : says) EXPECT_TRUE(Contains(r.err, s)) << "missing `" << s << "` in: " << r.err;
    ExpectNothingOfTheRunLoaded(w_, before_);
  }

  PipelineWorkspace w_;
  Snapshot before_;
};

// Without an incremental cursor, extract copies one-line objects as they are and checks them on a
// second thread, a batch at a time. The error is still the one of the first bad record, with its
// line, whichever thread finds it, and nothing of the run is loaded.
class BadInputWithoutCursor : public BadInput {
 protected:
  void SetUp() override {
    w_.Write("shop.toml", PipelineFile("shop", "orders.jsonl"));
    w_.Write("orders.jsonl", Orders(1, 3));
    auto first = w_.RunPipeline({"shop.toml"});
    ASSERT_EQ(first.exit_code, 0) << first.err;
    before_ = Take(w_);
    ASSERT_EQ(before_.orders, 3);
  }
};

TEST_F(BadInputWithoutCursor, TheFirstBadLineIsReportedAcrossBatches) {
  // About 7 MB of good lines before the first bad one (many batches), then a second bad line.
  std::string many = Orders(1000, 40996);  // lines 4 .. 40000 (RunOn puts three orders first)
  std::string content = many + "{\"id\": 1, \"customer\": \"x\",, }\n" + Orders(50000, 50010) +
                        "{\"id\": 2, \"customer\": }\n" + Orders(60000, 60010);
  auto r = RunOn("late.jsonl", content);
  ExpectRejected(r, {"late.jsonl:40001:", "invalid JSON"});
  EXPECT_FALSE(Contains(r.err, "late.jsonl:40013")) << r.err;

  // The bad object is followed by a line that is parsed on the extracting thread (an array) and
  // is bad too: the earlier line is still the one reported.
  ExpectRejected(RunOn("mixed.jsonl", "{\"id\": 13, \"x\": tru}\n[{\"id\": 14}, }\n"), {"mixed.jsonl:4:", "invalid JSON"});
  ExpectRejected(RunOn("array.jsonl", Orders(13, 14) + "[{\"id\": 15}, }\n"), {"array.jsonl:6:", "invalid JSON"});

  // The checks of the single-threaded path hold on this one.
  ExpectRejected(RunOn("big.jsonl", "{\"id\": 13, \"n\": 123456789012345678901234567890}\n"),
                 {"big.jsonl:4:", "`n`", "64-bit integer range"});
  ExpectRejected(RunOn("nan.jsonl", "{\"id\": 13, \"x\": NaN}\n"), {"nan.jsonl:4:", "invalid JSON"});
  ExpectRejected(RunOn("utf8.jsonl", "{\"id\": 13, \"customer\": \"caf\xC3\x28\"}\n"), {"utf8.jsonl:4:", "UTF-8"});
  ExpectRejected(RunOn("trunc.jsonl", Orders(13, 500) + "{\"id\": 600, \"customer\": \"trunc"), {"trunc.jsonl:492:"});

  // Good input after all that loads, once.
  auto ok = RunOn("good.jsonl", Orders(13, 20));
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(CountRows(w_.Db(), "shop_data.orders"), before_.orders + 3 + 8);
}

// Errors found in normalize name the line in the right file of a resource that reads several,
// across blank lines (extract records where each run of lines of each file starts).
TEST_F(BadInputWithoutCursor, NormalizeErrorsNameTheFileAndLineAmongSeveralFiles) {
  w_.Write("first.jsonl", Orders(10, 11) + "\n" + Orders(12, 12));
  w_.Write("second.jsonl", Orders(13, 13) + "\n{\"id\": 14, \"customer\": \"a\", \"customer\": \"b\"}\n");
  w_.Write("two.toml", "[pipeline]\nname = \"shop\"\ndestination = \"warehouse\"\ndataset_name = \"shop_data\"\n\n"
                       "[[resources]]\nname = \"orders\"\npath = [\"first.jsonl\", \"second.jsonl\"]\n");
  auto r = w_.RunPipeline({"two.toml"});
  ExpectRejected(r, {"second.jsonl:3 (resource `orders`)", "`customer`"});
  EXPECT_FALSE(Contains(r.err, "first.jsonl")) << r.err;
}

// Errors found after extract (in normalize) still name the source file and line: extract records
// where the records of each part file came from.
TEST_F(BadInput, DuplicateKeysAndKeysThatCollideAfterNormalizationNameTheRecordAndField) {
  ExpectRejected(RunOn("dup.jsonl", "{\"id\": 13, \"customer\": \"a\", \"customer\": \"b\"}\n"),
                 {"dup.jsonl:4 (resource `orders`)", "`customer`", "duplicate key"});
  ExpectRejected(RunOn("case.jsonl", "{\"id\": 13, \"Customer\": \"a\", \"customer\": \"b\"}\n"),
                 {"case.jsonl:4", "`customer`", "equal after normalization"});
  ExpectRejected(RunOn("space.jsonl", "{\"id\": 13, \"zip code\": 1, \"zip_code\": 2}\n"), {"space.jsonl:4", "`zip_code`"});
  // Blank lines in between: still the right line.
  ExpectRejected(RunOn("gap.jsonl", "\n\n{\"id\": 13, \"customer\": \"a\", \"customer\": \"b\"}\n"), {"gap.jsonl:6", "`customer`"});
}

TEST_F(BadInput, NumbersOutOfRangeNaNAndInfinityNameFileAndLine) {
  ExpectRejected(RunOn("big.jsonl", "{\"id\": 13, \"n\": 123456789012345678901234567890}\n"),
                 {"big.jsonl:4:", "`n`", "64-bit integer range"});
  ExpectRejected(RunOn("neg.jsonl", "{\"id\": 13, \"n\": -9223372036854775809}\n"), {"neg.jsonl:4:", "`n`"});
  ExpectRejected(RunOn("u64.jsonl", "{\"id\": 13, \"n\": 18446744073709551615}\n"), {"u64.jsonl:4", "`n`", "bigint range"});
  ExpectRejected(RunOn("exp.jsonl", "{\"id\": 13, \"x\": 1e400}\n"), {"exp.jsonl:4:", "number"});
  ExpectRejected(RunOn("nan.jsonl", "{\"id\": 13, \"x\": NaN}\n"), {"nan.jsonl:4:", "invalid JSON"});
  ExpectRejected(RunOn("inf.jsonl", "{\"id\": 13, \"x\": Infinity}\n"), {"inf.jsonl:4:", "invalid JSON"});
  ExpectRejected(RunOn("ninf.jsonl", "{\"id\": 13, \"x\": -Infinity}\n"), {"ninf.jsonl:4:", "invalid JSON"});
}

TEST_F(BadInput, InvalidUtf8NamesFileAndLine) {
  ExpectRejected(RunOn("utf8.jsonl", "{\"id\": 13, \"customer\": \"caf\xC3\x28 \xFF\xFE\"}\n"), {"utf8.jsonl:4:", "UTF-8"});
  // An overlong encoding of "/".
  ExpectRejected(RunOn("overlong.jsonl", "{\"id\": 13, \"customer\": \"\xC0\xAF\"}\n"), {"overlong.jsonl:4:", "UTF-8"});
}

TEST_F(BadInput, NestingDeeperThanTheParserLimitIsAnErrorNotACrash) {
  std::string deep_list = "{\"id\": 13, \"a\": " + std::string(100000, '[') + std::string(100000, ']') + "}\n";
  ExpectRejected(RunOn("deep.jsonl", deep_list), {"deep.jsonl:4:", "too deep"});
  std::string deep_obj = "{\"id\": 13, \"a\": ";
  for (int i = 0; i < 5000; ++i) deep_obj += "{\"b\": ";
  deep_obj += "1" + std::string(5000, '}') + "}\n";
  ExpectRejected(RunOn("deepobj.jsonl", deep_obj), {"deepobj.jsonl:4:", "too deep"});
}

// Below the parser's limit, objects deeper than max_table_nesting are stored as JSON: no error.
TEST(BadInputNesting, DeepButParsableNestingBeyondMaxTableNestingIsStoredAsJson) {
  PipelineWorkspace w;
  w.Write("shop.toml", PipelineFile("shop", "deep.jsonl", "max_table_nesting = 1\n"));
  std::string deep = "{\"id\": 1, \"a\": ";
  for (int i = 0; i < 200; ++i) deep += "{\"b\": [";
  deep += "1";
  for (int i = 0; i < 200; ++i) deep += "]}";
  w.Write("deep.jsonl", deep + "}\n");
  auto r = w.RunPipeline({"shop.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(CountRows(w.Db(), "shop_data.orders"), 1);
}

TEST_F(BadInput, ALineOver100MegabytesIsRejectedWithoutReadingItIntoMemory) {
  std::string huge = "{\"id\": 13, \"customer\": \"" + std::string(101u << 20, 'x') + "\"}\n";
  w_.Write("huge.jsonl", Orders(10, 12) + huge);
  huge.clear();
  huge.shrink_to_fit();
  auto r = w_.RunPipeline({"shop.toml", "--resource", "orders=huge.jsonl"});
  ExpectRejected(r, {"huge.jsonl:4:", "100 MB"});
}

// Every TOML layer: a syntax error names the file, line and column; nothing runs.
TEST_F(BadInput, MalformedTomlInEachConfigLayerNamesTheFileAndLine) {
  const std::string broken = "[runtime]\nlog_level = \"INFO\"\nbroken = \n";
  struct Layer {
    std::string rel;
    std::string shown;
  };
  std::vector<Layer> layers = {{".dlt/config.toml", ".dlt/config.toml:3:"},
                               {".dlt/secrets.toml", ".dlt/secrets.toml:3:"},
                               {".dlt/dev.config.toml", ".dlt/dev.config.toml:3:"},
                               {".dlt/dev.secrets.toml", ".dlt/dev.secrets.toml:5:"},
                               {"shop.toml", "shop.toml:"}};
  for (const auto& l : layers) {
    SCOPED_TRACE(l.rel);
    std::string saved = w_.Exists(l.rel) ? w_.Read(l.rel) : "";
    w_.Write(l.rel, saved + broken);
    w_.Write("more.jsonl", Orders(20, 22));
    ExpectRejected(w_.RunPipeline({"shop.toml", "--resource", "orders=more.jsonl"}), {l.shown});
    if (saved.empty()) {
      fs::remove(w_.root() / l.rel);
    } else {
      w_.Write(l.rel, saved);
    }
  }
  // The global layer (~/.dlt) too.
  WriteFile(w_.home() / ".dlt" / "config.toml", broken);
  ExpectRejected(w_.RunPipeline({"shop.toml", "--resource", "orders=more.jsonl"}), {".dlt/config.toml:3:"});
  fs::remove(w_.home() / ".dlt" / "config.toml");
  auto ok = w_.RunPipeline({"shop.toml", "--resource", "orders=more.jsonl"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
}

TEST_F(BadInput, PipelineNamesWithPathSeparatorsAreRefused) {
  for (const char* name : {"../evil", "a/b", "a\\\\b", "..", "."}) {
    SCOPED_TRACE(name);
    w_.Write("evil.toml", PipelineFile(name, "orders.jsonl"));
    auto r = w_.RunPipeline({"evil.toml"});
    EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
    EXPECT_TRUE(Contains(r.err, "Invalid pipeline name")) << r.err;
  }
  EXPECT_FALSE(fs::exists(w_.root() / ".dlt" / ".var" / "evil"));
  EXPECT_FALSE(fs::exists(w_.root() / ".dlt" / ".var" / "dev" / "evil"));
  EXPECT_FALSE(fs::exists(w_.root() / ".dlt" / ".var" / "dev" / "pipelines" / "a"));
  // `dlt pipeline <name>` never takes a path (or the empty name) for a pipeline folder.
  for (const char* name : {"", ".", "..", "../pipelines/shop", "../../dev/pipelines/shop", "shop/", "a\\b"}) {
    SCOPED_TRACE(std::string("pipeline `") + name + "`");
    auto r = w_.Dlt({"pipeline", name, "info"});
    EXPECT_NE(r.exit_code, 0) << r.out;
    EXPECT_TRUE(Contains(r.err, "not found")) << r.err;
    auto drop = w_.Dlt({"pipeline", name, "drop-pending-packages", "--yes"});
    EXPECT_NE(drop.exit_code, 0) << drop.out;
  }
  ExpectNothingOfTheRunLoaded(w_, before_);
}

TEST_F(BadInput, ProfileNamesWithDotDotAreRefusedEverywhere) {
  w_.env()["WORKSPACE__PROFILE"] = "../x";
  auto env = w_.RunPipeline({"shop.toml"});
  EXPECT_EQ(env.exit_code, 2);
  EXPECT_TRUE(Contains(env.err, "WORKSPACE__PROFILE")) << env.err;
  EXPECT_TRUE(Contains(env.err, "Invalid profile name")) << env.err;
  w_.env().erase("WORKSPACE__PROFILE");
  auto flag = w_.RunPipeline({"shop.toml", "--profile", "../x"});
  EXPECT_NE(flag.exit_code, 0);
  EXPECT_TRUE(Contains(flag.err, "Invalid profile name")) << flag.err;
  auto pin = w_.Dlt({"profile", "../x", "pin"});
  EXPECT_NE(pin.exit_code, 0);
  EXPECT_FALSE(w_.Exists(".dlt/profile-name"));
  EXPECT_FALSE(fs::exists(w_.root() / ".dlt" / "x"));
  EXPECT_FALSE(fs::exists(w_.root() / "x"));
  ExpectNothingOfTheRunLoaded(w_, before_);
}

// ------------------------------------------------------------------ HTTP

// A raw HTTP server on 127.0.0.1 that answers every request with what `respond(path, fd)` writes
// to the socket, then closes it: for responses a well-behaved server library would not send.
class RawHttpServer {
 public:
  explicit RawHttpServer(std::function<void(const std::string&, int)> respond) : respond_(std::move(respond)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    ::listen(fd_, 16);
    thread_ = std::thread([this] { Serve(); });
  }
  ~RawHttpServer() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  std::string Url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/"; }

 private:
  void Serve() {
    while (!stop_) {
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      std::string req;
      char buf[4096];
      while (req.find("\r\n\r\n") == std::string::npos) {
        ssize_t n = ::recv(c, buf, sizeof buf, 0);
        if (n <= 0) break;
        req.append(buf, static_cast<size_t>(n));
      }
      size_t sp = req.find(' ');
      std::string path = sp == std::string::npos ? "" : req.substr(sp + 1, req.find(' ', sp + 1) - sp - 1);
      respond_(path, c);
      ::shutdown(c, SHUT_RDWR);
      ::close(c);
    }
  }
  std::function<void(const std::string&, int)> respond_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

void Reply(int fd, const std::string& s) { (void)::send(fd, s.data(), s.size(), MSG_NOSIGNAL); }

void Respond(const std::string& path, int fd) {
  const std::string json = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n";
  if (path.starts_with("/good")) {
    std::string body = "[{\"id\": 1}, {\"id\": 2}]";
    Reply(fd, json + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
  } else if (path.starts_with("/notjson")) {
    std::string body = "<html><body>Service temporarily down</body></html>";
    Reply(fd, json + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
  } else if (path.starts_with("/truncated")) {
    // Content-Length promises more than comes: the connection closes in the middle of the JSON.
    Reply(fd, json + "Content-Length: 5000\r\n\r\n[{\"id\": 1}, {\"id\": 2}, {\"id\": 3, \"na");
  } else if (path.starts_with("/cut")) {
    // No Content-Length: the body ends with the connection, after half a document.
    Reply(fd, json + "\r\n[{\"id\": 1}, {\"id\": 2}, {\"id\": 3, \"na");
  } else if (path.starts_with("/endless")) {
    // A JSON array that never ends (until the client hangs up).
    Reply(fd, json + "\r\n[");
    std::string chunk;
    for (int i = 0; i < 4096; ++i) chunk += "{\"id\": 1, \"pad\": \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"},";
    while (::send(fd, chunk.data(), chunk.size(), MSG_NOSIGNAL) > 0) {
    }
  } else {
    Reply(fd, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  }
}

std::string RestPipeline(const std::string& base_url, const std::string& bad_endpoint) {
  return "[pipeline]\nname = \"api\"\ndestination = \"warehouse\"\ndataset_name = \"api_data\"\n\n"
         "[source]\ntype = \"rest_api\"\nname = \"api\"\n\n[source.client]\nbase_url = \"" + base_url + "\"\n"
         "paginator = { type = \"single_page\" }\n\n"
         "[[resources]]\nname = \"good\"\nendpoint = \"good\"\n\n"
         "[[resources]]\nname = \"bad\"\nendpoint = \"" + bad_endpoint + "\"\n";
}

TEST(BadInputHttp, ResponsesNotJsonTruncatedOrEndlessFailTheRunNamingTheUrl) {
  RawHttpServer server(Respond);
  PipelineWorkspace w;
  w.Write(".dlt/config.toml", "[runtime]\nrequest_timeout = 30\nrequest_max_attempts = 2\nrequest_backoff_factor = 0.01\n");
  w.Write("api.toml", RestPipeline(server.Url(), "good"));
  auto first = w.RunPipeline({"api.toml"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  ASSERT_EQ(CountRows(w.Db(), "api_data.good"), 2);
  ASSERT_EQ(CountRows(w.Db(), "api_data.bad"), 2);
  const std::string state = ReadFile(w.PipelineDir("api") / "state.json");

  struct Case {
    const char* endpoint;
    std::vector<std::string> says;
  };
  const Case cases[] = {
      {"notjson", {"/notjson", "JSON"}},
      {"truncated", {"/truncated"}},
      {"cut", {"/cut", "JSON"}},
      {"endless", {"/endless", "larger than 100 MB"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.endpoint);
    w.Write("api.toml", RestPipeline(server.Url(), c.endpoint));
    auto t0 = std::chrono::steady_clock::now();
    auto r = w.RunPipeline({"api.toml"});
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_NE(r.exit_code, 0) << r.out << r.err;
    EXPECT_TRUE(Contains(r.err, "ERROR: ")) << r.err;
    for (const auto& s : c.says) EXPECT_TRUE(Contains(r.err, s)) << "missing `" << s << "` in: " << r.err;
    EXPECT_LT(secs, 25) << "the run did not give up in time";
    EXPECT_EQ(CountRows(w.Db(), "api_data.good"), 2) << "rows of the failed run were loaded";
    EXPECT_EQ(CountRows(w.Db(), "api_data._dlt_loads"), 1);
    EXPECT_EQ(CountRows(w.Db(), "api_data.bad"), 2) << "rows of the failed run were loaded";
    EXPECT_EQ(ReadFile(w.PipelineDir("api") / "state.json"), state);
    EXPECT_TRUE(w.Packages("api", "normalize/extracted").empty());
    EXPECT_TRUE(w.Packages("api", "load/normalized").empty());
  }
}

}  // namespace
}  // namespace dlt::testing

namespace dlt::testing {
namespace {

// Schema contracts (dlt's `schema_contract`): under "freeze", a value whose type does not fit
// its column, a new column, or a new nested table is an error naming the record, and nothing of
// that run is loaded; "discard_value" drops just the value. The first run (an empty schema)
// creates the tables whatever the contract.
class SchemaContract : public BadInput {
 protected:
  void Freeze(const std::string& contract) {
    w_.Write("shop.toml", PipelineFile("shop", "orders.jsonl",
                                       "incremental = { cursor_path = \"id\", initial_value = 0 }\n"
                                       "schema_contract = " + contract + "\n"));
  }
};

TEST_F(SchemaContract, FrozenDataTypeColumnsAndTablesRejectTheRunNamingTheRecord) {
  Freeze("\"freeze\"");
  // `qty` of the nested items is bigint: a text value goes to a variant column `qty__v_text`
  // under evolve. (A number into a text column is coerced, as in dlt: not a type change.)
  ExpectRejected(RunOn("type.jsonl", "{\"id\": 13, \"customer\": \"c\", \"items\": [{\"sku\": \"s\", \"qty\": \"many\"}]}\n"),
                 {"type.jsonl:4", "field `qty`", "text value", "bigint column `qty`", "table `orders__items`",
                  "schema_contract.data_type = \"freeze\""});
  ExpectRejected(RunOn("column.jsonl", "{\"id\": 13, \"customer\": \"c\", \"discount\": 0.1}\n"),
                 {"column.jsonl:4", "new column `discount`", "table `orders`", "schema_contract.columns = \"freeze\""});
  ExpectRejected(RunOn("table.jsonl", "{\"id\": 13, \"customer\": \"c\", \"notes\": [\"n1\"]}\n"),
                 {"table.jsonl:4", "new table `orders__notes`", "schema_contract.tables = \"freeze\""});
  // Data that fits the frozen schema still loads.
  auto ok = RunOn("fits.jsonl", "");
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(CountRows(w_.Db(), "shop_data.orders"), 6);
}

TEST_F(SchemaContract, OnlyTheFrozenKindIsRefused) {
  Freeze("{ columns = \"freeze\" }");
  auto variant = RunOn("type.jsonl", "{\"id\": 13, \"customer\": \"c\", \"items\": [{\"sku\": \"s\", \"qty\": \"many\"}]}\n");
  EXPECT_EQ(variant.exit_code, 0) << variant.err;  // data_type evolves: a variant column
  EXPECT_EQ(SqlValue(w_.Db(), "SELECT qty__v_text FROM shop_data.orders__items WHERE sku = 's'"), "many");
  auto column = RunOn("column.jsonl", "{\"id\": 14, \"customer\": \"c\", \"discount\": 0.1}\n");
  EXPECT_EQ(column.exit_code, 2) << column.err;
  EXPECT_TRUE(Contains(column.err, "new column `discount`")) << column.err;
}

TEST_F(SchemaContract, DiscardValueDropsTheValuesThatWouldChangeTheSchema) {
  Freeze("{ columns = \"discard_value\", data_type = \"discard_value\" }");
  auto r = RunOn("mixed.jsonl",
                 "{\"id\": 13, \"customer\": \"c\", \"discount\": 0.1, \"items\": [{\"sku\": \"s\", \"qty\": \"many\"}]}\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(CountRows(w_.Db(), "shop_data.orders"), 7);
  EXPECT_EQ(SqlValue(w_.Db(), "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'shop_data' "
                              "AND column_name IN ('discount', 'qty__v_text')"),
            "0");
  EXPECT_EQ(SqlValue(w_.Db(), "SELECT coalesce(CAST(qty AS VARCHAR), 'NULL') FROM shop_data.orders__items WHERE sku = 's'"),
            "NULL");
  EXPECT_EQ(SqlValue(w_.Db(), "SELECT customer FROM shop_data.orders WHERE id = 13"), "c");
}

TEST_F(SchemaContract, AnUnknownModeIsAnErrorWithTheLineOfThePipelineFile) {
  Freeze("{ columns = \"freez\" }");
  auto r = w_.RunPipeline({"shop.toml"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(Contains(r.err, "shop.toml:")) << r.err;
  EXPECT_TRUE(Contains(r.err, "unknown schema contract mode `freez` for columns. Did you mean `freeze`? "
                              "(evolve, freeze, discard_row or discard_value)"))
      << r.err;
}

}  // namespace
}  // namespace dlt::testing
