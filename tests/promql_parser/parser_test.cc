#include <gtest/gtest.h>

#include <cmath>
#include <atomic>
#include <thread>

#include "test_util.h"

namespace meridian::promql {
namespace {

using testing::Canon;
using testing::Err;
using testing::ParseAll;


// ---- literals ----

double Num(const std::string& q) {
  auto r = ParseAll(q);
  EXPECT_TRUE(r.ok()) << q << ": " << r.ErrorString();
  if (!r.ok()) return -12345;
  EXPECT_EQ(r.expr->kind(), NodeKind::kNumberLiteral) << q;
  return r.expr->As<NumberLiteral>().value;
}

TEST(Literals, Numbers) {
  EXPECT_EQ(Num("1"), 1);
  EXPECT_EQ(Num("1.5"), 1.5);
  EXPECT_EQ(Num(".5"), 0.5);
  EXPECT_EQ(Num("5."), 5);
  EXPECT_EQ(Num("1e3"), 1000);
  EXPECT_EQ(Num("1E-2"), 0.01);
  EXPECT_EQ(Num("2.5e+2"), 250);
  EXPECT_EQ(Num("0x1F"), 31);
  EXPECT_EQ(Num("0XfF"), 255);
  EXPECT_EQ(Num("010"), 8);  // Go's ParseInt base 0: leading zero is octal
  EXPECT_EQ(Num("09"), 9);   // not octal: falls back to float
  EXPECT_EQ(Num("-1"), -1);
  EXPECT_EQ(Num("+1"), 1);
  EXPECT_TRUE(std::isinf(Num("Inf")) && Num("Inf") > 0);
  EXPECT_TRUE(std::isinf(Num("-inf")) && Num("-inf") < 0);
  EXPECT_TRUE(std::isinf(Num("+INF")));
  EXPECT_TRUE(std::isnan(Num("NaN")));
  EXPECT_TRUE(std::isnan(Num("nan")));
  EXPECT_EQ(Num("5m"), 300);  // a duration used as a number
  EXPECT_EQ(Num("1h30m"), 5400);
}

std::string Str(const std::string& q) {
  auto r = ParseAll(q);
  EXPECT_TRUE(r.ok()) << q << ": " << r.ErrorString();
  if (!r.ok()) return "<error>";
  EXPECT_EQ(r.expr->type(), ValueType::kString);
  return r.expr->As<StringLiteral>().value;
}

TEST(Literals, Strings) {
  EXPECT_EQ(Str(R"("abc")"), "abc");
  EXPECT_EQ(Str(R"('abc')"), "abc");
  EXPECT_EQ(Str("`a\\nb`"), "a\\nb");  // raw: no escapes
  EXPECT_EQ(Str("`a\nb`"), "a\nb");    // raw strings may span lines
  EXPECT_EQ(Str(R"("a\nb\tc\\d\"e")"), "a\nb\tc\\d\"e");
  EXPECT_EQ(Str(R"('it\'s')"), "it's");
  EXPECT_EQ(Str(R"("\a\b\f\r\v")"), "\a\b\f\r\v");
  EXPECT_EQ(Str(R"("\x41\101\u00e9\U0001F600")"), "AA\xc3\xa9\xf0\x9f\x98\x80");
  EXPECT_EQ(Str(R"("\xff")"), "\xff");
  EXPECT_EQ(Str("\"h\xc3\xa9llo\""), "h\xc3\xa9llo");
  EXPECT_NE(Err(R"("\q")"), "OK");
  EXPECT_NE(Err(R"("\'")"), "OK");  // \' only in single quotes, as Go
  EXPECT_NE(Err(R"('\"')"), "OK");
  EXPECT_NE(Err(R"("\x4")"), "OK");
  EXPECT_NE(Err(R"("\400")"), "OK");
  EXPECT_NE(Err(R"("\uD800")"), "OK");
  EXPECT_EQ(Err("\"abc"), "1:1: parse error: unterminated quoted string");
  EXPECT_EQ(Err("\"a\nb\""), "1:1: parse error: unterminated quoted string");
  EXPECT_NE(Err("`abc"), "OK");
}

// ---- durations ----

int64_t RangeMs(const std::string& q) {
  auto r = ParseAll(q);
  EXPECT_TRUE(r.ok()) << q << ": " << r.ErrorString();
  if (!r.ok()) return -1;
  const Expr* e = r.expr.get();
  if (e->kind() == NodeKind::kCall) e = e->As<Call>().args[0].get();
  EXPECT_EQ(e->kind(), NodeKind::kMatrixSelector) << q;
  return e->As<MatrixSelector>().range_ms;
}

TEST(Durations, Literals) {
  EXPECT_EQ(RangeMs("x[5ms]"), 5);
  EXPECT_EQ(RangeMs("x[5s]"), 5000);
  EXPECT_EQ(RangeMs("x[5m]"), 300000);
  EXPECT_EQ(RangeMs("x[2h]"), 7200000);
  EXPECT_EQ(RangeMs("x[1d]"), 86400000);
  EXPECT_EQ(RangeMs("x[1w]"), 604800000);
  EXPECT_EQ(RangeMs("x[1y]"), 31536000000);
  EXPECT_EQ(RangeMs("x[1h30m]"), 5400000);
  EXPECT_EQ(RangeMs("x[1d2h3m4s5ms]"), 93784005);
  EXPECT_EQ(RangeMs("x[1800]"), 1800000);  // numbers are seconds
  EXPECT_EQ(RangeMs("x[1.5]"), 1500);
  EXPECT_EQ(RangeMs("rate(x[5m])"), 300000);
  EXPECT_NE(Err("x[1.5m]"), "OK");
  EXPECT_EQ(Err("x[5m1h]"), "1:3: parse error: not a valid duration string: \"5m1h\"");
  EXPECT_NE(Err("x[5x]"), "OK");
}

TEST(Durations, Expressions) {
  auto r = ParseAll("x[5m+1m]");
  ASSERT_TRUE(r.ok()) << r.ErrorString();
  const auto& ms = r.expr->As<MatrixSelector>();
  ASSERT_NE(ms.range_expr, nullptr);
  EXPECT_EQ(ms.range_expr->op, DurationExpr::Op::kAdd);
  EXPECT_EQ(Canon("x[5m+1m]"), "x[5m + 1m]");
  EXPECT_EQ(Canon("x[2m*(10+5)]"), "x[2m * (10 + 5)]");
  EXPECT_EQ(Canon("x[step()]"), "x[step()]");
  EXPECT_EQ(Canon("x[STEP()]"), "x[step()]");
  EXPECT_EQ(Canon("x[range()]"), "x[range()]");
  EXPECT_EQ(Canon("x[min_of(step()+1,1h)]"), "x[min_of(step() + 1, 1h)]");
  EXPECT_EQ(Canon("x[max_of(1m, 2m)]"), "x[max_of(1m, 2m)]");
  EXPECT_EQ(Canon("x[-5m+35m]"), "x[-5m + 35m]");
  EXPECT_EQ(Canon("x[2^3]"), "x[2 ^ 3]");
  EXPECT_EQ(Canon("x offset (1h/2)"), "x offset (1h / 2)");
  EXPECT_EQ(Canon("x offset -step()"), "x offset -step()");
  EXPECT_EQ(Canon("x offset -(1m)"), "x offset -(1m)");
  EXPECT_EQ(Canon("x[5m:step()*2]"), "x[5m:step() * 2]");
  EXPECT_EQ(Canon("sum_over_time(x[29s+1s:5s+5s])"), "sum_over_time(x[29s + 1s:5s + 5s])");
  // offset takes one atom: the rest belongs to the enclosing expression.
  auto b = ParseAll("x offset 100 + 2");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b.expr->kind(), NodeKind::kBinary);
  EXPECT_EQ(Canon("x offset -2 ^ 2"), "x offset -2s ^ 2");
  // Upstream's lexer reads only step, range, min_of and max_of as words inside brackets.
  EXPECT_EQ(Err("x[foo()]"), "1:3: parse error: unexpected character in duration expression: 'f'");
  EXPECT_NE(Err("x[min_of(1m)]"), "OK");
  // Gated by the feature switch; plain literals are not.
  ParseOptions off;
  EXPECT_EQ(Err("x[5m+1m]", off), "1:3: parse error: experimental duration expression is not enabled");
  EXPECT_EQ(Err("x offset (5m)", off),
            "1:10: parse error: experimental duration expression is not enabled");
  EXPECT_EQ(Err("x[5m]", off), "OK");
  EXPECT_EQ(Err("x[300]", off), "OK");
  EXPECT_EQ(Err("x offset -5m", off), "OK");
  EXPECT_EQ(Err("x[5m:1m]", off), "OK");
}

// ---- selectors ----

TEST(Selectors, MatchersAndNames) {
  auto r = ParseAll(R"(foo{a="b", c!="d", e=~"f.*", g!~"h"})");
  ASSERT_TRUE(r.ok()) << r.ErrorString();
  const auto& vs = r.expr->As<VectorSelector>();
  EXPECT_EQ(vs.name, "foo");
  ASSERT_EQ(vs.matchers.size(), 5u);
  EXPECT_EQ(vs.matchers[0]->type(), MatchType::kEqual);
  EXPECT_EQ(vs.matchers[1]->type(), MatchType::kNotEqual);
  EXPECT_EQ(vs.matchers[2]->type(), MatchType::kRegexp);
  EXPECT_EQ(vs.matchers[3]->type(), MatchType::kNotRegexp);
  EXPECT_EQ(vs.matchers[4]->name(), "__name__");  // name matcher comes last
  EXPECT_EQ(vs.matchers[4]->value(), "foo");

  auto q = ParseAll(R"({"metric.name", "a.b"="c"})");
  ASSERT_TRUE(q.ok()) << q.ErrorString();
  const auto& qs = q.expr->As<VectorSelector>();
  EXPECT_EQ(qs.name, "");
  ASSERT_EQ(qs.matchers.size(), 2u);
  EXPECT_EQ(qs.matchers[0]->name(), "__name__");
  EXPECT_EQ(qs.matchers[0]->value(), "metric.name");
  EXPECT_EQ(qs.matchers[1]->name(), "a.b");

  EXPECT_EQ(Canon("foo:bar:rate5m"), "foo:bar:rate5m");
  EXPECT_EQ(Canon("foo{}"), "foo");
  EXPECT_EQ(Canon("foo{a='b',}"), "foo{a=\"b\"}");
  EXPECT_EQ(Canon("{__name__=\"foo\"}"), "{__name__=\"foo\"}");
  // Keywords are metric names where an expression is expected, and label names in braces.
  EXPECT_EQ(Canon("sum"), "sum");
  EXPECT_EQ(Canon("by{on=\"x\"}"), "by{on=\"x\"}");
  EXPECT_EQ(Canon("offset offset 5m"), "offset offset 5m");
  EXPECT_EQ(Canon("{bool=\"x\", sum=\"y\"}"), "{bool=\"x\",sum=\"y\"}");
}

TEST(Selectors, Errors) {
  EXPECT_EQ(Err("{}"), "1:1: parse error: vector selector must contain at least one non-empty matcher");
  EXPECT_EQ(Err("{a=\"\"}"), "1:1: parse error: vector selector must contain at least one non-empty matcher");
  EXPECT_EQ(Err("{a=~\".*\"}"), "1:1: parse error: vector selector must contain at least one non-empty matcher");
  EXPECT_EQ(Err("foo{__name__=\"bar\"}"),
            "1:1: parse error: metric name must not be set twice: \"foo\" or \"bar\"");
  EXPECT_NE(Err("foo{a=~\"(\"}"), "OK");  // bad regex
  EXPECT_EQ(Err("foo{a=~\"(\"}").rfind("1:5: parse error: ", 0), 0u);
  EXPECT_NE(Err("foo{a}"), "OK");
  EXPECT_NE(Err("foo{a=b}"), "OK");
  EXPECT_NE(Err("foo{a:b=\"c\"}"), "OK");
}

TEST(Selectors, RangesOffsetsAt) {
  auto r = ParseAll("foo[5m] offset -1h @ 100.5");
  ASSERT_TRUE(r.ok()) << r.ErrorString();
  const auto& vs = *r.expr->As<MatrixSelector>().vector_selector;
  EXPECT_EQ(vs.original_offset_ms, -3600000);
  EXPECT_EQ(vs.timestamp_ms, 100500);
  EXPECT_EQ(Canon("foo offset 5m @ 100"), "foo @ 100.000 offset 5m");
  EXPECT_EQ(Canon("foo @ start()"), "foo @ start()");
  EXPECT_EQ(Canon("foo @ end() offset 1m"), "foo @ end() offset 1m");
  EXPECT_EQ(Canon("foo @ -1.5"), "foo @ -1.500");
  EXPECT_EQ(Canon("foo @ 1m40s"), "foo @ 100.000");
  EXPECT_EQ(Canon("foo OFFSET 1m"), "foo offset 1m");
  EXPECT_EQ(Canon("foo offset 90"), "foo offset 1m30s");
  EXPECT_EQ(Canon("rate(foo[5m] @ end())"), "rate(foo[5m] @ end())");
  EXPECT_EQ(Err("foo offset 5m[5m]"), "1:14: parse error: no offset modifiers allowed before range");
  EXPECT_EQ(Err("foo @ 1[5m]"), "1:8: parse error: no @ modifiers allowed before range");
  EXPECT_EQ(Err("(foo)[5m]"), "1:6: parse error: ranges only allowed for vector selectors");
  // Prometheus's positive_duration_expr: ranges and subquery steps of 0 are refused.
  EXPECT_EQ(Err("rate(up[0s])"), "1:9: parse error: duration must be greater than 0");
  EXPECT_EQ(Err("up[1h:0s]"), "1:7: parse error: duration must be greater than 0");
  EXPECT_EQ(Err("up[0s:1m]"), "1:4: parse error: duration must be greater than 0");
  EXPECT_EQ(Canon("up[1h:]"), "up[1h:]");
  EXPECT_EQ(Err("foo offset 1m offset 2m"), "1:1: parse error: offset may not be set multiple times");
  EXPECT_EQ(Err("foo @ 1 @ 2"), "1:1: parse error: @ <timestamp> may not be set multiple times");
  EXPECT_EQ(Err("1 offset 1m"),
            "1:1: parse error: offset modifier must be preceded by an instant vector selector or "
            "range vector selector or a subquery");
  EXPECT_EQ(Err("sum(x) @ 1"),
            "1:1: parse error: @ modifier must be preceded by an instant vector selector or range "
            "vector selector or a subquery");
  EXPECT_EQ(Err("foo @ Inf"), "1:1: parse error: timestamp out of bounds for @ modifier: +Inf");
  EXPECT_NE(Err("foo @ middle()"), "OK");
}

TEST(Selectors, ExtendedRangeSelectors) {
  auto r = ParseAll("rate(foo[5m] anchored)");
  ASSERT_TRUE(r.ok()) << r.ErrorString();
  EXPECT_TRUE(r.expr->As<Call>().args[0]->As<MatrixSelector>().vector_selector->anchored);
  EXPECT_EQ(Canon("increase(foo[1m] smoothed)"), "increase(foo[1m] smoothed)");
  EXPECT_EQ(Canon("foo smoothed"), "foo smoothed");
  EXPECT_EQ(Err("rate(foo[5m] anchored smoothed)"),
            "1:6: parse error: anchored and smoothed modifiers cannot be used together");
  EXPECT_EQ(Err("deriv(foo[3m] smoothed)"),
            "1:7: parse error: smoothed modifier can only be used with: delta, increase, rate - not with deriv");
  EXPECT_EQ(Err("max_over_time(foo[3m] anchored)"),
            "1:15: parse error: anchored modifier can only be used with: changes, delta, increase, rate, resets - not with max_over_time");
  EXPECT_EQ(Err("foo[5m:1m] anchored"),
            "1:1: parse error: anchored modifier is not supported for subqueries");
  EXPECT_EQ(Err("rate(foo[5m] anchored)", ParseOptions{}),
            "1:6: parse error: anchored modifier is experimental and not enabled");
}

TEST(Subqueries, Forms) {
  auto r = ParseAll("rate(foo[5m])[30m:1m] offset 10m");
  ASSERT_TRUE(r.ok()) << r.ErrorString();
  const auto& sq = r.expr->As<SubqueryExpr>();
  EXPECT_EQ(sq.range_ms, 1800000);
  EXPECT_EQ(sq.step_ms, 60000);
  EXPECT_EQ(sq.original_offset_ms, 600000);
  EXPECT_EQ(Canon("foo[5m:]"), "foo[5m:]");
  EXPECT_EQ(Canon("(a + b)[1h:5m] @ 10"), "(a + b)[1h:5m] @ 10.000");
  EXPECT_EQ(Canon("min_over_time(rate(foo[1m])[5m:])[10m:1m]"),
            "min_over_time(rate(foo[1m])[5m:])[10m:1m]");
  EXPECT_EQ(Err("foo[5m][10m:]"), "1:1: parse error: subquery is only allowed on instant vector, got matrix instead");
  EXPECT_EQ(Err("\"a\"[5m:]"), "1:1: parse error: subquery is only allowed on instant vector, got string instead");
}

// ---- operators and precedence ----

// Parenthesises a tree fully, to make the parse structure visible.
std::string Shape(const Expr& e) {
  switch (e.kind()) {
    case NodeKind::kBinary: {
      const auto& b = e.As<BinaryExpr>();
      return "(" + Shape(*b.lhs) + " " + std::string(BinaryOpString(b.op)) + " " + Shape(*b.rhs) + ")";
    }
    case NodeKind::kUnary:
      return std::string(e.As<UnaryExpr>().negate ? "-" : "+") + "{" + Shape(*e.As<UnaryExpr>().expr) + "}";
    case NodeKind::kParen: return "[" + Shape(*e.As<ParenExpr>().expr) + "]";
    default: return ToString(e);
  }
}

std::string ShapeOf(const std::string& q) {
  auto r = ParseAll(q);
  if (!r.ok()) return "ERROR: " + r.ErrorString();
  return Shape(*r.expr);
}

TEST(Precedence, Levels) {
  // or < and/unless < comparison < +,- < *,/,%,atan2 < unary < ^ < postfix modifiers.
  EXPECT_EQ(ShapeOf("a or b and c"), "(a or (b and c))");
  EXPECT_EQ(ShapeOf("a and b or c"), "((a and b) or c)");
  EXPECT_EQ(ShapeOf("a unless b and c"), "((a unless b) and c)");
  EXPECT_EQ(ShapeOf("a and b == c"), "(a and (b == c))");
  EXPECT_EQ(ShapeOf("a == b + c"), "(a == (b + c))");
  EXPECT_EQ(ShapeOf("a > b < c"), "((a > b) < c)");
  EXPECT_EQ(ShapeOf("a + b * c"), "(a + (b * c))");
  EXPECT_EQ(ShapeOf("a - b - c"), "((a - b) - c)");
  EXPECT_EQ(ShapeOf("a * b / c % d"), "(((a * b) / c) % d)");
  EXPECT_EQ(ShapeOf("a atan2 b + c"), "((a atan2 b) + c)");
  EXPECT_EQ(ShapeOf("a * b ^ c"), "(a * (b ^ c))");
  EXPECT_EQ(ShapeOf("a ^ b ^ c"), "(a ^ (b ^ c))");  // right-associative
  EXPECT_EQ(ShapeOf("-a ^ b"), "-{(a ^ b)}");
  EXPECT_EQ(ShapeOf("-a * b"), "(-{a} * b)");
  EXPECT_EQ(ShapeOf("a ^ -b"), "(a ^ -{b})");
  EXPECT_EQ(ShapeOf("-1 ^ 2"), "-{(1 ^ 2)}");
  EXPECT_EQ(ShapeOf("2 * -1"), "(2 * -1)");
  EXPECT_EQ(ShapeOf("(a + b) * c"), "([(a + b)] * c)");
  EXPECT_EQ(ShapeOf("a + b offset 5m"), "(a + b offset 5m)");
  EXPECT_EQ(ShapeOf("-a offset 5m"), "-{a offset 5m}");
  EXPECT_EQ(ShapeOf("a </ 2 + 1"), "((a </ 2) + 1)");
  EXPECT_EQ(ShapeOf("a >/ 2"), "(a >/ 2)");
  EXPECT_EQ(ShapeOf("a # comment\n + b"), "(a + b)");
  EXPECT_EQ(ShapeOf("a AND b"), "(a and b)");
}

TEST(Operators, Modifiers) {
  EXPECT_EQ(Canon("a + on(b) group_left(c) d"), "a + on (b) group_left (c) d");
  EXPECT_EQ(Canon("a + ignoring(b) group_right d"), "a + ignoring (b) group_right () d");
  EXPECT_EQ(Canon("a > bool b"), "a > bool b");
  EXPECT_EQ(Canon("1 > bool 2"), "1 > bool 2");
  EXPECT_EQ(Canon("a and on() b"), "a and on () b");
  EXPECT_EQ(Canon("a + fill(0) b"), "a + fill(0) b");
  EXPECT_EQ(Canon("a + fill_left(5) fill_right(7) b"), "a + fill_left(5) fill_right(7) b");
  EXPECT_EQ(Canon("a == bool fill(30) b"), "a == bool fill(30) b");
  EXPECT_EQ(Canon("a + on(x) group_left fill(-Inf) b"), "a + on (x) group_left () fill(-Inf) b");
  auto r = ParseAll("a * on(x, y) group_left(z) b");
  ASSERT_TRUE(r.ok());
  const auto& m = *r.expr->As<BinaryExpr>().matching;
  EXPECT_EQ(m.card, Cardinality::kManyToOne);
  EXPECT_TRUE(m.on);
  EXPECT_EQ(m.matching_labels, (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(m.include, (std::vector<std::string>{"z"}));
  auto s = ParseAll("a or b");
  EXPECT_EQ(s.expr->As<BinaryExpr>().matching->card, Cardinality::kManyToMany);
  auto sc = ParseAll("a + 1");
  EXPECT_FALSE(sc.expr->As<BinaryExpr>().matching.has_value());
  EXPECT_EQ(Err("a + fill(0) b", ParseOptions{}),
            "1:1: parse error: binop fill modifiers are experimental and not enabled");
}

TEST(TypeChecks, BinaryRules) {
  EXPECT_EQ(Err("1 == 1"), "1:3: parse error: comparisons between scalars must use BOOL modifier");
  EXPECT_EQ(Err("a + bool b"), "1:3: parse error: bool modifier can only be used on comparison operators");
  EXPECT_EQ(Err("1 and 1"), "1:1: parse error: set operator \"and\" not allowed in binary scalar expression");
  EXPECT_EQ(Err("a and 1"), "1:1: parse error: set operator \"and\" not allowed in binary scalar expression");
  EXPECT_EQ(Err("a and on(x) group_left b"), "1:1: parse error: no grouping allowed for \"and\" operation");
  EXPECT_EQ(Err("a + on(x) group_left(x) b"),
            "1:3: parse error: label \"x\" must not occur in ON and GROUP clause at once");
  EXPECT_EQ(Err("a + on(x) 1"), "1:1: parse error: vector matching only allowed between instant vectors");
  EXPECT_EQ(Err("a[5m] + 1"), "1:1: parse error: binary expression must contain only scalar and instant vector types");
  EXPECT_EQ(Err("1 + \"a\""), "1:5: parse error: binary expression must contain only scalar and instant vector types");
  EXPECT_EQ(Err("a + fill(0) 1"),
            "1:1: parse error: filling in missing series only allowed between instant vectors");
  EXPECT_EQ(Err("a and fill(0) b"), "1:1: parse error: filling in missing series not allowed for set operators");
  EXPECT_EQ(Err("-a[5m]"),
            "1:1: parse error: unary expression only allowed on expressions of type scalar or instant vector, got \"range vector\"");
  EXPECT_EQ(Err("-\"s\""),
            "1:1: parse error: unary expression only allowed on expressions of type scalar or instant vector, got \"string\"");
}

TEST(TypeChecks, Aggregations) {
  EXPECT_EQ(Canon("sum by (job) (rate(x[5m]))"), "sum by (job) (rate(x[5m]))");
  EXPECT_EQ(Canon("sum(rate(x[5m])) by (job)"), "sum by (job) (rate(x[5m]))");
  EXPECT_EQ(Canon("SUM without (a, b) (x)"), "sum without (a, b) (x)");
  EXPECT_EQ(Canon("sum by () (x)"), "sum(x)");
  EXPECT_EQ(Canon("sum by (\"a.b\", c,) (x)"), "sum by (\"a.b\", c) (x)");
  EXPECT_EQ(Canon("topk(5, x)"), "topk(5, x)");
  EXPECT_EQ(Canon("count_values(\"v\", x)"), "count_values(\"v\", x)");
  EXPECT_EQ(Canon("quantile(0.9, x)"), "quantile(0.9, x)");
  EXPECT_EQ(Canon("limitk(2, x)"), "limitk(2, x)");
  EXPECT_EQ(Canon("limit_ratio(0.5, x)"), "limit_ratio(0.5, x)");
  for (std::string op : {"avg", "count", "min", "max", "group", "stddev", "stdvar"}) {
    EXPECT_EQ(Canon(op + " by (a) (x)"), op + " by (a) (x)");
  }
  for (std::string op : {"topk", "bottomk", "quantile", "limitk", "limit_ratio"}) {
    EXPECT_EQ(Err(op + "(\"a\", x)"),
              "1:" + std::to_string(op.size() + 2) +
                  ": parse error: expected type scalar in aggregation parameter, got string");
  }
  EXPECT_EQ(Err("count_values(1, x)"), "1:14: parse error: expected type string in aggregation parameter, got scalar");
  EXPECT_EQ(Err("sum(x[5m])"), "1:5: parse error: expected type instant vector in aggregation expression, got range vector");
  EXPECT_EQ(Err("sum()"), "1:1: parse error: no arguments for aggregate expression provided");
  EXPECT_EQ(Err("sum(a, b)"),
            "1:1: parse error: wrong number of arguments for aggregate expression provided, expected 1, got 2");
  EXPECT_EQ(Err("topk(x)"),
            "1:1: parse error: wrong number of arguments for aggregate expression provided, expected 2, got 1");
  EXPECT_EQ(Err("limitk(2, x)", ParseOptions{}),
            "1:1: parse error: limitk() is experimental and must be enabled with --enable-feature=promql-experimental-functions");
  EXPECT_NE(Err("sum by (a) by (b) (x)"), "OK");
}

TEST(Calls, Errors) {
  EXPECT_EQ(Err("foo(x)"), "1:1: parse error: unknown function with name \"foo\"");
  EXPECT_EQ(Err("RATE(x[5m])"), "1:1: parse error: unknown function with name \"RATE\"");
  EXPECT_EQ(Err("rate(x[5m],)"), "1:11: parse error: trailing commas not allowed in function call args");
  EXPECT_EQ(Err("sort_by_label(x, \"a\")", ParseOptions{}),
            "1:1: parse error: function \"sort_by_label\" is not enabled");
  EXPECT_EQ(Err("info(x, y)"), "1:9: parse error: expected label selectors only, got vector selector instead");
  EXPECT_EQ(Err("info(x, {a=\"b\"})"), "OK");
  EXPECT_EQ(Err("info(x, {__name__=~\".+_info\"})"), "OK");
  EXPECT_EQ(Err("info(x, {a=\"\"})"), "OK");  // info's selector may match empty labels
}

TEST(Syntax, Errors) {
  EXPECT_EQ(Err(""), "unknown position: parse error: no expression found in input");
  EXPECT_EQ(Err("  # just a comment"), "1:1: parse error: no expression found in input");
  EXPECT_EQ(Err("sum(x"), "1:6: parse error: unclosed left parenthesis");
  EXPECT_EQ(Err("a +"), "1:4: parse error: unexpected end of input");
  EXPECT_EQ(Err("a b"), "1:3: parse error: unexpected identifier \"b\"");
  EXPECT_EQ(Err("a $ b"), "1:3: parse error: unexpected character: '$'");
  EXPECT_EQ(Err("a\n+ ("), "2:4: parse error: unclosed left parenthesis");
  EXPECT_EQ(Err("1 +\xff"), "1:4: parse error: invalid UTF-8 rune");
  EXPECT_NE(Err("a[5m"), "OK");
  EXPECT_NE(Err(")"), "OK");
  EXPECT_NE(Err("a +* b"), "OK");
  // Positions count bytes, as Prometheus does.
  EXPECT_EQ(Err("\"\xc3\xa9\" + $"), "1:8: parse error: unexpected character: '$'");
  EXPECT_EQ(Err(std::string(300, '(') + "1" + std::string(300, ')')).find("nested too deeply") != std::string::npos, true);
}

TEST(Syntax, LongInputsDoNotCrash) {
  std::string flat = "1";
  for (int i = 0; i < 1500; ++i) flat += " + a";
  EXPECT_EQ(Err(flat), "OK");
  std::string huge = "1";
  for (int i = 0; i < 30000; ++i) huge += "+1";
  EXPECT_NE(Err(huge).find("nested too deeply"), std::string::npos);
  EXPECT_NE(Err(std::string(10000, '-') + "1").find("nested too deeply"), std::string::npos);
  EXPECT_NE(Err("x[" + std::string(5000, '(') + "1" + std::string(5000, ')') + "]")
                .find("nested too deeply"),
            std::string::npos);
}

// The ANTLR DFA cache is shared process-wide; parsing from several threads must be safe.
TEST(Concurrency, ParallelParses) {
  const std::vector<std::string> queries = {
      "sum by (job) (rate(x{a=~\"b.*\"}[5m]))", "a + on(b) group_left(c) d", "x[5m:1m] offset 1h",
      "histogram_quantile(0.9, sum by (le) (rate(y_bucket[1m])))", "x[5m+step()]"};
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        for (const auto& q : queries) {
          if (!ParseAll(q).ok()) ++failures;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST(Positions, Ranges) {
  auto r = ParseAll("sum(rate(foo[5m]))");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.expr->pos, (PosRange{0, 18}));
  const auto& call = r.expr->As<AggregateExpr>().expr->As<Call>();
  EXPECT_EQ(call.pos, (PosRange{4, 17}));
  EXPECT_EQ(call.args[0]->pos, (PosRange{9, 16}));
}

// Messages and positions as Prometheus 3.x prints them (lex.go, generated_parser.y's error
// productions), for the lexer's own errors and the "in <context>, expected <what>" forms.
TEST(Syntax, UpstreamLexerErrors) {
  EXPECT_EQ(Err("sum(rate(x[5m])"), "1:16: parse error: unclosed left parenthesis");
  EXPECT_EQ(Err("sum("), "1:5: parse error: unclosed left parenthesis");
  EXPECT_EQ(Err("((1)"), "1:5: parse error: unclosed left parenthesis");
  EXPECT_EQ(Err("(github_stars"), "1:14: parse error: unclosed left parenthesis");
  EXPECT_EQ(Err("github_stars)"), "1:14: parse error: unexpected right parenthesis ')'");
  EXPECT_EQ(Err("(1))"), "1:5: parse error: unexpected right parenthesis ')'");
  EXPECT_EQ(Err("x{job=\"a\""), "1:10: parse error: unexpected end of input inside braces");
  EXPECT_EQ(Err("github_stars{repo=\"a\""), "1:22: parse error: unexpected end of input inside braces");
  EXPECT_EQ(Err("github_commits_total[7d"), "1:24: parse error: unclosed left bracket");
  EXPECT_EQ(Err("x["), "1:3: parse error: unexpected end of input in duration expression");
  EXPECT_EQ(Err("foo[\"5m\"]"), "1:5: parse error: unexpected character in duration expression: '\"'");
  EXPECT_EQ(Err("x]"), "1:2: parse error: unexpected right bracket ']'");
  EXPECT_EQ(Err("."), "1:1: parse error: unexpected character: '.'");
  EXPECT_EQ(Err("x \xc2\xa7 y"), "1:3: parse error: unexpected character: '\xc2\xa7'");
  EXPECT_EQ(Err("x !x"), "1:3: parse error: unexpected character after '!': 'x'");
  EXPECT_EQ(Err("x =~ \"a\""), "1:3: parse error: unexpected character after '=': '~'");
  EXPECT_EQ(Err("x{a!b}"), "1:4: parse error: unexpected character after '!' inside braces: 'b'");
  EXPECT_EQ(Err("x{a{}"), "1:4: parse error: unexpected left brace '{'");
  EXPECT_EQ(Err("x{a=\"b}"), "1:5: parse error: unterminated quoted string");
  // A syntax error before the lexer's error is reported first.
  EXPECT_EQ(Err("sum(rate(x[5m]) y"), "1:17: parse error: unexpected identifier \"y\" in aggregation");
  EXPECT_EQ(Err("sum(\n  github_stars\n) +"), "3:4: parse error: unexpected end of input");
  // Prometheus 3.x prints no position for an empty query, 1:1 for one of only comments.
  EXPECT_EQ(Err(""), "unknown position: parse error: no expression found in input");
  EXPECT_EQ(Err("# just a comment\n\n"), "1:1: parse error: no expression found in input");
}

TEST(Syntax, UpstreamErrorContexts) {
  EXPECT_EQ(Err("a + on(x) group_left group_right b"),
            "1:22: parse error: unexpected <group_right> in grouping opts, expected \"(\"");
  EXPECT_EQ(Err("a + group_left group_right b"), "1:5: parse error: unexpected <group_left>");
  EXPECT_EQ(Err("sum by x (y)"), "1:8: parse error: unexpected identifier \"x\" in grouping opts, expected \"(\"");
  EXPECT_EQ(Err("sum by (1) (y)"), "1:9: parse error: unexpected number \"1\" in grouping opts, expected label");
  EXPECT_EQ(Err("sum by (a b) (y)"),
            "1:11: parse error: unexpected identifier \"b\" in grouping opts, expected \",\" or \")\"");
  EXPECT_EQ(Err("sum without(==)(some_metric)"),
            "1:13: parse error: unexpected <op:==> in grouping opts, expected label");
  EXPECT_EQ(Err("sum without(foo,,)(some_metric)"),
            "1:17: parse error: unexpected \",\" in grouping opts, expected label");
  EXPECT_EQ(Err("sum by (a) y"), "1:12: parse error: unexpected identifier \"y\" in aggregation");
  EXPECT_EQ(Err("sum(x y)"), "1:7: parse error: unexpected identifier \"y\" in aggregation");
  EXPECT_EQ(Err("rate(x y)"), "1:8: parse error: unexpected identifier \"y\"");
  EXPECT_EQ(Err("github stars"), "1:8: parse error: unexpected identifier \"stars\"");
  EXPECT_EQ(Err("*1"), "1:1: parse error: unexpected <op:*>");
  EXPECT_EQ(Err("bool"), "1:1: parse error: unexpected <bool>");
  EXPECT_EQ(Err("x = 1"), "1:3: parse error: unexpected \"=\"");
  EXPECT_EQ(Err("github_stars{repo=\"a\" repo=\"b\"}"),
            "1:23: parse error: unexpected identifier \"repo\" in label matching, expected \",\" or \"}\"");
  EXPECT_EQ(Err("github_stars{repo=}"), "1:19: parse error: unexpected \"}\" in label matching, expected string");
  EXPECT_EQ(Err("x{a\"b\"}"),
            "1:4: parse error: unexpected string \"\\\"b\\\"\" in label matching, expected label matching operator");
  EXPECT_EQ(Err("x{,}"), "1:3: parse error: unexpected \",\" in label matching, expected identifier or \"}\"");
  EXPECT_EQ(Err("x offset"),
            "1:9: parse error: unexpected end of input in offset, expected number, duration, step(), or range()");
  EXPECT_EQ(Err("x @"), "1:4: parse error: unexpected end of input in @, expected timestamp");
  EXPECT_EQ(Err("foo[]"),
            "1:5: parse error: unexpected \"]\" in subquery or range selector, expected number, duration, "
            "step(), or range()");
  EXPECT_EQ(Err("x[5m +]"),
            "1:7: parse error: unexpected \"]\" in subquery or range selector, expected number, duration, "
            "step(), or range()");
  EXPECT_EQ(Err("x[5m,]"), "1:5: parse error: unexpected \",\" in subquery or range, expected \":\" or \"]\"");
  EXPECT_EQ(Err("x[5m:,]"),
            "1:6: parse error: unexpected \",\" in subquery selector, expected number, duration, step(), "
            "range(), or \"]\"");
  EXPECT_EQ(Err("x[5m:1m,]"), "1:8: parse error: unexpected \",\" in subquery selector, expected \"]\"");
  // Item.String(): values longer than 10 characters are cut ("%.10q...").
  EXPECT_EQ(Err("1 23456789012345"), "1:3: parse error: unexpected number \"2345678901\"...");
  EXPECT_EQ(Err("x start"), "1:3: parse error: unexpected \"start\"");
}

// ParseMetricSelector is upstream's START_METRIC_SELECTOR: one selector, no type checks.
TEST(Api, MetricSelectorErrors) {
  auto sel = [](const std::string& q) {
    std::string err;
    Matchers m = ParseMetricSelector(q, &err);
    return err.empty() ? "OK " + std::to_string(m.size()) : err;
  };
  EXPECT_EQ(sel("{job=~\".*\"}"), "OK 1");  // the API rejects it, not the parser
  EXPECT_EQ(sel("{}"), "OK 0");
  EXPECT_EQ(sel("foo{__name__=\"bar\"}"), "OK 2");
  EXPECT_EQ(sel("{job!=\"\"} ["), "1:11: parse error: unexpected \"[\"");
  EXPECT_EQ(sel("github_stars{"), "1:14: parse error: unexpected end of input inside braces");
  EXPECT_EQ(sel("{code=\"200\""), "1:12: parse error: unexpected end of input inside braces");
  EXPECT_EQ(sel("sum(x)"), "1:4: parse error: unexpected \"(\"");
  EXPECT_EQ(sel(""), "unknown position: parse error: unexpected end of input");
  EXPECT_EQ(sel("1"), "1:1: parse error: unexpected number \"1\"");
  EXPECT_EQ(sel("up offset 5m"), "1:4: parse error: unexpected <offset>");
}

TEST(Api, MetricSelector) {
  std::string err;
  auto m = ParseMetricSelector("up{job=\"a\"}", &err);
  EXPECT_EQ(m.size(), 2u) << err;
  m = ParseMetricSelector("up + 1", &err);
  EXPECT_TRUE(m.empty());
  EXPECT_FALSE(err.empty());
}

TEST(Ast, CloneAndEqual) {
  auto r = ParseAll("sum by (a) (rate(x{b=~\"c\"}[5m] offset 1m)) / on(a) group_left(d) y + fill(1) -z[10m:step()]");
  auto r2 = ParseAll("sum by (a) (rate(x{b=~\"c\"}[5m] offset 1m)) / on(a) group_left(d) y + fill(1) -z[10m:step()]");
  ASSERT_FALSE(r.ok());  // -z[..] subquery is a range vector operand: type error
  auto ok = ParseAll("sum by (a) (rate(x{b=~\"c\"}[5m] offset 1m)) / on(a) group_left(d) y + fill(1) -max_over_time(z[10m:step()])");
  ASSERT_TRUE(ok.ok()) << ok.ErrorString();
  auto c = ok.expr->Clone();
  EXPECT_TRUE(Equal(*ok.expr, *c));
  auto other = ParseAll("sum by (a) (rate(x{b=~\"c\"}[5m] offset 2m)) / on(a) group_left(d) y + fill(1) -max_over_time(z[10m:step()])");
  EXPECT_FALSE(Equal(*ok.expr, *other.expr));
  int count = 0;
  Walk(*ok.expr, [&](const Expr&) { ++count; return true; });
  EXPECT_EQ(count, 11);
  (void)r2;
}

}  // namespace
}  // namespace meridian::promql
