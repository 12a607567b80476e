#pragma once
// Self-monitoring: one prometheus-cpp registry per process, rendered in the text exposition
// format on each component's /metrics, with the process_* metrics Prometheus clients expect.

#include <memory>
#include <string>

#include <prometheus/registry.h>

namespace meridian {

// The registry every component registers its metric families in.
prometheus::Registry& MetricsRegistry();
std::shared_ptr<prometheus::Registry> MetricsRegistryPtr();

// Everything in the registry plus process_* metrics, in the text format (version 0.0.4).
std::string RenderMetrics();

inline constexpr const char* kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace meridian
