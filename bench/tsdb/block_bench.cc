// Postings intersection and series lookup over a block of 100k series written by BlockWriter.

#include <benchmark/benchmark.h>

#include <filesystem>
#include <memory>
#include <random>

#include "tsdb/block_reader.h"
#include "tsdb/block_writer.h"
#include "tsdb/postings_for_matchers.h"

namespace meridian::tsdb {
namespace {

constexpr int kSeries = 100'000;  // 20 metrics x 10 jobs x 500 instances

MatcherPtr Make(MatchType t, const std::string& n, const std::string& v) {
  std::string err;
  return Matcher::Make(t, n, v, &err);
}

// Written once per process into a temp dir, removed at exit.
struct Fixture {
  std::string dir;
  std::shared_ptr<BlockReader> block;

  Fixture() {
    dir = (std::filesystem::temp_directory_path() /
           ("meridian-tsdb-bench-" + std::to_string(::getpid())))
              .string();
    std::filesystem::create_directories(dir);
    BlockWriter w;
    std::vector<int64_t> ts;
    std::vector<double> vs;
    for (int i = 0; i < 120; ++i) {
      ts.push_back(1'700'000'000'000 + i * 15'000);
      vs.push_back(i);
    }
    for (int m = 0; m < 20; ++m) {
      for (int j = 0; j < 10; ++j) {
        for (int i = 0; i < 500; ++i) {
          Labels ls{{"__name__", "metric_" + std::to_string(m)},
                    {"instance", "host-" + std::to_string(i)},
                    {"job", "job-" + std::to_string(j)}};
          if (!w.AddSeries(ls, ts, vs).ok()) std::abort();
        }
      }
    }
    auto meta = w.Write(dir);
    if (!meta.ok()) std::abort();
    auto b = BlockReader::Open(dir + "/" + meta->ulid.ToString());
    if (!b.ok()) std::abort();
    block = *b;
  }
  ~Fixture() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

Fixture& F() {
  static Fixture f;
  return f;
}

// {__name__="metric_3", job="job-5"}: 5,000 and 10,000 entry lists -> 500 results.
void BM_PostingsIntersect(benchmark::State& state) {
  auto& ix = F().block->index();
  int64_t items = 0;
  for (auto _ : state) {
    std::vector<index::PostingsPtr> its;
    its.push_back(ix.Postings("__name__", "metric_3"));
    its.push_back(ix.Postings("job", "job-5"));
    auto p = index::Intersect(std::move(its));
    int64_t n = 0;
    while (p->Next()) ++n;
    benchmark::DoNotOptimize(n);
    items += 5'000 + 10'000;  // entries read from disk
  }
  state.SetItemsProcessed(items);
}
BENCHMARK(BM_PostingsIntersect);

// All-series list intersected with a regex over 500 instance values and a negative matcher.
void BM_PostingsForMatchersRegex(benchmark::State& state) {
  auto& ix = F().block->index();
  Matchers ms = {Make(MatchType::kRegexp, "instance", "host-1.*"),
                 Make(MatchType::kNotEqual, "job", "job-0"),
                 Make(MatchType::kEqual, "__name__", "metric_7")};
  int64_t results = 0;
  for (auto _ : state) {
    auto p = PostingsForMatchers(ix, ms);
    while (p->Next()) ++results;
  }
  state.SetItemsProcessed(results);
}
BENCHMARK(BM_PostingsForMatchersRegex);

// Decoding series entries (labels + chunk metas) by ID, in index order.
void BM_SeriesLookup(benchmark::State& state) {
  auto& ix = F().block->index();
  auto all = index::ExpandPostings(*ix.AllPostings());
  std::vector<uint64_t> ids = *all;
  std::mt19937 rng(1);
  std::shuffle(ids.begin(), ids.end(), rng);
  ids.resize(10'000);
  Labels ls;
  std::vector<index::ChunkMeta> metas;
  int64_t items = 0;
  for (auto _ : state) {
    for (uint64_t id : ids) {
      if (!ix.Series(id, &ls, &metas).ok()) std::abort();
    }
    items += static_cast<int64_t>(ids.size());
  }
  state.SetItemsProcessed(items);
}
BENCHMARK(BM_SeriesLookup);

// End to end: Select with chunks read from the segment file.
void BM_SelectWithChunks(benchmark::State& state) {
  auto q = F().block->NewQuerier(INT64_MIN, INT64_MAX);
  Matchers ms = {Make(MatchType::kEqual, "__name__", "metric_3"),
                 Make(MatchType::kRegexp, "job", "job-1|job-2")};
  int64_t items = 0;
  for (auto _ : state) {
    auto set = q->Select(true, {}, ms);
    while (set->Next()) ++items;
    if (!set->status().ok()) std::abort();
  }
  state.SetItemsProcessed(items);
}
BENCHMARK(BM_SelectWithChunks);

}  // namespace
}  // namespace meridian::tsdb
