#pragma once
// What the engine tells a store about a selection, so a store can trim, pick downsampled data
// or push work down (Prometheus's storage.SelectHints; Thanos's QueryHints on the wire).

#include <cstdint>
#include <string>
#include <vector>

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
  // Downsampling: the coarsest resolution (ms) the caller accepts; 0 = raw only.
  int64_t max_resolution_ms = 0;
};

}  // namespace meridian::storage
