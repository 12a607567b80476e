#include <gtest/gtest.h>

#include "promql/parser/duration_eval.h"
#include "test_util.h"

namespace meridian::promql {
namespace {

std::optional<int64_t> RangeOf(const std::string& q, DurationContext ctx = {}) {
  auto r = testing::ParseAll(q);
  EXPECT_TRUE(r.ok()) << r.ErrorString();
  const auto& ms = r.expr->As<MatrixSelector>();
  if (!ms.range_expr) return ms.range_ms;
  std::string err;
  return EvalDurationMs(*ms.range_expr, ctx, &err);
}

TEST(DurationEval, Arithmetic) {
  EXPECT_EQ(RangeOf("x[26m+4m]"), 1800000);
  EXPECT_EQ(RangeOf("x[60*30]"), 1800000);
  EXPECT_EQ(RangeOf("x[2m*(10+5)]"), 1800000);
  EXPECT_EQ(RangeOf("x[24m+((1.5*2m)+2m)]"), 1740000);
  EXPECT_EQ(RangeOf("x[1h/2]"), 1800000);
  EXPECT_EQ(RangeOf("x[1h30m % 1h]"), 1800000);
  EXPECT_EQ(RangeOf("x[30m1s-30m1s % 1m]"), 1800000);
  EXPECT_EQ(RangeOf("x[2^3]"), 8000);
  EXPECT_EQ(RangeOf("x[-5m+35m]"), 1800000);
  EXPECT_EQ(RangeOf("x[step()]", {10000, 0}), 10000);
  EXPECT_EQ(RangeOf("x[1+(STep()-5)*2]", {10000, 0}), 11000);
  EXPECT_EQ(RangeOf("x[range()]", {5000, 60000}), 60000);
  EXPECT_EQ(RangeOf("x[min_of(step()+1,1h)]", {5000, 0}), 6000);
  EXPECT_EQ(RangeOf("x[max_of(min_of(step()+1,1h),1ms)]", {5000, 0}), 6000);
  EXPECT_EQ(RangeOf("x[1h/0]"), std::nullopt);
}

TEST(DurationEval, DependsOnQuery) {
  auto r = testing::ParseAll("x[5m+step()]");
  EXPECT_TRUE(DependsOnQuery(*r.expr->As<MatrixSelector>().range_expr));
  r = testing::ParseAll("x[5m+1m]");
  EXPECT_FALSE(DependsOnQuery(*r.expr->As<MatrixSelector>().range_expr));
}

}  // namespace
}  // namespace meridian::promql
