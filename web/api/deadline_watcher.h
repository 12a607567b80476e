#pragma once
// Turns per-request deadlines into the engine's cancel flag: one background thread sets a
// query's flag when its deadline passes, so a query stuck reading storage or evaluating stops
// at its next check without a thread per query.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

namespace meridian::web {

class DeadlineWatcher {
 public:
  using Clock = std::chrono::steady_clock;

  DeadlineWatcher();
  ~DeadlineWatcher();
  DeadlineWatcher(const DeadlineWatcher&) = delete;
  DeadlineWatcher& operator=(const DeadlineWatcher&) = delete;

  // Sets *flag to true at `deadline` unless Disarm(id) came first. Returns the id.
  uint64_t Arm(Clock::time_point deadline, std::shared_ptr<std::atomic<bool>> flag);
  void Disarm(uint64_t id);

 private:
  void Run();

  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  uint64_t next_id_ = 1;
  // Ordered by deadline, then id, so the earliest is first.
  std::map<std::pair<Clock::time_point, uint64_t>, std::shared_ptr<std::atomic<bool>>> armed_;
  std::map<uint64_t, Clock::time_point> by_id_;
  std::thread thread_;
};

// Disarms on scope exit.
class ArmedDeadline {
 public:
  ArmedDeadline(DeadlineWatcher* w, uint64_t id) : w_(w), id_(id) {}
  ~ArmedDeadline() {
    if (w_) w_->Disarm(id_);
  }
  ArmedDeadline(const ArmedDeadline&) = delete;
  ArmedDeadline& operator=(const ArmedDeadline&) = delete;

 private:
  DeadlineWatcher* w_;
  uint64_t id_;
};

}  // namespace meridian::web
