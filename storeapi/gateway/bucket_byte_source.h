#pragma once
// A tsdb::ByteSource over one object in a bucket, read with ranged GETs in fixed-size pages
// that go through a shared byte-bounded cache. Readers that know what they will need next
// (the series and chunks of a selection) call Prefetch first: the pages of all those ranges
// are fetched with as few GETs as possible, merging ranges whose gaps are small, as Thanos's
// gap-based partitioner does. Some ranges may be served from a local file instead (the
// index-header: TOC, symbol table, postings offset table).

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "objstore/bucket.h"
#include "storeapi/gateway/byte_cache.h"
#include "tsdb/byte_source.h"

namespace meridian::storeapi::gateway {

struct RangeReadOptions {
  uint64_t page_size = 16 << 10;
  // Two wanted ranges closer than this are fetched with one GET, gap included.
  uint64_t max_gap = 64 << 10;
};

// Shared counters of the bucket traffic, for metrics and tests.
struct FetchCounters {
  std::atomic<uint64_t> requests{0};
  std::atomic<uint64_t> bytes{0};
};

// Bytes [offset, offset+length) of the object, stored at local_offset of a local source.
struct LocalRegion {
  uint64_t offset = 0;
  uint64_t length = 0;
  uint64_t local_offset = 0;
};

using ByteRange = std::pair<uint64_t, uint64_t>;  // offset, length

class BucketByteSource final : public tsdb::ByteSource {
 public:
  // `cache_object`: the object's id in `cache` (BlockObjects).
  BucketByteSource(std::shared_ptr<objstore::Bucket> bucket, std::string object, uint64_t size,
                   std::shared_ptr<ByteCache> cache, uint64_t cache_object, RangeReadOptions opts,
                   std::shared_ptr<FetchCounters> counters);

  // Serves `regions` from `local` from now on (set once, before concurrent use).
  void SetLocal(std::unique_ptr<tsdb::ByteSource> local, std::vector<LocalRegion> regions);

  uint64_t Size() const override { return size_; }
  StatusOr<std::string_view> Read(uint64_t offset, uint64_t length,
                                  std::string* scratch) const override;
  const std::string& name() const override { return object_; }
  // Drops the cached pages of the range, so a repaired object is fetched again.
  void Invalidate(uint64_t offset, uint64_t length) const override;

  // Loads the pages of `ranges` into the cache with merged GETs. Ranges are clipped to the
  // object; stops early (without error) once it has fetched half the cache's budget, since
  // more would evict what it just loaded.
  Status Prefetch(std::vector<ByteRange> ranges) const;

 private:
  CacheKey PageKey(uint64_t page) const;
  // Fetches pages [lo, hi] with one GET, caches them, and stores them in out[page - first].
  Status FetchPages(uint64_t lo, uint64_t hi, uint64_t first,
                    std::vector<std::shared_ptr<const std::string>>* out) const;

  std::shared_ptr<objstore::Bucket> bucket_;
  std::string object_;
  uint64_t cache_object_;
  uint64_t size_;
  std::shared_ptr<ByteCache> cache_;
  RangeReadOptions opts_;
  std::shared_ptr<FetchCounters> counters_;
  std::unique_ptr<tsdb::ByteSource> local_;
  std::vector<LocalRegion> regions_;
};

}  // namespace meridian::storeapi::gateway
