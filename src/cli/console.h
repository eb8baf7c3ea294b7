// Terminal output for the CLI: stdout for results, stderr for errors, warnings and banners.
// Colour only on a terminal and never with NO_COLOR set.
#pragma once

#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

namespace dlt::cli {

class Console {
 public:
  Console();

  void Out(std::string_view line);  // a line on stdout
  void Err(std::string_view line);  // a line on stderr
  void Error(std::string_view message);    // "ERROR: ..." on stderr
  void Warning(std::string_view message);  // "WARNING: ..." on stderr
  void Note(std::string_view message);     // "NOTE: ..." on stderr

  // Asks a yes/no question; in non-interactive mode returns the default without asking.
  bool Confirm(std::string_view question, bool default_yes);
  // Asks for a line of text; nullopt in non-interactive mode or at end of input.
  std::optional<std::string> Ask(std::string_view prompt);

  bool interactive() const { return interactive_; }
  void set_non_interactive() { interactive_ = false; }
  bool out_color() const { return out_color_; }

  // Wraps text in an ANSI colour when the stream is a colour terminal.
  std::string Yellow(std::string_view s, bool err) const;
  std::string Red(std::string_view s, bool err) const;
  std::string Green(std::string_view s, bool err) const;
  std::string Bold(std::string_view s, bool err) const;

 private:
  std::string Paint(std::string_view s, const char* code, bool err) const;
  bool out_color_ = false;
  bool err_color_ = false;
  bool interactive_ = false;
};

}  // namespace dlt::cli
