#pragma once
// Reads values out of a Prometheus text exposition (a component's /metrics), so tests can
// check counters such as grpc_server_handled_total{grpc_method="Series"}.

#include <map>
#include <string>

#include "model/status.h"

namespace meridian::testing {

// Sum of the samples of `name` whose labels include all of `labels` (0 when none).
double SumMetric(const std::string& exposition, const std::string& name,
                 const std::map<std::string, std::string>& labels = {});

// GETs `base_url`/metrics and sums as above.
StatusOr<double> ScrapeSum(const std::string& base_url, const std::string& name,
                           const std::map<std::string, std::string>& labels = {});

}  // namespace meridian::testing
