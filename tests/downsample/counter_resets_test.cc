#include "tsdb/chunkenc/counter_resets.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "model/value.h"
#include "tests/downsample/test_util.h"

namespace meridian::compact::downsample {
namespace {

using chunkenc::CounterResetsIterator;
using testing::ExpectSamples;
using testing::Samples;
using testing::XorOf;

Samples Drain(CounterResetsIterator& it) {
  Samples out;
  while (it.Next()) out.push_back({it.t(), it.v()});
  EXPECT_TRUE(it.status().ok()) << it.status().message();
  return out;
}

Samples Iterate(const std::vector<std::string>& chunks, double* last_raw = nullptr) {
  std::vector<std::string_view> views(chunks.begin(), chunks.end());
  CounterResetsIterator it(views);
  Samples out = Drain(it);
  if (last_raw != nullptr) *last_raw = it.last_raw();
  return out;
}

TEST(CounterResets, ResetAddsTheNewValue) {
  ExpectSamples(Iterate({XorOf({{10, 1}, {20, 5}, {30, 2}, {40, 4}})}), {{10, 1}, {20, 5}, {30, 7}, {40, 9}},
                "one chunk");
}

TEST(CounterResets, NaNAndStaleMarkersAreSkipped) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  ExpectSamples(Iterate({XorOf({{10, 1}, {20, nan}, {30, StaleNaN()}, {40, 3}})}), {{10, 1}, {40, 3}}, "NaN");
}

// A repeated timestamp carries the chunk's last raw value: it is consumed, not emitted, and the
// next chunk's first value is compared against it. Here 9 -> 2 was a reset inside chunk A, and
// 2 -> 3 is no reset (comparing 3 with the window value 9 would wrongly see one).
TEST(CounterResets, RepeatedTimestampCarriesTheLastRawValue) {
  double last_raw = 0;
  const Samples got = Iterate({XorOf({{10, 1}, {30, 9}, {30, 2}}), XorOf({{40, 3}, {50, 1}})}, &last_raw);
  ExpectSamples(got, {{10, 1}, {30, 9}, {40, 10}, {50, 11}}, "two chunks");
  EXPECT_EQ(last_raw, 1);
}

TEST(CounterResets, SamplesGoingBackInTimeAreSkipped) {
  ExpectSamples(Iterate({XorOf({{10, 1}, {20, 2}, {30, 3}}), XorOf({{15, 100}, {25, 200}, {35, 4}})}),
                {{10, 1}, {20, 2}, {30, 3}, {35, 4}}, "overlap");
}

TEST(CounterResets, EmptyChunksAreSteppedOver) {
  const std::string empty = XorOf({});
  ExpectSamples(Iterate({empty, XorOf({{10, 1}, {20, 2}}), empty, empty, XorOf({{30, 1}})}),
                {{10, 1}, {20, 2}, {30, 3}}, "empty chunks");
  ExpectSamples(Iterate({}), {}, "no chunks");
  ExpectSamples(Iterate({empty}), {}, "only an empty chunk");
}

TEST(CounterResets, SeekReadsThroughResets) {
  const std::vector<std::string> chunks = {XorOf({{10, 1}, {20, 5}, {30, 2}}), XorOf({{40, 4}, {50, 6}})};
  std::vector<std::string_view> views(chunks.begin(), chunks.end());
  CounterResetsIterator it(views);
  ASSERT_TRUE(it.Seek(25));
  EXPECT_EQ(it.t(), 30);
  EXPECT_EQ(it.v(), 7);
  // Already there: no move.
  ASSERT_TRUE(it.Seek(5));
  EXPECT_EQ(it.t(), 30);
  ASSERT_TRUE(it.Seek(31));
  EXPECT_EQ(it.t(), 40);
  EXPECT_EQ(it.v(), 9);
  ExpectSamples(Drain(it), {{50, 11}}, "rest");
  EXPECT_FALSE(it.Seek(1000));
}

// The per-sample rules the iterator applies, as the query side feeds them.
TEST(CounterResets, SampleBySample) {
  chunkenc::CounterResets c;
  EXPECT_TRUE(c.Add(10, 5));  // the first value starts the total
  EXPECT_EQ(c.total(), 5);
  EXPECT_FALSE(c.Add(20, std::nan("")));  // NaN is skipped
  EXPECT_TRUE(c.Add(20, 7));
  EXPECT_EQ(c.total(), 7);
  EXPECT_FALSE(c.Add(20, 9));  // the same time again: only the last raw value
  EXPECT_EQ(c.last_raw(), 9);
  EXPECT_TRUE(c.Add(30, 2));  // below 9: a reset, the whole value counts
  EXPECT_EQ(c.total(), 9);
  EXPECT_FALSE(c.Add(25, 100));  // back in time: skipped
  EXPECT_EQ(c.t(), 30);
}

TEST(CounterResets, CorruptChunkIsAnError) {
  const std::string good = XorOf({{10, 1}, {20, 2}, {30, 3}});
  const std::string truncated = good.substr(0, good.size() - 3);
  const std::vector<std::string> chunks = {good, truncated};
  std::vector<std::string_view> views(chunks.begin(), chunks.end());
  CounterResetsIterator it(views);
  int n = 0;
  while (it.Next()) ++n;
  // The truncated chunk's readable sample (t=10, before 30) is skipped, then its error stops
  // the iteration instead of being lost.
  EXPECT_EQ(n, 3);
  EXPECT_EQ(it.status().code(), StatusCode::kCorrupt);
  EXPECT_FALSE(it.Next());
}

}  // namespace
}  // namespace meridian::compact::downsample
