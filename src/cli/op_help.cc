// `dlt <group> <op> --help`: the help of one operation, cut from its group's help text (the
// block that starts with the operation at two spaces of indent), so the two never disagree.
#include <cctype>

#include "cli/command.h"
#include "common/text.h"

namespace dlt::cli {

namespace {

struct Block {
  std::string header;  // "sync [--destination D] [--dataset-name N]", "NAME pin"
  std::vector<std::string> lines;
};

std::vector<Block> OperationBlocks(std::string_view help) {
  std::vector<Block> out;
  bool in_block = false;
  for (const std::string& line : text::Split(help, '\n')) {
    const bool header = line.size() > 2 && line.starts_with("  ") && line[2] != ' ' && line[2] != '-';
    if (header) {
      Block b;
      std::string rest = line.substr(2);
      size_t gap = rest.find("  ");
      b.header = rest.substr(0, gap);
      b.lines.push_back(line);
      out.push_back(std::move(b));
      in_block = true;
    } else if (in_block && line.starts_with("   ")) {
      out.back().lines.push_back(line);  // its description and options, indented deeper
    } else {
      in_block = false;
    }
  }
  return out;
}

}  // namespace

std::optional<std::string> OperationHelp(const CommandSpec& spec, const std::vector<std::string>& rest) {
  const std::string command = spec.name;
  std::vector<std::string> pos;
  for (const auto& a : rest) {
    if (a == "--") break;
    if (!a.starts_with("-")) pos.push_back(a);
  }
  std::vector<Block> blocks = OperationBlocks(spec.help);
  // `named`: the header starts with a placeholder (`NAME pin`) that the user filled in.
  auto find = [&](const std::string& op, bool named) -> const Block* {
    for (const auto& b : blocks) {
      auto words = text::Split(b.header, ' ');
      if (words.empty()) continue;
      bool placeholder = std::isupper(static_cast<unsigned char>(words[0][0])) != 0;
      if (!named && !placeholder && words[0] == op) return &b;
      if (named && placeholder && words.size() > 1 && words[1] == op) return &b;
    }
    return nullptr;
  };
  const Block* b = nullptr;
  if (command == "pipeline") {
    if (pos.size() >= 2) b = find(pos[1], false);  // dlt pipeline <name> <op> --help
  } else if (command == "profile") {
    if (pos.size() >= 2) b = find(pos[1], true);  // dlt profile NAME pin --help
    if (!b && !pos.empty()) b = find(pos[0], false);
  } else if (command == "workspace" || command == "config") {
    if (!pos.empty()) b = find(pos[0], false);
  }
  if (!b) return std::nullopt;
  // The usage line also names the operation's own options (`    --yes, -y   ...` lines).
  std::string usage = b->header;
  for (const auto& l : b->lines) {
    if (!l.starts_with("    --")) continue;
    std::string opt = l.substr(4, l.find("  ", 4) - 4);
    opt = opt.substr(0, opt.find(','));
    if (usage.find(opt) == std::string::npos) usage += " [" + opt + "]";
  }
  std::string out = "usage: dlt " + command + " " + (command == "pipeline" ? "<name> " : "") + usage + "\n\n";
  for (const auto& l : b->lines) out += l + "\n";
  out += "\nSee `dlt " + command + " --help` for the other commands.\n";
  return out;
}

}  // namespace dlt::cli
