#include "storeapi/gateway/cached_chunk_reader.h"

namespace meridian::storeapi::gateway {

StatusOr<storage::Chunk> CachedChunkReader::Read(uint64_t ref, int64_t min_time, int64_t max_time) const {
  uint8_t kind = 0;
  if (auto data = cache_->Get(CacheKey{object_, ref}, &kind)) {
    storage::Chunk c;
    c.min_time = min_time;
    c.max_time = max_time;
    c.encoding = static_cast<storage::ChunkEncoding>(kind);
    c.data = std::move(data);
    return c;
  }
  auto c = segments_->Read(ref, min_time, max_time);
  if (c.ok()) cache_->Put(CacheKey{object_, ref}, c->data, static_cast<uint8_t>(c->encoding));
  return c;
}

}  // namespace meridian::storeapi::gateway
