#include "common/worker_pool.h"

#include <algorithm>
#include <atomic>

namespace meridian {

struct WorkerPool::Job {
  const std::function<void(size_t)>* fn = nullptr;  // valid while items remain unfinished
  size_t n = 0;
  std::atomic<size_t> next{0};
  std::mutex mu;
  std::condition_variable cv;
  size_t finished = 0;  // guarded by mu
};

WorkerPool::WorkerPool(size_t threads) {
  threads_.reserve(threads);
  for (size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { Loop(); });
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
}

WorkerPool& WorkerPool::Shared() {
  // Never destroyed: workers may still be parked when static destructors run.
  static WorkerPool* pool = new WorkerPool(std::max<size_t>(1, std::thread::hardware_concurrency()) - 1);
  return *pool;
}

void WorkerPool::Work(Job& job) {
  size_t done = 0;
  for (size_t i; (i = job.next.fetch_add(1)) < job.n;) {
    (*job.fn)(i);
    ++done;
  }
  if (done == 0) return;
  std::lock_guard<std::mutex> l(job.mu);
  job.finished += done;
  if (job.finished == job.n) job.cv.notify_all();
}

void WorkerPool::Loop() {
  while (true) {
    std::shared_ptr<Job> job;
    {
      std::unique_lock<std::mutex> l(mu_);
      cv_.wait(l, [&] { return stop_ || !queue_.empty(); });
      if (stop_) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    // A job whose items are all taken is skipped without touching its function.
    Work(*job);
  }
}

void WorkerPool::ParallelFor(size_t n, size_t parallelism, const std::function<void(size_t)>& fn) {
  if (n == 0) return;
  const size_t helpers = std::min({n - 1, parallelism > 0 ? parallelism - 1 : 0, threads_.size()});
  if (helpers == 0) {
    for (size_t i = 0; i < n; ++i) fn(i);
    return;
  }
  auto job = std::make_shared<Job>();
  job->fn = &fn;
  job->n = n;
  {
    std::lock_guard<std::mutex> l(mu_);
    for (size_t h = 0; h < helpers; ++h) queue_.push_back(job);
  }
  if (helpers == 1) {
    cv_.notify_one();
  } else {
    cv_.notify_all();
  }
  Work(*job);
  std::unique_lock<std::mutex> l(job->mu);
  job->cv.wait(l, [&] { return job->finished == job->n; });
}

}  // namespace meridian
