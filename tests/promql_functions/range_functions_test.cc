// Range-vector kernels, checked against cases of the upstream corpus (functions.test,
// extended_vectors.test) restated over plain arrays, plus edge cases.

#include "promql/engine/functions/range_functions.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "tests/promql_functions/series_fixture.h"

namespace meridian::promql::functions {
namespace {

using testing::Concat;
using testing::kMin;
using testing::kSec;
using testing::TestSeries;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

TEST(ResetsChanges, CorpusFooBarBiz) {
  const auto foo = TestSeries::Load(5 * kMin, {1, 2, 3, 0, 1, 0, 0, 1, 2, 0});
  const auto bar = TestSeries::Load(5 * kMin, {1, 2, 3, 4, 5, 1, 2, 3, 4, 5});
  const auto biz = TestSeries::Load(5 * kMin, {0, 0, 0, 0, 0, 1, 1, 1, 1, 1});
  EXPECT_FALSE(Resets(foo.Window(50 * kMin, 5 * kMin)).has_value());
  EXPECT_EQ(Resets(foo.Window(50 * kMin, 20 * kMin)), 1);
  EXPECT_EQ(Resets(foo.Window(50 * kMin, 32 * kMin)), 2);
  EXPECT_EQ(Resets(bar.Window(50 * kMin, 32 * kMin)), 1);
  EXPECT_EQ(Resets(foo.Window(50 * kMin, 50 * kMin)), 3);
  EXPECT_EQ(Resets(biz.Window(50 * kMin, 50 * kMin)), 0);
  EXPECT_EQ(Changes(foo.Window(50 * kMin, 6 * kMin)), 0);
  EXPECT_EQ(Changes(foo.Window(50 * kMin, 20 * kMin)), 2);
  EXPECT_EQ(Changes(bar.Window(50 * kMin, 30 * kMin)), 4);
  EXPECT_EQ(Changes(foo.Window(50 * kMin, 50 * kMin)), 7);
  EXPECT_EQ(Changes(bar.Window(50 * kMin, 50 * kMin)), 8);
  EXPECT_EQ(Changes(biz.Window(50 * kMin, 50 * kMin)), 1);
}

TEST(ResetsChanges, NaNIsEqualToNaNForChanges) {
  const auto b = TestSeries::Load(5 * kMin, {kNaN, kNaN, kNaN});
  const auto c = TestSeries::Load(5 * kMin, {0, kNaN, 0});
  EXPECT_EQ(Changes(b.Window(15 * kMin, 20 * kMin)), 0);
  EXPECT_EQ(Changes(c.Window(15 * kMin, 20 * kMin)), 2);
  EXPECT_EQ(Resets(c.Window(15 * kMin, 20 * kMin)), 0);
}

TEST(ResetsChanges, AnchoredStartsAtSampleBeforeWindow) {
  // Window (10m, 20m] plus the sample at 10m an anchored selector adds.
  const auto s = TestSeries::Load(5 * kMin, {5, 1, 1, 0, 7});
  RangeWindow w = s.Window(20 * kMin, 15 * kMin);  // samples at 10m, 15m, 20m
  w.range_start_ms = 10 * kMin;
  EXPECT_EQ(Changes(w, true), 2);
  EXPECT_EQ(Resets(w, true), 1);
  RangeWindow only_before = s.Window(10 * kMin, 1);  // the sample at 10m
  only_before.range_start_ms = 10 * kMin;
  EXPECT_FALSE(Changes(only_before, true).has_value());
}

TEST(Increase, CorpusExtrapolation) {
  const auto foo = TestSeries::Load(5 * kMin, TestSeries::Seq(0, 10, 10));
  const auto bar = TestSeries::Load(
      5 * kMin, Concat(TestSeries::Seq(0, 18, 5), TestSeries::Seq(0, 18, 5)));
  const auto dings = TestSeries::Load(5 * kMin, TestSeries::Seq(10, 10, 10));
  const auto bumms = TestSeries::Load(5 * kMin, TestSeries::Seq(1, 10, 10));
  EXPECT_DOUBLE_EQ(*Increase(foo.Window(50 * kMin, 50 * kMin)), 100);
  EXPECT_DOUBLE_EQ(*Increase(bar.Window(50 * kMin, 50 * kMin)), 160);
  EXPECT_DOUBLE_EQ(*Increase(dings.Window(50 * kMin, 50 * kMin)), 100);
  EXPECT_DOUBLE_EQ(*Increase(bumms.Window(50 * kMin, 50 * kMin)), 100);
  // Extrapolation towards the start stops at the counter's zero point.
  EXPECT_DOUBLE_EQ(*Increase(foo.Window(50 * kMin, 100 * kMin)), 100);
  EXPECT_DOUBLE_EQ(*Increase(bar.Window(50 * kMin, 100 * kMin)), 162);
  EXPECT_DOUBLE_EQ(*Increase(dings.Window(50 * kMin, 100 * kMin)), 105);
  EXPECT_DOUBLE_EQ(*Increase(bumms.Window(50 * kMin, 100 * kMin)), 101);
}

TEST(Increase, CounterResetAddsPreviousValue) {
  const auto s = TestSeries::Load(5 * kMin, {0, 1, 2, 3, 2, 3, 4});
  EXPECT_DOUBLE_EQ(*Increase(s.Window(30 * kMin, 30 * kMin)), 7);
}

TEST(Rate, CorpusCases) {
  const auto middle = TestSeries::Load(
      5 * kMin, Concat(TestSeries::Seq(0, 27, 4), TestSeries::Seq(0, 27, 5)));
  EXPECT_DOUBLE_EQ(*Rate(middle.Window(50 * kMin, 50 * kMin)), 0.08);

  auto end_values = TestSeries::Seq(0, 10, 9);
  end_values.push_back(0);
  end_values.push_back(10);
  const auto end = TestSeries::Load(5 * kMin, end_values);
  EXPECT_FALSE(Rate(end.Window(50 * kMin, 5 * kMin)).has_value());
  EXPECT_EQ(*Rate(end.Window(50 * kMin, 6 * kMin)), 0);

  const auto window = TestSeries::Load(5 * kMin, TestSeries::Seq(0, 80, 10));
  // The corpus prints 0.26666666666666666 and compares loosely; upstream's operation order
  // (factor / range, then times the increase) gives the neighbouring double.
  EXPECT_EQ(*Rate(window.Window(50 * kMin, 50 * kMin)), 720 * ((3000.0 / 2700.0) / 3000.0));
  const auto a = TestSeries::Load(5 * kMin, TestSeries::Seq(0, 10, 10));
  const auto b = TestSeries::Load(5 * kMin, TestSeries::Seq(0, 20, 10));
  EXPECT_DOUBLE_EQ(*Rate(a.Window(50 * kMin, 10 * kMin, 5 * kMin)), 0.03333333333333333);
  EXPECT_DOUBLE_EQ(*Rate(b.Window(50 * kMin, 10 * kMin, 5 * kMin)), 0.06666666666666667);
}

TEST(Rate, ZeroCutoff) {
  const double expected_at_10m[] = {0.5, 0.55, 0.6, 0.6, 0.6, 0.6};
  for (int start = 0; start < 6; ++start) {
    const auto s = TestSeries::Load(4 * kMin, TestSeries::Seq(60.0 * start, 240, 10));
    EXPECT_DOUBLE_EQ(*Rate(s.Window(10 * kMin, 20 * kMin)), expected_at_10m[start]) << start;
    EXPECT_DOUBLE_EQ(*Rate(s.Window(50 * kMin, 20 * kMin)), 0.6) << start;
  }
}

TEST(Rate, NeedsTwoSamples) {
  const auto s = TestSeries::Load(5 * kMin, {1, 2});
  EXPECT_FALSE(Rate(s.Window(0, 5 * kMin)).has_value());
  EXPECT_FALSE(Rate(RangeWindow{}).has_value());
  EXPECT_TRUE(Rate(s.Window(5 * kMin, 10 * kMin)).has_value());
}

TEST(Delta, GaugeIsNotResetCorrectedNorZeroClamped) {
  const auto s = TestSeries::Load(5 * kMin, {10, 5, 0});
  // Samples cover 10m of a 20m window: the 10m gap at the start exceeds 1.1 average
  // intervals, so extrapolate half an interval only: -10 * (10m + 2.5m) / 10m = -12.5.
  EXPECT_DOUBLE_EQ(*Delta(s.Window(10 * kMin, 20 * kMin)), -12.5);
  // Within 1.1 intervals of the start: extrapolate all the way, -10 * 15m / 10m.
  EXPECT_DOUBLE_EQ(*Delta(s.Window(10 * kMin, 15 * kMin)), -15);
}

TEST(Irate, CorpusCases) {
  const auto foo = TestSeries::Load(5 * kMin, TestSeries::Seq(0, 10, 10));
  const auto bar = TestSeries::Load(
      5 * kMin, Concat(TestSeries::Seq(0, 10, 5), TestSeries::Seq(0, 10, 5)));
  EXPECT_DOUBLE_EQ(*Irate(foo.Window(50 * kMin, 50 * kMin)), 0.03333333333333333);
  EXPECT_DOUBLE_EQ(*Irate(bar.Window(50 * kMin, 50 * kMin)), 0.03333333333333333);
  EXPECT_DOUBLE_EQ(*Irate(bar.Window(30 * kMin, 50 * kMin)), 0);  // reset: 0 / 300s
  // http_requests_nan 1 NaN NaN 5 11, irate[15m1s] from 0 to 20m: _ NaN NaN NaN 0.02
  const auto nan = TestSeries::Load(5 * kMin, {1, kNaN, kNaN, 5, 11});
  const int64_t range = 15 * kMin + kSec;
  EXPECT_FALSE(Irate(nan.Window(0, range)).has_value());
  EXPECT_TRUE(std::isnan(*Irate(nan.Window(5 * kMin, range))));
  EXPECT_TRUE(std::isnan(*Irate(nan.Window(10 * kMin, range))));
  EXPECT_TRUE(std::isnan(*Irate(nan.Window(15 * kMin, range))));
  EXPECT_DOUBLE_EQ(*Irate(nan.Window(20 * kMin, range)), 0.02);
}

TEST(Idelta, LastTwoSamplesNoResetHandling) {
  const auto s = TestSeries::Load(kMin, {3, 9, 4});
  EXPECT_EQ(*Idelta(s.Window(2 * kMin, 5 * kMin)), -5);
  EXPECT_FALSE(Idelta(s.Window(0, kMin)).has_value());
}

TEST(Deriv, CorpusCases) {
  const auto total = TestSeries::Load(5 * kMin, TestSeries::Seq(0, 80, 10));
  EXPECT_DOUBLE_EQ(*Deriv(total.Window(50 * kMin, 50 * kMin)), 0.26666666666666666);
  const auto middle = TestSeries::Load(
      5 * kMin, Concat(TestSeries::Seq(0, 10, 4), TestSeries::Seq(0, 10, 5)));
  EXPECT_EQ(*Deriv(middle.Window(50 * kMin, 100 * kMin)), 0.010606060606060607);
  // -Inf 0+80x10 Inf -> NaN
  auto inf_values = Concat({-kInf}, TestSeries::Seq(0, 80, 10));
  inf_values.push_back(kInf);
  const auto inf = TestSeries::Load(5 * kMin, inf_values);
  EXPECT_TRUE(std::isnan(*Deriv(inf.Window(100 * kMin, 100 * kMin))));
}

TEST(Deriv, ConstantSeriesHasZeroSlopeAndInfConstantIsNaN) {
  const auto c = TestSeries::Load(kMin, {7, 7, 7});
  EXPECT_EQ(*Deriv(c.Window(2 * kMin, 5 * kMin)), 0);
  const auto inf = TestSeries::Load(kMin, {kInf, kInf});
  EXPECT_TRUE(std::isnan(*Deriv(inf.Window(kMin, 5 * kMin))));
  EXPECT_FALSE(Deriv(c.Window(0, kMin)).has_value());
}

TEST(PredictLinear, CorpusCasesAnchorAtStepTime) {
  const auto middle = TestSeries::Load(
      5 * kMin, Concat(TestSeries::Seq(0, 10, 4), TestSeries::Seq(0, 10, 5)));
  EXPECT_DOUBLE_EQ(*PredictLinear(middle.Window(50 * kMin, 50 * kMin), 3600, 50 * kMin), 70);
  // [55m] @ 3000: the window ends at 3000s; the regression is anchored at the step time.
  const RangeWindow at = middle.Window(3000 * kSec, 55 * kMin);
  EXPECT_DOUBLE_EQ(*PredictLinear(at, 3600, 50 * kMin), 76.81818181818181);
  EXPECT_DOUBLE_EQ(*PredictLinear(at, 3600, 10 * kMin), 51.36363636363637);
  EXPECT_DOUBLE_EQ(*PredictLinear(at, 3600, 70 * kMin), 89.54545454545455);
}

TEST(OverTime, AvgAndSumCorpusCases) {
  auto avg = [](std::vector<double> v) {
    const auto s = TestSeries::Load(10 * kSec, v);
    return *AvgOverTime(s.Window(55 * kSec, kMin));
  };
  auto sum_div_count = [](std::vector<double> v) {
    const auto s = TestSeries::Load(10 * kSec, v);
    const RangeWindow w = s.Window(55 * kSec, kMin);
    return *SumOverTime(w) / *CountOverTime(w);
  };
  EXPECT_EQ(avg({1, 2, 3, 4, 5}), 3);
  EXPECT_EQ(avg({1, 2, 3, 4, kInf}), kInf);
  EXPECT_EQ(avg({1, 2, 3, 4, -kInf}), -kInf);
  EXPECT_TRUE(std::isnan(avg({1, 2, 3, kInf, -kInf})));
  EXPECT_EQ(avg({kInf, 0, kInf}), kInf);
  EXPECT_TRUE(std::isnan(avg({kInf, kInf, kInf, -kInf})));
  EXPECT_EQ(avg({1, 2, 3, -kInf, -kInf}), -kInf);
  EXPECT_TRUE(std::isnan(avg({1, 2, -kInf, -kInf, kInf})));
  const double big = 9.988465674311579e+307;
  EXPECT_EQ(avg({big, big}), big);
  EXPECT_EQ(sum_div_count({big, big}), kInf);
  EXPECT_EQ(avg({-big, -big, -big}), -big);
  EXPECT_EQ(sum_div_count({-big, -big, -big}), -kInf);
  EXPECT_EQ(avg({-big, big}), 0);
  EXPECT_EQ(sum_div_count({1, 2, 3, 4, 5}), 3);
  EXPECT_TRUE(std::isnan(avg({1, 2, 3, kNaN, kNaN})));

  const auto metric = TestSeries::Load(10 * kSec, {1, 2, 3, 4, 5});
  EXPECT_FALSE(AvgOverTime(metric.Window(55 * kSec, 10 * kSec)).has_value());
  EXPECT_EQ(*AvgOverTime(metric.Window(55 * kSec, 20 * kSec)), 5);
}

TEST(OverTime, KahanSumKeepsSmallTerms) {
  const auto s = TestSeries::Load(kSec, {1e100, 1, -1e100, 1});
  EXPECT_EQ(*SumOverTime(s.Window(3 * kSec, 10 * kSec)), 2);
}

TEST(OverTime, MinMaxSkipLeadingNaN) {
  const auto s = TestSeries::Load(kSec, {kNaN, 3, 1, kNaN, 5});
  const RangeWindow w = s.Window(4 * kSec, 10 * kSec);
  EXPECT_EQ(*MinOverTime(w), 1);
  EXPECT_EQ(*MaxOverTime(w), 5);
  const auto all_nan = TestSeries::Load(kSec, {kNaN, kNaN});
  EXPECT_TRUE(std::isnan(*MaxOverTime(all_nan.Window(kSec, 10 * kSec))));
}

// The four-lane extreme must give exactly what Prometheus's one-at-a-time loop gives,
// signed zeros (the first one seen wins) and NaNs (skipped unless all are NaN) included.
TEST(OverTime, MinMaxMatchTheSequentialLoopBitForBit) {
  const double kValues[] = {kNaN, -0.0, 0.0, 1, -1, 2, std::numeric_limits<double>::infinity(),
                            -std::numeric_limits<double>::infinity()};
  uint64_t rng = 7;
  auto next = [&rng] {
    rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return rng >> 33;
  };
  auto sequential = [](const std::vector<double>& v, bool max) {
    double best = v[0];
    for (double cur : v) {
      if ((max ? cur > best : cur < best) || std::isnan(best)) best = cur;
    }
    return best;
  };
  auto bits = [](double d) {
    uint64_t b;
    std::memcpy(&b, &d, sizeof b);
    return std::isnan(d) ? uint64_t{1} : b;  // any NaN is the same answer
  };
  for (int round = 0; round < 20000; ++round) {
    std::vector<double> v(1 + next() % 40);
    const size_t kinds = 2 + next() % 7;  // some rounds draw from zeros and NaN only
    for (double& x : v) x = kValues[next() % kinds];
    std::vector<int64_t> ts(v.size());
    for (size_t i = 0; i < ts.size(); ++i) ts[i] = static_cast<int64_t>(i);
    RangeWindow w{ts.data(), v.data(), v.size(), -1, static_cast<int64_t>(v.size())};
    ASSERT_EQ(bits(*MaxOverTime(w)), bits(sequential(v, true))) << "round " << round;
    ASSERT_EQ(bits(*MinOverTime(w)), bits(sequential(v, false))) << "round " << round;
  }
}

TEST(OverTime, TimestampsOfExtremesPreferLastEqual) {
  const auto s = TestSeries::Load(kSec, {2, 1, 3, 1, 3});
  const RangeWindow w = s.Window(4 * kSec, 10 * kSec);
  EXPECT_EQ(*TsOfMinOverTime(w), 3);
  EXPECT_EQ(*TsOfMaxOverTime(w), 4);
  EXPECT_EQ(*TsOfFirstOverTime(w), 0);
  EXPECT_EQ(*TsOfLastOverTime(w), 4);
  EXPECT_EQ(*FirstOverTime(w), 2);
  EXPECT_EQ(*LastOverTime(w), 3);
  EXPECT_EQ(*CountOverTime(w), 5);
  EXPECT_EQ(*PresentOverTime(w), 1);
  EXPECT_FALSE(PresentOverTime(RangeWindow{}).has_value());
}

TEST(OverTime, StddevStdvar) {
  const auto s = TestSeries::Load(kSec, {2, 4, 4, 4, 5, 5, 7, 9});
  const RangeWindow w = s.Window(7 * kSec, 10 * kSec);
  EXPECT_DOUBLE_EQ(*StdvarOverTime(w), 4);
  EXPECT_DOUBLE_EQ(*StddevOverTime(w), 2);
  const auto one = TestSeries::Load(kSec, {42});
  EXPECT_EQ(*StdvarOverTime(one.Window(0, kSec)), 0);
  const auto inf = TestSeries::Load(kSec, {1, kInf});
  EXPECT_TRUE(std::isnan(*StddevOverTime(inf.Window(kSec, 5 * kSec))));
}

TEST(OverTime, QuantileAndMad) {
  const auto s = TestSeries::Load(kSec, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
  const RangeWindow w = s.Window(10 * kSec, 20 * kSec);
  KernelNotes notes;
  EXPECT_EQ(*QuantileOverTime(w, 0.5, &notes), 5);
  EXPECT_DOUBLE_EQ(*QuantileOverTime(w, 0.95, &notes), 9.5);
  EXPECT_FALSE(notes.invalid_quantile);
  EXPECT_EQ(*QuantileOverTime(w, 2, &notes), kInf);
  EXPECT_TRUE(notes.invalid_quantile);
  KernelNotes nan_notes;
  EXPECT_TRUE(std::isnan(*QuantileOverTime(w, kNaN, &nan_notes)));
  EXPECT_TRUE(nan_notes.invalid_quantile);
  EXPECT_FALSE(QuantileOverTime(RangeWindow{}, 0.5, nullptr).has_value());
  // median 5, |x-5| = 5 4 3 2 1 0 1 2 3 4 5 -> median 3
  EXPECT_EQ(*MadOverTime(w), 3);
}

TEST(MadOverTime, ANaNSampleMakesTheResultNaN) {
  const int64_t ts[] = {10000, 20000, 30000};
  const double vs[] = {1, std::numeric_limits<double>::quiet_NaN(), 3};
  RangeWindow w{ts, vs, 3, 0, 30000};
  EXPECT_TRUE(std::isnan(*MadOverTime(w)));
}

TEST(DoubleExponentialSmoothing, CorpusLinearTrends) {
  const double slope[] = {10, 20, 30, 40};
  for (double m : slope) {
    const auto s = TestSeries::Load(10 * kSec, TestSeries::Seq(0, m, 1000));
    auto r = DoubleExponentialSmoothing(s.Window(8000 * kSec, kMin), 0.01, 0.1);
    ASSERT_TRUE(r.ok());
    ASSERT_TRUE(r->has_value());
    EXPECT_NEAR(**r, 800 * m, 800 * m * 1e-9);
  }
}

TEST(DoubleExponentialSmoothing, ValidatesFactorsWithUpstreamMessages) {
  const auto s = TestSeries::Load(kSec, {1, 2, 3});
  auto bad_sf = DoubleExponentialSmoothing(s.Window(2 * kSec, 5 * kSec), 1, 0.5);
  ASSERT_FALSE(bad_sf.ok());
  EXPECT_EQ(bad_sf.status().message(),
            "invalid smoothing factor. Expected: 0 < sf < 1, got: 1.000000");
  auto bad_tf = DoubleExponentialSmoothing(s.Window(2 * kSec, 5 * kSec), 0.5, -kInf);
  ASSERT_FALSE(bad_tf.ok());
  EXPECT_EQ(bad_tf.status().message(),
            "invalid trend factor. Expected: 0 < tf < 1, got: -Inf");
  // Too few samples: no output, but still an error for bad factors.
  auto few = DoubleExponentialSmoothing(s.Window(0, kSec), 0.5, 0.5);
  ASSERT_TRUE(few.ok());
  EXPECT_FALSE(few->has_value());
  EXPECT_FALSE(DoubleExponentialSmoothing(s.Window(0, kSec), 0, 0.5).ok());
}

TEST(ExtendedRate, AnchoredUsesSampleBeforeWindow) {
  // Counter 0 10 20 30 at 0,5,10,15m; increase over (5m, 15m] anchored: 30 - 10 = 20.
  const auto s = TestSeries::Load(5 * kMin, {0, 10, 20, 30});
  RangeWindow w = s.Window(15 * kMin, 15 * kMin);  // samples 5m..15m
  w.range_start_ms = 5 * kMin;
  EXPECT_EQ(*ExtrapolatedRate(w, true, false, RateMode::kAnchored), 20);
  EXPECT_DOUBLE_EQ(*ExtrapolatedRate(w, true, true, RateMode::kAnchored), 20.0 / 600);
  // A reset inside the window adds the value before it.
  const auto r = TestSeries::Load(5 * kMin, {0, 10, 5, 15});
  RangeWindow wr = r.Window(15 * kMin, 15 * kMin);
  wr.range_start_ms = 5 * kMin;
  EXPECT_EQ(*ExtrapolatedRate(wr, true, false, RateMode::kAnchored), 15);
}

TEST(ExtendedRate, SmoothedInterpolatesAtBothEdges) {
  // Samples at 0, 10m, 20m with values 0, 100, 200; window (5m, 15m]: both edges interpolate.
  const auto s = TestSeries::Load(10 * kMin, {0, 100, 200});
  RangeWindow w = s.Window(20 * kMin, 25 * kMin);  // all three samples
  w.range_start_ms = 5 * kMin;
  w.range_end_ms = 15 * kMin;
  EXPECT_DOUBLE_EQ(*ExtrapolatedRate(w, true, false, RateMode::kSmoothed), 100);
  EXPECT_DOUBLE_EQ(*ExtrapolatedRate(w, false, false, RateMode::kSmoothed), 100);
}

TEST(RangeWindowHelpers, DurationSecondsMatchesGo) {
  EXPECT_EQ(DurationSeconds(300000), 300);
  EXPECT_EQ(DurationSeconds(1500), 1.5);
  EXPECT_EQ(DurationSeconds(901000), 901);
}

}  // namespace
}  // namespace meridian::promql::functions
