#include "web/api/deadline_watcher.h"

namespace meridian::web {

DeadlineWatcher::DeadlineWatcher() : thread_([this] { Run(); }) {}

DeadlineWatcher::~DeadlineWatcher() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

uint64_t DeadlineWatcher::Arm(Clock::time_point deadline, std::shared_ptr<std::atomic<bool>> flag) {
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t id = next_id_++;
  bool earliest = armed_.empty() || deadline < armed_.begin()->first.first;
  armed_.emplace(std::make_pair(deadline, id), std::move(flag));
  by_id_.emplace(id, deadline);
  if (earliest) cv_.notify_all();
  return id;
}

void DeadlineWatcher::Disarm(uint64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return;
  armed_.erase(std::make_pair(it->second, id));
  by_id_.erase(it);
}

void DeadlineWatcher::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    if (armed_.empty()) {
      cv_.wait(lock);
      continue;
    }
    auto first = armed_.begin();
    if (Clock::now() >= first->first.first) {
      first->second->store(true);
      by_id_.erase(first->first.second);
      armed_.erase(first);
      continue;
    }
    // Wait on a copy: while the lock is released, Disarm() may erase the node `first` points
    // into, and wait_until reads its deadline again after waking.
    const Clock::time_point deadline = first->first.first;
    cv_.wait_until(lock, deadline);
  }
}

}  // namespace meridian::web
