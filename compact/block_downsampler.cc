#include "compact/block_downsampler.h"

#include <filesystem>
#include <thread>
#include <vector>

#include "compact/downsample/downsample.h"
#include "tsdb/streaming_block_writer.h"

namespace meridian::compact {
namespace {

constexpr size_t kBatchSeries = 512;

struct SeriesWork {
  Labels labels;
  std::vector<storage::Chunk> in;
  StatusOr<std::vector<storage::Chunk>> out = std::vector<storage::Chunk>();
};

}  // namespace

StatusOr<std::optional<tsdb::BlockMeta>> DownsampleBlock(const tsdb::BlockReader& in,
                                                         const std::string& out_dir,
                                                         int64_t resolution,
                                                         const BlockDownsampleOptions& opts) {
  const tsdb::BlockMeta& src = in.meta();
  const int64_t in_res = src.thanos ? src.thanos->downsample_resolution : 0;
  if (in_res >= resolution) {
    return BadData(in.name() + ": cannot downsample resolution " + std::to_string(in_res) + " to " +
                   std::to_string(resolution));
  }
  tsdb::BlockMeta meta = src;
  meta.ulid = tsdb::Ulid::NewNow();
  if (!meta.thanos) meta.thanos = tsdb::ThanosMeta{};
  meta.thanos->downsample_resolution = resolution;
  meta.thanos->source = "compactor";
  auto writer = tsdb::StreamingBlockWriter::Create(out_dir, meta.ulid, in.index().symbols());
  if (!writer.ok()) return writer.status();

  auto postings = in.index().AllPostings();
  std::vector<SeriesWork> batch;
  std::vector<tsdb::index::ChunkMeta> metas;
  const int threads = std::max(1, opts.threads);
  bool more = true;
  while (more) {
    if (opts.stop && opts.stop->load(std::memory_order_relaxed)) {
      return Status(StatusCode::kCanceled, "downsampling canceled");
    }
    batch.clear();
    while (batch.size() < kBatchSeries && (more = postings->Next())) {
      SeriesWork w;
      metas.clear();
      if (Status s = in.index().Series(postings->At(), &w.labels, &metas); !s.ok()) return s.Wrap(in.name());
      for (const auto& cm : metas) {
        auto c = in.chunks().Read(cm.ref, cm.min_time, cm.max_time);
        if (!c.ok()) return c.status().Wrap(in.name() + ": " + w.labels.ToString());
        w.in.push_back(std::move(*c));
      }
      batch.push_back(std::move(w));
    }
    if (!postings->status().ok()) return postings->status().Wrap(in.name());
    // Series are independent: split the batch over the threads, then write in index order.
    std::atomic<size_t> next{0};
    auto run = [&] {
      for (size_t i; (i = next.fetch_add(1)) < batch.size();) {
        batch[i].out = downsample::DownsampleSeries(batch[i].in, in_res, resolution);
      }
    };
    std::vector<std::thread> pool;
    for (int t = 1; t < threads && static_cast<size_t>(t) < batch.size(); ++t) pool.emplace_back(run);
    run();
    for (auto& t : pool) t.join();
    for (auto& w : batch) {
      if (!w.out.ok()) return w.out.status().Wrap(in.name() + ": " + w.labels.ToString());
      if (Status s = (*writer)->AddSeries(w.labels, *w.out); !s.ok()) return s;
    }
  }
  auto written = (*writer)->Finish(std::move(meta));
  if (!written.ok()) return written.status();
  if (written->stats.num_samples == 0) {
    std::error_code ec;
    std::filesystem::remove_all(out_dir + "/" + written->ulid.ToString(), ec);
    return std::optional<tsdb::BlockMeta>();
  }
  return std::optional<tsdb::BlockMeta>(std::move(*written));
}

}  // namespace meridian::compact
