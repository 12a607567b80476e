// Series calls of the store-gateway over one 2h block of 10,000 series in a FILESYSTEM
// bucket: cold (fresh caches, ranged reads from the bucket) and warm (pages cached), with
// chunks and labels only. Reports series/s and wire bytes/s.

#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>

#include "objstore/filesystem/filesystem_bucket.h"
#include "storeapi/gateway/block_upload.h"
#include "storeapi/gateway/bucket_store.h"
#include "tsdb/block_writer.h"

namespace meridian::storeapi::gateway {
namespace {

constexpr int kSeries = 10000;
constexpr int64_t kHour = 3600 * 1000;

struct Fixture {
  std::string root;
  std::shared_ptr<objstore::Bucket> bucket;
  Fixture() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "meridian-gwbench-XXXXXX").string();
    root = ::mkdtemp(tmpl.data());
    std::filesystem::create_directories(root + "/bucket");
    auto opened = objstore::FilesystemBucket::Open(root + "/bucket");
    if (!opened.ok()) std::abort();
    bucket = std::shared_ptr<objstore::Bucket>(std::move(*opened));
    tsdb::BlockWriterOptions o;
    tsdb::ThanosMeta tm;
    tm.labels = Labels{{"cluster", "bench"}, {"replica", "a"}};
    o.thanos = tm;
    o.min_time = 0;
    o.max_time = 2 * kHour;
    tsdb::BlockWriter w(o);
    std::vector<int64_t> ts;
    std::vector<double> vs;
    for (int k = 0; k < kSeries; ++k) {
      ts.clear();
      vs.clear();
      for (int64_t t = 0; t < 2 * kHour; t += 15000) {
        ts.push_back(t + k % 7);
        vs.push_back(static_cast<double>(k) + static_cast<double>(t / 15000) * 0.5);
      }
      (void)w.AddSeries(Labels{{"__name__", "bench_metric_" + std::to_string(k % 10)},
                               {"instance", "host-" + std::to_string(k / 10)},
                               {"job", "bench"}},
                        ts, vs);
    }
    auto meta = w.Write(root);
    (void)UploadBlock(*bucket, root + "/" + meta->ulid.ToString());
  }
  ~Fixture() {
    std::error_code ec;
    std::filesystem::remove_all(root, ec);
  }
};

Fixture& F() {
  static Fixture f;
  return f;
}

std::shared_ptr<BucketStore> NewStore(const std::string& data_dir) {
  BucketStoreOptions o;
  o.data_dir = data_dir;
  auto s = *BucketStore::New(F().bucket, o);
  (void)s->Sync();
  return s;
}

void RunSeries(benchmark::State& state, bool cold, bool skip_chunks) {
  auto store = NewStore(F().root + "/data");
  thanos::SeriesRequest req;
  req.set_min_time(0);
  req.set_max_time(2 * kHour);
  req.set_skip_chunks(skip_chunks);
  auto* m = req.add_matchers();
  m->set_type(thanos::LabelMatcher::RE);
  m->set_name("__name__");
  m->set_value("bench_metric_.*");
  int64_t series = 0, bytes = 0;
  for (auto _ : state) {
    if (cold) {
      state.PauseTiming();
      store = NewStore(F().root + "/data");  // index-header stays on disk, caches start empty
      state.ResumeTiming();
    }
    auto stream = store->Series(req, CallContext{});
    thanos::SeriesResponse r;
    int64_t n = 0;
    while (stream->Next(&r)) {
      ++n;
      bytes += static_cast<int64_t>(r.ByteSizeLong());
    }
    if (!stream->status().ok() || n != kSeries) state.SkipWithError("unexpected stream result");
    series += n;
  }
  state.SetItemsProcessed(series);
  state.SetBytesProcessed(bytes);
}

void BM_SeriesWarm(benchmark::State& s) { RunSeries(s, false, false); }
void BM_SeriesCold(benchmark::State& s) { RunSeries(s, true, false); }
void BM_SeriesLabelsOnly(benchmark::State& s) { RunSeries(s, false, true); }
BENCHMARK(BM_SeriesWarm)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SeriesCold)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SeriesLabelsOnly)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace meridian::storeapi::gateway
