#include "storeapi/sidecar/prometheus_config.h"

#include <yaml-cpp/yaml.h>

#include "model/duration.h"

namespace meridian::storeapi::sidecar {

StatusOr<Labels> ParseExternalLabels(std::string_view config_yaml) {
  try {
    YAML::Node root = YAML::Load(std::string(config_yaml));
    if (!root || root.IsNull()) return Labels();
    if (!root.IsMap()) return BadData("Prometheus configuration is not a YAML mapping");
    YAML::Node global = root["global"];
    if (!global || global.IsNull()) return Labels();
    YAML::Node ext = global["external_labels"];
    if (!ext || ext.IsNull()) return Labels();
    if (!ext.IsMap()) return BadData("global.external_labels of the Prometheus configuration is not a mapping");
    std::vector<Label> out;
    for (const auto& kv : ext) {
      std::string name = kv.first.as<std::string>();
      std::string value = kv.second.IsNull() ? std::string() : kv.second.as<std::string>();
      if (value.empty()) continue;  // an empty label value means "no label", as in Prometheus
      out.push_back({std::move(name), std::move(value)});
    }
    return Labels::FromUnsorted(std::move(out));
  } catch (const YAML::Exception& e) {
    return BadData(std::string("parse Prometheus configuration: ") + e.what());
  }
}

namespace {

StatusOr<int64_t> DurationFlag(const std::map<std::string, std::string>& flags, const std::string& name) {
  auto it = flags.find(name);
  if (it == flags.end()) return NotFoundError("Prometheus flag " + name + " not reported");
  auto ms = ParseDurationMs(it->second);
  if (!ms) return BadData("Prometheus flag " + name + " has an invalid duration " + it->second);
  return *ms;
}

}  // namespace

StatusOr<BlockDurations> BlockDurationsFromFlags(const std::map<std::string, std::string>& flags) {
  auto min = DurationFlag(flags, "storage.tsdb.min-block-duration");
  if (!min.ok()) return min.status();
  auto max = DurationFlag(flags, "storage.tsdb.max-block-duration");
  if (!max.ok()) return max.status();
  return BlockDurations{*min, *max};
}

std::optional<int64_t> RetentionFromFlags(const std::map<std::string, std::string>& flags) {
  for (const char* name : {"storage.tsdb.retention.time", "storage.tsdb.retention"}) {
    auto d = DurationFlag(flags, name);
    if (d.ok() && *d > 0) return *d;
  }
  // Neither time nor size set: Prometheus applies its default of 15 days (the flag still
  // reads 0s). A size-only retention keeps data of any age.
  auto size = flags.find("storage.tsdb.retention.size");
  if (size == flags.end() || size->second == "0B" || size->second == "0") return int64_t{15} * 24 * 3600 * 1000;
  return std::nullopt;
}

}  // namespace meridian::storeapi::sidecar
