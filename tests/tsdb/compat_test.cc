// Compatibility with Prometheus itself (label "integration"; needs /usr/bin/prometheus and
// /usr/bin/promtool from Debian's prometheus 2.42 package):
//  - Prometheus opens blocks Meridian wrote and returns exactly the written samples;
//  - Meridian reads blocks promtool made from an OpenMetrics file, sample for sample.

#include <rapidjson/document.h>
#include <unistd.h>

#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>

#include "test_util.h"
#include "tests/support/http_client.h"
#include "tests/support/process.h"
#include "tests/support/prometheus_process.h"
#include "tsdb/block_reader.h"
#include "tsdb/block_writer.h"

namespace meridian::tsdb {
namespace {

using testing::M;
using testing::TempDir;
namespace support = meridian::testing;

// Samples per series, keyed by the label set's text form.
using SampleMap = std::map<std::string, std::vector<std::pair<int64_t, double>>>;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

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
  if (access(support::kPrometheusBinary, X_OK) != 0) GTEST_SKIP() << "no " << support::kPrometheusBinary;
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
  if (access(support::kPromtoolBinary, X_OK) == 0) {
    const std::string alog = dir.path() + "/analyze.log";
    Status analyzed = support::RunCommand({support::kPromtoolBinary, "tsdb", "analyze", data}, alog);
    EXPECT_TRUE(analyzed.ok()) << analyzed.message();
    EXPECT_NE(support::ReadFile(alog).find("Series: 12"), std::string::npos) << support::ReadFile(alog);
  }

  support::PrometheusConfig cfg;
  cfg.data_dir = data;
  cfg.work_dir = dir.path();
  auto prom = support::PrometheusProcess::Start(cfg);
  ASSERT_TRUE(prom.ok()) << prom.status().message();
  auto get = [&](const std::string& path_and_query) {
    auto r = support::HttpGet((*prom)->url() + path_and_query, 30000);
    EXPECT_TRUE(r.ok()) << path_and_query << ": " << r.status().message();
    return r.ok() ? *r : std::string();
  };

  // A range-vector instant query returns every raw sample in the range.
  const double eval = static_cast<double>(base + 2 * 7200'000) / 1000.0;
  char path[256];
  std::snprintf(path, sizeof(path), "/api/v1/query?query=%s&time=%.3f",
                support::UrlEncode("{__name__=~\"meridian_compat_.*\"}[5h]").c_str(), eval);
  SampleMap got = ParseMatrix(get(path));
  ASSERT_EQ(got.size(), want.size()) << (*prom)->Log();
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
  const std::string plog = (*prom)->Log();
  EXPECT_EQ(plog.find("level=error"), std::string::npos) << plog;
  EXPECT_EQ(plog.find("level=warn"), std::string::npos) << plog;

  // Label values come from the postings offset table of our index.
  const std::string lv = get("/api/v1/label/job/values");
  EXPECT_NE(lv.find("\"even\""), std::string::npos) << lv;
  EXPECT_NE(lv.find("\"odd\""), std::string::npos) << lv;
  // A matcher query resolved through our postings.
  std::snprintf(path, sizeof(path), "/api/v1/query?query=%s&time=%.3f",
                support::UrlEncode("count(count_over_time(meridian_compat_gauge{job=\"odd\"}[5h]))").c_str(), eval);
  const std::string c = get(path);
  EXPECT_NE(c.find("\"4\""), std::string::npos) << c;
}

TEST(PrometheusCompat, MeridianReadsPromtoolBlocks) {
  if (access(support::kPromtoolBinary, X_OK) != 0) GTEST_SKIP() << "no " << support::kPromtoolBinary;
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

  Status made = support::RunCommand(
      {support::kPromtoolBinary, "tsdb", "create-blocks-from", "openmetrics", input, out}, dir.path() + "/promtool.log");
  ASSERT_TRUE(made.ok()) << made.message();

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
