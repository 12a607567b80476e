#pragma once
// Evaluation of duration expressions (`x[5m+step()]`), which the engine does per query
// because step() and range() depend on the query's parameters.

#include <cstdint>
#include <optional>
#include <string>

#include "promql/parser/ast.h"

namespace meridian::promql {

struct DurationContext {
  int64_t step_ms = 0;   // query resolution; 0 for instant queries
  int64_t range_ms = 0;  // end - start; 0 for instant queries
};

// Seconds (may be fractional or negative); nullopt with *error for division by zero,
// non-finite results and the like.
std::optional<double> EvalDurationSeconds(const DurationExpr& d, const DurationContext& ctx,
                                          std::string* error);

// Milliseconds, as Prometheus converts: truncating seconds*1000.
std::optional<int64_t> EvalDurationMs(const DurationExpr& d, const DurationContext& ctx,
                                      std::string* error);

// True when the expression uses step() or range() (so it cannot be folded at parse time).
bool DependsOnQuery(const DurationExpr& d);

}  // namespace meridian::promql
