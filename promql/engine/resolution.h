#pragma once
// Which resolution of downsampled data each selector of a query reads, and which of the
// aggregates (storage/aggregate_read.h).
//
// A query says how coarse it may go (DownsamplingOptions: the HTTP API's max_source_resolution,
// or `auto`). Each selector then asks the stores for the coarsest data its function can be
// answered from:
//   - range functions the aggregates answer (count/sum/min/max/avg_over_time exactly on
//     windows aligned to the resolution, rate/increase/irate from the counter aggregate, the
//     rest from window averages) read a resolution at most range/kMinWindowsPerRange, so every
//     window holds several aggregate points;
//   - functions the aggregates cannot answer (resets, changes, quantile_over_time,
//     stddev_over_time, ...) read raw data, and downsampled data only where there is no raw
//     data at all (the engine then notes it as an info annotation);
//   - instant-vector selectors read window averages at the query's resolution.
// Where no data at or below the chosen resolution exists (raw data past its retention), coarser
// data fills in: up to 1h under `auto`, up to the requested resolution otherwise.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "storage/aggregate_read.h"

namespace meridian::promql::engine {

struct DownsamplingOptions {
  // The coarsest resolution (ms) the query prefers: the request's max_source_resolution, or
  // under `auto` step/5 for range queries (--query.instant.default.max_source_resolution for
  // instant ones). 0: raw data.
  int64_t max_resolution_ms = 0;
  // `auto` (and --query.auto-downsampling): coarser data of any resolution may fill time that
  // has no data at or below the preferred one. Otherwise the request's value bounds it.
  bool automatic = false;
};

// A range function's window must span at least this many resolution windows.
inline constexpr int64_t kMinWindowsPerRange = 4;

// What one selector asks the stores for.
struct SelectorResolution {
  int64_t max_resolution_ms = 0;
  int64_t fill_resolution_ms = 0;
  storage::AggregateRead read = storage::AggregateRead::kAverage;
  // The function needs raw samples; downsampled data only stands in where there are none.
  bool needs_raw = false;
};

// What range function `func` reads from downsampled chunks: nullopt when the aggregates cannot
// give its PromQL answer (it then reads window averages where raw data is missing).
std::optional<storage::AggregateRead> AggregateReadFor(std::string_view func);

// The resolution of a matrix selector under range function `func` with window `range_ms`
// ("" for a range vector returned as it is).
SelectorResolution RangeSelectorResolution(const DownsamplingOptions& opts, std::string_view func, int64_t range_ms);

// The resolution of an instant-vector selector; needs_raw for timestamp(), which reports the
// sample times themselves.
SelectorResolution InstantSelectorResolution(const DownsamplingOptions& opts, bool needs_raw);

// "5m", "1h", "raw" (Prometheus duration form) for annotations and stats.
std::string ResolutionName(int64_t resolution_ms);

}  // namespace meridian::promql::engine
