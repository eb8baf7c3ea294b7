// A running dashboard query is cancelled in the database when nobody waits for its answer any
// more: the client closed the connection (a page closed, a fetch aborted, curl stopped), or the
// dashboard got SIGTERM. Proven by what the databases and the server say, not by timing alone:
// PostgreSQL's pg_stat_activity no longer lists the statement; DuckDB's statement ends
// interrupted (the server logs it) and the next query answers at once.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <thread>

#include "dashboard_query_fixture.h"

namespace dlt::testing {
namespace {

using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;

struct CancelTag {};
using DashboardCancel = DashboardQueryBase<CancelTag>;

// Days of work for DuckDB: a cross join of a million rows with a million rows.
const std::string kLongDuckDbQuery = "SELECT sum(a.range * b.range) FROM range(1000000) a, range(1000000) b";

std::string Encode(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.') out += static_cast<char>(c);
    else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

// Sends a query request over a plain socket (as curl would) and returns the socket, still open.
int SendQuery(int port, const std::string& token, const std::string& pipeline, const std::string& sql) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ADD_FAILURE() << "cannot connect to the dashboard";
    ::close(fd);
    return -1;
  }
  std::string req = "GET /api/profiles/dev/pipelines/" + pipeline + "/query?sql=" + Encode(sql) +
                    " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) + "\r\nAuthorization: Bearer " + token +
                    "\r\n\r\n";
  EXPECT_EQ(::send(fd, req.data(), req.size(), MSG_NOSIGNAL), static_cast<ssize_t>(req.size()));
  return fd;
}

// Everything the server sends until it closes the connection (at most `seconds`).
std::string ReadAll(int fd, int seconds) {
  timeval tv{seconds, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) out.append(buf, static_cast<size_t>(n));
  return out;
}

std::string Trimmed(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  return s;
}

TEST_F(DashboardCancel, PostgresStopsTheStatementWhenTheClientClosesTheConnection) {
  const std::string active = "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' "
                             "AND query LIKE '%pg_sleep(30)%' AND pid <> pg_backend_pid()";
  int fd = SendQuery(port_, token_, "pgshop", "SELECT pg_sleep(30)");
  ASSERT_GE(fd, 0);
  // The statement runs in PostgreSQL...
  bool running = false;
  for (int i = 0; i < 100 && !running; ++i) {
    running = Trimmed(pg_->Psql(active, "dw")) == "1";
    if (!running) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(running) << pg_->Psql("SELECT state, query FROM pg_stat_activity", "dw") << server_->output();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  ::close(fd);  // ... until the client goes away (30 s early)
  const auto closed = Clock::now();
  bool gone = false;
  while (!gone && Clock::now() - closed < std::chrono::seconds(4)) {
    gone = Trimmed(pg_->Psql(active, "dw")) == "0";
    if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(gone) << "pg_sleep(30) still runs 4 s after the client closed the connection";
  EXPECT_FALSE(server_->WaitFor(std::regex("cancelled the query of pipeline `pgshop` after [0-9]+ ms: "
                                           "the client closed the connection"), 3000).empty())
      << server_->output();
}

TEST_F(DashboardCancel, DuckDbInterruptsTheStatementWhenTheClientClosesTheConnectionAndAnswersTheNext) {
  int fd = SendQuery(port_, token_, "shop", kLongDuckDbQuery);
  ASSERT_GE(fd, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  ::close(fd);
  // The statement ended as interrupted (it would take days, and the time limit is 20 s), soon.
  auto m = server_->WaitFor(std::regex("cancelled the query of pipeline `shop` after ([0-9]+) ms: "
                                       "the client closed the connection"), 5000);
  ASSERT_EQ(m.size(), 2u) << server_->output();
  EXPECT_LT(std::stoi(m[1]), 5000) << m[0];
  // The database is free for the next query.
  const auto start = Clock::now();
  Answer next = Query("shop", "SELECT count(*) AS n FROM orders");
  EXPECT_EQ(next.status, 200) << next.body;
  EXPECT_EQ(next.doc["rows"], Json::parse(R"([["5"]])"));
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(3));
}

TEST_F(DashboardCancel, SigtermCancelsARunningQueryAndTheDashboardExitsPromptly) {
  BackgroundProcess server({DLT_BINARY, "workspace", "show", "--port", "0", "--no-browser"}, w_->root(), w_->env());
  auto url = server.WaitFor(std::regex("http://127\\.0\\.0\\.1:([0-9]+)/\\?token=([0-9a-f]{32})#"), 10000);
  ASSERT_EQ(url.size(), 3u) << server.output();
  int fd = SendQuery(std::stoi(url[1]), url[2], "shop", kLongDuckDbQuery);
  ASSERT_GE(fd, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  server.Signal(SIGTERM);
  const auto signalled = Clock::now();
  // The client still waiting is told why there is no result.
  std::string answer = ReadAll(fd, 10);
  ::close(fd);
  EXPECT_TRUE(Contains(answer, "HTTP/1.1 503")) << answer;
  EXPECT_TRUE(Contains(answer, "the dashboard is stopping")) << answer;
  EXPECT_EQ(server.Wait(5000), 0) << server.output();
  EXPECT_LT(Clock::now() - signalled, std::chrono::seconds(5));
  EXPECT_TRUE(Contains(server.output(), "cancelled the query of pipeline `shop`")) << server.output();
}

}  // namespace
}  // namespace dlt::testing
