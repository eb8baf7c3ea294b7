#include "dlt/workspace.h"

#include <unistd.h>

#include <algorithm>
#include <set>

#include "common/fs.h"
#include "common/text.h"
#include "config/settings.h"
#include "workspace/pipeline_paths.h"

namespace dlt {

namespace fs = std::filesystem;

namespace {

bool IsBuiltin(std::string_view name) {
  for (const auto& p : BuiltinProfiles()) {
    if (name == p.name) return true;
  }
  return false;
}

// Reads a TOML layer; an absent file is an empty (not present) layer.
StatusOr<ConfigLayer> LoadLayer(ConfigLayer layer) {
  auto content = fsutil::ReadFile(layer.path);
  if (!content.ok()) {
    if (content.status().code() == StatusCode::kNotFound) return layer;
    return content.status();
  }
  DLT_ASSIGN_OR_RETURN(ConfigNode root, ParseToml(*content, layer.display_path));
  layer.root = std::make_shared<const ConfigNode>(std::move(root));
  return layer;
}

}  // namespace

StatusOr<Workspace> Workspace::Open(WorkspaceOptions options) {
  Workspace ws;
  ws.env_ = options.env;

  fs::path start = options.start_dir;
  if (start.empty()) {
    std::error_code ec;
    start = fs::current_path(ec);
    if (ec) return FailedPrecondition("cannot read the current directory: " + ec.message());
  }
  if (auto project = ws.env_.Get("DLT_PROJECT_DIR"); project && !project->empty()) {
    start = *project;
  }
  start = fsutil::Normalize(start);

  // Walk up to the first folder that holds .dlt/.workspace, as git does with .git.
  ws.run_dir_ = start;
  for (fs::path dir = start;; dir = dir.parent_path()) {
    std::error_code ec;
    if (fs::exists(dir / ".dlt" / ".workspace", ec)) {
      ws.workspace_mode_ = true;
      ws.run_dir_ = dir;
      break;
    }
    if (dir == dir.root_path() || dir.parent_path() == dir) break;
  }

  fs::path home;
  if (options.home) {
    home = *options.home;
  } else if (auto h = ws.env_.Get("HOME"); h && !h->empty()) {
    home = *h;
  } else {
    home = "/root";
  }
  ws.global_dir_ = home / ".dlt";
  ws.name_ = ws.run_dir_.filename().string();
  if (!ws.workspace_mode_) return ws;

  // Pin file: first line, whitespace trimmed.
  auto pin = fsutil::ReadFile(ws.pin_file());
  if (pin.ok()) {
    std::string_view first = *pin;
    first = first.substr(0, first.find('\n'));
    first = text::Trim(first);
    if (!first.empty()) {
      Status valid = ValidateProfileName(first);
      if (!valid.ok()) return valid.WithContext(".dlt/profile-name");
      ws.pinned_ = std::string(first);
    }
  }

  if (options.profile) {
    ws.profile_ = *options.profile;
    ws.profile_source_ = ProfileSource::kFlag;
  } else if (auto env = ws.env_.Get("WORKSPACE__PROFILE"); env && !text::Trim(*env).empty()) {
    ws.profile_ = std::string(text::Trim(*env));
    ws.profile_source_ = ProfileSource::kEnv;
  } else if (ws.pinned_) {
    ws.profile_ = *ws.pinned_;
    ws.profile_source_ = ProfileSource::kPin;
  } else {
    ws.profile_ = kDefaultProfile;
    ws.profile_source_ = ProfileSource::kDefault;
  }
  Status valid = ValidateProfileName(ws.profile_);
  if (!valid.ok()) {
    return ws.profile_source_ == ProfileSource::kEnv ? valid.WithContext("WORKSPACE__PROFILE")
                                                     : valid;
  }

  // A profile that exists nowhere and is one typo away from one that does is almost surely a
  // typo: refuse it rather than silently running with an empty configuration.
  if (ws.profile_source_ != ProfileSource::kPin && !IsBuiltin(ws.profile_) &&
      !ws.IsProfileConfigured(ws.profile_)) {
    std::vector<std::string> known;
    for (const auto& p : ws.ListProfiles()) known.push_back(p.name);
    if (auto s = text::Suggest(ws.profile_, known)) {
      return NotFound("Profile `" + ws.profile_ + "` is not configured. Did you mean `" + *s +
                      "`? (a new custom profile needs a .dlt/" + ws.profile_ +
                      ".secrets.toml or .dlt/" + ws.profile_ + ".config.toml file)");
    }
  }
  return ws;
}

std::vector<ConfigLayer> Workspace::BuildLayers(const std::string& profile) const {
  std::vector<ConfigLayer> layers;
  for (ProviderKind provider : {ProviderKind::kSecretsToml, ProviderKind::kConfigToml}) {
    const char* base = provider == ProviderKind::kSecretsToml ? "secrets.toml" : "config.toml";
    for (bool global : {false, true}) {
      fs::path dir = global ? global_dir_ : settings_dir();
      if (workspace_mode_ && !profile.empty()) {
        ConfigLayer l;
        l.provider = provider;
        l.path = dir / (profile + "." + base);
        l.profile = profile;
        l.global = global;
        layers.push_back(l);
      }
      ConfigLayer l;
      l.provider = provider;
      l.path = dir / base;
      l.global = global;
      layers.push_back(l);
    }
  }
  for (auto& l : layers) l.display_path = Display(l.path);
  return layers;
}

Status Workspace::LoadConfig() {
  std::vector<ConfigLayer> layers;
  for (ConfigLayer& l : BuildLayers(workspace_mode_ ? profile_ : std::string())) {
    DLT_ASSIGN_OR_RETURN(ConfigLayer loaded, LoadLayer(std::move(l)));
    layers.push_back(std::move(loaded));
  }
  resolver_ = std::make_shared<ConfigResolver>(env_, std::move(layers));

  auto setting = [&](const char* key) { return settings::Text(*resolver_, {"workspace", "settings"}, key); };

  DLT_ASSIGN_OR_RETURN(auto name, setting("name"));
  if (name && !name->empty()) name_ = *name;

  if (auto d = env_.Get("DLT_DATA_DIR"); d && !d->empty()) {
    working_dir_ = fsutil::Normalize(*d);
  } else if (!workspace_mode_) {
    working_dir_ = global_dir_;
  } else {
    DLT_ASSIGN_OR_RETURN(auto wd, setting("working_dir"));
    working_dir_ = wd ? fsutil::Normalize(run_dir_ / *wd) : settings_dir() / ".var" / profile_;
  }
  if (auto d = env_.Get("DLT_LOCAL_DIR"); d && !d->empty()) {
    local_dir_ = fsutil::Normalize(*d);
  } else if (!workspace_mode_) {
    local_dir_ = run_dir_;
  } else {
    DLT_ASSIGN_OR_RETURN(auto ld, setting("local_dir"));
    local_dir_ = ld ? fsutil::Normalize(run_dir_ / *ld) : run_dir_ / "_local" / profile_;
  }
  return Status::Ok();
}

Status Workspace::EnsureFolders() const {
  DLT_RETURN_IF_ERROR(fsutil::CreateDirectories(working_dir_));
  return fsutil::CreateDirectories(local_dir_);
}

std::string Workspace::Display(const fs::path& p) const { return fsutil::DisplayPath(p, run_dir_); }

bool Workspace::IsProfileConfigured(const std::string& name) const {
  std::error_code ec;
  for (const fs::path& dir : {settings_dir(), global_dir_}) {
    if (fs::exists(dir / (name + ".secrets.toml"), ec) || fs::exists(dir / (name + ".config.toml"), ec)) {
      return true;
    }
  }
  fs::path pipelines = settings_dir() / ".var" / name / "pipelines";
  if (fs::is_directory(pipelines, ec)) {
    for (const auto& entry : fs::directory_iterator(pipelines, ec)) {
      if (entry.is_directory(ec)) return true;
    }
  }
  return false;
}

std::vector<std::string> Workspace::CustomProfilesOnDisk() const {
  std::set<std::string> names;
  std::error_code ec;
  for (const fs::path& dir : {settings_dir(), global_dir_}) {
    if (!fs::is_directory(dir, ec)) continue;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      std::string f = entry.path().filename().string();
      for (std::string_view suffix : {".secrets.toml", ".config.toml"}) {
        if (f.size() > suffix.size() && f.ends_with(suffix)) {
          std::string p = f.substr(0, f.size() - suffix.size());
          if (ValidateProfileName(p).ok()) names.insert(p);
        }
      }
    }
  }
  fs::path var = settings_dir() / ".var";
  if (fs::is_directory(var, ec)) {
    for (const auto& entry : fs::directory_iterator(var, ec)) {
      std::string p = entry.path().filename().string();
      if (ValidateProfileName(p).ok() && IsProfileConfigured(p)) names.insert(p);
    }
  }
  return {names.begin(), names.end()};
}

std::vector<ProfileListing> Workspace::ListProfiles() const {
  std::vector<ProfileListing> out;
  auto add = [&](const std::string& name, const std::string& description, bool builtin) {
    for (const auto& p : out) {
      if (p.name == name) return;
    }
    ProfileListing l;
    l.name = name;
    l.description = description;
    l.builtin = builtin;
    l.current = name == profile_;
    l.pinned = pinned_ && *pinned_ == name;
    // Configured by a file or by its pipelines, never merely by being current: `dev` in a fresh
    // workspace is not (the seed page lists it without the marker).
    l.configured = IsProfileConfigured(name) || (l.current && !ListPipelines().empty());
    out.push_back(std::move(l));
  };
  for (const auto& p : BuiltinProfiles()) add(p.name, p.description, true);
  for (const auto& p : CustomProfilesOnDisk()) add(p, kCustomProfileDescription, false);
  if (pinned_) add(*pinned_, kCustomProfileDescription, false);
  if (!profile_.empty()) add(profile_, kCustomProfileDescription, false);  // always listed
  return out;
}

Status Workspace::Pin(const std::string& name) const {
  DLT_RETURN_IF_ERROR(ValidateProfileName(name));
  DLT_RETURN_IF_ERROR(fsutil::CreateDirectories(settings_dir()));
  return fsutil::WriteFileAtomic(pin_file(), name);
}

Status Workspace::Unpin() const {
  std::error_code ec;
  if (!fs::remove(pin_file(), ec)) {
    if (ec) return Internal("cannot remove " + Display(pin_file()) + ": " + ec.message());
    return NotFound("No pinned profile.");
  }
  return Status::Ok();
}

std::vector<PipelineFolder> Workspace::ListPipelines() const {
  std::vector<PipelineFolder> out;
  std::error_code ec;
  if (!fs::is_directory(pipelines_dir(), ec)) return out;
  for (const auto& entry : fs::directory_iterator(pipelines_dir(), ec)) {
    if (!entry.is_directory(ec)) continue;
    PipelineFolder p;
    p.name = entry.path().filename().string();
    p.path = entry.path();
    const PipelinePaths files(entry.path());
    for (const fs::path& marker : {files.Trace(), files.State()}) {
      auto t = fs::last_write_time(marker, ec);
      if (!ec) {
        p.last_run = t;
        break;
      }
    }
    out.push_back(std::move(p));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

}  // namespace dlt
