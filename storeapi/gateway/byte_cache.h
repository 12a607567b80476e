#pragma once
// An in-memory cache of byte strings bounded by the total bytes it holds. The store-gateway
// keeps pages of remote index files and verified chunk bodies in it, so repeated queries over
// the same blocks do not go back to the bucket.
//
// A query looks up hundreds of thousands of chunks, so a hit must cost little: keys are two
// integers (an object id and an offset in it) in an open-addressing map, and eviction is CLOCK
// (a hit sets a flag; the hand skips flagged entries once) rather than LRU, whose list splice
// touches three more cache lines per hit. Thread-safe.

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <absl/container/flat_hash_map.h>

namespace meridian::storeapi::gateway {

struct ByteCacheStats {
  uint64_t hits = 0;
  uint64_t misses = 0;
  uint64_t evictions = 0;
  uint64_t bytes = 0;  // payload bytes held now
  uint64_t items = 0;
};

// What a cached value belongs to. Object ids are handed out per block (BlockObjects), so the
// entries of a block that leaves the bucket can be dropped together.
struct CacheKey {
  uint64_t object = 0;
  uint64_t offset = 0;
  bool operator==(const CacheKey& o) const { return object == o.object && offset == o.offset; }
  template <typename H>
  friend H AbslHashValue(H h, const CacheKey& k) {
    return H::combine(std::move(h), k.object, k.offset);
  }
};

// The object ids of one block: its index, each chunk segment, and its chunks as a whole.
class BlockObjects {
 public:
  // A fresh range of ids, never handed out before in this process.
  static BlockObjects Next();
  uint64_t index() const { return base_; }
  uint64_t segment(uint64_t i) const { return base_ + 2 + i; }
  uint64_t chunks() const { return base_ + 1; }
  bool Owns(uint64_t object) const { return (object >> kShift) == (base_ >> kShift); }

 private:
  static constexpr int kShift = 24;  // up to 16M segment files per block
  explicit BlockObjects(uint64_t base) : base_(base) {}
  uint64_t base_;
};

class ByteCache {
 public:
  // max_bytes == 0 disables caching (every Get misses, Put drops).
  explicit ByteCache(uint64_t max_bytes) : max_bytes_(max_bytes) {}

  // The value and the kind byte it was stored with.
  std::shared_ptr<const std::string> Get(const CacheKey& key, uint8_t* kind = nullptr);
  // Whether the key is cached; counts nothing and leaves the LRU order alone.
  bool Contains(const CacheKey& key) const;
  // Inserts or replaces; a value larger than the whole budget is not kept. `kind` is an
  // opaque byte kept with the value (a chunk's encoding).
  void Put(const CacheKey& key, std::shared_ptr<const std::string> value, uint8_t kind = 0);
  // Entries held for one object.
  uint64_t CountOf(uint64_t object) const;
  // Drops one key (bytes found damaged).
  void Erase(const CacheKey& key);
  // Drops every entry of a block that left the bucket.
  void EraseBlock(const BlockObjects& block);

  ByteCacheStats stats() const;
  uint64_t max_bytes() const { return max_bytes_; }

 private:
  struct Slot {
    CacheKey key;
    std::shared_ptr<const std::string> value;  // null: a free slot
    uint8_t kind = 0;
    bool referenced = false;  // hit since the hand last passed
  };
  void EvictLocked();
  void EraseLocked(uint32_t slot);

  const uint64_t max_bytes_;
  mutable std::mutex mu_;
  absl::flat_hash_map<CacheKey, uint32_t> index_;  // key -> slot
  absl::flat_hash_map<uint64_t, uint64_t> per_object_;  // object -> entries
  std::vector<Slot> slots_;
  std::vector<uint32_t> free_;
  size_t hand_ = 0;
  ByteCacheStats stats_;
};

}  // namespace meridian::storeapi::gateway
