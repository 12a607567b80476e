#pragma once
// Absolute times as flags and API parameters spell them.

#include <cstdint>
#include <optional>
#include <string_view>

namespace meridian {

// Go's time.Parse(time.RFC3339Nano, s): YYYY-MM-DDTHH:MM:SS[.fraction](Z|±hh:mm), to Unix
// milliseconds (fractions truncated, as Prometheus's timestamp.FromTime does).
bool ParseRfc3339Ms(std::string_view s, int64_t* out_ms);

// Thanos's model.TimeOrDurationValue (--min-time, --max-time): an RFC 3339 time, or a duration
// relative to now such as "-6w" or "2h".
std::optional<int64_t> ParseTimeOrDurationMs(std::string_view s, int64_t now_ms);

}  // namespace meridian
