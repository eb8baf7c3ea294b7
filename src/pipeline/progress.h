// Live progress on stderr (rows and MB/s per stage), only when stderr is a terminal.
#pragma once

#include <string>

namespace dlt {

class Progress {
 public:
  Progress() = default;
  explicit Progress(bool wanted);
  void Update(const std::string& stage, const std::string& what, uint64_t rows, uint64_t bytes, double seconds);
  void Done();  // ends the progress line
  void Note(const std::string& line);

 private:
  bool enabled_ = false;
  bool line_open_ = false;
};

}  // namespace dlt
