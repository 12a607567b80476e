#include "storeapi/gateway/byte_cache.h"

namespace meridian::storeapi::gateway {

namespace {
// Map node, list node and key overhead, so many small entries cannot exceed the budget much.
constexpr uint64_t kEntryOverhead = 96;
uint64_t Cost(const std::string& key, const std::string& value) {
  return key.size() + value.size() + kEntryOverhead;
}
}  // namespace

std::shared_ptr<const std::string> ByteCache::Get(const std::string& key) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = index_.find(key);
  if (it == index_.end()) {
    ++stats_.misses;
    return nullptr;
  }
  ++stats_.hits;
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->value;
}

void ByteCache::Put(const std::string& key, std::shared_ptr<const std::string> value) {
  if (!value || Cost(key, *value) > max_bytes_) return;
  std::lock_guard<std::mutex> l(mu_);
  if (auto it = index_.find(key); it != index_.end()) {
    stats_.bytes -= Cost(key, *it->second->value);
    it->second->value = std::move(value);
    stats_.bytes += Cost(key, *it->second->value);
    lru_.splice(lru_.begin(), lru_, it->second);
  } else {
    stats_.bytes += Cost(key, *value);
    lru_.push_front(Entry{key, std::move(value)});
    index_.emplace(key, lru_.begin());
    ++stats_.items;
  }
  EvictLocked();
}

void ByteCache::EvictLocked() {
  while (stats_.bytes > max_bytes_ && !lru_.empty()) {
    Entry& victim = lru_.back();
    stats_.bytes -= Cost(victim.key, *victim.value);
    index_.erase(victim.key);
    lru_.pop_back();
    --stats_.items;
    ++stats_.evictions;
  }
}

void ByteCache::Erase(const std::string& key) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = index_.find(key);
  if (it == index_.end()) return;
  stats_.bytes -= Cost(it->second->key, *it->second->value);
  lru_.erase(it->second);
  index_.erase(it);
  --stats_.items;
}

void ByteCache::EraseByPrefix(const std::string& prefix) {
  std::lock_guard<std::mutex> l(mu_);
  for (auto it = lru_.begin(); it != lru_.end();) {
    if (it->key.compare(0, prefix.size(), prefix) == 0) {
      stats_.bytes -= Cost(it->key, *it->value);
      index_.erase(it->key);
      it = lru_.erase(it);
      --stats_.items;
    } else {
      ++it;
    }
  }
}

ByteCacheStats ByteCache::stats() const {
  std::lock_guard<std::mutex> l(mu_);
  return stats_;
}

}  // namespace meridian::storeapi::gateway
