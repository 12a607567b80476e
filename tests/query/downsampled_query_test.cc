// Issue 14 acceptance, in one process: PromQL over data written raw and downsampled by the
// compactor's code (tests/query/downsampled_data.h), served by the store-gateway's BucketStore
// as `meridian query` embeds it (QuerierService: endpoint set, fan-out, deduplication), against
// the same queries over the raw data alone.
//   - *_over_time sum, count, min, max and avg over windows aligned to the resolution equal the
//     raw answers bit for bit (integer gauges, so sums do not depend on the order of additions);
//   - rate and increase over windows of at least four resolution steps stay within 1% of raw;
//   - functions the aggregates cannot answer read raw data and equal raw; where there is none
//     (raw past retention) they answer from window averages and say so in an info annotation;
//   - one test per Thanos bug of DOWNSAMPLING.md section 5, each failing with Thanos's reading;
//   - HA replicas of downsampled data deduplicate, the counter aggregate keeping the counter
//     adjustment across replica switches.
// The same answers through `meridian store` over gRPC and the HTTP API are checked by
// downsampling_integration_test.cc.

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "objstore/filesystem/filesystem_bucket.h"
#include "promql/engine/engine.h"
#include "promql/parser/parse.h"
#include "query/querier_service.h"
#include "storage/memory_storage.h"
#include "storeapi/gateway/bucket_store.h"
#include "storeapi/queryable_store.h"
#include "tests/query/downsampled_data.h"

namespace meridian::testing {
namespace {

namespace fs = std::filesystem;
using promql::engine::DownsamplingOptions;
using promql::engine::Matrix;
using promql::engine::QueryResult;
using promql::engine::Vector;

constexpr int64_t k5m = 5 * kDsMinute;
constexpr int64_t k1h = kDsHour;
constexpr int64_t kDays = 14;
constexpr int64_t kEnd = kDsT0 + kDays * kDsDay;
// In the bucket without old raw data, raw samples exist from here on (as after a raw
// retention of two days).
constexpr int64_t kRawFrom = kDsT0 + 12 * kDsDay;

// What a query may read: raw only, an explicit max_source_resolution, or `auto`.
enum class Res { kRaw, k5m, k1h, kAuto };

std::string Name(Res r) {
  switch (r) {
    case Res::kRaw: return "0s";
    case Res::k5m: return "5m";
    case Res::k1h: return "1h";
    case Res::kAuto: return "auto";
  }
  return "?";
}

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "meridian-downsampled-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A bucket served the way `meridian query --objstore.config-file` serves it.
class Stack {
 public:
  Stack(const std::string& bucket_dir, const std::string& data_dir, std::vector<std::string> replica_labels = {},
        std::shared_ptr<storeapi::Store> also = nullptr) {
    auto bucket = objstore::FilesystemBucket::Open(bucket_dir);
    EXPECT_TRUE(bucket.ok()) << bucket.status().message();
    storeapi::gateway::BucketStoreOptions o;
    o.data_dir = data_dir;
    auto store = storeapi::gateway::BucketStore::New(std::shared_ptr<objstore::Bucket>(std::move(*bucket)), o);
    EXPECT_TRUE(store.ok()) << store.status().message();
    store_ = *store;
    EXPECT_TRUE(store_->Sync().ok());
    query::QuerierServiceOptions qo;
    qo.replica_labels = std::move(replica_labels);
    service_ = std::make_shared<query::QuerierService>(qo);
    service_->AddLocalStore(store_);
    if (also) service_->AddLocalStore(std::move(also));
    service_->Start();
  }

  StatusOr<QueryResult> Range(const std::string& q, int64_t start, int64_t end, int64_t step, Res res) {
    promql::engine::QueryOptions qo;
    qo.downsampling = Options(res, step);
    return Run(q, [&](promql::engine::Engine& e, storage::Queryable* s, const promql::Expr& x) {
      return e.RangeQuery(s, x, start, end, step, qo);
    });
  }
  StatusOr<QueryResult> Instant(const std::string& q, int64_t t, Res res) {
    promql::engine::QueryOptions qo;
    qo.downsampling = Options(res, 0);
    return Run(q, [&](promql::engine::Engine& e, storage::Queryable* s, const promql::Expr& x) {
      return e.InstantQuery(s, x, t, qo);
    });
  }

 private:
  // As the HTTP API resolves max_source_resolution (web/api/api.cc).
  static DownsamplingOptions Options(Res res, int64_t step) {
    switch (res) {
      case Res::kRaw: return {0, false};
      case Res::k5m: return {k5m, false};
      case Res::k1h: return {k1h, false};
      case Res::kAuto: return {step / 5, true};
    }
    return {};
  }

  template <typename F>
  StatusOr<QueryResult> Run(const std::string& q, F run) {
    promql::ParseResult p = promql::ParseExpr(q);
    if (!p.ok()) return BadData(p.ErrorString());
    query::QuerierOptions o;
    auto queryable = service_->Queryable(o);
    promql::engine::Engine engine;
    return run(engine, queryable.get(), *p.expr);
  }

  std::shared_ptr<storeapi::gateway::BucketStore> store_;
  std::shared_ptr<query::QuerierService> service_;
};

const Matrix& Mat(const StatusOr<QueryResult>& r) { return std::get<Matrix>(r->value); }
const Vector& Vec(const StatusOr<QueryResult>& r) { return std::get<Vector>(r->value); }

// Same series, timestamps and values bit for bit.
void ExpectIdentical(const Matrix& got, const Matrix& want, const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_EQ(got[i].labels, want[i].labels) << what;
    ASSERT_EQ(got[i].points.size(), want[i].points.size()) << what << " " << got[i].labels.ToString();
    for (size_t j = 0; j < got[i].points.size(); ++j) {
      ASSERT_EQ(got[i].points[j].t, want[i].points[j].t) << what;
      const double x = got[i].points[j].v, y = want[i].points[j].v;
      ASSERT_TRUE(std::memcmp(&x, &y, sizeof x) == 0)
          << what << " " << got[i].labels.ToString() << " at " << got[i].points[j].t << ": " << x << " vs raw " << y;
    }
  }
}

// The largest |got/want - 1| over points both have; every raw point must be answered.
double MaxRelativeError(const Matrix& got, const Matrix& want, const std::string& what) {
  double worst = 0;
  EXPECT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < std::min(got.size(), want.size()); ++i) {
    EXPECT_EQ(got[i].labels, want[i].labels) << what;
    std::map<int64_t, double> g;
    for (const auto& p : got[i].points) g[p.t] = p.v;
    for (const auto& p : want[i].points) {
      auto it = g.find(p.t);
      EXPECT_NE(it, g.end()) << what << " " << want[i].labels.ToString() << " lacks " << p.t;
      if (it == g.end() || p.v == 0) continue;
      worst = std::max(worst, std::abs(it->second / p.v - 1));
    }
  }
  return worst;
}

class DownsampledQueryTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    fleet_ = new std::vector<GeneratedSeries>(GenerateFleet(kDsT0, kEnd, 14));
    auto full = WriteResolutions(Full(), Labels{{"cluster", "eu"}}, *fleet_, kDsT0, kEnd, kDsT0);
    ASSERT_TRUE(full.ok()) << full.status().message();
    auto retained = WriteResolutions(Retained(), Labels{{"cluster", "eu"}}, *fleet_, kDsT0, kEnd, kRawFrom);
    ASSERT_TRUE(retained.ok()) << retained.status().message();
  }
  static void TearDownTestSuite() {
    delete fleet_;
    delete dir_;
  }
  // Raw, 5m and 1h blocks over all 14 days.
  static std::string Full() { return dir_->path() + "/full"; }
  // 5m and 1h blocks over 14 days, raw only for the last two.
  static std::string Retained() { return dir_->path() + "/retained"; }

  Stack& FullStack() {
    if (!full_) full_ = std::make_unique<Stack>(Full(), data_.path() + "/full");
    return *full_;
  }
  Stack& RetainedStack() {
    if (!retained_) retained_ = std::make_unique<Stack>(Retained(), data_.path() + "/retained");
    return *retained_;
  }

  static TempDir* dir_;
  static std::vector<GeneratedSeries>* fleet_;
  TempDir data_;
  std::unique_ptr<Stack> full_, retained_;
};

TempDir* DownsampledQueryTest::dir_ = nullptr;
std::vector<GeneratedSeries>* DownsampledQueryTest::fleet_ = nullptr;

TEST_F(DownsampledQueryTest, OverTimeAggregatesEqualRawOnAlignedWindows) {
  Stack& s = FullStack();
  // Steps on the hour: every window (t-range, t] holds whole resolution windows.
  const int64_t start = kDsT0 + kDsDay, end = kEnd - kDsDay;
  for (auto [res, range] : {std::pair{Res::k5m, "1h"}, std::pair{Res::k5m, "20m"}, std::pair{Res::k1h, "4h"},
                            std::pair{Res::k1h, "1d"}}) {
    for (std::string fn : {"sum_over_time", "count_over_time", "min_over_time", "max_over_time", "avg_over_time"}) {
      for (std::string metric : {"queue_depth", "sparse_gauge", "level"}) {
        const std::string q = fn + "(" + metric + "[" + range + "])";
        const std::string what = q + " at " + Name(res);
        auto raw = s.Range(q, start, end, k1h, Res::kRaw);
        auto down = s.Range(q, start, end, k1h, res);
        ASSERT_TRUE(raw.ok() && down.ok()) << what;
        ASSERT_FALSE(Mat(raw).empty()) << what;
        ExpectIdentical(Mat(down), Mat(raw), what);
        // The answer came from downsampled data alone.
        EXPECT_EQ(down->resolutions_read, std::vector<int64_t>{res == Res::k5m ? k5m : k1h}) << what;
        EXPECT_EQ(raw->resolutions_read, std::vector<int64_t>{0}) << what;
      }
    }
  }
}

TEST_F(DownsampledQueryTest, RateAndIncreaseWithinOnePercentOfRaw) {
  Stack& s = FullStack();
  struct Case {
    Res res;
    const char* range;
    int64_t start, step;  // aligned to the hour, and a Grafana-like step aligned to nothing
  };
  const std::vector<Case> cases = {
      {Res::k5m, "20m", kDsT0 + kDsDay, k1h},
      {Res::k5m, "20m", kDsT0 + kDsDay + 17 * kDsMinute + 3'000, 37 * kDsMinute},
      {Res::k5m, "1h", kDsT0 + kDsDay + 17 * kDsMinute + 3'000, 37 * kDsMinute},
      {Res::k1h, "4h", kDsT0 + kDsDay, k1h},
      {Res::k1h, "4h", kDsT0 + kDsDay + 17 * kDsMinute + 3'000, 97 * kDsMinute},
      {Res::k1h, "1d", kDsT0 + kDsDay + 17 * kDsMinute + 3'000, 97 * kDsMinute},
  };
  for (const Case& c : cases) {
    for (std::string fn : {"rate", "increase"}) {
      const std::string q = fn + "(http_requests_total[" + c.range + "])";
      const std::string what = q + " at " + Name(c.res) + " step " + std::to_string(c.step / 1000) + "s";
      auto raw = s.Range(q, c.start, kEnd - kDsDay, c.step, Res::kRaw);
      auto down = s.Range(q, c.start, kEnd - kDsDay, c.step, c.res);
      ASSERT_TRUE(raw.ok() && down.ok()) << what;
      EXPECT_EQ(down->resolutions_read, std::vector<int64_t>{c.res == Res::k5m ? k5m : k1h}) << what;
      const double err = MaxRelativeError(Mat(down), Mat(raw), what);
      std::cout << "[ measured ] " << what << ": max relative error " << err * 100 << "%\n";
      EXPECT_LT(err, 0.01) << what;
    }
  }
}

TEST_F(DownsampledQueryTest, AutoPicksTheResolutionFromStepAndWindow) {
  Stack& s = FullStack();
  const int64_t start = kDsT0 + kDsDay, end = kEnd - kDsDay;
  // A step of an hour allows 12m: 5m data, for windows of 4 x 5m and more.
  auto a = s.Range("rate(http_requests_total[1h])", start, end, k1h, Res::kAuto);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->resolutions_read, std::vector<int64_t>{k5m});
  // The window caps it: [10m] holds only two 5m points, so raw.
  auto b = s.Range("rate(http_requests_total[10m])", start, end, k1h, Res::kAuto);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->resolutions_read, std::vector<int64_t>{0});
  // A step of 6h allows 1h data for a 1d window.
  auto c = s.Range("max_over_time(queue_depth[1d])", start, end, 6 * k1h, Res::kAuto);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->resolutions_read, std::vector<int64_t>{k1h});
  // A short step reads raw data.
  auto d = s.Range("queue_depth", end - k1h, end, 15'000, Res::kAuto);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->resolutions_read, std::vector<int64_t>{0});
  // Instant queries read raw data where it exists.
  auto e = s.Instant("sum(queue_depth)", kDsT0 + 3 * kDsDay, Res::kAuto);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->resolutions_read, std::vector<int64_t>{0});
}

TEST_F(DownsampledQueryTest, FunctionsAggregatesCannotAnswerReadRaw) {
  Stack& s = FullStack();
  const int64_t start = kDsT0 + kDsDay, end = kEnd - kDsDay;
  for (Res res : {Res::k1h, Res::kAuto}) {
    for (std::string q : {"resets(http_requests_total[1d])", "changes(queue_depth[4h])",
                          "quantile_over_time(0.9, queue_depth[4h])", "stddev_over_time(queue_depth[4h])",
                          "stdvar_over_time(queue_depth[4h])", "timestamp(queue_depth)", "http_requests_total[4h]"}) {
      const std::string what = q + " at " + Name(res);
      if (q.back() == ']') {
        // A range vector as the result: instant queries only.
        auto raw = s.Instant(q, end, Res::kRaw);
        auto down = s.Instant(q, end, res);
        ASSERT_TRUE(raw.ok() && down.ok()) << what;
        ExpectIdentical(Mat(down), Mat(raw), what);
        continue;
      }
      auto raw = s.Range(q, start, end, 6 * k1h, Res::kRaw);
      auto down = s.Range(q, start, end, 6 * k1h, res);
      ASSERT_TRUE(raw.ok() && down.ok()) << what;
      ExpectIdentical(Mat(down), Mat(raw), what);
      EXPECT_EQ(down->resolutions_read, std::vector<int64_t>{0}) << what;
      EXPECT_TRUE(down->infos.empty()) << what;
    }
  }
}

TEST_F(DownsampledQueryTest, WithoutRawDataFunctionsNeedingItAnswerFromAggregatesAndSaySo) {
  Stack& s = RetainedStack();
  // Days 2 to 5 exist only downsampled.
  auto r = s.Range("resets(http_requests_total[1d])", kDsT0 + 2 * kDsDay, kDsT0 + 5 * kDsDay, 6 * k1h, Res::kAuto);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_FALSE(Mat(r).empty());
  EXPECT_EQ(r->resolutions_read, std::vector<int64_t>{k5m});
  ASSERT_EQ(r->infos.size(), 1u);
  EXPECT_EQ(r->infos[0],
            "PromQL info: resets() needs raw samples, but for part of the range only downsampled data exists: "
            "answered from 5m window averages");
  // Where raw data exists it is used, and nothing is noted.
  auto recent = s.Range("resets(http_requests_total[1d])", kRawFrom + kDsDay, kEnd - k1h, 6 * k1h, Res::kAuto);
  ASSERT_TRUE(recent.ok());
  EXPECT_EQ(recent->resolutions_read, std::vector<int64_t>{0});
  EXPECT_TRUE(recent->infos.empty());
  // Asked for raw data only, nothing old is there (Thanos's rule).
  auto raw_only = s.Range("resets(http_requests_total[1d])", kDsT0 + 2 * kDsDay, kDsT0 + 5 * kDsDay, 6 * k1h, Res::kRaw);
  ASSERT_TRUE(raw_only.ok());
  EXPECT_TRUE(Mat(raw_only).empty());
}

// Info says which resolutions a store holds, per external label set.
TEST_F(DownsampledQueryTest, StoreInfoReportsResolutions) {
  auto bucket = objstore::FilesystemBucket::Open(Retained());
  ASSERT_TRUE(bucket.ok());
  storeapi::gateway::BucketStoreOptions o;
  o.data_dir = data_.path() + "/info";
  auto store = storeapi::gateway::BucketStore::New(std::shared_ptr<objstore::Bucket>(std::move(*bucket)), o);
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->Sync().ok());
  auto info = (*store)->Info(storeapi::CallContext{});
  ASSERT_TRUE(info.ok());
  std::map<int64_t, std::pair<int64_t, int64_t>> held;
  for (const auto& t : info->store().tsdb_infos()) {
    ASSERT_EQ(t.labels().labels_size(), 1);
    EXPECT_EQ(t.labels().labels(0).value(), "eu");
    held[t.resolution()] = {t.min_time(), t.max_time()};
  }
  EXPECT_EQ(held, (std::map<int64_t, std::pair<int64_t, int64_t>>{
                      {0, {kRawFrom, kEnd}}, {k5m, {kDsT0, kEnd}}, {k1h, {kDsT0, kEnd}}}));
}

// Thanos's querier reads COUNT for count_over_time and returns the number of windows (12 an
// hour at 5m); PromQL counts samples.
TEST_F(DownsampledQueryTest, ThanosBugCountOverTimeCountsSamplesNotWindows) {
  Stack& s = FullStack();
  for (Res res : {Res::k5m, Res::kAuto}) {
    auto r = s.Range("count_over_time(queue_depth[1h])", kDsT0 + kDsDay, kDsT0 + 2 * kDsDay, k1h, res);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->resolutions_read, std::vector<int64_t>{k5m});
    for (const auto& series : Mat(r)) {
      for (const auto& p : series.points) ASSERT_EQ(p.v, 60) << series.labels.ToString() << " at " << p.t;
    }
  }
}

// Thanos #922: sum(x) read the SUM aggregate and was inflated by the samples per window (x5 at
// 5m and x60 at 1h here). A plain selector reads window averages.
TEST_F(DownsampledQueryTest, ThanosBugSumOfGaugeIsNotInflated) {
  Stack& s = FullStack();
  for (Res res : {Res::k5m, Res::k1h}) {
    auto r = s.Range("sum(level)", kDsT0 + kDsDay, kEnd - kDsDay, 30 * kDsMinute, res);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->resolutions_read, std::vector<int64_t>{res == Res::k5m ? k5m : k1h});
    ASSERT_EQ(Mat(r).size(), 1u);
    for (const auto& p : Mat(r)[0].points) ASSERT_EQ(p.v, 6) << "at " << p.t;
    auto raw = s.Range("sum(level)", kDsT0 + kDsDay, kEnd - kDsDay, 30 * kDsMinute, Res::kRaw);
    ExpectIdentical(Mat(r), Mat(raw), "sum(level) at " + Name(res));
  }
}

// Thanos's querier reads COUNT under count_values too (the function name starts with
// "count"), so the values counted are per-window sample counts (60 at 1h here).
TEST_F(DownsampledQueryTest, ThanosBugCountValuesCountsTheValues) {
  Stack& s = FullStack();
  for (Res res : {Res::k5m, Res::k1h}) {
    const std::string q = "count_values(\"v\", level)";
    auto r = s.Range(q, kDsT0 + kDsDay, kEnd - kDsDay, 6 * k1h, res);
    auto raw = s.Range(q, kDsT0 + kDsDay, kEnd - kDsDay, 6 * k1h, Res::kRaw);
    ASSERT_TRUE(r.ok() && raw.ok());
    EXPECT_EQ(r->resolutions_read, std::vector<int64_t>{res == Res::k5m ? k5m : k1h});
    ASSERT_EQ(Mat(r).size(), 3u);  // v="1", v="2", v="3"
    ExpectIdentical(Mat(r), Mat(raw), q + " at " + Name(res));
  }
}

// Thanos #8155: sum by (...) of a gauge over churning series is inflated at 1h, because a series
// that is gone keeps its last 1h window for the hour-long lookback. Three pods are up at any
// time, each replaced every 6 hours on the hour.
TEST_F(DownsampledQueryTest, ThanosBugChurnDoesNotInflateSums) {
  Stack& s = FullStack();
  // Half past each hour: away from the replacements, so raw data says exactly 3.
  const int64_t start = kDsT0 + kDsDay + 30 * kDsMinute;
  for (Res res : {Res::k5m, Res::k1h}) {
    for (std::string q : {"sum(pod_up)", "count(pod_up)", "sum by (slot) (pod_up)"}) {
      auto r = s.Range(q, start, kEnd - kDsDay, k1h, res);
      auto raw = s.Range(q, start, kEnd - kDsDay, k1h, Res::kRaw);
      ASSERT_TRUE(r.ok() && raw.ok());
      EXPECT_EQ(r->resolutions_read, std::vector<int64_t>{res == Res::k5m ? k5m : k1h});
      ExpectIdentical(Mat(r), Mat(raw), q + " at " + Name(res));
    }
  }
}

// A series that ends is gone once its last window is over, not an hour-long lookback later
// (Thanos: 1h lookback whenever the resolution may exceed 5m, aggregates have no staleness
// markers).
TEST_F(DownsampledQueryTest, ThanosBugEndedSeriesDoNotLinger) {
  Stack& s = FullStack();
  for (Res res : {Res::k5m, Res::k1h}) {
    // The batch job's last sample is at 01:59:07 on day 3; its window ends at 02:00 at either
    // resolution.
    auto r = s.Range("batch_last_success", kDsBatchEnd - 30 * kDsMinute, kDsBatchEnd + 2 * k1h, 10 * kDsMinute, res);
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(Mat(r).size(), 1u) << Name(res);
    EXPECT_EQ(Mat(r)[0].points.back().t, kDsBatchEnd - 10 * kDsMinute) << Name(res);
  }
}

// Thanos #3644: resets() reads COUNTER through the reset-removing iterator and is always 0,
// even over raw data.
TEST_F(DownsampledQueryTest, ThanosBugResetsAreCounted) {
  Stack& s = FullStack();
  for (Res res : {Res::k5m, Res::k1h, Res::kAuto}) {
    auto r = s.Instant("resets(http_requests_total{instance=\"i1\"}[7d])", kDsT0 + 8 * kDsDay, res);
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(Vec(r).size(), 1u);
    EXPECT_EQ(Vec(r)[0].v, 2) << Name(res);  // restarts on days 3 and 6
  }
}

// Thanos answers an instant query from raw data only (its instant default resolution is 0s), so
// time that exists only downsampled returns nothing.
TEST_F(DownsampledQueryTest, ThanosBugInstantQueriesSeeDownsampledData) {
  Stack& s = RetainedStack();
  const int64_t t = kDsT0 + 3 * kDsDay + 10 * kDsMinute;
  auto r = s.Instant("level", t, Res::kAuto);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(Vec(r).size(), 3u);
  EXPECT_EQ(r->resolutions_read, std::vector<int64_t>{k5m});
  for (const auto& smp : Vec(r)) EXPECT_EQ(smp.v, smp.labels.Get("instance") == "i0" ? 1 : smp.labels.Get("instance") == "i1" ? 2 : 3);
  // The window average of the window the time falls in.
  auto q = s.Instant("queue_depth{instance=\"i0\"}", t, Res::kAuto);
  ASSERT_TRUE(q.ok());
  ASSERT_EQ(Vec(q).size(), 1u);
  const GeneratedSeries* depth = nullptr;
  for (const auto& g : *fleet_) {
    if (g.labels.Get("__name__") == "queue_depth" && g.labels.Get("instance") == "i0") depth = &g;
  }
  ASSERT_NE(depth, nullptr);
  double sum = 0, n = 0;
  for (size_t i = 0; i < depth->ts.size(); ++i) {
    if (depth->ts[i] / k5m == t / k5m) {
      sum += depth->vs[i];
      ++n;
    }
  }
  EXPECT_EQ(Vec(q)[0].v, sum / n);
  auto raw_only = s.Instant("level", t, Res::kRaw);
  ASSERT_TRUE(raw_only.ok());
  EXPECT_TRUE(Vec(raw_only).empty());
}

// Thanos's avg_over_time reads COUNT and SUM averaged per window, and averages those averages:
// windows with fewer samples weigh as much as full ones.
TEST_F(DownsampledQueryTest, ThanosBugAvgOverTimeWeighsEverySample) {
  Stack& s = FullStack();
  auto r = s.Range("avg_over_time(sparse_gauge[2h])", kDsT0 + kDsDay, kEnd - kDsDay, 2 * k1h, Res::k5m);
  auto raw = s.Range("avg_over_time(sparse_gauge[2h])", kDsT0 + kDsDay, kEnd - kDsDay, 2 * k1h, Res::kRaw);
  ASSERT_TRUE(r.ok() && raw.ok());
  EXPECT_EQ(r->resolutions_read, std::vector<int64_t>{k5m});
  ExpectIdentical(Mat(r), Mat(raw), "avg_over_time(sparse_gauge[2h])");
  // What Thanos answers, the mean of the 5m window means, differs wherever windows were
  // scraped unevenly.
  const GeneratedSeries* sparse = nullptr;
  for (const auto& g : *fleet_) {
    if (g.labels.Get("__name__") == "sparse_gauge") sparse = &g;
  }
  ASSERT_NE(sparse, nullptr);
  ASSERT_EQ(Mat(raw).size(), 1u);
  int differing = 0;
  for (const auto& p : Mat(raw)[0].points) {
    std::map<int64_t, std::pair<double, double>> windows;  // start -> sum, count
    for (size_t i = 0; i < sparse->ts.size(); ++i) {
      if (sparse->ts[i] <= p.t - 2 * k1h || sparse->ts[i] > p.t) continue;
      auto& w = windows[sparse->ts[i] / k5m];
      w.first += sparse->vs[i];
      w.second += 1;
    }
    double mean_of_means = 0;
    for (const auto& [start, w] : windows) mean_of_means += w.first / w.second / static_cast<double>(windows.size());
    if (std::abs(mean_of_means - p.v) > 1e-9) ++differing;
  }
  EXPECT_GT(differing, 0);
}

// A sidecar beside the store-gateway: it answers raw data for the last days whatever the
// resolution asked for, the gateway downsampled data for older ones (its raw data of those days
// overlapping the sidecar's). Long ranges combine both without counting anything twice.
TEST_F(DownsampledQueryTest, SidecarRawAndDownsampledBlocksCombine) {
  auto db = std::make_shared<storage::MemoryStorage>();
  for (const auto& g : *fleet_) {
    for (size_t i = 0; i < g.ts.size(); ++i) {
      if (g.ts[i] < kEnd - 2 * kDsDay) continue;
      ASSERT_TRUE(db->Append(g.labels, g.ts[i], g.vs[i]).ok());
    }
  }
  storeapi::QueryableStoreOptions so;
  so.name = "sidecar";
  so.component_type = "sidecar";
  so.external_labels = Labels{{"cluster", "eu"}};
  so.min_time = kEnd - 2 * kDsDay;
  so.max_time = kEnd;
  Stack s(Retained(), data_.path() + "/with-sidecar", {}, std::make_shared<storeapi::QueryableStore>(db, so));
  Stack& full = FullStack();
  for (std::string q : {"rate(http_requests_total[2h])", "sum_over_time(queue_depth[1h])"}) {
    auto got = s.Range(q, kDsT0 + kDsDay, kEnd - k1h, k1h, Res::kAuto);
    auto want = full.Range(q, kDsT0 + kDsDay, kEnd - k1h, k1h, Res::kRaw);
    ASSERT_TRUE(got.ok() && want.ok()) << q;
    EXPECT_EQ(got->resolutions_read, (std::vector<int64_t>{0, k5m})) << q;
    const double err = MaxRelativeError(Mat(got), Mat(want), q);
    if (q[0] == 's') {
      ExpectIdentical(Mat(got), Mat(want), q);
    } else {
      EXPECT_LT(err, 0.01) << q;
    }
  }
  // Recent instant queries read raw data.
  auto now = s.Instant("sum(rate(http_requests_total[5m]))", kEnd - k1h, Res::kAuto);
  auto want = full.Instant("sum(rate(http_requests_total[5m]))", kEnd - k1h, Res::kRaw);
  ASSERT_TRUE(now.ok() && want.ok());
  ASSERT_EQ(Vec(now).size(), 1u);
  EXPECT_EQ(Vec(now)[0].v, Vec(want)[0].v);
  EXPECT_EQ(now->resolutions_read, std::vector<int64_t>{0});
}

// HA replicas with downsampled blocks: replica a counts 1000 higher and misses three hours.
// Deduplicated, the counter aggregate keeps the counter adjustment at the switches, so no
// false reset appears and increases match those of one replica without gaps read raw (the same
// requests are counted by both). The raw deduplicated answer is no reference: its penalty
// algorithm skips samples after a switch and loses the replicas' difference there.
TEST(DownsampledDedupTest, ReplicasOfDownsampledCountersDeduplicate) {
  TempDir dir;
  const int64_t end = kDsT0 + 4 * kDsDay;
  const int64_t gap_from = kDsT0 + 2 * kDsDay + 5 * k1h, gap_to = gap_from + 3 * k1h;
  auto a = GenerateFleet(kDsT0, end, 7, 1000, gap_from, gap_to);
  auto b = GenerateFleet(kDsT0, end, 7, 0);
  ASSERT_TRUE(WriteResolutions(dir.path() + "/bucket", Labels{{"cluster", "eu"}, {"replica", "a"}}, a, kDsT0, end, kDsT0).ok());
  ASSERT_TRUE(WriteResolutions(dir.path() + "/bucket", Labels{{"cluster", "eu"}, {"replica", "b"}}, b, kDsT0, end, kDsT0).ok());
  ASSERT_TRUE(WriteResolutions(dir.path() + "/truth", Labels{{"cluster", "eu"}}, b, kDsT0, end, kDsT0).ok());
  Stack s(dir.path() + "/bucket", dir.path() + "/data", {"replica"});
  Stack truth(dir.path() + "/truth", dir.path() + "/truth-data");
  for (Res res : {Res::k5m, Res::kAuto}) {
    for (std::string q : {"increase(http_requests_total[1h])", "rate(http_requests_total[20m])"}) {
      auto want = truth.Range(q, kDsT0 + 12 * k1h, end - 12 * k1h, k1h, Res::kRaw);
      auto down = s.Range(q, kDsT0 + 12 * k1h, end - 12 * k1h, k1h, res);
      ASSERT_TRUE(want.ok() && down.ok()) << q;
      ASSERT_EQ(Mat(down).size(), 4u) << q;  // one series per instance, no replica label
      EXPECT_FALSE(Mat(down)[0].labels.Has("replica"));
      EXPECT_EQ(down->resolutions_read, std::vector<int64_t>{k5m});
      const double err = MaxRelativeError(Mat(down), Mat(want), q);
      std::cout << "[ measured ] deduplicated " << q << " at " << Name(res) << ": max relative error " << err * 100
                << "% against one replica read raw\n";
      EXPECT_LT(err, 0.01) << q;
    }
  }
  // Gauges too: the replica that has data is used, nothing of the other is skipped.
  auto depth = s.Range("queue_depth", gap_from - k1h, gap_to + k1h, 5 * kDsMinute, Res::k5m);
  auto depth_truth = truth.Range("queue_depth", gap_from - k1h, gap_to + k1h, 5 * kDsMinute, Res::k5m);
  ASSERT_TRUE(depth.ok() && depth_truth.ok());
  ExpectIdentical(Mat(depth), Mat(depth_truth), "queue_depth across the gap");
}

// Gap-free deduplication of raw data (issue 18): replica a falls silent for 30 minutes, with
// a counter reset inside; replica b scrapes the same targets 1-7 s later with tens of ms of
// jitter. Deduplicated, rate over 5m at every step from an hour before to an hour after the
// gap stays within 1% of the un-replicated data, resets() is the same, and the merged series
// has neither holes (no step longer than a scrape interval plus b's phase and jitter) nor
// doubles. Thanos's penalty algorithm fails the first and third: after the switch it skips b's
// next samples.
TEST(RawDedupTest, SilentReplicaLeavesNoHole) {
  TempDir dir;
  const int64_t end = kDsT0 + 4 * kDsDay;
  // i1 restarts 3 days and 20.6 minutes in: inside the gap.
  const int64_t gap_from = kDsT0 + 3 * kDsDay + 5 * kDsMinute, gap_to = gap_from + 30 * kDsMinute;
  const auto truth = GenerateFleet(kDsT0, end, 7);
  const auto a = GenerateFleet(kDsT0, end, 7, 0, gap_from, gap_to);
  auto b = truth;
  std::mt19937_64 rng(11);
  std::uniform_int_distribution<int64_t> jitter(-40, 40);
  int64_t max_late = 0;
  for (size_t i = 0; i < b.size(); ++i) {
    GeneratedSeries& g = b[i];
    const bool counter = g.labels.Get("__name__") == "http_requests_total";
    const int64_t phase = 1000 + static_cast<int64_t>(i * 1543 % 6000);
    for (size_t j = 0; j < g.ts.size(); ++j) {
      const int64_t late = phase + jitter(rng);
      max_late = std::max(max_late, late);
      // The counter at the later moment: linear between scrapes, the value before a reset up
      // to the reset. Gauges hold their value.
      if (counter && j + 1 < g.ts.size() && truth[i].vs[j + 1] >= truth[i].vs[j]) {
        g.vs[j] = truth[i].vs[j] + (truth[i].vs[j + 1] - truth[i].vs[j]) * static_cast<double>(late) /
                                       static_cast<double>(truth[i].ts[j + 1] - truth[i].ts[j]);
      }
      g.ts[j] += late;
    }
  }
  ASSERT_TRUE(WriteResolutions(dir.path() + "/bucket", Labels{{"cluster", "eu"}, {"replica", "a"}}, a, kDsT0, end, kDsT0).ok());
  ASSERT_TRUE(WriteResolutions(dir.path() + "/bucket", Labels{{"cluster", "eu"}, {"replica", "b"}}, b, kDsT0, end, kDsT0).ok());
  ASSERT_TRUE(WriteResolutions(dir.path() + "/truth", Labels{{"cluster", "eu"}}, truth, kDsT0, end, kDsT0).ok());
  Stack s(dir.path() + "/bucket", dir.path() + "/data", {"replica"});
  Stack want(dir.path() + "/truth", dir.path() + "/truth-data");

  const std::string rate = "rate(http_requests_total[5m])";
  auto got = s.Range(rate, gap_from - k1h, gap_to + k1h, kDsMinute, Res::kRaw);
  auto ref = want.Range(rate, gap_from - k1h, gap_to + k1h, kDsMinute, Res::kRaw);
  ASSERT_TRUE(got.ok() && ref.ok());
  ASSERT_EQ(Mat(got).size(), 4u);
  const double err = MaxRelativeError(Mat(got), Mat(ref), rate);
  std::cout << "[ measured ] deduplicated " << rate << " around a 30-minute silence: max relative error " << err * 100
            << "% against the un-replicated data\n";
  // Replica b alone, scraping later, is the floor: the deduplicated answer may not add to it.
  ASSERT_TRUE(WriteResolutions(dir.path() + "/b", Labels{{"cluster", "eu"}}, b, kDsT0, end, kDsT0).ok());
  Stack b_alone(dir.path() + "/b", dir.path() + "/b-data");
  auto b_rate = b_alone.Range(rate, gap_from - k1h, gap_to + k1h, kDsMinute, Res::kRaw);
  ASSERT_TRUE(b_rate.ok());
  const double b_err = MaxRelativeError(Mat(b_rate), Mat(ref), rate);
  std::cout << "[ measured ] replica b alone: max relative error " << b_err * 100 << "%\n";
  // Within 1%, or (scraping 1-7 s late at a one-minute interval moves some 5m windows' rate
  // by a little more) no further off than b alone.
  EXPECT_LE(err, std::max(0.01, b_err + 1e-12));

  auto resets = s.Instant("resets(http_requests_total[3h])", gap_to + k1h, Res::kRaw);
  auto resets_ref = want.Instant("resets(http_requests_total[3h])", gap_to + k1h, Res::kRaw);
  ASSERT_TRUE(resets.ok() && resets_ref.ok());
  ASSERT_EQ(Vec(resets).size(), Vec(resets_ref).size());
  double total_resets = 0;
  for (size_t i = 0; i < Vec(resets).size(); ++i) {
    EXPECT_EQ(Vec(resets)[i].v, Vec(resets_ref)[i].v) << Vec(resets)[i].labels.ToString();
    total_resets += Vec(resets_ref)[i].v;
  }
  EXPECT_GE(total_resets, 1);  // the data do hold a reset in the window

  auto samples = s.Instant("http_requests_total[3h]", gap_to + k1h, Res::kRaw);
  ASSERT_TRUE(samples.ok());
  ASSERT_EQ(Mat(samples).size(), 4u);
  for (const auto& series : Mat(samples)) {
    for (size_t j = 1; j < series.points.size(); ++j) {
      const int64_t step = series.points[j].t - series.points[j - 1].t;
      ASSERT_LE(step, kDsMinute + max_late + 40) << series.labels.ToString() << " at " << series.points[j].t;
      ASSERT_GE(step, kDsMinute - max_late - 40) << series.labels.ToString() << " at " << series.points[j].t;
    }
  }
}

}  // namespace
}  // namespace meridian::testing
