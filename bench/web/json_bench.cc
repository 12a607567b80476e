// Cost of writing query responses: a range-query matrix and an instant vector in
// Prometheus's JSON, the part of every API call that is ours rather than the engine's.

#include <benchmark/benchmark.h>

#include "web/api/result_json.h"

namespace {

using namespace meridian;  // NOLINT

promql::engine::QueryResult MakeMatrix(int series, int points) {
  promql::engine::Matrix m;
  for (int s = 0; s < series; ++s) {
    promql::engine::SeriesResult r;
    r.labels = Labels{{"__name__", "http_requests_total"}, {"code", "200"}, {"instance", "host-" + std::to_string(s)},
                      {"job", "api"}};
    for (int p = 0; p < points; ++p) r.points.push_back({1700000000000 + p * 15000, 0.1 * p + s / 3.0});
    m.push_back(std::move(r));
  }
  promql::engine::QueryResult res;
  res.value = std::move(m);
  return res;
}

void BM_MatrixJson(benchmark::State& state) {
  auto res = MakeMatrix(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)));
  size_t bytes = 0;
  for (auto _ : state) {
    web::JsonWriter w;
    w.StartObject();
    bool truncated;
    web::WriteQueryResult(res, 0, &w, &truncated);
    w.EndObject();
    bytes = w.Output().size();
    benchmark::DoNotOptimize(bytes);
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes) * state.iterations());
  state.SetItemsProcessed(state.range(0) * state.range(1) * state.iterations());
}
BENCHMARK(BM_MatrixJson)->Args({100, 240})->Args({1000, 60});

void BM_VectorJson(benchmark::State& state) {
  promql::engine::Vector v;
  for (int s = 0; s < state.range(0); ++s) {
    v.push_back({Labels{{"__name__", "up"}, {"instance", "host-" + std::to_string(s)}, {"job", "node"}},
                 1700000000050, 1.0 / (s + 1)});
  }
  promql::engine::QueryResult res;
  res.value = std::move(v);
  for (auto _ : state) {
    web::JsonWriter w;
    w.StartObject();
    bool truncated;
    web::WriteQueryResult(res, 0, &w, &truncated);
    w.EndObject();
    benchmark::DoNotOptimize(w.Output().size());
  }
  state.SetItemsProcessed(state.range(0) * state.iterations());
}
BENCHMARK(BM_VectorJson)->Arg(10000);

}  // namespace

BENCHMARK_MAIN();
