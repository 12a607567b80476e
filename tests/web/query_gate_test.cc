#include "web/api/query_gate.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace meridian::web {
namespace {

using Clock = std::chrono::steady_clock;

TEST(QueryGateTest, LimitsConcurrency) {
  QueryGate gate(2, 100);
  std::atomic<int> inside{0}, peak{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      ASSERT_EQ(gate.Acquire(Clock::now() + std::chrono::seconds(10)), QueryGate::Result::kAdmitted);
      int now = ++inside;
      int p = peak.load();
      while (now > p && !peak.compare_exchange_weak(p, now)) {
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      --inside;
      gate.Release();
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(peak.load(), 2);
  EXPECT_EQ(gate.running(), 0);
  EXPECT_EQ(gate.queued(), 0);
}

TEST(QueryGateTest, TimesOutAndRefusesWhenQueueFull) {
  QueryGate gate(1, 1);
  ASSERT_EQ(gate.Acquire(Clock::now()), QueryGate::Result::kAdmitted);
  auto t0 = Clock::now();
  EXPECT_EQ(gate.Acquire(t0 + std::chrono::milliseconds(50)), QueryGate::Result::kTimedOut);
  EXPECT_GE(Clock::now() - t0, std::chrono::milliseconds(50));
  std::thread waiter([&] {
    EXPECT_EQ(gate.Acquire(Clock::now() + std::chrono::seconds(10)), QueryGate::Result::kAdmitted);
    gate.Release();
  });
  while (gate.queued() == 0) std::this_thread::yield();
  EXPECT_EQ(gate.Acquire(Clock::now() + std::chrono::seconds(10)), QueryGate::Result::kQueueFull);
  gate.Release();
  waiter.join();
  EXPECT_EQ(gate.running(), 0);
}

TEST(QueryGateTest, UnlimitedWhenZero) {
  QueryGate gate(0, 0);
  for (int i = 0; i < 100; ++i) ASSERT_EQ(gate.Acquire(Clock::now()), QueryGate::Result::kAdmitted);
  EXPECT_EQ(gate.running(), 100);
}

}  // namespace
}  // namespace meridian::web
