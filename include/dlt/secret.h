// Secret: a string that cannot be printed by accident.
// There is no stream operator and no implicit conversion; formatting one with fmt prints "***".
// Code that really needs the value (a driver connecting) calls reveal(), which is easy to grep.
#pragma once

#include <string>
#include <string_view>

#include <fmt/format.h>

namespace dlt {

class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}

  bool empty() const { return value_.empty(); }
  const std::string& reveal() const { return value_; }
  // The fixed text shown in place of any secret.
  static constexpr std::string_view kMask = "***";

  bool operator==(const Secret& other) const { return value_ == other.value_; }

 private:
  std::string value_;
};

}  // namespace dlt

template <>
struct fmt::formatter<dlt::Secret> : fmt::formatter<std::string_view> {
  template <typename Ctx>
  auto format(const dlt::Secret&, Ctx& ctx) const {
    return fmt::formatter<std::string_view>::format(dlt::Secret::kMask, ctx);
  }
};
