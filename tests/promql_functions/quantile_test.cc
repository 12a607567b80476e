// quantile, histogram_quantile (classic buckets), histogram_fraction and le parsing.

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "promql/engine/functions/histogram_quantile.h"
#include "promql/engine/functions/quantile.h"

namespace meridian::promql::functions {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

TEST(Quantile, InterpolatesBetweenRanks) {
  std::vector<double> v = {4, 1, 3, 2};
  EXPECT_EQ(Quantile(0, v), 1);
  EXPECT_EQ(Quantile(1, v), 4);
  EXPECT_DOUBLE_EQ(Quantile(0.5, v), 2.5);
  EXPECT_DOUBLE_EQ(Quantile(0.8, v), 3.4);
}

TEST(Quantile, SpecialCases) {
  std::vector<double> empty;
  EXPECT_TRUE(std::isnan(Quantile(0.5, empty)));
  std::vector<double> v = {1, 2};
  EXPECT_TRUE(std::isnan(Quantile(kNaN, v)));
  EXPECT_EQ(Quantile(-0.1, v), -kInf);
  EXPECT_EQ(Quantile(1.01, v), kInf);
  // NaN values sort first.
  std::vector<double> with_nan = {3, kNaN, 1};
  EXPECT_TRUE(std::isnan(Quantile(0, with_nan)));
  EXPECT_EQ(Quantile(1, with_nan), 3);
  EXPECT_TRUE(IsInvalidQuantile(kNaN));
  EXPECT_TRUE(IsInvalidQuantile(-0.5));
  EXPECT_FALSE(IsInvalidQuantile(1));
}

std::vector<Bucket> Nonmonotonic() {
  // histograms.test "nonmonotonic_bucket" at 50m (0+2x10, 0+1x10, 0+5x10, ...).
  return {{0.1, 20}, {1, 10}, {10, 50}, {100, 40}, {1000, 90}, {kInf, 80}};
}

TEST(BucketQuantile, CorpusNonmonotonic) {
  auto b = Nonmonotonic();
  BucketQuantileResult r = BucketQuantile(0.01, b);
  EXPECT_DOUBLE_EQ(r.value, 0.0045);
  EXPECT_TRUE(r.forced_monotonicity);
  EXPECT_FALSE(r.fixed_precision);
  EXPECT_EQ(r.min_bucket, 1);
  EXPECT_EQ(r.max_bucket, kInf);
  EXPECT_EQ(r.max_diff, 10);
  b = Nonmonotonic();
  EXPECT_DOUBLE_EQ(BucketQuantile(0.5, b).value, 8.5);
  b = Nonmonotonic();
  EXPECT_DOUBLE_EQ(BucketQuantile(0.99, b).value, 979.75);
}

TEST(BucketQuantile, UnsortedDuplicateBoundsAndHighestBucket) {
  // Equal bounds (e.g. le="0.1" and le="0.10") are merged by adding their counts.
  std::vector<Bucket> b = {{kInf, 10}, {0.2, 4}, {0.1, 1}, {0.1, 1}};
  EXPECT_DOUBLE_EQ(BucketQuantile(0.1, b).value, 0.05);  // rank 1 of 2 in (0, 0.1]
  std::vector<Bucket> top = {{1, 1}, {2, 2}, {kInf, 10}};
  EXPECT_EQ(BucketQuantile(0.9, top).value, 2);  // in +Inf bucket: highest finite bound
  std::vector<Bucket> neg = {{-1, 5}, {0, 8}, {kInf, 10}};
  EXPECT_EQ(BucketQuantile(0.1, neg).value, -1);  // lowest bucket with bound <= 0
}

TEST(BucketQuantile, NaNCases) {
  std::vector<Bucket> no_inf = {{1, 1}, {2, 2}};
  BucketQuantileResult r = BucketQuantile(0.5, no_inf);
  EXPECT_TRUE(std::isnan(r.value));
  EXPECT_EQ(r.min_bucket, 0);  // exited before the repair pass
  std::vector<Bucket> only_inf = {{kInf, 3}};
  EXPECT_TRUE(std::isnan(BucketQuantile(0.5, only_inf).value));
  std::vector<Bucket> zero = {{1, 0}, {kInf, 0}};
  EXPECT_TRUE(std::isnan(BucketQuantile(0.5, zero).value));
  std::vector<Bucket> empty;
  EXPECT_TRUE(std::isnan(BucketQuantile(0.5, empty).value));
  std::vector<Bucket> ok = {{1, 1}, {kInf, 2}};
  EXPECT_EQ(BucketQuantile(-1, ok).value, -kInf);
  EXPECT_EQ(BucketQuantile(2, ok).value, kInf);
  EXPECT_TRUE(std::isnan(BucketQuantile(kNaN, ok).value));
}

TEST(BucketQuantile, IgnoresTinyDeltasWithoutForcing) {
  std::vector<Bucket> b = {{1, 1e13}, {2, 1e13 - 1}, {kInf, 2e13}};
  BucketQuantileResult r = BucketQuantile(0.5, b);
  EXPECT_TRUE(r.fixed_precision);
  EXPECT_FALSE(r.forced_monotonicity);
  EXPECT_EQ(r.min_bucket, kInf);
  EXPECT_EQ(r.max_bucket, -kInf);
  EXPECT_EQ(r.value, 1);
}

TEST(BucketFraction, CorpusCases) {
  std::vector<Bucket> pos = {{1, 1}, {2, 3}, {3, 6}, {kInf, 100}};
  EXPECT_DOUBLE_EQ(BucketFraction(0, 1.5, pos), 0.02);
  std::vector<Bucket> neg = {{-3, 10}, {-2, 12}, {-1, 15}, {kInf, 100}};
  EXPECT_DOUBLE_EQ(BucketFraction(-4, -2, neg), 0.02);
  neg = {{-3, 10}, {-2, 12}, {-1, 15}, {kInf, 100}};
  EXPECT_DOUBLE_EQ(BucketFraction(-kInf, -1.5, neg), 0.135);
  std::vector<Bucket> b = {{1, 1}, {kInf, 2}};
  EXPECT_EQ(BucketFraction(2, 2, b), 0);
  EXPECT_TRUE(std::isnan(BucketFraction(kNaN, 1, b)));
  std::vector<Bucket> zero = {{1, 0}, {kInf, 0}};
  EXPECT_TRUE(std::isnan(BucketFraction(0, 1, zero)));
  std::vector<Bucket> empty;
  EXPECT_TRUE(std::isnan(BucketFraction(0, 1, empty)));
}

TEST(ParseLeLabel, GoParseFloatSyntax) {
  EXPECT_EQ(ParseLeLabel("0.1"), 0.1);
  EXPECT_EQ(ParseLeLabel("+Inf"), kInf);
  EXPECT_EQ(ParseLeLabel("-inf"), -kInf);
  EXPECT_EQ(ParseLeLabel("Infinity"), kInf);
  EXPECT_TRUE(std::isnan(*ParseLeLabel("NaN")));
  EXPECT_EQ(ParseLeLabel("1e3"), 1000);
  EXPECT_EQ(ParseLeLabel(".5"), 0.5);
  EXPECT_EQ(ParseLeLabel("5."), 5);
  EXPECT_EQ(ParseLeLabel("0x1p-2"), 0.25);
  EXPECT_EQ(ParseLeLabel("1_000"), 1000);
  EXPECT_EQ(ParseLeLabel("1e-400"), 0);  // underflow is not an error
  EXPECT_FALSE(ParseLeLabel("").has_value());
  EXPECT_FALSE(ParseLeLabel("abc").has_value());
  EXPECT_FALSE(ParseLeLabel("1e400").has_value());  // overflow is
  EXPECT_FALSE(ParseLeLabel("+NaN").has_value());
  EXPECT_FALSE(ParseLeLabel("0x10").has_value());  // hex needs a p exponent
  EXPECT_FALSE(ParseLeLabel("1__0").has_value());
  EXPECT_FALSE(ParseLeLabel("_1").has_value());
  EXPECT_FALSE(ParseLeLabel("1 ").has_value());
  EXPECT_FALSE(ParseLeLabel("Infin").has_value());
}

TEST(AlmostEqual, RelativeAndNearZero) {
  EXPECT_TRUE(AlmostEqual(kNaN, kNaN, 1e-12));
  EXPECT_TRUE(AlmostEqual(1e13, 1e13 - 1, 1e-12));
  EXPECT_FALSE(AlmostEqual(1, 1.001, 1e-12));
  EXPECT_FALSE(AlmostEqual(0, 1e-300, 1e-12));
}

}  // namespace
}  // namespace meridian::promql::functions
