// Live progress on stderr (rows and MB/s per stage), only when stderr is a terminal.
#pragma once

#include <string>

namespace dlt {

class Progress {
 public:
  Progress() = default;
  explicit Progress(bool wanted);
  // `rows` are those of `what` (a resource, a destination); `note` follows them (a run's total).
  void Update(const std::string& stage, const std::string& what, uint64_t rows, uint64_t bytes, double seconds,
              const std::string& note = "");
  void Done();  // ends the progress line
  void Note(const std::string& line);

 private:
  bool enabled_ = false;
  bool line_open_ = false;
};

}  // namespace dlt
