#include "storeapi/gateway/byte_cache.h"

#include <atomic>

namespace meridian::storeapi::gateway {

namespace {
// Map node, list node and key overhead, so many small entries cannot exceed the budget much.
constexpr uint64_t kEntryOverhead = 96;
uint64_t Cost(const std::string& value) { return value.size() + kEntryOverhead; }
}  // namespace

BlockObjects BlockObjects::Next() {
  static std::atomic<uint64_t> next{1};
  return BlockObjects(next.fetch_add(1) << kShift);
}

std::shared_ptr<const std::string> ByteCache::Get(const CacheKey& key, uint8_t* kind) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = index_.find(key);
  if (it == index_.end()) {
    ++stats_.misses;
    return nullptr;
  }
  ++stats_.hits;
  lru_.splice(lru_.begin(), lru_, it->second);
  if (kind) *kind = it->second->kind;
  return it->second->value;
}

bool ByteCache::Contains(const CacheKey& key) const {
  std::lock_guard<std::mutex> l(mu_);
  return index_.count(key) > 0;
}

void ByteCache::Put(const CacheKey& key, std::shared_ptr<const std::string> value, uint8_t kind) {
  if (!value || Cost(*value) > max_bytes_) return;
  std::lock_guard<std::mutex> l(mu_);
  if (auto it = index_.find(key); it != index_.end()) {
    stats_.bytes -= Cost(*it->second->value);
    it->second->value = std::move(value);
    it->second->kind = kind;
    stats_.bytes += Cost(*it->second->value);
    lru_.splice(lru_.begin(), lru_, it->second);
  } else {
    stats_.bytes += Cost(*value);
    lru_.push_front(Entry{key, std::move(value), kind});
    index_.emplace(key, lru_.begin());
    ++stats_.items;
  }
  EvictLocked();
}

void ByteCache::EraseLocked(std::list<Entry>::iterator it) {
  stats_.bytes -= Cost(*it->value);
  index_.erase(it->key);
  lru_.erase(it);
  --stats_.items;
}

void ByteCache::EvictLocked() {
  while (stats_.bytes > max_bytes_ && !lru_.empty()) {
    EraseLocked(std::prev(lru_.end()));
    ++stats_.evictions;
  }
}

void ByteCache::Erase(const CacheKey& key) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = index_.find(key);
  if (it != index_.end()) EraseLocked(it->second);
}

void ByteCache::EraseBlock(const BlockObjects& block) {
  std::lock_guard<std::mutex> l(mu_);
  for (auto it = lru_.begin(); it != lru_.end();) {
    auto next = std::next(it);
    if (block.Owns(it->key.object)) EraseLocked(it);
    it = next;
  }
}

ByteCacheStats ByteCache::stats() const {
  std::lock_guard<std::mutex> l(mu_);
  return stats_;
}

}  // namespace meridian::storeapi::gateway
