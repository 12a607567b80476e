// Load test of the HTTP API: N concurrent clients replaying a Grafana dashboard (range queries
// with rate/sum/topk, an instant query, label and series lookups, the health check) against
// an in-memory store of S series, for D seconds. Fails on any error response or transport
// failure, or when resident memory keeps growing between the warm-up mark and the end.
//
//   web_load_test --duration-s=60 --clients=50 --series=20000
//
// Memory: with --duration-s >= 30 the RSS peak of the last quarter may exceed that of the
// second quarter by at most --rss-growth-limit-pct; always, RSS once idle (the server trims by itself)
// must come back to within 128 MB of the RSS before the run.

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/allocator.h"
#include "storage/memory_storage.h"
#include "web/api/api.h"
#include "web/http_server.h"

namespace {

using meridian::Labels;
using Clock = std::chrono::steady_clock;

long RssKb() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return -1;
}

std::map<std::string, std::string> ParseFlags(int argc, char** argv) {
  std::map<std::string, std::string> f;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--", 0) != 0) continue;
    size_t eq = a.find('=');
    f[a.substr(2, eq == std::string::npos ? std::string::npos : eq - 2)] =
        eq == std::string::npos ? "true" : a.substr(eq + 1);
  }
  return f;
}

std::string UrlEncode(const std::string& s) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

struct Call {
  bool post;
  std::string path;
  std::string params;
};

}  // namespace

int main(int argc, char** argv) {
  meridian::ConfigureAllocator();  // as `meridian` runs
  auto flags = ParseFlags(argc, argv);
  auto flag = [&](const char* name, long def) { return flags.count(name) ? std::atol(flags[name].c_str()) : def; };
  const long duration_s = flag("duration-s", 60);
  const long clients = flag("clients", 50);
  const long num_series = flag("series", 20000);
  const long max_concurrent = flag("max-concurrent", 8);
  const long rss_growth_limit_pct = flag("rss-growth-limit-pct", 25);

  // Data: http_requests_total over instance x handler x code, 30 minutes at 15 s.
  constexpr int64_t kStep = 15000;
  constexpr int kSamples = 120;
  const int64_t end_ms = 1700000000000;
  const int64_t start_ms = end_ms - (kSamples - 1) * kStep;
  auto storage = std::make_shared<meridian::storage::MemoryStorage>();
  const char* codes[] = {"200", "302", "404", "500"};
  auto t_load = Clock::now();
  for (long s = 0; s < num_series; ++s) {
    Labels l{{"__name__", "http_requests_total"},
             {"code", codes[s % 4]},
             {"handler", "/h" + std::to_string(s / 4 % 25)},
             {"instance", "host-" + std::to_string(s / 100)},
             {"job", "api"}};
    double v = 0;
    for (int i = 0; i < kSamples; ++i) {
      v += 1 + (s % 7);
      if (!storage->Append(l, start_ms + i * kStep, v).ok()) {
        std::fprintf(stderr, "append failed\n");
        return 1;
      }
    }
  }
  std::printf("loaded %ld series x %d samples in %.1fs\n", num_series, kSamples,
              std::chrono::duration<double>(Clock::now() - t_load).count());

  meridian::web::ApiOptions opts;
  opts.max_concurrent_queries = static_cast<int>(max_concurrent);
  opts.now_ms = [end_ms] { return end_ms; };
  auto backend = std::make_shared<meridian::web::StaticQueryableBackend>(storage);
  meridian::web::Api api(backend, opts);
  meridian::web::HttpServerOptions hopts;
  hopts.host = "127.0.0.1";
  hopts.port = 0;
  hopts.threads = static_cast<int>(clients) + 8;
  hopts.keep_alive_timeout_sec = flag("keep-alive-s", 5);
  hopts.idle_trim_ms = static_cast<int>(flag("idle-trim-ms", 1000));  // 0 shows the RSS without it
  meridian::web::HttpServer server(hopts);
  api.Register(&server);
  if (auto s = server.Start(); !s.ok()) {
    std::fprintf(stderr, "%s\n", s.message().c_str());
    return 1;
  }

  const std::string range = "&start=" + std::to_string((start_ms + 300000) / 1000) +
                            "&end=" + std::to_string(end_ms / 1000) + "&step=60";
  std::vector<Call> dashboard = {
      {true, "/api/v1/query", "query=1%2B1&time=" + std::to_string(end_ms / 1000)},
      {true, "/api/v1/query_range", "query=" + UrlEncode("sum by (code) (rate(http_requests_total[5m]))") + range},
      {true, "/api/v1/query_range",
       "query=" + UrlEncode("topk(5, sum by (instance) (rate(http_requests_total{code=\"500\"}[5m])))") + range},
      {false, "/api/v1/query", "query=" + UrlEncode("sum(rate(http_requests_total{instance=\"host-7\"}[5m]))")},
      {true, "/api/v1/query_range",
       "query=" + UrlEncode("histogram_quantile(0.9, sum by (le) (rate(http_requests_total{handler=\"/h3\"}[5m])))") +
           range},
      {false, "/api/v1/label/instance/values", "start=" + std::to_string(start_ms / 1000)},
      {false, "/api/v1/series", "match[]=" + UrlEncode("http_requests_total{instance=\"host-3\"}")},
      {false, "/api/v1/labels", "match[]=" + UrlEncode("http_requests_total{code=\"404\"}")},
  };

  const long rss_start = RssKb();
  std::atomic<bool> stop{false};
  std::atomic<long> errors{0};
  std::vector<std::vector<double>> latencies(clients);
  // Per dashboard panel, to see which calls dominate.
  std::vector<std::vector<std::vector<double>>> per_call(clients, std::vector<std::vector<double>>(dashboard.size()));
  std::vector<std::thread> threads;
  const auto t0 = Clock::now();
  for (long c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      httplib::Client cli("127.0.0.1", server.port());
      cli.set_read_timeout(300, 0);
      size_t i = static_cast<size_t>(c);  // clients start at different panels
      while (!stop.load()) {
        const size_t panel = i++ % dashboard.size();
        const Call& call = dashboard[panel];
        auto start = Clock::now();
        httplib::Result res = call.post
                                  ? cli.Post(call.path.c_str(), call.params, "application/x-www-form-urlencoded")
                                  : cli.Get((call.path + "?" + call.params).c_str());
        double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
        if (!res || res->status != 200 || res->body.rfind("{\"status\":\"success\"", 0) != 0) {
          if (errors.fetch_add(1) < 20) {
            std::fprintf(stderr, "error at %.1fs after %.0fms on %s: %s\n", std::chrono::duration<double>(Clock::now() - t0).count(), ms, call.path.c_str(),
                         res ? (std::to_string(res->status) + " " + res->body.substr(0, 200)).c_str()
                             : httplib::to_string(res.error()).c_str());
          }
          continue;
        }
        latencies[c].push_back(ms);
        per_call[c][panel].push_back(ms);
      }
    });
  }

  // RSS is sampled through the run. Per-query working memory comes and goes with the
  // concurrent queries, so "flat" compares peaks: the peak of the last quarter of the run
  // against the peak of the second quarter (after warm-up). A leak keeps raising the peaks.
  std::vector<std::pair<double, long>> rss_samples;
  while (true) {
    double at = std::chrono::duration<double>(Clock::now() - t0).count();
    if (at >= duration_s) break;
    rss_samples.emplace_back(at, RssKb());
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  stop = true;
  for (auto& t : threads) t.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
  auto peak_between = [&](double from, double to) {
    long peak = 0;
    for (const auto& [at, kb] : rss_samples) {
      if (at >= from * duration_s && at <= to * duration_s) peak = std::max(peak, kb);
    }
    return peak;
  };
  const long rss_warm = peak_between(0.25, 0.5);
  const long rss_end = peak_between(0.75, 1.0);
  // What stays once the server went idle: it gives freed memory back by itself (no
  // malloc_trim here), within a minute, to at most twice the RSS before the load.
  long rss_idle = RssKb();
  for (int i = 0; i < 600 && rss_idle > 2 * rss_start; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    rss_idle = RssKb();
  }
  server.Stop();

  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  auto pct = [&](double p) { return all.empty() ? 0.0 : all[std::min(all.size() - 1, static_cast<size_t>(p * all.size()))]; };
  std::printf("clients=%ld series=%ld duration=%.1fs requests=%zu errors=%ld\n", clients, num_series, elapsed,
              all.size(), errors.load());
  std::printf("throughput=%.1f req/s p50=%.1fms p99=%.1fms max=%.1fms\n", all.size() / elapsed, pct(0.50), pct(0.99),
              all.empty() ? 0.0 : all.back());
  std::printf("rss_start=%ld kB rss_peak_q2=%ld kB rss_peak_q4=%ld kB growth=%.1f%% rss_idle_after=%ld kB\n",
              rss_start, rss_warm, rss_end, 100.0 * (rss_end - rss_warm) / std::max(1L, rss_warm), rss_idle);

  for (size_t p = 0; p < dashboard.size(); ++p) {
    std::vector<double> v;
    for (auto& c : per_call) v.insert(v.end(), c[p].begin(), c[p].end());
    std::sort(v.begin(), v.end());
    if (v.empty()) continue;
    std::printf("  %-30s n=%-5zu p50=%8.1fms p99=%8.1fms  %.70s\n", dashboard[p].path.c_str(), v.size(),
                v[v.size() / 2], v[std::min(v.size() - 1, static_cast<size_t>(0.99 * v.size()))],
                dashboard[p].params.c_str());
  }
  bool ok = errors.load() == 0 && !all.empty();
  // Peaks are only comparable over runs long enough for the concurrency to reach its steady
  // state; the idle check (everything freed once requests stop) holds for any length.
  if (duration_s >= 30 && rss_end > rss_warm + rss_warm * rss_growth_limit_pct / 100) {
    std::fprintf(stderr, "RSS peak grew beyond %ld%% between the second and the last quarter\n",
                 rss_growth_limit_pct);
    ok = false;
  }
  if (rss_idle > rss_start + 128 * 1024 || rss_idle > 2 * rss_start) {
    std::fprintf(stderr, "RSS a minute after the run stays %ld kB above the start (%ld kB)\n", rss_idle - rss_start,
                 rss_start);
    ok = false;
  }
  std::printf("%s\n", ok ? "PASS" : "FAIL");
  return ok ? 0 : 1;
}
