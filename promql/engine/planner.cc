#include "promql/engine/planner.h"

#include <cmath>

#include "model/strings.h"

#include "promql/engine/aggregate.h"
#include "promql/engine/binary.h"
#include "promql/engine/function_ops.h"
#include "promql/engine/function_registry.h"
#include "promql/engine/histogram_op.h"
#include "promql/engine/range_function.h"
#include "promql/engine/scalar_ops.h"
#include "promql/engine/set_ops.h"
#include "promql/engine/vector_selector.h"

namespace meridian::promql::engine {

const Expr& Unwrap(const Expr& e) {
  const Expr* p = &e;
  while (p->kind() == NodeKind::kParen) p = p->As<ParenExpr>().expr.get();
  return *p;
}

Planner::Planner(QueryContext* ctx, int64_t query_start, int64_t query_end, int64_t query_step)
    : ctx_(ctx), query_start_(query_start), query_end_(query_end) {
  dctx_.step_ms = query_step;
  dctx_.range_ms = query_end - query_start;
}

StatusOr<int64_t> Planner::Duration(const DurationExpr* d, int64_t literal_ms) const {
  if (d == nullptr) return literal_ms;
  std::string err;
  std::optional<int64_t> v = EvalDurationMs(*d, dctx_, &err);
  if (!v) return ExecutionError(err);
  return *v;
}

std::optional<int64_t> Planner::ResolveAt(const std::optional<int64_t>& ts,
                                          AtPreprocessor p) const {
  if (p == AtPreprocessor::kStart) return query_start_;
  if (p == AtPreprocessor::kEnd) return query_end_;
  return ts;
}

StatusOr<OperatorPtr> Planner::PlanSelector(const VectorSelector& vs, const StepRange& range,
                                            const HintScope& hints, bool emit_timestamps) {
  SelectorSpec spec;
  spec.matchers = vs.matchers;
  auto off = Duration(vs.offset_expr.get(), vs.original_offset_ms);
  if (!off.ok()) return off.status();
  spec.offset_ms = *off;
  spec.at_ms = ResolveAt(vs.timestamp_ms, vs.start_or_end);
  spec.hints.step_ms = range.step;
  spec.hints.func = hints.func;
  spec.hints.grouping = hints.grouping;
  spec.hints.by = hints.by;
  SetInstantResolution(&spec, emit_timestamps, vs.pos);
  return OperatorPtr(
      std::make_unique<VectorSelectorOp>(ctx_, range, std::move(spec), emit_timestamps));
}

namespace {

// How far outside the selection a read of downsampled data looks (SelectorSpec::
// aggregate_window_ms). Held windows are stamped at their end, so the window holding the last
// step (of any resolution that may fill in) is needed whole. A counter's totals at the ends of
// the windows around a range bound its increase, at the chosen resolution; where coarser data
// fills in, its edges are extrapolated instead, so that raw reads (the common case) fetch no
// more than their range.
void SetAggregateWindow(const SelectorResolution& r, SelectorSpec* spec) {
  // The coarsest resolution stores hold at or below `ms` (0: raw data only).
  auto coarsest_up_to = [](int64_t ms) {
    return ms >= storage::kResolution1h ? storage::kResolution1h : ms >= storage::kResolution5m ? storage::kResolution5m : 0;
  };
  spec->aggregate_window_ms = 0;
  spec->aggregate_look_behind = false;
  if (r.read == storage::AggregateRead::kWindowAverage) {
    spec->aggregate_window_ms = coarsest_up_to(std::max(r.max_resolution_ms, r.fill_resolution_ms));
  } else if (r.read == storage::AggregateRead::kCounter) {
    spec->aggregate_window_ms = coarsest_up_to(r.max_resolution_ms);
    spec->aggregate_look_behind = true;
  }
}

void ApplyResolution(const SelectorResolution& r, SelectorSpec* spec) {
  spec->hints.max_resolution_ms = r.max_resolution_ms;
  spec->hints.fill_resolution_ms = r.fill_resolution_ms;
  spec->hints.aggregate = r.read;
  spec->needs_raw = r.needs_raw;
}

}  // namespace

void Planner::SetInstantResolution(SelectorSpec* spec, bool needs_raw, const PosRange& pos) const {
  const SelectorResolution r = InstantSelectorResolution(ctx_->downsampling(), needs_raw);
  ApplyResolution(r, spec);
  spec->pos = pos;
  SetAggregateWindow(r, spec);
}

StatusOr<Planner::RangeArg> Planner::PlanRangeArg(const Expr& e0, const StepRange& range,
                                                  const HintScope& hints,
                                                  std::optional<storage::AggregateRead> read) {
  const Expr& e = Unwrap(e0);
  RangeArg arg;
  if (e.kind() == NodeKind::kMatrixSelector) {
    const auto& ms = e.As<MatrixSelector>();
    const VectorSelector& vs = *ms.vector_selector;
    if (vs.anchored || vs.smoothed) {
      return ExecutionError("anchored and smoothed range selectors are not supported yet");
    }
    auto r = Duration(ms.range_expr.get(), ms.range_ms);
    if (!r.ok()) return r.status();
    auto off = Duration(vs.offset_expr.get(), vs.original_offset_ms);
    if (!off.ok()) return off.status();
    arg.range_ms = *r;
    arg.offset_ms = *off;
    arg.at_ms = ResolveAt(vs.timestamp_ms, vs.start_or_end);
    arg.selector = &vs;
    const size_t n = range.NumSteps();
    int64_t e_first = (arg.at_ms ? *arg.at_ms : range.start) - arg.offset_ms;
    int64_t e_last = (arg.at_ms ? *arg.at_ms : range.At(n == 0 ? 0 : n - 1)) - arg.offset_ms;
    SelectorSpec spec;
    spec.matchers = vs.matchers;
    spec.offset_ms = arg.offset_ms;
    spec.at_ms = arg.at_ms;
    spec.range_ms = arg.range_ms;
    spec.hints.step_ms = range.step;
    spec.hints.range_ms = arg.range_ms;
    spec.hints.func = hints.func;
    spec.hints.grouping = hints.grouping;
    spec.hints.by = hints.by;
    SelectorResolution res = RangeSelectorResolution(ctx_->downsampling(), hints.func, arg.range_ms);
    if (read) res.read = *read;
    ApplyResolution(res, &spec);
    SetAggregateWindow(res, &spec);
    spec.pos = e.pos;
    arg.source = std::make_unique<StorageRangeSource>(
        ctx_, std::move(spec), std::min(e_first, e_last) - arg.range_ms + 1,
        std::max(e_first, e_last));
    return arg;
  }
  if (e.kind() == NodeKind::kSubquery) {
    const auto& sq = e.As<SubqueryExpr>();
    auto r = Duration(sq.range_expr.get(), sq.range_ms);
    if (!r.ok()) return r.status();
    auto st = Duration(sq.step_expr.get(), sq.step_ms);
    if (!st.ok()) return st.status();
    auto off = Duration(sq.offset_expr.get(), sq.original_offset_ms);
    if (!off.ok()) return off.status();
    int64_t step = *st > 0 ? *st : ctx_->opts().default_subquery_step_ms;
    arg.range_ms = *r;
    arg.offset_ms = *off;
    arg.at_ms = ResolveAt(sq.timestamp_ms, sq.start_or_end);
    const size_t n = range.NumSteps();
    int64_t e_first = (arg.at_ms ? *arg.at_ms : range.start) - arg.offset_ms;
    int64_t e_last = (arg.at_ms ? *arg.at_ms : range.At(n == 0 ? 0 : n - 1)) - arg.offset_ms;
    // The first inner step is the first multiple of the step after the window start.
    int64_t lo = e_first - arg.range_ms;
    int64_t inner_start = step * (lo / step);
    if (inner_start <= lo) inner_start += step;
    StepRange inner{inner_start, e_last, step};
    auto inner_op = Plan(*sq.expr, inner, HintScope{});
    if (!inner_op.ok()) return inner_op.status();
    arg.source = std::make_unique<SubqueryRangeSource>(ctx_, std::move(*inner_op));
    return arg;
  }
  return ExecutionError("expected a range vector argument");
}

StatusOr<OperatorPtr> Planner::Plan(const Expr& e, const StepRange& range,
                                    const HintScope& hints) {
  switch (e.kind()) {
    case NodeKind::kParen:
      return Plan(*e.As<ParenExpr>().expr, range, hints);
    case NodeKind::kNumberLiteral: {
      double v = e.As<NumberLiteral>().value;
      return OperatorPtr(std::make_unique<StepScalarOp>(ctx_, range, "number",
                                                        [v](int64_t) { return v; }));
    }
    case NodeKind::kStringLiteral:
      return ExecutionError("unexpected string literal in this position");
    case NodeKind::kVectorSelector:
      return PlanSelector(e.As<VectorSelector>(), range, hints, false);
    case NodeKind::kMatrixSelector:
    case NodeKind::kSubquery:
      return ExecutionError("range vector cannot be evaluated as an instant value here");
    case NodeKind::kUnary: {
      const auto& u = e.As<UnaryExpr>();
      auto in = Plan(*u.expr, range, hints);
      if (!in.ok()) return in.status();
      if (!u.negate) return in;
      ValueKind kind = (*in)->kind();
      auto op = std::make_unique<ElementwiseOp>(
          ctx_, range, "-", std::move(*in), std::vector<OperatorPtr>{},
          [](double v, const std::vector<double>&, int64_t, double* out) {
            *out = -v;
            return true;
          },
          kind == ValueKind::kScalar);
      op->set_kind(kind);
      return OperatorPtr(std::move(op));
    }
    case NodeKind::kBinary:
      return PlanBinary(e.As<BinaryExpr>(), range, hints);
    case NodeKind::kAggregate:
      return PlanAggregate(e.As<AggregateExpr>(), range, hints);
    case NodeKind::kCall:
      return PlanCall(e.As<Call>(), range, hints);
  }
  return InternalError("unknown expression kind");
}

StatusOr<OperatorPtr> Planner::PlanBinary(const BinaryExpr& b, const StepRange& range,
                                          const HintScope& hints) {
  auto l = Plan(*b.lhs, range, hints);
  if (!l.ok()) return l.status();
  auto r = Plan(*b.rhs, range, hints);
  if (!r.ok()) return r.status();
  const bool ls = b.lhs->type() == ValueType::kScalar;
  const bool rs = b.rhs->type() == ValueType::kScalar;
  if (ls && rs) {
    return OperatorPtr(std::make_unique<ScalarBinaryOp>(b.op, std::move(*l), std::move(*r)));
  }
  if (ls || rs) {
    if (IsSetOperator(b.op)) return ExecutionError("set operator not allowed with a scalar");
    OperatorPtr vec = ls ? std::move(*r) : std::move(*l);
    OperatorPtr sc = ls ? std::move(*l) : std::move(*r);
    return OperatorPtr(std::make_unique<VectorScalarBinaryOp>(ctx_, range, b.op, b.return_bool,
                                                              std::move(vec), std::move(sc), ls));
  }
  VectorMatching m = b.matching ? *b.matching : VectorMatching{};
  if ((m.fill_lhs || m.fill_rhs) && m.card != Cardinality::kOneToOne) {
    return ExecutionError("fill modifiers with group_left/group_right are not supported yet");
  }
  if (IsSetOperator(b.op)) {
    return OperatorPtr(std::make_unique<SetOp>(b.op, std::move(m), std::move(*l), std::move(*r)));
  }
  return OperatorPtr(std::make_unique<VectorBinaryOp>(ctx_, b.op, b.return_bool, std::move(m),
                                                      std::move(*l), std::move(*r)));
}

StatusOr<OperatorPtr> Planner::PlanAggregate(const AggregateExpr& a, const StepRange& range,
                                             const HintScope&) {
  HintScope inner;
  inner.func = std::string(AggregateOpString(a.op));
  inner.grouping = a.grouping;
  inner.by = !a.without;
  auto in = Plan(*a.expr, range, inner);
  if (!in.ok()) return in.status();
  AggregateSpec spec;
  spec.op = a.op;
  spec.grouping = a.grouping;
  spec.without = a.without;
  if (a.param) spec.param_pos = a.param->pos;
  OperatorPtr param;
  if (a.op == AggregateOp::kCountValues) {
    const Expr& p = Unwrap(*a.param);
    if (p.kind() != NodeKind::kStringLiteral) {
      return ExecutionError("count_values: expected a string label name");
    }
    spec.count_values_label = p.As<StringLiteral>().value;
    if (!IsValidLabelNameForEngine(spec.count_values_label)) {
      return ExecutionError("invalid label name " + GoQuote(spec.count_values_label));
    }
  } else if (a.param) {
    auto p = Plan(*a.param, range, HintScope{});
    if (!p.ok()) return p.status();
    param = std::move(*p);
  }
  return OperatorPtr(std::make_unique<AggregateOperator>(ctx_, range, std::move(spec),
                                                         std::move(*in), std::move(param)));
}

StatusOr<OperatorPtr> Planner::PlanCall(const Call& c, const StepRange& range,
                                        const HintScope& hints) {
  return PlanFunctionCall(this, c, range, hints);
}

}  // namespace meridian::promql::engine
