#include "promql/engine/resolution.h"

#include <algorithm>
#include <limits>
#include <string>
#include <unordered_map>

#include "model/duration.h"

namespace meridian::promql::engine {

namespace {

using storage::AggregateRead;

// Coarser data of any resolution may fill in under `auto`.
constexpr int64_t kAnyResolution = std::numeric_limits<int64_t>::max();

int64_t FillResolution(const DownsamplingOptions& opts) {
  return opts.automatic ? kAnyResolution : opts.max_resolution_ms;
}

}  // namespace

std::optional<AggregateRead> AggregateReadFor(std::string_view func) {
  static const auto* reads = new std::unordered_map<std::string_view, AggregateRead>{
      // Exact on windows aligned to the resolution: counts, sums, extremes, presence.
      {"count_over_time", AggregateRead::kCount},
      {"present_over_time", AggregateRead::kCount},
      {"absent_over_time", AggregateRead::kCount},
      {"sum_over_time", AggregateRead::kSum},
      {"avg_over_time", AggregateRead::kSum},  // over the counts read alongside
      {"min_over_time", AggregateRead::kMin},
      {"max_over_time", AggregateRead::kMax},
      // The counter aggregate keeps every increase; resets are already removed.
      {"rate", AggregateRead::kCounter},
      {"increase", AggregateRead::kCounter},
      {"irate", AggregateRead::kCounter},
      // Gauge trends and latest values, from the window averages.
      {"delta", AggregateRead::kAverage},
      {"idelta", AggregateRead::kAverage},
      {"deriv", AggregateRead::kAverage},
      {"predict_linear", AggregateRead::kAverage},
      {"double_exponential_smoothing", AggregateRead::kAverage},
      {"holt_winters", AggregateRead::kAverage},
      {"last_over_time", AggregateRead::kAverage},
      {"first_over_time", AggregateRead::kAverage},
  };
  auto it = reads->find(func);
  if (it == reads->end()) return std::nullopt;
  return it->second;
}

SelectorResolution RangeSelectorResolution(const DownsamplingOptions& opts, std::string_view func,
                                           int64_t range_ms) {
  SelectorResolution r;
  const std::optional<AggregateRead> read = AggregateReadFor(func);
  if (!read) {
    // resets, changes, quantiles, deviations, sample timestamps: only raw samples give
    // PromQL's answer.
    r.needs_raw = true;
    r.fill_resolution_ms = FillResolution(opts);
    return r;
  }
  r.read = *read;
  r.max_resolution_ms = std::min(opts.max_resolution_ms, std::max<int64_t>(range_ms, 0) / kMinWindowsPerRange);
  r.fill_resolution_ms = std::max(FillResolution(opts), r.max_resolution_ms);
  return r;
}

SelectorResolution InstantSelectorResolution(const DownsamplingOptions& opts, bool needs_raw) {
  SelectorResolution r;
  r.read = AggregateRead::kWindowAverage;
  r.needs_raw = needs_raw;
  r.max_resolution_ms = needs_raw ? 0 : opts.max_resolution_ms;
  r.fill_resolution_ms = std::max(FillResolution(opts), r.max_resolution_ms);
  return r;
}

std::string ResolutionName(int64_t resolution_ms) {
  return resolution_ms <= 0 ? "raw" : FormatDurationMs(resolution_ms);
}

}  // namespace meridian::promql::engine
