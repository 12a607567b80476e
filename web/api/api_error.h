#pragma once
// The error classes of Prometheus's API (web/api/v1/api.go) and their HTTP codes, and the
// mapping from the Status codes that cross our seams.

#include <string>
#include <string_view>

#include "model/status.h"

namespace meridian::web {

enum class ErrorType {
  kBadData,        // 400
  kExecution,      // 422
  kCanceled,       // 499
  kTimeout,        // 503
  kInternal,       // 500
  kUnavailable,    // 503
  kNotFound,       // 404
  kNotAcceptable,  // 406
};

struct ApiError {
  ErrorType type = ErrorType::kInternal;
  std::string message;
};

std::string_view ErrorTypeName(ErrorType t);  // "bad_data", "execution", ...
int HttpStatusFor(ErrorType t);               // getDefaultErrorCode

// How an engine or storage Status is reported. kCorrupt is a storage failure, which
// Prometheus reports as internal (promql.ErrStorage).
ApiError ApiErrorFromStatus(const Status& s);

inline ApiError BadDataError(std::string m) { return {ErrorType::kBadData, std::move(m)}; }
// Prometheus's invalidParamError: `invalid parameter "<name>": <message>`.
ApiError InvalidParamError(std::string_view param, std::string_view message);

}  // namespace meridian::web
