#include "promql/engine/function_registry.h"

#include <cmath>
#include <unordered_map>

#include "model/strings.h"
#include "model/value.h"
#include "promql/engine/annotations.h"
#include "promql/engine/function_ops.h"
#include "promql/engine/functions/label_functions.h"
#include "promql/engine/functions/math_functions.h"
#include "promql/engine/functions/range_functions.h"
#include "promql/engine/histogram_op.h"
#include "promql/engine/scalar_ops.h"
#include "promql/engine/vector_selector.h"
#include "promql/engine/weighted_average.h"

namespace meridian::promql::engine {

namespace fn = ::meridian::promql::functions;

namespace {

fn::RangeWindow Window(const RangeCall& c) {
  fn::RangeWindow w;
  w.ts = c.ts;
  w.vs = c.vs;
  w.n = c.n;
  w.range_start_ms = c.range_start_ms;
  w.range_end_ms = c.range_end_ms;
  w.no_resets = c.no_resets;
  return w;
}

bool Emit(const std::optional<double>& v, double* out) {
  if (!v) return false;
  *out = *v;
  return true;
}

using WindowFn = std::optional<double> (*)(const fn::RangeWindow&);

RangeKernel Simple(WindowFn f) {
  return [f](const RangeCall& c, double* out) { return Emit(f(Window(c)), out); };
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

RangeKernel CounterKernel(WindowFn f) {
  return [f](const RangeCall& c, double* out) {
    bool ok = Emit(f(Window(c)), out);
    if (ok) NotePossibleNonCounter(c);
    return ok;
  };
}

const std::unordered_map<std::string_view, RangeKernel>& RangeKernels() {
  static const auto* m = new std::unordered_map<std::string_view, RangeKernel>{
      {"rate", CounterKernel(fn::Rate)},
      {"increase", CounterKernel(fn::Increase)},
      {"delta", Simple(fn::Delta)},
      {"irate", Simple(fn::Irate)},
      {"idelta", Simple(fn::Idelta)},
      {"deriv", Simple(fn::Deriv)},
      {"changes", [](const RangeCall& c, double* out) { return Emit(fn::Changes(Window(c)), out); }},
      {"resets", [](const RangeCall& c, double* out) { return Emit(fn::Resets(Window(c)), out); }},
      {"avg_over_time", Simple(fn::AvgOverTime)},
      {"sum_over_time", Simple(fn::SumOverTime)},
      {"min_over_time", Simple(fn::MinOverTime)},
      {"max_over_time", Simple(fn::MaxOverTime)},
      {"count_over_time", Simple(fn::CountOverTime)},
      {"stddev_over_time", Simple(fn::StddevOverTime)},
      {"stdvar_over_time", Simple(fn::StdvarOverTime)},
      {"last_over_time", Simple(fn::LastOverTime)},
      {"first_over_time", Simple(fn::FirstOverTime)},
      {"present_over_time", Simple(fn::PresentOverTime)},
      {"mad_over_time", Simple(fn::MadOverTime)},
      {"ts_of_min_over_time", Simple(fn::TsOfMinOverTime)},
      {"ts_of_max_over_time", Simple(fn::TsOfMaxOverTime)},
      {"ts_of_last_over_time", Simple(fn::TsOfLastOverTime)},
      {"ts_of_first_over_time", Simple(fn::TsOfFirstOverTime)},
      {"quantile_over_time",
       [](const RangeCall& c, double* out) {
         fn::KernelNotes notes;
         bool ok = Emit(fn::QuantileOverTime(Window(c), (*c.scalar_args)[0], &notes), out);
         if (notes.invalid_quantile) {
           c.ctx->annotations().AddWarning(InvalidQuantileWarning((*c.scalar_args)[0]), c.param_pos);
         }
         return ok;
       }},
      {"predict_linear",
       [](const RangeCall& c, double* out) {
         return Emit(fn::PredictLinear(Window(c), (*c.scalar_args)[0], c.step_ms), out);
       }},
  };
  return *m;
}

// Scalar arguments of range functions: which argument positions are scalars.
bool IsScalarArg(const Call& c, size_t i) {
  return c.func->ArgType(i) == ValueType::kScalar;
}

Labels AbsentLabels(const Expr& arg) {
  const Expr& e = Unwrap(arg);
  const VectorSelector* vs = nullptr;
  if (e.kind() == NodeKind::kVectorSelector) vs = &e.As<VectorSelector>();
  if (e.kind() == NodeKind::kMatrixSelector) vs = e.As<MatrixSelector>().vector_selector.get();
  if (vs == nullptr) return {};
  // Equality matchers give the labels; a label matched more than once gives none.
  // A label constrained by more than one matcher (of any type) is left out.
  std::vector<Label> kept;
  for (const auto& m : vs->matchers) {
    if (m->name() == kMetricName || m->type() != MatchType::kEqual) continue;
    int uses = 0;
    for (const auto& o : vs->matchers) uses += o->name() == m->name();
    if (uses == 1) kept.push_back(Label{m->name(), m->value()});
  }
  return Labels::FromUnsorted(std::move(kept));
}

ElementKernel Unary(fn::UnaryFn f) {
  return [f](double v, const std::vector<double>&, int64_t, double* out) {
    *out = f(v);
    return true;
  };
}

StatusOr<std::string> StringArg(const Expr& e) {
  const Expr& u = Unwrap(e);
  if (u.kind() != NodeKind::kStringLiteral) return ExecutionError("expected a string literal");
  return u.As<StringLiteral>().value;
}

}  // namespace

void NotePossibleNonCounter(const RangeCall& c) {
  if (c.labels == nullptr || (c.noted != nullptr && *c.noted)) return;
  if (c.noted != nullptr) *c.noted = 1;
  std::string_view name = c.labels->MetricName();
  if (!name.empty() && !EndsWith(name, "_total") && !EndsWith(name, "_sum") && !EndsWith(name, "_count") &&
      !EndsWith(name, "_bucket")) {
    c.ctx->annotations().AddInfo(PossibleNonCounterInfo(std::string(name)), c.matrix_pos);
  }
}

RangeKernel LookupRangeKernel(std::string_view name) {
  auto it = RangeKernels().find(name);
  return it == RangeKernels().end() ? RangeKernel() : it->second;
}

bool IsValidLabelNameForEngine(const std::string& name) { return fn::IsValidLabelName(name); }

bool IsSortFunction(std::string_view name) {
  return name == "sort" || name == "sort_desc" || name == "sort_by_label" ||
         name == "sort_by_label_desc";
}

StatusOr<OperatorPtr> PlanFunctionCall(Planner* planner, const Call& call, const StepRange& range,
                                       const HintScope& hints) {
  QueryContext* ctx = planner->ctx();
  const std::string_view name = call.func->name;
  const bool delayed = ctx->opts().enable_delayed_name_removal;
  HintScope inner = hints;
  inner.func = std::string(name);

  auto plan_scalar_args = [&](size_t from) -> StatusOr<std::vector<OperatorPtr>> {
    std::vector<OperatorPtr> out;
    for (size_t i = from; i < call.args.size(); ++i) {
      if (!IsScalarArg(call, i)) continue;
      auto op = planner->Plan(*call.args[i], range, HintScope{});
      if (!op.ok()) return op.status();
      out.push_back(std::move(*op));
    }
    return out;
  };

  // Range-vector functions.
  if (RangeKernel k = LookupRangeKernel(name); k || name == "absent_over_time" ||
                                               name == "double_exponential_smoothing") {
    size_t matrix_idx = 0;
    for (size_t i = 0; i < call.args.size(); ++i) {
      if (call.func->ArgType(i) == ValueType::kMatrix) matrix_idx = i;
    }
    auto make_spec = [&](const Planner::RangeArg& arg) {
      RangeFunctionSpec spec;
      spec.name = std::string(name);
      spec.range_ms = arg.range_ms;
      spec.offset_ms = arg.offset_ms;
      spec.at_ms = arg.at_ms;
      spec.keep_name = name == "last_over_time" || name == "first_over_time";
      spec.matrix_pos = call.args[matrix_idx]->pos;
      if (!call.args.empty()) spec.param_pos = call.args[0]->pos;
      return spec;
    };
    const bool may_downsample =
        ctx->downsampling().automatic || ctx->downsampling().max_resolution_ms > 0;
    if (name == "avg_over_time" && may_downsample &&
        Unwrap(*call.args[matrix_idx]).kind() == NodeKind::kMatrixSelector) {
      // The mean of raw samples from downsampled windows: summed sums over summed counts.
      auto sums_arg = planner->PlanRangeArg(*call.args[matrix_idx], range, inner, storage::AggregateRead::kSum);
      if (!sums_arg.ok()) return sums_arg.status();
      auto counts_arg = planner->PlanRangeArg(*call.args[matrix_idx], range, inner, storage::AggregateRead::kCount);
      if (!counts_arg.ok()) return counts_arg.status();
      RangeFunctionSpec sums = make_spec(*sums_arg);
      sums.kernel = std::move(k);
      sums.on_aggregates = OnAggregates::kAggregateKernel;
      sums.aggregate_kernel = LookupRangeKernel("sum_over_time");
      RangeFunctionSpec counts = make_spec(*counts_arg);
      counts.name = "count_over_time";
      counts.kernel = LookupRangeKernel("count_over_time");
      counts.on_aggregates = OnAggregates::kAggregateKernel;
      counts.aggregate_kernel = LookupRangeKernel("sum_over_time");
      return OperatorPtr(std::make_unique<WeightedAverageOp>(
          std::make_unique<RangeFunctionOp>(ctx, range, std::move(sums_arg->source), std::move(sums),
                                            std::vector<OperatorPtr>{}),
          std::make_unique<RangeFunctionOp>(ctx, range, std::move(counts_arg->source), std::move(counts),
                                            std::vector<OperatorPtr>{})));
    }
    auto arg = planner->PlanRangeArg(*call.args[matrix_idx], range, inner);
    if (!arg.ok()) return arg.status();
    auto scalars = plan_scalar_args(0);
    if (!scalars.ok()) return scalars.status();
    RangeFunctionSpec spec = make_spec(*arg);
    // A downsampled window's count stands for that many raw samples.
    if (name == "count_over_time") {
      spec.on_aggregates = OnAggregates::kAggregateKernel;
      spec.aggregate_kernel = LookupRangeKernel("sum_over_time");
    }
    if (name == "rate") spec.on_aggregates = OnAggregates::kSmoothedRate;
    if (name == "increase") spec.on_aggregates = OnAggregates::kSmoothedIncrease;
    if (name == "absent_over_time") {
      spec.kernel = LookupRangeKernel("count_over_time");
    } else if (name == "double_exponential_smoothing") {
      spec.kernel = [](const RangeCall& c, double* out) {
        auto r = fn::DoubleExponentialSmoothing(Window(c), (*c.scalar_args)[0], (*c.scalar_args)[1]);
        if (!r.ok()) return false;
        return Emit(*r, out);
      };
    } else {
      spec.kernel = std::move(k);
    }
    if (name == "rate") spec.inline_kernel = InlineKernel::kRate;
    if (name == "increase") spec.inline_kernel = InlineKernel::kIncrease;
    if (name == "delta") spec.inline_kernel = InlineKernel::kDelta;
    auto op = std::make_unique<RangeFunctionOp>(ctx, range, std::move(arg->source), std::move(spec),
                                                std::move(*scalars));
    if (name == "absent_over_time") {
      return OperatorPtr(std::make_unique<AbsentOp>(std::move(op), AbsentLabels(*call.args[0])));
    }
    return OperatorPtr(std::move(op));
  }

  if (name == "time") {
    return OperatorPtr(std::make_unique<StepScalarOp>(
        ctx, range, "time", [](int64_t t) { return static_cast<double>(t) / 1000.0; }));
  }
  if (name == "step" || name == "range" || name == "start" || name == "end") {
    const double v = static_cast<double>(name == "step"    ? planner->query_step()
                                         : name == "range" ? planner->query_end() - planner->query_start()
                                         : name == "start" ? planner->query_start()
                                                           : planner->query_end()) /
                     1000.0;
    return OperatorPtr(
        std::make_unique<StepScalarOp>(ctx, range, std::string(name), [v](int64_t) { return v; }));
  }
  if (name == "min_of" || name == "max_of") {
    auto a = planner->Plan(*call.args[0], range, inner);
    if (!a.ok()) return a.status();
    auto b = planner->Plan(*call.args[1], range, inner);
    if (!b.ok()) return b.status();
    return OperatorPtr(std::make_unique<ScalarPairOp>(
        std::string(name), std::move(*a), std::move(*b),
        name == "min_of" ? +[](double x, double y) { return std::isnan(x) || std::isnan(y) ? std::nan("") : std::min(x, y); }
                         : +[](double x, double y) { return std::isnan(x) || std::isnan(y) ? std::nan("") : std::max(x, y); }));
  }
  if (name == "pi") {
    return OperatorPtr(
        std::make_unique<StepScalarOp>(ctx, range, "pi", [](int64_t) { return M_PI; }));
  }
  if (name == "vector") {
    auto in = planner->Plan(*call.args[0], range, inner);
    if (!in.ok()) return in.status();
    return OperatorPtr(std::make_unique<VectorFromScalarOp>(std::move(*in)));
  }
  if (name == "scalar") {
    auto in = planner->Plan(*call.args[0], range, inner);
    if (!in.ok()) return in.status();
    return OperatorPtr(std::make_unique<ScalarFromVectorOp>(std::move(*in)));
  }
  if (name == "absent") {
    auto in = planner->Plan(*call.args[0], range, inner);
    if (!in.ok()) return in.status();
    return OperatorPtr(std::make_unique<AbsentOp>(std::move(*in), AbsentLabels(*call.args[0])));
  }
  if (name == "timestamp") {
    const Expr& a = Unwrap(*call.args[0]);
    if (a.kind() == NodeKind::kVectorSelector) {
      // The sample's own timestamp, which only the selector knows.
      const auto& vs = a.As<VectorSelector>();
      SelectorSpec spec;
      spec.matchers = vs.matchers;
      auto off = planner->Duration(vs.offset_expr.get(), vs.original_offset_ms);
      if (!off.ok()) return off.status();
      spec.offset_ms = *off;
      spec.at_ms = planner->ResolveAt(vs.timestamp_ms, vs.start_or_end);
      spec.hints.func = "timestamp";
      spec.hints.step_ms = range.step;
      planner->SetInstantResolution(&spec, /*needs_raw=*/true, a.pos);
      OperatorPtr op = std::make_unique<VectorSelectorOp>(ctx, range, std::move(spec), true);
      return OperatorPtr(std::make_unique<ElementwiseOp>(
          ctx, range, "timestamp", std::move(op), std::vector<OperatorPtr>{},
          [](double v, const std::vector<double>&, int64_t, double* out) {
            *out = v;
            return true;
          },
          false));
    }
    auto in = planner->Plan(a, range, inner);
    if (!in.ok()) return in.status();
    return OperatorPtr(std::make_unique<ElementwiseOp>(
        ctx, range, "timestamp", std::move(*in), std::vector<OperatorPtr>{},
        [](double, const std::vector<double>&, int64_t t, double* out) {
          *out = static_cast<double>(t) / 1000.0;
          return true;
        },
        false));
  }
  if (IsSortFunction(name)) {
    if (planner->is_range_query()) {
      ctx->annotations().AddWarning(
          "PromQL warning: sort is ineffective for range queries since results are always "
          "ordered by labels",
          call.pos);
    }
    // Ordering is applied to the final instant result; values and labels pass through.
    return planner->Plan(*call.args[0], range, inner);
  }
  if (name == "label_replace" || name == "label_join") {
    auto in = planner->Plan(*call.args[0], range, inner);
    if (!in.ok()) return in.status();
    std::vector<std::string> s;
    for (size_t i = 1; i < call.args.size(); ++i) {
      auto v = StringArg(*call.args[i]);
      if (!v.ok()) return v.status();
      s.push_back(*v);
    }
    LabelTransform t;
    if (name == "label_replace") {
      if (s.size() != 4) return ExecutionError("label_replace: wrong number of arguments");
      auto r = fn::LabelReplacer::Create(s[0], s[1], s[2], s[3]);
      if (!r.ok()) return r.status();
      auto rep = std::make_shared<fn::LabelReplacer>(std::move(*r));
      t = [rep](const Labels& in, Labels* out, bool* set_name) {
        bool changed = false;
        *out = rep->Apply(in, &changed);
        *set_name = changed && rep->dst() == kMetricName;
        return Status::Ok();
      };
    } else {
      if (s.size() < 2) return ExecutionError("label_join: wrong number of arguments");
      std::vector<std::string> srcs(s.begin() + 2, s.end());
      auto r = fn::LabelJoiner::Create(s[0], s[1], srcs);
      if (!r.ok()) return r.status();
      auto j = std::make_shared<fn::LabelJoiner>(std::move(*r));
      t = [j](const Labels& in, Labels* out, bool* set_name) {
        *out = j->Apply(in);
        *set_name = j->dst() == kMetricName;
        return Status::Ok();
      };
    }
    return OperatorPtr(
        std::make_unique<LabelTransformOp>(std::string(name), std::move(*in), std::move(t), delayed));
  }
  if (name == "histogram_quantiles") {
    auto in = planner->Plan(*call.args[0], range, inner);
    if (!in.ok()) return in.status();
    auto label = StringArg(*call.args[1]);
    if (!label.ok()) return label.status();
    if (!IsValidLabelNameForEngine(*label)) {
      return ExecutionError("invalid label name " + GoQuote(*label));
    }
    auto scalars = plan_scalar_args(2);
    if (!scalars.ok()) return scalars.status();
    auto op = std::make_unique<ClassicHistogramOp>(ctx, range, false, std::move(*scalars),
                                                   std::move(*in), call.args[2]->pos,
                                                   call.args[0]->pos);
    op->set_quantiles_label(*label);
    return OperatorPtr(std::move(op));
  }
  if (name == "histogram_quantile" || name == "histogram_fraction") {
    const bool fraction = name == "histogram_fraction";
    const size_t vec_idx = fraction ? 2 : 1;
    auto in = planner->Plan(*call.args[vec_idx], range, inner);
    if (!in.ok()) return in.status();
    auto scalars = plan_scalar_args(0);
    if (!scalars.ok()) return scalars.status();
    return OperatorPtr(std::make_unique<ClassicHistogramOp>(
        ctx, range, fraction, std::move(*scalars), std::move(*in), call.args[0]->pos,
        call.args[vec_idx]->pos));
  }

  // Elementwise functions of one vector with optional scalar arguments.
  ElementKernel kernel;
  if (fn::UnaryFn f = fn::LookupUnaryFunction(name)) {
    kernel = Unary(f);
  } else if (name == "clamp") {
    kernel = [](double v, const std::vector<double>& a, int64_t, double* out) {
      if (!fn::ClampBoundsValid(a[0], a[1])) return false;
      *out = fn::Clamp(v, a[0], a[1]);
      return true;
    };
  } else if (name == "clamp_min") {
    kernel = [](double v, const std::vector<double>& a, int64_t, double* out) {
      *out = fn::ClampMin(v, a[0]);
      return true;
    };
  } else if (name == "clamp_max") {
    kernel = [](double v, const std::vector<double>& a, int64_t, double* out) {
      *out = fn::ClampMax(v, a[0]);
      return true;
    };
  } else if (name == "round") {
    kernel = [](double v, const std::vector<double>& a, int64_t, double* out) {
      *out = a.empty() ? fn::Round(v) : fn::Round(v, a[0]);
      return true;
    };
  } else if (name.rfind("histogram_", 0) == 0) {
    // Native-histogram functions ignore float samples.
    kernel = [](double, const std::vector<double>&, int64_t, double*) { return false; };
  } else {
    return ExecutionError("function \"" + std::string(name) + "\" is not supported yet");
  }
  OperatorPtr in;
  if (call.args.empty()) {
    // Date functions default to vector(time()).
    in = std::make_unique<VectorFromScalarOp>(std::make_unique<StepScalarOp>(
        ctx, range, "time", [](int64_t t) { return static_cast<double>(t) / 1000.0; }));
  } else {
    auto p = planner->Plan(*call.args[0], range, inner);
    if (!p.ok()) return p.status();
    in = std::move(*p);
  }
  auto scalars = plan_scalar_args(1);
  if (!scalars.ok()) return scalars.status();
  return OperatorPtr(std::make_unique<ElementwiseOp>(ctx, range, std::string(name), std::move(in),
                                                     std::move(*scalars), std::move(kernel),
                                                     false));
}

}  // namespace meridian::promql::engine
