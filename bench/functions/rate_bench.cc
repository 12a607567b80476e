// Throughput of the rate kernel over 20-sample windows (a 5m window at 15s scrapes), the
// shape a range query over many series feeds it. Reports samples/s.

#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "promql/engine/functions/range_functions.h"

namespace {

using meridian::promql::functions::Rate;
using meridian::promql::functions::RangeWindow;

void BM_Rate20(benchmark::State& state) {
  constexpr size_t kWindow = 20;
  constexpr int64_t kScrape = 15000;
  // One long counter with a reset every 1000 samples; windows slide one sample at a time.
  const size_t total = 100000;
  std::vector<int64_t> ts(total);
  std::vector<double> vs(total);
  double v = 0;
  for (size_t i = 0; i < total; ++i) {
    ts[i] = static_cast<int64_t>(i) * kScrape + static_cast<int64_t>(i % 7);  // jitter
    v = (i % 1000 == 0) ? 0 : v + static_cast<double>(i % 13);
    vs[i] = v;
  }
  size_t start = 0;
  double sink = 0;
  for (auto _ : state) {
    RangeWindow w;
    w.ts = ts.data() + start;
    w.vs = vs.data() + start;
    w.n = kWindow;
    w.range_end_ms = ts[start + kWindow - 1] + 1000;
    w.range_start_ms = w.range_end_ms - 300000;
    sink += *Rate(w);
    start = (start + 1) % (total - kWindow);
  }
  benchmark::DoNotOptimize(sink);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kWindow));
  state.counters["samples/s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * kWindow), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Rate20);

}  // namespace

BENCHMARK_MAIN();
