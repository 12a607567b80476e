// /api/v1/query and /api/v1/query_range: results byte for byte, parameter forms, errors.

#include <regex>
#include <thread>

#include "api_test_fixture.h"

namespace meridian::web {
namespace {

constexpr char kUpVector[] =
    R"({"status":"success","data":{"resultType":"vector","result":[)"
    R"({"metric":{"__name__":"up","instance":"a:9090","job":"node"},"value":[1700000060,"1"]},)"
    R"({"metric":{"__name__":"up","instance":"b:9090","job":"node"},"value":[1700000060,"0"]}]}})";

std::string Err(const char* type, const std::string& msg) {
  return std::string(R"({"status":"error","errorType":")") + type + R"(","error":)" + GoJsonQuote(msg) + "}";
}

TEST_F(ApiTest, InstantVectorGet) {
  Reply r = Get("/api/v1/query?query=up&time=1700000060");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body, kUpVector);
}

TEST_F(ApiTest, InstantDefaultsToNow) {
  EXPECT_EQ(Get("/api/v1/query?query=up").body, kUpVector);
}

TEST_F(ApiTest, InstantVectorPostFormEqualsGet) {
  Reply r = PostForm("/api/v1/query", "query=up&time=1700000060");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, kUpVector);
}

TEST_F(ApiTest, PostBodyWinsOverUrlAsGoFormValue) {
  Reply r = PostForm("/api/v1/query?query=nonexistent&time=1700000060", "query=up");
  EXPECT_EQ(r.body, kUpVector);
}

TEST_F(ApiTest, Rfc3339TimeParameter) {
  EXPECT_EQ(Get("/api/v1/query?query=up&time=2023-11-14T22:14:20Z").body, kUpVector);
  EXPECT_EQ(Get("/api/v1/query?query=up&time=2023-11-14T23:14:20%2B01:00").body, kUpVector);
  EXPECT_EQ(Get("/api/v1/query?query=up&time=2023-11-14T22:14:20.000Z").body, kUpVector);
}

TEST_F(ApiTest, AggregationResult) {
  Reply r = Get("/api/v1/query?query=sum+by+(job)+(http_requests_total)&time=1700000060");
  EXPECT_EQ(r.body,
            R"({"status":"success","data":{"resultType":"vector","result":[)"
            R"({"metric":{"job":"api"},"value":[1700000060,"44"]}]}})");
}

TEST_F(ApiTest, ScalarAndStringResults) {
  EXPECT_EQ(Get("/api/v1/query?query=1%2B1&time=1700000060").body,
            R"({"status":"success","data":{"resultType":"scalar","result":[1700000060,"2"]}})");
  EXPECT_EQ(Get("/api/v1/query?query=%22hello%22&time=1700000060").body,
            R"({"status":"success","data":{"resultType":"string","result":[1700000060,"hello"]}})");
}

TEST_F(ApiTest, EmptyVectorIsEmptyList) {
  EXPECT_EQ(Get("/api/v1/query?query=nonexistent&time=1700000060").body,
            R"({"status":"success","data":{"resultType":"vector","result":[]}})");
}

TEST_F(ApiTest, TimestampFormatting) {
  // Samples: whole seconds, or exactly three decimals (jsonutil).
  auto sample = [&](const std::string& t) {
    return Get("/api/v1/query?query=vector(1)&time=" + t).body;
  };
  auto sample_json = [](const std::string& t) {
    return R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[)" + t +
           R"(,"1"]}]}})";
  };
  EXPECT_EQ(sample("1435781451.05"), sample_json("1435781451.050"));
  EXPECT_EQ(sample("1435781451.5"), sample_json("1435781451.500"));
  EXPECT_EQ(sample("1435781451"), sample_json("1435781451"));
  EXPECT_EQ(sample("-1.5"), sample_json("-1.500"));
  EXPECT_EQ(sample("-0.05"), sample_json("-0.050"));
  // Scalars (and strings) marshal themselves through encoding/json: a plain float of seconds.
  EXPECT_EQ(Get("/api/v1/query?query=1&time=1435781451.05").body,
            R"({"status":"success","data":{"resultType":"scalar","result":[1435781451.05,"1"]}})");
  EXPECT_EQ(Get("/api/v1/query?query=1&time=1435781451.5").body,
            R"({"status":"success","data":{"resultType":"scalar","result":[1435781451.5,"1"]}})");
  EXPECT_EQ(Get("/api/v1/query?query=1&time=1435781451").body,
            R"({"status":"success","data":{"resultType":"scalar","result":[1435781451,"1"]}})");
  EXPECT_EQ(Get("/api/v1/query?query=1&time=-0.05").body,
            R"({"status":"success","data":{"resultType":"scalar","result":[-0.05,"1"]}})");
  EXPECT_EQ(Get("/api/v1/query?query=%22s%22&time=1435781451.5").body,
            R"({"status":"success","data":{"resultType":"string","result":[1435781451.5,"s"]}})");
  // A vector sample stamped at the evaluation time, not at the sample's own time.
  Reply r = Get("/api/v1/query?query=up%7Binstance%3D%22a:9090%22%7D&time=1700000060.05");
  EXPECT_EQ(r.body, R"({"status":"success","data":{"resultType":"vector","result":[)"
                    R"({"metric":{"__name__":"up","instance":"a:9090","job":"node"},)"
                    R"("value":[1700000060.050,"1"]}]}})");
}

TEST_F(ApiTest, SampleValueFormatting) {
  auto value = [&](const std::string& q) {
    std::string body = Get("/api/v1/query?time=1&query=" + q).body;
    size_t p = body.find(R"([1,")");
    return p == std::string::npos ? body : body.substr(p + 4, body.find('"', p + 4) - p - 4);
  };
  // Samples: jsonutil's format, exponent outside [1e-6, 1e21).
  EXPECT_EQ(value("vector(1e-7)"), "1e-07");
  EXPECT_EQ(value("vector(0.000123)"), "0.000123");
  EXPECT_EQ(value("vector(1e21)"), "1e+21");
  EXPECT_EQ(value("vector(123456789012)"), "123456789012");
  EXPECT_EQ(value("vector(1%2F0)"), "+Inf");
  EXPECT_EQ(value("vector(-1%2F0)"), "-Inf");
  EXPECT_EQ(value("vector(0%2F0)"), "NaN");
  EXPECT_EQ(value("vector(0.1%2B0.2)"), "0.30000000000000004");
  // Scalars: strconv's 'f' format, never an exponent.
  EXPECT_EQ(value("1e-7"), "0.0000001");
  EXPECT_EQ(value("1e21"), "1000000000000000000000");
  EXPECT_EQ(value("-2.5e-3"), "-0.0025");
  EXPECT_EQ(value("1%2F0"), "+Inf");
  EXPECT_EQ(value("0%2F0"), "NaN");
  EXPECT_EQ(value("0.1%2B0.2"), "0.30000000000000004");
}

TEST_F(ApiTest, RangeQueryMatrix) {
  Reply r = Get("/api/v1/query_range?query=up%7Binstance%3D%22a:9090%22%7D&start=1700000000&end=1700000060&step=30");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body,
            R"({"status":"success","data":{"resultType":"matrix","result":[)"
            R"({"metric":{"__name__":"up","instance":"a:9090","job":"node"},)"
            R"("values":[[1700000000,"1"],[1700000030,"1"],[1700000060,"1"]]}]}})");
}

TEST_F(ApiTest, RangeQueryStepForms) {
  const std::string want = Get("/api/v1/query_range?query=1&start=1700000000&end=1700000060&step=30").body;
  EXPECT_EQ(want, R"({"status":"success","data":{"resultType":"matrix","result":[)"
                  R"({"metric":{},"values":[[1700000000,"1"],[1700000030,"1"],[1700000060,"1"]]}]}})");
  EXPECT_EQ(Get("/api/v1/query_range?query=1&start=1700000000&end=1700000060&step=30s").body, want);
  EXPECT_EQ(Get("/api/v1/query_range?query=1&start=1700000000&end=1700000060&step=30.0").body, want);
  EXPECT_EQ(Get("/api/v1/query_range?query=1&start=2023-11-14T22:13:20Z&end=2023-11-14T22:14:20Z&step=30s").body,
            want);
  EXPECT_EQ(PostForm("/api/v1/query_range", "query=1&start=1700000000&end=1700000060&step=30").body, want);
  // Fractional starts keep their milliseconds on every step.
  EXPECT_EQ(Get("/api/v1/query_range?query=1&start=1700000000.25&end=1700000001&step=0.5").body,
            R"({"status":"success","data":{"resultType":"matrix","result":[)"
            R"({"metric":{},"values":[[1700000000.250,"1"],[1700000000.750,"1"]]}]}})");
}

TEST_F(ApiTest, RangeQueryErrors) {
  const std::string base = "/api/v1/query_range?query=up";
  Reply r = Get(base + "&start=x&end=1&step=1");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, Err("bad_data", "invalid parameter \"start\": cannot parse \"x\" to a valid timestamp"));
  EXPECT_EQ(Get(base + "&start=1&end=y&step=1").body,
            Err("bad_data", "invalid parameter \"end\": cannot parse \"y\" to a valid timestamp"));
  EXPECT_EQ(Get(base + "&end=1&step=1").body,
            Err("bad_data", "invalid parameter \"start\": cannot parse \"\" to a valid timestamp"));
  EXPECT_EQ(Get(base + "&start=10&end=5&step=1").body,
            Err("bad_data", "invalid parameter \"end\": end timestamp must not be before start time"));
  EXPECT_EQ(Get(base + "&start=1&end=5&step=x").body,
            Err("bad_data", "invalid parameter \"step\": cannot parse \"x\" to a valid duration"));
  EXPECT_EQ(Get(base + "&start=1&end=5").body,
            Err("bad_data", "invalid parameter \"step\": cannot parse \"\" to a valid duration"));
  const std::string zero_step = Err("bad_data",
                                    "invalid parameter \"step\": zero or negative query resolution step "
                                    "widths are not accepted. Try a positive integer");
  EXPECT_EQ(Get(base + "&start=1&end=5&step=0").body, zero_step);
  EXPECT_EQ(Get(base + "&start=1&end=5&step=-1").body, zero_step);
  EXPECT_EQ(Get(base + "&start=1&end=5&step=0.0001").body, zero_step);
  r = Get(base + "&start=0&end=11001&step=1");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, Err("bad_data",
                        "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the "
                        "query resolution (?step=XX)"));
  // Exactly 11,000 steps is still allowed.
  EXPECT_EQ(Get("/api/v1/query_range?query=1&start=0&end=11000&step=1").status, 200);
  EXPECT_EQ(Get(base + "&start=1&end=5&step=1&timeout=x").body,
            Err("bad_data", "invalid parameter \"timeout\": cannot parse \"x\" to a valid duration"));
}

TEST_F(ApiTest, InstantQueryErrors) {
  Reply r = Get("/api/v1/query?query=up&time=x");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, Err("bad_data",
                        "invalid parameter \"time\": invalid time value for 'time': cannot parse \"x\" to a "
                        "valid timestamp"));
  EXPECT_EQ(Get("/api/v1/query?query=up&limit=x").body,
            Err("bad_data", "invalid parameter \"limit\": strconv.Atoi: parsing \"x\": invalid syntax"));
  EXPECT_EQ(Get("/api/v1/query?query=up&limit=-1").body,
            Err("bad_data", "invalid parameter \"limit\": limit must be non-negative"));
}

TEST_F(ApiTest, ParseErrorIsBadDataWithParserMessage) {
  promql::ParseResult parsed = promql::ParseExpr("sum(up");
  ASSERT_FALSE(parsed.ok());
  Reply r = Get("/api/v1/query?query=sum(up");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, Err("bad_data", "invalid parameter \"query\": " + parsed.ErrorString()));
  EXPECT_EQ(parsed.ErrorString().rfind("1:", 0), 0u) << parsed.ErrorString();
  // An absent query is an empty one, as upstream.
  r = Get("/api/v1/query");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("\"errorType\":\"bad_data\""), std::string::npos) << r.body;
}

TEST_F(ApiTest, LimitTruncatesWithWarning) {
  EXPECT_EQ(Get("/api/v1/query?query=up&time=1700000060&limit=1").body,
            R"({"status":"success","data":{"resultType":"vector","result":[)"
            R"({"metric":{"__name__":"up","instance":"a:9090","job":"node"},"value":[1700000060,"1"]}]},)"
            R"("warnings":["results truncated due to limit"]})");
  EXPECT_EQ(Get("/api/v1/query?query=up&time=1700000060&limit=2").body, kUpVector);
  EXPECT_EQ(Get("/api/v1/query?query=up&time=1700000060&limit=0").body, kUpVector);
}

TEST_F(ApiTest, StatsObject) {
  Reply r = Get("/api/v1/query?query=up&time=1700000060&stats=all");
  EXPECT_EQ(r.status, 200);
  const std::string prefix = std::string(kUpVector).substr(0, std::string(kUpVector).size() - 3);
  ASSERT_EQ(r.body.rfind(prefix, 0), 0u) << r.body;
  std::string rest = r.body.substr(prefix.size());
  // Timings vary; their keys, order and the sample counts do not.
  std::regex shape(
      R"(\],"stats":\{"timings":\{"evalTotalTime":[0-9.e-]+,"resultSortTime":0,"queryPreparationTime":[0-9.e-]+,)"
      R"("innerEvalTime":[0-9.e-]+,"execQueueTime":[0-9.e-]+,"execTotalTime":[0-9.e-]+\},)"
      R"("samples":\{"totalQueryableSamples":[0-9]+,"peakSamples":[0-9]+\},)"
      R"("downsampling":\{"maxSourceResolution":"auto","resolutionsRead":\["raw"\]\}\}\}\})");
  EXPECT_TRUE(std::regex_match(rest, shape)) << rest;
  EXPECT_EQ(Get("/api/v1/query?query=up&time=1700000060").body.find("stats"), std::string::npos);
}

TEST_F(ApiTest, ThanosParametersReachBackend) {
  Reply r = Get(
      "/api/v1/query?query=up&time=1700000060&dedup=false&partial_response=0&replicaLabels[]=replica"
      "&replicaLabels%5B%5D=rule_replica&storeMatch[]=%7Bjob%3D%22node%22%7D&max_source_resolution=5m"
      "&lookback_delta=10m&engine=thanos&analyze=true");
  EXPECT_EQ(r.body, kUpVector);
  std::lock_guard<std::mutex> l(backend_->mu);
  const QueryRequestOptions& o = backend_->last_options;
  EXPECT_FALSE(o.dedup);
  EXPECT_FALSE(o.partial_response);
  EXPECT_EQ(o.replica_labels, (std::vector<std::string>{"replica", "rule_replica"}));
  ASSERT_EQ(o.store_matchers.size(), 1u);
  ASSERT_EQ(o.store_matchers[0].size(), 1u);
  EXPECT_EQ(o.store_matchers[0][0]->ToString(), "job=\"node\"");
  EXPECT_EQ(o.max_source_resolution_ms, 300000);
  EXPECT_EQ(o.lookback_delta_ms, 600000);
  EXPECT_EQ(o.timeout, std::chrono::milliseconds(120000));
}

TEST_F(ApiTest, ThanosDefaultsAndAutoResolution) {
  Get("/api/v1/query?query=up&time=1700000060");
  {
    std::lock_guard<std::mutex> l(backend_->mu);
    EXPECT_TRUE(backend_->last_options.dedup);
    EXPECT_TRUE(backend_->last_options.partial_response);
    EXPECT_TRUE(backend_->last_options.replica_labels.empty());
    EXPECT_EQ(backend_->last_options.max_source_resolution_ms, 0);
    EXPECT_FALSE(backend_->last_options.lookback_delta_ms.has_value());
  }
  Get("/api/v1/query_range?query=up&start=1700000000&end=1700000600&step=60&max_source_resolution=auto&timeout=5s");
  {
    std::lock_guard<std::mutex> l(backend_->mu);
    EXPECT_EQ(backend_->last_options.max_source_resolution_ms, 12000);  // step / 5
    EXPECT_EQ(backend_->last_options.timeout, std::chrono::milliseconds(5000));
  }
  Get("/api/v1/query_range?query=up&start=1700000000&end=1700000600&step=60&max_source_resolution=1h");
  std::lock_guard<std::mutex> l(backend_->mu);
  EXPECT_EQ(backend_->last_options.max_source_resolution_ms, 3600000);
  EXPECT_FALSE(backend_->last_options.auto_resolution);
}

// --query.auto-downsampling is on by default: without the parameter a request is `auto`; the
// values Grafana's Thanos datasource sends ("auto", "0s", "5m", "1h") select as Thanos does.
TEST_F(ApiTest, MaxSourceResolutionAsGrafanaSendsIt) {
  struct Case {
    std::string param;
    int64_t ms;
    bool automatic;
  };
  for (const Case& c : std::vector<Case>{{"", 12000, true},
                                         {"&max_source_resolution=auto", 12000, true},
                                         {"&max_source_resolution=0s", 0, false},
                                         {"&max_source_resolution=5m", 300000, false},
                                         {"&max_source_resolution=1h", 3600000, false},
                                         {"&max_source_resolution=300", 300000, false}}) {
    Reply r = Get("/api/v1/query_range?query=up&start=1700000000&end=1700000600&step=60" + c.param);
    EXPECT_EQ(r.status, 200) << c.param;
    std::lock_guard<std::mutex> l(backend_->mu);
    EXPECT_EQ(backend_->last_options.max_source_resolution_ms, c.ms) << c.param;
    EXPECT_EQ(backend_->last_options.auto_resolution, c.automatic) << c.param;
  }
  // Instant queries: `auto` prefers raw data (--query.instant.default.max_source_resolution).
  Get("/api/v1/query?query=up&time=1700000060&max_source_resolution=auto");
  std::lock_guard<std::mutex> l(backend_->mu);
  EXPECT_EQ(backend_->last_options.max_source_resolution_ms, 0);
  EXPECT_TRUE(backend_->last_options.auto_resolution);
}

class ThanosDefaultApiTest : public ApiTest {
 protected:
  void Configure(ApiOptions* o) override { o->auto_downsampling = false; }
};

// With --no-query.auto-downsampling a request without the parameter reads raw data only, as
// Thanos's default does.
TEST_F(ThanosDefaultApiTest, WithoutAutoDownsamplingRawOnly) {
  Get("/api/v1/query_range?query=up&start=1700000000&end=1700000600&step=60");
  {
    std::lock_guard<std::mutex> l(backend_->mu);
    EXPECT_EQ(backend_->last_options.max_source_resolution_ms, 0);
    EXPECT_FALSE(backend_->last_options.auto_resolution);
  }
  Reply r = Get("/api/v1/query?query=up&time=1700000060&stats=all");
  EXPECT_NE(r.body.find(R"("downsampling":{"maxSourceResolution":"raw","resolutionsRead":["raw"]})"), std::string::npos)
      << r.body;
}

TEST_F(ApiTest, ThanosParameterErrors) {
  EXPECT_EQ(Get("/api/v1/query?query=up&dedup=x").body,
            Err("bad_data", "'dedup' parameter: strconv.ParseBool: parsing \"x\": invalid syntax"));
  EXPECT_EQ(Get("/api/v1/query?query=up&partial_response=maybe").body,
            Err("bad_data", "'partial_response' parameter: strconv.ParseBool: parsing \"maybe\": invalid syntax"));
  EXPECT_EQ(Get("/api/v1/query?query=up&max_source_resolution=x").body,
            Err("bad_data", "'max_source_resolution' parameter: cannot parse \"x\" to a valid duration"));
  EXPECT_EQ(Get("/api/v1/query?query=up&max_source_resolution=-300").body,
            Err("bad_data", "negative 'max_source_resolution' is not accepted. Try a positive integer"));
  // Prometheus durations carry no sign.
  EXPECT_EQ(Get("/api/v1/query?query=up&max_source_resolution=-5m").body,
            Err("bad_data", "'max_source_resolution' parameter: cannot parse \"-5m\" to a valid duration"));
  EXPECT_EQ(Get("/api/v1/query?query=up&lookback_delta=x").body,
            Err("bad_data", "'lookback_delta' parameter: cannot parse \"x\" to a valid duration"));
  EXPECT_EQ(Get("/api/v1/query?query=up&engine=other").body, Err("bad_data", "'other' bad engine"));
  Reply r = Get("/api/v1/query?query=up&storeMatch[]=%7B");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("\"errorType\":\"bad_data\""), std::string::npos);
}

TEST_F(ApiTest, LookbackDeltaChangesResult) {
  // 60 s after the last sample (at +600 s) the default 5 m lookback still finds it; a 30 s one does not.
  EXPECT_NE(Get("/api/v1/query?query=up&time=1700000660").body.find("\"result\":[{"), std::string::npos);
  EXPECT_EQ(Get("/api/v1/query?query=up&time=1700000660&lookback_delta=30s").body,
            R"({"status":"success","data":{"resultType":"vector","result":[]}})");
}

// Sleeps in Select so a query outlives short timeouts.
class SlowQueryable : public storage::Queryable {
 public:
  SlowQueryable(std::shared_ptr<storage::Queryable> inner, std::chrono::milliseconds delay)
      : inner_(std::move(inner)), delay_(delay) {}
  std::unique_ptr<storage::Querier> NewQuerier(int64_t mint, int64_t maxt) override {
    return std::make_unique<SlowQuerier>(inner_->NewQuerier(mint, maxt), delay_);
  }

 private:
  class SlowQuerier : public storage::Querier {
   public:
    SlowQuerier(std::unique_ptr<storage::Querier> q, std::chrono::milliseconds d) : q_(std::move(q)), d_(d) {}
    std::unique_ptr<storage::SeriesSet> Select(bool sorted, const storage::SelectHints& h,
                                               const Matchers& m) override {
      std::this_thread::sleep_for(d_);
      return q_->Select(sorted, h, m);
    }
    StatusOr<std::vector<std::string>> LabelNames(const Matchers& m) override { return q_->LabelNames(m); }
    StatusOr<std::vector<std::string>> LabelValues(const std::string& n, const Matchers& m) override {
      return q_->LabelValues(n, m);
    }

   private:
    std::unique_ptr<storage::Querier> q_;
    std::chrono::milliseconds d_;
  };
  std::shared_ptr<storage::Queryable> inner_;
  std::chrono::milliseconds delay_;
};

class SlowApiTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    queryable_ = std::make_shared<SlowQueryable>(storage_, std::chrono::milliseconds(400));
    Restart();
  }
  void Configure(ApiOptions* o) override {
    o->max_concurrent_queries = 1;
    o->max_queued_queries = 0;
  }
};

TEST_F(SlowApiTest, TimeoutParameterStopsQuery) {
  auto t0 = std::chrono::steady_clock::now();
  Reply r = Get("/api/v1/query?query=up&time=1700000060&timeout=100ms");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body, Err("timeout", "query timed out in query execution"));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(3));
  // The same query with enough time succeeds.
  EXPECT_EQ(Get("/api/v1/query?query=up&time=1700000060&timeout=10s").body, kUpVector);
}

TEST_F(SlowApiTest, ConcurrencyLimitRefusesBeyondQueue) {
  Reply first;
  std::thread t([&] {
    httplib::Client c("127.0.0.1", server_->port());
    auto res = c.Get("/api/v1/query?query=up&time=1700000060");
    if (res) first = {res->status, res->body, ""};
  });
  while (api_->running_queries() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  Reply second = Get("/api/v1/query?query=up&time=1700000060");
  t.join();
  EXPECT_EQ(first.body, kUpVector);
  EXPECT_EQ(second.status, 503);
  EXPECT_EQ(second.body, Err("unavailable", "too many queries waiting in the query queue"));
}

class QueuedApiTest : public SlowApiTest {
 protected:
  void Configure(ApiOptions* o) override {
    o->max_concurrent_queries = 1;
    o->max_queued_queries = 10;
  }
};

TEST_F(QueuedApiTest, QueuedQueryWaitsOrTimesOut) {
  std::thread t([&] {
    httplib::Client c("127.0.0.1", server_->port());
    c.Get("/api/v1/query?query=up&time=1700000060");
  });
  while (api_->running_queries() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  // Waiting longer than the running query: admitted after it.
  std::thread t2([&] {
    httplib::Client c("127.0.0.1", server_->port());
    auto res = c.Get("/api/v1/query?query=up&time=1700000060&timeout=10s");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->body, kUpVector);
  });
  while (api_->queued_queries() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  // Too short a timeout to get a slot.
  Reply r = Get("/api/v1/query?query=up&time=1700000060&timeout=50ms");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body, Err("timeout", "query timed out in query queue"));
  t.join();
  t2.join();
}

}  // namespace
}  // namespace meridian::web
