// The sidecar against Debian's Prometheus 2.42, with data backfilled by promtool:
// - its Series stream returns exactly the raw samples Prometheus's own query API returns;
// - an HA pair behind the querier's proxy deduplicates to one series per pair;
// - Prometheus stopped: not ready, partial-response warning naming the sidecar; restarted:
//   served again without restarting the sidecar;
// - completed blocks are uploaded once with Thanos meta.json and read back equal;
// - memory while streaming 10,000 series.

#include <curl/curl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <rapidjson/document.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <thread>

#include "objstore/config.h"
#include "query/proxy_store.h"
#include "query/querier_queryable.h"
#include "storage/series_decoder.h"
#include "storeapi/convert.h"
#include "storeapi/remote_store.h"
#include "storeapi/sidecar/sidecar.h"
#include "tests/objstore/temp_dir.h"
#include "tests/support/http_client.h"
#include "tests/support/meridian_process.h"
#include "tests/support/prometheus_process.h"
#include "tsdb/block_meta.h"
#include "tsdb/block_reader.h"

extern char** environ;

namespace meridian::storeapi::sidecar {
namespace {

namespace fs = std::filesystem;
using objstore::testing::TempDir;
using testing::HttpGet;
using testing::PrometheusConfig;
using testing::PrometheusProcess;

constexpr int64_t kHour = 3600 * 1000;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string Seconds(int64_t ms) { return FormatApiTime(ms); }

// Samples every 15 s with a few milliseconds of jitter (as real scrapes), so no timestamp
// falls on a window edge.
struct Dataset {
  int64_t start = 0;
  int64_t end = 0;
  std::string openmetrics;
};

void AppendSeries(std::ostringstream& out, const std::string& series, int64_t start, int64_t end, int k) {
  int i = 0;
  for (int64_t t = start; t <= end; t += 15000, ++i) {
    int64_t ts = t + (i * 37 + k * 11) % 900;
    double v = (k % 2 == 0) ? i * 1.5 + k : std::sin(i / 10.0) * 100 + k;  // counters and gauges
    out << series << ' ' << v << ' ' << Seconds(ts) << '\n';
  }
}

Dataset SmallDataset() {
  Dataset d;
  d.end = (NowMs() / kHour) * kHour - kHour;
  d.start = d.end - 6 * kHour;
  std::ostringstream out;
  out.precision(17);
  out << "# HELP http_requests_total Requests.\n# TYPE http_requests_total gauge\n";
  int k = 0;
  for (const char* inst : {"i1", "i2", "i3", "i4"}) {
    for (const char* code : {"200", "500"}) {
      AppendSeries(out,
                   std::string("http_requests_total{code=\"") + code + "\",instance=\"" + inst + "\",job=\"api\"}",
                   d.start, d.end, k++);
    }
  }
  // `temperature` alone and with a label sorting before the external label names: attaching
  // the external labels reorders these two.
  out << "# TYPE temperature gauge\n";
  AppendSeries(out, "temperature", d.start, d.end, k++);
  AppendSeries(out, "temperature{area=\"north\"}", d.start, d.end, k++);
  AppendSeries(out, "temperature{room=\"r1\"}", d.start, d.end, k++);
  // A series carrying an external label name: the external value wins.
  out << "# TYPE collide gauge\n";
  AppendSeries(out, "collide{k=\"1\",replica=\"zzz\"}", d.start, d.end, k++);
  // Each series' labels extend the previous one's with names sorting before the external
  // ones: with the external labels attached the order is reversed.
  out << "# TYPE chain gauge\n";
  AppendSeries(out, "chain", d.start, d.end, k++);
  AppendSeries(out, "chain{a=\"1\"}", d.start, d.end, k++);
  AppendSeries(out, "chain{a=\"1\",b=\"1\"}", d.start, d.end, k++);
  AppendSeries(out, "chain{a=\"1\",b=\"1\",bb=\"1\"}", d.start, d.end, k++);
  out << "# EOF\n";
  d.openmetrics = out.str();
  return d;
}

struct Sampled {
  std::vector<int64_t> ts;
  std::vector<double> vs;
};
using SampleMap = std::map<Labels, Sampled>;

// Raw samples through Prometheus's own API: a range selector evaluated at `at`.
SampleMap PrometheusSamples(const std::string& url, const std::string& selector, int64_t at, const std::string& range) {
  SampleMap out;
  CURL* c = curl_easy_init();
  char* q = curl_easy_escape(c, (selector + "[" + range + "]").c_str(), 0);
  auto body = HttpGet(url + "/api/v1/query?query=" + q + "&time=" + Seconds(at));
  curl_free(q);
  curl_easy_cleanup(c);
  EXPECT_TRUE(body.ok()) << body.status().message();
  if (!body.ok()) return out;
  rapidjson::Document d;
  d.Parse(body->c_str());
  EXPECT_TRUE(d.IsObject() && d["status"] == "success") << *body;
  for (const auto& s : d["data"]["result"].GetArray()) {
    std::vector<Label> ls;
    for (const auto& m : s["metric"].GetObject()) ls.push_back({m.name.GetString(), m.value.GetString()});
    Sampled& smp = out[Labels::FromUnsorted(ls)];
    for (const auto& v : s["values"].GetArray()) {
      smp.ts.push_back(std::llround(v[0].GetDouble() * 1000));
      smp.vs.push_back(std::strtod(v[1].GetString(), nullptr));
    }
  }
  return out;
}

struct StreamResult {
  std::vector<Labels> order;
  SampleMap samples;
  std::vector<std::string> warnings;
  Status status;
  uint64_t chunk_bytes = 0;
};

thanos::SeriesRequest MakeRequest(int64_t mint, int64_t maxt, const Matchers& m) {
  thanos::SeriesRequest req;
  req.set_min_time(mint);
  req.set_max_time(maxt);
  MatchersToProto(m, req.mutable_matchers());
  return req;
}

StreamResult ReadAll(Store& store, const thanos::SeriesRequest& req, const Labels& strip, bool decode = true) {
  StreamResult r;
  auto stream = store.Series(req, CallContext{});
  thanos::SeriesResponse resp;
  std::vector<std::string> names;
  for (const auto& l : strip) names.push_back(l.name);
  while (stream->Next(&resp)) {
    if (resp.has_warning()) {
      r.warnings.push_back(resp.warning());
      continue;
    }
    std::vector<const thanos::Series*> batch;
    if (resp.has_series()) batch.push_back(&resp.series());
    for (const auto& b : resp.batch().series()) batch.push_back(&b);
    for (const thanos::Series* ser : batch) {
      Labels full = LabelsFromProto(ser->labels());
      r.order.push_back(full);
      storage::Series s;
      s.labels = full;
      for (const auto& c : ser->chunks()) {
        r.chunk_bytes += c.raw().data().size();
        if (!decode) continue;
        auto chunk = ChunkFromProto(c);
        EXPECT_TRUE(chunk.ok()) << chunk.status().message();
        if (chunk.ok()) s.chunks.push_back(std::move(*chunk));
      }
      if (decode) {
        Sampled& out = r.samples[full.WithoutNames(names)];
        EXPECT_TRUE(storage::DecodeSeries(s, req.min_time(), req.max_time(), &out.ts, &out.vs).ok());
      }
    }
  }
  r.status = stream->status();
  return r;
}

Matchers Parse(const std::vector<std::tuple<MatchType, std::string, std::string>>& in) {
  Matchers out;
  std::string err;
  for (const auto& [t, n, v] : in) out.push_back(Matcher::Make(t, n, v, &err));
  return out;
}

template <typename F>
bool WaitFor(F f, std::chrono::milliseconds limit = std::chrono::milliseconds(20000)) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (f()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return f();
}

SidecarOptions FastOptions(const std::string& url) {
  SidecarOptions o;
  o.prometheus_url = url;
  o.grpc_address = "127.0.0.1:0";
  o.http_address = "127.0.0.1:0";
  o.refresh_interval = std::chrono::milliseconds(1000);
  o.retry_interval = std::chrono::milliseconds(200);
  o.ship_interval = std::chrono::milliseconds(300);
  return o;
}

// Blocks made once with promtool, copied into each Prometheus's data directory.
class SidecarIntegration : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = new TempDir();
    data_ = SmallDataset();
    template_dir_ = root_->path() + "/template";
    fs::create_directories(template_dir_);
    Status s = testing::CreateBlocksFromOpenMetrics(data_.openmetrics, template_dir_, root_->path());
    ASSERT_TRUE(s.ok()) << s.message();
  }
  static void TearDownTestSuite() {
    delete root_;
    root_ = nullptr;
  }

  // A Prometheus over a copy of the template blocks.
  std::unique_ptr<PrometheusProcess> StartPrometheus(const std::string& name,
                                                     std::map<std::string, std::string> ext) {
    std::string work = root_->path() + "/" + name;
    std::string data = work + "/data";
    fs::create_directories(work);
    fs::copy(template_dir_, data, fs::copy_options::recursive);
    PrometheusConfig cfg;
    cfg.external_labels = std::move(ext);
    cfg.data_dir = data;
    cfg.work_dir = work;
    auto p = PrometheusProcess::Start(cfg);
    EXPECT_TRUE(p.ok()) << p.status().message();
    return p.ok() ? std::move(*p) : nullptr;
  }

  static TempDir* root_;
  static Dataset data_;
  static std::string template_dir_;
};

TempDir* SidecarIntegration::root_ = nullptr;
Dataset SidecarIntegration::data_;
std::string SidecarIntegration::template_dir_;

TEST_F(SidecarIntegration, SeriesEqualPrometheusRawSamples) {
  auto prom = StartPrometheus("single", {{"cluster", "eu"}, {"replica", "a"}});
  ASSERT_NE(prom, nullptr);
  auto sc = Sidecar::Start(FastOptions(prom->url()));
  ASSERT_TRUE(sc.ok()) << sc.status().message();
  Sidecar& sidecar = **sc;
  ASSERT_TRUE(WaitFor([&] { return sidecar.Ready(); })) << sidecar.metadata().NotReadyReason();
  Labels ext{{"cluster", "eu"}, {"replica", "a"}};

  // Info: component, labels, open-ended max time, a min time no later than the data.
  auto info = sidecar.store()->Info(CallContext{});
  ASSERT_TRUE(info.ok()) << info.status().message();
  EXPECT_EQ(info->componenttype(), "sidecar");
  ASSERT_EQ(info->label_sets_size(), 1);
  EXPECT_EQ(LabelsFromProto(info->label_sets(0).labels()), ext);
  EXPECT_EQ(info->store().max_time(), std::numeric_limits<int64_t>::max());
  EXPECT_LE(info->store().min_time(), data_.start);
  EXPECT_TRUE(info->store().supports_without_replica_labels());
  EXPECT_EQ(*HttpGet("http://127.0.0.1:" + std::to_string(sidecar.http_port()) + "/-/ready"), "OK");

  const int64_t at = data_.end + 10 * 60 * 1000;
  const int64_t mint = at - 8 * kHour;
  struct Case {
    std::string promql;
    Matchers matchers;
  };
  std::vector<Case> cases = {
      {"{__name__=\"http_requests_total\"}", Parse({{MatchType::kEqual, "__name__", "http_requests_total"}})},
      {"http_requests_total{code=\"500\",instance=~\"i[12]\"}",
       Parse({{MatchType::kEqual, "__name__", "http_requests_total"},
              {MatchType::kEqual, "code", "500"},
              {MatchType::kRegexp, "instance", "i[12]"}})},
      {"{__name__=~\"http.*|temp.*\",instance!=\"i1\"}",
       Parse({{MatchType::kRegexp, "__name__", "http.*|temp.*"}, {MatchType::kNotEqual, "instance", "i1"}})},
      {"temperature", Parse({{MatchType::kEqual, "__name__", "temperature"}})},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.promql);
    SampleMap want = PrometheusSamples(prom->url(), c.promql, at, "8h");
    ASSERT_FALSE(want.empty());
    StreamResult got = ReadAll(*sidecar.store(), MakeRequest(mint, at, c.matchers), ext);
    ASSERT_TRUE(got.status.ok()) << got.status.message();
    EXPECT_TRUE(std::is_sorted(got.order.begin(), got.order.end()));
    for (const auto& l : got.order) {
      EXPECT_EQ(l.Get("cluster"), "eu");
      EXPECT_EQ(l.Get("replica"), "a");
    }
    ASSERT_EQ(got.samples.size(), want.size());
    size_t n = 0;
    for (const auto& [labels, s] : want) {
      auto it = got.samples.find(labels);
      ASSERT_NE(it, got.samples.end()) << labels.ToString();
      EXPECT_EQ(it->second.ts, s.ts) << labels.ToString();
      EXPECT_EQ(it->second.vs, s.vs) << labels.ToString();
      n += s.ts.size();
    }
    EXPECT_GT(n, 1000u);
  }

  // A narrower time range: chunks may reach beyond, the decoded samples may not.
  {
    auto m = Parse({{MatchType::kEqual, "__name__", "temperature"}, {MatchType::kEqual, "room", "r1"}});
    int64_t t = data_.start + 2 * kHour + 123;
    SampleMap want = PrometheusSamples(prom->url(), "temperature{room=\"r1\"}", t, "30m");
    StreamResult got = ReadAll(*sidecar.store(), MakeRequest(t - 30 * 60 * 1000, t, m), ext);
    ASSERT_EQ(got.samples.size(), 1u);
    EXPECT_EQ(got.samples.begin()->second.ts, want.begin()->second.ts);
  }

  // Attaching the external labels reverses `chain`: the reorder window restores the order;
  // a window too small for it fails the stream clearly instead of sending it unsorted.
  {
    auto m = Parse({{MatchType::kEqual, "__name__", "chain"}});
    SampleMap want = PrometheusSamples(prom->url(), "chain", at, "8h");
    StreamResult got = ReadAll(*sidecar.store(), MakeRequest(mint, at, m), ext);
    ASSERT_TRUE(got.status.ok()) << got.status.message();
    ASSERT_EQ(got.order.size(), 4u);
    EXPECT_TRUE(std::is_sorted(got.order.begin(), got.order.end()));
    EXPECT_EQ(got.order[0].Get("bb"), "1");
    EXPECT_EQ(got.order[3], (Labels{{"__name__", "chain"}, {"cluster", "eu"}, {"replica", "a"}}));
    for (const auto& [labels, s] : want) EXPECT_EQ(got.samples[labels].vs, s.vs) << labels.ToString();

    auto client = std::make_shared<PrometheusClient>(prom->url());
    auto md = std::make_shared<PrometheusMetadata>(client, MetadataOptions{});
    ASSERT_TRUE(md->Refresh().ok());
    PrometheusStoreOptions so;
    so.reorder_window = 1;
    PrometheusStore narrow(client, md, so);
    got = ReadAll(narrow, MakeRequest(mint, at, m), ext);
    EXPECT_EQ(got.status.code(), StatusCode::kInternal);
    EXPECT_NE(got.status.message().find("reorder window"), std::string::npos) << got.status.message();
  }

  // A series carrying an external label name gets the external value.
  {
    StreamResult got =
        ReadAll(*sidecar.store(), MakeRequest(mint, at, Parse({{MatchType::kEqual, "__name__", "collide"}})), {});
    ASSERT_EQ(got.order.size(), 1u);
    EXPECT_EQ(got.order[0], (Labels{{"__name__", "collide"}, {"cluster", "eu"}, {"k", "1"}, {"replica", "a"}}));
  }

  // Matchers on external labels decide up front; nothing but external matchers is refused.
  {
    auto miss = Parse({{MatchType::kEqual, "replica", "b"}, {MatchType::kEqual, "__name__", "temperature"}});
    StreamResult got = ReadAll(*sidecar.store(), MakeRequest(mint, at, miss), ext);
    EXPECT_TRUE(got.status.ok());
    EXPECT_TRUE(got.order.empty());
    auto only_ext = Parse({{MatchType::kEqual, "replica", "a"}});
    got = ReadAll(*sidecar.store(), MakeRequest(mint, at, only_ext), ext);
    EXPECT_EQ(got.status.code(), StatusCode::kBadData);
    EXPECT_NE(got.status.message().find("no matchers specified (excluding external labels)"), std::string::npos);
  }

  // skip_chunks, without_replica_labels, limit.
  {
    auto req = MakeRequest(mint, at, Parse({{MatchType::kEqual, "__name__", "temperature"}}));
    req.set_skip_chunks(true);
    StreamResult got = ReadAll(*sidecar.store(), req, ext);
    ASSERT_TRUE(got.status.ok()) << got.status.message();
    ASSERT_EQ(got.order.size(), 3u);
    EXPECT_TRUE(std::is_sorted(got.order.begin(), got.order.end()));
    EXPECT_EQ(got.chunk_bytes, 0u);

    req.set_skip_chunks(false);
    req.add_without_replica_labels("replica");
    got = ReadAll(*sidecar.store(), req, {});
    ASSERT_EQ(got.order.size(), 3u);
    EXPECT_TRUE(std::is_sorted(got.order.begin(), got.order.end()));
    for (const auto& l : got.order) EXPECT_FALSE(l.Has("replica")) << l.ToString();

    req.set_limit(2);
    got = ReadAll(*sidecar.store(), req, {});
    EXPECT_TRUE(got.status.ok());
    EXPECT_EQ(got.order.size(), 2u);

    // Batched responses carry the same series in the same order.
    auto all = MakeRequest(mint, at, Parse({{MatchType::kEqual, "__name__", "http_requests_total"}}));
    StreamResult single = ReadAll(*sidecar.store(), all, ext);
    all.set_response_batch_size(3);
    StreamResult batched = ReadAll(*sidecar.store(), all, ext);
    ASSERT_TRUE(batched.status.ok());
    EXPECT_EQ(batched.order, single.order);
    EXPECT_EQ(batched.order.size(), 8u);
  }

  // Label names and values through the HTTP API, with the external labels.
  {
    thanos::LabelNamesRequest req;
    req.set_start(mint);
    req.set_end(at);
    MatchersToProto(Parse({{MatchType::kEqual, "__name__", "temperature"}}), req.mutable_matchers());
    auto names = sidecar.store()->LabelNames(req, CallContext{});
    ASSERT_TRUE(names.ok()) << names.status().message();
    std::vector<std::string> got(names->names().begin(), names->names().end());
    EXPECT_EQ(got, (std::vector<std::string>{"__name__", "area", "cluster", "replica", "room"}));

    thanos::LabelValuesRequest vreq;
    vreq.set_label("instance");
    vreq.set_start(mint);
    vreq.set_end(at);
    auto values = sidecar.store()->LabelValues(vreq, CallContext{});
    ASSERT_TRUE(values.ok()) << values.status().message();
    std::vector<std::string> vals(values->values().begin(), values->values().end());
    EXPECT_EQ(vals, (std::vector<std::string>{"i1", "i2", "i3", "i4"}));
    vreq.set_label("replica");
    values = sidecar.store()->LabelValues(vreq, CallContext{});
    ASSERT_TRUE(values.ok());
    ASSERT_EQ(values->values_size(), 1);
    EXPECT_EQ(values->values(0), "a");
  }

  // The same through gRPC, as a querier sees it.
  {
    RemoteStore remote("127.0.0.1:" + std::to_string(sidecar.grpc_port()));
    auto m = Parse({{MatchType::kEqual, "__name__", "http_requests_total"}});
    StreamResult got = ReadAll(remote, MakeRequest(mint, at, m), ext);
    ASSERT_TRUE(got.status.ok()) << got.status.message();
    SampleMap want = PrometheusSamples(prom->url(), "http_requests_total", at, "8h");
    ASSERT_EQ(got.samples.size(), want.size());
    for (const auto& [labels, s] : want) EXPECT_EQ(got.samples[labels].vs, s.vs);
  }

  auto metrics = HttpGet("http://127.0.0.1:" + std::to_string(sidecar.http_port()) + "/metrics");
  ASSERT_TRUE(metrics.ok());
  EXPECT_NE(metrics->find("meridian_sidecar_remote_read_requests_total"), std::string::npos);
  EXPECT_NE(metrics->find("thanos_sidecar_prometheus_up 1"), std::string::npos);
}

TEST_F(SidecarIntegration, RefusesPrometheusWithoutExternalLabels) {
  auto prom = StartPrometheus("nolabels", {});
  ASSERT_NE(prom, nullptr);
  auto sc = Sidecar::Start(FastOptions(prom->url()));
  ASSERT_TRUE(sc.ok());
  ASSERT_TRUE(WaitFor([&] { return (*sc)->Fatal().has_value(); }));
  EXPECT_NE((*sc)->Fatal()->message().find("no external labels configured on Prometheus server"), std::string::npos);
  EXPECT_FALSE((*sc)->Ready());
  EXPECT_FALSE((*sc)->store()->Info(CallContext{}).ok());
}

TEST_F(SidecarIntegration, RefusesUploadsWhenPrometheusCompactsLocally) {
  std::string work = root_->path() + "/compacting";
  fs::create_directories(work + "/data");
  PrometheusConfig cfg;
  cfg.external_labels = {{"replica", "a"}};
  cfg.data_dir = work + "/data";
  cfg.work_dir = work;
  cfg.max_block_duration = "6h";
  auto prom = PrometheusProcess::Start(cfg);
  ASSERT_TRUE(prom.ok()) << prom.status().message();
  SidecarOptions o = FastOptions((*prom)->url());
  o.tsdb_path = cfg.data_dir;
  o.objstore_config = "type: FILESYSTEM\nconfig:\n  directory: " + work + "/bucket\n";
  auto sc = Sidecar::Start(o);
  ASSERT_TRUE(sc.ok()) << sc.status().message();
  ASSERT_TRUE(WaitFor([&] { return (*sc)->Fatal().has_value(); }));
  EXPECT_NE((*sc)->Fatal()->message().find("found that TSDB Max time is 6h and Min time is 2h. Compaction needs to be "
                                           "disabled (storage.tsdb.min-block-duration = storage.tsdb.max-block-duration)"),
            std::string::npos)
      << (*sc)->Fatal()->message();
  // Without uploads the flags do not matter.
  auto plain = Sidecar::Start(FastOptions((*prom)->url()));
  ASSERT_TRUE(plain.ok());
  ASSERT_TRUE(WaitFor([&] { return (*plain)->Ready(); }));
  EXPECT_FALSE((*plain)->Fatal().has_value());
}

query::StoreEndpoint EndpointOf(std::shared_ptr<Store> store) {
  query::StoreEndpoint e;
  e.store = store;
  auto info = store->Info(CallContext{});
  EXPECT_TRUE(info.ok()) << info.status().message();
  if (info.ok()) {
    for (const auto& ls : info->label_sets()) e.label_sets.push_back(LabelsFromProto(ls.labels()));
    e.min_time = info->store().min_time();
    e.max_time = info->store().max_time();
    e.supports_without_replica_labels = info->store().supports_without_replica_labels();
  }
  return e;
}

TEST_F(SidecarIntegration, HaPairDeduplicatesThroughProxy) {
  auto pa = StartPrometheus("ha-a", {{"cluster", "eu"}, {"replica", "a"}});
  auto pb = StartPrometheus("ha-b", {{"cluster", "eu"}, {"replica", "b"}});
  ASSERT_TRUE(pa && pb);
  auto sa = Sidecar::Start(FastOptions(pa->url()));
  auto sb = Sidecar::Start(FastOptions(pb->url()));
  ASSERT_TRUE(sa.ok() && sb.ok());
  ASSERT_TRUE(WaitFor([&] { return (*sa)->Ready() && (*sb)->Ready(); }));
  // Over gRPC, as a real querier reaches sidecars.
  std::vector<query::StoreEndpoint> eps = {
      EndpointOf(std::make_shared<RemoteStore>("127.0.0.1:" + std::to_string((*sa)->grpc_port()))),
      EndpointOf(std::make_shared<RemoteStore>("127.0.0.1:" + std::to_string((*sb)->grpc_port())))};
  auto proxy = std::make_shared<query::ProxyStore>([eps] { return eps; }, query::ProxyStoreOptions{});

  const int64_t at = data_.end + 10 * 60 * 1000;
  const int64_t mint = at - 8 * kHour;
  SampleMap want = PrometheusSamples(pa->url(), "http_requests_total", at, "8h");
  for (bool dedup : {true, false}) {
    SCOPED_TRACE(dedup ? "dedup" : "no dedup");
    query::QuerierOptions qo;
    qo.deduplicate = dedup;
    qo.replica_labels = {"replica"};
    query::QuerierQueryable q(proxy, qo);
    auto querier = q.NewQuerier(mint, at);
    storage::SelectHints hints;
    hints.start_ms = mint;
    hints.end_ms = at;
    auto set = querier->Select(true, hints, Parse({{MatchType::kEqual, "__name__", "http_requests_total"}}));
    std::vector<Labels> seen;
    while (set->Next()) {
      Labels l = set->At().labels;
      seen.push_back(l);
      EXPECT_EQ(l.Get("cluster"), "eu");
      if (!dedup) continue;
      EXPECT_FALSE(l.Has("replica")) << l.ToString();
      Sampled s;
      ASSERT_TRUE(set->DecodeCurrent(mint, at, &s.ts, &s.vs).ok());
      auto it = want.find(l.WithoutNames({"cluster"}));
      ASSERT_NE(it, want.end()) << l.ToString();
      EXPECT_EQ(s.ts, it->second.ts);
      EXPECT_EQ(s.vs, it->second.vs);
    }
    ASSERT_TRUE(set->status().ok()) << set->status().message();
    EXPECT_TRUE(set->Warnings().empty());
    EXPECT_EQ(seen.size(), dedup ? 8u : 16u);
    EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  }
}

TEST_F(SidecarIntegration, PrometheusStoppedAndRestarted) {
  auto prom = StartPrometheus("restart", {{"cluster", "eu"}, {"replica", "a"}});
  ASSERT_NE(prom, nullptr);
  auto sc = Sidecar::Start(FastOptions(prom->url()));
  ASSERT_TRUE(sc.ok());
  Sidecar& sidecar = **sc;
  ASSERT_TRUE(WaitFor([&] { return sidecar.Ready(); }));
  std::shared_ptr<Store> store = sidecar.store();
  query::StoreEndpoint ep = EndpointOf(store);
  // The endpoint stays listed (as a strict endpoint would): the failure shows as a warning.
  auto proxy = std::make_shared<query::ProxyStore>([ep] { return std::vector<query::StoreEndpoint>{ep}; },
                                                   query::ProxyStoreOptions{});
  const int64_t at = data_.end;
  auto matchers = Parse({{MatchType::kEqual, "__name__", "temperature"}});
  std::string ready_url = "http://127.0.0.1:" + std::to_string(sidecar.http_port()) + "/-/ready";

  prom->Stop();
  ASSERT_TRUE(WaitFor([&] { return !sidecar.Ready(); }));
  EXPECT_FALSE(HttpGet(ready_url).ok());
  auto info = store->Info(CallContext{});
  ASSERT_FALSE(info.ok());
  EXPECT_EQ(info.status().code(), StatusCode::kUnavailable);
  {
    StreamResult got = ReadAll(*proxy, MakeRequest(at - kHour, at, matchers), {});
    EXPECT_TRUE(got.status.ok()) << got.status.message();
    EXPECT_TRUE(got.order.empty());
    ASSERT_FALSE(got.warnings.empty());
    EXPECT_NE(got.warnings[0].find(store->Name()), std::string::npos) << got.warnings[0];
  }

  ASSERT_TRUE(prom->Restart().ok());
  ASSERT_TRUE(WaitFor([&] { return sidecar.Ready(); }));
  EXPECT_EQ(*HttpGet(ready_url), "OK");
  StreamResult got = ReadAll(*proxy, MakeRequest(at - kHour, at, matchers), {});
  ASSERT_TRUE(got.status.ok()) << got.status.message();
  EXPECT_TRUE(got.warnings.empty());
  EXPECT_EQ(got.order.size(), 3u);
}

std::vector<std::string> LevelOneBlocks(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (!e.is_directory() || !tsdb::Ulid::Parse(e.path().filename().string()).ok()) continue;
    auto meta = tsdb::ReadBlockMetaFile(e.path().string());
    if (meta.ok() && meta->compaction.level == 1) out.push_back(e.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Every series of a block with its samples.
std::map<Labels, Sampled> BlockContent(const std::string& dir) {
  std::map<Labels, Sampled> out;
  auto block = tsdb::BlockReader::Open(dir);
  EXPECT_TRUE(block.ok()) << block.status().message();
  if (!block.ok()) return out;
  auto q = (*block)->NewQuerier((*block)->meta().min_time, (*block)->meta().max_time);
  std::string err;
  auto set = q->Select(true, storage::SelectHints{}, {Matcher::Make(MatchType::kRegexp, "__name__", ".+", &err)});
  while (set->Next()) {
    Sampled& s = out[set->At().labels];
    EXPECT_TRUE(set->DecodeCurrent((*block)->meta().min_time, (*block)->meta().max_time, &s.ts, &s.vs).ok());
  }
  EXPECT_TRUE(set->status().ok()) << set->status().message();
  return out;
}

// Waits until every one of `blocks` has its meta.json (written last) in the bucket.
::testing::AssertionResult WaitForUploads(Sidecar& sc, objstore::Bucket& bucket, const std::vector<std::string>& blocks) {
  const bool done = WaitFor([&] {
    for (const auto& b : blocks) {
      auto exists = bucket.Exists(b + "/meta.json");
      if (!exists.ok() || !*exists) return false;
    }
    return true;
  });
  if (done) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "blocks not uploaded: " << (sc.Fatal() ? sc.Fatal()->message() : "");
}

TEST_F(SidecarIntegration, UploadsBlocksOnceAcrossRestart) {
  auto prom = StartPrometheus("upload", {{"cluster", "eu"}, {"replica", "a"}});
  ASSERT_NE(prom, nullptr);
  std::string data_dir = root_->path() + "/upload/data";
  std::string bucket_dir = root_->path() + "/upload/bucket";
  fs::create_directories(bucket_dir);
  std::vector<std::string> blocks = LevelOneBlocks(data_dir);
  ASSERT_GE(blocks.size(), 3u);

  SidecarOptions o = FastOptions(prom->url());
  o.tsdb_path = data_dir;
  o.objstore_config = "type: FILESYSTEM\nconfig:\n  directory: " + bucket_dir + "\n";
  auto bucket = objstore::NewBucketFromConfig(o.objstore_config);
  ASSERT_TRUE(bucket.ok());
  {
    auto sc = Sidecar::Start(o);
    ASSERT_TRUE(sc.ok()) << sc.status().message();
    ASSERT_TRUE(WaitForUploads(**sc, **bucket, blocks));
    // Info's min time is the oldest local block.
    auto info = (*sc)->store()->Info(CallContext{});
    ASSERT_TRUE(info.ok());
    EXPECT_EQ(info->store().min_time(), tsdb::ReadBlockMetaFile(data_dir + "/" + blocks[0])->min_time);
  }
  auto state = ReadShipperState(data_dir);
  ASSERT_TRUE(state.ok());
  std::vector<std::string> recorded = state->uploaded;
  std::sort(recorded.begin(), recorded.end());
  EXPECT_EQ(recorded, blocks);

  std::map<std::string, fs::file_time_type> mtimes;
  for (const auto& b : blocks) mtimes[b] = fs::last_write_time(bucket_dir + "/" + b + "/meta.json");
  {
    auto sc = Sidecar::Start(o);
    ASSERT_TRUE(sc.ok());
    ASSERT_TRUE(WaitFor([&] { return (*sc)->Ready(); }));
    // Several ship intervals pass; a sync run directly uploads nothing either.
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    auto r = (*sc)->shipper()->Sync();
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(r->uploaded, 0);
  }
  for (const auto& b : blocks) EXPECT_EQ(fs::last_write_time(bucket_dir + "/" + b + "/meta.json"), mtimes[b]) << b;

  for (const auto& b : blocks) {
    SCOPED_TRACE(b);
    auto meta = tsdb::ReadBlockMetaFile(bucket_dir + "/" + b);
    ASSERT_TRUE(meta.ok()) << meta.status().message();
    ASSERT_TRUE(meta->thanos.has_value());
    EXPECT_EQ(meta->thanos->labels, (Labels{{"cluster", "eu"}, {"replica", "a"}}));
    EXPECT_EQ(meta->thanos->source, "sidecar");
    EXPECT_EQ(meta->thanos->downsample_resolution, 0);
    EXPECT_FALSE(meta->thanos->files.empty());
    auto original = BlockContent(data_dir + "/" + b);
    auto copy = BlockContent(bucket_dir + "/" + b);
    EXPECT_FALSE(original.empty());
    ASSERT_EQ(copy.size(), original.size());
    for (const auto& [l, s] : original) {
      EXPECT_EQ(copy[l].ts, s.ts) << l.ToString();
      EXPECT_EQ(copy[l].vs, s.vs) << l.ToString();
    }
  }
}

// Issue 7's acceptance end to end: what the sidecar uploaded is served by the `meridian store`
// binary over that bucket with exactly Prometheus's samples, the external labels attached.
TEST_F(SidecarIntegration, StoreOverUploadedBlocksServesPrometheusSamples) {
  const Labels external{{"cluster", "eu"}, {"replica", "a"}};
  auto prom = StartPrometheus("upload-store", {{"cluster", "eu"}, {"replica", "a"}});
  ASSERT_NE(prom, nullptr);
  const std::string work = root_->path() + "/upload-store";
  const std::string data_dir = work + "/data";
  const std::string bucket_dir = work + "/bucket";
  fs::create_directories(bucket_dir);
  std::vector<std::string> blocks = LevelOneBlocks(data_dir);
  ASSERT_GE(blocks.size(), 3u);

  SidecarOptions o = FastOptions(prom->url());
  o.tsdb_path = data_dir;
  o.objstore_config = "type: FILESYSTEM\nconfig:\n  directory: " + bucket_dir + "\n";
  auto bucket = objstore::NewBucketFromConfig(o.objstore_config);
  ASSERT_TRUE(bucket.ok());
  {
    auto sc = Sidecar::Start(o);
    ASSERT_TRUE(sc.ok()) << sc.status().message();
    ASSERT_TRUE(WaitForUploads(**sc, **bucket, blocks));
  }
  int64_t mint = INT64_MAX, maxt = INT64_MIN;
  for (const auto& b : blocks) {
    auto meta = tsdb::ReadBlockMetaFile(data_dir + "/" + b);
    ASSERT_TRUE(meta.ok()) << meta.status().message();
    mint = std::min(mint, meta->min_time);
    maxt = std::max(maxt, meta->max_time - 1);  // blocks are half-open
  }

  auto store = testing::MeridianProcess::Start(
      "store", {"--objstore.config=" + o.objstore_config, "--data-dir=" + work + "/store-data"}, work);
  ASSERT_TRUE(store.ok()) << store.status().message();
  RemoteStore remote((*store)->grpc_address());
  StreamResult got = ReadAll(remote, MakeRequest(mint, maxt, Parse({{MatchType::kRegexp, "__name__", ".+"}})), {});
  ASSERT_TRUE(got.status.ok()) << got.status.message() << "\n" << (*store)->Log();
  EXPECT_TRUE(got.warnings.empty());
  EXPECT_TRUE(std::is_sorted(got.order.begin(), got.order.end())) << "StoreAPI streams series sorted by labels";
  EXPECT_EQ(std::adjacent_find(got.order.begin(), got.order.end()), got.order.end()) << "a series sent twice";

  // Prometheus 2.42 selects [at - range, at], both ends included: exactly [mint, maxt]. Its API
  // leaves the external labels off; a store attaches them, and they win over a series' own.
  SampleMap from_prometheus = PrometheusSamples(prom->url(), "{__name__=~\".+\"}", maxt, std::to_string(maxt - mint) + "ms");
  SampleMap want;
  for (auto& [labels, samples] : from_prometheus) {
    LabelsBuilder b{labels};
    for (const auto& l : external) b.Set(l.name, l.value);
    want[b.Build()] = std::move(samples);
  }
  ASSERT_EQ(want.size(), 16u);
  ASSERT_EQ(got.samples.size(), want.size()) << (*store)->Log();
  size_t compared = 0;
  for (const auto& [labels, samples] : want) {
    SCOPED_TRACE(labels.ToString());
    auto it = got.samples.find(labels);
    ASSERT_NE(it, got.samples.end());
    EXPECT_EQ(it->second.ts, samples.ts);
    EXPECT_EQ(it->second.vs, samples.vs);
    compared += samples.ts.size();
  }
  EXPECT_GT(compared, 16u * 4 * 240);  // at least 4h of 15 s samples per series
  std::cout << "store over the uploaded bucket: " << blocks.size() << " blocks, " << compared
            << " samples equal to Prometheus's\n";
  EXPECT_EQ((*store)->process().Stop(), 0) << (*store)->Log();
}

int64_t VmRssKb(const std::string& proc = "self") {
  std::ifstream in("/proc/" + proc + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6));
  }
  return -1;
}

TEST_F(SidecarIntegration, MemoryWhileStreamingTenThousandSeries) {
  // Its own Prometheus: 10,000 series of one hour at 15 s.
  std::string work = root_->path() + "/big";
  std::string data = work + "/data";
  fs::create_directories(data);
  const int64_t end = (NowMs() / kHour) * kHour - kHour;
  const int64_t start = end - kHour;
  {
    std::ostringstream out;
    out.precision(17);
    out << "# TYPE load_series gauge\n";
    for (int i = 0; i < 10000; ++i) {
      char name[96];
      std::snprintf(name, sizeof(name), "load_series{idx=\"%05d\",job=\"load\"}", i);
      AppendSeries(out, name, start, end, i);
    }
    out << "# EOF\n";
    auto t0 = std::chrono::steady_clock::now();
    ASSERT_TRUE(testing::CreateBlocksFromOpenMetrics(out.str(), data, work).ok());
    std::printf("[figure] promtool: 10000 series x %lld samples in %.1f s\n",
                static_cast<long long>(kHour / 15000 + 1),
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  PrometheusConfig cfg;
  cfg.external_labels = {{"cluster", "eu"}, {"replica", "a"}};
  cfg.data_dir = data;
  cfg.work_dir = work;
  auto prom = PrometheusProcess::Start(cfg);
  ASSERT_TRUE(prom.ok()) << prom.status().message();
  auto sc = Sidecar::Start(FastOptions((*prom)->url()));
  ASSERT_TRUE(sc.ok());
  ASSERT_TRUE(WaitFor([&] { return (*sc)->Ready(); }));

  int64_t before = VmRssKb();
  std::atomic<int64_t> peak{before};
  std::atomic<bool> done{false};
  std::thread sampler([&] {
    while (!done.load()) {
      peak.store(std::max(peak.load(), VmRssKb()));
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  });
  auto t0 = std::chrono::steady_clock::now();
  auto req = MakeRequest(start - 1000, end + 1000, Parse({{MatchType::kEqual, "__name__", "load_series"}}));
  StreamResult got = ReadAll(*(*sc)->store(), req, {}, /*decode=*/false);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  done = true;
  sampler.join();
  ASSERT_TRUE(got.status.ok()) << got.status.message();
  EXPECT_EQ(got.order.size(), 10000u);
  EXPECT_TRUE(std::is_sorted(got.order.begin(), got.order.end()));
  std::printf("[figure] streamed 10000 series, %.1f MiB of chunk data, in %.2f s; VmRSS before %lld KiB, "
              "peak %lld KiB (+%lld KiB)\n",
              got.chunk_bytes / 1048576.0, secs, static_cast<long long>(before), static_cast<long long>(peak.load()),
              static_cast<long long>(peak.load() - before));
  RecordProperty("rss_growth_kib", std::to_string(peak.load() - before));
  // Bounded: the queue and the reorder window, not the whole response.
  EXPECT_LT(peak.load() - before, 64 * 1024);

  // The same with the sidecar as its own process, read over gRPC as a querier does.
  int port = testing::FreePort();
  std::string addr = "127.0.0.1:" + std::to_string(port);
  std::vector<std::string> args = {SIDECAR_PROBE, (*prom)->url(), addr};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  ASSERT_EQ(posix_spawn(&pid, SIDECAR_PROBE, nullptr, nullptr, argv.data(), environ), 0);
  RemoteStore remote(addr);
  ASSERT_TRUE(WaitFor([&] { return remote.Info(CallContext{}).ok(); }));
  int64_t idle = VmRssKb(std::to_string(pid));
  std::atomic<int64_t> child_peak{idle};
  done = false;
  std::thread child_sampler([&] {
    while (!done.load()) {
      child_peak.store(std::max(child_peak.load(), VmRssKb(std::to_string(pid))));
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  });
  t0 = std::chrono::steady_clock::now();
  StreamResult remote_got = ReadAll(remote, req, {}, /*decode=*/false);
  secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  done = true;
  child_sampler.join();
  ::kill(pid, SIGTERM);
  ::waitpid(pid, nullptr, 0);
  ASSERT_TRUE(remote_got.status.ok()) << remote_got.status.message();
  EXPECT_EQ(remote_got.order.size(), 10000u);
  EXPECT_EQ(remote_got.chunk_bytes, got.chunk_bytes);
  std::printf("[figure] sidecar process over gRPC: 10000 series in %.2f s; VmRSS idle %lld KiB, peak %lld KiB "
              "(+%lld KiB)\n",
              secs, static_cast<long long>(idle), static_cast<long long>(child_peak.load()),
              static_cast<long long>(child_peak.load() - idle));
  RecordProperty("process_rss_peak_kib", std::to_string(child_peak.load()));
  EXPECT_LT(child_peak.load() - idle, 64 * 1024);
}

}  // namespace
}  // namespace meridian::storeapi::sidecar
