// libFuzzer target: the native credential string parsers (postgres URLs, motherduck forms).
// Besides not crashing, a password or token must never show: not in an error message and not in
// the redacted form of a parsed value. To tell an echoed secret from fixed text, the secret part
// of the input (the password between `user:` and the last `@`, the value of `token=` /
// `motherduck_token=`) is replaced by a run of one letter the input does not contain; that run
// must not appear in any message or redacted form.
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "destinations/duckdb/duckdb_credentials.h"
#include "destinations/postgres/postgres_credentials.h"
#include "dlt/destination.h"

namespace {

void Finding(const char* what, const std::string& text) {
  fprintf(stderr, "finding: %s: %s\n", what, text.c_str());
  __builtin_trap();  // the fuzzer reports the input
}

struct Span {
  size_t pos, len;
  bool token;  // a token query value (motherduck) rather than a URL password (postgres)
};

// Where secrets may be in `in`: passwords of user info and token query values.
std::vector<Span> SecretSpans(std::string_view in) {
  std::vector<Span> spans;
  size_t at = in.rfind('@');
  if (at != std::string_view::npos) {
    // The user info starts after the first "://" before the `@`, or at the start.
    size_t start = 0;
    if (size_t s = in.substr(0, at).find("://"); s != std::string_view::npos) start = s + 3;
    for (size_t from : {size_t{0}, start}) {
      size_t colon = in.find(':', from);
      if (colon != std::string_view::npos && colon < at) spans.push_back({colon + 1, at - colon - 1, false});
    }
  }
  for (std::string_view key : {"token="}) {
    for (size_t k = in.find(key); k != std::string_view::npos; k = in.find(key, k + 1)) {
      size_t v = k + key.size();
      size_t end = in.find('&', v);
      if (end == std::string_view::npos) end = in.size();
      spans.push_back({v, end - v, true});
    }
  }
  return spans;
}

void CheckSpan(std::string_view in, Span span) {
  if (span.len < 4) return;
  char mark = 0;
  for (char c : std::string_view("ZQXJKVWY")) {
    if (in.find(c) == std::string_view::npos) {
      mark = c;
      break;
    }
  }
  if (!mark) return;
  std::string masked(in);
  masked.replace(span.pos, span.len, std::string(span.len, mark));
  const std::string run(span.len, mark);
  if (span.token) {
    auto md = dlt::ParseMotherDuckCredentials(masked);
    if (!md.ok() && md.status().message().find(run) != std::string::npos) Finding("motherduck error shows the token", md.status().message());
    if (md.ok() && md->database.find(run) == std::string::npos && md->Redacted().find(run) != std::string::npos) {
      Finding("motherduck Redacted() shows the token", md->Redacted());
    }
    return;
  }
  auto pg = dlt::ParsePostgresCredentials(masked);
  if (!pg.ok() && pg.status().message().find(run) != std::string::npos) Finding("postgres error shows the password", pg.status().message());
  if (pg.ok()) {
    bool in_parts = pg->username.find(run) != std::string::npos || pg->host.find(run) != std::string::npos ||
                    pg->database.find(run) != std::string::npos || pg->sslmode.find(run) != std::string::npos;
    if (!in_parts && pg->Redacted().find(run) != std::string::npos) Finding("postgres Redacted() shows the password", pg->Redacted());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto pg = dlt::ParsePostgresCredentials(in);
  if (pg.ok()) {
    (void)pg->Redacted();
    (void)pg->ConnectionString();
  }
  auto md = dlt::ParseMotherDuckCredentials(in);
  if (md.ok()) {
    (void)md->Redacted();
    (void)md->ConnectionString();
  }
  for (Span s : SecretSpans(in)) CheckSpan(in, s);
  return 0;
}
