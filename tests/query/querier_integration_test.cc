// Issue 5 acceptance with real processes (label "integration"): `meridian store`s over buckets
// this test fills with blocks, `meridian query` in front of them, everything asked through the
// querier's Prometheus HTTP API and read back from the components' /metrics:
//  1. two stores over the two HA replicas of the same targets (replica b has a 30-minute
//     gap): with dedup one series per pair, no replica label, no gap, no false counter
//     resets; without dedup both replicas;
//  2. a store killed mid-query gives a warning, or an error with partial_response=false; a
//     hung store is cut off at --store.response-timeout, a slow but steady one is not;
//  3. of three stores with disjoint times or external labels, only those that can hold a
//     query's data are asked (their grpc_server_handled_total{grpc_method="Series"});
//  4. a querier over a querier over the stores answers as the direct querier does;
//  5. a query over 10,000 series keeps the querier's peak RSS bounded by what the streaming
//     merge needs, against the bytes the store sent;
//  6. --store.limits.request-series on the querier and on a store fails a query over too
//     many series with a clear error.

#include <signal.h>
#include <sys/types.h>

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/query/block_bucket.h"
#include "tests/query/metrics_text.h"
#include "tests/query/prom_api_client.h"
#include "tests/support/frozen.h"
#include "tests/support/http_client.h"
#include "tests/support/meridian_process.h"
#include "tests/support/process.h"

namespace meridian::testing {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kSecond = 1000;
constexpr int64_t kMinute = 60 * kSecond;
constexpr int64_t kHour = 60 * kMinute;
// 2h-aligned, so each test block is one Prometheus block.
constexpr int64_t kT0 = 1699999200000;
constexpr int64_t kScrape = 15 * kSecond;
constexpr int kInstances = 4;
// Replica b misses [kGapStart, kGapEnd), as a Prometheus that was down for 30 minutes.
constexpr int64_t kGapStart = kT0 + 60 * kMinute;
constexpr int64_t kGapEnd = kT0 + 90 * kMinute;
constexpr int64_t kHaEnd = kT0 + 4 * kHour;

// The counter every replica scrapes from instance k: it grows at CounterRate(k) per second.
double CounterRate(int k) { return 1.0 + 0.5 * k; }
double CounterAt(int k, int64_t t) { return 100.0 * k + static_cast<double>(t - kT0) / 1000.0 * CounterRate(k); }

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "meridian-querier-it-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty() && std::getenv("MERIDIAN_KEEP_TEST_DIR") == nullptr) fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Largest distance between consecutive samples.
int64_t MaxSpacing(const SamplePoints& s) {
  int64_t m = 0;
  for (size_t i = 1; i < s.size(); ++i) m = std::max(m, s[i].first - s[i - 1].first);
  return m;
}

std::string Describe(const ApiAnswer& a) {
  return "HTTP " + std::to_string(a.http_code) + " in " + std::to_string(a.seconds) + " s: " + a.body.substr(0, 600);
}

double SeriesCalls(const MeridianProcess& p) {
  auto v = ScrapeSum(p.http_url(), "grpc_server_handled_total", {{"grpc_method", "Series"}});
  EXPECT_TRUE(v.ok()) << v.status().message();
  return v.ok() ? *v : -1;
}

// Two HA replicas scraping the same kInstances targets every 15 s: replica b scrapes 5 s
// earlier than a (so dedup starts on b and must switch to a across b's gap), both with a
// little timestamp jitter, over 4h in 2h blocks.
std::vector<SeriesSamples> ReplicaSeries(bool replica_b, int64_t mint, int64_t maxt) {
  std::vector<SeriesSamples> out;
  for (int k = 0; k < kInstances; ++k) {
    const std::string inst = "i-" + std::to_string(k);
    SeriesSamples counter{Labels{{"__name__", "ha_requests_total"}, {"instance", inst}, {"job", "api"}}, {}, {}};
    SeriesSamples gauge{Labels{{"__name__", "ha_temperature"}, {"instance", inst}, {"job", "api"}}, {}, {}};
    for (int64_t n = 0;; ++n) {
      const int64_t jitter = replica_b ? (n * 53) % 300 : 5000 + (n * 37) % 200;
      const int64_t t = kT0 + n * kScrape + jitter;
      if (t >= maxt) break;
      if (t < mint || (replica_b && t >= kGapStart && t < kGapEnd)) continue;
      counter.ts.push_back(t);
      counter.vs.push_back(CounterAt(k, t));
      gauge.ts.push_back(t);
      gauge.vs.push_back(20.0 + k + static_cast<double>(n % 40) / 8.0);
    }
    out.push_back(std::move(counter));
    out.push_back(std::move(gauge));
  }
  return out;
}

// Buckets written once for all tests: they only read them.
struct Buckets {
  TempDir tmp;
  std::unique_ptr<BlockBucket> replica_a, replica_b;
  std::once_flag big_once_;
  std::unique_ptr<BlockBucket> big_;

  static Buckets& Get() {
    // Destroyed at exit, after every process reading the buckets has been stopped.
    static std::unique_ptr<Buckets> b = [] {
      auto x = std::make_unique<Buckets>();
      x->replica_a = std::make_unique<BlockBucket>(x->tmp.path() + "/replica-a");
      x->replica_b = std::make_unique<BlockBucket>(x->tmp.path() + "/replica-b");
      for (int64_t start = kT0; start < kHaEnd; start += 2 * kHour) {
        for (bool b : {false, true}) {
          Labels ext{{"cluster", "eu-west-1"}, {"replica", b ? "b" : "a"}};
          Status s = (b ? x->replica_b : x->replica_a)->AddBlock(ext, ReplicaSeries(b, start, start + 2 * kHour),
                                                                 start, start + 2 * kHour);
          if (!s.ok()) ADD_FAILURE() << s.message();
        }
      }
      return x;
    }();
    return *b;
  }
  // 10,000 series over 2h at 15 s, written on first use.
  static constexpr int kBigSeries = 10000;
  static constexpr int64_t kBigSpan = 2 * kHour;
  const BlockBucket& Big() {
    std::call_once(big_once_, [this] {
      big_ = std::make_unique<BlockBucket>(tmp.path() + "/big");
      std::vector<SeriesSamples> series(kBigSeries);
      for (int k = 0; k < kBigSeries; ++k) {
        series[k].labels = Labels{{"__name__", "mem_metric"},
                                  {"instance", "host-" + std::to_string(k / 50) + ":9100"},
                                  {"job", "node"},
                                  {"pod", "pod-" + std::to_string(k)}};
        double v = k;
        for (int64_t t = kT0 + k % 1000; t < kT0 + kBigSpan; t += kScrape) {
          series[k].ts.push_back(t);
          v += static_cast<double>((t / kScrape + k) % 17);
          series[k].vs.push_back(v);
        }
      }
      Status st = big_->AddBlock(Labels{{"cluster", "mem"}}, series, kT0, kT0 + kBigSpan);
      if (!st.ok()) ADD_FAILURE() << st.message();
    });
    return *big_;
  }
  std::string Work(const std::string& name) const {
    const std::string d = tmp.path() + "/" + name;
    fs::create_directories(d);
    return d;
  }
};

std::unique_ptr<MeridianProcess> StartStore(const BlockBucket& bucket, const std::string& work,
                                            std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {bucket.ObjstoreFlag(), "--data-dir=" + work + "/data"};
  args.insert(args.end(), extra.begin(), extra.end());
  auto p = MeridianProcess::Start("store", args, work);
  EXPECT_TRUE(p.ok()) << p.status().message();
  return p.ok() ? std::move(*p) : nullptr;
}

// Polls the querier's /api/v1/stores until every one of `names` is listed with no last error.
Status WaitForHealthyEndpoints(const std::string& querier_url, const std::vector<std::string>& names,
                               int timeout_ms = 30000) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  std::string last;
  while (std::chrono::steady_clock::now() < deadline) {
    auto body = HttpGet(querier_url + "/api/v1/stores", 5000);
    if (body.ok()) {
      last = *body;
      rapidjson::Document doc;
      doc.Parse(body->c_str());
      size_t healthy = 0;
      if (!doc.HasParseError() && doc.IsObject() && doc.HasMember("data") && doc["data"].IsObject()) {
        for (const std::string& name : names) {
          bool found = false;
          for (const auto& type : doc["data"].GetObject()) {
            if (!type.value.IsArray()) continue;
            for (const auto& e : type.value.GetArray()) {
              if (e.IsObject() && e.HasMember("name") && e["name"].IsString() && name == e["name"].GetString() &&
                  e.HasMember("lastError") && e["lastError"].IsNull()) {
                found = true;
              }
            }
          }
          healthy += found ? 1 : 0;
        }
      }
      if (healthy == names.size()) return Status::Ok();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return UnavailableError("querier at " + querier_url + " did not list all of its endpoints as healthy: " + last);
}

std::unique_ptr<MeridianProcess> StartQuerier(const std::vector<const MeridianProcess*>& stores,
                                              const std::string& work, std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"--query.replica-label=replica"};
  for (const auto* s : stores) args.push_back("--endpoint=" + s->grpc_address());
  args.insert(args.end(), extra.begin(), extra.end());
  auto p = MeridianProcess::Start("query", args, work);
  EXPECT_TRUE(p.ok()) << p.status().message();
  if (!p.ok()) return nullptr;
  // /-/ready says the querier serves; whether it has met its stores is a separate fact (the
  // first Info poll races the first query). Wait for /api/v1/stores to list each endpoint as
  // healthy, rather than with a probe query, which would show in the stores' request counters.
  std::vector<std::string> names;
  for (const auto* s : stores) names.push_back(s->grpc_address());
  Status known = WaitForHealthyEndpoints((*p)->http_url(), names);
  EXPECT_TRUE(known.ok()) << known.message();
  return known.ok() ? std::move(*p) : nullptr;
}

// ---------------------------------------------------------------------------------------
// 1 and 4: the HA pair, queried directly and through a second querier.

class HaPair : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto& b = Buckets::Get();
    store_a_ = StartStore(*b.replica_a, b.Work("ha-store-a")).release();
    store_b_ = StartStore(*b.replica_b, b.Work("ha-store-b")).release();
    if (store_a_ == nullptr || store_b_ == nullptr) return;
    querier_ = StartQuerier({store_a_, store_b_}, b.Work("ha-querier")).release();
  }
  static void TearDownTestSuite() {
    delete querier_;
    delete store_a_;
    delete store_b_;
    querier_ = store_a_ = store_b_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(querier_, nullptr); }
  static PromApiClient Api() { return PromApiClient(querier_->http_url()); }

  static MeridianProcess* store_a_;
  static MeridianProcess* store_b_;
  static MeridianProcess* querier_;
};
MeridianProcess* HaPair::store_a_ = nullptr;
MeridianProcess* HaPair::store_b_ = nullptr;
MeridianProcess* HaPair::querier_ = nullptr;

const Params kDedup = {{"dedup", "true"}};
const Params kNoDedup = {{"dedup", "false"}};

TEST_F(HaPair, DedupGivesOneSeriesPerPairWithoutReplicaLabel) {
  for (const auto& metric : {"ha_requests_total", "ha_temperature"}) {
    auto got = Api().Series(metric, kT0, kHaEnd, kDedup);
    ASSERT_TRUE(got.ok()) << Describe(got);
    ASSERT_EQ(got.series.size(), static_cast<size_t>(kInstances)) << Describe(got);
    for (const auto& s : got.series) {
      EXPECT_EQ(s.labels.count("replica"), 0u) << Describe(got);
      EXPECT_EQ(s.labels.at("cluster"), "eu-west-1");
    }
  }
  auto inst = Api().Instant("ha_temperature", kT0 + 75 * kMinute, kDedup);
  ASSERT_TRUE(inst.ok()) << Describe(inst);
  EXPECT_EQ(inst.series.size(), static_cast<size_t>(kInstances)) << Describe(inst);
  for (const auto& s : inst.series) EXPECT_EQ(s.labels.count("replica"), 0u);
}

TEST_F(HaPair, WithoutDedupBothReplicasAndTheGapShow) {
  auto series = Api().Series("ha_requests_total", kT0, kHaEnd, kNoDedup);
  ASSERT_TRUE(series.ok()) << Describe(series);
  EXPECT_EQ(series.series.size(), 2u * kInstances) << Describe(series);
  EXPECT_EQ(series.With({{"replica", "a"}}).size(), static_cast<size_t>(kInstances));
  EXPECT_EQ(series.With({{"replica", "b"}}).size(), static_cast<size_t>(kInstances));

  // Raw samples around the gap: replica b's 30 minutes are missing, a's are there.
  auto raw = Api().Instant("ha_requests_total[45m]", kT0 + 100 * kMinute, kNoDedup);
  ASSERT_TRUE(raw.ok()) << Describe(raw);
  ASSERT_EQ(raw.series.size(), 2u * kInstances) << Describe(raw);
  for (const auto& s : raw.series) {
    if (s.labels.at("replica") == "b") {
      EXPECT_GE(MaxSpacing(s.samples), 30 * kMinute);
    } else {
      EXPECT_LE(MaxSpacing(s.samples), 20 * kSecond);
    }
  }
}

TEST_F(HaPair, DedupFillsTheGap) {
  // Raw samples: the merged series goes on through b's gap. Where it switches from b to a
  // the penalty (twice the last interval, as Thanos's dedup iterator) skips a's next samples,
  // so one hole of up to three scrape intervals is expected there, not 30 minutes.
  auto raw = Api().Instant("ha_requests_total[45m]", kT0 + 100 * kMinute, kDedup);
  ASSERT_TRUE(raw.ok()) << Describe(raw);
  ASSERT_EQ(raw.series.size(), static_cast<size_t>(kInstances)) << Describe(raw);
  for (const auto& s : raw.series) {
    EXPECT_EQ(s.labels.count("replica"), 0u);
    EXPECT_LE(MaxSpacing(s.samples), 3 * kScrape + kSecond) << s.labels.at("instance");
    // One sample per scrape, not two: the replicas were merged, not concatenated.
    EXPECT_NEAR(static_cast<double>(s.samples.size()), 45.0 * 4, 2) << s.labels.at("instance");
  }

  // A range query with a step well below the gap: every step has a value, with dedup only.
  const int64_t start = kT0 + 30 * kMinute, end = kT0 + 2 * kHour, step = 15 * kSecond;
  const size_t steps = static_cast<size_t>((end - start) / step + 1);
  auto dedup = Api().Range("ha_temperature", start, end, step, kDedup);
  ASSERT_TRUE(dedup.ok()) << Describe(dedup);
  ASSERT_EQ(dedup.series.size(), static_cast<size_t>(kInstances)) << Describe(dedup);
  for (const auto& s : dedup.series) EXPECT_EQ(s.samples.size(), steps) << s.labels.at("instance");
  auto both = Api().Range("ha_temperature", start, end, step, kNoDedup);
  ASSERT_TRUE(both.ok()) << Describe(both);
  for (const auto* s : both.With({{"replica", "b"}})) EXPECT_LT(s->samples.size(), steps - 60);
}

TEST_F(HaPair, DedupKeepsCountersFreeOfFalseResets) {
  // The switch from b to a happens at b's gap; windows that span it see no reset.
  for (int64_t at : {kT0 + 2 * kHour, kT0 + 100 * kMinute, kHaEnd}) {
    auto resets = Api().Instant("resets(ha_requests_total[2h])", at, kDedup);
    ASSERT_TRUE(resets.ok()) << Describe(resets);
    ASSERT_EQ(resets.series.size(), static_cast<size_t>(kInstances)) << Describe(resets);
    for (const auto& s : resets.series) EXPECT_EQ(s.samples.at(0).second, 0) << s.labels.at("instance") << " at " << at;
  }

  // rate across the switch: the counter's true slope, no spike against replica a alone.
  const int64_t start = kGapStart - 10 * kMinute, end = kGapEnd + 10 * kMinute, step = 15 * kSecond;
  auto dedup = Api().Range("rate(ha_requests_total[2m])", start, end, step, kDedup);
  auto single = Api().Range("rate(ha_requests_total{replica=\"a\"}[2m])", start, end, step, kNoDedup);
  ASSERT_TRUE(dedup.ok()) << Describe(dedup);
  ASSERT_TRUE(single.ok()) << Describe(single);
  ASSERT_EQ(dedup.series.size(), static_cast<size_t>(kInstances)) << Describe(dedup);
  ASSERT_EQ(single.series.size(), static_cast<size_t>(kInstances)) << Describe(single);
  for (int k = 0; k < kInstances; ++k) {
    const std::string inst = "i-" + std::to_string(k);
    auto d = dedup.With({{"instance", inst}});
    auto a = single.With({{"instance", inst}});
    ASSERT_EQ(d.size(), 1u);
    ASSERT_EQ(a.size(), 1u);
    double dmax = 0, amax = 0, dmin = 1e300;
    for (const auto& [t, v] : d[0]->samples) {
      dmax = std::max(dmax, v);
      dmin = std::min(dmin, v);
    }
    for (const auto& [t, v] : a[0]->samples) amax = std::max(amax, v);
    EXPECT_EQ(d[0]->samples.size(), static_cast<size_t>((end - start) / step + 1)) << inst;
    EXPECT_LE(dmax, amax * 1.05) << inst;
    EXPECT_NEAR(dmax, CounterRate(k), CounterRate(k) * 0.05) << inst;
    EXPECT_NEAR(dmin, CounterRate(k), CounterRate(k) * 0.2) << inst;
  }
}

// 4: a second querier whose only endpoint is the first querier's gRPC (StoreAPI) address.
TEST_F(HaPair, QuerierOverQuerierAnswersAsTheDirectPath) {
  auto& b = Buckets::Get();
  auto upper = StartQuerier({querier_}, b.Work("ha-upper-querier"));
  ASSERT_NE(upper, nullptr);
  PromApiClient top(upper->http_url());
  const double lower_calls_before = SeriesCalls(*querier_);

  struct Case {
    std::string name;
    std::function<ApiAnswer(const PromApiClient&)> ask;
  };
  const int64_t start = kGapStart - 20 * kMinute, end = kGapEnd + 20 * kMinute;
  std::vector<Case> cases;
  for (const auto& dedup : {kDedup, kNoDedup}) {
    const std::string d = dedup[0].second;
    cases.push_back({"series dedup=" + d, [=](const PromApiClient& c) {
                       return c.Series("{__name__=~\"ha_.*\"}", kT0, kHaEnd, dedup);
                     }});
    cases.push_back({"raw dedup=" + d, [=](const PromApiClient& c) {
                       return c.Instant("ha_requests_total[45m]", kT0 + 100 * kMinute, dedup);
                     }});
    cases.push_back({"rate dedup=" + d, [=](const PromApiClient& c) {
                       return c.Range("sum by (instance) (rate(ha_requests_total[2m]))", start, end, 30 * kSecond,
                                      dedup);
                     }});
    cases.push_back({"gauge dedup=" + d, [=](const PromApiClient& c) {
                       return c.Range("ha_temperature", start, end, 15 * kSecond, dedup);
                     }});
  }
  for (const auto& c : cases) {
    ApiAnswer direct = c.ask(Api());
    ApiAnswer stacked = c.ask(top);
    ASSERT_TRUE(direct.ok()) << c.name << ": " << Describe(direct);
    ASSERT_TRUE(stacked.ok()) << c.name << ": " << Describe(stacked);
    ASSERT_FALSE(direct.series.empty()) << c.name;
    EXPECT_TRUE(stacked.warnings.empty()) << c.name << ": " << Describe(stacked);
    ASSERT_EQ(direct.series.size(), stacked.series.size()) << c.name;
    for (size_t i = 0; i < direct.series.size(); ++i) {
      EXPECT_EQ(direct.series[i].labels, stacked.series[i].labels) << c.name;
      EXPECT_EQ(direct.series[i].samples, stacked.series[i].samples) << c.name;
    }
  }
  // The stacked answers came through the lower querier's StoreAPI.
  EXPECT_GE(SeriesCalls(*querier_) - lower_calls_before, static_cast<double>(cases.size()));
}

// 6: --store.limits.request-series on `meridian query` (distinct series per selector, after
// the replicas' partitions are merged) and on `meridian store` (series sent per call).
TEST_F(HaPair, SeriesLimitFailsTheQueryWithAnExecutionError) {
  auto& b = Buckets::Get();
  // kInstances (4) distinct series per metric once the replica label is dropped.
  auto limited = StartQuerier({store_a_, store_b_}, b.Work("limit-querier"), {"--store.limits.request-series=3"});
  ASSERT_NE(limited, nullptr);
  PromApiClient api(limited->http_url());
  const int64_t t = kT0 + 30 * kMinute;

  // Over the limit: the query fails even with partial responses allowed, reported as
  // Prometheus reports an execution error.
  ApiAnswer over = api.Instant("ha_requests_total", t, {{"partial_response", "true"}});
  EXPECT_EQ(over.status, "error") << Describe(over);
  EXPECT_EQ(over.http_code, 422) << Describe(over);
  EXPECT_EQ(over.error_type, "execution") << Describe(over);
  EXPECT_NE(over.error.find("failed to send series: limit 3 violated (got 4)"), std::string::npos) << Describe(over);
  std::cout << "querier limit: HTTP " << over.http_code << " " << over.error_type << ": " << over.error << "\n";

  // The limit is per selector: two selectors of 2 series each pass, with both replicas of
  // each series counted once.
  ApiAnswer within = api.Instant("ha_requests_total{instance=~\"i-0|i-1\"} + on(instance) "
                                 "ha_temperature{instance=~\"i-0|i-1\"}", t);
  ASSERT_TRUE(within.ok()) << Describe(within);
  EXPECT_EQ(within.series.size(), 2u) << Describe(within);

  // The store's own limit: replica a's store sends at most 3 series per call. With partial
  // responses off its error fails the query, names the limit, and is not a retryable 503.
  auto limited_store = StartStore(*b.replica_a, b.Work("limit-store"), {"--store.limits.request-series=3"});
  ASSERT_NE(limited_store, nullptr);
  auto q = StartQuerier({limited_store.get()}, b.Work("limit-store-querier"));
  ASSERT_NE(q, nullptr);
  PromApiClient direct(q->http_url());
  ApiAnswer store_over = direct.Instant("ha_temperature", t, {{"partial_response", "false"}});
  EXPECT_EQ(store_over.status, "error") << Describe(store_over);
  EXPECT_EQ(store_over.http_code, 422) << Describe(store_over);
  EXPECT_EQ(store_over.error_type, "execution") << Describe(store_over);
  EXPECT_NE(store_over.error.find("exceeded series limit: limit 3 violated (got 4)"), std::string::npos)
      << Describe(store_over);
  std::cout << "store limit: HTTP " << store_over.http_code << " " << store_over.error_type << ": "
            << store_over.error << "\n";
  ApiAnswer store_within = direct.Instant("ha_temperature{instance!=\"i-3\"}", t, {{"partial_response", "false"}});
  ASSERT_TRUE(store_within.ok()) << Describe(store_within);
  EXPECT_EQ(store_within.series.size(), 3u) << Describe(store_within);
}

// ---------------------------------------------------------------------------------------
// 2: a store that dies or hangs while a query waits on it.

struct FailureSetup {
  std::unique_ptr<MeridianProcess> steady, victim, querier;
};

FailureSetup StartFailureSetup(const std::string& name, std::vector<std::string> querier_flags) {
  auto& b = Buckets::Get();
  FailureSetup f;
  f.steady = StartStore(*b.replica_a, b.Work(name + "-steady"));
  f.victim = StartStore(*b.replica_b, b.Work(name + "-victim"));
  if (f.steady && f.victim) f.querier = StartQuerier({f.steady.get(), f.victim.get()}, b.Work(name + "-querier"),
                                                     std::move(querier_flags));
  return f;
}

// Starts a query on the querier of `f` while its victim is stopped, makes sure the query is
// still waiting, then SIGKILLs the victim: the kill lands in the middle of the query.
ApiAnswer QueryWhileVictimIsKilled(FailureSetup& f, const Params& params) {
  PromApiClient api(f.querier->http_url());
  Frozen frozen(f.victim->process());
  auto pending = std::async(std::launch::async, [&] {
    return api.Instant("ha_requests_total[45m]", kT0 + 100 * kMinute, params);
  });
  const bool answered_early = pending.wait_for(std::chrono::milliseconds(1500)) == std::future_status::ready;
  EXPECT_FALSE(answered_early) << "the query did not wait for the stopped store";
  f.victim->process().Kill();
  frozen.Thaw();
  if (pending.wait_for(std::chrono::seconds(20)) != std::future_status::ready) {
    ADD_FAILURE() << "no answer 20 s after the store was killed";
  }
  return pending.get();
}

TEST(StoreFailure, KilledStoreMidQueryGivesPartialResultWithWarning) {
  auto f = StartFailureSetup("kill-warn", {});
  ASSERT_NE(f.querier, nullptr);
  const std::string victim = f.victim->grpc_address();
  ApiAnswer got = QueryWhileVictimIsKilled(f, {{"dedup", "false"}, {"partial_response", "true"}});
  ASSERT_TRUE(got.ok()) << Describe(got);
  ASSERT_FALSE(got.warnings.empty()) << Describe(got);
  EXPECT_NE(got.warnings[0].find(victim), std::string::npos) << got.warnings[0];
  // What the surviving store holds is all there.
  EXPECT_EQ(got.With({{"replica", "a"}}).size(), static_cast<size_t>(kInstances)) << Describe(got);
  EXPECT_EQ(got.With({{"replica", "b"}}).size(), 0u) << Describe(got);
  std::cout << "killed store: answered with warning \"" << got.warnings[0] << "\"\n";
}

TEST(StoreFailure, KilledStoreMidQueryFailsWithoutPartialResponse) {
  auto f = StartFailureSetup("kill-abort", {});
  ASSERT_NE(f.querier, nullptr);
  const std::string victim = f.victim->grpc_address();
  ApiAnswer got = QueryWhileVictimIsKilled(f, {{"dedup", "false"}, {"partial_response", "false"}});
  EXPECT_EQ(got.status, "error") << Describe(got);
  EXPECT_GE(got.http_code, 400) << Describe(got);
  EXPECT_NE(got.error.find(victim), std::string::npos) << Describe(got);
  EXPECT_TRUE(got.series.empty());
  std::cout << "killed store, partial_response=false: HTTP " << got.http_code << " " << got.error_type << ": "
            << got.error << "\n";
}

// A partial answer: a warning naming the store that did not answer, and all of the steady
// store's series (replica a).
void ExpectSteadyStoreOnly(const ApiAnswer& got, const std::string& victim) {
  ASSERT_TRUE(got.ok()) << Describe(got);
  ASSERT_FALSE(got.warnings.empty()) << Describe(got);
  EXPECT_NE(got.warnings[0].find(victim), std::string::npos) << got.warnings[0];
  EXPECT_EQ(got.With({{"replica", "a"}}).size(), static_cast<size_t>(kInstances)) << Describe(got);
}

TEST(StoreFailure, HungStoreIsCutOffAtTheResponseTimeout) {
  constexpr int64_t kTimeoutMs = 2000;
  auto f = StartFailureSetup("hang", {"--store.response-timeout=" + std::to_string(kTimeoutMs) + "ms"});
  ASSERT_NE(f.querier, nullptr);
  PromApiClient api(f.querier->http_url());
  const std::string victim = f.victim->grpc_address();
  {
    Frozen frozen(f.victim->process());
    ApiAnswer got = api.Instant("ha_requests_total[45m]", kT0 + 100 * kMinute, {{"dedup", "false"}});
    ExpectSteadyStoreOnly(got, victim);
    if (got.warnings.empty()) return;
    // Cut off at the timeout, not before, and answered soon after.
    EXPECT_GE(got.seconds, kTimeoutMs / 1000.0 * 0.9);
    EXPECT_LT(got.seconds, kTimeoutMs / 1000.0 + 3);
    std::cout << "hung store: answered in " << got.seconds << " s with warning \"" << got.warnings[0] << "\"\n";
  }
  // Once the store answers again the same query is complete and clean.
  ApiAnswer again;
  for (int i = 0; i < 100; ++i) {
    again = api.Instant("ha_requests_total[45m]", kT0 + 100 * kMinute, {{"dedup", "false"}});
    if (again.ok() && again.warnings.empty() && again.series.size() == 2u * kInstances) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_TRUE(again.ok() && again.warnings.empty()) << Describe(again);
  EXPECT_EQ(again.series.size(), 2u * kInstances) << Describe(again);
  {
    Frozen frozen(f.victim->process());
    ApiAnswer got =
        api.Instant("ha_requests_total[45m]", kT0 + 100 * kMinute, {{"dedup", "false"}, {"partial_response", "false"}});
    EXPECT_EQ(got.status, "error") << Describe(got);
    EXPECT_NE(got.error.find(victim), std::string::npos) << Describe(got);
    EXPECT_LT(got.seconds, kTimeoutMs / 1000.0 + 3);
    std::cout << "hung store, partial_response=false: HTTP " << got.http_code << " in " << got.seconds << " s: "
              << got.error << "\n";
  }
}

// Without --store.response-timeout (Thanos's default, 0), the query's own timeout bounds the
// wait for a frozen store: what the other store sent is answered with a warning naming the
// frozen one, or, without partial response, an error, within the timeout plus a second. The
// query's slot is free again: more frozen queries than --query.max-concurrent all end.
TEST(StoreFailure, FrozenStoreEndsAtTheQueryTimeout) {
  auto f = StartFailureSetup("frozen", {"--query.timeout=3s", "--query.max-concurrent=2"});
  ASSERT_NE(f.querier, nullptr);
  PromApiClient api(f.querier->http_url());
  const std::string victim = f.victim->grpc_address();
  Frozen frozen(f.victim->process());
  ApiAnswer got = api.Instant("ha_requests_total[45m]", kT0 + 100 * kMinute, {{"dedup", "false"}});
  ExpectSteadyStoreOnly(got, victim);
  if (got.warnings.empty()) return;
  EXPECT_LT(got.seconds, 3 + 1.0);
  std::cout << "frozen store, --query.timeout=3s: answered in " << got.seconds << " s with warning \""
            << got.warnings[0] << "\"\n";

  // The request's timeout parameter, shorter than the flag, bounds it as well.
  ApiAnswer param = api.Instant("ha_requests_total[45m]", kT0 + 100 * kMinute,
                                {{"dedup", "false"}, {"partial_response", "false"}, {"timeout", "2s"}});
  EXPECT_EQ(param.status, "error") << Describe(param);
  EXPECT_EQ(param.http_code, 503) << Describe(param);
  EXPECT_LT(param.seconds, 2 + 1.0);
  std::cout << "frozen store, timeout=2s, partial_response=false: HTTP " << param.http_code << " in "
            << param.seconds << " s: " << param.error << "\n";

  // Three times as many queries as there are slots: each ends by its timeout plus a second,
  // answered or timed out in the queue, and nothing is left holding a slot. (The querier may
  // meanwhile have dropped the frozen store as unhealthy; then they answer sooner.)
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::future<ApiAnswer>> pending;
  for (int i = 0; i < 6; ++i) {
    pending.push_back(std::async(std::launch::async, [&] {
      return api.Instant("ha_requests_total[45m]", kT0 + 100 * kMinute, {{"dedup", "false"}, {"timeout", "1s"}});
    }));
  }
  int answered = 0, timed_out = 0;
  for (auto& p : pending) {
    ApiAnswer a = p.get();
    EXPECT_LT(a.seconds, 1 + 1.0) << Describe(a);
    if (a.ok()) {
      ++answered;
    } else {
      EXPECT_EQ(a.http_code, 503) << Describe(a);
      ++timed_out;
    }
  }
  const double all = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "six queries on two slots with the store frozen, timeout=1s: " << answered << " answered, "
            << timed_out << " timed out, all within " << all << " s\n";
  frozen.Thaw();
  ApiAnswer one = api.Instant("1+1", kT0);
  ASSERT_TRUE(one.ok()) << Describe(one);
  ASSERT_EQ(one.series.size(), 1u);
  EXPECT_EQ(one.series[0].samples.at(0).second, 2);
}

// SIGTERM while a query waits on a frozen store: the querier stops within its grace periods
// (--http-grace-period / --grpc-grace-period), not when the query's two-minute timeout ends.
TEST(StoreFailure, SigtermUnderLoadExitsWithinTheGracePeriod) {
  auto f = StartFailureSetup("sigterm", {"--query.timeout=2m", "--http-grace-period=1s", "--grpc-grace-period=1s"});
  ASSERT_NE(f.querier, nullptr);
  PromApiClient api(f.querier->http_url());
  Frozen frozen(f.victim->process());
  std::vector<std::future<ApiAnswer>> pending;
  for (int i = 0; i < 4; ++i) {
    pending.push_back(std::async(std::launch::async, [&] {
      return api.Instant("ha_requests_total[45m]", kT0 + 100 * kMinute, {{"dedup", "false"}});
    }));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  const auto start = std::chrono::steady_clock::now();
  const int status = f.querier->process().Stop(/*grace_ms=*/20'000);
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_TRUE(WIFEXITED(status)) << "status " << status;
  EXPECT_LT(took, 1 + 2.0);
  std::cout << "SIGTERM with 4 queries waiting on a frozen store: exited with " << WEXITSTATUS(status) << " after "
            << took << " s (grace period 1 s)\n";
  frozen.Thaw();
  for (auto& p : pending) p.wait();
}

// A store that streams a large answer slowly but never falls silent for the response
// timeout is not cut off, however long the whole answer takes: the timeout is Thanos's
// "no data for this long", not a deadline. The store is paced with SIGSTOP/SIGCONT.
TEST(StoreFailure, SlowButSteadyStoreIsNotCutOffAtTheResponseTimeout) {
  constexpr int64_t kTimeoutMs = 2000;
  auto& b = Buckets::Get();
  auto store = StartStore(b.Big(), b.Work("slow-store"));
  ASSERT_NE(store, nullptr);
  auto querier = StartQuerier({store.get()}, b.Work("slow-querier"),
                              {"--store.response-timeout=" + std::to_string(kTimeoutMs) + "ms"});
  ASSERT_NE(querier, nullptr);
  PromApiClient api(querier->http_url());
  // Warm once, unpaced: the test is about a store that streams slowly, not about its cold
  // start (reading and verifying every chunk from the bucket before the first series, which
  // on a loaded machine can take more than one 120 ms thaw and so look like silence).
  ApiAnswer warm = api.Instant("count(count_over_time(mem_metric[2h]))", kT0 + Buckets::kBigSpan);
  ASSERT_TRUE(warm.ok()) << Describe(warm);
  std::atomic<bool> done{false};
  std::thread pacer([&] {
    while (!done) {
      // Silent for 1.1 s at a time, well inside the 2 s timeout; thawed long enough each
      // time to send something even when the machine is busy with other tests.
      Frozen frozen(store->process());
      std::this_thread::sleep_for(std::chrono::milliseconds(1100));
      frozen.Thaw();
      std::this_thread::sleep_for(std::chrono::milliseconds(120));
    }
  });
  ApiAnswer got = api.Instant("count(count_over_time(mem_metric[2h]))", kT0 + Buckets::kBigSpan,
                              {{"partial_response", "false"}});
  done = true;
  pacer.join();
  ASSERT_TRUE(got.ok()) << Describe(got);
  EXPECT_TRUE(got.warnings.empty()) << Describe(got);
  ASSERT_EQ(got.series.size(), 1u) << Describe(got);
  EXPECT_EQ(got.series[0].samples.at(0).second, Buckets::kBigSeries);
  // Only meaningful if the answer did take longer than the timeout.
  EXPECT_GT(got.seconds, kTimeoutMs / 1000.0) << "the store was not slow enough to test anything";
  std::cout << "slow store: whole answer in " << got.seconds << " s with a " << kTimeoutMs
            << " ms response timeout, no warning\n";
}

// ---------------------------------------------------------------------------------------
// 3: store selection by time range and external labels, seen from the stores' side.

TEST(StoreSelection, QueryReachesOnlyStoresThatCanHoldItsData) {
  TempDir tmp;
  auto series = [](int64_t mint, int64_t maxt) {
    SeriesSamples s{Labels{{"__name__", "sel_up"}, {"job", "node"}}, {}, {}};
    for (int64_t t = mint; t < maxt; t += 30 * kSecond) {
      s.ts.push_back(t);
      s.vs.push_back(1);
    }
    return std::vector<SeriesSamples>{s};
  };
  struct StoreDef {
    std::string name;
    std::string site;
    int64_t mint, maxt;
  };
  // eu-early and eu-late share labels but not time; us covers both times under other labels.
  const std::vector<StoreDef> defs = {{"eu-early", "eu", kT0, kT0 + 2 * kHour},
                                      {"eu-late", "eu", kT0 + 2 * kHour, kT0 + 4 * kHour},
                                      {"us", "us", kT0, kT0 + 4 * kHour}};
  std::vector<std::unique_ptr<MeridianProcess>> stores;
  for (const auto& d : defs) {
    BlockBucket bucket(tmp.path() + "/" + d.name);
    for (int64_t s = d.mint; s < d.maxt; s += 2 * kHour) {
      ASSERT_TRUE(bucket.AddBlock(Labels{{"site", d.site}}, series(s, s + 2 * kHour), s, s + 2 * kHour).ok());
    }
    fs::create_directories(tmp.path() + "/" + d.name + "-work");
    stores.push_back(StartStore(bucket, tmp.path() + "/" + d.name + "-work"));
    ASSERT_NE(stores.back(), nullptr);
  }
  fs::create_directories(tmp.path() + "/querier");
  auto querier = StartQuerier({stores[0].get(), stores[1].get(), stores[2].get()}, tmp.path() + "/querier");
  ASSERT_NE(querier, nullptr);
  PromApiClient api(querier->http_url());

  struct Case {
    std::string what;
    std::function<ApiAnswer()> ask;
    std::vector<int> expected_calls;  // per store, in defs order
    std::vector<std::string> sites;   // of the result's series
  };
  const std::vector<Case> cases = {
      {"eu, early time", [&] { return api.Instant("sel_up{site=\"eu\"}", kT0 + kHour); }, {1, 0, 0}, {"eu"}},
      {"eu, late time", [&] { return api.Instant("sel_up{site=\"eu\"}", kT0 + 3 * kHour); }, {0, 1, 0}, {"eu"}},
      {"us, any time", [&] { return api.Range("sel_up{site=\"us\"}", kT0, kT0 + 4 * kHour, 5 * kMinute); },
       {0, 0, 1}, {"us"}},
      {"all sites, late range",
       [&] { return api.Range("sel_up", kT0 + 150 * kMinute, kT0 + 210 * kMinute, kMinute); },
       {0, 1, 1}, {"eu", "us"}},
      {"no label on stores, early", [&] { return api.Instant("count(sel_up{job=\"node\"})", kT0 + 30 * kMinute); },
       {1, 0, 1}, {""}},
      {"nobody's time", [&] { return api.Instant("sel_up", kT0 + 10 * kHour); }, {0, 0, 0}, {}},
  };
  for (const auto& c : cases) {
    std::vector<double> before;
    for (const auto& s : stores) before.push_back(SeriesCalls(*s));
    ApiAnswer got = c.ask();
    ASSERT_TRUE(got.ok()) << c.what << ": " << Describe(got);
    std::vector<std::string> sites;
    for (const auto& s : got.series) sites.push_back(s.labels.count("site") ? s.labels.at("site") : "");
    EXPECT_EQ(sites, c.sites) << c.what << ": " << Describe(got);
    std::string counts;
    for (size_t i = 0; i < stores.size(); ++i) {
      const double delta = SeriesCalls(*stores[i]) - before[i];
      counts += " " + defs[i].name + "=" + std::to_string(static_cast<int>(delta));
      EXPECT_EQ(delta, c.expected_calls[i]) << c.what << ": store " << defs[i].name;
    }
    if (c.sites.empty()) {
      ASSERT_FALSE(got.warnings.empty()) << c.what;
      EXPECT_NE(got.warnings[0].find("No StoreAPIs matched"), std::string::npos) << got.warnings[0];
    }
    std::cout << "selection \"" << c.what << "\": Series calls" << counts << "\n";
    ::testing::Test::RecordProperty("selection " + c.what, counts);
  }
}

// ---------------------------------------------------------------------------------------
// 5: memory of the querier over 10,000 series.

TEST(QuerierMemory, TenThousandSeriesStayBoundedByTheStreamingMerge) {
  auto& b = Buckets::Get();
  constexpr int kSeries = Buckets::kBigSeries;
  constexpr int64_t kSpan = Buckets::kBigSpan;
  auto store = StartStore(b.Big(), b.Work("mem-store"));
  ASSERT_NE(store, nullptr);
  auto querier = StartQuerier({store.get()}, b.Work("mem-querier"));
  ASSERT_NE(querier, nullptr);
  PromApiClient api(querier->http_url());

  auto received = [&] {
    auto v = ScrapeSum(querier->http_url(), "meridian_query_store_received_bytes_total", {{"method", "series"}});
    return v.ok() ? *v : -1;
  };
  const uint64_t hwm_before = querier->process().PeakRssBytes();
  const uint64_t rss_before = querier->process().RssBytes();
  const double bytes_before = received();
  const double msgs_before =
      ScrapeSum(store->http_url(), "grpc_server_msg_sent_total", {{"grpc_method", "Series"}}).value();

  // Every sample of every series passes through the merge; the answer is one number per step.
  auto ask = [&] {
    ApiAnswer got = api.Range("sum(rate(mem_metric[5m]))", kT0 + 10 * kMinute, kT0 + kSpan, kMinute);
    EXPECT_TRUE(got.ok()) << Describe(got);
    EXPECT_EQ(got.series.size(), 1u) << Describe(got);
    EXPECT_EQ(got.series.empty() ? 0 : got.series[0].samples.size(), static_cast<size_t>(kSpan / kMinute - 10 + 1));
    return got.seconds;
  };
  const double seconds = ask();
  const uint64_t hwm_first = querier->process().PeakRssBytes();
  const double bytes = received() - bytes_before;
  const double msgs = ScrapeSum(store->http_url(), "grpc_server_msg_sent_total", {{"grpc_method", "Series"}}).value() -
                      msgs_before;
  // The same query again: memory is reused, nothing of the earlier answers is kept.
  constexpr int kRepeats = 5;
  for (int i = 0; i < kRepeats; ++i) ask();
  ApiAnswer count = api.Instant("count(mem_metric)", kT0 + kSpan - kMinute);
  ASSERT_TRUE(count.ok()) << Describe(count);
  ASSERT_EQ(count.series.size(), 1u);
  EXPECT_EQ(count.series[0].samples.at(0).second, kSeries);
  const uint64_t hwm_last = querier->process().PeakRssBytes();
  const uint64_t rss_last = querier->process().RssBytes();

  const double grew = static_cast<double>(hwm_first) - static_cast<double>(hwm_before);
  const double grew_more = static_cast<double>(hwm_last) - static_cast<double>(hwm_first);
  constexpr double kMiB = 1 << 20;
  std::cout << "querier over " << kSeries << " series, sum(rate(mem_metric[5m])) over 2h: store sent " << msgs
            << " Series messages, querier received " << bytes / kMiB << " MiB in " << seconds
            << " s; querier VmRSS before " << rss_before / kMiB << " MiB, VmHWM before " << hwm_before / kMiB
            << " MiB, after the query " << hwm_first / kMiB << " MiB (peak grew " << grew / kMiB << " MiB = "
            << grew / bytes << "x the bytes received), after " << kRepeats << " more queries and count() " << hwm_last / kMiB
            << " MiB (VmRSS " << rss_last / kMiB << " MiB)\n";
  ::testing::Test::RecordProperty("received_bytes", std::to_string(static_cast<int64_t>(bytes)));
  ::testing::Test::RecordProperty("peak_rss_before", std::to_string(hwm_before));
  ::testing::Test::RecordProperty("peak_rss_after_first_query", std::to_string(hwm_first));
  ::testing::Test::RecordProperty("peak_rss_after_repeats", std::to_string(hwm_last));
  EXPECT_GE(msgs, kSeries);
  EXPECT_GT(bytes, 5e6);
  // The engine holds the decoded samples of every selected series (16 bytes a sample against
  // about 2 on the wire); the merge adds only its per-store buffers. Twice what was measured
  // (4.7x + 27 MiB base) leaves room for allocator noise.
  EXPECT_LT(grew, 8 * bytes + 32 * kMiB);
  // Repeats may fill the querier's second malloc arena once (about as much as the first query
  // grew, seen between 0.9x and 1.1x), no more: without the arena cap each repeat added another
  // ~30 MiB, five repeats ~150 MiB.
  EXPECT_LT(grew_more, 1.6 * grew);
}

}  // namespace
}  // namespace meridian::testing

// ---------------------------------------------------------------------------------------
// Listeners refuse a port another process holds (gRPC and cpp-httplib would share it through
// SO_REUSEPORT by default, splitting connections between two servers without a word).

namespace meridian::testing {
namespace {

TEST(Listeners, APortInUseIsRefused) {
  auto& b = Buckets::Get();
  auto holder = StartStore(*b.replica_a, b.Work("port-holder"));
  ASSERT_NE(holder, nullptr);
  struct Case {
    std::string what;
    std::string http, grpc;
    std::string expect;
  } cases[] = {
      {"gRPC", "127.0.0.1:" + std::to_string(FreePort()), holder->grpc_address(), "cannot listen for gRPC"},
      {"HTTP", "127.0.0.1:" + std::to_string(holder->http_port()), "127.0.0.1:" + std::to_string(FreePort()),
       "cannot listen on"},
  };
  for (const Case& c : cases) {
    const std::string work = b.Work("port-taker-" + c.what);
    auto taker = ChildProcess::Spawn({MeridianBinary(), "store", b.replica_a->ObjstoreFlag(), "--data-dir=" + work + "/data",
                                      "--http-address=" + c.http, "--grpc-address=" + c.grpc},
                                     work + "/taker.log");
    ASSERT_TRUE(taker.ok()) << taker.status().message();
    // A taker that got the port would run on: give it 20 s to exit.
    for (int i = 0; i < 200 && (*taker)->Running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if ((*taker)->Running()) {
      (*taker)->Kill();
      ADD_FAILURE() << c.what << ": a second store started on a port in use";
      continue;
    }
    EXPECT_NE((*taker)->Wait(), 0) << c.what;
    EXPECT_NE((*taker)->Log().find(c.expect), std::string::npos) << c.what << ": " << (*taker)->Log();
  }
  // The holder still answers.
  EXPECT_TRUE(HttpGet(holder->http_url() + "/-/ready", 5000).ok());
}

}  // namespace
}  // namespace meridian::testing
