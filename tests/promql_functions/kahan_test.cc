// Compensated summation and the mean/variance accumulators.

#include "promql/engine/functions/kahan.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace meridian::promql::functions {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

TEST(KahanSumInc, NeumaierKeepsLostLowBits) {
  KahanSum s;
  for (double v : {1.0, 1e100, 1.0, -1e100}) s.Add(v);
  EXPECT_EQ(s.Value(), 2);
  EXPECT_EQ(s.raw_sum(), 0);
}

TEST(KahanSumInc, InfinityDropsCompensation) {
  KahanStep st = KahanSumInc(kInf, 1.0, 0.5);
  EXPECT_EQ(st.sum, kInf);
  EXPECT_EQ(st.c, 0);
  KahanSum s;
  s.Add(kInf);
  s.Add(1);
  EXPECT_EQ(s.Value(), kInf);
  s.Add(-kInf);
  EXPECT_TRUE(std::isnan(s.Value()));
}

TEST(MeanAccumulator, DirectThenIncrementalOnOverflow) {
  MeanAccumulator m;
  EXPECT_TRUE(std::isnan(m.Value()));
  const double big = 9.988465674311579e+307;
  m.Add(big);
  m.Add(big);
  EXPECT_EQ(m.Value(), big);
  MeanAccumulator small;
  for (double v : {1.0, 2.0, 3.0, 4.0}) small.Add(v);
  EXPECT_EQ(small.Value(), 2.5);
  MeanAccumulator mixed;
  for (double v : {big, big, -big, -big}) mixed.Add(v);
  EXPECT_EQ(mixed.Value(), 0);
}

TEST(Variance, OverTimeAndAggregationForms) {
  OverTimeVarianceAccumulator ot;
  AggregationVarianceAccumulator ag;
  for (double v : {2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0}) {
    ot.Add(v);
    ag.Add(v);
  }
  EXPECT_DOUBLE_EQ(ot.Variance(), 4);
  EXPECT_DOUBLE_EQ(ag.Variance(), 4);
  AggregationVarianceAccumulator inf_first;
  inf_first.Add(kInf);
  EXPECT_TRUE(std::isnan(inf_first.Variance()));
  AggregationVarianceAccumulator one;
  one.Add(3);
  EXPECT_EQ(one.Variance(), 0);
}

}  // namespace
}  // namespace meridian::promql::functions
