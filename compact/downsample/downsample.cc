#include "compact/downsample/downsample.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "model/value.h"
#include "tsdb/chunkenc/aggr.h"
#include "tsdb/chunkenc/counter_resets.h"
#include "tsdb/chunkenc/xor.h"

namespace meridian::compact::downsample {

namespace {

using chunkenc::AggrParts;
using chunkenc::AggrSubChunk;
using chunkenc::AggrType;

// Thanos sizes raw output chunks as if the raw data were scraped once a minute.
constexpr int64_t kAssumedRawResolution = 60000;

std::string EncodingName(storage::ChunkEncoding e) {
  switch (e) {
    case storage::ChunkEncoding::kXOR: return "XOR";
    case storage::ChunkEncoding::kHistogram: return "histogram";
    case storage::ChunkEncoding::kFloatHistogram: return "float histogram";
    case storage::ChunkEncoding::kAggregate: return "aggregate";
  }
  return "unknown";
}

Status HistogramUnsupported(storage::ChunkEncoding e, size_t index) {
  return ExecutionError("downsample: chunk " + std::to_string(index) + " has encoding " + EncodingName(e) +
                        ": native histograms are not supported yet");
}

// Thanos's expandChunkIterator: stale markers are dropped, and so is a sample earlier than the
// last kept one. The last kept time starts at 0 for every chunk, so negative timestamps are
// dropped and equal ones (the counter's "last raw value" repeat) kept.
void AppendExpanded(const std::vector<int64_t>& ts, const std::vector<double>& vs, std::vector<Sample>* out) {
  int64_t last_t = 0;
  for (size_t i = 0; i < ts.size(); ++i) {
    if (std::bit_cast<uint64_t>(vs[i]) == kStaleNaNBits) continue;
    if (ts[i] < last_t) continue;
    out->push_back({ts[i], vs[i]});
    last_t = ts[i];
  }
}

Status ExpandXor(std::string_view chunk, std::vector<Sample>* out) {
  std::vector<int64_t> ts;
  std::vector<double> vs;
  if (Status s = chunkenc::DecodeXor(chunk, &ts, &vs); !s.ok()) return s;
  AppendExpanded(ts, vs, out);
  return Status::Ok();
}

// The five sub-chunks of one output chunk, and the span of its window stamps.
class AggrChunkBuilder {
 public:
  void Append(AggrType type, int64_t t, double v) {
    const auto i = static_cast<size_t>(type);
    used_[i] = true;
    // A sub-chunk holds at most 65535 samples; the chunk count keeps real chunks near 140
    // windows, so only absurd inputs get here.
    if (!encoders_[i].Append(t, v) && status_.ok()) {
      status_ = ExecutionError(std::string("downsample: more than 65535 samples in one ") +
                               chunkenc::AggrTypeName(type) + " sub-chunk");
    }
  }

  // Thanos takes min/max over the stamps of the windows it writes. It starts from
  // (MaxInt64, MinInt64) in one version and from each aggregate's (0, 0) when that aggregate
  // is absent in another, which pulls min_time down to 0; only written windows count here.
  void NoteWindow(int64_t t) {
    min_t_ = std::min(min_t_, t);
    max_t_ = std::max(max_t_, t);
    any_window_ = true;
  }

  // The chunk, or nothing when no sub-chunk received a sample.
  StatusOr<std::optional<storage::Chunk>> Finish() {
    if (!status_.ok()) return status_;
    AggrParts parts;
    bool any = false;
    for (size_t i = 0; i < chunkenc::kAggrTypeCount; ++i) {
      // Never an empty sub-chunk (Thanos #5272): an aggregate without samples is absent.
      if (!used_[i]) continue;
      parts.entries[i] = AggrSubChunk{chunkenc::kAggrSubChunkXOR, encoders_[i].Finish()};
      any = true;
    }
    if (!any || !any_window_) return std::optional<storage::Chunk>();
    storage::Chunk c;
    c.min_time = min_t_;
    c.max_time = max_t_;
    c.encoding = storage::ChunkEncoding::kAggregate;
    c.data = std::make_shared<const std::string>(chunkenc::EncodeAggrChunk(parts));
    return std::optional<storage::Chunk>(std::move(c));
  }

 private:
  std::array<chunkenc::XorEncoder, chunkenc::kAggrTypeCount> encoders_;
  std::array<bool, chunkenc::kAggrTypeCount> used_{};
  int64_t min_t_ = std::numeric_limits<int64_t>::max();
  int64_t max_t_ = std::numeric_limits<int64_t>::min();
  bool any_window_ = false;
  Status status_;
};

// One raw batch (NaN-free, not empty) as one output chunk.
StatusOr<std::optional<storage::Chunk>> DownsampleRawBatch(std::span<const Sample> batch, int64_t resolution) {
  AggrChunkBuilder b;
  // The first raw value, so that the next reader can tell a reset before this chunk.
  b.Append(AggrType::kCounter, batch.front().t, batch.front().v);
  const int64_t last_stamp = AggregateWindows(batch, resolution, [&](int64_t t, const WindowAggregator& a) {
    b.NoteWindow(t);
    b.Append(AggrType::kCount, t, static_cast<double>(a.count));
    b.Append(AggrType::kSum, t, a.sum);
    b.Append(AggrType::kMin, t, a.min);
    b.Append(AggrType::kMax, t, a.max);
    b.Append(AggrType::kCounter, t, a.counter);
  });
  // The last raw value, under the last window's timestamp (see CounterResetsIterator).
  b.Append(AggrType::kCounter, last_stamp, batch.back().v);
  return b.Finish();
}

// One part (whole input chunks, all sub-chunks XOR) as one output chunk.
StatusOr<std::optional<storage::Chunk>> DownsampleAggrPart(std::span<const AggrParts> part, int64_t resolution) {
  AggrChunkBuilder b;
  std::vector<Sample> buf;
  std::vector<int64_t> ts;
  std::vector<double> vs;

  // count, sum, min and max: all of the part's samples of that aggregate, re-windowed. A count
  // window is the sum of the counts in it.
  for (AggrType type : {AggrType::kCount, AggrType::kSum, AggrType::kMin, AggrType::kMax}) {
    buf.clear();
    for (size_t k = 0; k < part.size(); ++k) {
      const auto& sub = part[k][type];
      if (!sub) continue;
      ts.clear();
      vs.clear();
      if (Status s = chunkenc::DecodeAggrSubChunk(*sub, &ts, &vs); !s.ok()) {
        return s.Wrap(std::string("downsample: ") + chunkenc::AggrTypeName(type) + " sub-chunk");
      }
      AppendExpanded(ts, vs, &buf);
    }
    if (buf.empty()) continue;
    AggregateWindows(buf, resolution, [&](int64_t t, const WindowAggregator& a) {
      b.NoteWindow(t);
      double v = a.sum;
      if (type == AggrType::kMin) v = a.min;
      if (type == AggrType::kMax) v = a.max;
      b.Append(type, t, v);
    });
  }

  // counter: the part's counter sub-chunks made monotonic across chunk boundaries, then
  // re-windowed with the first raw value in front and the last raw value behind, as for raw
  // data.
  std::vector<std::string_view> counters;
  for (const AggrParts& c : part) {
    if (c[AggrType::kCounter]) counters.push_back(c[AggrType::kCounter]->data);
  }
  chunkenc::CounterResetsIterator it(std::move(counters));
  buf.clear();
  int64_t last_t = 0;  // expandChunkIterator over the iterator, as for any chunk
  while (it.Next()) {
    if (std::bit_cast<uint64_t>(it.v()) == kStaleNaNBits || it.t() < last_t) continue;
    buf.push_back({it.t(), it.v()});
    last_t = it.t();
  }
  if (!it.status().ok()) return it.status().Wrap("downsample");
  if (!buf.empty()) {
    b.Append(AggrType::kCounter, buf.front().t, buf.front().v);
    const int64_t last_stamp = AggregateWindows(buf, resolution, [&](int64_t t, const WindowAggregator& a) {
      b.NoteWindow(t);
      b.Append(AggrType::kCounter, t, a.counter);
    });
    b.Append(AggrType::kCounter, last_stamp, it.last_raw());
  }
  return b.Finish();
}

Status AppendIfAny(StatusOr<std::optional<storage::Chunk>> c, std::vector<storage::Chunk>* out) {
  if (!c.ok()) return c.status();
  if (*c) out->push_back(std::move(**c));
  return Status::Ok();
}

StatusOr<std::vector<storage::Chunk>> RawLoop(std::span<const Sample> data, int64_t resolution, int64_t num_chunks) {
  num_chunks = std::max<int64_t>(num_chunks, 1);
  const size_t batch_size = data.size() / static_cast<uint64_t>(num_chunks) + 1;
  std::vector<storage::Chunk> out;
  std::vector<Sample> batch;
  size_t pos = 0;
  while (pos < data.size()) {
    size_t end = pos + std::min(batch_size, data.size() - pos);
    // Take the rest of the window the cut fell in, so no window straddles two chunks.
    const int64_t window_end = CurrentWindow(data[end - 1].t, resolution);
    while (end < data.size() && data[end].t <= window_end) ++end;
    // NaN values (normal ones; stale markers are gone) are dropped only now, after the cut.
    batch.clear();
    for (size_t k = pos; k < end; ++k) {
      if (!std::isnan(data[k].v)) batch.push_back(data[k]);
    }
    pos = end;
    if (batch.empty()) continue;
    if (Status s = AppendIfAny(DownsampleRawBatch(batch, resolution), &out); !s.ok()) return s;
  }
  return out;
}

StatusOr<std::vector<storage::Chunk>> AggrLoop(std::span<const AggrParts> chunks, int64_t resolution,
                                               int64_t num_chunks) {
  num_chunks = std::max<int64_t>(num_chunks, 1);
  // Thanos uses len/num_chunks without the raw path's +1, so there can be more parts than
  // num_chunks; and when num_chunks > len its part size is 0 and its loop never advances.
  // A part holds at least one chunk here.
  const size_t part_size = std::max<size_t>(chunks.size() / static_cast<uint64_t>(num_chunks), 1);
  std::vector<storage::Chunk> out;
  for (size_t pos = 0; pos < chunks.size(); pos += part_size) {
    const size_t n = std::min(part_size, chunks.size() - pos);
    if (Status s = AppendIfAny(DownsampleAggrPart(chunks.subspan(pos, n), resolution), &out); !s.ok()) return s;
  }
  return out;
}

// Parses an aggregate chunk and checks that every sub-chunk is one this build can read.
StatusOr<AggrParts> ParseFloatAggregate(const storage::Chunk& c, size_t index) {
  auto parts = chunkenc::ParseAggrChunk(c.bytes());
  if (!parts.ok()) return parts.status().Wrap("downsample: chunk " + std::to_string(index));
  for (AggrType type : chunkenc::kAllAggrTypes) {
    const auto& sub = (*parts)[type];
    if (!sub) continue;
    switch (sub->encoding) {
      case chunkenc::kAggrSubChunkXOR: break;
      case chunkenc::kAggrSubChunkHistogram:
      case chunkenc::kAggrSubChunkFloatHistogram:
        return ExecutionError("downsample: chunk " + std::to_string(index) + ": " + chunkenc::AggrTypeName(type) +
                              " sub-chunk has encoding " +
                              (sub->encoding == chunkenc::kAggrSubChunkHistogram ? "histogram" : "float histogram") +
                              ": native histograms are not supported yet");
      default:
        return CorruptError("downsample: chunk " + std::to_string(index) + ": " + chunkenc::AggrTypeName(type) +
                            " sub-chunk has unknown encoding " + std::to_string(sub->encoding));
    }
  }
  return parts;
}

StatusOr<std::vector<storage::Chunk>> DownsampleRawSeries(const std::vector<storage::Chunk>& chunks,
                                                          int64_t out_resolution) {
  std::vector<Sample> all;
  for (size_t i = 0; i < chunks.size(); ++i) {
    const storage::Chunk& c = chunks[i];
    switch (c.encoding) {
      case storage::ChunkEncoding::kXOR:
        if (Status s = ExpandXor(c.bytes(), &all); !s.ok()) return s.Wrap("downsample: chunk " + std::to_string(i));
        break;
      case storage::ChunkEncoding::kHistogram:
      case storage::ChunkEncoding::kFloatHistogram: return HistogramUnsupported(c.encoding, i);
      case storage::ChunkEncoding::kAggregate:
        return CorruptError("downsample: chunk " + std::to_string(i) + " of a raw block is an aggregate chunk");
    }
  }
  return DownsampleRaw(all, out_resolution);
}

StatusOr<std::vector<storage::Chunk>> DownsampleAggrSeries(const std::vector<storage::Chunk>& chunks,
                                                           int64_t in_resolution, int64_t out_resolution) {
  std::vector<AggrParts> parts;
  std::optional<int64_t> mint;
  int64_t maxt = 0;
  std::vector<Sample> samples;
  for (size_t i = 0; i < chunks.size(); ++i) {
    const storage::Chunk& c = chunks[i];
    switch (c.encoding) {
      case storage::ChunkEncoding::kAggregate: {
        auto p = ParseFloatAggregate(c, i);
        if (!p.ok()) return p.status();
        parts.push_back(std::move(*p));
        break;
      }
      case storage::ChunkEncoding::kXOR: {
        // Thanos #5272: downsampled blocks can hold empty XOR chunks; they are skipped. Other
        // raw chunks are downsampled at 5m first (Thanos hard-codes ResLevel1 here).
        if (chunkenc::XorNumSamples(c.bytes()) == 0) continue;
        samples.clear();
        if (Status s = ExpandXor(c.bytes(), &samples); !s.ok()) return s.Wrap("downsample: chunk " + std::to_string(i));
        auto converted = DownsampleRaw(samples, kResLevel1);
        if (!converted.ok()) return converted.status();
        if (converted->empty()) continue;  // nothing but NaN: nothing to contribute
        for (const storage::Chunk& cc : *converted) {
          auto p = chunkenc::ParseAggrChunk(cc.bytes());
          if (!p.ok()) return p.status().Wrap("downsample: converted chunk");
          parts.push_back(std::move(*p));
        }
        break;
      }
      case storage::ChunkEncoding::kHistogram:
      case storage::ChunkEncoding::kFloatHistogram: return HistogramUnsupported(c.encoding, i);
    }
    // The range the chunk count is computed over: Thanos takes the first and last chunk of the
    // series, skipped ones included; skipped chunks are left out here, as their times carry no
    // data (Thanos's own test of #5272 gives them MaxInt64/MinInt64).
    if (!mint) mint = c.min_time;
    maxt = c.max_time;
  }
  if (parts.empty()) return std::vector<storage::Chunk>();
  // NumSamples of an aggregate chunk is the sample count of its count sub-chunk (its windows).
  uint64_t windows = 0;
  for (const AggrParts& p : parts) {
    if (p[AggrType::kCount]) windows += chunkenc::XorNumSamples(p[AggrType::kCount]->data);
  }
  const int64_t num_chunks = TargetChunkCount(*mint, maxt, in_resolution, out_resolution, windows);
  return AggrLoop(parts, out_resolution, num_chunks);
}

}  // namespace

StatusOr<std::vector<storage::Chunk>> DownsampleSeries(const std::vector<storage::Chunk>& chunks,
                                                       int64_t in_resolution, int64_t out_resolution) {
  if (in_resolution < 0 || out_resolution <= 0) {
    return BadData("downsample: resolutions must be >= 0 (input) and > 0 (target), got " +
                   std::to_string(in_resolution) + " and " + std::to_string(out_resolution));
  }
  if (in_resolution >= out_resolution) {
    return BadData("downsample: target resolution " + std::to_string(out_resolution) +
                   " ms is not coarser than the block's " + std::to_string(in_resolution) + " ms");
  }
  for (size_t i = 1; i < chunks.size(); ++i) {
    if (chunks[i - 1].max_time >= chunks[i].min_time) {
      return CorruptError("downsample: overlapping chunks: chunk " + std::to_string(i - 1) + " [" +
                          std::to_string(chunks[i - 1].min_time) + ", " + std::to_string(chunks[i - 1].max_time) +
                          "] and chunk " + std::to_string(i) + " [" + std::to_string(chunks[i].min_time) + ", " +
                          std::to_string(chunks[i].max_time) +
                          "]; chunks must be ordered by min time and must not overlap");
    }
  }
  if (in_resolution == kResLevel0) return DownsampleRawSeries(chunks, out_resolution);
  return DownsampleAggrSeries(chunks, in_resolution, out_resolution);
}

StatusOr<std::vector<storage::Chunk>> DownsampleRaw(std::span<const Sample> samples, int64_t resolution) {
  if (samples.empty()) return std::vector<storage::Chunk>();
  if (resolution <= 0) return BadData("downsample: resolution must be > 0");
  const int64_t num_chunks = TargetChunkCount(samples.front().t, samples.back().t, kAssumedRawResolution, resolution,
                                              samples.size());
  return RawLoop(samples, resolution, num_chunks);
}

namespace detail {

StatusOr<std::vector<storage::Chunk>> DownsampleRawLoop(std::span<const Sample> samples, int64_t resolution,
                                                        int64_t num_chunks) {
  if (resolution <= 0) return BadData("downsample: resolution must be > 0");
  return RawLoop(samples, resolution, num_chunks);
}

StatusOr<std::vector<storage::Chunk>> DownsampleAggrLoop(const std::vector<storage::Chunk>& chunks,
                                                         int64_t resolution, int64_t num_chunks) {
  if (resolution <= 0) return BadData("downsample: resolution must be > 0");
  std::vector<AggrParts> parts;
  for (size_t i = 0; i < chunks.size(); ++i) {
    if (chunks[i].encoding != storage::ChunkEncoding::kAggregate) {
      return BadData("downsample: chunk " + std::to_string(i) + " is not an aggregate chunk");
    }
    auto p = ParseFloatAggregate(chunks[i], i);
    if (!p.ok()) return p.status();
    parts.push_back(std::move(*p));
  }
  return AggrLoop(parts, resolution, num_chunks);
}

}  // namespace detail

}  // namespace meridian::compact::downsample
