#pragma once
// A block's chunks behind a cache of verified chunk bodies: a chunk's checksum is checked once,
// when its bytes come from the bucket, and every later read hands out the cached bytes
// themselves (a reference count, no copy, no CRC, one integer-keyed lookup).

#include <cstdint>
#include <memory>

#include "storeapi/gateway/byte_cache.h"
#include "tsdb/chunks/segment_reader.h"

namespace meridian::storeapi::gateway {

class CachedChunkReader final : public tsdb::chunks::ChunkReader {
 public:
  // `object`: the block's chunk id in `cache` (BlockObjects::chunks()).
  CachedChunkReader(std::unique_ptr<tsdb::chunks::SegmentReader> segments, std::shared_ptr<ByteCache> cache,
                    uint64_t object)
      : segments_(std::move(segments)), cache_(std::move(cache)), object_(object) {}

  StatusOr<storage::Chunk> Read(uint64_t ref, int64_t min_time, int64_t max_time) const override;
  bool Cached(uint64_t ref) const { return cache_->Contains(CacheKey{object_, ref}); }
  // How many of the block's chunks the cache holds.
  uint64_t CachedCount() const { return cache_->CountOf(object_); }

 private:
  std::unique_ptr<tsdb::chunks::SegmentReader> segments_;
  std::shared_ptr<ByteCache> cache_;
  uint64_t object_;
};

}  // namespace meridian::storeapi::gateway
