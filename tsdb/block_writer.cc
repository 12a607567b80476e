#include "tsdb/block_writer.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>

#include "tsdb/chunkenc/xor.h"
#include "tsdb/chunks/segment_writer.h"
#include "tsdb/index/index_writer.h"
#include "tsdb/tombstones.h"

namespace meridian::tsdb {
namespace fs = std::filesystem;
namespace {

// An empty label value means the label is absent (Prometheus never stores one).
Labels WithoutEmptyValues(const Labels& in) {
  bool any = false;
  for (const Label& l : in) any = any || l.value.empty();
  if (!any) return in;
  std::vector<Label> out;
  for (const Label& l : in) {
    if (!l.value.empty()) out.push_back(l);
  }
  return Labels::FromSorted(std::move(out));
}

}  // namespace

Status BlockWriter::AddSeries(const Labels& input, const std::vector<int64_t>& ts,
                              const std::vector<double>& vs) {
  const Labels labels = WithoutEmptyValues(input);
  if (labels.empty()) return BadData("block writer: series with an empty label set");
  if (ts.size() != vs.size()) {
    return BadData("block writer: " + labels.ToString() + ": " + std::to_string(ts.size()) +
                   " timestamps but " + std::to_string(vs.size()) + " values");
  }
  if (opts_.samples_per_chunk == 0 || opts_.samples_per_chunk > chunkenc::XorEncoder::kMaxSamples) {
    return BadData("block writer: samples_per_chunk must be in [1, 65535]");
  }
  if (ts.empty()) return Status::Ok();
  PendingSeries s{labels, {}};
  chunkenc::XorEncoder enc;
  int64_t first = 0;
  auto cut = [&](int64_t last) {
    storage::Chunk c;
    c.min_time = first;
    c.max_time = last;
    c.encoding = storage::ChunkEncoding::kXOR;
    c.data = std::make_shared<const std::string>(enc.Finish());
    s.chunks.push_back(std::move(c));
  };
  for (size_t i = 0; i < ts.size(); ++i) {
    if (i > 0 && ts[i] <= ts[i - 1]) {
      return BadData("block writer: " + labels.ToString() +
                     ": timestamps not strictly increasing at " + std::to_string(ts[i]));
    }
    if (enc.empty()) first = ts[i];
    enc.Append(ts[i], vs[i]);
    if (enc.num_samples() >= opts_.samples_per_chunk) cut(ts[i]);
  }
  if (!enc.empty()) cut(ts.back());
  series_.push_back(std::move(s));
  return Status::Ok();
}

Status BlockWriter::AddChunks(const Labels& input, std::vector<storage::Chunk> chunks) {
  const Labels labels = WithoutEmptyValues(input);
  if (labels.empty()) return BadData("block writer: series with an empty label set");
  for (size_t i = 0; i < chunks.size(); ++i) {
    const auto& c = chunks[i];
    if (c.encoding != storage::ChunkEncoding::kXOR &&
        c.encoding != storage::ChunkEncoding::kAggregate) {
      return BadData("block writer: " + labels.ToString() +
                     ": only XOR and aggregate chunks can be written");
    }
    if (c.min_time > c.max_time || (i > 0 && c.min_time <= chunks[i - 1].max_time)) {
      return BadData("block writer: " + labels.ToString() +
                     ": chunks must be ordered and non-overlapping");
    }
  }
  if (chunks.empty()) return Status::Ok();
  series_.push_back({labels, std::move(chunks)});
  return Status::Ok();
}

StatusOr<BlockMeta> BlockWriter::Write(const std::string& parent_dir) {
  std::sort(series_.begin(), series_.end(),
            [](const PendingSeries& a, const PendingSeries& b) { return a.labels < b.labels; });
  for (size_t i = 1; i < series_.size(); ++i) {
    if (series_[i - 1].labels == series_[i].labels) {
      return BadData("block writer: series " + series_[i].labels.ToString() + " added twice");
    }
  }

  BlockMeta meta;
  meta.ulid = opts_.ulid ? *opts_.ulid : Ulid::NewNow();
  const std::string ulid = meta.ulid.ToString();
  const std::string final_dir = parent_dir + "/" + ulid;
  const std::string tmp_dir = final_dir + ".tmp-for-creation";
  std::error_code ec;
  fs::remove_all(tmp_dir, ec);
  fs::create_directories(tmp_dir, ec);
  if (ec) return UnavailableError("create " + tmp_dir + ": " + ec.message());
  auto cleanup_on_error = [&](Status s) {
    std::error_code ignored;
    fs::remove_all(tmp_dir, ignored);
    return s.Wrap("write block " + ulid);
  };

  auto sw = chunks::SegmentWriter::Create(tmp_dir + "/chunks", opts_.segment_size);
  if (!sw.ok()) return cleanup_on_error(sw.status());
  std::vector<index::IndexSeries> idx;
  idx.reserve(series_.size());
  int64_t mint = std::numeric_limits<int64_t>::max();
  int64_t maxt = std::numeric_limits<int64_t>::min();
  for (const auto& s : series_) {
    index::IndexSeries is{s.labels, {}};
    for (const auto& c : s.chunks) {
      auto ref = (*sw)->WriteChunk(chunks::ToDiskEncoding(c.encoding), c.bytes());
      if (!ref.ok()) return cleanup_on_error(ref.status());
      is.chunks.push_back({*ref, c.min_time, c.max_time});
      ++meta.stats.num_chunks;
      // Aggregate chunks hold several sub-chunks; only XOR sample counts are known here.
      if (c.encoding == storage::ChunkEncoding::kXOR) {
        meta.stats.num_samples += chunkenc::XorNumSamples(c.bytes());
      }
      mint = std::min(mint, c.min_time);
      maxt = std::max(maxt, c.max_time);
    }
    idx.push_back(std::move(is));
  }
  if (Status s = (*sw)->Close(); !s.ok()) return cleanup_on_error(s);
  meta.stats.num_series = series_.size();
  if (series_.empty()) mint = maxt = 0;
  meta.min_time = opts_.min_time ? *opts_.min_time : mint;
  meta.max_time = opts_.max_time ? *opts_.max_time : (series_.empty() ? 0 : (maxt == std::numeric_limits<int64_t>::max() ? maxt : maxt + 1));
  if (!series_.empty() && (mint < meta.min_time || maxt >= meta.max_time)) {
    return cleanup_on_error(BadData("samples fall outside the block's [min_time, max_time)"));
  }

  auto encoded = index::EncodeIndex(idx);
  if (!encoded.ok()) return cleanup_on_error(encoded.status());
  {
    std::ofstream out(tmp_dir + "/index", std::ios::binary | std::ios::trunc);
    out.write(encoded->bytes.data(), static_cast<std::streamsize>(encoded->bytes.size()));
    out.flush();
    if (!out) return cleanup_on_error(UnavailableError("write index: write failed"));
  }
  if (Status s = WriteTombstonesFile(tmp_dir, Tombstones()); !s.ok()) return cleanup_on_error(s);

  meta.compaction.level = opts_.compaction_level;
  meta.compaction.sources = {meta.ulid};
  if (opts_.thanos) {
    ThanosMeta t = *opts_.thanos;
    t.segment_files = (*sw)->segment_files();
    t.files.clear();
    for (const auto& f : t.segment_files) {
      t.files.push_back({"chunks/" + f, static_cast<int64_t>(fs::file_size(tmp_dir + "/chunks/" + f, ec))});
    }
    t.files.push_back({"index", static_cast<int64_t>(encoded->bytes.size())});
    t.files.push_back({"meta.json", 0});
    ThanosIndexStats stats;
    stats.series_max_size = static_cast<int64_t>(encoded->series_max_size);
    stats.chunk_max_size = static_cast<int64_t>((*sw)->max_chunk_record_size());
    t.index_stats = stats;
    meta.thanos = std::move(t);
  }
  if (Status s = WriteBlockMetaFile(tmp_dir, meta); !s.ok()) return cleanup_on_error(s);

  fs::remove_all(final_dir, ec);
  fs::rename(tmp_dir, final_dir, ec);
  if (ec) return cleanup_on_error(UnavailableError("rename to " + final_dir + ": " + ec.message()));
  series_.clear();
  return meta;
}

}  // namespace meridian::tsdb
