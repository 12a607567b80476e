#pragma once
// The PromQL syntax tree, modelled on Prometheus's promql/parser/ast.go. Nodes own their
// children through unique_ptr; walk them with a switch on kind() and static_cast (or As<T>()),
// copy with Clone(), compare with Equal(). No ANTLR type appears here.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/matcher.h"
#include "promql/parser/functions.h"
#include "promql/parser/value_type.h"

namespace meridian::promql {

// Byte offsets into the query text, end exclusive.
struct PosRange {
  int start = 0;
  int end = 0;
  friend bool operator==(const PosRange&, const PosRange&) = default;
};

enum class BinaryOp {
  kAdd, kSub, kMul, kDiv, kMod, kPow, kAtan2,      // arithmetic
  kEql, kNeq, kGtr, kLss, kGte, kLte,              // comparison
  kAnd, kOr, kUnless,                              // set
  kTrimUpper, kTrimLower,                          // native histograms: `</`, `>/`
};
std::string_view BinaryOpString(BinaryOp op);  // "+", "==", "and", "atan2", ...
bool IsComparisonOperator(BinaryOp op);
bool IsSetOperator(BinaryOp op);

enum class AggregateOp {
  kSum, kAvg, kCount, kMin, kMax, kGroup, kStddev, kStdvar,
  kTopk, kBottomk, kCountValues, kQuantile, kLimitk, kLimitRatio,
};
std::string_view AggregateOpString(AggregateOp op);  // "sum", "count_values", ...
// topk, bottomk, count_values, quantile, limitk, limit_ratio take a parameter first.
bool AggregateOpHasParam(AggregateOp op);
// limitk and limit_ratio are gated by the experimental-functions switch.
bool AggregateOpIsExperimental(AggregateOp op);

// `@ start()` / `@ end()`: resolved by the engine to the query's start or end.
enum class AtPreprocessor { kNone, kStart, kEnd };

// Duration arithmetic (enabled by ParseOptions::duration_expressions) wherever a duration is
// expected: `x[5m+1m]`, `x[1h:step()*2]`, `offset -(1h/2)`. Numbers are seconds. The engine
// evaluates it with EvalDuration (duration_eval.h) because step() and range() depend on the
// query.
struct DurationExpr {
  enum class Op {
    kLiteral,                            // value_seconds (duration_unit: written like "5m")
    kAdd, kSub, kMul, kDiv, kMod, kPow,  // lhs op rhs
    kNeg,                                // -rhs (for non-literals; literals fold the sign)
    kStep, kRange,                       // step(), range(): no operands
    kMinOf, kMaxOf,                      // min_of(lhs, rhs), max_of(lhs, rhs)
  };
  Op op = Op::kLiteral;
  double value_seconds = 0;
  bool duration_unit = false;
  bool wrapped = false;  // written in parentheses
  std::unique_ptr<DurationExpr> lhs;
  std::unique_ptr<DurationExpr> rhs;
  PosRange pos;

  std::unique_ptr<DurationExpr> Clone() const;
  friend bool operator==(const DurationExpr& a, const DurationExpr& b);
};
using DurationExprPtr = std::unique_ptr<DurationExpr>;

enum class NodeKind {
  kNumberLiteral,
  kStringLiteral,
  kVectorSelector,
  kMatrixSelector,
  kSubquery,
  kCall,
  kAggregate,
  kBinary,
  kUnary,
  kParen,
};
std::string_view NodeKindName(NodeKind k);

class Expr {
 public:
  virtual ~Expr() = default;
  NodeKind kind() const { return kind_; }
  virtual ValueType type() const = 0;
  virtual std::unique_ptr<Expr> Clone() const = 0;

  PosRange pos;

  template <typename T>
  const T& As() const { return static_cast<const T&>(*this); }
  template <typename T>
  T& As() { return static_cast<T&>(*this); }

 protected:
  explicit Expr(NodeKind kind) : kind_(kind) {}
  Expr(const Expr&) = default;

 private:
  NodeKind kind_;
};
using ExprPtr = std::unique_ptr<Expr>;

struct NumberLiteral final : Expr {
  NumberLiteral() : Expr(NodeKind::kNumberLiteral) {}
  double value = 0;
  // Written as a duration (`5m` as an expression means 300); prints back as a duration.
  bool duration_unit = false;
  ValueType type() const override { return ValueType::kScalar; }
  ExprPtr Clone() const override;
};

struct StringLiteral final : Expr {
  StringLiteral() : Expr(NodeKind::kStringLiteral) {}
  std::string value;  // unquoted
  ValueType type() const override { return ValueType::kString; }
  ExprPtr Clone() const override;
};

struct VectorSelector final : Expr {
  VectorSelector() : Expr(NodeKind::kVectorSelector) {}
  // Metric name written outside the braces ("" when absent). A name given inside the braces
  // (`{__name__="x"}`, `{"x"}`) appears only among the matchers, as upstream.
  std::string name;
  // All matchers; when `name` is set an equality __name__ matcher for it comes last.
  Matchers matchers;
  // Offset as written (negative allowed); the engine applies it. 0 when offset_expr is set.
  int64_t original_offset_ms = 0;
  DurationExprPtr offset_expr;
  std::optional<int64_t> timestamp_ms;  // `@ <t>`
  AtPreprocessor start_or_end = AtPreprocessor::kNone;
  bool anchored = false;  // extended range selectors
  bool smoothed = false;
  // Set for the second argument of info(), which may select only by labels.
  bool bypass_empty_matcher_check = false;

  ValueType type() const override { return ValueType::kVector; }
  ExprPtr Clone() const override;
};

struct MatrixSelector final : Expr {
  MatrixSelector() : Expr(NodeKind::kMatrixSelector) {}
  // Offset, @, anchored and smoothed of the range live on this inner selector.
  std::unique_ptr<VectorSelector> vector_selector;
  int64_t range_ms = 0;      // when range_expr is null
  DurationExprPtr range_expr;  // non-literal range (duration expressions)
  ValueType type() const override { return ValueType::kMatrix; }
  ExprPtr Clone() const override;
};

struct SubqueryExpr final : Expr {
  SubqueryExpr() : Expr(NodeKind::kSubquery) {}
  ExprPtr expr;
  int64_t range_ms = 0;
  DurationExprPtr range_expr;
  int64_t step_ms = 0;  // 0 = the engine's default evaluation interval
  DurationExprPtr step_expr;
  int64_t original_offset_ms = 0;
  DurationExprPtr offset_expr;
  std::optional<int64_t> timestamp_ms;
  AtPreprocessor start_or_end = AtPreprocessor::kNone;
  ValueType type() const override { return ValueType::kMatrix; }
  ExprPtr Clone() const override;
};

struct Call final : Expr {
  Call() : Expr(NodeKind::kCall) {}
  const Function* func = nullptr;  // never null in a parsed tree
  std::vector<ExprPtr> args;
  ValueType type() const override { return func ? func->return_type : ValueType::kNone; }
  ExprPtr Clone() const override;
};

struct AggregateExpr final : Expr {
  AggregateExpr() : Expr(NodeKind::kAggregate) {}
  AggregateOp op = AggregateOp::kSum;
  ExprPtr expr;
  ExprPtr param;  // only for ops with AggregateOpHasParam
  std::vector<std::string> grouping;
  bool without = false;
  ValueType type() const override { return ValueType::kVector; }
  ExprPtr Clone() const override;
};

enum class Cardinality { kOneToOne, kManyToOne, kOneToMany, kManyToMany };

struct VectorMatching {
  Cardinality card = Cardinality::kOneToOne;
  std::vector<std::string> matching_labels;  // on(...) / ignoring(...)
  bool on = false;
  std::vector<std::string> include;  // group_left(...) / group_right(...)
  // fill(v) / fill_left(v) / fill_right(v): value for a missing series on that side.
  std::optional<double> fill_lhs;
  std::optional<double> fill_rhs;
  friend bool operator==(const VectorMatching& a, const VectorMatching& b);
};

struct BinaryExpr final : Expr {
  BinaryExpr() : Expr(NodeKind::kBinary) {}
  BinaryOp op = BinaryOp::kAdd;
  ExprPtr lhs;
  ExprPtr rhs;
  bool return_bool = false;
  // Absent when either side is a scalar (as upstream sets it to nil). Set operators between
  // vectors always have many-to-many cardinality.
  std::optional<VectorMatching> matching;
  ValueType type() const override;
  ExprPtr Clone() const override;
};

struct UnaryExpr final : Expr {
  UnaryExpr() : Expr(NodeKind::kUnary) {}
  bool negate = true;  // '-' (false: '+', which is kept so the text round-trips)
  ExprPtr expr;
  ValueType type() const override { return expr->type(); }
  ExprPtr Clone() const override;
};

struct ParenExpr final : Expr {
  ParenExpr() : Expr(NodeKind::kParen) {}
  ExprPtr expr;
  ValueType type() const override { return expr->type(); }
  ExprPtr Clone() const override;
};

// Structural equality; ignores positions. Matchers compare by type, name and value.
bool Equal(const Expr& a, const Expr& b);

// Direct children in evaluation order (for Walk and generic visitors).
std::vector<const Expr*> Children(const Expr& e);
std::vector<Expr*> MutableChildren(Expr& e);

// Pre-order walk; `fn` returns false to skip a node's children.
template <typename Fn>
void Walk(const Expr& e, Fn&& fn) {
  if (!fn(e)) return;
  for (const Expr* c : Children(e)) Walk(*c, fn);
}

}  // namespace meridian::promql
