// The HTTP API's answers against Prometheus 2.42's own over the same TSDB blocks: promtool cuts
// blocks from OpenMetrics text; Prometheus serves a copy as its data directory, `meridian store`
// serves another copy as a FILESYSTEM bucket behind `meridian query`. Every request goes to
// both, and the parsed JSON must be identical: the same keys in the same order, the same
// values written the same way, the same order of series, the same errors.
//
// Both servers are real processes with default flags, as users run them.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "tests/objstore/temp_dir.h"
#include "tests/support/http_client.h"
#include "tests/support/meridian_process.h"
#include "tests/support/process.h"
#include "tests/support/prometheus_process.h"
#include "tests/web/compat_data.h"
#include "tests/web/json_tree.h"

namespace meridian::web::testing {
namespace {

namespace fs = std::filesystem;
namespace mt = meridian::testing;

// What Prometheus's answer must be, so that a request that silently stops exercising anything
// (both sides empty, both failing alike) is noticed.
enum class Expect { kData, kEmpty, kError };

// Where Meridian's answer may legitimately differ from 2.42's. Each narrows the comparison to
// one named part and still checks that part against what it must be.
enum class Allowance {
  kNone,
  // Prometheus 3.x changed the error text (Meridian follows 3.x): status, errorType and HTTP
  // code must still match 2.42, and the text must be `error_3x` exactly.
  kError3x,
  // 3.x sums with Kahan compensation (sum, avg, *_over_time) where 2.42 added naively: values may
  // differ in the last bits (relative 1e-12); everything else identical.
  kKahanSummation,
  // Meridian's answer carries one warning 2.42 does not give, `extra_warning` exactly (why: at
  // each use); otherwise identical.
  kExtraWarning,
  // The servers owe no order: Prometheus builds histogram_quantile's output from a Go map, so
  // even two of its own answers differ. data.result is compared as a set; all else identical.
  kUnordered,
};

struct ApiRequest {
  using Params = std::vector<std::pair<std::string, std::string>>;
  ApiRequest(std::string p, Params ps, Expect e = Expect::kData)
      : path(std::move(p)), params(std::move(ps)), expect(e) {}

  std::string path;
  Params params;
  Expect expect = Expect::kData;
  bool post = false;
  Allowance allowance = Allowance::kNone;
  std::string error_3x;
  std::string extra_warning;

  std::string Form() const {
    std::string out;
    for (const auto& [k, v] : params) {
      if (!out.empty()) out += '&';
      out += mt::UrlEncode(k) + "=" + mt::UrlEncode(v);
    }
    return out;
  }
  std::string Describe() const { return (post ? "POST " : "GET ") + path + "?" + Form(); }
};

// API time parameters: seconds, with milliseconds only when there are some.
std::string Ts(int64_t ms) {
  char buf[32];
  if (ms % 1000 == 0) {
    std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(ms / 1000));
  } else {
    std::snprintf(buf, sizeof buf, "%lld.%03lld", static_cast<long long>(ms / 1000),
                  static_cast<long long>(ms % 1000));
  }
  return buf;
}

constexpr int64_t kMinute = 60 * 1000;
constexpr int64_t kHour = 60 * kMinute;
// Mid-data evaluation time, on a whole second.
constexpr int64_t kEvalMs = kCompatStartMs + 3 * kHour;
// Inside the counter's gap, more than the 5m lookback after its last sample.
constexpr int64_t kInGapMs = kCompatGapStartMs + 8 * kMinute;

ApiRequest Instant(const std::string& q, int64_t t = kEvalMs, Expect e = Expect::kData) {
  return {"/api/v1/query", {{"query", q}, {"time", Ts(t)}}, e};
}

ApiRequest Range(const std::string& q, const std::string& start, const std::string& end, const std::string& step,
                 Expect e = Expect::kData) {
  return {"/api/v1/query_range", {{"query", q}, {"start", start}, {"end", end}, {"step", step}}, e};
}

ApiRequest RangeMs(const std::string& q, int64_t start, int64_t end, const std::string& step,
                   Expect e = Expect::kData) {
  return Range(q, Ts(start), Ts(end), step, e);
}

ApiRequest Posted(ApiRequest r) {
  r.post = true;
  return r;
}

ApiRequest Allowing(Allowance a, ApiRequest r) {
  r.allowance = a;
  return r;
}

ApiRequest WithWarning(std::string warning, ApiRequest r) {
  r.allowance = Allowance::kExtraWarning;
  r.extra_warning = std::move(warning);
  return r;
}

// Outside every store's time range the querier warns as CONTRACTS.md section 3 asks (Thanos
// before v0.32 did; later versions only log it at debug level).
ApiRequest BeyondStores(ApiRequest r) { return WithWarning("No StoreAPIs matched for this query", std::move(r)); }

// 3.x warns about sort functions in range queries, whose results are always in label order.
ApiRequest SortInRange(ApiRequest r) {
  return WithWarning(
      "PromQL warning: sort is ineffective for range queries since results are always ordered by labels (1:1)",
      std::move(r));
}

ApiRequest WithError3x(std::string message, ApiRequest r) {
  r.allowance = Allowance::kError3x;
  r.error_3x = std::move(message);
  return r;
}

// The three processes and the blocks they serve, shared by every test of the suite.
struct CompatServers {
  objstore::testing::TempDir root;
  std::unique_ptr<mt::PrometheusProcess> prometheus;
  std::unique_ptr<mt::MeridianProcess> store;
  std::unique_ptr<mt::MeridianProcess> query;
  std::string error;  // why setting up failed; every test reports it
};

std::string StartServers(CompatServers* s) {
  const std::string blocks = s->root.path() + "/blocks";
  const std::string prom_data = s->root.path() + "/prometheus-data";
  const std::string bucket = s->root.path() + "/bucket";
  fs::create_directories(blocks);
  if (Status st = mt::CreateBlocksFromOpenMetrics(CompatOpenMetrics(), blocks, s->root.path()); !st.ok()) {
    return "promtool: " + st.message();
  }
  // Each server gets its own copy: Prometheus owns its data directory (lock file, WAL).
  fs::copy(blocks, prom_data, fs::copy_options::recursive);
  fs::copy(blocks, bucket, fs::copy_options::recursive);

  mt::PrometheusConfig pc;
  pc.data_dir = prom_data;
  pc.work_dir = s->root.path();
  auto prom = mt::PrometheusProcess::Start(pc);
  if (!prom.ok()) return "prometheus: " + prom.status().message();
  s->prometheus = std::move(*prom);

  // Plain promtool blocks: meta.json without a "thanos" section, so no external labels.
  auto store = mt::MeridianProcess::Start(
      "store",
      {"--objstore.config=type: FILESYSTEM\nconfig:\n  directory: " + bucket, "--data-dir=" + s->root.path() + "/store"},
      s->root.path());
  if (!store.ok()) return "meridian store: " + store.status().message();
  s->store = std::move(*store);
  auto query = mt::MeridianProcess::Start(
      "query", {"--endpoint=" + s->store->grpc_address(), "--data-dir=" + s->root.path() + "/query"}, s->root.path());
  if (!query.ok()) return "meridian query: " + query.status().message();
  s->query = std::move(*query);

  // The querier learns the store's time range from Info and the store loads its blocks in its
  // first sync: wait until both servers know every metric name.
  const std::string names = "/api/v1/label/__name__/values";
  auto want = mt::HttpGet(s->prometheus->url() + names);
  if (!want.ok()) return "prometheus: " + want.status().message();
  std::string got;
  for (int i = 0; i < 300; ++i) {
    auto r = mt::HttpGet(s->query->http_url() + names);
    if (r.ok() && *r == *want) return "";
    if (r.ok()) got = *r;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return "meridian never listed the metric names: " + got + " vs " + *want + "\nstore log:\n" + s->store->Log() +
         "\nquery log:\n" + s->query->Log();
}

std::string Clip(const std::string& s) { return s.size() <= 3000 ? s : s.substr(0, 3000) + "..."; }

class PrometheusCompatTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    servers_ = new CompatServers();
    servers_->error = StartServers(servers_);
  }
  static void TearDownTestSuite() {
    delete servers_;
    servers_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(servers_->error.empty()) << servers_->error; }

  // Sends `r` to both servers and expects the same status code and the same parsed JSON.
  static void ExpectSameAnswer(const ApiRequest& r) {
    SCOPED_TRACE(r.Describe());
    auto send = [&r](const std::string& base) {
      return r.post ? mt::HttpRequest(base + r.path, r.Form(), true) : mt::HttpRequest(base + r.path + "?" + r.Form());
    };
    auto want = send(servers_->prometheus->url());
    auto got = send(servers_->query->http_url());
    ASSERT_TRUE(want.ok()) << want.status().message();
    ASSERT_TRUE(got.ok()) << got.status().message();
    auto want_json = ParseJsonTree(want->body);
    auto got_json = ParseJsonTree(got->body);
    ASSERT_TRUE(want_json.ok()) << "prometheus: " << want_json.status().message() << ": " << Clip(want->body);
    ASSERT_TRUE(got_json.ok()) << "meridian: " << got_json.status().message() << ": " << Clip(got->body);

    CheckExpectation(r.expect, *want_json, want->body);
    EXPECT_EQ(want->code, got->code) << "prometheus: " << Clip(want->body) << "\nmeridian: " << Clip(got->body);
    JsonTree& got_tree = *got_json;
    switch (r.allowance) {
      case Allowance::kNone:
      case Allowance::kKahanSummation: break;
      case Allowance::kUnordered:
        SortResult(&*want_json);
        SortResult(&got_tree);
        break;
      case Allowance::kError3x: {
        JsonTree* want_error = Member(*want_json, "error");
        JsonTree* got_error = Member(got_tree, "error");
        ASSERT_NE(want_error, nullptr) << want->body;
        ASSERT_NE(got_error, nullptr) << got->body;
        if (r.allowance == Allowance::kError3x) {
          EXPECT_EQ(got_error->text, r.error_3x);
        }
        got_error->text = want_error->text;
        break;
      }
      case Allowance::kExtraWarning: {
        auto& m = got_tree.members;
        auto it = std::find_if(m.begin(), m.end(), [](const auto& kv) { return kv.first == "warnings"; });
        ASSERT_NE(it, m.end()) << got->body;
        ASSERT_EQ(it->second.items.size(), 1u) << got->body;
        EXPECT_EQ(it->second.items[0].text, r.extra_warning);
        m.erase(it);
        break;
      }
    }
    const double tolerance = r.allowance == Allowance::kKahanSummation ? 1e-12 : 0;
    const std::string diff = FirstDifference(*want_json, got_tree, tolerance);
    EXPECT_TRUE(diff.empty()) << diff << "\nprometheus: " << Clip(want->body) << "\nmeridian:   " << Clip(got->body);
  }

  static CompatServers* servers_;

 private:
  static const JsonTree* Member(const JsonTree& t, const std::string& key) {
    for (const auto& [k, v] : t.members) {
      if (k == key) return &v;
    }
    return nullptr;
  }
  static JsonTree* Member(JsonTree& t, const std::string& key) {
    return const_cast<JsonTree*>(Member(static_cast<const JsonTree&>(t), key));
  }

  // Orders data.result by each series' labels, as written.
  static void SortResult(JsonTree* answer) {
    JsonTree* data = Member(*answer, "data");
    JsonTree* result = data == nullptr ? nullptr : Member(*data, "result");
    if (result == nullptr) return;
    auto key = [](const JsonTree& series) {
      std::string k;
      if (const JsonTree* m = Member(series, "metric")) {
        for (const auto& [name, value] : m->members) k += name + '\0' + value.text + '\0';
      }
      return k;
    };
    std::stable_sort(result->items.begin(), result->items.end(),
                     [&](const JsonTree& a, const JsonTree& b) { return key(a) < key(b); });
  }

  // The request means what its author thought: Prometheus itself answers with data, with an
  // empty result, or with an error.
  static void CheckExpectation(Expect e, const JsonTree& answer, const std::string& body) {
    const JsonTree* status = Member(answer, "status");
    ASSERT_NE(status, nullptr) << body;
    if (e == Expect::kError) {
      EXPECT_EQ(status->text, "error") << body;
      return;
    }
    ASSERT_EQ(status->text, "success") << body;
    const JsonTree* data = Member(answer, "data");
    ASSERT_NE(data, nullptr) << body;
    const JsonTree* list = data;
    if (data->kind == JsonTree::Kind::kObject) list = Member(*data, "result");
    ASSERT_NE(list, nullptr) << body;
    if (list->kind != JsonTree::Kind::kArray) return;  // a scalar or a string: always data
    if (e == Expect::kEmpty) {
      EXPECT_TRUE(list->items.empty()) << body;
    } else {
      EXPECT_FALSE(list->items.empty()) << body;
    }
  }
};

CompatServers* PrometheusCompatTest::servers_ = nullptr;

TEST_F(PrometheusCompatTest, InstantQueries) {
  const std::vector<ApiRequest> requests = {
      Instant("http_requests_total"),
      Instant("http_requests_total{job=\"web\"}", kInGapMs),
      Instant("http_requests_total{handler=~\"/ü.*\"}"),
      Instant("{__name__=~\"node_.+\", sensor=~\".*[☃°].*\"}"),
      Instant("node_temperature_celsius{sensor=\"quote\\\"and\\\\back\"}"),
      Instant("node_temperature_celsius{sensor=\"new\\nline\"}"),
      Instant("rate(http_requests_total[5m])"),
      Instant("irate(http_requests_total{code=\"500\"}[1m])"),
      Instant("increase(http_requests_total[1h])"),
      Instant("resets(http_requests_total[2h])"),
      Instant("sum by (job) (rate(http_requests_total[5m]))"),
      Instant("sum without (instance) (http_requests_total)"),
      Instant("sum(http_requests_total)"),
      Instant("avg by (zone) (node_temperature_celsius)"),
      Instant("max by (code, job) (http_requests_total)"),
      Instant("count by (le) (request_duration_seconds_bucket)"),
      Instant("topk(3, http_requests_total)"),
      Instant("bottomk(2, node_temperature_celsius)"),
      Instant("topk by (job) (1, http_requests_total)"),
      Instant("sort_desc(http_requests_total)"),
      Instant("sort(node_temperature_celsius)"),
      Instant("quantile(0.5, node_temperature_celsius)"),
      Instant("scalar(sum(node_temperature_celsius))"),
      Instant("scalar(node_temperature_celsius)"),
      Instant("42"),
      Instant("1+1"),
      Instant("-1.5e-7"),
      Instant("1/0"),
      Instant("\"a string\""),
      // Scalars and strings write their time as a plain float ("….05"), samples with three
      // decimals ("….050").
      Instant("-1.5e-7", kEvalMs + 50),
      Instant("1e21", kEvalMs + 500),
      Instant("\"at a fraction\"", kEvalMs + 5),
      Instant("vector(-1.5e-7)", kEvalMs + 50),
      Instant("time()"),
      Instant("vector(time())"),
      Instant("http_requests_total{code=\"500\"} / ignoring(code) http_requests_total{code=\"200\"}"),
      Instant("http_requests_total * on(job, instance, handler) group_left() sum by (job, instance, handler) "
              "(http_requests_total)"),
      Instant("node_temperature_celsius > 40"),
      Instant("node_temperature_celsius > bool 40"),
      Instant("2 * node_temperature_celsius - 1"),
      Instant("http_requests_total{job=\"api\"} and on(instance) http_requests_total{code=\"500\", job=\"web\"}"),
      Instant("http_requests_total{job=\"api\"} or node_temperature_celsius"),
      Instant("http_requests_total unless on(code) http_requests_total{code=\"200\"}"),
      Allowing(Allowance::kUnordered,
               Instant("histogram_quantile(0.9, sum by (le, job) (rate(request_duration_seconds_bucket[10m])))")),
      Instant("histogram_quantile(0.5, rate(request_duration_seconds_bucket{job=\"api\"}[5m]))"),
      Instant("absent(nonexistent_metric{job=\"x\"})"),
      Instant("absent(http_requests_total)", kEvalMs, Expect::kEmpty),
      Instant("absent_over_time(http_requests_total{job=\"web\",instance=\"host-2:9090\",code=\"200\"}[5m])",
              kInGapMs),
      Instant("count_values(\"value\", floor(node_temperature_celsius / 10))"),
      Instant("label_replace(http_requests_total, \"host\", \"$1\", \"instance\", \"(.*):.*\")"),
      Instant("label_join(node_temperature_celsius, \"both\", \"/\", \"sensor\", \"zone\")"),
      Instant("nonexistent_metric", kEvalMs, Expect::kEmpty),
      BeyondStores(Instant("http_requests_total", kCompatEndMs + kHour, Expect::kEmpty)),
      Instant("http_requests_total{job=\"api\",code=\"500\"}[1m]"),
      Allowing(Allowance::kKahanSummation, Instant("avg_over_time(node_temperature_celsius[10m])")),
      Allowing(Allowance::kKahanSummation, Instant("sum_over_time(http_requests_total[10m])")),
      Instant("max_over_time(node_temperature_celsius[30m])"),
      Instant("count_over_time(http_requests_total[5m])"),
      Instant("http_requests_total offset 1h"),
      Instant("http_requests_total @ " + Ts(kCompatStartMs + 90 * kMinute)),
      Instant("timestamp(node_temperature_celsius)"),
      // 5m30s: the subquery's 1m grid never meets the window's start, where 2.42's left-closed
      // and 3.x's left-open windows would differ by one point.
      Instant("rate(http_requests_total[5m30s:1m])"),
      Instant("http_requests_total", kEvalMs + 500),
      Instant("node_temperature_celsius", kCompatStartMs + 1234567),
      Allowing(Allowance::kKahanSummation, Posted(Instant("sum by (code) (rate(http_requests_total[5m]))"))),
  };
  for (const auto& r : requests) ExpectSameAnswer(r);
}

TEST_F(PrometheusCompatTest, RangeQueries) {
  const int64_t s = kCompatStartMs;
  const std::vector<ApiRequest> requests = {
      RangeMs("http_requests_total{job=\"api\"}", s + kHour, s + kHour + 30 * kMinute, "60"),
      RangeMs("rate(http_requests_total[5m])", kCompatGapStartMs - 20 * kMinute, kCompatGapEndMs + 20 * kMinute,
              "30s"),
      Allowing(Allowance::kKahanSummation, RangeMs("sum by (job) (rate(http_requests_total[5m]))",
                                                   s + 3 * kHour + 500, s + 4 * kHour + 12345, "45")),
      RangeMs("node_temperature_celsius", s, kCompatEndMs, "7m"),
      RangeMs("topk(2, node_temperature_celsius)", s + kHour, s + 3 * kHour, "5m"),
      SortInRange(RangeMs("sort_desc(http_requests_total{code=\"200\"})", s + kHour, s + 2 * kHour, "10m")),
      RangeMs("time()", s + kHour, s + kHour + 10 * kMinute, "1m"),
      RangeMs("1", s + kHour, s + kHour + 5 * kMinute, "100"),
      RangeMs("histogram_quantile(0.99, sum by (le) (rate(request_duration_seconds_bucket[5m])))", s + kHour,
              s + 2 * kHour, "15.5"),
      RangeMs("count_values(\"v\", floor(node_temperature_celsius / 5))", s + kHour, s + 2 * kHour, "10m"),
      RangeMs("absent(http_requests_total{job=\"web\",instance=\"host-2:9090\",code=\"200\"})",
              kCompatGapStartMs - 10 * kMinute, kCompatGapEndMs + 10 * kMinute, "1m"),
      RangeMs("nonexistent_metric", s, kCompatEndMs, "1h", Expect::kEmpty),
      BeyondStores(RangeMs("http_requests_total", kCompatEndMs + kHour,
                                                    kCompatEndMs + 2 * kHour, "5m", Expect::kEmpty)),
      RangeMs("label_replace(node_temperature_celsius, \"s\", \"x$1\", \"sensor\", \"(.)\")", s + kHour,
              s + kHour + kMinute, "20s"),
      Range("http_requests_total{code=\"500\",job=\"web\"}", "2023-11-15T00:00:00Z", "2023-11-15T00:20:00.5Z",
            "2m"),
      Posted(RangeMs("avg(node_temperature_celsius)", s + kHour, s + 2 * kHour, "600")),
  };
  for (const auto& r : requests) ExpectSameAnswer(r);
}

TEST_F(PrometheusCompatTest, Series) {
  auto series = [](std::vector<std::string> matches, std::string start = "", std::string end = "",
                   Expect e = Expect::kData) {
    ApiRequest r{"/api/v1/series", {}, e};
    for (auto& m : matches) r.params.emplace_back("match[]", std::move(m));
    if (!start.empty()) r.params.emplace_back("start", std::move(start));
    if (!end.empty()) r.params.emplace_back("end", std::move(end));
    return r;
  };
  const std::string in_gap_from = Ts(kCompatGapStartMs + kMinute);
  const std::string in_gap_to = Ts(kCompatGapStartMs + 5 * kMinute);
  const std::vector<ApiRequest> requests = {
      series({"http_requests_total"}),
      series({"node_temperature_celsius"}, Ts(kCompatStartMs), Ts(kCompatEndMs)),
      series({"http_requests_total{job=\"web\"}"}, in_gap_from, in_gap_to),
      series({"request_duration_seconds_count", "node_temperature_celsius{sensor=~\".*ü.*\"}"}),
      series({"http_requests_total{job=\"api\"}", "http_requests_total{code=\"200\"}"}),
      series({"{__name__=~\"request_duration.*\", job=\"web\"}"}, Ts(kCompatStartMs + kHour),
             Ts(kCompatStartMs + 2 * kHour)),
      BeyondStores(series({"http_requests_total"}, Ts(kCompatEndMs + kHour),
                                                   Ts(kCompatEndMs + 2 * kHour), Expect::kEmpty)),
      series({"nonexistent_metric"}, "", "", Expect::kEmpty),
      Posted(series({"node_temperature_celsius{sensor=\"cpu\"}"})),
  };
  for (const auto& r : requests) ExpectSameAnswer(r);
}

TEST_F(PrometheusCompatTest, LabelNamesAndValues) {
  auto labels = [](std::string path, std::vector<std::string> matches, std::string start = "",
                   std::string end = "", Expect e = Expect::kData) {
    ApiRequest r{std::move(path), {}, e};
    for (auto& m : matches) r.params.emplace_back("match[]", std::move(m));
    if (!start.empty()) r.params.emplace_back("start", std::move(start));
    if (!end.empty()) r.params.emplace_back("end", std::move(end));
    return r;
  };
  const std::string after = Ts(kCompatEndMs + kHour);
  const std::string after_end = Ts(kCompatEndMs + 2 * kHour);
  const std::vector<ApiRequest> requests = {
      labels("/api/v1/labels", {}),
      labels("/api/v1/labels", {"node_temperature_celsius"}),
      labels("/api/v1/labels", {"request_duration_seconds_sum", "http_requests_total{code=\"500\"}"}),
      labels("/api/v1/labels", {}, Ts(kCompatStartMs), Ts(kCompatStartMs + kHour)),
      labels("/api/v1/labels", {"nonexistent_metric"}, "", "", Expect::kEmpty),
      labels("/api/v1/labels", {}, after, after_end, Expect::kEmpty),
      labels("/api/v1/label/__name__/values", {}),
      labels("/api/v1/label/sensor/values", {}),
      labels("/api/v1/label/handler/values", {}),
      labels("/api/v1/label/le/values", {}),
      labels("/api/v1/label/job/values", {"http_requests_total{code=\"500\"}"}),
      labels("/api/v1/label/instance/values", {"http_requests_total{job=\"web\",code=\"200\"}"},
             Ts(kCompatGapStartMs + kMinute), Ts(kCompatGapStartMs + 5 * kMinute)),
      labels("/api/v1/label/job/values", {"node_temperature_celsius", "request_duration_seconds_count"}),
      labels("/api/v1/label/nonexistent/values", {}, "", "", Expect::kEmpty),
      labels("/api/v1/label/job/values", {}, after, after_end, Expect::kEmpty),
      Posted(labels("/api/v1/labels", {"http_requests_total"})),
  };
  for (const auto& r : requests) ExpectSameAnswer(r);
}

TEST_F(PrometheusCompatTest, Errors) {
  const int64_t s = kCompatStartMs;
  const Expect err = Expect::kError;
  const std::string dup_right =
      "found duplicate series for the match group {job=\"api\"} on the right hand-side of the operation: "
      "[{__name__=\"http_requests_total\", code=\"200\", handler=\"/api/v1/query\", instance=\"host-1:9090\", "
      "job=\"api\"}, {__name__=\"http_requests_total\", code=\"200\", handler=\"/api/v1/query\", "
      "instance=\"host-2:9090\", job=\"api\"}];many-to-many matching not allowed: matching labels must be unique "
      "on one side";
  const std::string dup_group_left =
      "found duplicate series for the match group {handler=\"/api/v1/query\", instance=\"host-1:9090\", "
      "job=\"api\"} on the right hand-side of the operation: [{__name__=\"http_requests_total\", code=\"200\", "
      "handler=\"/api/v1/query\", instance=\"host-1:9090\", job=\"api\"}, {__name__=\"http_requests_total\", "
      "code=\"500\", handler=\"/api/v1/query\", instance=\"host-1:9090\", job=\"api\"}];many-to-many matching "
      "not allowed: matching labels must be unique on one side";
  const std::vector<ApiRequest> requests = {
      Instant("nonexistent_function(http_requests_total)", kEvalMs, err),
      Instant("rate(http_requests_total)", kEvalMs, err),
      Instant("label_replace(http_requests_total, \"code\", \"x\", \"job\", \".*\")", kEvalMs, err),
      Range("1", "abc", Ts(s), "60", err),
      Range("1", Ts(s), "", "60", err),
      Range("1", Ts(s), Ts(s + kHour), "0", err),
      Range("1", Ts(s), Ts(s + kHour), "-5", err),
      Range("1", Ts(s), Ts(s + kHour), "fast", err),
      Range("1", Ts(s + kHour), Ts(s), "60", err),
      Range("1", Ts(s), Ts(s + 4 * kHour), "1", err),
      {"/api/v1/series", {}, err},
      // 3.x reports every query NewRangeQuery refuses as a bad `query` parameter; 2.42 did so
      // only for instant queries.
      WithError3x("invalid parameter \"query\": 1:1: parse error: unknown function with name \"nope\"",
                  RangeMs("nope(1)", s, s + kHour, "60", err)),
      WithError3x("invalid parameter \"query\": invalid expression type \"range vector\" for range query, must be "
                  "Scalar or instant Vector",
                  RangeMs("http_requests_total[5m]", s, s + kHour, "60", err)),
      WithError3x("invalid parameter \"query\": invalid expression type \"string\" for range query, must be Scalar "
                  "or instant Vector",
                  RangeMs("\"text\"", s, s + kHour, "60", err)),
      // 3.x names the two duplicate series in label order (upstream operators.test); 2.42 named
      // the one it met second first.
      WithError3x(dup_right, Instant("http_requests_total + on(job) http_requests_total", kEvalMs, err)),
      WithError3x(dup_group_left,
                  Instant("http_requests_total * on(job, instance, handler) group_left() http_requests_total",
                          kEvalMs, err)),
      // 3.x spells "invalid time value" in lower case.
      WithError3x("invalid parameter \"time\": invalid time value for 'time': cannot parse \"yesterday\" to a valid "
                  "timestamp",
                  {"/api/v1/query", {{"query", "1"}, {"time", "yesterday"}}, err}),
      WithError3x("invalid parameter \"start\": invalid time value for 'start': cannot parse \"soon\" to a valid "
                  "timestamp",
                  {"/api/v1/series", {{"match[]", "up"}, {"start", "soon"}}, err}),
      WithError3x("invalid parameter \"end\": invalid time value for 'end': cannot parse \"later\" to a valid "
                  "timestamp",
                  {"/api/v1/labels", {{"end", "later"}}, err}),
      WithError3x("invalid parameter \"end\": invalid time value for 'end': cannot parse \"x\" to a valid timestamp",
                  {"/api/v1/label/job/values", {{"start", "1"}, {"end", "x"}}, err}),
      // Parse errors: the parser's messages and positions are Prometheus's own.
      Instant("sum(rate(http_requests_total[5m])", kEvalMs, err),
      Instant("http_requests_total{job=", kEvalMs, err),
      // 3.x reports an empty query without a position; 2.42 says 1:1.
      WithError3x("invalid parameter \"query\": unknown position: parse error: no expression found in input",
                  Instant("", kEvalMs, err)),
      Instant("http_requests_total + on(instance) group_left group_right http_requests_total", kEvalMs, err),
      ApiRequest{"/api/v1/series", {{"match[]", "http_requests_total{"}}, err},
      ApiRequest{"/api/v1/series", {{"match[]", "{job=~\".*\"}"}}, err},
      ApiRequest{"/api/v1/labels", {{"match[]", "{code=\"200\""}}, err},
      ApiRequest{"/api/v1/label/job/values", {{"match[]", "{job!=\"\"} ["}}, err},
  };
  for (const auto& r : requests) ExpectSameAnswer(r);
}

}  // namespace
}  // namespace meridian::web::testing
