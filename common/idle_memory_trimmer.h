#pragma once
// Gives freed heap memory back to the system once a server goes idle. glibc keeps the pages
// of freed allocations in its arenas; after a burst of heavy queries a querier otherwise stays
// at its peak RSS for good (1 GB for half an hour idle, measured). Requests mark Begin/End;
// a background thread calls malloc_trim once nothing has run for `idle_after`, and again only
// after the next request, so a busy server never pays for it.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace meridian {

class IdleMemoryTrimmer {
 public:
  explicit IdleMemoryTrimmer(std::chrono::milliseconds idle_after = std::chrono::milliseconds(1000));
  ~IdleMemoryTrimmer();
  IdleMemoryTrimmer(const IdleMemoryTrimmer&) = delete;
  IdleMemoryTrimmer& operator=(const IdleMemoryTrimmer&) = delete;

  void Begin() { in_flight_.fetch_add(1, std::memory_order_relaxed); }
  void End();
  // How many times memory was trimmed (for tests and metrics).
  uint64_t trims() const { return trims_.load(); }

 private:
  void Loop();

  const std::chrono::milliseconds idle_after_;
  std::atomic<int> in_flight_{0};
  std::atomic<int64_t> last_end_ns_{0};
  std::atomic<bool> dirty_{false};  // requests ran since the last trim
  std::atomic<uint64_t> trims_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace meridian
