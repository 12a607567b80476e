#include "common/idle_memory_trimmer.h"

#include <gtest/gtest.h>

#include <thread>

namespace meridian {
namespace {

bool WaitForTrims(const IdleMemoryTrimmer& t, uint64_t n) {
  for (int i = 0; i < 200 && t.trims() < n; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return t.trims() >= n;
}

TEST(IdleMemoryTrimmer, TrimsOnceAfterRequestsThenWaitsForTheNext) {
  IdleMemoryTrimmer t(std::chrono::milliseconds(20));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(t.trims(), 0u);  // nothing ran: nothing to give back
  t.Begin();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(t.trims(), 0u);  // never while a request runs
  t.End();
  ASSERT_TRUE(WaitForTrims(t, 1));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(t.trims(), 1u);  // idle since: once is enough
  t.Begin();
  t.End();
  ASSERT_TRUE(WaitForTrims(t, 2));
}

}  // namespace
}  // namespace meridian
