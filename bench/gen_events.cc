// Generates benchmark input as JSON Lines on stdout (deterministic).
//   gen_events events N   GitHub-event-like records: objects nested two levels, a list of
//                         objects per record (commits), a list of strings (labels); ~660 B each
//   gen_events flat N     10 scalar columns per record
//   gen_events issues N   GitHub-issue-like records of another shape (issue #19): string ids,
//                         more keys per object, lists of objects that hold objects (labels,
//                         comments with their user and reactions), a list of strings (tags),
//                         nulls; ~4.5 rows per record, ~650 B each
//   gen_events orders N   shop orders nested three lists deep (orders -> items -> options, a
//                         list of strings per item) with sparse optional keys of every JSON type
//                         (a key present in some records only, as null in others); ~7 rows each
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
std::string Id(const char* prefix, int hex) { return std::string("\"") + prefix + Hex(hex) + "\""; }

std::string User(uint64_t id) {
  return "{\"login\":\"user" + std::to_string(id) + "\",\"id\":\"U_" + std::to_string(id) +
         "\",\"type\":\"User\",\"site_admin\":" + (id % 97 ? "false" : "true") + "}";
}

const char* kLabels[] = {"bug", "enhancement", "question", "documentation", "good first issue", "wontfix"};
const char* kColors[] = {"d73a4a", "a2eeef", "d876e3", "0075ca", "7057ff", "ffffff"};

// One GitHub-issue-like record.
std::string Issue(uint64_t i) {
  std::string s = "{\"node_id\":" + Id("I_kwDO", 12) + ",\"number\":" + std::to_string(i + 1) +
                  ",\"title\":\"" + Words(4) + "\",\"state\":\"" + (Next() % 3 ? "open" : "closed") +
                  "\",\"locked\":false,\"user\":" + User(Next() % 200000) + ",\"assignee\":";
  s += Next() % 2 ? User(Next() % 200000) : "null";
  s += ",\"labels\":[";
  int labels = static_cast<int>(Next() % 3);
  for (int l = 0; l < labels; ++l) {
    int k = static_cast<int>(Next() % 6);
    if (l) s += ',';
    s += "{\"id\":" + Id("LA_", 10) + ",\"name\":\"" + kLabels[k] + "\",\"color\":\"" + kColors[k] +
         "\",\"default\":" + (k < 3 ? "true" : "false") + "}";
  }
  s += "],\"comments\":[";
  int comments = static_cast<int>(Next() % 4);
  for (int c = 0; c < comments; ++c) {
    if (c) s += ',';
    s += "{\"id\":" + Id("IC_kwDO", 10) + ",\"body\":\"" + Words(4) + "\",\"user\":{\"login\":\"user" +
         std::to_string(Next() % 200000) + "\",\"type\":\"User\"},\"reactions\":{\"total_count\":" +
         std::to_string(Next() % 9) + ",\"+1\":" + std::to_string(Next() % 5) + ",\"heart\":" +
         std::to_string(Next() % 3) + "},\"created_at\":\"" + Time(i + c) + "\"}";
  }
  s += "],\"tags\":[";
  int tags = static_cast<int>(Next() % 3);
  for (int t = 0; t < tags; ++t) {
    if (t) s += ',';
    s += std::string("\"") + kWords[Next() % 18] + "\"";
  }
  s += "],\"milestone\":{\"title\":\"v" + std::to_string(Next() % 20) + "." + std::to_string(Next() % 10) +
       "\",\"due_on\":\"" + Time(i * 3) + "\"},\"created_at\":\"" + Time(i) + "\",\"closed_at\":";
  s += Next() % 3 ? "null" : "\"" + Time(i + 99) + "\"";
  char score[32];
  std::snprintf(score, sizeof score, "%.2f", (Next() % 100000) / 100.0);
  s += ",\"body\":\"" + Words(4) + "\",\"score\":" + score + "}\n";
  return s;
}

// One shop order: items, each with options (objects) and a list of strings; optional keys of
// every type appear in some orders only.
std::string Order(uint64_t i) {
  std::string s = "{\"order_id\":" + std::to_string(i) + ",\"customer\":{\"id\":" +
                  std::to_string(Next() % 50000) + ",\"email\":\"c" + std::to_string(Next() % 50000) +
                  "@shop.example\",\"address\":{\"city\":\"" + kWords[Next() % 18] +
                  "ville\",\"zip\":\"" + std::to_string(10000 + Next() % 89999) + "\"}}";
  static const char* kOptional[] = {"coupon", "gift", "note", "priority", "weight_kg", "channel", "referrer",
                                    "tax_exempt"};
  for (int k = 0; k < 8; ++k) {
    uint64_t r = Next() % 10;
    if (r >= 4) continue;  // absent in 60% of the orders
    s += std::string(",\"") + kOptional[k] + "\":";
    if (r == 0) s += "null";
    else if (k % 4 == 0) s += "\"" + Hex(6) + "\"";
    else if (k % 4 == 1) s += Next() % 2 ? "true" : "false";
    else if (k % 4 == 2) s += std::to_string(Next() % 1000);
    else s += std::to_string((Next() % 10000) / 7.0);
  }
  s += ",\"items\":[";
  int items = 1 + static_cast<int>(Next() % 3);
  for (int it = 0; it < items; ++it) {
    if (it) s += ',';
    s += "{\"sku\":\"SKU-" + Hex(8) + "\",\"qty\":" + std::to_string(1 + Next() % 5) + ",\"price\":" +
         std::to_string(Next() % 100000 / 100.0) + ",\"options\":[";
    int options = static_cast<int>(Next() % 3);
    for (int o = 0; o < options; ++o) {
      if (o) s += ',';
      s += "{\"name\":\"" + std::string(kWords[Next() % 18]) + "\",\"value\":\"" + Words(1) +
           "\",\"surcharge\":" + std::to_string(Next() % 500) + "}";
    }
    s += "],\"tags\":[";
    int tags = static_cast<int>(Next() % 3);
    for (int t = 0; t < tags; ++t) {
      if (t) s += ',';
      s += std::string("\"") + kWords[Next() % 18] + "\"";
    }
    s += "]}";
  }
  s += "],\"placed_at\":\"" + Time(i) + "\",\"status\":\"" + (Next() % 5 ? "paid" : "refunded") + "\"}\n";
  return s;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: gen_events events|flat|flatcsv|issues|orders N\n");
    return 2;
  }
  bool flat = std::strcmp(argv[1], "flat") == 0;
  bool csv = std::strcmp(argv[1], "flatcsv") == 0;
  flat = flat || csv;
  if (csv) std::fputs("id,user_id,name,score,active,created_at,country,amount,category,note\n", stdout);
  uint64_t n = std::strtoull(argv[2], nullptr, 10);
  const bool issues = std::strcmp(argv[1], "issues") == 0;
  const bool orders = std::strcmp(argv[1], "orders") == 0;
  if (!flat && !issues && !orders && std::strcmp(argv[1], "events") != 0) {
    std::fprintf(stderr, "gen_events: unknown kind `%s` (events, flat, flatcsv, issues or orders)\n", argv[1]);
    return 2;
  }
  std::string line;
  for (uint64_t i = 0; i < n; ++i) {
    line.clear();
    if (issues) {
      line = Issue(i);
    } else if (orders) {
      line = Order(i);
    } else if (flat) {
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
