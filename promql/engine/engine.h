#pragma once
// The PromQL engine: plans a parsed expression into operators over a storage::Queryable and
// assembles the result.
//
//   Engine engine(opts);
//   auto r = engine.InstantQuery(&storage, *parsed.expr, ts_ms);
//   auto r = engine.RangeQuery(&storage, *parsed.expr, start_ms, end_ms, step_ms);

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>

#include "promql/engine/engine_options.h"
#include "promql/engine/resolution.h"
#include "promql/engine/result.h"
#include "promql/parser/ast.h"
#include "storage/storage.h"

namespace meridian::promql::engine {

struct QueryOptions {
  std::optional<int64_t> lookback_delta_ms;  // overrides the engine's default
  // Set to true from another thread to stop the query.
  std::shared_ptr<std::atomic<bool>> cancel;
  // The query as written; annotations then name positions ("(1:25)") as Prometheus does.
  std::string query_text;
  // Which downsampled data the selectors may read (resolution.h); by default raw data only.
  DownsamplingOptions downsampling;
  // A deadline the caller enforces itself through `cancel` (the HTTP API's timeout): reads
  // from storage end a little before it, as before the engine's own timeout.
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
};

class Engine {
 public:
  // A lookback delta of 0 means the default, 5m (as Prometheus's NewEngine reads
  // --query.lookback-delta=0s).
  explicit Engine(EngineOpts opts = {}) : opts_(opts) {
    if (opts_.lookback_delta_ms <= 0) opts_.lookback_delta_ms = EngineOpts{}.lookback_delta_ms;
  }

  StatusOr<QueryResult> InstantQuery(storage::Queryable* storage, const Expr& expr, int64_t ts_ms,
                                     const QueryOptions& qopts = {}) const;
  StatusOr<QueryResult> RangeQuery(storage::Queryable* storage, const Expr& expr,
                                   int64_t start_ms, int64_t end_ms, int64_t step_ms,
                                   const QueryOptions& qopts = {}) const;

  const EngineOpts& opts() const { return opts_; }

 private:
  StatusOr<QueryResult> Exec(storage::Queryable* storage, const Expr& expr, int64_t start,
                             int64_t end, int64_t step, bool instant,
                             const QueryOptions& qopts) const;

  EngineOpts opts_;
};

}  // namespace meridian::promql::engine
