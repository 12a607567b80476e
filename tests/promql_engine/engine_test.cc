// Operator-family tests of the engine beyond the upstream corpus: limits, cancellation, empty
// inputs, large label sets, and the basics each operator must get right.

#include "promql/engine/engine.h"

#include <atomic>
#include <cmath>
#include <cstring>
#include <gtest/gtest.h>

#include "model/value.h"
#include "promql/parser/parse.h"
#include "storage/memory_storage.h"

namespace meridian::promql::engine {
namespace {

constexpr int64_t kMin = 60 * 1000;

class EngineTest : public ::testing::Test {
 protected:
  void Add(const Labels& l, int64_t t, double v) { ASSERT_TRUE(st_.Append(l, t, v).ok()); }
  // Series every `interval` ms from 0, value start + i*inc, n samples.
  void AddLinear(const Labels& l, int64_t interval, int n, double start, double inc) {
    for (int i = 0; i < n; ++i) Add(l, i * interval, start + i * inc);
  }

  StatusOr<QueryResult> Instant(const std::string& q, int64_t t, EngineOpts opts = {},
                                QueryOptions qo = {}) {
    ParseResult p = ParseExpr(q, ParseOptions::AllEnabled());
    if (!p.ok()) return BadData(p.ErrorString());
    exprs_.push_back(std::move(p.expr));
    return Engine(opts).InstantQuery(&st_, *exprs_.back(), t, qo);
  }
  StatusOr<QueryResult> Range(const std::string& q, int64_t s, int64_t e, int64_t step,
                              EngineOpts opts = {}, QueryOptions qo = {}) {
    ParseResult p = ParseExpr(q, ParseOptions::AllEnabled());
    if (!p.ok()) return BadData(p.ErrorString());
    exprs_.push_back(std::move(p.expr));
    return Engine(opts).RangeQuery(&st_, *exprs_.back(), s, e, step, qo);
  }
  static const Vector& Vec(const StatusOr<QueryResult>& r) { return std::get<Vector>(r->value); }
  static const Matrix& Mat(const StatusOr<QueryResult>& r) { return std::get<Matrix>(r->value); }
  // Same series, timestamps and values bit for bit (any NaN equals any NaN).
  static void ExpectIdentical(const Matrix& ma, const Matrix& mb) {
    ASSERT_EQ(ma.size(), mb.size());
    for (size_t i = 0; i < ma.size(); ++i) {
      ASSERT_EQ(ma[i].labels, mb[i].labels);
      ASSERT_EQ(ma[i].points.size(), mb[i].points.size());
      for (size_t j = 0; j < ma[i].points.size(); ++j) {
        ASSERT_EQ(ma[i].points[j].t, mb[i].points[j].t);
        const double x = ma[i].points[j].v, y = mb[i].points[j].v;
        ASSERT_TRUE(std::memcmp(&x, &y, sizeof x) == 0 || (std::isnan(x) && std::isnan(y)))
            << ma[i].labels.ToString() << " at " << ma[i].points[j].t << ": " << x << " vs " << y;
      }
    }
  }
  static double ValueOf(const Vector& v, const Labels& l) {
    for (const auto& s : v) {
      if (s.labels == l) return s.v;
    }
    return -12345;
  }

  storage::MemoryStorage st_;
  std::vector<ExprPtr> exprs_;
};

TEST_F(EngineTest, ScalarAndStringLiterals) {
  auto r = Instant("1 + 2 * 3", 0);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(std::get<Scalar>(r->value).v, 7);
  r = Instant("\"hello\"", 0);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(std::get<String>(r->value).v, "hello");
  r = Range("\"hello\"", 0, 10, 1);
  EXPECT_FALSE(r.ok());
}

TEST_F(EngineTest, LookbackAndStaleness) {
  Labels a{{"__name__", "m"}, {"i", "a"}};
  Add(a, 0, 1);
  Add(a, 60'000, 2);
  Add(a, 120'000, StaleNaN());
  auto r = Instant("m", 90'000);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(Vec(r).size(), 1u);
  EXPECT_EQ(Vec(r)[0].v, 2);
  EXPECT_EQ(Vec(r)[0].labels, a);
  // The staleness marker ends the series.
  r = Instant("m", 130'000);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(Vec(r).empty());
  // Beyond the lookback nothing is selected.
  Labels b{{"__name__", "n"}};
  Add(b, 0, 5);
  r = Instant("n", 5 * kMin);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(Vec(r).empty());
  r = Instant("n", 5 * kMin - 1);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Vec(r).size(), 1u);
  // A lookback delta of 0 (--query.lookback-delta=0s) means the default, not "nothing".
  EngineOpts zero;
  zero.lookback_delta_ms = 0;
  r = Instant("n", 5 * kMin - 1, zero);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Vec(r).size(), 1u);
}

TEST_F(EngineTest, RateRangeQueryAndAggregation) {
  for (int i = 0; i < 4; ++i) {
    AddLinear(Labels{{"__name__", "x_total"}, {"job", i % 2 ? "a" : "b"}, {"i", std::to_string(i)}},
              15'000, 200, 0, 15 * (i + 1));
  }
  auto r = Range("sum by (job) (rate(x_total[5m]))", 10 * kMin, 20 * kMin, kMin);
  ASSERT_TRUE(r.ok()) << r.status().message();
  const Matrix& m = Mat(r);
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].labels, (Labels{{"job", "a"}}));
  ASSERT_EQ(m[0].points.size(), 11u);
  // i=1 and i=3 rise by 2 and 4 per second.
  EXPECT_NEAR(m[0].points[0].v, 6, 1e-9);
  EXPECT_NEAR(m[1].points[5].v, 4, 1e-9);
}

TEST_F(EngineTest, BinaryMatching) {
  Add(Labels{{"__name__", "a"}, {"k", "1"}, {"x", "p"}}, 0, 10);
  Add(Labels{{"__name__", "a"}, {"k", "2"}, {"x", "q"}}, 0, 20);
  Add(Labels{{"__name__", "b"}, {"k", "1"}, {"y", "z"}}, 0, 2);
  auto r = Instant("a / on(k) b", 0);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(Vec(r).size(), 1u);
  EXPECT_EQ(Vec(r)[0].labels, (Labels{{"k", "1"}}));
  EXPECT_EQ(Vec(r)[0].v, 5);
  r = Instant("a * on(k) group_left(y) b", 0);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(Vec(r).size(), 1u);
  EXPECT_EQ(Vec(r)[0].labels, (Labels{{"k", "1"}, {"x", "p"}, {"y", "z"}}));
  // Comparison filters keep the left value and the metric name.
  r = Instant("a > 15", 0);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(Vec(r).size(), 1u);
  EXPECT_EQ(Vec(r)[0].labels.MetricName(), "a");
  r = Instant("a > bool 15", 0);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Vec(r).size(), 2u);
  EXPECT_EQ(ValueOf(Vec(r), Labels{{"k", "2"}, {"x", "q"}}), 1);
  // Many-to-many: duplicates on the "one" side are an error.
  r = Instant("b + on() group_left a", 0);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("many-to-many matching not allowed"), std::string::npos);
}

TEST_F(EngineTest, SetOperators) {
  Add(Labels{{"__name__", "a"}, {"k", "1"}}, 0, 1);
  Add(Labels{{"__name__", "a"}, {"k", "2"}}, 0, 2);
  Add(Labels{{"__name__", "b"}, {"k", "2"}}, 0, 3);
  Add(Labels{{"__name__", "b"}, {"k", "3"}}, 0, 4);
  auto r = Instant("a and b", 0);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(Vec(r).size(), 1u);
  EXPECT_EQ(Vec(r)[0].v, 2);
  r = Instant("a unless b", 0);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(Vec(r).size(), 1u);
  EXPECT_EQ(Vec(r)[0].v, 1);
  r = Instant("a or b", 0);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Vec(r).size(), 3u);
}

TEST_F(EngineTest, TopkIsOrderedAndCountValuesMakesSeries) {
  for (int i = 0; i < 5; ++i) Add(Labels{{"__name__", "m"}, {"i", std::to_string(i)}}, 0, i % 3);
  auto r = Instant("topk(2, m)", 0);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(Vec(r).size(), 2u);
  EXPECT_TRUE(r->ordered);
  EXPECT_EQ(Vec(r)[0].v, 2);
  r = Instant("count_values(\"v\", m)", 0);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(Vec(r).size(), 3u);
  EXPECT_EQ(ValueOf(Vec(r), Labels{{"v", "0"}}), 2);
  EXPECT_EQ(ValueOf(Vec(r), Labels{{"v", "2"}}), 1);
}

TEST_F(EngineTest, SubqueryAndAtModifier) {
  AddLinear(Labels{{"__name__", "c_total"}}, 10'000, 100, 0, 10);
  auto r = Instant("max_over_time(c_total[2m:30s])", 10 * kMin);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(Vec(r).size(), 1u);
  EXPECT_EQ(Vec(r)[0].v, 600);
  r = Range("c_total @ 100", 0, 5 * kMin, kMin);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(Mat(r).size(), 1u);
  for (const auto& p : Mat(r)[0].points) EXPECT_EQ(p.v, 100);
  r = Instant("c_total offset 1m", 5 * kMin);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Vec(r)[0].v, 240);
}

TEST_F(EngineTest, SubqueryWithoutAlignedStepIsEmpty) {
  AddLinear(Labels{{"__name__", "m"}}, 10'000, 10, 0, 1);
  // (20s, 30s] holds no multiple of 1m.
  auto r = Instant("max_over_time(m[10s:1m])", 30'000);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(Vec(r).empty());
  r = Instant("max_over_time(m[10s:1m])", 65'000);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(Vec(r).size(), 1u);
  EXPECT_EQ(Vec(r)[0].v, 6);
}

TEST_F(EngineTest, EmptyInputs) {
  for (const char* q : {"nothing", "sum(nothing)", "rate(nothing[5m])", "nothing + nothing",
                        "topk(3, nothing)", "count_values(\"x\", nothing)",
                        "histogram_quantile(0.9, nothing)"}) {
    auto r = Instant(q, kMin);
    ASSERT_TRUE(r.ok()) << q << ": " << r.status().message();
    EXPECT_TRUE(Vec(r).empty()) << q;
  }
  auto r = Instant("absent(nothing{job=\"x\"})", kMin);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(Vec(r).size(), 1u);
  EXPECT_EQ(Vec(r)[0].labels, (Labels{{"job", "x"}}));
}

TEST_F(EngineTest, SampleLimit) {
  for (int i = 0; i < 10; ++i) {
    AddLinear(Labels{{"__name__", "m"}, {"i", std::to_string(i)}}, 1000, 100, 0, 1);
  }
  // One series' window (100 samples) is over the limit.
  EngineOpts opts;
  opts.max_samples = 50;
  auto r = Instant("sum(count_over_time(m[2m]))", 100'000, opts);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "query processing would load too many samples into memory in query execution");
  // Like Prometheus, a range function holds one series' window at a time: the 1,000 samples
  // of all ten are never in memory at once.
  opts.max_samples = 500;
  r = Instant("sum(count_over_time(m[2m]))", 100'000, opts);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(Vec(r)[0].v, 1000);
}

TEST_F(EngineTest, CancellationStopsQuery) {
  AddLinear(Labels{{"__name__", "m"}}, 1000, 100, 0, 1);
  QueryOptions qo;
  qo.cancel = std::make_shared<std::atomic<bool>>(true);
  auto r = Range("m", 0, 100'000, 1000, {}, qo);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCanceled);
}

TEST_F(EngineTest, HugeLabelSets) {
  std::vector<Label> ls{{"__name__", "wide"}};
  for (int i = 0; i < 2000; ++i) ls.push_back(Label{"l" + std::to_string(i), std::string(50, 'v')});
  Labels big = Labels::FromUnsorted(ls);
  Add(big, 0, 3);
  auto r = Instant("sum without (l7) (wide)", 0);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(Vec(r).size(), 1u);
  EXPECT_EQ(Vec(r)[0].labels.size(), 1999u);
}

TEST_F(EngineTest, DuplicateOutputLabelsetIsAnError) {
  Add(Labels{{"__name__", "a"}, {"k", "1"}}, 0, 1);
  Add(Labels{{"__name__", "b"}, {"k", "1"}}, 0, 2);
  auto r = Instant("abs({k=\"1\"})", 0);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "vector cannot contain metrics with the same labelset");
}

TEST_F(EngineTest, RangeQueryMergesSeriesWithOneOutputLabelSet) {
  // a and b lose their names to rate: one output series, an error only where both have a
  // value at the same step.
  AddLinear(Labels{{"__name__", "a"}, {"k", "1"}}, 15'000, 40, 0, 1);  // 0 .. 9m45s
  for (int i = 0; i < 40; ++i) Add(Labels{{"__name__", "b"}, {"k", "1"}}, 900'000 + i * 15'000, i);
  auto r = Range("rate({k=\"1\"}[1m])", 2 * kMin, 20 * kMin, kMin);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(Mat(r).size(), 1u);
  const auto& points = Mat(r)[0].points;
  ASSERT_FALSE(points.empty());
  for (size_t i = 1; i < points.size(); ++i) EXPECT_LT(points[i - 1].t, points[i].t);
  EXPECT_EQ(points.front().t, 2 * kMin);
  EXPECT_EQ(points.back().t, 20 * kMin);
  r = Range("rate({k=\"1\"}[20m])", 2 * kMin, 20 * kMin, kMin);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "vector cannot contain metrics with the same labelset");
}

// With several workers every selector of a query reads from storage before evaluation starts,
// concurrently (QueryContext::RunStorageReads); answers and errors must not change, whatever
// the nesting (binary operators, subqueries, functions with scalar arguments, timestamp()).
TEST_F(EngineTest, ConcurrentStorageReadsMatchSerial) {
  for (int i = 0; i < 300; ++i) {
    AddLinear(Labels{{"__name__", "a_total"}, {"i", std::to_string(i)}, {"g", std::to_string(i % 3)}}, 15'000, 80,
              i, 1 + i % 5);
    AddLinear(Labels{{"__name__", "b"}, {"i", std::to_string(i)}, {"g", std::to_string(i % 3)}}, 15'000, 80, 2 * i,
              1);
  }
  EngineOpts serial, parallel;
  parallel.max_parallelism = 4;
  const char* queries[] = {
      "sum by (g) (rate(a_total[2m])) / sum by (g) (b)",
      "a_total / on(i) b + on(i) b",
      "max_over_time((rate(a_total[1m]) * b)[5m:1m]) - b",
      "quantile_over_time(scalar(sum(b) / 1e9), a_total[3m]) and b",
      "timestamp(b) - timestamp(a_total offset 1m)",
      "count(a_total > b) or vector(1)",
      "a_total{i=\"1\"} + absent(nothing_here)",
  };
  for (const char* q : queries) {
    SCOPED_TRACE(q);
    auto a = Range(q, 5 * kMin, 19 * kMin, kMin, serial);
    auto b = Range(q, 5 * kMin, 19 * kMin, kMin, parallel);
    ASSERT_EQ(a.ok(), b.ok());
    if (!a.ok()) {
      EXPECT_EQ(a.status().message(), b.status().message());
      continue;
    }
    ExpectIdentical(Mat(a), Mat(b));
  }
}

TEST_F(EngineTest, ParallelRangeFunctionMatchesSerial) {
  for (int i = 0; i < 3000; ++i) {
    AddLinear(Labels{{"__name__", "c_total"}, {"i", std::to_string(i)}}, 15'000, 80, i, 1 + i % 5);
  }
  EngineOpts serial, parallel;
  parallel.max_parallelism = 4;
  auto a = Range("rate(c_total[2m])", 5 * kMin, 19 * kMin, kMin, serial);
  auto b = Range("rate(c_total[2m])", 5 * kMin, 19 * kMin, kMin, parallel);
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ(Mat(a).size(), 3000u);
  ExpectIdentical(Mat(a), Mat(b));
}

// Aggregations over range functions read their input series by series (Operator::NextRows;
// with several workers runs of series are computed in parallel and delivered in order) or
// step by step; all must agree bit for bit, including over counter resets, gaps, stale
// markers, jittered scrapes and group counts that split the range into several blocks.
TEST_F(EngineTest, SeriesMajorAggregationMatchesStepMajor) {
  uint64_t rng = 42;
  auto next = [&rng] {
    rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return rng >> 33;
  };
  for (int i = 0; i < 1000; ++i) {
    Labels l{{"__name__", "c"}, {"g", std::to_string(i % 7)}, {"i", std::to_string(i)}};
    double v = static_cast<double>(next() % 1000);
    for (int k = 0; k < 400; ++k) {
      if (next() % 50 == 0) continue;  // a missed scrape
      const int64_t t = k * 15'000 + static_cast<int64_t>(next() % 3000);
      if (next() % 200 == 0) {
        Add(l, t, StaleNaN());
        continue;
      }
      v = next() % 100 == 0 ? static_cast<double>(next() % 10) : v + static_cast<double>(next() % 97) / 7;
      Add(l, t, v);
    }
  }
  EngineOpts rows, steps, parallel_rows, parallel_steps;
  steps.series_major_rows = false;
  parallel_rows.max_parallelism = 4;
  parallel_steps.max_parallelism = 4;
  parallel_steps.series_major_rows = false;
  const char* queries[] = {
      "sum by (g) (rate(c[2m]))",
      "avg by (g) (increase(c[5m]))",
      "min by (g) (delta(c[1m]))",
      "max(irate(c[2m]))",
      "count by (g) (changes(c[3m]))",
      "group by (g) (resets(c[3m]))",
      "stddev by (g) (avg_over_time(c[3m]))",
      "stdvar(max_over_time(c[30s]))",
      "sum without (i) (quantile_over_time(0.3, c[2m]))",
      "sum by (i) (rate(c[1m]))",  // 1000 groups: several blocks
      "sum by (g) (rate(c[2m] offset 1m))",
      "sum by (g) (rate(c[2m] @ 3000))",
  };
  for (const char* q : queries) {
    SCOPED_TRACE(q);
    auto a = Range(q, 0, 6000 * 1000, 20'000, rows);
    auto b = Range(q, 0, 6000 * 1000, 20'000, steps);
    ASSERT_TRUE(a.ok()) << a.status().message();
    ASSERT_TRUE(b.ok()) << b.status().message();
    ASSERT_FALSE(Mat(a).empty());
    ExpectIdentical(Mat(a), Mat(b));
    for (const EngineOpts* opts : {&parallel_rows, &parallel_steps}) {
      auto c = Range(q, 0, 6000 * 1000, 20'000, *opts);
      ASSERT_TRUE(c.ok()) << c.status().message();
      ExpectIdentical(Mat(a), Mat(c));
    }
  }
}

// Over raw data alone, letting selectors choose downsampled data (`auto`, or an explicit
// max_source_resolution) must not change a single bit: every read path falls back to the raw
// one, avg_over_time's sum/count split included.
TEST_F(EngineTest, DownsamplingOptionsOverRawDataChangeNothing) {
  for (int i = 0; i < 20; ++i) {
    Labels l{{"__name__", i % 2 ? "c_total" : "g"}, {"i", std::to_string(i)}};
    for (int64_t t = 0; t < 400; ++t) {
      if (i == 3 && t > 200) break;  // ends
      double v = i % 2 ? static_cast<double>(t * (i + 1) % 997) : std::sin(t * 0.1 + i) * 10;
      if (i == 5 && t == 300) v = StaleNaN();
      Add(l, t * 15'000 + i * 100, v);
    }
  }
  const char* queries[] = {
      "g", "c_total", "sum(g)", "timestamp(g)", "rate(c_total[5m])", "increase(c_total[20m])",
      "irate(c_total[5m])", "resets(c_total[10m])", "avg_over_time(g[20m])", "count_over_time(g[20m])",
      "sum_over_time(g[1h])", "min_over_time(g[20m])", "max_over_time(g[20m])", "last_over_time(g[20m])",
      "quantile_over_time(0.5, g[20m])", "deriv(g[20m])", "absent_over_time(nope[20m])",
      "present_over_time(g[20m])", "max_over_time(rate(c_total[5m])[30m:1m])", "delta(g[20m])",
  };
  for (const char* q : queries) {
    SCOPED_TRACE(q);
    QueryOptions raw;
    auto want = Range(q, 0, 6000 * 1000, 60'000, {}, raw);
    ASSERT_TRUE(want.ok()) << want.status().message();
    for (DownsamplingOptions d : {DownsamplingOptions{12'000, true}, DownsamplingOptions{300'000, false},
                                  DownsamplingOptions{3'600'000, false}}) {
      QueryOptions qo;
      qo.downsampling = d;
      auto got = Range(q, 0, 6000 * 1000, 60'000, {}, qo);
      ASSERT_TRUE(got.ok()) << got.status().message();
      ExpectIdentical(Mat(got), Mat(want));
      EXPECT_EQ(got->resolutions_read, want->resolutions_read);
    }
    auto want_i = Instant(q, 3000 * 1000, {}, raw);
    QueryOptions qo;
    qo.downsampling = {0, true};
    auto got_i = Instant(q, 3000 * 1000, {}, qo);
    ASSERT_TRUE(want_i.ok() && got_i.ok());
    ASSERT_EQ(Vec(got_i).size(), Vec(want_i).size());
    for (size_t k = 0; k < Vec(got_i).size(); ++k) {
      EXPECT_EQ(Vec(got_i)[k].labels, Vec(want_i)[k].labels);
      EXPECT_EQ(std::memcmp(&Vec(got_i)[k].v, &Vec(want_i)[k].v, sizeof(double)), 0);
    }
  }
}

}  // namespace
}  // namespace meridian::promql::engine
