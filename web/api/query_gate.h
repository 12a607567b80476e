#pragma once
// Bounds the queries evaluated at once (--query.max-concurrent), as Thanos's gate does:
// callers beyond the limit wait in FIFO order until a slot frees or their deadline passes;
// beyond max_queued waiting callers the request is refused at once.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <list>
#include <mutex>

namespace meridian::web {

class QueryGate {
 public:
  enum class Result { kAdmitted, kTimedOut, kQueueFull };

  // max_concurrent <= 0 disables the limit.
  QueryGate(int max_concurrent, int max_queued);

  Result Acquire(std::chrono::steady_clock::time_point deadline);
  void Release();

  int running() const;
  int queued() const;

 private:
  const int max_concurrent_;
  const int max_queued_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  int running_ = 0;
  // Waiters in arrival order; the front one is admitted next.
  std::list<int> waiters_;
};

// Releases a slot on scope exit.
class GateSlot {
 public:
  explicit GateSlot(QueryGate* gate) : gate_(gate) {}
  ~GateSlot() {
    if (gate_) gate_->Release();
  }
  GateSlot(const GateSlot&) = delete;
  GateSlot& operator=(const GateSlot&) = delete;

 private:
  QueryGate* gate_;
};

}  // namespace meridian::web
