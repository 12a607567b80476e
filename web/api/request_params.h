#pragma once
// Reading the API's request parameters from a Request's form, with the ApiError (type and
// wording) Prometheus's handlers give for each. params.h holds the value syntaxes; this file
// names the parameter in the error and applies the per-endpoint defaults, so handlers do not
// repeat that wiring.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/matcher.h"
#include "web/api/api_error.h"
#include "web/http_types.h"

namespace meridian::web {

// `limit`: 0 when absent; errors as `invalid parameter "limit": ...`.
std::optional<ApiError> ParseLimitParam(const Request& r, int64_t* out);

// A time that must be given (query_range's start and end): `invalid parameter "<name>":
// cannot parse ...`, also when absent.
std::optional<ApiError> ParseRequiredTimeParam(const Request& r, std::string_view name, int64_t* out);

// parseTimeParam: `def` when absent, else the value or `invalid parameter "<name>": invalid
// time value for '<name>': cannot parse ...`.
std::optional<ApiError> ParseTimeParam(const Request& r, std::string_view name, int64_t def, int64_t* out);

// A duration in nanoseconds (step, timeout); errors as `invalid parameter "<name>": ...`,
// also when absent.
std::optional<ApiError> ParseDurationParam(const Request& r, std::string_view name, int64_t* out_ns);

// parseMatchersParam: every match[] a series selector with at least one matcher that does not
// match the empty string. On failure returns the bare message; callers wrap it as their
// upstream handler does.
std::optional<std::string> ParseMatcherSets(const std::vector<std::string>& raw, std::vector<Matchers>* out);

// The parameters /api/v1/series, /labels and /label/<name>/values share, parsed in upstream's
// order: limit, start, end (defaulting to the whole time range), match[].
struct MetadataParams {
  int64_t limit = 0;
  int64_t start_ms = 0;
  int64_t end_ms = 0;
  std::vector<Matchers> matcher_sets;  // empty when no match[] was given
};

// Upstream's series handler reports a bad match[] as invalidParamError(err, "match[]"); the
// label handlers return the parser's error as plain bad_data.
enum class MatchErrorForm { kInvalidParam, kBadData };

std::optional<ApiError> ParseMetadataParams(const Request& r, MatchErrorForm match_errors, MetadataParams* out);

}  // namespace meridian::web
