#pragma once
// Turns the typed AST into a tree of operators over one step grid. Resolves everything that
// is fixed for the query up front: @ start()/end(), duration expressions, offsets, subquery
// grids, selector hints.

#include <memory>
#include <string>

#include "promql/engine/operator.h"
#include "promql/engine/query_context.h"
#include "promql/engine/range_source.h"
#include "promql/parser/ast.h"
#include "promql/parser/duration_eval.h"

namespace meridian::promql::engine {

// What the planner passes down to selectors as storage hints.
struct HintScope {
  std::string func;
  std::vector<std::string> grouping;
  bool by = false;
};

class Planner {
 public:
  // query_start/end: the query's own range (for @ start()/end()); step 0 for instant queries.
  Planner(QueryContext* ctx, int64_t query_start, int64_t query_end, int64_t query_step);

  StatusOr<OperatorPtr> Plan(const Expr& e, const StepRange& range, const HintScope& hints = {});

  // A range-vector argument (matrix selector or subquery) as a source of per-series samples
  // plus the window parameters the function applies.
  struct RangeArg {
    std::unique_ptr<RangeSource> source;
    int64_t range_ms = 0;
    int64_t offset_ms = 0;
    std::optional<int64_t> at_ms;
    const VectorSelector* selector = nullptr;  // for matrix selectors
  };
  // `read`: the aggregate a matrix selector reads from downsampled chunks, when not the one
  // its function implies (resolution.h).
  StatusOr<RangeArg> PlanRangeArg(const Expr& e, const StepRange& range, const HintScope& hints,
                                  std::optional<storage::AggregateRead> read = std::nullopt);

  // Fills the resolution an instant-vector selector reads (resolution.h) into spec->hints.
  void SetInstantResolution(SelectorSpec* spec, bool needs_raw, const PosRange& pos) const;

  StatusOr<int64_t> Duration(const DurationExpr* d, int64_t literal_ms) const;
  std::optional<int64_t> ResolveAt(const std::optional<int64_t>& ts, AtPreprocessor p) const;

  QueryContext* ctx() const { return ctx_; }
  bool is_range_query() const { return dctx_.step_ms > 0; }
  int64_t query_start() const { return query_start_; }
  int64_t query_end() const { return query_end_; }
  int64_t query_step() const { return dctx_.step_ms; }

 private:
  StatusOr<OperatorPtr> PlanSelector(const VectorSelector& vs, const StepRange& range,
                                     const HintScope& hints, bool emit_timestamps);
  StatusOr<OperatorPtr> PlanBinary(const BinaryExpr& b, const StepRange& range,
                                   const HintScope& hints);
  StatusOr<OperatorPtr> PlanAggregate(const AggregateExpr& a, const StepRange& range,
                                      const HintScope& hints);
  StatusOr<OperatorPtr> PlanCall(const Call& c, const StepRange& range, const HintScope& hints);

  QueryContext* ctx_;
  int64_t query_start_, query_end_;
  DurationContext dctx_;
};

// Strips parentheses.
const Expr& Unwrap(const Expr& e);

}  // namespace meridian::promql::engine
