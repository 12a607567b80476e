#include "common/worker_pool.h"

#include <atomic>
#include <set>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace meridian {
namespace {

TEST(WorkerPool, EveryIndexRunsOnceAndTheCallWaitsForAll) {
  WorkerPool pool(3);
  for (size_t n : {0u, 1u, 2u, 7u, 1000u}) {
    std::vector<std::atomic<int>> hits(n);
    pool.ParallelFor(n, 4, [&](size_t i) {
      if (i % 3 == 0) std::this_thread::sleep_for(std::chrono::microseconds(50));
      hits[i].fetch_add(1);
    });
    for (size_t i = 0; i < n; ++i) EXPECT_EQ(hits[i].load(), 1) << "n=" << n << " i=" << i;
  }
}

TEST(WorkerPool, ParallelismBoundsTheThreadsUsed) {
  WorkerPool pool(3);
  std::mutex mu;
  std::set<std::thread::id> seen;
  pool.ParallelFor(64, 2, [&](size_t) {
    std::this_thread::sleep_for(std::chrono::microseconds(200));
    std::lock_guard<std::mutex> l(mu);
    seen.insert(std::this_thread::get_id());
  });
  EXPECT_LE(seen.size(), 2u);
  seen.clear();
  pool.ParallelFor(64, 1, [&](size_t) {
    std::lock_guard<std::mutex> l(mu);
    seen.insert(std::this_thread::get_id());
  });
  EXPECT_EQ(seen, std::set<std::thread::id>{std::this_thread::get_id()});
}

// Many callers share one small pool: each call still finishes (its caller works on its own
// items when every worker is busy), and no call sees another's items.
TEST(WorkerPool, ConcurrentCallersShareThePool) {
  WorkerPool pool(1);
  constexpr int kCallers = 8;
  std::vector<std::thread> callers;
  std::vector<long> sums(kCallers, 0);
  for (int c = 0; c < kCallers; ++c) {
    callers.emplace_back([&, c] {
      for (int round = 0; round < 50; ++round) {
        std::vector<long> part(100, 0);
        pool.ParallelFor(100, 4, [&](size_t i) { part[i] = static_cast<long>(i) + c; });
        for (long v : part) sums[c] += v;
      }
    });
  }
  for (auto& t : callers) t.join();
  for (int c = 0; c < kCallers; ++c) EXPECT_EQ(sums[c], 50L * (4950 + 100L * c));
}

}  // namespace
}  // namespace meridian
