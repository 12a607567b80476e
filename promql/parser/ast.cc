#include "promql/parser/ast.h"

#include <algorithm>
#include <cmath>
#include <tuple>

namespace meridian::promql {

std::string_view BinaryOpString(BinaryOp op) {
  switch (op) {
    case BinaryOp::kAdd: return "+";
    case BinaryOp::kSub: return "-";
    case BinaryOp::kMul: return "*";
    case BinaryOp::kDiv: return "/";
    case BinaryOp::kMod: return "%";
    case BinaryOp::kPow: return "^";
    case BinaryOp::kAtan2: return "atan2";
    case BinaryOp::kEql: return "==";
    case BinaryOp::kNeq: return "!=";
    case BinaryOp::kGtr: return ">";
    case BinaryOp::kLss: return "<";
    case BinaryOp::kGte: return ">=";
    case BinaryOp::kLte: return "<=";
    case BinaryOp::kAnd: return "and";
    case BinaryOp::kOr: return "or";
    case BinaryOp::kUnless: return "unless";
    case BinaryOp::kTrimUpper: return "</";
    case BinaryOp::kTrimLower: return ">/";
  }
  return "?";
}

bool IsComparisonOperator(BinaryOp op) {
  switch (op) {
    case BinaryOp::kEql: case BinaryOp::kNeq: case BinaryOp::kGtr:
    case BinaryOp::kLss: case BinaryOp::kGte: case BinaryOp::kLte:
      return true;
    default:
      return false;
  }
}

bool IsSetOperator(BinaryOp op) {
  return op == BinaryOp::kAnd || op == BinaryOp::kOr || op == BinaryOp::kUnless;
}

std::string_view AggregateOpString(AggregateOp op) {
  switch (op) {
    case AggregateOp::kSum: return "sum";
    case AggregateOp::kAvg: return "avg";
    case AggregateOp::kCount: return "count";
    case AggregateOp::kMin: return "min";
    case AggregateOp::kMax: return "max";
    case AggregateOp::kGroup: return "group";
    case AggregateOp::kStddev: return "stddev";
    case AggregateOp::kStdvar: return "stdvar";
    case AggregateOp::kTopk: return "topk";
    case AggregateOp::kBottomk: return "bottomk";
    case AggregateOp::kCountValues: return "count_values";
    case AggregateOp::kQuantile: return "quantile";
    case AggregateOp::kLimitk: return "limitk";
    case AggregateOp::kLimitRatio: return "limit_ratio";
  }
  return "?";
}

bool AggregateOpHasParam(AggregateOp op) {
  switch (op) {
    case AggregateOp::kTopk: case AggregateOp::kBottomk: case AggregateOp::kCountValues:
    case AggregateOp::kQuantile: case AggregateOp::kLimitk: case AggregateOp::kLimitRatio:
      return true;
    default:
      return false;
  }
}

bool AggregateOpIsExperimental(AggregateOp op) {
  return op == AggregateOp::kLimitk || op == AggregateOp::kLimitRatio;
}

std::string_view NodeKindName(NodeKind k) {
  switch (k) {
    case NodeKind::kNumberLiteral: return "NumberLiteral";
    case NodeKind::kStringLiteral: return "StringLiteral";
    case NodeKind::kVectorSelector: return "VectorSelector";
    case NodeKind::kMatrixSelector: return "MatrixSelector";
    case NodeKind::kSubquery: return "SubqueryExpr";
    case NodeKind::kCall: return "Call";
    case NodeKind::kAggregate: return "AggregateExpr";
    case NodeKind::kBinary: return "BinaryExpr";
    case NodeKind::kUnary: return "UnaryExpr";
    case NodeKind::kParen: return "ParenExpr";
  }
  return "?";
}

namespace {

template <typename T>
std::unique_ptr<T> CloneOrNull(const std::unique_ptr<T>& p) {
  if (!p) return nullptr;
  auto c = p->Clone();
  return std::unique_ptr<T>(static_cast<T*>(c.release()));
}

// NaN literals (e.g. `fill(NaN)`) must compare equal to themselves for round-trip checks.
bool SameDouble(double a, double b) {
  if (std::isnan(a) && std::isnan(b)) return true;
  return a == b;
}

bool SameOptDouble(const std::optional<double>& a, const std::optional<double>& b) {
  if (a.has_value() != b.has_value()) return false;
  return !a || SameDouble(*a, *b);
}

bool SameDur(const DurationExprPtr& a, const DurationExprPtr& b) {
  if (!a || !b) return !a && !b;
  return *a == *b;
}

bool SameExpr(const ExprPtr& a, const ExprPtr& b) {
  if (!a || !b) return !a && !b;
  return Equal(*a, *b);
}

// Matcher order carries no meaning (the printer sorts them), so compare as multisets.
bool SameMatchers(const Matchers& a, const Matchers& b) {
  if (a.size() != b.size()) return false;
  auto key = [](const MatcherPtr& m) {
    return std::make_tuple(m->name(), static_cast<int>(m->type()), m->value());
  };
  std::vector<std::tuple<std::string, int, std::string>> ka, kb;
  for (const auto& m : a) ka.push_back(key(m));
  for (const auto& m : b) kb.push_back(key(m));
  std::sort(ka.begin(), ka.end());
  std::sort(kb.begin(), kb.end());
  return ka == kb;
}

bool SameSelector(const VectorSelector& x, const VectorSelector& y) {
  return x.name == y.name && SameMatchers(x.matchers, y.matchers) &&
         x.original_offset_ms == y.original_offset_ms && SameDur(x.offset_expr, y.offset_expr) &&
         x.timestamp_ms == y.timestamp_ms && x.start_or_end == y.start_or_end &&
         x.anchored == y.anchored && x.smoothed == y.smoothed;
}

}  // namespace

std::unique_ptr<DurationExpr> DurationExpr::Clone() const {
  auto c = std::make_unique<DurationExpr>();
  c->op = op;
  c->value_seconds = value_seconds;
  c->duration_unit = duration_unit;
  c->wrapped = wrapped;
  c->lhs = lhs ? lhs->Clone() : nullptr;
  c->rhs = rhs ? rhs->Clone() : nullptr;
  c->pos = pos;
  return c;
}

bool operator==(const DurationExpr& a, const DurationExpr& b) {
  return a.op == b.op && SameDouble(a.value_seconds, b.value_seconds) &&
         a.duration_unit == b.duration_unit && a.wrapped == b.wrapped && SameDur(a.lhs, b.lhs) &&
         SameDur(a.rhs, b.rhs);
}

bool operator==(const VectorMatching& a, const VectorMatching& b) {
  return a.card == b.card && a.matching_labels == b.matching_labels && a.on == b.on &&
         a.include == b.include && SameOptDouble(a.fill_lhs, b.fill_lhs) &&
         SameOptDouble(a.fill_rhs, b.fill_rhs);
}

ExprPtr NumberLiteral::Clone() const { return std::make_unique<NumberLiteral>(*this); }
ExprPtr StringLiteral::Clone() const { return std::make_unique<StringLiteral>(*this); }

ExprPtr VectorSelector::Clone() const {
  auto c = std::make_unique<VectorSelector>();
  c->pos = pos;
  c->name = name;
  c->matchers = matchers;  // matchers are immutable and shared
  c->original_offset_ms = original_offset_ms;
  c->offset_expr = CloneOrNull(offset_expr);
  c->timestamp_ms = timestamp_ms;
  c->start_or_end = start_or_end;
  c->anchored = anchored;
  c->smoothed = smoothed;
  c->bypass_empty_matcher_check = bypass_empty_matcher_check;
  return c;
}

ExprPtr MatrixSelector::Clone() const {
  auto c = std::make_unique<MatrixSelector>();
  c->pos = pos;
  c->vector_selector = CloneOrNull(vector_selector);
  c->range_ms = range_ms;
  c->range_expr = CloneOrNull(range_expr);
  return c;
}

ExprPtr SubqueryExpr::Clone() const {
  auto c = std::make_unique<SubqueryExpr>();
  c->pos = pos;
  c->expr = CloneOrNull(expr);
  c->range_ms = range_ms;
  c->range_expr = CloneOrNull(range_expr);
  c->step_ms = step_ms;
  c->step_expr = CloneOrNull(step_expr);
  c->original_offset_ms = original_offset_ms;
  c->offset_expr = CloneOrNull(offset_expr);
  c->timestamp_ms = timestamp_ms;
  c->start_or_end = start_or_end;
  return c;
}

ExprPtr Call::Clone() const {
  auto c = std::make_unique<Call>();
  c->pos = pos;
  c->func = func;
  for (const auto& a : args) c->args.push_back(a->Clone());
  return c;
}

ExprPtr AggregateExpr::Clone() const {
  auto c = std::make_unique<AggregateExpr>();
  c->pos = pos;
  c->op = op;
  c->expr = CloneOrNull(expr);
  c->param = CloneOrNull(param);
  c->grouping = grouping;
  c->without = without;
  return c;
}

ValueType BinaryExpr::type() const {
  if (lhs->type() == ValueType::kScalar && rhs->type() == ValueType::kScalar) {
    return ValueType::kScalar;
  }
  return ValueType::kVector;
}

ExprPtr BinaryExpr::Clone() const {
  auto c = std::make_unique<BinaryExpr>();
  c->pos = pos;
  c->op = op;
  c->lhs = CloneOrNull(lhs);
  c->rhs = CloneOrNull(rhs);
  c->return_bool = return_bool;
  c->matching = matching;
  return c;
}

ExprPtr UnaryExpr::Clone() const {
  auto c = std::make_unique<UnaryExpr>();
  c->pos = pos;
  c->negate = negate;
  c->expr = CloneOrNull(expr);
  return c;
}

ExprPtr ParenExpr::Clone() const {
  auto c = std::make_unique<ParenExpr>();
  c->pos = pos;
  c->expr = CloneOrNull(expr);
  return c;
}

bool Equal(const Expr& a, const Expr& b) {
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case NodeKind::kNumberLiteral: {
      const auto& x = a.As<NumberLiteral>();
      const auto& y = b.As<NumberLiteral>();
      return SameDouble(x.value, y.value) && x.duration_unit == y.duration_unit;
    }
    case NodeKind::kStringLiteral:
      return a.As<StringLiteral>().value == b.As<StringLiteral>().value;
    case NodeKind::kVectorSelector:
      return SameSelector(a.As<VectorSelector>(), b.As<VectorSelector>());
    case NodeKind::kMatrixSelector: {
      const auto& x = a.As<MatrixSelector>();
      const auto& y = b.As<MatrixSelector>();
      return SameSelector(*x.vector_selector, *y.vector_selector) && x.range_ms == y.range_ms &&
             SameDur(x.range_expr, y.range_expr);
    }
    case NodeKind::kSubquery: {
      const auto& x = a.As<SubqueryExpr>();
      const auto& y = b.As<SubqueryExpr>();
      return SameExpr(x.expr, y.expr) && x.range_ms == y.range_ms &&
             SameDur(x.range_expr, y.range_expr) && x.step_ms == y.step_ms &&
             SameDur(x.step_expr, y.step_expr) && x.original_offset_ms == y.original_offset_ms &&
             SameDur(x.offset_expr, y.offset_expr) && x.timestamp_ms == y.timestamp_ms &&
             x.start_or_end == y.start_or_end;
    }
    case NodeKind::kCall: {
      const auto& x = a.As<Call>();
      const auto& y = b.As<Call>();
      if (x.func != y.func || x.args.size() != y.args.size()) return false;
      for (size_t i = 0; i < x.args.size(); ++i) {
        if (!SameExpr(x.args[i], y.args[i])) return false;
      }
      return true;
    }
    case NodeKind::kAggregate: {
      const auto& x = a.As<AggregateExpr>();
      const auto& y = b.As<AggregateExpr>();
      return x.op == y.op && SameExpr(x.expr, y.expr) && SameExpr(x.param, y.param) &&
             x.grouping == y.grouping && x.without == y.without;
    }
    case NodeKind::kBinary: {
      const auto& x = a.As<BinaryExpr>();
      const auto& y = b.As<BinaryExpr>();
      return x.op == y.op && x.return_bool == y.return_bool && x.matching == y.matching &&
             SameExpr(x.lhs, y.lhs) && SameExpr(x.rhs, y.rhs);
    }
    case NodeKind::kUnary: {
      const auto& x = a.As<UnaryExpr>();
      const auto& y = b.As<UnaryExpr>();
      return x.negate == y.negate && SameExpr(x.expr, y.expr);
    }
    case NodeKind::kParen:
      return SameExpr(a.As<ParenExpr>().expr, b.As<ParenExpr>().expr);
  }
  return false;
}

std::vector<Expr*> MutableChildren(Expr& e) {
  std::vector<Expr*> out;
  auto add = [&](const ExprPtr& p) {
    if (p) out.push_back(p.get());
  };
  switch (e.kind()) {
    case NodeKind::kMatrixSelector:
      if (auto& vs = e.As<MatrixSelector>().vector_selector) out.push_back(vs.get());
      break;
    case NodeKind::kSubquery: add(e.As<SubqueryExpr>().expr); break;
    case NodeKind::kCall:
      for (auto& a : e.As<Call>().args) add(a);
      break;
    case NodeKind::kAggregate:
      add(e.As<AggregateExpr>().param);
      add(e.As<AggregateExpr>().expr);
      break;
    case NodeKind::kBinary:
      add(e.As<BinaryExpr>().lhs);
      add(e.As<BinaryExpr>().rhs);
      break;
    case NodeKind::kUnary: add(e.As<UnaryExpr>().expr); break;
    case NodeKind::kParen: add(e.As<ParenExpr>().expr); break;
    default: break;
  }
  return out;
}

std::vector<const Expr*> Children(const Expr& e) {
  auto m = MutableChildren(const_cast<Expr&>(e));
  return {m.begin(), m.end()};
}

}  // namespace meridian::promql
