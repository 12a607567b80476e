#pragma once
// Parameter parsing with Prometheus's rules and messages (web/api/v1/api.go parseTime,
// parseDuration, parseLimitParam) and Go's strconv.ParseBool for Thanos's switches. Errors
// carry the inner message; handlers add `invalid parameter "<name>": ` where upstream does.

#include <cstdint>
#include <string>
#include <string_view>

#include "model/status.h"

namespace meridian::web {

// Defaults for an absent start/end on metadata endpoints (Prometheus's MinTime/MaxTime: the
// extremes whose RFC 3339 form still round-trips), in ms.
inline constexpr int64_t kMinTimeMs = -9223309901257974000LL;
inline constexpr int64_t kMaxTimeMs = 9223309901257974999LL;

// Unix seconds with up to millisecond precision (fractions rounded to ms), or RFC 3339 with
// optional fraction and a Z or +hh:mm offset. Returns ms since the epoch.
// Error: `cannot parse "<s>" to a valid timestamp`.
StatusOr<int64_t> ParseTimeMs(std::string_view s);

// Float seconds or a Prometheus duration ("5m", "1h30m"); result in nanoseconds as Go's
// time.Duration. Errors: `cannot parse "<s>" to a valid duration` and, for seconds beyond
// int64 nanoseconds, `... It overflows int64`.
StatusOr<int64_t> ParseDurationNs(std::string_view s);

// strconv.ParseBool; error `strconv.ParseBool: parsing "<s>": invalid syntax`.
StatusOr<bool> ParseGoBool(std::string_view s);

// Prometheus's limit parameter: "" -> 0 (no limit); strconv.Atoi errors; negative ->
// "limit must be non-negative".
StatusOr<int64_t> ParseLimit(std::string_view s);

// The label name of /api/v1/label/<name>/values: a "U__" escaped name is unescaped
// (model.UnescapeName with value-encoding escaping); a name that is not valid UTF-8 or empty
// is kBadData `invalid label name: "<name>"`.
StatusOr<std::string> ParseLabelNameParam(std::string_view raw);

}  // namespace meridian::web
