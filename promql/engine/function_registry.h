#pragma once
// The mapping from PromQL function calls to operators and kernels
// (promql/engine/functions/). One place to look when adding a function.

#include "promql/engine/operator.h"
#include "promql/engine/planner.h"
#include "promql/engine/range_function.h"

namespace meridian::promql::engine {

StatusOr<OperatorPtr> PlanFunctionCall(Planner* planner, const Call& call, const StepRange& range,
                                       const HintScope& hints);

// The range kernel for a range-vector function name; null when the name is not one.
RangeKernel LookupRangeKernel(std::string_view name);

// rate/increase: Prometheus notes (info), once per series, when the metric name does not look
// like a counter. Call after the function produced a value for the series of `call`.
void NotePossibleNonCounter(const RangeCall& call);

// Prometheus 3 accepts any non-empty UTF-8 label name.
bool IsValidLabelNameForEngine(const std::string& name);

// Functions whose instant result is ordered (sort, sort_desc, sort_by_label[_desc]).
bool IsSortFunction(std::string_view name);

}  // namespace meridian::promql::engine
