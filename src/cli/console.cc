#include "cli/console.h"

#include <unistd.h>

#include <cstdlib>
#include <iostream>

namespace dlt::cli {

namespace {
bool ColorAllowed(int fd) {
  if (!::isatty(fd)) return false;
  if (const char* nc = std::getenv("NO_COLOR"); nc && *nc) return false;
  if (const char* term = std::getenv("TERM"); term && std::string_view(term) == "dumb") return false;
  return true;
}

void WriteLine(FILE* f, std::string_view line) {
  std::fwrite(line.data(), 1, line.size(), f);
  std::fputc('\n', f);
}
}  // namespace

Console::Console()
    : out_color_(ColorAllowed(STDOUT_FILENO)),
      err_color_(ColorAllowed(STDERR_FILENO)),
      interactive_(::isatty(STDIN_FILENO) != 0) {}

void Console::Out(std::string_view line) { WriteLine(stdout, line); }

void Console::Err(std::string_view line) {
  std::fflush(stdout);
  WriteLine(stderr, line);
}

void Console::Error(std::string_view message) {
  Err(Red("ERROR: ", true) + std::string(message));
}

void Console::Warning(std::string_view message) {
  Err(Yellow("WARNING: ", true) + std::string(message));
}

void Console::Note(std::string_view message) { Err(Green("NOTE: ", true) + std::string(message)); }

bool Console::Confirm(std::string_view question, bool default_yes) {
  if (!interactive_) return default_yes;
  for (;;) {
    std::fputs((std::string(question) + (default_yes ? " [Y/n]: " : " [y/N]: ")).c_str(), stdout);
    std::fflush(stdout);
    std::string answer;
    if (!std::getline(std::cin, answer)) {
      std::fputc('\n', stdout);
      return default_yes;
    }
    while (!answer.empty() && (answer.back() == '\r' || answer.back() == ' ')) answer.pop_back();
    if (answer.empty()) return default_yes;
    if (answer == "y" || answer == "Y" || answer == "yes" || answer == "YES" || answer == "Yes") return true;
    if (answer == "n" || answer == "N" || answer == "no" || answer == "NO" || answer == "No") return false;
    Out("Error: invalid input");
  }
}

std::optional<std::string> Console::Ask(std::string_view prompt) {
  if (!interactive_) return std::nullopt;
  std::fputs(std::string(prompt).c_str(), stdout);
  std::fflush(stdout);
  std::string answer;
  if (!std::getline(std::cin, answer)) {
    std::fputc('\n', stdout);
    return std::nullopt;
  }
  while (!answer.empty() && (answer.back() == '\r' || answer.back() == ' ')) answer.pop_back();
  return answer;
}

std::string Console::Paint(std::string_view s, const char* code, bool err) const {
  if (!(err ? err_color_ : out_color_)) return std::string(s);
  return std::string("\x1b[") + code + "m" + std::string(s) + "\x1b[0m";
}

std::string Console::Yellow(std::string_view s, bool err) const { return Paint(s, "33", err); }
std::string Console::Red(std::string_view s, bool err) const { return Paint(s, "31", err); }
std::string Console::Green(std::string_view s, bool err) const { return Paint(s, "32", err); }
std::string Console::Bold(std::string_view s, bool err) const { return Paint(s, "1", err); }

}  // namespace dlt::cli
