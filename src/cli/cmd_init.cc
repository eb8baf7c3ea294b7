// dlt init <source> <destination> [--force] | dlt init --list-sources
#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <set>

#include "cli/command.h"
#include "cli/templates.h"
#include "common/fs.h"
#include "common/text.h"
#include "destinations/destination_types.h"
#include "dlt/config.h"

namespace dlt::cli {

namespace fs = std::filesystem;

const char* const kInitHelp =
    "usage: dlt init <source> <destination> [--toml] [--force]\n"
    "       dlt init --list-sources\n"
    "\n"
    "Creates a pipeline in the current folder from a template: the pipeline script\n"
    "(<source>_pipeline.py, run with `python <file>` or `dlt run <file>`; with --toml the\n"
    "declarative pipeline file <source>_pipeline.toml instead),\n"
    ".dlt/config.toml, .dlt/secrets.toml (commented placeholders for the secrets it needs),\n"
    ".gitignore and .dlt/.workspace (workspace mode, with profiles). The destination is\n"
    "configured as the named destination `warehouse`.\n"
    "\n"
    "Existing .dlt/config.toml, .dlt/secrets.toml and .gitignore are extended, never\n"
    "overwritten: sections and lines you already have are kept. A pipeline file that exists and\n"
    "differs from the template is only replaced with --force. Running it twice is safe.\n"
    "\n"
    "sources:       dlthub:pokemon_api, github_api, rest_api, filesystem (see --list-sources)\n"
    "destinations:  duckdb, postgres, motherduck\n"
    "\n"
    "options:\n"
    "  --list-sources, -l  list the source templates\n"
    "  --toml              write the declarative pipeline file (.toml, run without Python)\n"
    "                      instead of the Python script\n"
    "  --force             overwrite a pipeline file that differs from the template\n";

namespace {

// The registered destination types users name (destinations/destination_types.h), in their order.
std::vector<std::string> DestinationNames() {
  std::vector<std::string> out;
  for (const DestinationType* t : DestinationTypes()) {
    if (t->listed) out.emplace_back(t->name);
  }
  return out;
}

struct SourceTemplate {
  std::string name;         // pokemon_api
  std::string shown_name;   // dlthub:pokemon_api
  std::string description;  // one line
  std::map<std::string, std::string_view> files;  // relative to sources/<name>/
};

std::map<std::string, SourceTemplate> Sources() {
  std::map<std::string, SourceTemplate> out;
  for (const auto& f : EmbeddedTemplates()) {
    if (!f.path.starts_with("sources/")) continue;
    std::string rest(f.path.substr(8));
    size_t slash = rest.find('/');
    if (slash == std::string::npos) continue;
    std::string name = rest.substr(0, slash);
    SourceTemplate& t = out[name];
    t.name = name;
    t.files[rest.substr(slash + 1)] = f.data;
  }
  for (auto& [name, t] : out) {
    std::string d(text::Trim(t.files["DESCRIPTION"]));
    // "dlthub:pokemon_api  The public PokeAPI ..." : the shown name, then the description.
    size_t sp = d.find(' ');
    t.shown_name = sp == std::string::npos ? d : d.substr(0, sp);
    t.description = sp == std::string::npos ? "" : std::string(text::Trim(std::string_view(d).substr(sp)));
    if (t.shown_name.empty()) t.shown_name = name;
  }
  return out;
}

std::string_view Embedded(std::string_view path) {
  for (const auto& f : EmbeddedTemplates()) {
    if (f.path == path) return f.data;
  }
  return {};
}

// A TOML text cut into the part before the first [table] header and one block per header.
struct TomlBlock {
  std::vector<std::string> path;  // [a.b] -> {a, b}; empty for the preamble
  std::string text;
};

std::vector<TomlBlock> SplitBlocks(std::string_view toml) {
  std::vector<TomlBlock> out(1);
  for (const auto& line : text::Split(toml, '\n')) {
    std::string_view t = text::Trim(line);
    if (t.starts_with("[") && !t.starts_with("[[")) {
      size_t end = t.find(']');
      if (end != std::string_view::npos) {
        TomlBlock b;
        for (const auto& part : text::Split(t.substr(1, end - 1), '.')) b.path.emplace_back(text::Trim(part));
        out.push_back(b);
      }
    }
    out.back().text += line + "\n";
  }
  // Split adds an empty last line for text ending in "\n".
  if (!out.back().text.empty() && out.back().text.ends_with("\n\n")) out.back().text.pop_back();
  if (out.front().text == "\n") out.front().text.clear();
  return out;
}

enum class Action { kCreate, kUpdate, kUnchanged, kOverwrite, kKept, kConflict };

struct Planned {
  std::string rel;  // relative to the project folder
  Action action = Action::kCreate;
  std::string content;  // the whole new content (create/overwrite/update)
  std::string note;     // "added [sources.github_api]"
};

StatusOr<std::optional<std::string>> ReadIfExists(const fs::path& p) {
  std::error_code ec;
  if (!fs::exists(p, ec)) return std::optional<std::string>();
  if (!fs::is_regular_file(p, ec)) return FailedPrecondition(p.string() + " exists and is not a file");
  DLT_ASSIGN_OR_RETURN(std::string text, fsutil::ReadFile(p));
  return std::optional<std::string>(std::move(text));
}

// A TOML file: created from the template, or extended with the template's tables it lacks.
StatusOr<Planned> PlanToml(const fs::path& dir, const std::string& rel, const std::string& template_text) {
  Planned p;
  p.rel = rel;
  DLT_ASSIGN_OR_RETURN(auto existing, ReadIfExists(dir / rel));
  if (!existing) {
    p.action = Action::kCreate;
    p.content = template_text;
    return p;
  }
  DLT_ASSIGN_OR_RETURN(ConfigNode root, ParseToml(*existing, rel));
  std::string added;
  std::vector<std::string> names;
  for (const auto& b : SplitBlocks(template_text)) {
    if (b.path.empty()) continue;  // the preamble goes into new files only
    if (root.FindPath(b.path)) continue;
    added += b.text;
    names.push_back("[" + text::Join(b.path, ".") + "]");
  }
  if (added.empty()) {
    p.action = Action::kUnchanged;
    return p;
  }
  p.action = Action::kUpdate;
  p.content = *existing;
  if (!p.content.empty() && !p.content.ends_with("\n")) p.content += "\n";
  if (!p.content.empty() && !p.content.ends_with("\n\n")) p.content += "\n";
  p.content += added;
  p.note = "added " + text::Join(names, ", ");
  return p;
}

StatusOr<Planned> PlanGitignore(const fs::path& dir) {
  Planned p;
  p.rel = ".gitignore";
  std::string tmpl(Embedded("gitignore"));
  DLT_ASSIGN_OR_RETURN(auto existing, ReadIfExists(dir / ".gitignore"));
  if (!existing) {
    p.action = Action::kCreate;
    p.content = tmpl;
    return p;
  }
  std::set<std::string> have;
  for (const auto& line : text::Split(*existing, '\n')) have.insert(std::string(text::Trim(line)));
  std::string added;
  std::vector<std::string> names;
  for (const auto& line : text::Split(tmpl, '\n')) {
    std::string t(text::Trim(line));
    if (t.empty() || t.starts_with("#") || have.count(t)) continue;
    added += t + "\n";
    names.push_back(t);
  }
  if (added.empty()) {
    p.action = Action::kUnchanged;
    return p;
  }
  p.action = Action::kUpdate;
  p.content = *existing;
  if (!p.content.empty() && !p.content.ends_with("\n")) p.content += "\n";
  p.content += "# dlt\n" + added;
  p.note = "added " + text::Join(names, " ");
  return p;
}

Status ListSources(Context& ctx) {
  ctx.console.Out("Available source templates (dlt init <source> <destination>):");
  for (const auto& [name, t] : Sources()) {
    std::string shown = t.shown_name;
    ctx.console.Out("  " + shown + std::string(shown.size() < 20 ? 20 - shown.size() : 1, ' ') + t.description);
  }
  ctx.console.Out("Destinations: " + DestinationTypeNames());
  return Status::Ok();
}

}  // namespace

Status RunInitCommand(Context& ctx) {
  DLT_ASSIGN_OR_RETURN(ParsedArgs args,
                       ParseArgs(ctx.args, {{"--list-sources", "-l", false}, {"--force", nullptr, false}, {"--toml", nullptr, false}}, "init"));
  if (args.Has("--list-sources")) return ListSources(ctx);
  auto sources = Sources();
  std::vector<std::string> names;
  for (const auto& [name, t] : sources) names.push_back(t.shown_name);
  if (args.positionals.size() != 2) {
    return InvalidArgument("`dlt init` needs a source and a destination, e.g. `dlt init dlthub:pokemon_api duckdb`. "
                           "Sources: " + text::Join(names, ", ") + ". Destinations: " + DestinationTypeNames() +
                           ". See `dlt init --help`.");
  }
  std::string source = args.positionals[0];
  std::string key = source.starts_with("dlthub:") ? source.substr(7) : source;
  auto it = sources.find(key);
  if (it == sources.end()) {
    std::vector<std::string> keys;
    for (const auto& [name, t] : sources) keys.push_back(name);
    std::string msg = "unknown source `" + source + "`.";
    if (auto s = text::Suggest(key, keys)) msg += " Did you mean `" + sources[*s].shown_name + "`?";
    return NotFound(msg + " Sources: " + text::Join(names, ", ") + " (dlt init --list-sources).");
  }
  const SourceTemplate& t = it->second;
  std::string destination = args.positionals[1];
  const DestinationType* dest_type = FindDestinationType(destination);
  if (dest_type && !dest_type->listed) dest_type = nullptr;  // made in Python code only (@dlt.destination)
  if (!dest_type) {
    std::string msg = "unknown destination `" + destination + "`.";
    if (auto s = text::Suggest(destination, DestinationNames())) msg += " Did you mean `" + *s + "`?";
    // Not found, as an unknown source is: both name something that does not exist.
    return NotFound(msg + " Destinations: " + DestinationTypeNames());
  }
  const bool force = args.Has("--force");
  const bool toml = args.Has("--toml");
  std::error_code ec;
  const fs::path dir = fs::current_path(ec);
  if (ec) return FailedPrecondition("cannot read the current folder: " + ec.message());

  // What would be written.
  std::vector<Planned> plan;
  std::string pipeline_file;
  for (const auto& [rel, data] : t.files) {
    if (rel == "DESCRIPTION" || rel == "NEXT_STEPS" || rel == "config.toml" || rel == "secrets.toml") continue;
    // One form of the pipeline: the Python script, or with --toml the pipeline file.
    if (rel.ends_with(toml ? "_pipeline.py" : "_pipeline.toml")) continue;
    Planned p;
    p.rel = rel;
    p.content = std::string(data);
    const bool is_pipeline = rel.ends_with("_pipeline.toml") || rel.ends_with("_pipeline.py");
    if (is_pipeline) pipeline_file = rel;
    DLT_ASSIGN_OR_RETURN(auto existing, ReadIfExists(dir / rel));
    if (!existing) p.action = Action::kCreate;
    else if (*existing == p.content) p.action = Action::kUnchanged;
    else if (!is_pipeline) p.action = Action::kKept;  // sample data the user may have changed
    else p.action = force ? Action::kOverwrite : Action::kConflict;
    plan.push_back(std::move(p));
  }
  std::string config = std::string(t.files.count("config.toml") ? t.files.at("config.toml") : "");
  std::string dest_config(Embedded("destinations/" + destination + "/config.toml"));
  if (!config.empty() && !config.ends_with("\n\n")) config += "\n";
  config += dest_config;
  std::string secrets = std::string(t.files.count("secrets.toml") ? t.files.at("secrets.toml") : "");
  std::string dest_secrets(Embedded("destinations/" + destination + "/secrets.toml"));
  if (!dest_secrets.empty() && !secrets.empty() && !secrets.ends_with("\n\n")) secrets += "\n";
  secrets += dest_secrets;
  if (secrets.find("keep this file out of version control") == std::string::npos) {
    secrets = "# Secrets: keep this file out of version control (.gitignore lists it).\n" + secrets;
  }
  DLT_ASSIGN_OR_RETURN(Planned pc, PlanToml(dir, ".dlt/config.toml", config));
  plan.push_back(pc);
  DLT_ASSIGN_OR_RETURN(Planned ps, PlanToml(dir, ".dlt/secrets.toml", secrets));
  plan.push_back(ps);
  DLT_ASSIGN_OR_RETURN(Planned pg, PlanGitignore(dir));
  plan.push_back(pg);
  {
    Planned pw;
    pw.rel = ".dlt/.workspace";
    pw.action = fs::exists(dir / ".dlt" / ".workspace", ec) ? Action::kUnchanged : Action::kCreate;
    plan.push_back(pw);
  }

  // A warehouse configured before for another destination is left alone: say so.
  std::vector<std::string> warnings;
  for (const char* rel : {".dlt/config.toml", ".dlt/secrets.toml"}) {
    auto existing = ReadIfExists(dir / rel);
    if (!existing.ok() || !*existing) continue;
    auto root = ParseToml(**existing, rel);
    if (!root.ok()) continue;
    const ConfigNode* type = root->FindPath({"destination", "warehouse", "destination_type"});
    if (type && type->is_scalar() && type->text != destination) {
      warnings.push_back(std::string(rel) + " already sets [destination.warehouse] destination_type = \"" + type->text +
                         "\"; it was left as it is. Change it there to load into " + destination + ".");
    }
  }

  std::vector<std::string> conflicts;
  for (const auto& p : plan) {
    if (p.action == Action::kConflict) conflicts.push_back(p.rel);
  }
  if (!conflicts.empty()) {
    return PermissionDenied(text::Join(conflicts, ", ") + " already exists and differs from the " + t.shown_name +
                            " template; nothing was written. Run `dlt init " + source + " " + destination +
                            " --force` to replace it (.dlt/*.toml and .gitignore are only ever extended), or run "
                            "`dlt init` in another folder.");
  }

  ctx.console.Out("Creating a new pipeline from the " + t.shown_name + " template, loading into " + destination +
                  " (the named destination `warehouse`), in " + dir.string() + ":");
  for (const auto& p : plan) {
    std::string label;
    switch (p.action) {
      case Action::kCreate: label = "created"; break;
      case Action::kUpdate: label = "updated"; break;
      case Action::kOverwrite: label = "replaced"; break;
      case Action::kUnchanged: label = "unchanged"; break;
      case Action::kKept: label = "kept"; break;
      case Action::kConflict: break;
    }
    if (p.action == Action::kCreate || p.action == Action::kUpdate || p.action == Action::kOverwrite) {
      fs::path target = dir / p.rel;
      DLT_RETURN_IF_ERROR(fsutil::CreateDirectories(target.parent_path()));
      // Secrets files are the user's only (0600), as `dlt workspace check` demands.
      const bool secrets_file = p.rel.ends_with("secrets.toml");
      DLT_RETURN_IF_ERROR(fsutil::WriteFileAtomic(target, p.content, secrets_file ? 0600 : 0644));
      if (p.rel.ends_with("_pipeline.toml")) {
        // Executable: the file starts with #!/usr/bin/env -S dlt run
        fs::permissions(target, fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec,
                        fs::perm_options::add, ec);
      }
    }
    std::string line = "  " + label + std::string(label.size() < 10 ? 10 - label.size() : 1, ' ') + p.rel;
    if (!p.note.empty()) line += "  (" + p.note + ")";
    if (p.action == Action::kKept) line += "  (exists; left as it is)";
    ctx.console.Out(line);
  }

  for (const auto& w : warnings) ctx.console.Warning(w);
  std::string pipeline_name = fs::path(pipeline_file).stem().string();
  std::vector<std::string> steps;
  std::string next(text::Trim(t.files.count("NEXT_STEPS") ? t.files.at("NEXT_STEPS") : ""));
  if (!next.empty()) steps.push_back(next);
  if (!dest_type->init_credentials_step.empty()) steps.emplace_back(dest_type->init_credentials_step);
  std::string where(dest_type->init_loads_into);
  if (toml) {
    steps.push_back("Run the pipeline: dlt run " + pipeline_file + "\n(profile dev: it loads " + where + ")");
  } else {
    steps.push_back("Run the pipeline: python " + pipeline_file + "  (or: dlt run " + pipeline_file +
                    ")\n(profile dev: it loads " + where + ")");
  }
  steps.push_back("See what was loaded: dlt pipeline " + pipeline_name + " info");
  steps.push_back("Give a profile its own settings in .dlt/<profile>.config.toml and .dlt/<profile>.secrets.toml,\n"
                  "then switch with: dlt profile <profile> pin");
  ctx.console.Out("");
  ctx.console.Out("Next steps:");
  for (size_t i = 0; i < steps.size(); ++i) {
    auto lines = text::Split(steps[i], '\n');
    for (size_t j = 0; j < lines.size(); ++j) {
      ctx.console.Out((j == 0 ? "  " + std::to_string(i + 1) + ". " : "     ") + lines[j]);
    }
  }
  return Status::Ok();
}

}  // namespace dlt::cli
