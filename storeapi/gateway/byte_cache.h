#pragma once
// An in-memory LRU cache of byte strings bounded by the total bytes it holds. The store-gateway
// keeps pages of remote index and chunk files in it, so repeated queries over the same blocks
// do not go back to the bucket. Thread-safe.

#include <atomic>
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

class ByteCache {
 public:
  // max_bytes == 0 disables caching (every Get misses, Put drops).
  explicit ByteCache(uint64_t max_bytes) : max_bytes_(max_bytes) {}

  std::shared_ptr<const std::string> Get(const std::string& key);
  // Inserts or replaces; a value larger than the whole budget is not kept.
  void Put(const std::string& key, std::shared_ptr<const std::string> value);
  // Drops one key (bytes found damaged).
  void Erase(const std::string& key);
  // Drops every key that starts with `prefix` (a block that left the bucket).
  void EraseByPrefix(const std::string& prefix);

  ByteCacheStats stats() const;
  uint64_t max_bytes() const { return max_bytes_; }

 private:
  struct Entry {
    std::string key;
    std::shared_ptr<const std::string> value;
  };
  void EvictLocked();

  const uint64_t max_bytes_;
  mutable std::mutex mu_;
  std::list<Entry> lru_;  // front = most recently used
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
  ByteCacheStats stats_;
};

}  // namespace meridian::storeapi::gateway
