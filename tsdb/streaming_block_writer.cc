#include "tsdb/streaming_block_writer.h"

#include <filesystem>

#include "tsdb/chunkenc/aggr.h"
#include "tsdb/chunkenc/xor.h"
#include "tsdb/tombstones.h"

namespace meridian::tsdb {
namespace fs = std::filesystem;

uint64_t ChunkSampleCount(const storage::Chunk& c) {
  switch (c.encoding) {
    case storage::ChunkEncoding::kXOR:
      return chunkenc::XorNumSamples(c.bytes());
    case storage::ChunkEncoding::kAggregate: {
      auto parts = chunkenc::ParseAggrChunk(c.bytes());
      if (!parts.ok()) return 0;
      const auto& count = (*parts)[chunkenc::AggrType::kCount];
      return count ? chunkenc::XorNumSamples(count->data) : 0;
    }
    default:
      return 0;
  }
}

StatusOr<std::unique_ptr<StreamingBlockWriter>> StreamingBlockWriter::Create(
    const std::string& parent_dir, Ulid ulid, std::vector<std::string> symbols,
    uint64_t segment_size) {
  std::unique_ptr<StreamingBlockWriter> w(new StreamingBlockWriter());
  w->ulid_ = ulid;
  w->final_dir_ = parent_dir + "/" + ulid.ToString();
  w->tmp_dir_ = w->final_dir_ + ".tmp-for-creation";
  std::error_code ec;
  fs::remove_all(w->tmp_dir_, ec);
  fs::create_directories(w->tmp_dir_, ec);
  if (ec) return UnavailableError("create " + w->tmp_dir_ + ": " + ec.message());
  auto sw = chunks::SegmentWriter::Create(w->tmp_dir_ + "/chunks", segment_size);
  if (!sw.ok()) return w->Fail(sw.status());
  w->segments_ = std::move(*sw);
  auto sink = index::NewFileIndexSink(w->tmp_dir_ + "/index");
  if (!sink.ok()) return w->Fail(sink.status());
  auto iw = index::IndexWriter::Create(std::move(*sink), std::move(symbols));
  if (!iw.ok()) return w->Fail(iw.status());
  w->index_ = std::move(*iw);
  return w;
}

StreamingBlockWriter::~StreamingBlockWriter() {
  if (!done_ && !tmp_dir_.empty()) {
    segments_.reset();
    index_.reset();
    std::error_code ec;
    fs::remove_all(tmp_dir_, ec);
  }
}

Status StreamingBlockWriter::Fail(Status s) {
  return s.Wrap("write block " + ulid_.ToString());
}

Status StreamingBlockWriter::AddSeries(const Labels& labels,
                                       const std::vector<storage::Chunk>& chunks) {
  if (done_) return InternalError("block writer: series added after Finish");
  if (chunks.empty()) return Status::Ok();
  metas_.clear();
  for (size_t i = 0; i < chunks.size(); ++i) {
    const storage::Chunk& c = chunks[i];
    if (c.min_time > c.max_time || (i > 0 && c.min_time <= chunks[i - 1].max_time)) {
      return Fail(BadData(labels.ToString() + ": chunks must be ordered and non-overlapping"));
    }
    auto ref = segments_->WriteChunk(chunks::ToDiskEncoding(c.encoding), c.bytes());
    if (!ref.ok()) return Fail(ref.status());
    metas_.push_back({*ref, c.min_time, c.max_time});
    ++stats_.num_chunks;
    stats_.num_samples += ChunkSampleCount(c);
    mint_ = std::min(mint_, c.min_time);
    maxt_ = std::max(maxt_, c.max_time);
  }
  if (Status s = index_->AddSeries(labels, metas_); !s.ok()) return Fail(s);
  ++stats_.num_series;
  return Status::Ok();
}

StatusOr<BlockMeta> StreamingBlockWriter::Finish(BlockMeta meta) {
  if (done_) return InternalError("block writer: Finish called twice");
  if (Status s = segments_->Close(); !s.ok()) return Fail(s);
  if (Status s = index_->Finish(); !s.ok()) return Fail(s);
  if (Status s = WriteTombstonesFile(tmp_dir_, Tombstones()); !s.ok()) return Fail(s);

  meta.ulid = ulid_;
  meta.stats.num_samples = stats_.num_samples;
  meta.stats.num_series = stats_.num_series;
  meta.stats.num_chunks = stats_.num_chunks;
  meta.stats.num_tombstones = 0;
  if (meta.min_time == 0 && meta.max_time == 0 && stats_.num_chunks > 0) {
    meta.min_time = mint_;
    meta.max_time = maxt_ == std::numeric_limits<int64_t>::max() ? maxt_ : maxt_ + 1;
  }
  if (stats_.num_chunks > 0 && (mint_ < meta.min_time || maxt_ >= meta.max_time)) {
    return Fail(BadData("samples fall outside the block's [min_time, max_time)"));
  }
  if (meta.thanos) {
    ThanosMeta& t = *meta.thanos;
    std::error_code ec;
    t.segment_files = segments_->segment_files();
    t.files.clear();
    for (const auto& f : t.segment_files) {
      t.files.push_back({"chunks/" + f, static_cast<int64_t>(fs::file_size(tmp_dir_ + "/chunks/" + f, ec))});
    }
    t.files.push_back({"index", static_cast<int64_t>(index_->bytes_written())});
    t.files.push_back({"meta.json", 0});
    ThanosIndexStats stats;
    stats.series_max_size = static_cast<int64_t>(index_->series_max_size());
    stats.chunk_max_size = static_cast<int64_t>(segments_->max_chunk_record_size());
    t.index_stats = stats;
  }
  if (Status s = WriteBlockMetaFile(tmp_dir_, meta); !s.ok()) return Fail(s);
  std::error_code ec;
  fs::remove_all(final_dir_, ec);
  fs::rename(tmp_dir_, final_dir_, ec);
  if (ec) return Fail(UnavailableError("rename to " + final_dir_ + ": " + ec.message()));
  done_ = true;
  return meta;
}

}  // namespace meridian::tsdb
