// Compaction and downsampling throughput on the data set: 12 consecutive 2h blocks of
// 10,000 series scraped every 15s (57.6 M samples), merged into one 24h block, and that block
// downsampled to 5m. Reported per core (one thread) as samples/s and input MB/s, the unit of
// Thanos's published figure (about 16 MB/s on one core for downsampling, thanos#1964), and the
// peak resident memory of the step itself (VmHWM reset before it via /proc/self/clear_refs).
//
//   ./build/bench/compact/compact_bench --benchmark_repetitions=3

#include <benchmark/benchmark.h>
#include <malloc.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <thread>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "compact/block_downsampler.h"
#include "compact/block_merger.h"
#include "compact/downsample/downsample.h"
#include "tsdb/block_reader.h"
#include "tsdb/block_writer.h"
#include "tsdb/chunkenc/xor.h"

namespace meridian::compact {
namespace {

constexpr int kSeries = 10000;
constexpr int kBlocks = 12;
constexpr int64_t kBlockMs = 2 * 3600'000;
constexpr int64_t kScrapeMs = 15'000;

// One process-wide data set, written once under the temp dir.
struct DataSet {
  std::string dir;
  std::vector<std::shared_ptr<tsdb::BlockReader>> blocks;
  uint64_t samples = 0;
  uint64_t bytes = 0;  // index + chunk files of the inputs
};

uint64_t DirBytes(const std::string& dir) {
  uint64_t n = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) n += e.file_size();
  }
  return n;
}

const DataSet& Data() {
  static DataSet* d = [] {
    auto* ds = new DataSet();
    ds->dir = (std::filesystem::temp_directory_path() / ("meridian-compact-bench-" + std::to_string(getpid()))).string();
    std::filesystem::create_directories(ds->dir + "/in");
    std::mt19937_64 rng(42);
    const int64_t base = 1'700'000'000'000 / kBlockMs * kBlockMs;
    std::vector<double> counters(kSeries, 0);
    for (int b = 0; b < kBlocks; ++b) {
      tsdb::BlockWriterOptions o;
      o.min_time = base + b * kBlockMs;
      o.max_time = o.min_time.value() + kBlockMs;
      o.thanos->labels = Labels{{"cluster", "bench"}};
      tsdb::BlockWriter w(o);
      std::vector<int64_t> ts;
      std::vector<double> vs;
      for (int s = 0; s < kSeries; ++s) {
        ts.clear();
        vs.clear();
        Labels ls{{"__name__", s % 2 ? "http_requests_total" : "node_memory_bytes"},
                  {"instance", "node-" + std::to_string(s / 20)},
                  {"job", "job-" + std::to_string(s % 10)},
                  {"path", "/api/" + std::to_string(s % 20)}};
        for (int64_t t = *o.min_time + (s % 15) * 1000; t < *o.max_time; t += kScrapeMs) {
          ts.push_back(t);
          if (s % 2) {
            counters[s] += static_cast<double>(rng() % 50);
            vs.push_back(counters[s]);
          } else {
            vs.push_back(1e9 + static_cast<double>(rng() % 1000000) * 4096.0);
          }
        }
        w.AddSeries(ls, ts, vs);
        ds->samples += ts.size();
      }
      auto meta = w.Write(ds->dir + "/in");
      if (!meta.ok()) std::abort();
      ds->blocks.push_back(*tsdb::BlockReader::Open(ds->dir + "/in/" + meta->ulid.ToString()));
    }
    ds->bytes = DirBytes(ds->dir + "/in");
    return ds;
  }();
  return *d;
}

double StatusFieldMb(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const size_t n = std::strlen(field);
  while (std::getline(in, line)) {
    if (line.compare(0, n, field) == 0) return std::stod(line.substr(n)) / 1024.0;
  }
  return 0;
}

// Peak memory of one step. VmHWM counts the input files' pages mapped by the readers, which the
// kernel can drop at any time; the anonymous part (RssAnon, sampled every 5 ms since it has no
// high-water mark) is what the step itself holds.
class PeakMemory {
 public:
  PeakMemory() {
    malloc_trim(0);  // free heap of earlier steps would hide this step's growth
    std::ofstream("/proc/self/clear_refs") << "5";  // resets VmHWM to the current RSS
    base_anon_ = StatusFieldMb("RssAnon:");
    peak_anon_ = base_anon_;
    sampler_ = std::thread([this] {
      while (!done_.load()) {
        peak_anon_ = std::max(peak_anon_.load(), StatusFieldMb("RssAnon:"));
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    });
  }
  void Stop() {
    done_.store(true);
    if (sampler_.joinable()) sampler_.join();
    hwm_ = StatusFieldMb("VmHWM:");
  }
  double hwm() const { return hwm_; }
  // Anonymous memory the step added at its peak.
  double anon_growth() const { return peak_anon_.load() - base_anon_; }

 private:
  std::atomic<bool> done_{false};
  std::atomic<double> peak_anon_{0};
  double base_anon_ = 0, hwm_ = 0;
  std::thread sampler_;
};

void BM_CompactTwelveBlocks(benchmark::State& state) {
  const DataSet& d = Data();
  double peak = 0, anon = 0;
  for (auto _ : state) {
    const std::string out = d.dir + "/out";
    std::filesystem::remove_all(out);
    tsdb::BlockMeta meta;
    meta.ulid = tsdb::Ulid::NewNow();
    meta.thanos = tsdb::ThanosMeta{};
    PeakMemory mem;
    auto r = MergeBlocks(d.blocks, out, meta);
    mem.Stop();
    peak = std::max(peak, mem.hwm());
    anon = std::max(anon, mem.anon_growth());
    if (!r.ok() || !r->has_value()) state.SkipWithError("merge failed");
  }
  state.counters["anon_growth_MB"] = anon;
  state.counters["samples/s"] = benchmark::Counter(static_cast<double>(d.samples), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["MB/s"] = benchmark::Counter(static_cast<double>(d.bytes) / 1e6, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["peak_rss_MB"] = peak;
  state.counters["input_MB"] = static_cast<double>(d.bytes) / 1e6;
}
BENCHMARK(BM_CompactTwelveBlocks)->Unit(benchmark::kMillisecond)->UseRealTime();

// The same merge when every chunk has to be decoded and re-encoded: all twelve blocks
// shifted onto one 2h range, as vertical compaction of replicas does.
void BM_VerticalCompactionOfReplicas(benchmark::State& state) {
  const DataSet& d = Data();
  double peak = 0;
  // Two replicas of the first 2h: the same series scraped 7 s apart, so every chunk overlaps
  // and is decoded, deduplicated and re-encoded.
  static std::shared_ptr<tsdb::BlockReader> replica = [&] {
    const auto& first = d.blocks[0]->meta();
    tsdb::BlockWriterOptions o;
    o.min_time = first.min_time;
    o.max_time = first.max_time;
    tsdb::BlockWriter w(o);
    std::vector<int64_t> ts;
    std::vector<double> vs;
    auto p = d.blocks[0]->index().AllPostings();
    Labels ls;
    std::vector<tsdb::index::ChunkMeta> metas;
    while (p->Next()) {
      metas.clear();
      d.blocks[0]->index().Series(p->At(), &ls, &metas);
      ts.clear();
      vs.clear();
      for (const auto& m : metas) {
        auto c = d.blocks[0]->chunks().Read(m.ref, m.min_time, m.max_time);
        chunkenc::DecodeXor(c->bytes(), &ts, &vs);
      }
      for (auto& t : ts) t = std::min(t + 7000, first.max_time - 1);
      ts.erase(std::unique(ts.begin(), ts.end()), ts.end());
      vs.resize(ts.size());
      w.AddSeries(ls, ts, vs);
    }
    auto meta = w.Write(d.dir + "/in-replica");
    return *tsdb::BlockReader::Open(d.dir + "/in-replica/" + meta->ulid.ToString());
  }();
  std::vector<std::shared_ptr<tsdb::BlockReader>> replicas = {d.blocks[0], replica};
  uint64_t samples = d.blocks[0]->meta().stats.num_samples + replica->meta().stats.num_samples;
  double anon = 0;
  for (auto _ : state) {
    const std::string out = d.dir + "/out-v";
    std::filesystem::remove_all(out);
    tsdb::BlockMeta meta;
    meta.ulid = tsdb::Ulid::NewNow();
    meta.thanos = tsdb::ThanosMeta{};
    MergeOptions mo;
    mo.mode = MergeMode::kPenalty;
    PeakMemory mem;
    auto r = MergeBlocks(replicas, out, meta, mo);
    mem.Stop();
    peak = std::max(peak, mem.hwm());
    anon = std::max(anon, mem.anon_growth());
    if (!r.ok()) state.SkipWithError("merge failed");
  }
  state.counters["anon_growth_MB"] = anon;
  state.counters["samples/s"] = benchmark::Counter(static_cast<double>(samples), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["peak_rss_MB"] = peak;
}
BENCHMARK(BM_VerticalCompactionOfReplicas)->Unit(benchmark::kMillisecond)->UseRealTime();

// Downsampling the compacted 24h block to 5m on `threads` threads.
void BM_DownsampleDayToFiveMinutes(benchmark::State& state) {
  const DataSet& d = Data();
  static std::shared_ptr<tsdb::BlockReader> day = [&] {
    tsdb::BlockMeta meta;
    meta.ulid = tsdb::Ulid::NewNow();
    meta.thanos = tsdb::ThanosMeta{};
    meta.thanos->labels = Labels{{"cluster", "bench"}};
    auto r = MergeBlocks(d.blocks, d.dir + "/day", meta);
    return *tsdb::BlockReader::Open(d.dir + "/day/" + meta.ulid.ToString());
  }();
  const uint64_t bytes = DirBytes(d.dir + "/day/" + day->meta().ulid.ToString());
  double peak = 0, anon = 0;
  for (auto _ : state) {
    const std::string out = d.dir + "/ds";
    std::filesystem::remove_all(out);
    BlockDownsampleOptions o;
    o.threads = static_cast<int>(state.range(0));
    PeakMemory mem;
    auto r = DownsampleBlock(*day, out, downsample::kResLevel1, o);
    mem.Stop();
    peak = std::max(peak, mem.hwm());
    anon = std::max(anon, mem.anon_growth());
    if (!r.ok()) state.SkipWithError(r.status().message().c_str());
  }
  state.counters["anon_growth_MB"] = anon;
  const double per_core = 1.0 / static_cast<double>(state.range(0));
  state.counters["samples/s"] = benchmark::Counter(static_cast<double>(day->meta().stats.num_samples), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["MB/s"] = benchmark::Counter(static_cast<double>(bytes) / 1e6, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["MB/s/core"] = benchmark::Counter(static_cast<double>(bytes) / 1e6 * per_core, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["peak_rss_MB"] = peak;
}
BENCHMARK(BM_DownsampleDayToFiveMinutes)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace meridian::compact

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  std::filesystem::remove_all(meridian::compact::Data().dir);
  return 0;
}
