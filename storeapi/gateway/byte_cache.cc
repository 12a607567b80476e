#include "storeapi/gateway/byte_cache.h"

#include <atomic>

namespace meridian::storeapi::gateway {

namespace {
// Map slot, entry and allocation overhead, so many small entries cannot exceed the budget much.
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
  Slot& s = slots_[it->second];
  s.referenced = true;
  if (kind) *kind = s.kind;
  return s.value;
}

bool ByteCache::Contains(const CacheKey& key) const {
  std::lock_guard<std::mutex> l(mu_);
  return index_.contains(key);
}

void ByteCache::Put(const CacheKey& key, std::shared_ptr<const std::string> value, uint8_t kind) {
  if (!value || Cost(*value) > max_bytes_) return;
  std::lock_guard<std::mutex> l(mu_);
  const uint64_t cost = Cost(*value);
  if (auto it = index_.find(key); it != index_.end()) {
    Slot& s = slots_[it->second];
    stats_.bytes -= Cost(*s.value);
    s.value = std::move(value);
    s.kind = kind;
    s.referenced = true;
    stats_.bytes += cost;
  } else {
    uint32_t slot;
    if (!free_.empty()) {
      slot = free_.back();
      free_.pop_back();
    } else {
      slot = static_cast<uint32_t>(slots_.size());
      slots_.emplace_back();
    }
    // New entries start unflagged: one never read again is the first to go.
    slots_[slot] = Slot{key, std::move(value), kind, false};
    index_.emplace(key, slot);
    ++per_object_[key.object];
    stats_.bytes += cost;
    ++stats_.items;
  }
  EvictLocked();
}

void ByteCache::EraseLocked(uint32_t slot) {
  Slot& s = slots_[slot];
  stats_.bytes -= Cost(*s.value);
  index_.erase(s.key);
  if (auto it = per_object_.find(s.key.object); it != per_object_.end() && --it->second == 0) per_object_.erase(it);
  s.value.reset();
  s.referenced = false;
  free_.push_back(slot);
  --stats_.items;
}

void ByteCache::EvictLocked() {
  // Each pass clears the flags it meets, so the hand finds a victim within two rounds.
  while (stats_.bytes > max_bytes_ && stats_.items > 0) {
    if (hand_ >= slots_.size()) hand_ = 0;
    Slot& s = slots_[hand_];
    if (s.value) {
      if (s.referenced) {
        s.referenced = false;
      } else {
        EraseLocked(static_cast<uint32_t>(hand_));
        ++stats_.evictions;
      }
    }
    ++hand_;
  }
}

uint64_t ByteCache::CountOf(uint64_t object) const {
  std::lock_guard<std::mutex> l(mu_);
  auto it = per_object_.find(object);
  return it == per_object_.end() ? 0 : it->second;
}

void ByteCache::Erase(const CacheKey& key) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = index_.find(key);
  if (it != index_.end()) EraseLocked(it->second);
}

void ByteCache::EraseBlock(const BlockObjects& block) {
  std::lock_guard<std::mutex> l(mu_);
  for (uint32_t i = 0; i < slots_.size(); ++i) {
    if (slots_[i].value && block.Owns(slots_[i].key.object)) EraseLocked(i);
  }
}

ByteCacheStats ByteCache::stats() const {
  std::lock_guard<std::mutex> l(mu_);
  return stats_;
}

}  // namespace meridian::storeapi::gateway
