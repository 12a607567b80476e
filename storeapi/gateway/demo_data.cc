#include "storeapi/gateway/demo_data.h"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <algorithm>
#include <functional>
#include <limits>
#include <memory>
#include <random>

#include "model/labels.h"
#include "storeapi/gateway/block_upload.h"
#include "tsdb/block_writer.h"
#include "tsdb/ulid.h"

namespace meridian::storeapi::gateway {

namespace {

constexpr double kDaySeconds = 86400.0;
constexpr double kTwoPi = 6.283185307179586;

uint64_t SplitMix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}
// Uniform in [0, 1), a pure function of its inputs.
double Noise(uint64_t a, uint64_t b) {
  return static_cast<double>(SplitMix(a ^ SplitMix(b)) >> 11) * 0x1.0p-53;
}
uint64_t HashStr(const std::string& s) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
  return h;
}

// A scrape target: its series share a scrape offset and a process restart (counter reset).
struct Target {
  std::string job;
  std::string instance;
  uint64_t id = 0;
  int64_t offset_ms = 0;                             // phase within the scrape interval
  int64_t restart_ms = std::numeric_limits<int64_t>::max();  // max: never restarts
  int64_t started_ms = 0;                            // process start before the data
};

// A counter whose rate follows a daily wave: F(t) = r t + A (t - sin(w t + phase) / w) has
// F' = r + A (1 - cos(...)) >= r > 0, so F(t) - F(start) is monotonic from the last start.
struct CounterShape {
  double rate = 1;
  double amp = 0;
  double phase = 0;
  double F(double t_s) const {
    const double w = kTwoPi / kDaySeconds;
    return rate * t_s + amp * (t_s - std::sin(w * t_s + phase) / w);
  }
};

struct SeriesDef {
  Labels labels;
  const Target* target = nullptr;
  std::function<double(int64_t)> value;  // at a timestamp (ms)
};

class DemoModel {
 public:
  DemoModel(const DemoOptions& o, int64_t start_ms) : o_(o), start_ms_(start_ms) {}

  void Build(const std::string& cluster) {
    std::mt19937_64 rng(SplitMix(o_.seed ^ HashStr(cluster)));
    std::uniform_real_distribution<double> u(0, 1);
    auto new_target = [&](std::string job, std::string instance, double restart_prob) {
      auto t = std::make_unique<Target>();
      t->job = std::move(job);
      t->instance = std::move(instance);
      t->id = SplitMix(HashStr(cluster + "/" + t->instance + "/" + t->job));
      t->offset_ms = static_cast<int64_t>(u(rng) * static_cast<double>(o_.scrape_interval_ms));
      t->started_ms = start_ms_ - static_cast<int64_t>((1 + 20 * u(rng)) * kDaySeconds * 1000);
      if (u(rng) < restart_prob) {
        t->restart_ms = start_ms_ + static_cast<int64_t>(u(rng) * static_cast<double>(o_.duration_ms));
      }
      targets_.push_back(std::move(t));
      return targets_.back().get();
    };
    auto counter = [&](const Target* t, CounterShape shape, bool integer) {
      const int64_t epoch = start_ms_;
      return [t, shape, integer, epoch](int64_t ts) {
        int64_t since = ts >= t->restart_ms ? t->restart_ms : t->started_ms;
        double v = shape.F(static_cast<double>(ts - epoch) / 1000) -
                   shape.F(static_cast<double>(since - epoch) / 1000);
        return integer ? std::floor(v) : v;
      };
    };
    auto gauge = [&](const Target* t, double base, double wave, double noise, uint64_t salt) {
      const double phase = u(rng) * kTwoPi;
      return [t, base, wave, noise, salt, phase](int64_t ts) {
        const double w = kTwoPi / (kDaySeconds * 1000);
        double n = Noise(t->id ^ salt, static_cast<uint64_t>(ts / 1000));
        return base + wave * std::sin(w * static_cast<double>(ts) + phase) + noise * (n - 0.5);
      };
    };
    auto add = [&](const Target* t, Labels ls, std::function<double(int64_t)> fn) {
      LabelsBuilder b(ls);
      b.Set("job", t->job);
      b.Set("instance", t->instance);
      series_.push_back(SeriesDef{b.Build(), t, std::move(fn)});
    };
    auto up = [&](const Target* t) {
      add(t, Labels{{"__name__", "up"}}, [](int64_t) { return 1.0; });
    };

    // Nodes: node_exporter.
    const char* modes[] = {"idle", "user", "system", "iowait", "irq"};
    const double mode_share[] = {0.72, 0.18, 0.06, 0.03, 0.01};
    for (int n = 0; n < o_.nodes_per_cluster; ++n) {
      const std::string node = "node-" + std::to_string(n);
      const Target* t = new_target("node", node + ":9100", n == 0 ? 1.0 : 0.0);
      up(t);
      for (int cpu = 0; cpu < 2; ++cpu) {
        for (int m = 0; m < 5; ++m) {
          CounterShape s{mode_share[m] * (0.8 + 0.2 * u(rng)), mode_share[m] * 0.1, u(rng) * kTwoPi};
          add(t, Labels{{"__name__", "node_cpu_seconds_total"}, {"cpu", std::to_string(cpu)}, {"mode", modes[m]}},
              counter(t, s, false));
        }
      }
      const double total = 16.0 * (1ull << 30);
      add(t, Labels{{"__name__", "node_memory_MemTotal_bytes"}}, [total](int64_t) { return total; });
      add(t, Labels{{"__name__", "node_memory_MemAvailable_bytes"}}, gauge(t, total * 0.55, total * 0.12, total * 0.02, 1));
      add(t, Labels{{"__name__", "node_memory_MemFree_bytes"}}, gauge(t, total * 0.3, total * 0.08, total * 0.02, 2));
      add(t, Labels{{"__name__", "node_load1"}}, gauge(t, 1.5 + u(rng), 0.8, 0.6, 3));
      // Containers on this node: cAdvisor through the kubelet.
      const Target* kubelet = new_target("kubelet", node + ":10250", 0);
      up(kubelet);
      const char* apps[] = {"api", "checkout", "frontend"};
      for (const char* app : apps) {
        const std::string pod = std::string(app) + "-" + std::to_string(SplitMix(kubelet->id ^ HashStr(app)) % 100000);
        Labels ls{{"container", app}, {"namespace", "shop"}, {"pod", pod}};
        CounterShape s{0.05 + 0.3 * u(rng), 0.05, u(rng) * kTwoPi};
        LabelsBuilder cpu(ls);
        cpu.Set("__name__", "container_cpu_usage_seconds_total");
        add(kubelet, cpu.Build(), counter(kubelet, s, false));
        LabelsBuilder mem(ls);
        mem.Set("__name__", "container_memory_working_set_bytes");
        add(kubelet, mem.Build(), gauge(kubelet, 300e6 + 200e6 * u(rng), 50e6, 20e6, HashStr(app)));
      }
    }

    // Applications: http_requests_total and a classic latency histogram per instance.
    const char* services[] = {"api", "checkout", "frontend"};
    const char* les[] = {"0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10"};
    for (const char* svc : services) {
      const double median = 0.02 + 0.1 * u(rng);
      const double sigma = 0.6 + 0.4 * u(rng);
      for (int i = 0; i < 2; ++i) {
        const Target* t = new_target(svc, std::string(svc) + "-" + std::to_string(i) + ":8080", 0.5);
        up(t);
        const double base = 5 + 40 * u(rng);
        const std::pair<const char*, double> methods[] = {{"GET", 0.8}, {"POST", 0.2}};
        const std::pair<const char*, double> codes[] = {{"200", 0.95}, {"404", 0.04}, {"500", 0.01}};
        for (auto [method, ms] : methods) {
          for (auto [code, cs] : codes) {
            CounterShape s{base * ms * cs, base * ms * cs * 0.8, 1.0};
            add(t, Labels{{"__name__", "http_requests_total"}, {"code", code}, {"handler", "/"}, {"method", method}},
                counter(t, s, true));
          }
        }
        CounterShape all{base, base * 0.8, 1.0};
        auto count = counter(t, all, true);
        for (const char* le : les) {
          const double z = (std::log(std::stod(le)) - std::log(median)) / sigma;
          const double cdf = 0.5 * std::erfc(-z / std::sqrt(2.0));
          add(t, Labels{{"__name__", "http_request_duration_seconds_bucket"}, {"le", le}},
              [count, cdf](int64_t ts) { return std::floor(count(ts) * cdf); });
        }
        add(t, Labels{{"__name__", "http_request_duration_seconds_bucket"}, {"le", "+Inf"}}, count);
        add(t, Labels{{"__name__", "http_request_duration_seconds_count"}}, count);
        const double mean = median * std::exp(sigma * sigma / 2);
        add(t, Labels{{"__name__", "http_request_duration_seconds_sum"}},
            [count, mean](int64_t ts) { return count(ts) * mean; });
      }
    }
  }

  const std::vector<SeriesDef>& series() const { return series_; }

 private:
  const DemoOptions& o_;
  int64_t start_ms_;
  std::vector<std::unique_ptr<Target>> targets_;
  std::vector<SeriesDef> series_;
};

}  // namespace

StatusOr<DemoSummary> GenerateDemoData(objstore::Bucket& bucket, const DemoOptions& o) {
  if (o.scrape_interval_ms <= 0 || o.block_ms <= 0 || o.duration_ms < o.block_ms) {
    return BadData("gen-demo: scrape interval and block length must be positive and the duration at least one block");
  }
  if (o.clusters.empty() || o.nodes_per_cluster <= 0 || o.replicas.empty()) {
    return BadData("gen-demo: no clusters, nodes or replicas");
  }
  int64_t end = o.end_ms;
  if (end == 0) {
    end = std::chrono::duration_cast<std::chrono::milliseconds>(
              std::chrono::system_clock::now().time_since_epoch()).count();
  }
  // Blocks are aligned to block_ms like Prometheus's; the newest one may be partial, so data
  // generated "now" reaches the present.
  end -= end % o.scrape_interval_ms;
  int64_t start = end - o.duration_ms;
  start -= start % o.block_ms;
  const int64_t gap_start = start + o.duration_ms / 2 + 17 * 60 * 1000;
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path work = o.work_dir.empty() ? fs::temp_directory_path(ec) : fs::path(o.work_dir);
  work /= "meridian-gen-demo-" + std::to_string(SplitMix(o.seed ^ static_cast<uint64_t>(end)) % 1000000007);
  fs::remove_all(work, ec);
  fs::create_directories(work, ec);
  if (ec) return InternalError("gen-demo: cannot create " + work.string() + ": " + ec.message());
  struct Cleanup {
    fs::path p;
    ~Cleanup() {
      std::error_code e;
      fs::remove_all(p, e);
    }
  } cleanup{work};

  DemoSummary sum;
  sum.min_time = start;
  sum.max_time = end;
  std::mt19937_64 ulid_rng(SplitMix(o.seed));
  for (const auto& cluster : o.clusters) {
    DemoModel model(o, start);
    model.Build(cluster);
    for (size_t r = 0; r < o.replicas.size(); ++r) {
      const std::string& replica = o.replicas[r];
      const int64_t replica_offset = static_cast<int64_t>(r) * 7321;
      for (int64_t bstart = start; bstart < end; bstart += o.block_ms) {
        const int64_t bend = std::min(end, bstart + o.block_ms);
        tsdb::BlockWriterOptions wo;
        tsdb::ThanosMeta tm;
        tm.labels = Labels{{"cluster", cluster}, {"replica", replica}};
        tm.source = "sidecar";
        wo.thanos = tm;
        std::array<uint8_t, 10> entropy;
        for (auto& b : entropy) b = static_cast<uint8_t>(ulid_rng());
        wo.ulid = tsdb::Ulid::FromParts(static_cast<uint64_t>(bend), entropy);
        wo.min_time = bstart;
        wo.max_time = bend;
        tsdb::BlockWriter w(wo);
        std::vector<int64_t> ts;
        std::vector<double> vs;
        for (const auto& s : model.series()) {
          ts.clear();
          vs.clear();
          const uint64_t tid = s.target->id ^ HashStr(replica);
          // Scrapes at a fixed phase per target and replica, a few ms of jitter each.
          int64_t phase = (s.target->offset_ms + replica_offset) % o.scrape_interval_ms;
          int64_t first = bstart - (bstart % o.scrape_interval_ms) + phase;
          for (int64_t k = first; k < bend; k += o.scrape_interval_ms) {
            int64_t t = k + static_cast<int64_t>(Noise(tid, static_cast<uint64_t>(k)) * 9) - 4;
            if (t < bstart || t >= bend) continue;
            if (r == 1 && t >= gap_start && t < gap_start + o.gap_ms) continue;
            if (!ts.empty() && t <= ts.back()) continue;
            ts.push_back(t);
            vs.push_back(s.value(t));
          }
          if (Status st = w.AddSeries(s.labels, ts, vs); !st.ok()) return st;
          sum.samples += ts.size();
        }
        auto meta = w.Write(work.string());
        if (!meta.ok()) return meta.status();
        const fs::path dir = work / meta->ulid.ToString();
        for (fs::recursive_directory_iterator it(dir, ec), e; it != e && !ec; it.increment(ec)) {
          if (it->is_regular_file()) sum.bytes += it->file_size();
        }
        if (Status st = UploadBlock(bucket, dir.string()); !st.ok()) return st;
        fs::remove_all(dir, ec);
        ++sum.blocks;
        sum.series += meta->stats.num_series;
      }
    }
  }
  return sum;
}

}  // namespace meridian::storeapi::gateway
