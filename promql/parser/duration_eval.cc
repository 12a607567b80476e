#include "promql/parser/duration_eval.h"

#include <cmath>

namespace meridian::promql {

std::optional<double> EvalDurationSeconds(const DurationExpr& d, const DurationContext& ctx,
                                          std::string* error) {
  using Op = DurationExpr::Op;
  switch (d.op) {
    case Op::kLiteral: return d.value_seconds;
    case Op::kStep: return static_cast<double>(ctx.step_ms) / 1000.0;
    case Op::kRange: return static_cast<double>(ctx.range_ms) / 1000.0;
    case Op::kNeg: {
      auto v = EvalDurationSeconds(*d.rhs, ctx, error);
      if (!v) return std::nullopt;
      return -*v;
    }
    default: break;
  }
  auto l = EvalDurationSeconds(*d.lhs, ctx, error);
  if (!l) return std::nullopt;
  auto r = EvalDurationSeconds(*d.rhs, ctx, error);
  if (!r) return std::nullopt;
  double v = 0;
  switch (d.op) {
    case Op::kAdd: v = *l + *r; break;
    case Op::kSub: v = *l - *r; break;
    case Op::kMul: v = *l * *r; break;
    case Op::kDiv:
      if (*r == 0) {
        if (error) *error = "division by zero";
        return std::nullopt;
      }
      v = *l / *r;
      break;
    case Op::kMod:
      if (*r == 0) {
        if (error) *error = "modulo by zero";
        return std::nullopt;
      }
      v = std::fmod(*l, *r);
      break;
    case Op::kPow: v = std::pow(*l, *r); break;
    case Op::kMinOf: v = std::fmin(*l, *r); break;
    case Op::kMaxOf: v = std::fmax(*l, *r); break;
    default: break;
  }
  if (!std::isfinite(v)) {
    if (error) *error = "duration expression does not evaluate to a finite number";
    return std::nullopt;
  }
  return v;
}

std::optional<int64_t> EvalDurationMs(const DurationExpr& d, const DurationContext& ctx,
                                      std::string* error) {
  auto s = EvalDurationSeconds(d, ctx, error);
  if (!s) return std::nullopt;
  double ms = *s * 1000.0;
  if (ms >= 9.2e18 || ms <= -9.2e18) {
    if (error) *error = "duration out of range";
    return std::nullopt;
  }
  return static_cast<int64_t>(ms);
}

bool DependsOnQuery(const DurationExpr& d) {
  if (d.op == DurationExpr::Op::kStep || d.op == DurationExpr::Op::kRange) return true;
  return (d.lhs && DependsOnQuery(*d.lhs)) || (d.rhs && DependsOnQuery(*d.rhs));
}

}  // namespace meridian::promql
