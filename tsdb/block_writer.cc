#include "tsdb/block_writer.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>

#include "tsdb/chunkenc/xor.h"
#include "tsdb/streaming_block_writer.h"

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
  std::vector<std::string> symbols;
  for (const auto& s : series_) {
    for (const Label& l : s.labels) {
      symbols.push_back(l.name);
      symbols.push_back(l.value);
    }
  }
  std::sort(symbols.begin(), symbols.end());
  symbols.erase(std::unique(symbols.begin(), symbols.end()), symbols.end());

  const Ulid ulid = opts_.ulid ? *opts_.ulid : Ulid::NewNow();
  auto w = StreamingBlockWriter::Create(parent_dir, ulid, std::move(symbols), opts_.segment_size);
  if (!w.ok()) return w.status();
  int64_t mint = std::numeric_limits<int64_t>::max();
  int64_t maxt = std::numeric_limits<int64_t>::min();
  for (const auto& s : series_) {
    if (Status st = (*w)->AddSeries(s.labels, s.chunks); !st.ok()) return st;
    mint = std::min(mint, s.chunks.front().min_time);
    maxt = std::max(maxt, s.chunks.back().max_time);
  }
  BlockMeta meta;
  if (series_.empty()) mint = maxt = 0;
  meta.min_time = opts_.min_time ? *opts_.min_time : mint;
  meta.max_time = opts_.max_time ? *opts_.max_time
                                 : (series_.empty() ? 0 : (maxt == std::numeric_limits<int64_t>::max() ? maxt : maxt + 1));
  meta.compaction.level = opts_.compaction_level;
  meta.compaction.sources = {ulid};
  meta.thanos = opts_.thanos;
  auto out = (*w)->Finish(std::move(meta));
  if (out.ok()) series_.clear();
  return out;
}

}  // namespace meridian::tsdb
