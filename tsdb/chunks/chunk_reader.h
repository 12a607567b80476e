#pragma once
// Reads a block's chunks by reference. The segment files on disk are one implementation
// (segment_reader.h); the store-gateway puts a cache of verified chunks in front of remote
// segments (storeapi/gateway/cached_chunk_reader.h).

#include <cstdint>

#include "model/status.h"
#include "storage/chunk.h"

namespace meridian::tsdb::chunks {

class ChunkReader {
 public:
  virtual ~ChunkReader() = default;
  // Reads one chunk, its checksum verified. Damage gives kCorrupt; an intact chunk in an
  // encoding Meridian does not read yet gives kExecution naming the encoding.
  virtual StatusOr<storage::Chunk> Read(uint64_t ref, int64_t min_time, int64_t max_time) const = 0;
};

}  // namespace meridian::tsdb::chunks
