#pragma once
// Error values passed across seams (engine, stores, buckets, HTTP). Codes follow the error
// types Prometheus's API reports, so the HTTP layer maps them without guessing.

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace meridian {

enum class StatusCode {
  kOk,
  kBadData,      // malformed input: 400 bad_data
  kExecution,    // query failed while running: 422 execution
  kCanceled,     // 499 canceled
  kTimeout,      // 503 timeout
  kInternal,     // 500 internal
  kNotFound,     // 404 not_found
  kUnavailable,  // a store or bucket did not answer (retryable)
  kCorrupt,      // on-disk or wire data failed a check
  kResourceExhausted,  // a configured limit refused the request (gRPC ResourceExhausted, as Thanos sends)
};

class Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}
  static Status Ok() { return {}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // Prefixes context, e.g. Wrap("block 01H...: index") -> "block 01H...: index: <message>".
  Status Wrap(const std::string& context) const {
    if (ok()) return *this;
    return {code_, context + ": " + message_};
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status BadData(std::string m) { return {StatusCode::kBadData, std::move(m)}; }
inline Status ExecutionError(std::string m) { return {StatusCode::kExecution, std::move(m)}; }
inline Status InternalError(std::string m) { return {StatusCode::kInternal, std::move(m)}; }
inline Status CorruptError(std::string m) { return {StatusCode::kCorrupt, std::move(m)}; }
inline Status NotFoundError(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status UnavailableError(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
inline Status ResourceExhaustedError(std::string m) { return {StatusCode::kResourceExhausted, std::move(m)}; }

// A value or the Status that explains its absence.
template <typename T>
class StatusOr {
 public:
  StatusOr(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  StatusOr(Status status) : v_(std::move(status)) {}  // NOLINT

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
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

}  // namespace meridian
