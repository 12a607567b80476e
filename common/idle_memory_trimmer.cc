#include "common/idle_memory_trimmer.h"

#include <malloc.h>

namespace meridian {
namespace {
int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
}  // namespace

IdleMemoryTrimmer::IdleMemoryTrimmer(std::chrono::milliseconds idle_after)
    : idle_after_(idle_after), thread_([this] { Loop(); }) {}

IdleMemoryTrimmer::~IdleMemoryTrimmer() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void IdleMemoryTrimmer::End() {
  last_end_ns_.store(NowNs(), std::memory_order_relaxed);
  dirty_.store(true, std::memory_order_relaxed);
  in_flight_.fetch_sub(1, std::memory_order_relaxed);
}

void IdleMemoryTrimmer::Loop() {
  std::unique_lock<std::mutex> l(mu_);
  while (!stop_) {
    cv_.wait_for(l, idle_after_ / 2, [this] { return stop_; });
    if (stop_) break;
    if (!dirty_.load() || in_flight_.load() > 0) continue;
    if (NowNs() - last_end_ns_.load() < std::chrono::nanoseconds(idle_after_).count()) continue;
    dirty_.store(false);
    l.unlock();
    malloc_trim(0);
    trims_.fetch_add(1);
    l.lock();
  }
}

}  // namespace meridian
