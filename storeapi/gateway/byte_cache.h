#pragma once
// An in-memory LRU cache of byte strings bounded by the total bytes it holds. The store-gateway
// keeps pages of remote index files and verified chunk bodies in it, so repeated queries over
// the same blocks do not go back to the bucket. Keys are integers (an object id and an offset
// in it): a lookup hashes two words, not a string built for the occasion. Thread-safe.

#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

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
  // Drops one key (bytes found damaged).
  void Erase(const CacheKey& key);
  // Drops every entry of a block that left the bucket.
  void EraseBlock(const BlockObjects& block);

  ByteCacheStats stats() const;
  uint64_t max_bytes() const { return max_bytes_; }

 private:
  struct Entry {
    CacheKey key;
    std::shared_ptr<const std::string> value;
    uint8_t kind = 0;
  };
  struct KeyHash {
    size_t operator()(const CacheKey& k) const {
      return static_cast<size_t>((k.object * 0x9E3779B97F4A7C15ull) ^ (k.offset + (k.offset << 17)));
    }
  };
  void EvictLocked();
  void EraseLocked(std::list<Entry>::iterator it);

  const uint64_t max_bytes_;
  mutable std::mutex mu_;
  std::list<Entry> lru_;  // front = most recently used
  std::unordered_map<CacheKey, std::list<Entry>::iterator, KeyHash> index_;
  ByteCacheStats stats_;
};

}  // namespace meridian::storeapi::gateway
