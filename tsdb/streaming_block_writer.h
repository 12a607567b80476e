#pragma once
// Writes one block directory series by series: each series' chunks go straight to the chunk
// segments and its index entry straight to the index file, so memory holds the symbol table
// and the postings, never the block. The compactor and the downsampler write through it;
// BlockWriter (which buffers and sorts for callers that add series in any order) does too.
//
//   auto w = StreamingBlockWriter::Create(dir, ulid, symbols);
//   w->AddSeries(labels, chunks);      // strictly increasing label order
//   StatusOr<BlockMeta> meta = w->Finish(meta_template);   // -> dir/<ULID>/

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "model/labels.h"
#include "model/status.h"
#include "storage/chunk.h"
#include "tsdb/block_meta.h"
#include "tsdb/chunks/chunk_format.h"
#include "tsdb/chunks/segment_writer.h"
#include "tsdb/index/index_writer.h"
#include "tsdb/ulid.h"

namespace meridian::tsdb {

// Samples a chunk holds as meta.json counts them: XOR samples, or an aggregate chunk's
// windows (the samples of its count sub-chunk), as Thanos's downsampler reports.
uint64_t ChunkSampleCount(const storage::Chunk& c);

class StreamingBlockWriter {
 public:
  // Starts writing into "<parent_dir>/<ULID>.tmp-for-creation". `symbols`: sorted, unique,
  // and a superset of every label name and value the series will use.
  static StatusOr<std::unique_ptr<StreamingBlockWriter>> Create(
      const std::string& parent_dir, Ulid ulid, std::vector<std::string> symbols,
      uint64_t segment_size = chunks::kDefaultSegmentSize);
  // Removes the temporary directory unless Finish succeeded.
  ~StreamingBlockWriter();
  StreamingBlockWriter(const StreamingBlockWriter&) = delete;
  StreamingBlockWriter& operator=(const StreamingBlockWriter&) = delete;

  // Chunks sorted by min_time. A series without chunks is skipped (a block has no empty
  // series).
  Status AddSeries(const Labels& labels, const std::vector<storage::Chunk>& chunks);

  // Writes the index, an empty tombstones file and meta.json, then renames the directory to
  // "<parent_dir>/<ULID>". From `meta` it keeps min/max time (when both are 0 they are taken
  // from the chunks), compaction and the thanos section; it sets the ULID, stats, and in the
  // thanos section segment_files, files and index_stats.
  StatusOr<BlockMeta> Finish(BlockMeta meta);

  const std::string& tmp_dir() const { return tmp_dir_; }
  uint64_t num_series() const { return stats_.num_series; }

 private:
  StreamingBlockWriter() = default;
  Status Fail(Status s);

  Ulid ulid_;
  std::string final_dir_;
  std::string tmp_dir_;
  std::unique_ptr<chunks::SegmentWriter> segments_;
  std::unique_ptr<index::IndexWriter> index_;
  BlockStats stats_;
  int64_t mint_ = std::numeric_limits<int64_t>::max();
  int64_t maxt_ = std::numeric_limits<int64_t>::min();
  std::vector<index::ChunkMeta> metas_;  // scratch for one series
  bool done_ = false;
};

}  // namespace meridian::tsdb
