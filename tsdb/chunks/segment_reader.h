#pragma once
// Reads chunks from a block's segment files by chunk reference, verifying each chunk's CRC32C.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "model/status.h"
#include "storage/chunk.h"
#include "tsdb/byte_source.h"
#include "tsdb/chunks/chunk_reader.h"

namespace meridian::tsdb::chunks {

class SegmentReader final : public ChunkReader {
 public:
  // Takes the segments in file-name order (reference segment numbers index into it) and checks
  // each header.
  static StatusOr<std::unique_ptr<SegmentReader>> Open(
      std::vector<std::unique_ptr<ByteSource>> segments);
  // Opens every regular file in `chunks_dir`, sorted by name.
  static StatusOr<std::unique_ptr<SegmentReader>> OpenDir(const std::string& chunks_dir);

  // Reads one chunk. Damage gives kCorrupt; an intact chunk in an encoding Meridian does not
  // read yet (native histograms, newer encodings) gives kExecution naming the encoding.
  StatusOr<storage::Chunk> Read(uint64_t ref, int64_t min_time, int64_t max_time) const override;

  size_t num_segments() const { return segments_.size(); }

 private:
  explicit SegmentReader(std::vector<std::unique_ptr<ByteSource>> s) : segments_(std::move(s)) {}
  std::vector<std::unique_ptr<ByteSource>> segments_;
};

}  // namespace meridian::tsdb::chunks
