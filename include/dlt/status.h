// Status and StatusOr: the error model of the whole library.
// A Status is cheap on success (an enum and an empty string). Errors carry a code with a fixed
// meaning and a message that names what went wrong and, where possible, what to do about it.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace dlt {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // bad input from the user: a flag, a file, a value
  kNotFound,            // something named does not exist
  kAlreadyExists,       // would overwrite something the user owns
  kFailedPrecondition,  // the system is not in a state where the operation can run
  kPermissionDenied,    // refused by policy (read-only profile, protected profile)
  kUnavailable,         // a service could not be reached; retrying may help
  kDataLoss,            // a file on disk is truncated or corrupt
  kCancelled,           // the user declined a confirmation
  kInternal,            // a bug
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // Returns the same error with `context` put in front: "context: message".
  Status WithContext(std::string_view context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
inline Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
inline Status FailedPrecondition(std::string m) {
  return {StatusCode::kFailedPrecondition, std::move(m)};
}
inline Status PermissionDenied(std::string m) { return {StatusCode::kPermissionDenied, std::move(m)}; }
inline Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
inline Status DataLoss(std::string m) { return {StatusCode::kDataLoss, std::move(m)}; }
inline Status Cancelled(std::string m) { return {StatusCode::kCancelled, std::move(m)}; }
inline Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

// Either a value or an error Status.
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  StatusOr(Status status) : v_(std::move(status)) {  // NOLINT
    assert(!std::get<Status>(v_).ok() && "StatusOr built from an OK status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace dlt

#define DLT_CONCAT_INNER(a, b) a##b
#define DLT_CONCAT(a, b) DLT_CONCAT_INNER(a, b)

// Returns from the current function when `expr` yields an error Status.
#define DLT_RETURN_IF_ERROR(expr)             \
  do {                                        \
    ::dlt::Status dlt_status_ = (expr);       \
    if (!dlt_status_.ok()) return dlt_status_; \
  } while (0)

// `DLT_ASSIGN_OR_RETURN(auto x, MakeX());` unwraps a StatusOr or returns its error.
#define DLT_ASSIGN_OR_RETURN(lhs, expr) \
  DLT_ASSIGN_OR_RETURN_IMPL(DLT_CONCAT(dlt_statusor_, __LINE__), lhs, expr)
#define DLT_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return tmp.status();             \
  lhs = std::move(tmp).value()
