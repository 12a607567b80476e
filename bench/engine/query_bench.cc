// Range-query throughput of the engine over in-memory XOR chunks: 10,000 series x 24h at a
// 15s scrape interval, step 60s. Reports decoded samples processed per second: each stored
// sample counts once (Prometheus's own "samples processed" statistic counts a sample once per
// step whose window holds it, 20 times here for a 5m range). BENCH_STEPS_PER_BATCH overrides
// the engine's batch size for experiments.

#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "promql/engine/engine.h"
#include "promql/parser/parse.h"
#include "storage/storage.h"
#include "tsdb/chunkenc/xor.h"

namespace meridian {
namespace {

constexpr int64_t kInterval = 15'000;
constexpr int64_t kDay = 24 * 3600 * 1000;
constexpr int kSeries = 10'000;
constexpr int kPerChunk = 120;

// A read-only Queryable over pre-encoded chunks (generated directly with XorEncoder, which
// is much faster than appending sample by sample).
class ChunkStore : public storage::Queryable {
 public:
  void Add(Labels labels, double inc) {
    storage::Series s;
    s.labels = std::move(labels);
    chunkenc::XorEncoder enc;
    int64_t first = 0;
    double v = 0;
    const int64_t n = kDay / kInterval;
    for (int64_t i = 0; i < n; ++i) {
      const int64_t t = i * kInterval;
      if (enc.empty()) first = t;
      v += inc;
      enc.Append(t, v);
      if (enc.num_samples() == kPerChunk || i == n - 1) {
        storage::Chunk c;
        c.min_time = first;
        c.max_time = t;
        c.data = std::make_shared<const std::string>(enc.Finish());
        s.chunks.push_back(std::move(c));
      }
    }
    series_.push_back(std::move(s));
  }
  void Sort() {
    std::sort(series_.begin(), series_.end(),
              [](const storage::Series& a, const storage::Series& b) { return a.labels < b.labels; });
  }

  std::unique_ptr<storage::Querier> NewQuerier(int64_t, int64_t) override {
    return std::make_unique<Q>(this);
  }

 private:
  class Set : public storage::SeriesSet {
   public:
    explicit Set(std::vector<storage::Series> s) : s_(std::move(s)) {}
    bool Next() override { return ++i_ < s_.size(); }
    storage::Series& At() override { return s_[i_]; }
    Status status() const override { return Status::Ok(); }

   private:
    std::vector<storage::Series> s_;
    size_t i_ = static_cast<size_t>(-1);
  };
  class Q : public storage::Querier {
   public:
    explicit Q(ChunkStore* st) : st_(st) {}
    std::unique_ptr<storage::SeriesSet> Select(bool, const storage::SelectHints&,
                                               const Matchers& ms) override {
      std::vector<storage::Series> out;
      for (const auto& s : st_->series_) {
        bool ok = true;
        for (const auto& m : ms) ok = ok && m->Matches(s.labels.Get(m->name()));
        if (ok) out.push_back(s);  // chunk bytes are shared, not copied
      }
      return std::make_unique<Set>(std::move(out));
    }
    StatusOr<std::vector<std::string>> LabelNames(const Matchers&) override {
      return std::vector<std::string>{};
    }
    StatusOr<std::vector<std::string>> LabelValues(const std::string&, const Matchers&) override {
      return std::vector<std::string>{};
    }

   private:
    ChunkStore* st_;
  };

  std::vector<storage::Series> series_;
};

ChunkStore& Store() {
  static ChunkStore* store = [] {
    auto* s = new ChunkStore();
    for (int i = 0; i < kSeries; ++i) {
      s->Add(Labels{{"__name__", "x"}, {"job", "job" + std::to_string(i % 10)},
                    {"instance", std::to_string(i)}},
             1 + i % 7);
    }
    // Classic histograms: 1,000 histograms x 10 buckets.
    const char* les[] = {"0.005", "0.01", "0.05", "0.1", "0.5", "1", "5", "10", "50", "+Inf"};
    for (int h = 0; h < kSeries / 10; ++h) {
      for (int b = 0; b < 10; ++b) {
        s->Add(Labels{{"__name__", "x_bucket"}, {"job", "job" + std::to_string(h % 10)},
                      {"instance", std::to_string(h)}, {"le", les[b]}},
               1 + b);
      }
    }
    s->Sort();
    return s;
  }();
  return *store;
}

void RunQuery(benchmark::State& state, const char* query, int parallelism = 1) {
  ChunkStore& store = Store();
  promql::ParseResult p = promql::ParseExpr(query);
  if (!p.ok()) {
    state.SkipWithError(p.ErrorString().c_str());
    return;
  }
  promql::engine::EngineOpts opts;
  opts.timeout_ms = 0;
  opts.max_parallelism = parallelism;
  if (const char* b = std::getenv("BENCH_STEPS_PER_BATCH")) opts.steps_per_batch = std::atoi(b);
  promql::engine::Engine engine(opts);
  int64_t processed = 0;
  for (auto _ : state) {
    auto r = engine.RangeQuery(&store, *p.expr, 0, kDay, 60'000);
    if (!r.ok()) {
      state.SkipWithError(r.status().message().c_str());
      return;
    }
    processed += r->samples_processed;
    benchmark::DoNotOptimize(r->value);
  }
  state.counters["samples/s"] =
      benchmark::Counter(static_cast<double>(processed), benchmark::Counter::kIsRate);
}

void BM_Rate(benchmark::State& state) { RunQuery(state, "rate(x[5m])"); }
void BM_SumByJobRate(benchmark::State& state) { RunQuery(state, "sum by (job) (rate(x[5m]))"); }
void BM_HistogramQuantile(benchmark::State& state) {
  RunQuery(state, "histogram_quantile(0.99, sum by (le) (rate(x_bucket[5m])))");
}

// The same with two workers for range functions (the machine's core count).
void BM_SumByJobRate2Threads(benchmark::State& state) {
  RunQuery(state, "sum by (job) (rate(x[5m]))", 2);
}

// The floor under every query above: decoding each chunk of the 10,000 series once into a
// reused buffer, with nothing evaluated.
void BM_DecodeOnly(benchmark::State& state) {
  ChunkStore& store = Store();
  auto querier = store.NewQuerier(0, kDay);
  storage::SelectHints hints;
  Matchers ms;
  std::string error;
  ms.push_back(Matcher::Make(MatchType::kEqual, "__name__", "x", &error));
  auto set = querier->Select(true, hints, ms);
  std::vector<storage::Series> series;
  while (set->Next()) series.push_back(set->At());
  std::vector<int64_t> ts;
  std::vector<double> vs;
  int64_t decoded = 0;
  for (auto _ : state) {
    for (const auto& s : series) {
      for (const auto& c : s.chunks) {
        ts.clear();
        vs.clear();
        if (!chunkenc::DecodeXor(c.bytes(), &ts, &vs).ok()) state.SkipWithError("decode failed");
        decoded += static_cast<int64_t>(ts.size());
      }
    }
    benchmark::DoNotOptimize(ts.data());
  }
  state.counters["samples/s"] = benchmark::Counter(static_cast<double>(decoded), benchmark::Counter::kIsRate);
}

BENCHMARK(BM_DecodeOnly)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_Rate)->Unit(benchmark::kMillisecond)->Iterations(2);
BENCHMARK(BM_SumByJobRate)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_HistogramQuantile)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_SumByJobRate2Threads)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

}  // namespace
}  // namespace meridian

BENCHMARK_MAIN();
