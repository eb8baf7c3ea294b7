// Generates benchmark input as JSON Lines on stdout (deterministic).
//   gen_events events N   GitHub-event-like records: objects nested two levels, a list of
//                         objects per record (commits), a list of strings (labels); ~660 B each
//   gen_events flat N     10 scalar columns per record
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {
uint64_t state = 0x9E3779B97F4A7C15ull;
uint64_t Next() {
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return state;
}
const char* kWords[] = {"fix", "add", "update", "remove", "refactor", "docs", "test", "bump", "merge", "feature",
                        "loader", "schema", "profile", "pipeline", "state", "cursor", "table", "column"};
std::string Words(int n) {
  std::string s;
  for (int i = 0; i < n; ++i) {
    if (i) s += ' ';
    s += kWords[Next() % (sizeof kWords / sizeof *kWords)];
  }
  return s;
}
std::string Hex(int n) {
  static const char* h = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < n; ++i) s += h[Next() % 16];
  return s;
}
std::string Time(uint64_t i) {
  char buf[32];
  uint64_t secs = 1704067200 + i * 7;
  int day = static_cast<int>(secs / 86400 - 19723);
  int rem = static_cast<int>(secs % 86400);
  std::snprintf(buf, sizeof buf, "2024-%02d-%02dT%02d:%02d:%02dZ", 1 + (day / 28) % 12, 1 + day % 28, rem / 3600,
                rem % 3600 / 60, rem % 60);
  return buf;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: gen_events events|flat|flatcsv N\n");
    return 2;
  }
  bool flat = std::strcmp(argv[1], "flat") == 0;
  bool csv = std::strcmp(argv[1], "flatcsv") == 0;
  flat = flat || csv;
  if (csv) std::fputs("id,user_id,name,score,active,created_at,country,amount,category,note\n", stdout);
  uint64_t n = std::strtoull(argv[2], nullptr, 10);
  std::string line;
  for (uint64_t i = 0; i < n; ++i) {
    line.clear();
    if (flat) {
      char buf[512];
      std::snprintf(buf, sizeof buf,
                    "{\"id\":%llu,\"user_id\":%llu,\"name\":\"%s\",\"score\":%.4f,\"active\":%s,\"created_at\":\"%s\","
                    "\"country\":\"%s\",\"amount\":%llu.%02llu,\"category\":\"%s\",\"note\":\"%s\"}\n",
                    (unsigned long long)i, (unsigned long long)(Next() % 100000), Words(2).c_str(),
                    (Next() % 1000000) / 1000.0, Next() % 2 ? "true" : "false", Time(i).c_str(),
                    Next() % 2 ? "DE" : "US", (unsigned long long)(Next() % 10000), (unsigned long long)(Next() % 100),
                    kWords[Next() % 18], Words(3).c_str());
      line = buf;
      if (csv) {
        // The same record as CSV: the values in order, strings unquoted (they hold no commas).
        std::string out;
        bool in_string = false, after_colon = false;
        for (size_t k = 1; k + 2 < line.size(); ++k) {
          char ch = line[k];
          if (ch == '"') {
            in_string = !in_string;
            continue;
          }
          if (!in_string && ch == ':') {
            after_colon = true;
            continue;
          }
          if (!in_string && ch == ',') {
            out += ',';
            after_colon = false;
            continue;
          }
          if (after_colon) out += ch;
        }
        line = out + "\n";
      }
    } else {
      char head[1024];
      uint64_t actor = Next() % 1000000, repo = Next() % 100000;
      std::snprintf(head, sizeof head,
                    "{\"id\":\"%llu\",\"type\":\"PushEvent\",\"actor\":{\"id\":%llu,\"login\":\"user%llu\","
                    "\"display_login\":\"user%llu\","
                    "\"avatar\":{\"url\":\"https://avatars.githubusercontent.com/u/%llu?\",\"size\":%llu}},"
                    "\"repo\":{\"id\":%llu,\"name\":\"org%llu/repo%llu\","
                    "\"owner\":{\"login\":\"org%llu\",\"type\":\"Organization\"}},",
                    (unsigned long long)(30000000000ull + i), (unsigned long long)actor, (unsigned long long)actor,
                    (unsigned long long)actor, (unsigned long long)actor,
                    (unsigned long long)(40 + Next() % 400), (unsigned long long)repo, (unsigned long long)(repo % 977),
                    (unsigned long long)repo, (unsigned long long)(repo % 977));
      line += head;
      int commits = 1 + static_cast<int>(Next() % 2);
      line += "\"payload\":{\"action\":\"pushed\",\"ref\":\"refs/heads/main\",\"head\":\"" + Hex(40) + "\",\"size\":" +
              std::to_string(commits) + ",\"commits\":[";
      for (int c = 0; c < commits; ++c) {
        if (c) line += ',';
        line += "{\"sha\":\"" + Hex(40) + "\",\"message\":\"" + Words(3) + "\",\"author\":{\"name\":\"Dev " +
                std::to_string(Next() % 5000) + "\",\"email\":\"dev" + std::to_string(Next() % 5000) +
                "@example.com\"},\"distinct\":" + (Next() % 4 ? "true" : "false") + "}";
      }
      line += "],\"labels\":[";
      int labels = static_cast<int>(Next() % 3);
      for (int l = 0; l < labels; ++l) {
        if (l) line += ',';
        line += std::string("\"") + kWords[Next() % 18] + "\"";
      }
      line += "]},\"public\":true,\"created_at\":\"" + Time(i) + "\"}\n";
    }
    std::fwrite(line.data(), 1, line.size(), stdout);
  }
  return 0;
}
