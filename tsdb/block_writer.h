#pragma once
// Writes a complete block directory: chunks/ segments, index (v2), empty tombstones and
// meta.json with the Thanos section. Series are buffered in memory and written sorted by
// labels, so callers may add them in any order. Used by tests, the demo data generator and
// (later) downsampling.
//
//   BlockWriter w(opts);
//   w.AddSeries(labels, ts, vs);        // raw samples, cut into XOR chunks
//   w.AddChunks(labels, chunks);        // or pre-encoded chunks
//   StatusOr<BlockMeta> meta = w.Write("/data");   // -> /data/<ULID>/

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/labels.h"
#include "model/status.h"
#include "storage/chunk.h"
#include "tsdb/block_meta.h"
#include "tsdb/chunks/chunk_format.h"
#include "tsdb/ulid.h"

namespace meridian::tsdb {

struct BlockWriterOptions {
  // Thanos section to write (labels, downsample resolution, source); files and segment_files
  // are filled in by the writer. nullopt writes a plain Prometheus meta.json.
  std::optional<ThanosMeta> thanos = ThanosMeta{};
  int compaction_level = 1;
  std::optional<Ulid> ulid;            // default: a new ULID for the current time
  std::optional<int64_t> min_time;     // default: first sample
  std::optional<int64_t> max_time;     // default: last sample + 1 (exclusive)
  size_t samples_per_chunk = 120;      // as Prometheus's head cuts chunks
  uint64_t segment_size = chunks::kDefaultSegmentSize;
};

class BlockWriter {
 public:
  explicit BlockWriter(BlockWriterOptions opts = {}) : opts_(std::move(opts)) {}

  // Timestamps must be strictly increasing; ts and vs of equal length. A series with no
  // samples is skipped (a block holds no empty series). Labels with empty values are dropped,
  // as an empty value means "absent".
  Status AddSeries(const Labels& labels, const std::vector<int64_t>& ts,
                   const std::vector<double>& vs);
  // Pre-encoded chunks (XOR, or Thanos aggregate), sorted by min_time, non-overlapping.
  Status AddChunks(const Labels& labels, std::vector<storage::Chunk> chunks);

  // Writes <parent_dir>/<ULID>/ (through a temporary directory renamed at the end) and
  // returns the meta written. The writer can be reused afterwards only for a new block.
  StatusOr<BlockMeta> Write(const std::string& parent_dir);

 private:
  struct PendingSeries {
    Labels labels;
    std::vector<storage::Chunk> chunks;
  };
  BlockWriterOptions opts_;
  std::vector<PendingSeries> series_;
};

}  // namespace meridian::tsdb
