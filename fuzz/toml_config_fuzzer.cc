// libFuzzer target: the TOML configuration loader with its layering, as a workspace uses it.
// The input holds up to five TOML documents separated by lines "----": .dlt/secrets.toml,
// .dlt/dev.secrets.toml, .dlt/config.toml, .dlt/dev.config.toml and the global ~/.dlt/config.toml.
// They are written into a scratch workspace, loaded (Workspace::LoadConfig) and then every kind of
// lookup the commands do is made: destinations (credentials parsing included), settings,
// `config explain`-style candidate lists and display strings.
#include <cstdint>
#include <fstream>
#include <string>
#include <string_view>

#include "dlt/destination.h"
#include "dlt/workspace.h"
#include "fuzz_util.h"

namespace fs = std::filesystem;

namespace {

void WriteOrRemove(const fs::path& p, std::string_view text, bool present) {
  std::error_code ec;
  if (!present) {
    fs::remove(p, ec);
    return;
  }
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
}

void Touch(const dlt::ConfigNode& n, int depth = 0) {
  (void)n.ToDisplayString();
  if (depth > 64) return;
  for (const auto& [k, v] : n.members) Touch(v, depth + 1);
  for (const auto& v : n.items) Touch(v, depth + 1);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  static const fs::path root = [] {
    fs::path r = dlt::fuzz::ScratchDir() / "ws";
    fs::create_directories(r / ".dlt");
    fs::create_directories(r / "home" / ".dlt");
    std::ofstream(r / ".dlt" / ".workspace") << "";
    return r;
  }();
  static const char* kFiles[] = {".dlt/secrets.toml", ".dlt/dev.secrets.toml", ".dlt/config.toml",
                                 ".dlt/dev.config.toml", "home/.dlt/config.toml"};
  auto docs = dlt::fuzz::SplitDocuments(in, std::size(kFiles));
  for (size_t i = 0; i < std::size(kFiles); ++i) {
    WriteOrRemove(root / kFiles[i], i < docs.size() ? docs[i] : std::string_view(), i < docs.size());
  }

  dlt::WorkspaceOptions options;
  options.start_dir = root;
  options.home = root / "home";
  options.env = dlt::Environment({{"DESTINATION__ENVDEST__DESTINATION_TYPE", "duckdb"},
                                  {"WAREHOUSE__DESTINATION__POSTGRES__CREDENTIALS__PORT", "5433"}});
  auto ws = dlt::Workspace::Open(options);
  if (!ws.ok()) return 0;
  if (!ws->LoadConfig().ok()) return 0;

  for (const char* name : {"warehouse", "duckdb", "postgres", "motherduck", "lake", "envdest"}) {
    for (const char* pipeline : {"", "warehouse", "shop"}) {
      auto d = dlt::ResolveDestination(*ws, name, pipeline);
      if (d.ok()) (void)d->Describe();
    }
  }
  dlt::ConfigKey keys[4];
  keys[0].sections = {"workspace", "settings"};
  keys[0].key = "working_dir";
  keys[1].sections = {"sources", "shop", "orders"};
  keys[1].key = "api_key";
  keys[1].pipeline_name = "shop";
  keys[2].sections = {"destination", "warehouse"};
  keys[2].embedded = {"credentials"};
  keys[2].key = "password";
  keys[3].sections = {"runtime"};
  keys[3].key = "log_level";
  for (const auto& k : keys) {
    auto r = ws->config().Resolve(k);
    if (r.ok() && *r) {
      Touch((*r)->value);
      (void)(*r)->origin.Describe();
    }
    for (const auto& c : ws->config().Explain(k)) {
      if (c.value) Touch(*c.value);
    }
  }
  for (const auto& layer : ws->config().layers()) {
    if (layer.present()) Touch(*layer.root);
  }
  return 0;
}
