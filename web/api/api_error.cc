#include "web/api/api_error.h"

namespace meridian::web {

std::string_view ErrorTypeName(ErrorType t) {
  switch (t) {
    case ErrorType::kBadData: return "bad_data";
    case ErrorType::kExecution: return "execution";
    case ErrorType::kCanceled: return "canceled";
    case ErrorType::kTimeout: return "timeout";
    case ErrorType::kInternal: return "internal";
    case ErrorType::kUnavailable: return "unavailable";
    case ErrorType::kNotFound: return "not_found";
    case ErrorType::kNotAcceptable: return "not_acceptable";
  }
  return "internal";
}

int HttpStatusFor(ErrorType t) {
  switch (t) {
    case ErrorType::kBadData: return 400;
    case ErrorType::kExecution: return 422;
    case ErrorType::kCanceled: return 499;
    case ErrorType::kTimeout: return 503;
    case ErrorType::kInternal: return 500;
    case ErrorType::kUnavailable: return 503;
    case ErrorType::kNotFound: return 404;
    case ErrorType::kNotAcceptable: return 406;
  }
  return 500;
}

ApiError ApiErrorFromStatus(const Status& s) {
  switch (s.code()) {
    case StatusCode::kOk:
    case StatusCode::kInternal:
    case StatusCode::kCorrupt: return {ErrorType::kInternal, s.message()};
    case StatusCode::kBadData: return {ErrorType::kBadData, s.message()};
    // A limit (series per request, ...) is the query's fault, not the server's: Prometheus
    // reports its own limits as execution errors.
    case StatusCode::kResourceExhausted:
    case StatusCode::kExecution: return {ErrorType::kExecution, s.message()};
    case StatusCode::kCanceled: return {ErrorType::kCanceled, s.message()};
    case StatusCode::kTimeout: return {ErrorType::kTimeout, s.message()};
    case StatusCode::kNotFound: return {ErrorType::kNotFound, s.message()};
    case StatusCode::kUnavailable: return {ErrorType::kUnavailable, s.message()};
  }
  return {ErrorType::kInternal, s.message()};
}

ApiError InvalidParamError(std::string_view param, std::string_view message) {
  std::string m = "invalid parameter \"";
  m.append(param);
  m.append("\": ");
  m.append(message);
  return {ErrorType::kBadData, std::move(m)};
}

}  // namespace meridian::web
