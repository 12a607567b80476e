#pragma once
// Runs f(i) for every i in [0, n) on up to `workers` threads (the calling thread is one of
// them), taking indexes in order from a shared counter. For batches of independent jobs of
// similar size (blocks of a bucket, metas to read); returns when all are done.

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <functional>
#include <thread>
#include <vector>

namespace meridian {

inline void ParallelFor(size_t n, int workers, const std::function<void(size_t)>& f) {
  std::atomic<size_t> next{0};
  auto run = [&] {
    for (size_t i; (i = next.fetch_add(1)) < n;) f(i);
  };
  const size_t k = std::min<size_t>(n, static_cast<size_t>(std::max(1, workers)));
  std::vector<std::thread> threads;
  for (size_t t = 1; t < k; ++t) threads.emplace_back(run);
  run();
  for (auto& t : threads) t.join();
}

}  // namespace meridian
