// Issue 14 with real processes (label "integration"): blocks written raw and downsampled by the
// compactor's code (downsampled_data.h), served
//   - by `meridian store` over gRPC to a `meridian query --endpoint=...`, and
//   - by the store embedded in `meridian query --objstore.config=...`,
// asked through the Prometheus HTTP API with max_source_resolution as Grafana's Thanos
// datasource sends it (and without it: --query.auto-downsampling is on by default):
//   - *_over_time aggregates on aligned windows equal the raw answers, from downsampled data;
//   - rate and increase stay within 1% of raw;
//   - the resolution read shows in the query stats;
//   - data that exists only downsampled answers instant queries by default, and nothing with
//     max_source_resolution=0s (Thanos's rule).
// The finer cases (every aggregate, Thanos's bugs, deduplication) are in downsampled_query_test.

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/query/downsampled_data.h"
#include "tests/query/prom_api_client.h"
#include "tests/support/meridian_process.h"

namespace meridian::testing {
namespace {

namespace fs = std::filesystem;

constexpr int64_t k1h = kDsHour;
constexpr int64_t kEnd = kDsT0 + 14 * kDsDay;
constexpr int64_t kRawFrom = kDsT0 + 12 * kDsDay;

std::string ObjstoreFlag(const std::string& dir) {
  return "--objstore.config=type: FILESYSTEM\nconfig:\n  directory: " + dir + "\n";
}

class DownsamplingIntegration : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string tmpl = (fs::temp_directory_path() / "meridian-ds-it-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    root_ = new std::string(tmpl);
    const auto fleet = GenerateFleet(kDsT0, kEnd, 14);
    ASSERT_TRUE(WriteResolutions(*root_ + "/full", Labels{{"cluster", "eu"}}, fleet, kDsT0, kEnd, kDsT0).ok());
    ASSERT_TRUE(WriteResolutions(*root_ + "/retained", Labels{{"cluster", "eu"}}, fleet, kDsT0, kEnd, kRawFrom).ok());
    auto work = [](const std::string& name) {
      fs::create_directories(*root_ + "/" + name);
      return *root_ + "/" + name;
    };
    auto store = MeridianProcess::Start("store", {ObjstoreFlag(*root_ + "/full"), "--data-dir=" + work("store") + "/data"},
                                        work("store"));
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = store->release();
    auto grpc = MeridianProcess::Start("query", {"--endpoint=" + store_->grpc_address()}, work("query-grpc"));
    ASSERT_TRUE(grpc.ok()) << grpc.status().message();
    grpc_ = grpc->release();
    auto embedded = MeridianProcess::Start(
        "query", {ObjstoreFlag(*root_ + "/full"), "--data-dir=" + work("query-embedded") + "/data"},
        work("query-embedded"));
    ASSERT_TRUE(embedded.ok()) << embedded.status().message();
    embedded_ = embedded->release();
    auto retained = MeridianProcess::Start(
        "query", {ObjstoreFlag(*root_ + "/retained"), "--data-dir=" + work("query-retained") + "/data"},
        work("query-retained"));
    ASSERT_TRUE(retained.ok()) << retained.status().message();
    retained_ = retained->release();
    // The querier over gRPC answers once it has met its store.
    PromApiClient c(grpc_->http_url());
    for (int i = 0; i < 300; ++i) {
      if (!c.Instant("level", kEnd - k1h).series.empty()) break;
      ::usleep(100'000);
    }
  }
  static void TearDownTestSuite() {
    delete retained_;
    delete embedded_;
    delete grpc_;
    delete store_;
    if (root_ != nullptr) {
      std::error_code ec;
      fs::remove_all(*root_, ec);
      delete root_;
    }
  }

  static std::vector<std::pair<std::string, MeridianProcess*>> Queriers() {
    return {{"gRPC store", grpc_}, {"embedded store", embedded_}};
  }

  static std::string* root_;
  static MeridianProcess* store_;
  static MeridianProcess* grpc_;
  static MeridianProcess* embedded_;
  static MeridianProcess* retained_;
};

std::string* DownsamplingIntegration::root_ = nullptr;
MeridianProcess* DownsamplingIntegration::store_ = nullptr;
MeridianProcess* DownsamplingIntegration::grpc_ = nullptr;
MeridianProcess* DownsamplingIntegration::embedded_ = nullptr;
MeridianProcess* DownsamplingIntegration::retained_ = nullptr;

// label set -> points
std::map<LabelMap, SamplePoints> ByLabels(const ApiAnswer& a) {
  std::map<LabelMap, SamplePoints> out;
  for (const auto& s : a.series) out[s.labels] = s.samples;
  return out;
}

TEST_F(DownsamplingIntegration, OverTimeAggregatesEqualRawThroughTheHttpApi) {
  const int64_t start = kDsT0 + kDsDay, end = kEnd - kDsDay;
  for (const auto& [name, q] : Queriers()) {
    ASSERT_NE(q, nullptr);
    PromApiClient c(q->http_url());
    for (auto [res, range] : {std::pair{"5m", "1h"}, std::pair{"1h", "4h"}}) {
      for (std::string fn : {"sum_over_time", "count_over_time", "min_over_time", "max_over_time", "avg_over_time"}) {
        const std::string expr = fn + "(queue_depth[" + range + "])";
        const std::string what = expr + " at " + res + " via " + name;
        ApiAnswer raw = c.Range(expr, start, end, k1h, {{"max_source_resolution", "0s"}});
        ApiAnswer down = c.Range(expr, start, end, k1h, {{"max_source_resolution", res}, {"stats", "all"}});
        ASSERT_TRUE(raw.ok() && down.ok()) << what << ": " << raw.body.substr(0, 300) << down.body.substr(0, 300);
        ASSERT_EQ(raw.series.size(), 4u) << what;
        EXPECT_EQ(ByLabels(down), ByLabels(raw)) << what;
        EXPECT_NE(down.body.find(std::string(R"("resolutionsRead":[")") + res + R"("])"), std::string::npos)
            << what << ": " << down.body.substr(down.body.size() > 300 ? down.body.size() - 300 : 0);
      }
    }
  }
}

TEST_F(DownsamplingIntegration, RateWithinOnePercentAndAutoByDefault) {
  // A Grafana-like range: 12 days at a step of about 1,000 points.
  const int64_t start = kDsT0 + kDsDay, end = kEnd - kDsDay;
  const int64_t step = (end - start) / 1000 / 1000 * 1000;
  for (const auto& [name, q] : Queriers()) {
    ASSERT_NE(q, nullptr);
    PromApiClient c(q->http_url());
    for (std::string expr : {"rate(http_requests_total[2h])", "increase(http_requests_total[2h])",
                             "sum(rate(http_requests_total[2h]))"}) {
      ApiAnswer raw = c.Range(expr, start, end, step, {{"max_source_resolution", "0s"}});
      // No parameter: --query.auto-downsampling, the same as "auto" (here step/5 is under
      // 5m, so raw data).
      ApiAnswer automatic = c.Range(expr, start, end, step, {{"stats", "all"}});
      ApiAnswer explicit_auto = c.Range(expr, start, end, step, {{"max_source_resolution", "auto"}});
      ApiAnswer five = c.Range(expr, start, end, step, {{"max_source_resolution", "5m"}, {"stats", "all"}});
      ASSERT_TRUE(raw.ok() && automatic.ok() && explicit_auto.ok() && five.ok()) << expr;
      EXPECT_EQ(ByLabels(automatic), ByLabels(explicit_auto)) << expr;
      EXPECT_NE(five.body.find(R"("resolutionsRead":["5m"])"), std::string::npos) << expr;
      double worst = 0;
      const auto want = ByLabels(raw);
      const auto got = ByLabels(five);
      ASSERT_EQ(got.size(), want.size()) << expr;
      for (const auto& [labels, points] : want) {
        const auto& g = got.at(labels);
        ASSERT_EQ(g.size(), points.size()) << expr;
        for (size_t i = 0; i < points.size(); ++i) {
          ASSERT_EQ(g[i].first, points[i].first);
          worst = std::max(worst, std::abs(g[i].second / points[i].second - 1));
        }
      }
      std::cout << "[ measured ] " << expr << " at 5m via " << name << ", step " << step / 1000
                << "s: max relative error " << worst * 100 << "%\n";
      EXPECT_LT(worst, 0.01) << expr;
    }
  }
}

TEST_F(DownsamplingIntegration, LongStepsReadCoarseDataByDefault) {
  PromApiClient c(grpc_->http_url());
  // 12 days at a 6h step: step/5 allows 72m, a [1d] window 6h: 1h data.
  ApiAnswer a = c.Range("max_over_time(queue_depth[1d])", kDsT0 + kDsDay, kEnd - kDsDay, 6 * k1h, {{"stats", "all"}});
  ASSERT_TRUE(a.ok()) << a.body.substr(0, 300);
  EXPECT_NE(a.body.find(R"("downsampling":{"maxSourceResolution":"auto","resolutionsRead":["1h"]})"), std::string::npos)
      << a.body.substr(a.body.size() > 300 ? a.body.size() - 300 : 0);
}

TEST_F(DownsamplingIntegration, DataOnlyDownsampledAnswersByDefault) {
  ASSERT_NE(retained_, nullptr);
  PromApiClient c(retained_->http_url());
  const int64_t t = kDsT0 + 3 * kDsDay + 10 * kDsMinute;
  ApiAnswer by_default = c.Instant("level", t);
  ASSERT_TRUE(by_default.ok()) << by_default.body;
  EXPECT_EQ(by_default.series.size(), 3u) << by_default.body;
  ApiAnswer raw_only = c.Instant("level", t, {{"max_source_resolution", "0s"}});
  ASSERT_TRUE(raw_only.ok());
  EXPECT_TRUE(raw_only.series.empty()) << raw_only.body;
  // Functions needing raw samples say what they were answered from.
  ApiAnswer resets = c.Range("resets(http_requests_total[1d])", kDsT0 + 2 * kDsDay, kDsT0 + 5 * kDsDay, 6 * k1h);
  ASSERT_TRUE(resets.ok());
  EXPECT_FALSE(resets.series.empty());
  EXPECT_NE(resets.body.find("answered from 5m window averages"), std::string::npos) << resets.body.substr(0, 500);
}

}  // namespace
}  // namespace meridian::testing
