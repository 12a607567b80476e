#include <gtest/gtest.h>

#include "query/dedup/dedup_series_set.h"
#include "query/dedup/penalty_dedup.h"
#include "query/dedup/gap_free_dedup.h"
#include "tsdb/chunkenc/xor.h"

namespace meridian::query {
namespace {

constexpr int64_t kMinute = 60000;

// A replica scraping every 15s from `offset`, leaving out [gap_from, gap_to).
ReplicaSamples Scrapes(int64_t offset, int64_t end, double base, int64_t gap_from = 0, int64_t gap_to = 0) {
  ReplicaSamples r;
  for (int64_t t = offset; t <= end; t += 15000) {
    if (t >= gap_from && t < gap_to) continue;
    r.ts.push_back(t);
    r.vs.push_back(base + t / 1000.0);
  }
  return r;
}

TEST(PenaltyDedup, SticksToOneReplica) {
  auto a = Scrapes(0, 60 * kMinute, 0);
  auto b = Scrapes(5000, 60 * kMinute, 0);
  std::vector<int64_t> ts;
  std::vector<double> vs;
  PenaltyDedup({a, b}, false, &ts, &vs);
  EXPECT_EQ(ts, a.ts);
}

TEST(PenaltyDedup, FillsAGapFromTheOtherReplica) {
  auto a = Scrapes(0, 120 * kMinute, 0, 30 * kMinute, 60 * kMinute);
  auto b = Scrapes(5000, 120 * kMinute, 0);
  std::vector<int64_t> ts;
  std::vector<double> vs;
  PenaltyDedup({a, b}, false, &ts, &vs);
  ASSERT_FALSE(ts.empty());
  int64_t max_step = 0;
  for (size_t i = 1; i < ts.size(); ++i) max_step = std::max(max_step, ts[i] - ts[i - 1]);
  // The 30-minute gap is bridged: a switch waits two scrape intervals past the last sample
  // (plus the replicas' offset), so no step is longer than that. No doubled sampling rate.
  EXPECT_LE(max_step, 2 * 15000 + 5000);
  EXPECT_LT(ts.size(), a.ts.size() + a.ts.size() / 10 + 130);
  EXPECT_GE(ts.size(), b.ts.size() - 5);
}

TEST(PenaltyDedup, CounterSwitchAddsNoFalseReset) {
  // Replica b restarted earlier and counts 1000 lower; a has a gap, so the merge switches.
  auto a = Scrapes(0, 120 * kMinute, 5000, 30 * kMinute, 60 * kMinute);
  auto b = Scrapes(5000, 120 * kMinute, 4000);
  std::vector<int64_t> ts;
  std::vector<double> vs;
  PenaltyDedup({a, b}, /*counter=*/true, &ts, &vs);
  for (size_t i = 1; i < vs.size(); ++i) ASSERT_GE(vs[i], vs[i - 1]) << "false reset at " << ts[i];

  std::vector<int64_t> ts2;
  std::vector<double> vs2;
  PenaltyDedup({a, b}, /*counter=*/false, &ts2, &vs2);
  bool dropped = false;
  for (size_t i = 1; i < vs2.size(); ++i) dropped |= vs2[i] < vs2[i - 1];
  EXPECT_TRUE(dropped) << "without counter adjustment the raw values show the drop";
}

TEST(PenaltyDedup, ThreeReplicasAndEmptyOnes) {
  auto a = Scrapes(0, 10 * kMinute, 0, 0, 5 * kMinute);
  ReplicaSamples empty;
  auto c = Scrapes(1000, 10 * kMinute, 0);
  std::vector<int64_t> ts;
  std::vector<double> vs;
  PenaltyDedup({a, empty, c}, false, &ts, &vs);
  // a starts at 5m, so the merge takes c from the start and sticks to it to the end.
  EXPECT_EQ(ts, c.ts);
}

storage::Chunk XorChunk(const ReplicaSamples& r, size_t from, size_t to) {
  chunkenc::XorEncoder enc;
  for (size_t i = from; i < to; ++i) enc.Append(r.ts[i], r.vs[i]);
  storage::Chunk c;
  c.min_time = r.ts[from];
  c.max_time = r.ts[to - 1];
  c.encoding = storage::ChunkEncoding::kXOR;
  c.data = std::make_shared<const std::string>(enc.Finish());
  return c;
}

// Replicas of downsampled data: windows at the same stamps.
ReplicaSamples Windows(int64_t from, int64_t to, double base, int64_t gap_from = 0, int64_t gap_to = 0) {
  ReplicaSamples r;
  for (int64_t t = from + 5 * kMinute - 1; t < to; t += 5 * kMinute) {
    if (t >= gap_from && t < gap_to) continue;
    r.ts.push_back(t);
    r.vs.push_back(base + t / 1000.0);
  }
  return r;
}

TEST(GapFreeDedup, KeepsToOneReplicaAndTakesEveryWindowOfTheOther) {
  // a misses an hour; b counts 1000 lower.
  auto a = Windows(0, 180 * kMinute, 1000, 60 * kMinute, 120 * kMinute);
  auto b = Windows(0, 180 * kMinute, 0);
  std::vector<int64_t> ts;
  std::vector<double> vs;
  GapFreeDedup({a, b}, /*counter=*/true, &ts, &vs);
  // Every window, none skipped after the switches (the penalty algorithm skips two).
  EXPECT_EQ(ts, b.ts);
  // The counter goes on where it was: a's values throughout, b shifted by the difference at
  // the last window both had.
  for (size_t i = 0; i < ts.size(); ++i) ASSERT_EQ(vs[i], 1000 + ts[i] / 1000.0) << "at " << ts[i];

  std::vector<int64_t> gauge_ts;
  std::vector<double> gauge_vs;
  GapFreeDedup({a, b}, /*counter=*/false, &gauge_ts, &gauge_vs);
  EXPECT_EQ(gauge_ts, b.ts);
  EXPECT_EQ(gauge_vs[15], b.vs[15]);  // in a's gap: b as it is
}

// Windows followed by raw scrapes (the newest hours not yet downsampled), the replicas
// scraping at different phases: one replica's scrapes are kept, the other's fill its hole only.
TEST(GapFreeDedup, RawScrapesAfterTheWindowsAreNotInterleaved) {
  auto tail = [](ReplicaSamples r, int64_t from, int64_t to, int64_t phase, double base, int64_t gap_from = 0,
                 int64_t gap_to = 0) {
    for (int64_t t = from + phase; t < to; t += 30'000) {
      if (t >= gap_from && t < gap_to) continue;
      r.ts.push_back(t);
      r.vs.push_back(base + t / 1000.0);
    }
    return r;
  };
  const int64_t raw_from = 60 * kMinute, raw_to = 120 * kMinute;
  const int64_t gap_from = 90 * kMinute, gap_to = 95 * kMinute;
  auto a = tail(Windows(0, raw_from, 1000), raw_from, raw_to, 4'000, 1000, gap_from, gap_to);
  auto b = tail(Windows(0, raw_from, 1000), raw_from, raw_to, 12'000, 1000);
  std::vector<int64_t> ts;
  std::vector<double> vs;
  GapFreeDedup({a, b}, /*counter=*/true, &ts, &vs);
  size_t from_b = 0;
  for (size_t i = 0; i < ts.size(); ++i) {
    if (i > 0) {
      ASSERT_GT(ts[i], ts[i - 1]);
    }
    // Both scrape the same counter: b's samples need no shift (none would be right).
    ASSERT_DOUBLE_EQ(vs[i], 1000 + ts[i] / 1000.0) << "at " << ts[i];
    if (ts[i] >= raw_from && (ts[i] - 12'000) % 30'000 == 0) {
      ++from_b;
      EXPECT_TRUE(ts[i] >= gap_from && ts[i] < gap_to + 30'000) << ts[i];
    }
  }
  // a's windows and scrapes and b's ten scrapes inside a's five-minute hole; not b's last
  // one, 8 s after a's last (the same scrape slot).
  EXPECT_EQ(from_b, 10u);
  EXPECT_EQ(ts.size(), a.ts.size() + 10);
}

TEST(SplitOverlapping, GreedyChains) {
  auto mk = [](int64_t a, int64_t b) {
    storage::Chunk c;
    c.min_time = a;
    c.max_time = b;
    return c;
  };
  auto chains = SplitOverlapping({mk(0, 100), mk(50, 150), mk(120, 200), mk(160, 220)});
  ASSERT_EQ(chains.size(), 2u);
  EXPECT_EQ(chains[0].size(), 2u);  // 0-100, 120-200
  EXPECT_EQ(chains[1].size(), 2u);  // 50-150, 160-220
}

class VectorSet : public storage::SeriesSet {
 public:
  explicit VectorSet(std::vector<storage::Series> s) : s_(std::move(s)) {}
  bool Next() override { return ++i_ < s_.size(); }
  storage::Series& At() override { return s_[i_]; }
  Status status() const override { return Status::Ok(); }

 private:
  std::vector<storage::Series> s_;
  size_t i_ = static_cast<size_t>(-1);
};

TEST(DedupSeriesSet, DecodesJoinedReplicaChunksAsOneSeries) {
  auto a = Scrapes(0, 60 * kMinute, 0, 20 * kMinute, 50 * kMinute);
  auto b = Scrapes(5000, 60 * kMinute, 0);
  storage::Series s;
  s.labels = Labels{{"__name__", "up"}};
  // Chunks of both replicas as the proxy joins them: sorted by min time, overlapping.
  s.chunks = {XorChunk(a, 0, a.ts.size() / 2), XorChunk(b, 0, 120), XorChunk(b, 120, b.ts.size()),
              XorChunk(a, a.ts.size() / 2, a.ts.size())};
  std::sort(s.chunks.begin(), s.chunks.end(), [](const auto& x, const auto& y) { return x.min_time < y.min_time; });
  DedupSeriesSet set(std::make_unique<VectorSet>(std::vector<storage::Series>{s}), "rate");
  ASSERT_TRUE(set.Next());
  std::vector<int64_t> ts;
  std::vector<double> vs;
  ASSERT_TRUE(set.DecodeCurrent(0, 60 * kMinute, &ts, &vs).ok());
  std::vector<int64_t> want_ts;
  std::vector<double> want_vs;
  GapFreeDedup({a, b}, true, &want_ts, &want_vs);
  EXPECT_EQ(ts, want_ts);
  EXPECT_EQ(vs, want_vs);
}

// --deduplication.func=chain: receivers' replicas hold the same samples; each timestamp once,
// a sample only one replica has kept, with no penalty and no counter adjustment.
TEST(DedupSeriesSet, ChainMergesReplicasOneToOne) {
  auto a = Scrapes(0, 10 * kMinute, 0, 3 * kMinute, 5 * kMinute);
  auto b = Scrapes(0, 10 * kMinute, 0);
  b.vs[2] += 1000;  // where both have the timestamp, a's value wins
  storage::Series s;
  s.labels = Labels{{"__name__", "up"}};
  s.chunks = {XorChunk(a, 0, a.ts.size()), XorChunk(b, 0, b.ts.size())};
  s.chunks[0].source = 0;
  s.chunks[1].source = 1;
  DedupSeriesSet set(std::make_unique<VectorSet>(std::vector<storage::Series>{s}), "rate", DedupFunc::kChain);
  ASSERT_TRUE(set.Next());
  std::vector<int64_t> ts;
  std::vector<double> vs;
  ASSERT_TRUE(set.DecodeCurrent(0, 10 * kMinute, &ts, &vs).ok());
  EXPECT_EQ(ts, b.ts);
  for (size_t i = 0; i < ts.size(); ++i) {
    const bool in_a = std::find(a.ts.begin(), a.ts.end(), ts[i]) != a.ts.end();
    EXPECT_EQ(vs[i], in_a ? a.vs[std::find(a.ts.begin(), a.ts.end(), ts[i]) - a.ts.begin()] : b.vs[i]) << ts[i];
  }
  EXPECT_EQ(ParseDedupFunc(""), DedupFunc::kPenalty);
  EXPECT_EQ(ParseDedupFunc("chain"), DedupFunc::kChain);
  EXPECT_FALSE(ParseDedupFunc("median").has_value());
}

}  // namespace
}  // namespace meridian::query
