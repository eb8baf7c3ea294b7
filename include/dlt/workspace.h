// The run context: which workspace we are in, which profile is active, and that profile's
// folders and configuration.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dlt/config.h"
#include "dlt/status.h"

namespace dlt {

// How the active profile was chosen (first match wins, in this order).
enum class ProfileSource { kFlag, kEnv, kPin, kDefault };
std::string_view ProfileSourceName(ProfileSource source);  // "--profile", "WORKSPACE__PROFILE", ...

struct BuiltinProfile {
  const char* name;
  const char* description;
};
// dev, prod, tests, access with their descriptions, in listing order.
const std::vector<BuiltinProfile>& BuiltinProfiles();
inline constexpr const char* kDefaultProfile = "dev";
inline constexpr const char* kCustomProfileDescription = "custom profile";

// Letters, digits, `_` and `-`, 1 to 64 characters: the name is used in file and folder names.
Status ValidateProfileName(std::string_view name);

struct ProfileListing {
  std::string name;
  std::string description;
  bool builtin = false;
  bool current = false;
  bool configured = false;
  bool pinned = false;
};

struct WorkspaceOptions {
  std::filesystem::path start_dir;          // default: the current directory
  std::optional<std::string> profile;       // the --profile flag
  Environment env;                          // default: the process environment
  std::optional<std::filesystem::path> home;  // default: $HOME
};

// A pipeline folder found in the working folder of a profile.
struct PipelineFolder {
  std::string name;
  std::filesystem::path path;
  std::optional<std::filesystem::file_time_type> last_run;
};

class Workspace {
 public:
  // Finds the workspace by walking up from options.start_dir to the first folder holding
  // `.dlt/.workspace`; without one the project runs in classic mode in start_dir.
  // Selects the active profile but reads no configuration yet.
  static StatusOr<Workspace> Open(WorkspaceOptions options);

  // Reads the TOML layers of the active profile and the workspace settings that depend on them
  // (name, working_dir, local_dir). Needed before config() and the folder accessors.
  Status LoadConfig();
  bool config_loaded() const { return resolver_ != nullptr; }

  bool workspace_mode() const { return workspace_mode_; }
  const std::filesystem::path& run_dir() const { return run_dir_; }
  std::filesystem::path settings_dir() const { return run_dir_ / ".dlt"; }
  const std::filesystem::path& global_dir() const { return global_dir_; }
  const std::string& name() const { return name_; }

  const std::string& profile() const { return profile_; }
  ProfileSource profile_source() const { return profile_source_; }
  const std::optional<std::string>& pinned_profile() const { return pinned_; }
  std::filesystem::path pin_file() const { return settings_dir() / "profile-name"; }

  // Folders of the active profile (LoadConfig() first). Not created here; see EnsureFolders().
  const std::filesystem::path& working_dir() const { return working_dir_; }
  const std::filesystem::path& local_dir() const { return local_dir_; }
  std::filesystem::path pipelines_dir() const { return working_dir_ / "pipelines"; }
  Status EnsureFolders() const;

  const ConfigResolver& config() const { return *resolver_; }
  // Every TOML layer of the active profile in lookup order, present or not.
  const std::vector<ConfigLayer>& layers() const { return resolver_->layers(); }
  const Environment& env() const { return env_; }

  // Built-ins always; custom profiles when pinned, configured or current. `configured` as
  // IsProfileConfigured (for the current profile also: pipelines in its working folder).
  std::vector<ProfileListing> ListProfiles() const;
  // True when a `<name>.*.toml` file exists in the project or global dir, or the profile has
  // pipelines in its working folder.
  bool IsProfileConfigured(const std::string& name) const;

  Status Pin(const std::string& name) const;
  // Removes the pin file; NotFound when nothing was pinned.
  Status Unpin() const;

  // Pipelines in the active profile's working folder (LoadConfig() first), sorted by name.
  std::vector<PipelineFolder> ListPipelines() const;

  // Shows a path relative to the run dir when it lies inside it.
  std::string Display(const std::filesystem::path& p) const;

  // Profile policies, from `[workspace.profiles.<profile>]` of the active profile's
  // configuration (LoadConfig() first); always false in classic mode.
  // read_only: `access` by default. protected: `prod` by default.
  StatusOr<bool> IsReadOnlyProfile() const;
  StatusOr<bool> IsProtectedProfile() const;
  // PermissionDenied naming `what` (e.g. "`dlt run`") when the active profile is read-only.
  Status CheckWritable(std::string_view what) const;

 private:
  Workspace() = default;
  std::vector<ConfigLayer> BuildLayers(const std::string& profile) const;
  std::vector<std::string> CustomProfilesOnDisk() const;

  Environment env_;
  bool workspace_mode_ = false;
  std::filesystem::path run_dir_;
  std::filesystem::path global_dir_;
  std::string name_;
  std::string profile_;
  ProfileSource profile_source_ = ProfileSource::kDefault;
  std::optional<std::string> pinned_;
  std::filesystem::path working_dir_;
  std::filesystem::path local_dir_;
  std::shared_ptr<ConfigResolver> resolver_;
};

}  // namespace dlt
