#pragma once
// What the engine tells a store about a selection, so a store can trim, pick downsampled data
// or push work down (Prometheus's storage.SelectHints; Thanos's QueryHints on the wire).

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "storage/aggregate_read.h"

namespace meridian::storage {

struct SelectHints {
  int64_t start_ms = 0;  // the data range the selection needs (lookback/range/offset included)
  int64_t end_ms = 0;
  int64_t step_ms = 0;   // query step; 0 for instant queries
  int64_t range_ms = 0;  // range of the enclosing range selector, 0 for instant selectors
  std::string func;      // enclosing function ("rate", ...) or "series" for label-only reads
  std::vector<std::string> grouping;  // labels of the enclosing aggregation
  bool by = false;                    // grouping is "by" (true) or "without" (false)
  bool labels_only = false;           // the caller needs labels, not samples (skip_chunks)
  // Downsampling: the coarsest resolution (ms) the caller prefers; 0 = raw only. Stores pick,
  // per time range, the coarsest blocks at or below it and fill the rest with finer ones
  // (Thanos's rule).
  int64_t max_resolution_ms = 0;
  // Where no data at or below max_resolution_ms exists (raw data past its retention), blocks of
  // coarser resolutions up to this one fill the time, finest first. 0: no filling.
  int64_t fill_resolution_ms = 0;
  // Which aggregate of downsampled chunks the reader decodes; stores send only its sub-chunks.
  AggregateRead aggregate = AggregateRead::kAverage;
  // When the caller stops waiting: stores still silent then are given up (a warning, or an
  // error without partial response). Set a little before the query's own timeout so that
  // what did arrive can still be evaluated and answered.
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
};

}  // namespace meridian::storage
