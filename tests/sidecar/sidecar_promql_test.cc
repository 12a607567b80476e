// Whole PromQL answers through the querier path (engine over QuerierQueryable over the
// proxy over the sidecar, via gRPC) against Debian's Prometheus 2.42 answering the same
// queries itself. Sample timestamps are jittered off the step grid, so 2.42's left-closed
// windows select the same samples as 3.x's left-open ones.

#include <curl/curl.h>
#include <rapidjson/document.h>

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <sstream>
#include <thread>

#include "promql/engine/engine.h"
#include "promql/parser/parse.h"
#include "query/proxy_store.h"
#include "query/querier_queryable.h"
#include "storeapi/convert.h"
#include "storeapi/remote_store.h"
#include "storeapi/sidecar/sidecar.h"
#include "tests/objstore/temp_dir.h"
#include "tests/support/prometheus_process.h"
#include "tests/support/http_client.h"

namespace meridian::storeapi::sidecar {
namespace {

namespace fs = std::filesystem;
constexpr int64_t kHour = 3600 * 1000;

using Points = std::vector<std::pair<int64_t, double>>;
using Answer = std::map<Labels, Points>;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string OpenMetrics(int64_t start, int64_t end) {
  std::ostringstream out;
  out.precision(17);
  out << "# TYPE http_requests_total gauge\n";
  int k = 0;
  for (const char* inst : {"i1", "i2", "i3"}) {
    for (const char* code : {"200", "500"}) {
      int i = 0;
      double counter = 0;
      for (int64_t t = start; t <= end; t += 15000, ++i) {
        int64_t ts = t + (i * 37 + k * 11) % 900 + 1;
        // 200s count up with a reset every 500 samples; 500s wander around.
        counter = (i % 500 == 0) ? k : counter + (i % 7) + 0.25 * k;
        double v = std::string(code) == "200" ? counter : std::sin(i / 9.0) * 50 + 60 + k;
        out << "http_requests_total{code=\"" << code << "\",instance=\"" << inst << "\",job=\"api\"} " << v << ' '
            << FormatApiTime(ts) << '\n';
      }
      ++k;
    }
  }
  out << "# EOF\n";
  return out.str();
}

// Prometheus's own answer to a range query, external labels not included (it adds none).
Answer PrometheusRange(const std::string& url, const std::string& q, int64_t start, int64_t end, int64_t step) {
  Answer out;
  CURL* c = curl_easy_init();
  char* e = curl_easy_escape(c, q.c_str(), 0);
  auto body = testing::HttpGet(url + "/api/v1/query_range?query=" + e + "&start=" + FormatApiTime(start) +
                               "&end=" + FormatApiTime(end) + "&step=" + FormatApiTime(step));
  curl_free(e);
  curl_easy_cleanup(c);
  EXPECT_TRUE(body.ok()) << body.status().message();
  if (!body.ok()) return out;
  rapidjson::Document d;
  d.Parse(body->c_str());
  for (const auto& s : d["data"]["result"].GetArray()) {
    std::vector<Label> ls;
    for (const auto& m : s["metric"].GetObject()) ls.push_back({m.name.GetString(), m.value.GetString()});
    Points& p = out[Labels::FromUnsorted(ls)];
    for (const auto& v : s["values"].GetArray()) {
      p.emplace_back(std::llround(v[0].GetDouble() * 1000), std::strtod(v[1].GetString(), nullptr));
    }
  }
  return out;
}

bool Close(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return std::fabs(a - b) <= 1e-9 * std::max({1.0, std::fabs(a), std::fabs(b)});
}

TEST(SidecarPromQL, QuerierAnswersEqualPrometheus) {
  objstore::testing::TempDir root;
  const int64_t end = (NowMs() / kHour) * kHour - kHour;
  const int64_t start = end - 4 * kHour;
  std::string data = root.path() + "/data";
  fs::create_directories(data);
  ASSERT_TRUE(testing::CreateBlocksFromOpenMetrics(OpenMetrics(start, end), data, root.path()).ok());
  testing::PrometheusConfig cfg;
  cfg.external_labels = {{"cluster", "eu"}, {"replica", "a"}};
  cfg.data_dir = data;
  cfg.work_dir = root.path();
  auto prom = testing::PrometheusProcess::Start(cfg);
  ASSERT_TRUE(prom.ok()) << prom.status().message();

  SidecarOptions so;
  so.prometheus_url = (*prom)->url();
  so.grpc_address = "127.0.0.1:0";
  so.http_address = "";
  so.retry_interval = std::chrono::milliseconds(200);
  auto sc = Sidecar::Start(so);
  ASSERT_TRUE(sc.ok());
  for (int i = 0; i < 200 && !(*sc)->Ready(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_TRUE((*sc)->Ready());

  query::StoreEndpoint ep;
  ep.store = std::make_shared<RemoteStore>("127.0.0.1:" + std::to_string((*sc)->grpc_port()));
  auto info = ep.store->Info(CallContext{});
  ASSERT_TRUE(info.ok());
  ep.label_sets = {LabelsFromProto(info->label_sets(0).labels())};
  ep.min_time = info->store().min_time();
  ep.max_time = info->store().max_time();
  ep.supports_without_replica_labels = true;
  auto proxy = std::make_shared<query::ProxyStore>([ep] { return std::vector<query::StoreEndpoint>{ep}; },
                                                   query::ProxyStoreOptions{});
  query::QuerierOptions qo;
  qo.replica_labels = {"replica"};
  query::QuerierQueryable querier(proxy, qo);
  promql::engine::Engine engine;

  const int64_t qstart = start + 20 * 60 * 1000;
  const int64_t qend = end - 5 * 60 * 1000;
  const int64_t step = 60 * 1000;
  for (const std::string q : {
           "http_requests_total",
           "rate(http_requests_total{code=\"200\"}[5m])",
           "sum by (instance) (increase(http_requests_total{code=\"200\"}[10m]))",
           "avg_over_time(http_requests_total{code=\"500\"}[7m])",
           "max by (code) (http_requests_total)",
           "http_requests_total{code=\"500\"} / ignoring(code) http_requests_total{code=\"200\"}",
           "count_over_time(http_requests_total[3m])",
       }) {
    SCOPED_TRACE(q);
    auto parsed = promql::ParseExpr(q);
    ASSERT_TRUE(parsed.ok()) << parsed.ErrorString();
    auto got = engine.RangeQuery(&querier, *parsed.expr, qstart, qend, step);
    ASSERT_TRUE(got.ok()) << got.status().message();
    const auto* matrix = std::get_if<promql::engine::Matrix>(&got->value);
    ASSERT_NE(matrix, nullptr);
    Answer want = PrometheusRange((*prom)->url(), q, qstart, qend, step);
    ASSERT_FALSE(want.empty());
    ASSERT_EQ(matrix->size(), want.size());
    size_t points = 0;
    for (const auto& s : *matrix) {
      // The querier's answer carries the external labels (replica removed by dedup).
      Labels l = s.labels.WithoutNames({"cluster"});
      auto it = want.find(l);
      ASSERT_NE(it, want.end()) << s.labels.ToString();
      ASSERT_EQ(s.points.size(), it->second.size()) << l.ToString();
      for (size_t i = 0; i < s.points.size(); ++i) {
        EXPECT_EQ(s.points[i].t, it->second[i].first);
        EXPECT_TRUE(Close(s.points[i].v, it->second[i].second))
            << l.ToString() << " t=" << s.points[i].t << ": " << s.points[i].v << " vs " << it->second[i].second;
      }
      points += s.points.size();
    }
    EXPECT_GT(points, 100u);
  }
}

}  // namespace
}  // namespace meridian::storeapi::sidecar
