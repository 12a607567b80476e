#pragma once
// Durations as Prometheus writes them ("1h30m", "5m", "90d"), in milliseconds.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace meridian {

// Prometheus's model.ParseDuration: units y w d h m s ms, each at most once, largest first;
// "0" alone is allowed. Returns nullopt on anything else.
std::optional<int64_t> ParseDurationMs(std::string_view s);

// Prometheus's model.Duration.String(): years and weeks only when exact; "0s" for zero;
// negative values get a leading '-'.
std::string FormatDurationMs(int64_t ms);

}  // namespace meridian
