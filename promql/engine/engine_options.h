#pragma once
// Switches and limits of the engine. Defaults follow Prometheus's defaults; the corpus runner
// turns on what upstream's test runner turns on.

#include <cstdint>

namespace meridian::promql::engine {

struct EngineOpts {
  int64_t lookback_delta_ms = 5 * 60 * 1000;
  // Prometheus's --query.max-samples default.
  int64_t max_samples = 50'000'000;
  // 0 = no timeout.
  int64_t timeout_ms = 2 * 60 * 1000;
  // Keep __name__ through the query and drop it at the end (Prometheus 3's
  // EnableDelayedNameRemoval), so functions like label_replace can still see it.
  bool enable_delayed_name_removal = false;
  bool enable_at_modifier = true;
  bool enable_negative_offset = true;
  // Steps per batch handed between operators: large enough to amortise virtual calls, small
  // enough to keep batches in cache.
  int steps_per_batch = 10;
  // Threads one operator may use for independent series (range functions), from the
  // process's worker pool (common/worker_pool.h). 1 = run on the calling thread only.
  int max_parallelism = 1;
  // Operators that compute each series from its own samples hand their output series by
  // series to consumers that can take it (Operator::NextRows). Off: step batches only (the
  // tests compare both paths bit for bit).
  bool series_major_rows = true;
  // Step of subqueries written without one (`x[1h:]`): Prometheus uses the global
  // evaluation interval.
  int64_t default_subquery_step_ms = 60 * 1000;
};

}  // namespace meridian::promql::engine
