// Integration tests of the store-gateway (label "integration"):
//  - blocks made by promtool are served by the `meridian store` binary with exactly the
//    samples a real Prometheus 2.42 returns for the same selectors (read back over gRPC with
//    the project's StoreAPI client);
//  - the same data through the S3 provider against s3rver, with > 1000 entries to list
//    (paging) and blocks added and deleted while the store syncs;
//  - idle memory of a store over 24h of 10,000 series against the size of its index files.

#include <rapidjson/document.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <random>
#include <sstream>
#include <thread>

#include "objstore/config.h"
#include "objstore/filesystem/filesystem_bucket.h"
#include "storeapi/gateway/bucket_store.h"
#include "storeapi/gateway/bucket_tools.h"
#include "storeapi/gateway/demo_data.h"
#include "storeapi/remote_store.h"
#include "tests/gateway/test_util.h"
#include "tests/support/frozen.h"
#include "tests/support/http_client.h"
#include "tests/support/meridian_process.h"
#include "tests/support/process.h"
#include "tests/support/prometheus_process.h"
#include "tests/support/s3rver_process.h"

namespace meridian::storeapi::gateway {
namespace {

using namespace testing;  // NOLINT
using thanos::LabelMatcher;
namespace fs = std::filesystem;
namespace support = meridian::testing;

using SampleMap = std::map<std::string, Samples>;  // labels text -> samples

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// An OpenMetrics file of gauges and counters with jittered timestamps over `hours`, ending an
// hour before now.
struct OpenMetricsData {
  std::string text;
  int64_t min_t = 0, max_t = 0;
};
OpenMetricsData MakeOpenMetrics(int hours) {
  OpenMetricsData d;
  std::mt19937_64 rng(42);
  const int64_t end = (NowMs() / 1000 - 3600) * 1000;
  const int64_t start = end - hours * 3600 * 1000LL;
  d.min_t = INT64_MAX;
  d.max_t = INT64_MIN;
  std::ostringstream om;
  om.precision(17);
  for (std::string family : {"gw_temperature", "gw_requests"}) {
    bool counter = family == "gw_requests";
    om << "# TYPE " << family << (counter ? " counter\n" : " gauge\n");
    for (int inst = 0; inst < 4; ++inst) {
      for (std::string path : {"/a", "/b", "/c"}) {
        double v = counter ? 0 : 20.0 + inst;
        for (int64_t t = start; t < end; t += 15000) {
          int64_t ts = t + static_cast<int64_t>(rng() % 9) - 4;
          v = counter ? v + static_cast<double>(rng() % 100) : 20 + static_cast<double>(rng() % 1000) / 37.0;
          om << family << (counter ? "_total" : "") << "{instance=\"host-" << inst << "\",path=\"" << path
             << "\"} " << v << " " << ts / 1000 << "." << std::setw(3) << std::setfill('0') << ts % 1000
             << std::setfill(' ') << "\n";
          d.min_t = std::min(d.min_t, ts);
          d.max_t = std::max(d.max_t, ts);
        }
      }
    }
  }
  om << "# EOF\n";
  d.text = om.str();
  return d;
}

SampleMap ParseMatrix(const std::string& body) {
  SampleMap out;
  rapidjson::Document doc;
  doc.Parse(body.c_str());
  if (doc.HasParseError() || !doc.HasMember("data")) {
    ADD_FAILURE() << "bad response: " << body.substr(0, 300);
    return out;
  }
  for (const auto& s : doc["data"]["result"].GetArray()) {
    LabelsBuilder b{Labels()};
    for (auto it = s["metric"].MemberBegin(); it != s["metric"].MemberEnd(); ++it) {
      b.Set(it->name.GetString(), it->value.GetString());
    }
    Samples& samples = out[b.Build().ToString()];
    for (const auto& v : s["values"].GetArray()) {
      int64_t t = std::llround(v[0].GetDouble() * 1000);
      samples.push_back({t, std::strtod(v[1].GetString(), nullptr)});
    }
  }
  return out;
}

// The value of an unlabelled metric on a `meridian store`'s /metrics page; -1 if absent.
double StoreMetric(const support::MeridianProcess& store, const std::string& name) {
  auto page = support::HttpGet(store.http_url() + "/metrics", 10000);
  if (!page.ok()) return -1;
  std::istringstream lines(*page);
  for (std::string line; std::getline(lines, line);) {
    if (line.size() > name.size() && line.compare(0, name.size(), name) == 0 && line[name.size()] == ' ') {
      return std::strtod(line.c_str() + name.size() + 1, nullptr);
    }
  }
  return -1;
}

// The store's answer for `matchers` over [mint, maxt], trimmed to that range.
SampleMap FromStore(Store& store, const std::vector<LabelMatcher>& ms, int64_t mint, int64_t maxt) {
  thanos::SeriesRequest req;
  req.set_min_time(mint);
  req.set_max_time(maxt);
  for (const auto& m : ms) *req.add_matchers() = m;
  auto got = Collect(store, req);
  EXPECT_TRUE(got.status.ok()) << got.status.message();
  SampleMap out;
  for (auto& s : got.series) {
    Samples kept;
    for (auto& p : s.samples) {
      if (p.first >= mint && p.first <= maxt) kept.push_back(p);
    }
    EXPECT_EQ(out.count(s.labels.ToString()), 0u) << "series sent twice: " << s.labels.ToString();
    if (!kept.empty()) out[s.labels.ToString()] = std::move(kept);
  }
  return out;
}

// promtool-made blocks of 8h of data: served by the store as Prometheus serves them.
class PromtoolBlocks : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    data_ = MakeOpenMetrics(8);
    fs::create_directories(dir_->path() + "/blocks");
    Status made = support::CreateBlocksFromOpenMetrics(data_.text, dir_->path() + "/blocks", dir_->path());
    ASSERT_TRUE(made.ok()) << made.message();
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static std::vector<std::string> BlockDirs() {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir_->path() + "/blocks")) {
      if (e.is_directory()) out.push_back(e.path().string());
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  static TempDir* dir_;
  static OpenMetricsData data_;
};
TempDir* PromtoolBlocks::dir_ = nullptr;
OpenMetricsData PromtoolBlocks::data_;

TEST_F(PromtoolBlocks, SamplesMatchPrometheus) {
  auto blocks = BlockDirs();
  ASSERT_GE(blocks.size(), 4u);  // 8h in 2h blocks
  // The same blocks in a bucket and in a Prometheus data dir.
  const std::string bucket_dir = dir_->path() + "/bucket", prom_dir = dir_->path() + "/prom";
  fs::create_directories(bucket_dir);
  fs::create_directories(prom_dir);
  auto bucket = objstore::FilesystemBucket::Open(bucket_dir);
  ASSERT_TRUE(bucket.ok());
  for (const auto& b : blocks) {
    ASSERT_TRUE(UploadBlock(**bucket, b).ok());
    fs::copy(b, prom_dir + "/" + fs::path(b).filename().string(), fs::copy_options::recursive);
  }
  support::PrometheusConfig prom_cfg;
  prom_cfg.data_dir = prom_dir;
  prom_cfg.work_dir = dir_->path();
  auto prom = support::PrometheusProcess::Start(prom_cfg);
  ASSERT_TRUE(prom.ok()) << prom.status().message();

  // The store side is the binary users run, configured by flags alone.
  auto store = support::MeridianProcess::Start(
      "store",
      {"--objstore.config=type: FILESYSTEM\nconfig:\n  directory: " + bucket_dir,
       "--data-dir=" + dir_->path() + "/store-data"},
      dir_->path());
  ASSERT_TRUE(store.ok()) << store.status().message();
  ASSERT_EQ(StoreMetric(**store, "thanos_bucket_store_blocks_loaded"), static_cast<double>(blocks.size()))
      << (*store)->Log();
  RemoteStore remote((*store)->grpc_address());
  auto info = remote.Info(CallContext{});
  ASSERT_TRUE(info.ok()) << info.status().message();
  EXPECT_EQ(info->componenttype(), "store");
  // promtool's blocks are half-open [min, max); the last sample lies before max_time.
  EXPECT_LE(info->store().min_time(), data_.min_t);
  EXPECT_GT(info->store().max_time(), data_.max_t);

  struct Case {
    std::string promql;  // selector
    std::vector<LabelMatcher> matchers;
  };
  const std::vector<Case> cases = {
      {"gw_temperature", {LM(LabelMatcher::EQ, "__name__", "gw_temperature")}},
      {"gw_requests_total{path=~\"/a|/c\"}",
       {LM(LabelMatcher::EQ, "__name__", "gw_requests_total"), LM(LabelMatcher::RE, "path", "/a|/c")}},
      {"{__name__=~\"gw_.*\",instance!=\"host-1\",path!~\"/b\"}",
       {LM(LabelMatcher::RE, "__name__", "gw_.*"), LM(LabelMatcher::NEQ, "instance", "host-1"),
        LM(LabelMatcher::NRE, "path", "/b")}},
  };
  // Whole data set, then windows that cut blocks and chunks at arbitrary points.
  const int64_t span = data_.max_t - data_.min_t;
  const std::vector<std::pair<int64_t, int64_t>> windows = {
      {data_.max_t + 1000, span + 2000},
      {data_.min_t + span / 2 + 777, 3600 * 1000},
      {data_.min_t + 2 * 3600 * 1000 + 5, 7 * 60 * 1000 + 13 * 1000}};
  size_t compared = 0;
  for (const auto& c : cases) {
    for (auto [t, range] : windows) {
      const std::string q = c.promql + "[" + std::to_string(range) + "ms]";
      char tbuf[32];
      std::snprintf(tbuf, sizeof tbuf, "%.3f", static_cast<double>(t) / 1000);
      auto r = support::HttpGet((*prom)->url() + "/api/v1/query?query=" + support::UrlEncode(q) + "&time=" + tbuf);
      ASSERT_TRUE(r.ok()) << q << ": " << r.status().message();
      SampleMap want = ParseMatrix(*r);
      ASSERT_FALSE(want.empty()) << q;
      // Prometheus 2.42 selects [t - range, t], both ends included.
      SampleMap got = FromStore(remote, c.matchers, t - range, t);
      ASSERT_EQ(got.size(), want.size()) << q;
      for (const auto& [ls, samples] : want) {
        ASSERT_TRUE(got.count(ls)) << q << ": missing " << ls;
        ASSERT_EQ(got[ls].size(), samples.size()) << q << " " << ls;
        for (size_t i = 0; i < samples.size(); ++i) {
          ASSERT_EQ(got[ls][i].first, samples[i].first) << q << " " << ls << " #" << i;
          ASSERT_EQ(got[ls][i].second, samples[i].second) << q << " " << ls << " #" << i;
        }
        compared += samples.size();
      }
    }
  }
  std::cout << "compared " << compared << " samples with Prometheus 2.42\n";
  EXPECT_EQ((*store)->process().Stop(), 0) << (*store)->Log();
}

// s3rver with a bucket "blocks" (its files under `dir`/s3), Thanos's objstore YAML for it and
// our S3 client on it.
struct S3Bucket {
  std::unique_ptr<support::S3rverProcess> server;
  std::string yaml;
  std::shared_ptr<objstore::Bucket> bucket;
};

StatusOr<S3Bucket> StartS3Bucket(const char* bin, const std::string& dir) {
  fs::create_directories(dir + "/s3");
  auto server = support::S3rverProcess::Start(bin, dir + "/s3", {"blocks"});
  if (!server.ok()) return server.status();
  S3Bucket b;
  b.yaml = "type: s3\nconfig:\n  bucket: blocks\n  endpoint: " + (*server)->endpoint() +
           "\n  insecure: true\n  access_key: S3RVER\n  secret_key: S3RVER\n";
  auto made = objstore::NewBucketFromConfig(b.yaml);
  if (!made.ok()) return made.status();
  b.server = std::move(*server);
  b.bucket = std::move(*made);
  return b;
}

// The S3 provider against s3rver, served by the `meridian store` binary: > 1000 entries at the
// bucket root (listing pages), partial blocks ignored, blocks added and deleted while its
// background sync runs.
TEST_F(PromtoolBlocks, ServesFromS3WithPagingAndLiveChanges) {
  const char* bin = std::getenv("MERIDIAN_S3RVER");
  if (bin == nullptr || !fs::exists(bin)) GTEST_SKIP() << "MERIDIAN_S3RVER not set (ctest sets it)";
  TempDir tmp;
  auto s3 = StartS3Bucket(bin, tmp.path());
  ASSERT_TRUE(s3.ok()) << s3.status().message();
  const std::string& yaml = s3->yaml;
  std::shared_ptr<objstore::Bucket> bucket = s3->bucket;
  auto blocks = BlockDirs();
  // All but the last block now; 1000 partial uploads (an index, no meta.json) besides.
  for (size_t i = 0; i + 1 < blocks.size(); ++i) ASSERT_TRUE(UploadBlock(*bucket, blocks[i]).ok());
  std::mt19937_64 rng(7);
  for (int i = 0; i < 1000; ++i) {
    std::array<uint8_t, 10> e;
    for (auto& b : e) b = static_cast<uint8_t>(rng());
    auto ulid = tsdb::Ulid::FromParts(1600000000000ULL + i, e).ToString();
    ASSERT_TRUE(bucket->Upload(ulid + "/index", "partial").ok());
  }
  // A short sync period makes the binary's own background sync pick up the changes below.
  auto store = support::MeridianProcess::Start(
      "store", {"--objstore.config=" + yaml, "--data-dir=" + tmp.path() + "/store-data", "--sync-block-duration=100ms"},
      tmp.path());
  ASSERT_TRUE(store.ok()) << store.status().message();
  EXPECT_EQ(StoreMetric(**store, "thanos_bucket_store_blocks_loaded"), static_cast<double>(blocks.size() - 1));
  EXPECT_EQ(StoreMetric(**store, "meridian_bucket_store_blocks_failed"), 0);
  RemoteStore remote((*store)->grpc_address());

  auto count_samples = [&] {
    SampleMap m = FromStore(remote, {LM(LabelMatcher::RE, "__name__", "gw_.*")}, INT64_MIN / 2, INT64_MAX / 2);
    size_t n = 0;
    for (auto& [_, s] : m) n += s.size();
    return n;
  };
  auto wait_for_blocks = [&](size_t n) {
    for (int i = 0; i < 300; ++i) {
      if (StoreMetric(**store, "thanos_bucket_store_blocks_loaded") == static_cast<double>(n)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  };
  const size_t before = count_samples();
  ASSERT_TRUE(UploadBlock(*bucket, blocks.back()).ok());
  ASSERT_TRUE(wait_for_blocks(blocks.size())) << (*store)->Log();
  const size_t all = count_samples();
  EXPECT_GT(all, before);
  // The total is exactly what promtool was given.
  size_t expected = 0;
  for (char c : data_.text) expected += c == '\n';
  expected -= 3;  // two TYPE lines and EOF
  EXPECT_EQ(all, expected);
  // Delete the first block's objects: it disappears on the next sync.
  const std::string first = fs::path(blocks.front()).filename().string();
  std::vector<std::string> objects;
  ASSERT_TRUE(bucket->Iter(first + "/", [&](const std::string& n) {
    objects.push_back(n);
    return Status::Ok();
  }, objstore::IterOptions{.recursive = true}).ok());
  ASSERT_TRUE(bucket->Delete(first + "/meta.json").ok());
  for (const auto& o : objects) ASSERT_TRUE(bucket->Delete(o).ok());
  ASSERT_TRUE(wait_for_blocks(blocks.size() - 1)) << (*store)->Log();
  EXPECT_LT(count_samples(), all);
  EXPECT_EQ(StoreMetric(**store, "meridian_bucket_store_sync_failures_total"), 0) << (*store)->Log();
  // The first sync, one that saw the added block and one that saw the deletion.
  EXPECT_GE(StoreMetric(**store, "meridian_bucket_store_syncs_total"), 3);
  std::cout << "s3: " << StoreMetric(**store, "meridian_bucket_store_range_requests_total") << " ranged GETs, "
            << StoreMetric(**store, "meridian_bucket_store_range_bytes_total") << " bytes\n";
  EXPECT_EQ((*store)->process().Stop(), 0) << (*store)->Log();
}

// A querier reading its blocks from S3 itself (embedded store), the S3 server frozen (SIGSTOP)
// mid-service: the query ends by its timeout, never waiting for the frozen server: with a
// warning or a 503 when it needed S3, or whole when the querier already held the data; once S3
// thaws, the same query is answered in full.
TEST_F(PromtoolBlocks, FrozenS3EndsAtTheQueryTimeout) {
  const char* bin = std::getenv("MERIDIAN_S3RVER");
  if (bin == nullptr || !fs::exists(bin)) GTEST_SKIP() << "MERIDIAN_S3RVER not set (ctest sets it)";
  TempDir tmp;
  auto s3 = StartS3Bucket(bin, tmp.path());
  ASSERT_TRUE(s3.ok()) << s3.status().message();
  const std::string& yaml = s3->yaml;
  for (const auto& b : BlockDirs()) ASSERT_TRUE(UploadBlock(*s3->bucket, b).ok());
  auto querier = support::MeridianProcess::Start(
      "query", {"--objstore.config=" + yaml, "--data-dir=" + tmp.path() + "/data", "--query.timeout=3s"}, tmp.path());
  ASSERT_TRUE(querier.ok()) << querier.status().message();
  char tbuf[32];
  std::snprintf(tbuf, sizeof tbuf, "%.3f", static_cast<double>(data_.max_t) / 1000);
  const std::string url = (*querier)->http_url() + "/api/v1/query?query=" + support::UrlEncode("count({__name__=~\"gw_.*\"})") +
                          "&time=" + tbuf;
  std::string frozen_answer;
  {
    meridian::testing::Frozen frozen(s3->server->process());
    const auto start = std::chrono::steady_clock::now();
    auto r = support::HttpRequest(url, "", false, 30000);
    const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_TRUE(r->code == 200 || r->code == 503) << r->code << " " << r->body;
    EXPECT_LT(took, 3 + 1.0) << r->body;
    std::cout << "S3 frozen, --query.timeout=3s: HTTP " << r->code << " after " << took << " s: " << r->body.substr(0, 300)
              << "\n";
    if (r->code == 200 && r->body.find("warnings") == std::string::npos) frozen_answer = r->body;
  }
  std::string full;
  for (int i = 0; i < 100 && full.empty(); ++i) {
    auto r = support::HttpRequest(url, "", false, 30000);
    if (r.ok() && r->code == 200 && r->body.find("warnings") == std::string::npos) full = r->body;
    if (full.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_FALSE(full.empty()) << (*querier)->Log();
  // An answer without a warning while S3 was frozen came from what the querier already held
  // (a busy machine gives its caches time to fill before the query): it must be the whole one.
  if (!frozen_answer.empty()) {
    EXPECT_EQ(frozen_answer, full);
  }
}

// 24h of 10,000 series in 2h blocks: the store's resident memory after sync and a query stays
// well below the size of the index files it serves.
TEST(GatewayMemory, IdleMemoryBelowIndexSize) {
  TempDir tmp;
  fs::create_directories(tmp.path() + "/bucket");
  fs::create_directories(tmp.path() + "/work");
  auto opened = objstore::FilesystemBucket::Open(tmp.path() + "/bucket");
  ASSERT_TRUE(opened.ok());
  std::shared_ptr<objstore::Bucket> bucket(std::move(*opened));
  const int64_t hour = 3600 * 1000;
  const int kSeries = 10000;
  for (int blk = 0; blk < 12; ++blk) {
    std::vector<SeriesSpec> series(kSeries);
    for (int k = 0; k < kSeries; ++k) {
      series[k].labels = Labels{{"__name__", "mem_metric_" + std::to_string(k % 20)},
                                {"instance", "host-" + std::to_string(k / 20) + ":9100"},
                                {"job", "node"},
                                {"pod", "pod-" + std::to_string(k)}};
      for (int64_t t = blk * 2 * hour; t < (blk + 1) * 2 * hour; t += 60000) {
        series[k].ts.push_back(t + k % 1000);
        series[k].vs.push_back(static_cast<double>(k + t / 60000));
      }
    }
    WriteAndUpload(*bucket, tmp.path() + "/work", Labels{{"replica", "a"}}, series, blk * 2 * hour,
                   (blk + 1) * 2 * hour);
  }
  fs::remove_all(tmp.path() + "/work");
  const uint64_t rss_before = support::SelfRssBytes();
  BucketStoreOptions opts;
  opts.data_dir = tmp.path() + "/store-data";
  auto store = *BucketStore::New(bucket, opts);
  ASSERT_TRUE(store->Sync().ok());
  ASSERT_EQ(store->Blocks().size(), 12u);
  // One small query, as a store sees between dashboards.
  auto got = FromStore(*store, {LM(LabelMatcher::EQ, "pod", "pod-77")}, 0, 24 * hour);
  EXPECT_EQ(got.size(), 1u);
  const uint64_t rss_after = support::SelfRssBytes();
  const uint64_t index_bytes = store->stats().index_bytes_served;
  const uint64_t grew = rss_after > rss_before ? rss_after - rss_before : 0;
  std::cout << "index files: " << index_bytes << " bytes; VmRSS " << rss_after << " bytes (grew by " << grew
            << " for the store)\n";
  EXPECT_LT(grew, index_bytes / 2);
}

// The default gen-demo data set (24h, 3 clusters, 2 replicas, 15 s) stays within the size and
// time budget of the README's run script, and every block verifies.
// `meridian store` run as an unprivileged user over a data dir it cannot write: a clear start-up
// error and exit status 1, not an uncaught std::filesystem exception (abort, status 134).
TEST(GatewayFaults, UnwritableDataDirIsACleanStartupError) {
  if (access("/usr/bin/setpriv", X_OK) != 0 || geteuid() != 0) GTEST_SKIP() << "needs root and setpriv to drop privileges";
  TempDir tmp;
  fs::permissions(tmp.path(), fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec |
                                  fs::perms::group_read | fs::perms::others_read);
  fs::create_directories(tmp.path() + "/bucket");
  fs::create_directories(tmp.path() + "/work");
  {
    auto bucket = objstore::FilesystemBucket::Open(tmp.path() + "/bucket");
    ASSERT_TRUE(bucket.ok());
    SeriesSpec s{Labels{{"__name__", "m"}}, {0, 15000}, {1, 2}};
    WriteAndUpload(**bucket, tmp.path() + "/work", Labels{{"replica", "a"}}, {s}, 0, 7200000);
  }
  fs::permissions(tmp.path() + "/bucket", fs::perms::owner_all | fs::perms::others_read | fs::perms::others_exec,
                  fs::perm_options::add);
  for (const auto& e : fs::recursive_directory_iterator(tmp.path() + "/bucket")) {
    fs::permissions(e.path(), fs::perms::others_read | fs::perms::others_exec, fs::perm_options::add);
  }
  fs::create_directories(tmp.path() + "/data");
  fs::permissions(tmp.path() + "/data", fs::perms::none);
  const std::string log = tmp.path() + "/store.log";
  // The binary must be reachable for the unprivileged user; the build tree under /work is.
  auto p = support::ChildProcess::Spawn(
      {"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", support::MeridianBinary(), "store",
       "--objstore.config=type: FILESYSTEM\nconfig:\n  directory: " + tmp.path() + "/bucket\n",
       "--data-dir=" + tmp.path() + "/data", "--http-address=127.0.0.1:0", "--grpc-address=127.0.0.1:0"},
      log);
  ASSERT_TRUE(p.ok());
  // Before the fix the store started, then died on the first block (EACCES thrown by
  // std::filesystem); a store that keeps running is a failure too.
  for (int i = 0; i < 150 && (*p)->Running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  if ((*p)->Running()) (*p)->Kill();
  EXPECT_EQ((*p)->Wait(), 1);
  const std::string out = support::ReadFile(log);
  EXPECT_NE(out.find("not writable"), std::string::npos) << out;
  EXPECT_EQ(out.find("terminate called"), std::string::npos) << out;
  fs::permissions(tmp.path() + "/data", fs::perms::owner_all);
}

TEST(GenDemo, DefaultDataSetWithinBudget) {
  TempDir tmp;
  fs::create_directories(tmp.path() + "/bucket");
  auto opened = objstore::FilesystemBucket::Open(tmp.path() + "/bucket");
  ASSERT_TRUE(opened.ok());
  DemoOptions o;
  o.end_ms = 1700006400000;
  auto start = std::chrono::steady_clock::now();
  auto sum = GenerateDemoData(**opened, o);
  auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(sum.ok()) << sum.status().message();
  std::cout << "gen-demo: " << sum->blocks << " blocks, " << sum->series << " series (summed over blocks), "
            << sum->samples << " samples, " << sum->bytes << " bytes in " << secs << " s\n";
  EXPECT_EQ(sum->blocks, 3 * 2 * 12);
  EXPECT_LT(sum->bytes, 200ull << 20);
  EXPECT_LT(secs, 60);  // budget 30 s on an idle machine; CI shares cores
  auto blocks = ListBlocks(**opened);
  ASSERT_TRUE(blocks.ok());
  for (const auto& b : *blocks) {
    auto problems = VerifyBlock(**opened, b);
    EXPECT_TRUE(problems.empty()) << b.ulid << ": " << problems.front();
  }
}

}  // namespace
}  // namespace meridian::storeapi::gateway
