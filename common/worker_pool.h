#pragma once
// One process-wide pool of worker threads for work a single request splits into tasks (the
// engine's parallel operators). Concurrent requests share it, so fifty clients do not start
// fifty times as many threads as there are cores. The calling thread always works on its own
// tasks too: a request makes progress even while every worker is busy with another one's.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace meridian {

class WorkerPool {
 public:
  // `threads` workers besides the callers (0: none, everything runs on the caller).
  explicit WorkerPool(size_t threads);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // The pool of the process: one worker per core beyond the first.
  static WorkerPool& Shared();

  // Runs fn(i) for every i in [0, n) on the caller and up to parallelism - 1 workers, taking
  // indexes in ascending order from a shared counter; returns when every call has returned.
  void ParallelFor(size_t n, size_t parallelism, const std::function<void(size_t)>& fn);

  size_t threads() const { return threads_.size(); }

 private:
  struct Job;
  static void Work(Job& job);
  void Loop();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::shared_ptr<Job>> queue_;  // one entry per worker asked to join a job
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace meridian
