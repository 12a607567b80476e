// Compatibility with Prometheus itself (label "integration"; needs /usr/bin/prometheus and
// /usr/bin/promtool from Debian's prometheus 2.42 package):
//  - Prometheus opens blocks Meridian wrote and returns exactly the written samples;
//  - Meridian reads blocks promtool made from an OpenMetrics file, sample for sample.

#include <arpa/inet.h>
#include <fcntl.h>
#include <httplib.h>
#include <netinet/in.h>
#include <rapidjson/document.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <thread>

#include "test_util.h"
#include "tsdb/block_reader.h"
#include "tsdb/block_writer.h"

extern char** environ;

namespace meridian::tsdb {
namespace {

using testing::M;
using testing::TempDir;

constexpr char kPrometheus[] = "/usr/bin/prometheus";
constexpr char kPromtool[] = "/usr/bin/promtool";

// Samples per series, keyed by the label set's text form.
using SampleMap = std::map<std::string, std::vector<std::pair<int64_t, double>>>;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string UrlEncode(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[4];
      std::snprintf(buf, sizeof(buf), "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return -1;
  }
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  close(fd);
  return port;
}

// Starts `argv` with stdout and stderr appended to `log`; returns the pid or -1.
pid_t Spawn(const std::vector<std::string>& argv, const std::string& log) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, args[0], &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  return rc == 0 ? pid : -1;
}

int RunAndWait(const std::vector<std::string>& argv, const std::string& log) {
  pid_t pid = Spawn(argv, log);
  if (pid < 0) return -1;
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Stops the Prometheus this test started (only that pid), even when an assertion fails.
class ProcessGuard {
 public:
  explicit ProcessGuard(pid_t pid) : pid_(pid) {}
  ~ProcessGuard() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    for (int i = 0; i < 100; ++i) {
      int status;
      if (waitpid(pid_, &status, WNOHANG) == pid_) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }

 private:
  pid_t pid_;
};

// Parses a /api/v1/query matrix result into label-set text -> samples.
SampleMap ParseMatrix(const std::string& body) {
  SampleMap out;
  rapidjson::Document d;
  d.Parse(body.c_str());
  EXPECT_FALSE(d.HasParseError()) << body.substr(0, 500);
  if (d.HasParseError() || !d.IsObject()) return out;
  EXPECT_STREQ(d["status"].GetString(), "success") << body.substr(0, 500);
  const auto& data = d["data"];
  EXPECT_STREQ(data["resultType"].GetString(), "matrix");
  for (const auto& series : data["result"].GetArray()) {
    std::vector<Label> ls;
    for (auto it = series["metric"].MemberBegin(); it != series["metric"].MemberEnd(); ++it) {
      ls.push_back({it->name.GetString(), it->value.GetString()});
    }
    auto& samples = out[Labels::FromUnsorted(ls).ToString()];
    for (const auto& p : series["values"].GetArray()) {
      int64_t t = std::llround(p[0].GetDouble() * 1000.0);
      double v = std::strtod(p[1].GetString(), nullptr);
      samples.emplace_back(t, v);
    }
  }
  return out;
}

TEST(PrometheusCompat, PrometheusOpensMeridianBlocks) {
  if (access(kPrometheus, X_OK) != 0) GTEST_SKIP() << "no " << kPrometheus;
  TempDir dir;
  const std::string data = dir.path() + "/data";
  std::filesystem::create_directories(data);

  // Two non-overlapping 2h blocks, ending a day ago (inside retention, outside the head).
  const int64_t now = NowMs();
  const int64_t base = (now - 3 * 86400'000) / 7200'000 * 7200'000;
  std::mt19937_64 rng(1234);
  SampleMap want;
  for (int b = 0; b < 2; ++b) {
    BlockWriterOptions opts;
    opts.thanos->labels = Labels{{"replica", "r1"}};
    opts.thanos->source = "test";
    opts.min_time = base + b * 7200'000;
    opts.max_time = base + (b + 1) * 7200'000;
    BlockWriter w(opts);
    for (int s = 0; s < 12; ++s) {
      Labels ls{{"__name__", s % 3 == 0 ? "meridian_compat_total" : "meridian_compat_gauge"},
                {"instance", "host-" + std::to_string(s)},
                {"job", s % 2 ? "odd" : "even"}};
      std::vector<int64_t> ts;
      std::vector<double> vs;
      int64_t t = *opts.min_time + static_cast<int64_t>(rng() % 1000);
      double counter = 0;
      while (t < *opts.max_time) {
        ts.push_back(t);
        double v;
        switch (s % 3) {
          case 0: counter += static_cast<double>(rng() % 100); v = counter; break;
          case 1: v = static_cast<double>(static_cast<int64_t>(rng() % 2000000) - 1000000) / 1024.0; break;
          default: v = std::ldexp(static_cast<double>(rng() >> 11), -53) * 1e6; break;  // full-precision doubles
        }
        vs.push_back(v);
        t += 15'000 + static_cast<int64_t>(rng() % 3000) - 1500;  // jittered 15s scrapes
      }
      ASSERT_TRUE(w.AddSeries(ls, ts, vs).ok());
      auto& dst = want[ls.ToString()];
      for (size_t i = 0; i < ts.size(); ++i) dst.emplace_back(ts[i], vs[i]);
    }
    auto meta = w.Write(data);
    ASSERT_TRUE(meta.ok()) << meta.status().message();
  }

  // promtool's analyzer walks our index (postings, label values, series) before Prometheus
  // starts and takes the directory lock.
  if (access(kPromtool, X_OK) == 0) {
    const std::string alog = dir.path() + "/analyze.log";
    EXPECT_EQ(RunAndWait({kPromtool, "tsdb", "analyze", data}, alog), 0) << ReadFile(alog);
    EXPECT_NE(ReadFile(alog).find("Series: 12"), std::string::npos) << ReadFile(alog);
  }

  const std::string config = dir.path() + "/prometheus.yml";
  std::ofstream(config) << "global:\n  scrape_interval: 1h\nscrape_configs: []\n";
  const int port = FreePort();
  ASSERT_GT(port, 0);
  const std::string log = dir.path() + "/prometheus.log";
  pid_t pid = Spawn({kPrometheus, "--config.file=" + config, "--storage.tsdb.path=" + data,
                     "--web.listen-address=127.0.0.1:" + std::to_string(port),
                     "--storage.tsdb.retention.time=100y"},
                    log);
  ASSERT_GT(pid, 0);
  ProcessGuard guard(pid);

  httplib::Client cli("127.0.0.1", port);
  cli.set_connection_timeout(2, 0);
  cli.set_read_timeout(30, 0);
  bool ready = false;
  for (int i = 0; i < 300 && !ready; ++i) {
    auto r = cli.Get("/-/ready");
    ready = r && r->status == 200;
    if (!ready) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(ready) << "Prometheus did not become ready:\n" << ReadFile(log);

  // A range-vector instant query returns every raw sample in the range.
  const double eval = static_cast<double>(base + 2 * 7200'000) / 1000.0;
  char path[256];
  std::snprintf(path, sizeof(path), "/api/v1/query?query=%s&time=%.3f",
                UrlEncode("{__name__=~\"meridian_compat_.*\"}[5h]").c_str(), eval);
  auto r = cli.Get(path);
  ASSERT_TRUE(r) << "query failed";
  ASSERT_EQ(r->status, 200) << r->body;
  SampleMap got = ParseMatrix(r->body);
  ASSERT_EQ(got.size(), want.size()) << ReadFile(log);
  size_t total = 0;
  for (const auto& [series, samples] : want) {
    auto it = got.find(series);
    ASSERT_NE(it, got.end()) << series;
    ASSERT_EQ(it->second.size(), samples.size()) << series;
    for (size_t i = 0; i < samples.size(); ++i) {
      EXPECT_EQ(it->second[i].first, samples[i].first) << series << " sample " << i;
      EXPECT_EQ(it->second[i].second, samples[i].second) << series << " sample " << i;
    }
    total += samples.size();
  }
  EXPECT_GT(total, 10000u);
  // Prometheus loaded the blocks without complaint.
  const std::string plog = ReadFile(log);
  EXPECT_EQ(plog.find("level=error"), std::string::npos) << plog;
  EXPECT_EQ(plog.find("level=warn"), std::string::npos) << plog;

  // Label values come from the postings offset table of our index.
  auto lv = cli.Get("/api/v1/label/job/values");
  ASSERT_TRUE(lv);
  EXPECT_NE(lv->body.find("\"even\""), std::string::npos) << lv->body;
  EXPECT_NE(lv->body.find("\"odd\""), std::string::npos) << lv->body;
  // A matcher query resolved through our postings.
  std::snprintf(path, sizeof(path), "/api/v1/query?query=%s&time=%.3f",
                UrlEncode("count(count_over_time(meridian_compat_gauge{job=\"odd\"}[5h]))").c_str(), eval);
  auto c = cli.Get(path);
  ASSERT_TRUE(c);
  EXPECT_NE(c->body.find("\"4\""), std::string::npos) << c->body;
}

TEST(PrometheusCompat, MeridianReadsPromtoolBlocks) {
  if (access(kPromtool, X_OK) != 0) GTEST_SKIP() << "no " << kPromtool;
  TempDir dir;
  const std::string input = dir.path() + "/input.om";
  const std::string out = dir.path() + "/blocks";
  std::filesystem::create_directories(out);

  // Five hours of 10s samples for 6 series in two families (spans three 2h blocks).
  const int64_t start = 1'700'000'000'000;
  std::mt19937_64 rng(99);
  SampleMap want;
  std::ofstream om(input);
  for (const char* family : {"promtool_gauge", "promtool_counter"}) {
    om << "# TYPE " << family << (std::string(family) == "promtool_gauge" ? " gauge\n" : " counter\n");
    for (int s = 0; s < 3; ++s) {
      Labels ls{{"__name__", std::string(family) == "promtool_counter" ? "promtool_counter_total"
                                                                        : family},
                {"pod", "p" + std::to_string(s)}};
      double counter = 0;
      for (int64_t t = start + s * 7; t < start + 5 * 3600'000; t += 10'000) {
        double v;
        if (std::string(family) == "promtool_gauge") {
          v = std::ldexp(static_cast<double>(rng() >> 11), -53) * 100 - 50;
        } else {
          counter += static_cast<double>(rng() % 10);
          v = counter;
        }
        char line[256];
        std::snprintf(line, sizeof(line), "%s{pod=\"p%d\"} %.17g %" PRId64 ".%03" PRId64 "\n",
                      std::string(ls.MetricName()).c_str(), s, v, t / 1000, t % 1000);
        om << line;
        want[ls.ToString()].emplace_back(t, v);
      }
    }
  }
  om << "# EOF\n";
  om.close();

  const std::string log = dir.path() + "/promtool.log";
  int rc = RunAndWait({kPromtool, "tsdb", "create-blocks-from", "openmetrics", input, out}, log);
  ASSERT_EQ(rc, 0) << ReadFile(log);

  SampleMap got;
  int blocks = 0;
  for (const auto& e : std::filesystem::directory_iterator(out)) {
    if (!e.is_directory()) continue;
    ++blocks;
    auto b = BlockReader::Open(e.path().string());
    ASSERT_TRUE(b.ok()) << b.status().message();
    EXPECT_EQ((*b)->index().version(), 2);
    EXPECT_FALSE((*b)->meta().thanos.has_value());
    auto q = (*b)->NewQuerier((*b)->meta().min_time, (*b)->meta().max_time - 1);
    auto set = q->Select(true, {}, {M(MatchType::kRegexp, "__name__", "promtool_.*")});
    uint64_t samples_in_block = 0;
    for (const auto& s : testing::Drain(*set)) {
      auto& dst = got[s.labels.ToString()];
      for (size_t i = 0; i < s.ts.size(); ++i) dst.emplace_back(s.ts[i], s.vs[i]);
      samples_in_block += s.ts.size();
    }
    EXPECT_EQ(samples_in_block, (*b)->meta().stats.num_samples);
    auto pods = q->LabelValues("pod", {});
    ASSERT_TRUE(pods.ok());
    EXPECT_EQ(*pods, (std::vector<std::string>{"p0", "p1", "p2"}));
  }
  EXPECT_GE(blocks, 3);
  for (auto& [series, samples] : got) std::sort(samples.begin(), samples.end());
  ASSERT_EQ(got.size(), want.size());
  for (const auto& [series, samples] : want) {
    ASSERT_EQ(got[series].size(), samples.size()) << series;
    EXPECT_TRUE(got[series] == samples) << series;
  }
}

}  // namespace
}  // namespace meridian::tsdb
