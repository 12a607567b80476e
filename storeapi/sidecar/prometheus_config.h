#pragma once
// What the sidecar reads out of Prometheus's configuration and flags.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "model/labels.h"
#include "model/status.h"

namespace meridian::storeapi::sidecar {

// global.external_labels of a Prometheus configuration file (the YAML text the config API
// returns). No global section or no external labels give an empty set.
StatusOr<Labels> ParseExternalLabels(std::string_view config_yaml);

// The TSDB block durations from /api/v1/status/flags.
struct BlockDurations {
  int64_t min_ms = 0;
  int64_t max_ms = 0;
};
StatusOr<BlockDurations> BlockDurationsFromFlags(const std::map<std::string, std::string>& flags);

// The time-based retention from the flags (ms); nullopt when unlimited or unknown.
std::optional<int64_t> RetentionFromFlags(const std::map<std::string, std::string>& flags);

}  // namespace meridian::storeapi::sidecar
