#pragma once
// A chunk as it travels between stores and the engine: encoded bytes with an explicit kind.
// The engine decodes each chunk once per query; stores pass bytes through without decoding.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace meridian::storage {

// Meridian's own enumeration. On-disk (chunkenc: XOR=1, Histogram=2, FloatHistogram=3),
// StoreAPI (XOR=0, ...) and remote-read (XOR=1, ...) numbers differ; map explicitly at each
// boundary, never cast.
enum class ChunkEncoding : uint8_t {
  kXOR,             // Gorilla float chunk (tsdb/chunkenc/xor.h)
  kHistogram,       // native histogram chunk (not decoded yet)
  kFloatHistogram,  // float native histogram chunk (not decoded yet)
  kAggregate,       // Thanos downsampled chunk: count, sum, min, max, counter sub-chunks
};

struct Chunk {
  int64_t min_time = 0;  // ms, inclusive
  int64_t max_time = 0;  // ms, inclusive
  ChunkEncoding encoding = ChunkEncoding::kXOR;
  // Shared so a chunk read once (cache, wire message) can be handed out without copies.
  std::shared_ptr<const std::string> data;
  // Which partition of the series the chunk came from when several sources (HA replicas,
  // stores) sent the same labels; chunks of one source do not overlap in time. Deduplication
  // merges sources as replicas; plain decoding merges all chunks by timestamp.
  uint32_t source = 0;

  std::string_view bytes() const { return data ? std::string_view(*data) : std::string_view(); }
};

}  // namespace meridian::storage
