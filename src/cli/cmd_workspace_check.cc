// dlt workspace check [--all-profiles]: configuration and secrets hygiene. Never prints a value.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <set>

#include "cli/command.h"
#include "common/text.h"
#include "config/settings.h"
#include "dlt/destination.h"
#include "workspace/config_view.h"

namespace dlt::cli {

namespace fs = std::filesystem;

namespace {

// Runs `git -C dir args...` with output discarded; the exit code, or -1 when git cannot run.
int Git(const fs::path& dir, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"git", "-C", dir.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  pid_t pid = ::fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    int devnull = ::open("/dev/null", O_RDWR);
    if (devnull >= 0) {
      ::dup2(devnull, STDIN_FILENO);
      ::dup2(devnull, STDOUT_FILENO);
      ::dup2(devnull, STDERR_FILENO);
    }
    std::vector<char*> cargv;
    for (auto& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    ::execvp("git", cargv.data());
    ::_exit(127);
  }
  int status = 0;
  if (::waitpid(pid, &status, 0) < 0 || !WIFEXITED(status)) return -1;
  int rc = WEXITSTATUS(status);
  return rc == 127 ? -1 : rc;
}

const std::vector<std::string> kTopLevel = {"destination", "destinations", "sources", "source", "workspace",
                                            "runtime", "normalize", "load", "extract", "pipelines",
                                            "data_writer", "schema", "dlthub", "providers", "dashboard"};

struct Checker {
  Context& ctx;
  std::vector<std::string> problems;
  std::set<std::string> seen;

  void Problem(const std::string& p) {
    if (seen.insert(p).second) problems.push_back(p);
  }

  void CheckConfigLayers(const Workspace& ws) {
    for (const ConfigLayer& l : ws.layers()) {
      if (!l.present()) continue;
      std::string where_file = l.display_path;
      // Values of the engine's settings, in any file (a run would refuse them); named, not shown.
      for (const auto& path : LeafPaths({l})) {
        std::vector<std::string> section(path.begin(), path.end() - 1);
        const settings::Setting* known = settings::Find(section, path.back());
        const ConfigNode* node = known ? l.root->FindPath(path) : nullptr;
        if (!node) continue;
        if (auto why = settings::Invalid(*known, section, *node, /*with_value=*/false)) {
          Problem(where_file + ":" + std::to_string(node->where.line) + ":" + std::to_string(node->where.column) +
                  ": " + *why + ".");
        }
      }
      if (l.provider == ProviderKind::kConfigToml) {
        for (const auto& path : LeafPaths({l})) {
          const ConfigNode* node = l.root->FindPath(path);
          if (!node) continue;
          std::string key = text::Join(path, ".");
          std::string at = where_file + ":" + std::to_string(node->where.line) + ":" + std::to_string(node->where.column);
          std::string fix = " Move it to a secrets.toml file or an environment variable (" + EnvVarName(path) + ").";
          if (LooksSecretPath(path)) {
            Problem(at + ": `" + key + "` is named like a secret but is in a config file." + fix);
          } else if (node->kind == ConfigNode::Kind::kString && LooksLikeUrlWithPassword(node->text)) {
            Problem(at + ": `" + key + "` holds a connection string with a password." + fix);
          } else if (node->kind == ConfigNode::Kind::kString && LooksLikeToken(node->text)) {
            Problem(at + ": `" + key + "` holds a value that looks like a token." + fix);
          }
        }
      }
      // Unknown top-level sections that are one typo away from a known one (other top-level
      // sections may be pipeline names).
      for (const auto& [k, v] : l.root->members) {
        if (std::find(kTopLevel.begin(), kTopLevel.end(), k) != kTopLevel.end()) continue;
        if (auto s = text::Suggest(k, kTopLevel)) {
          Problem(where_file + ":" + std::to_string(v.where.line) + ": unknown section `" + k + "`. Did you mean `" +
                  *s + "`?");
        }
      }
      // [runtime] keys one typo away from a setting of the table. Other unknown keys are left
      // alone: Python dlt reads more of them (run_id, ...) and a shared workspace holds them.
      if (const ConfigNode* r = l.root->Find("runtime"); r && r->is_table()) {
        static const std::vector<std::string> kRuntime = settings::NamesIn({"runtime"});
        const auto ignored = settings::IgnoredRuntimeKeys();
        for (const auto& [k, v] : r->members) {
          if (std::find(kRuntime.begin(), kRuntime.end(), k) != kRuntime.end()) continue;
          if (std::find(ignored.begin(), ignored.end(), k) != ignored.end()) continue;
          if (auto sug = text::Suggest(k, kRuntime)) {
            Problem(where_file + ":" + std::to_string(v.where.line) + ": unknown key `runtime." + k +
                    "`. Did you mean `runtime." + *sug + "`? (`dlt config settings` lists them)");
          }
        }
      }
      // dlt's item normalizer sections hold add_dlt_id and add_dlt_load_id only (dlt's
      // ItemsNormalizerConfiguration): anything else there is a misspelt key that does nothing.
      if (const ConfigNode* n = l.root->Find("normalize"); n && n->is_table()) {
        static const std::vector<std::string> kItemKeys = settings::NamesIn({"normalize", "parquet_normalizer"});
        for (const char* section : {"parquet_normalizer", "json_normalizer", "model_normalizer"}) {
          const ConfigNode* s = n->Find(section);
          if (!s || !s->is_table()) continue;
          for (const auto& [k, v] : s->members) {
            if (std::find(kItemKeys.begin(), kItemKeys.end(), k) != kItemKeys.end()) continue;
            std::string msg = where_file + ":" + std::to_string(v.where.line) + ": unknown key `normalize." +
                              section + "." + k + "`.";
            if (auto sug = text::Suggest(k, kItemKeys)) msg += " Did you mean `normalize." + std::string(section) + "." + *sug + "`?";
            Problem(msg + " (dlt's item normalizers take " + text::Join(kItemKeys, " and ") + ")");
          }
        }
      }
      if (const ConfigNode* w = l.root->Find("workspace"); w && w->is_table()) {
        static const std::vector<std::string> kWorkspaceKeys = {"settings", "profiles"};
        static const std::vector<std::string> kSettings = settings::NamesIn({"workspace", "settings"});
        static const std::vector<std::string> kProfileKeys = settings::NamesIn({"workspace", "profiles", "<profile>"});
        auto check_keys = [&](const ConfigNode& node, const std::vector<std::string>& known, const std::string& prefix) {
          for (const auto& [k, v] : node.members) {
            if (std::find(known.begin(), known.end(), k) != known.end()) continue;
            std::string msg = where_file + ":" + std::to_string(v.where.line) + ": unknown key `" + prefix + k + "`.";
            if (auto s = text::Suggest(k, known)) msg += " Did you mean `" + prefix + *s + "`?";
            Problem(msg);
          }
        };
        check_keys(*w, kWorkspaceKeys, "workspace.");
        if (const ConfigNode* s = w->Find("settings"); s && s->is_table()) check_keys(*s, kSettings, "workspace.settings.");
        if (const ConfigNode* ps = w->Find("profiles"); ps && ps->is_table()) {
          for (const auto& [name, p] : ps->members) {
            if (!p.is_table()) continue;
            check_keys(p, kProfileKeys, "workspace.profiles." + name + ".");
            bool builtin = false;
            for (const auto& b : BuiltinProfiles()) builtin = builtin || name == b.name;
            if (!builtin && !ws.IsProfileConfigured(name)) {
              Problem(where_file + ":" + std::to_string(p.where.line) + ": profile `" + name +
                      "` is referenced in [workspace.profiles] but not configured (no .dlt/" + name +
                      ".secrets.toml or .dlt/" + name + ".config.toml)");
            }
          }
        }
      }
    }
  }

  void CheckDestinations(const Workspace& ws) {
    for (const auto& d : NamedDestinations(ws.layers())) {
      ConfigEntry t = ResolveEntry(ws.config(), {"destination", d, "destination_type"});
      if (!t.value && !IsKnownDestinationType(d)) {
        Problem("profile " + ws.profile() + ": named destination `" + d +
                "` has no destination_type. Add `destination_type = \"duckdb\"` (or postgres, motherduck) to "
                "[destination." + d + "] or set DESTINATION__" + text::ToUpper(d) + "__DESTINATION_TYPE.");
        continue;
      }
      auto resolved = ResolveDestination(ws, d);
      if (!resolved.ok()) Problem("profile " + ws.profile() + ": destination `" + d + "`: " + resolved.status().message());
    }
  }

  void CheckProfileReferences(const Workspace& ws) {
    if (ws.pinned_profile()) {
      const std::string& p = *ws.pinned_profile();
      bool builtin = false;
      for (const auto& b : BuiltinProfiles()) builtin = builtin || p == b.name;
      if (!builtin && !ws.IsProfileConfigured(p)) {
        Problem(".dlt/profile-name pins profile `" + p + "`, which is not configured (no .dlt/" + p +
                ".secrets.toml or .dlt/" + p + ".config.toml)");
      }
    }
  }

  void CheckFiles(const Workspace& ws) {
    std::vector<fs::path> secrets;
    std::error_code ec;
    for (const fs::path& dir : {ws.settings_dir(), ws.global_dir()}) {
      if (!fs::is_directory(dir, ec)) continue;
      for (const auto& entry : fs::directory_iterator(dir, ec)) {
        if (entry.path().filename().string().ends_with("secrets.toml")) secrets.push_back(entry.path());
      }
    }
    std::sort(secrets.begin(), secrets.end());
    for (const auto& f : secrets) {
      struct stat st {};
      if (::stat(f.c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
        Problem(ws.Display(f) + " is readable by group or others (mode " + mode + "). Fix: chmod 600 " +
                ws.Display(f));
      }
    }
    // git: only files inside the run dir, when it is a git work tree.
    if (Git(ws.run_dir(), {"rev-parse", "--is-inside-work-tree"}) != 0) return;
    std::vector<fs::path> must_ignore;
    for (const auto& f : secrets) {
      if (fsutil_within(f, ws.run_dir())) must_ignore.push_back(f);
    }
    if (fs::exists(ws.pin_file(), ec)) must_ignore.push_back(ws.pin_file());
    for (const auto& f : must_ignore) {
      std::string rel = ws.Display(f);
      if (Git(ws.run_dir(), {"ls-files", "--error-unmatch", "--", rel}) == 0) {
        Problem(rel + " is tracked by git. Fix: git rm --cached " + rel + " and add it to .gitignore");
      } else if (Git(ws.run_dir(), {"check-ignore", "-q", "--", rel}) == 1) {
        Problem(rel + " is not ignored by git. Fix: add it to .gitignore");
      }
    }
  }

  static bool fsutil_within(const fs::path& f, const fs::path& dir) {
    auto rel = f.lexically_relative(dir);
    return !rel.empty() && *rel.begin() != "..";
  }
};

}  // namespace

Status RunWorkspaceCheck(Context& ctx, Workspace& ws, bool all_profiles) {
  Console& c = ctx.console;
  if (!ws.workspace_mode()) return FailedPrecondition("`dlt workspace check` needs a workspace");
  Checker checker{ctx, {}, {}};
  std::vector<std::string> profiles = {ws.profile()};
  if (all_profiles) {
    profiles.clear();
    for (const auto& p : ws.ListProfiles()) profiles.push_back(p.name);
  }
  c.Out("Checking workspace " + ws.name() + " (" +
        (all_profiles ? "profiles " + text::Join(profiles, ", ") : "profile " + ws.profile()) + ")");
  for (const auto& p : profiles) {
    WorkspaceOptions o;
    o.profile = p;
    auto other = Workspace::Open(o);
    if (!other.ok()) {
      checker.Problem("profile " + p + ": " + other.status().message());
      continue;
    }
    Status loaded = other->LoadConfig();
    if (!loaded.ok()) {
      checker.Problem("profile " + p + ": " + loaded.message());
      continue;
    }
    checker.CheckConfigLayers(*other);
    checker.CheckDestinations(*other);
  }
  checker.CheckProfileReferences(ws);
  checker.CheckFiles(ws);
  if (checker.problems.empty()) {
    c.Out("No problems found.");
    return Status::Ok();
  }
  for (const auto& p : checker.problems) c.Out("- " + p);
  return FailedPrecondition("workspace check found " + std::to_string(checker.problems.size()) + " problem(s)");
}

}  // namespace dlt::cli
