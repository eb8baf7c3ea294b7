// The dashboard's HTTP layer against the real server (`dlt workspace show` on 127.0.0.1): slow
// or token-less connections do not starve requests that carry the access token, a request with
// two Host headers is refused, and the 16 KiB limit on a request head holds exactly.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <regex>
#include <thread>

#include <httplib.h>

#include "background_process.h"
#include "pipeline_fixture.h"

namespace dlt::testing {
namespace {

int Connect(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Sends `request` on a fresh connection and returns what comes back until the server closes it.
std::string RawExchange(int port, const std::string& request) {
  int fd = Connect(port);
  if (fd < 0) return "";
  for (size_t sent = 0; sent < request.size();) {
    ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
  std::string out;
  char buf[4096];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 15000) <= 0) break;
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

int StatusOf(const std::string& response) {
  std::smatch m;
  if (!std::regex_search(response, m, std::regex("^HTTP/1\\.1 ([0-9]{3}) "))) return 0;
  return std::stoi(m[1]);
}

class DashboardHttp : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<BackgroundProcess>(
        std::vector<std::string>{DLT_BINARY, "workspace", "show", "--port", "0", "--no-browser"}, w_.root(), w_.env());
    auto url = server_->WaitFor(std::regex("http://127\\.0\\.0\\.1:([0-9]+)/\\?token=([0-9a-f]{32})#"), 10000);
    ASSERT_EQ(url.size(), 3u) << "no URL printed: " << server_->output();
    port_ = std::stoi(url[1]);
    token_ = url[2];
  }

  // A request head for /api/workspace with the token, padded with an X-Pad header to `size` bytes.
  std::string HeadOfSize(size_t size) const {
    std::string start = "GET /api/workspace HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port_) +
                        "\r\nAuthorization: Bearer " + token_ + "\r\nX-Pad: ";
    std::string end = "\r\n\r\n";
    return start + std::string(size - start.size() - end.size(), 'p') + end;
  }

  PipelineWorkspace w_;
  std::unique_ptr<BackgroundProcess> server_;
  int port_ = 0;
  std::string token_;
};

TEST_F(DashboardHttp, FortySlowOrTokenlessConnectionsDoNotStarveRequestsWithTheToken) {
  std::vector<int> held;
  for (int i = 0; i < 40; ++i) {
    int fd = Connect(port_);
    ASSERT_GE(fd, 0);
    // Some send nothing, some the start of a head that never ends, some a whole head without
    // the token (answered 401 right away).
    std::string part = i % 3 == 0   ? ""
                       : i % 3 == 1 ? "GET /api/workspace HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port_) + "\r\n"
                                    : "GET /api/workspace HTTP/1.1\r\n\r\n";
    if (!part.empty()) {
      ASSERT_GT(::send(fd, part.data(), part.size(), MSG_NOSIGNAL), 0);
    }
    held.push_back(fd);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  std::atomic<int> ok{0};
  std::vector<std::string> failures(25);
  std::vector<std::thread> clients;
  for (int i = 0; i < 25; ++i) {
    clients.emplace_back([&, i] {
      httplib::Client c("127.0.0.1", port_);
      c.set_read_timeout(30, 0);
      auto r = c.Get("/api/workspace", {{"Authorization", "Bearer " + token_}});
      if (r && r->status == 200) ++ok;
      else failures[i] = r ? std::to_string(r->status) + " " + r->body : "no response";
    });
  }
  for (auto& t : clients) t.join();
  for (int fd : held) ::close(fd);
  EXPECT_EQ(ok.load(), 25) << ::testing::PrintToString(failures);
}

TEST_F(DashboardHttp, ARequestWithTwoHostHeadersIsRefused) {
  std::string p = std::to_string(port_);
  std::string twice = "GET /api/workspace HTTP/1.1\r\nHost: 127.0.0.1:" + p + "\r\nHost: evil.example:" + p +
                      "\r\nAuthorization: Bearer " + token_ + "\r\n\r\n";
  EXPECT_EQ(StatusOf(RawExchange(port_, twice)), 400);
  std::string reversed = "GET /api/workspace HTTP/1.1\r\nHost: evil.example:" + p + "\r\nhost: 127.0.0.1:" + p +
                         "\r\nAuthorization: Bearer " + token_ + "\r\n\r\n";
  EXPECT_EQ(StatusOf(RawExchange(port_, reversed)), 400);
  // One Host header is served.
  std::string once = "GET /api/workspace HTTP/1.1\r\nHost: 127.0.0.1:" + p + "\r\nAuthorization: Bearer " + token_ +
                     "\r\n\r\n";
  EXPECT_EQ(StatusOf(RawExchange(port_, once)), 200);
}

TEST_F(DashboardHttp, ARequestHeadOver16KiBIsRefusedAndOneJustUnderIsServed) {
  std::string big = RawExchange(port_, HeadOfSize(20 * 1024));
  EXPECT_EQ(StatusOf(big), 431) << big.substr(0, 200);
  EXPECT_EQ(StatusOf(RawExchange(port_, HeadOfSize(16 * 1024 + 1))), 431);
  std::string exact = RawExchange(port_, HeadOfSize(16 * 1024));
  EXPECT_EQ(StatusOf(exact), 200) << exact.substr(0, 300);
  std::string under = RawExchange(port_, HeadOfSize(16 * 1024 - 100));
  EXPECT_EQ(StatusOf(under), 200) << under.substr(0, 300);
}

// A damaged trace.json or schema does not hide the pipeline: the list shows its status as
// unknown with the error naming the file, the pipeline's page lists the damaged files.
TEST_F(DashboardHttp, DamagedTraceAndSchemaAreShownAsErrorsNamingTheFiles) {
  w_.Write("shop.toml", PipelineFile("shop", "orders.jsonl"));
  w_.Write("orders.jsonl", Orders(1, 3));
  auto run = w_.RunPipeline({"shop.toml"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto trace = w_.PipelineDir("shop") / "trace.json";
  const auto schema = w_.PipelineDir("shop") / "schemas" / "shop.schema.json";
  WriteFile(trace, "{\"outcome\": 7}");
  WriteFile(schema, "{\"name\": \"shop\", \"tables\": []}");
  httplib::Client c("127.0.0.1", port_);
  auto list = c.Get("/api/profiles/-/pipelines", {{"Authorization", "Bearer " + token_}});
  ASSERT_TRUE(list && list->status == 200) << (list ? list->body : "no response");
  auto pipelines = nlohmann::json::parse(list->body)["pipelines"];
  ASSERT_EQ(pipelines.size(), 1u) << list->body;
  EXPECT_EQ(pipelines[0]["status"], "unknown");
  EXPECT_EQ(pipelines[0]["error"].get<std::string>().rfind(trace.string() + " is damaged: key 'outcome' must be a string", 0), 0u)
      << list->body;
  auto one = c.Get("/api/profiles/-/pipelines/shop", {{"Authorization", "Bearer " + token_}});
  ASSERT_TRUE(one && one->status == 200) << (one ? one->body : "no response");
  auto doc = nlohmann::json::parse(one->body);
  EXPECT_TRUE(doc["trace"].is_null());
  EXPECT_TRUE(doc["schema"].is_null());
  ASSERT_EQ(doc["damaged_files"].size(), 2u) << one->body;
  EXPECT_TRUE(Contains(doc["damaged_files"].dump(), "key 'tables' must be an object, found a list")) << one->body;
}

}  // namespace
}  // namespace dlt::testing
