// `meridian compact` as users run it, against real peers: Prometheus 2.42 and promtool read
// the blocks it writes and answer exactly as over the source blocks; the process killed with
// SIGKILL at random moments loses nothing and the next run finishes the work; overlaps halt it
// with thanos_compact_halted 1 while its HTTP endpoints stay up.

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <thread>

#include "tests/compact/compact_fixture.h"
#include "tests/support/http_client.h"
#include "tests/support/meridian_process.h"
#include "tests/support/process.h"
#include "objstore/config.h"
#include "tests/support/prometheus_process.h"
#include "tests/support/s3rver_process.h"

namespace meridian::compact {
namespace {

namespace support = meridian::testing;
using namespace testing;  // NOLINT

std::string BucketConfig(const std::string& dir) {
  return "type: FILESYSTEM\nconfig:\n  directory: " + dir + "\n";
}

std::vector<std::string> CompactArgs(const std::string& bucket_dir, const std::string& data_dir, int http_port) {
  return {support::MeridianBinary(), "compact", "--objstore.config=" + BucketConfig(bucket_dir),
          "--data-dir=" + data_dir, "--consistency-delay=0s", "--delete-delay=0s",
          "--http-address=127.0.0.1:" + std::to_string(http_port), "--log.level=warn"};
}

int RunCompactOnce(const std::string& bucket_dir, const std::string& data_dir, const std::string& log,
                   std::vector<std::string> extra = {}) {
  auto args = CompactArgs(bucket_dir, data_dir, support::FreePort());
  args.insert(args.end(), extra.begin(), extra.end());
  auto p = support::ChildProcess::Spawn(args, log);
  EXPECT_TRUE(p.ok()) << p.status().message();
  return p.ok() ? (*p)->Wait() : -1;
}

void UploadDays(objstore::Bucket& b, const std::string& work, int64_t start, int days, const Labels& ext,
                const SeriesSpec& spec) {
  for (int64_t t = start; t < start + days * kDay; t += 2 * kHour) UploadBlock(b, work, ext, t, t + 2 * kHour, spec);
}

int64_t AlignedStart(int64_t days_ago) { return (NowMs() - days_ago * kDay) / (2 * kHour) * (2 * kHour); }

// Copies the raw blocks of a bucket into a Prometheus data directory.
void CopyRawBlocks(objstore::Bucket& bucket, const std::string& bucket_dir, const std::string& data_dir) {
  std::filesystem::create_directories(data_dir);
  for (const auto& [id, m] : ServedBlocks(bucket)) {
    if (m.thanos && m.thanos->downsample_resolution != 0) continue;
    std::filesystem::copy(bucket_dir + "/" + id.ToString(), data_dir + "/" + id.ToString(),
                          std::filesystem::copy_options::recursive);
  }
}

TEST(CompactIntegration, PrometheusAnswersOverCompactedBlocksExactlyAsOverTheSources) {
  if (access(support::kPrometheusBinary, X_OK) != 0) GTEST_SKIP() << "no " << support::kPrometheusBinary;
  TempDir dir;
  const std::string bucket_dir = dir.path() + "/bucket";
  auto bucket = OpenFs(bucket_dir);
  const int64_t start = AlignedStart(4);
  SeriesSpec spec{9, 30'000};
  UploadDays(*bucket, dir.path(), start, 3, Labels{{"cluster", "a"}}, spec);
  CopyRawBlocks(*bucket, bucket_dir, dir.path() + "/prom-src");

  ASSERT_EQ(RunCompactOnce(bucket_dir, dir.path() + "/data", dir.path() + "/compact.log"), 0)
      << support::ReadFile(dir.path() + "/compact.log");
  size_t compacted = 0;
  for (const auto& [id, m] : ServedBlocks(*bucket)) compacted += m.compaction.level > 1 && m.thanos->downsample_resolution == 0;
  ASSERT_GT(compacted, 0u);
  CopyRawBlocks(*bucket, bucket_dir, dir.path() + "/prom-out");

  // promtool walks every compacted block's index.
  for (const auto& e : std::filesystem::directory_iterator(dir.path() + "/prom-out")) {
    const std::string log = dir.path() + "/analyze.log";
    Status s = support::RunCommand({support::kPromtoolBinary, "tsdb", "analyze", dir.path() + "/prom-out",
                                    e.path().filename().string()}, log);
    EXPECT_TRUE(s.ok()) << s.message() << support::ReadFile(log);
    EXPECT_NE(support::ReadFile(log).find("Series: 9"), std::string::npos) << support::ReadFile(log);
  }

  auto run_queries = [&](const std::string& data, const std::string& name) {
    support::PrometheusConfig cfg;
    cfg.data_dir = data;
    cfg.work_dir = dir.path() + "/" + name;
    std::filesystem::create_directories(cfg.work_dir);
    auto prom = support::PrometheusProcess::Start(cfg);
    EXPECT_TRUE(prom.ok()) << prom.status().message();
    std::vector<std::string> out;
    if (!prom.ok()) return out;
    const double eval = static_cast<double>(start + 3 * kDay) / 1000.0;
    for (const char* q : {"{__name__=~\".+\"}[3d]", "requests_total{instance=\"i0\"}[3d]",
                          "{__name__!=\"temperature\",instance=~\"i[0-4]\"}[3d]",
                          "count_over_time({__name__=~\".+\",instance!~\"i1\"}[3d])", "sum by (__name__) (flaky_total)"}) {
      char path[512];
      std::snprintf(path, sizeof(path), "/api/v1/query?query=%s&time=%.3f", support::UrlEncode(q).c_str(), eval);
      auto r = support::HttpGet((*prom)->url() + path, 60000);
      EXPECT_TRUE(r.ok()) << q;
      out.push_back(r.ok() ? *r : "");
    }
    auto lv = support::HttpGet((*prom)->url() + "/api/v1/label/instance/values");
    out.push_back(lv.ok() ? *lv : "");
    const std::string log = (*prom)->Log();
    EXPECT_EQ(log.find("level=error"), std::string::npos) << log;
    return out;
  };
  const auto want = run_queries(dir.path() + "/prom-src", "src");
  const auto got = run_queries(dir.path() + "/prom-out", "out");
  ASSERT_EQ(want.size(), got.size());
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_GT(want[i].size(), 60u) << want[i];
    EXPECT_EQ(want[i], got[i]) << "query " << i;
  }
}

TEST(CompactIntegration, KilledAtRandomMomentsLosesNothingAndTheNextRunFinishes) {
  TempDir dir;
  const std::string fixture = dir.path() + "/fixture";
  const int64_t start = AlignedStart(5);
  SeriesSpec spec{6, 60'000};
  const Labels ext{{"cluster", "a"}};
  {
    auto b = OpenFs(fixture);
    UploadDays(*b, dir.path(), start, 3, ext, spec);
  }
  const SampleSet want = ExpectedSamples({ext}, start, start + 3 * kDay, spec);

  // The uninterrupted run: its duration and layout.
  const std::string clean_dir = dir.path() + "/clean";
  std::filesystem::copy(fixture, clean_dir, std::filesystem::copy_options::recursive);
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(RunCompactOnce(clean_dir, dir.path() + "/data-clean", dir.path() + "/clean.log"), 0);
  const int64_t clean_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  auto clean = OpenFs(clean_dir);
  const auto clean_layout = Layout(*clean);

  const std::string run_dir = dir.path() + "/run";
  std::filesystem::copy(fixture, run_dir, std::filesystem::copy_options::recursive);
  auto run = OpenFs(run_dir);
  const unsigned seed = static_cast<unsigned>(std::chrono::system_clock::now().time_since_epoch().count());
  std::mt19937 rng(seed);
  SCOPED_TRACE("seed " + std::to_string(seed) + ", clean run " + std::to_string(clean_ms) + " ms");
  for (int round = 0; round < 12; ++round) {
    const int64_t kill_after = std::uniform_int_distribution<int64_t>(0, std::max<int64_t>(clean_ms, 50))(rng);
    auto p = support::ChildProcess::Spawn(CompactArgs(run_dir, dir.path() + "/data", support::FreePort()),
                                          dir.path() + "/run.log");
    ASSERT_TRUE(p.ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(kill_after));
    (*p)->Kill();
    (*p)->Wait();
    SCOPED_TRACE("round " + std::to_string(round) + " killed after " + std::to_string(kill_after) + " ms");
    ASSERT_EQ(ReadServedSamples(*run, dir.path()), want);
  }
  ASSERT_EQ(RunCompactOnce(run_dir, dir.path() + "/data", dir.path() + "/final.log"), 0)
      << support::ReadFile(dir.path() + "/final.log");
  EXPECT_EQ(LayoutString(Layout(*run)), LayoutString(clean_layout));
  EXPECT_EQ(ReadServedSamples(*run, dir.path()), want);
}

// Two compactors split one bucket with --selector.relabel-config, as Thanos deployments shard.
TEST(CompactIntegration, RelabelSelectorLimitsTheBlocksACompactorTouches) {
  TempDir dir;
  const std::string bucket_dir = dir.path() + "/bucket";
  auto bucket = OpenFs(bucket_dir);
  const int64_t start = AlignedStart(3);
  UploadDays(*bucket, dir.path(), start, 1, Labels{{"cluster", "a"}}, SeriesSpec{});
  UploadDays(*bucket, dir.path(), start, 1, Labels{{"cluster", "b"}}, SeriesSpec{});
  const std::string keep_a = "--selector.relabel-config=- source_labels: [cluster]\n  regex: a\n  action: keep\n";
  ASSERT_EQ(RunCompactOnce(bucket_dir, dir.path() + "/data", dir.path() + "/a.log", {keep_a}), 0)
      << support::ReadFile(dir.path() + "/a.log");
  int a_compacted = 0, b_compacted = 0;
  for (const auto& [id, m] : ServedBlocks(*bucket)) {
    if (m.compaction.level < 2) continue;
    (m.thanos->labels.Get("cluster") == "a" ? a_compacted : b_compacted)++;
  }
  EXPECT_GT(a_compacted, 0);
  EXPECT_EQ(b_compacted, 0);
  EXPECT_NE(RunCompactOnce(bucket_dir, dir.path() + "/data", dir.path() + "/bad.log",
                           {"--selector.relabel-config=- action: nope\n"}), 0);
}

// The same iteration against a real S3 server (s3rver): listing, ranged reads, uploads and
// deletions through the S3 provider.
TEST(CompactIntegration, CompactsABucketInS3) {
  const char* bin = std::getenv("MERIDIAN_S3RVER");
  if (bin == nullptr || access(bin, X_OK) != 0) GTEST_SKIP() << "s3rver not installed (MERIDIAN_S3RVER)";
  TempDir dir;
  std::filesystem::create_directories(dir.path() + "/s3");
  auto s3 = support::S3rverProcess::Start(bin, dir.path() + "/s3", {"blocks"});
  ASSERT_TRUE(s3.ok()) << s3.status().message();
  const std::string yaml = "type: s3\nconfig:\n  bucket: blocks\n  endpoint: " + (*s3)->endpoint() +
                           "\n  insecure: true\n  access_key: S3RVER\n  secret_key: S3RVER\n";
  auto bucket = objstore::NewBucketFromConfig(yaml);
  ASSERT_TRUE(bucket.ok()) << bucket.status().message();
  // Aligned to a 2-day epoch window, so one whole 2d block forms and is downsampled.
  const int64_t start = (NowMs() - 5 * kDay) / (2 * kDay) * (2 * kDay);
  SeriesSpec spec{3, 120'000};
  const Labels ext{{"cluster", "s3"}};
  UploadDays(**bucket, dir.path(), start, 3, ext, spec);
  auto p = support::ChildProcess::Spawn(
      {support::MeridianBinary(), "compact", "--objstore.config=" + yaml, "--data-dir=" + dir.path() + "/data",
       "--consistency-delay=0s", "--delete-delay=0s", "--http-address=127.0.0.1:0", "--log.level=warn"},
      dir.path() + "/compact.log");
  ASSERT_TRUE(p.ok());
  ASSERT_EQ((*p)->Wait(), 0) << (*p)->Log();
  const auto layout = Layout(**bucket);
  int compacted = 0, downsampled = 0;
  for (const auto& e : layout) {
    compacted += e.level > 1 && e.resolution == 0;
    downsampled += e.resolution == 300000;
  }
  EXPECT_GT(compacted, 0) << LayoutString(layout);
  EXPECT_GT(downsampled, 0) << LayoutString(layout);
  EXPECT_EQ(ReadServedSamples(**bucket, dir.path()), ExpectedSamples({ext}, start, start + 3 * kDay, spec));
}

// `meridian downsample --once` and `meridian tools bucket mark/ls` as an operator runs them.
TEST(CompactIntegration, StandaloneDownsamplerAndBucketMarks) {
  TempDir dir;
  const std::string bucket_dir = dir.path() + "/bucket";
  auto bucket = OpenFs(bucket_dir);
  const int64_t start = AlignedStart(4);
  const Labels ext{{"cluster", "a"}};
  // One raw block spanning 48h (as a compactor would have made) and one 2h block.
  auto big = UploadBlock(*bucket, dir.path(), ext, start, start + 48 * kHour, SeriesSpec{3, 60'000});
  auto small = UploadBlock(*bucket, dir.path(), ext, start + 48 * kHour, start + 50 * kHour);
  const std::string cfg = "--objstore.config=" + BucketConfig(bucket_dir);
  const std::string log = dir.path() + "/tools.log";
  // A no-downsample mark by hand keeps the big block from being downsampled.
  ASSERT_TRUE(support::RunCommand({support::MeridianBinary(), "tools", "bucket", "mark", cfg, "--id=" + big.ulid.ToString(),
                                   "--marker=no-downsample-mark.json", "--details=test"}, log).ok())
      << support::ReadFile(log);
  ASSERT_TRUE(support::RunCommand({support::MeridianBinary(), "tools", "bucket", "ls", cfg}, log).ok());
  EXPECT_NE(support::ReadFile(log).find("no-downsample"), std::string::npos) << support::ReadFile(log);
  auto run_downsample = [&] {
    return support::RunCommand({support::MeridianBinary(), "downsample", cfg, "--data-dir=" + dir.path() + "/data",
                                "--http-address=127.0.0.1:0", "--once", "--log.level=warn"}, dir.path() + "/ds.log");
  };
  ASSERT_TRUE(run_downsample().ok()) << support::ReadFile(dir.path() + "/ds.log");
  auto count_res = [&](int64_t res) {
    int n = 0;
    for (const auto& e : Layout(*bucket)) n += e.resolution == res;
    return n;
  };
  EXPECT_EQ(count_res(300000), 0);
  // Without the mark it is downsampled; the 2h block is too short and stays raw only.
  ASSERT_TRUE(support::RunCommand({support::MeridianBinary(), "tools", "bucket", "mark", cfg, "--id=" + big.ulid.ToString(),
                                   "--marker=no-downsample-mark.json", "--remove"}, log).ok());
  ASSERT_TRUE(run_downsample().ok()) << support::ReadFile(dir.path() + "/ds.log");
  EXPECT_EQ(count_res(300000), 1);
  EXPECT_FALSE(support::RunCommand({support::MeridianBinary(), "tools", "bucket", "mark", cfg, "--id=" + small.ulid.ToString(),
                                    "--marker=bogus.json"}, log).ok());
}

TEST(CompactIntegration, OverlapHaltsAndTheHttpEndpointsReportIt) {
  TempDir dir;
  const std::string bucket_dir = dir.path() + "/bucket";
  auto bucket = OpenFs(bucket_dir);
  const int64_t start = AlignedStart(3);
  UploadDays(*bucket, dir.path(), start, 1, Labels{{"cluster", "a"}}, SeriesSpec{});
  UploadBlock(*bucket, dir.path(), Labels{{"cluster", "a"}}, start + kHour, start + 3 * kHour);

  // One iteration: a non-zero exit status.
  EXPECT_EQ(RunCompactOnce(bucket_dir, dir.path() + "/data", dir.path() + "/once.log"), 1);
  EXPECT_NE(support::ReadFile(dir.path() + "/once.log").find("overlaps found while gathering blocks"), std::string::npos)
      << support::ReadFile(dir.path() + "/once.log");

  // With --wait the process stays up, halted, and says so.
  const int port = support::FreePort();
  auto args = CompactArgs(bucket_dir, dir.path() + "/data", port);
  args.push_back("--wait");
  auto p = support::ChildProcess::Spawn(args, dir.path() + "/wait.log");
  ASSERT_TRUE(p.ok());
  const std::string url = "http://127.0.0.1:" + std::to_string(port);
  ASSERT_TRUE(support::WaitForHttpOk(url + "/-/ready", 30000).ok()) << (*p)->Log();
  std::string metrics;
  for (int i = 0; i < 100; ++i) {
    auto m = support::HttpGet(url + "/metrics");
    if (m.ok() && m->find("\nthanos_compact_halted 1") != std::string::npos) {
      metrics = *m;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_NE(metrics.find("\nthanos_compact_halted 1"), std::string::npos) << metrics;
  EXPECT_TRUE((*p)->Running());
  EXPECT_TRUE(support::WaitForHttpOk(url + "/-/healthy", 5000).ok());
  auto blocks = support::HttpGet(url + "/api/v1/blocks");
  ASSERT_TRUE(blocks.ok());
  EXPECT_NE(blocks->find("\"status\":\"success\""), std::string::npos);
  EXPECT_NE(blocks->find("\"minTime\":" + std::to_string(start + kHour) + ","), std::string::npos) << blocks->substr(0, 300);
  EXPECT_EQ((*p)->Stop(), 0);
}

}  // namespace
}  // namespace meridian::compact
