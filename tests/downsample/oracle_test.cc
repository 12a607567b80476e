// An independent oracle for the downsampler: realistic random series (15s scrapes with jitter,
// counters with resets, gauges, gaps of several windows, stale markers, NaN runs, raw chunks of
// 120 samples) are downsampled raw -> 5m over 48h blocks and then 5m -> 1h over 11 days, and
// every sample of every output sub-chunk is checked against aggregates the test computes from
// the raw samples with plain loops.
//
// Values are chosen so that all sums are exact in float64 (counters are integers, gauges
// multiples of 1/8 well below 2^50), which makes count, sum, min and max exact at both
// levels whatever the order of additions.
//
// Where the 1h windows of two output chunks meet: Thanos groups whole 5m chunks into parts and
// re-windows each part on its own, and 5m chunk boundaries fall anywhere in an hour. Such an
// hour is written twice: at the end of one chunk, stamped with that part's last raw timestamp
// and covering the raw samples of the hour up to it, and at the start of the next chunk,
// covering the rest. The checks below cover every output sample by the raw samples between the
// previous stamp (or the hour start) and its own stamp, and require that at least one such
// split hour occurred.

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <random>

#include "compact/downsample/downsample.h"
#include "model/value.h"
#include "tests/downsample/test_util.h"
#include "tsdb/chunkenc/counter_resets.h"

namespace meridian::compact::downsample {
namespace {

using chunkenc::CounterResetsIterator;
using testing::AggrSamples;
using testing::DecodeAggregate;
using testing::ExpectSamples;
using testing::Samples;

constexpr int64_t k5m = 300000;
constexpr int64_t k1h = 3600000;
constexpr int64_t kDay = 24 * k1h;
constexpr int64_t kBlock = 2 * kDay;
// A day boundary (2023-11-14 00:00 UTC), so blocks and windows line up as in a real bucket.
constexpr int64_t kStart = 1699920000000;
static_assert(kStart % kDay == 0);

// One scraped series. `adjusted` is the generator's own bookkeeping of a counter's
// reset-adjusted total at every sample: the first value, plus every increase, plus the whole
// new value after a reset (what Prometheus's rate() sees). NaN samples carry NaN there.
struct RawSeries {
  bool counter = false;
  Samples samples;
  std::vector<double> adjusted;
};

RawSeries Generate(uint64_t seed, bool counter, int64_t from, int64_t to) {
  std::mt19937_64 rng(seed);
  auto chance = [&](int one_in) { return rng() % static_cast<uint64_t>(one_in) == 0; };
  RawSeries s;
  s.counter = counter;
  double c = 100 + static_cast<double>(rng() % 1000);
  double adjusted = c;
  double g = static_cast<double>(static_cast<int64_t>(rng() % 8001) - 4000) / 8;
  int nan_run = 0;
  auto reset = [&] {
    // Only from values >= 100, so the new value is always below the last one seen.
    if (c < 100) return;
    c = static_cast<double>(rng() % 5);
    adjusted += c;
  };
  auto emit = [&](int64_t t, double v, double adj) {
    s.samples.push_back({t, v});
    s.adjusted.push_back(adj);
  };
  int64_t t = from + static_cast<int64_t>(rng() % 15000);
  while (t < to) {
    if (chance(1500)) {
      // The target goes away: a stale marker at the next scrape, then nothing for 10-90
      // minutes; a counter may come back restarted.
      if (!chance(5)) emit(t, StaleNaN(), std::nan(""));
      t += (10 + static_cast<int64_t>(rng() % 81)) * 60000;
      if (counter && chance(2)) reset();
      continue;
    }
    if (counter) {
      if (chance(2000)) {
        reset();
      } else {
        const double d = static_cast<double>(rng() % 50);
        c += d;
        adjusted += d;
      }
    } else {
      g = std::clamp(g + static_cast<double>(static_cast<int64_t>(rng() % 81) - 40) / 8, -100000.0, 100000.0);
    }
    if (nan_run == 0 && chance(3000)) nan_run = 1 + static_cast<int>(rng() % 60);
    if (nan_run > 0 || chance(1500)) {
      if (nan_run > 0) --nan_run;
      emit(t, std::bit_cast<double>(kNormalNaNBits), std::nan(""));
    } else {
      emit(t, counter ? c : g, adjusted);
    }
    t += 15000 + static_cast<int64_t>(rng() % 2001) - 1000;  // 15s +- 1s
  }
  return s;
}

// The samples of one block, cut into raw chunks of 120 samples (stale markers and NaN count).
std::vector<storage::Chunk> RawChunks(const Samples& s, int64_t from, int64_t to) {
  std::vector<storage::Chunk> out;
  Samples cur;
  for (const Sample& x : s) {
    if (x.t < from || x.t >= to) continue;
    cur.push_back(x);
    if (cur.size() == 120) {
      out.push_back(testing::XorChunk(cur));
      cur.clear();
    }
  }
  if (!cur.empty()) out.push_back(testing::XorChunk(cur));
  return out;
}

// The raw samples the aggregates are made of: no NaN (stale markers included), in [from, to).
struct Clean {
  Samples s;
  std::vector<double> adjusted;
};

Clean CleanSamples(const RawSeries& r, int64_t from, int64_t to) {
  Clean out;
  for (size_t i = 0; i < r.samples.size(); ++i) {
    const Sample& x = r.samples[i];
    if (x.t < from || x.t >= to || std::isnan(x.v)) continue;
    out.s.push_back(x);
    out.adjusted.push_back(r.adjusted[i]);
  }
  return out;
}

struct Agg {
  double count = 0, sum = 0;
  double min = std::numeric_limits<double>::infinity();
  double max = -std::numeric_limits<double>::infinity();
};

Agg Aggregate(const Samples& s, size_t begin, size_t end) {
  Agg a;
  for (size_t i = begin; i < end; ++i) {
    a.count += 1;
    a.sum += s[i].v;
    a.min = std::min(a.min, s[i].v);
    a.max = std::max(a.max, s[i].v);
  }
  return a;
}

// The counter value of a chunk starting at clean sample `first`, after clean sample `last`.
// For counters straight from the generator's bookkeeping; for gauges (where the counter
// aggregate means nothing but is still written) from its definition.
double CounterAfter(const RawSeries& r, const Clean& c, size_t first, size_t last) {
  if (r.counter) return c.s[first].v + (c.adjusted[last] - c.adjusted[first]);
  double total = c.s[first].v;
  for (size_t i = first + 1; i <= last; ++i) {
    const double v = c.s[i].v, prev = c.s[i - 1].v;
    total += v < prev ? v : v - prev;
  }
  return total;
}

// Thanos's chunk count, from DOWNSAMPLING.md 1.3, counted up as written there.
int64_t ExpectedChunkCount(int64_t mint, int64_t maxt, int64_t in_res, int64_t out_res, uint64_t n) {
  const double max_samples = static_cast<double>((maxt - mint) / out_res);
  const double fullness = std::min(1.0, static_cast<double>(n) / (static_cast<double>(maxt - mint) / in_res));
  const int64_t exp = static_cast<int64_t>(max_samples * fullness) + 1;
  int64_t x = 1;
  while (exp / x > 140) ++x;
  return x;
}

// Checks every output chunk of a raw -> 5m downsampling of the block [from, to).
void CheckFiveMinute(const RawSeries& r, int64_t from, int64_t to, const std::vector<storage::Chunk>& out) {
  const Clean c = CleanSamples(r, from, to);
  // The non-empty 5m windows, as [begin, end) ranges of clean samples.
  std::vector<std::pair<size_t, size_t>> windows;
  for (size_t i = 0; i < c.s.size(); ++i) {
    if (i == 0 || c.s[i].t / k5m != c.s[i - 1].t / k5m) windows.push_back({i, i});
    windows.back().second = i + 1;
  }
  size_t w = 0;  // next window to find in the output
  for (size_t k = 0; k < out.size(); ++k) {
    SCOPED_TRACE("5m chunk " + std::to_string(k) + " of block " + std::to_string(from));
    const AggrSamples got = DecodeAggregate(out[k]);
    for (const auto& e : got) ASSERT_TRUE(e.has_value());
    const size_t n = got[0]->size();
    ASSERT_GT(n, 0u);
    ASSERT_LE(w + n, windows.size());
    const size_t first = windows[w].first;
    AggrSamples want;
    for (auto& e : want) e = Samples{};
    want[4]->push_back(c.s[first]);
    for (size_t i = 0; i < n; ++i, ++w) {
      const auto [b, e] = windows[w];
      const Agg a = Aggregate(c.s, b, e);
      // Every window is stamped with its last millisecond, the chunk's last with its last raw
      // sample.
      const int64_t stamp = i + 1 < n ? c.s[b].t / k5m * k5m + k5m - 1 : c.s[e - 1].t;
      want[0]->push_back({stamp, a.count});
      want[1]->push_back({stamp, a.sum});
      want[2]->push_back({stamp, a.min});
      want[3]->push_back({stamp, a.max});
      want[4]->push_back({stamp, CounterAfter(r, c, first, e - 1)});
    }
    want[4]->push_back({want[0]->back().t, c.s[windows[w - 1].second - 1].v});
    const char* names[5] = {"count", "sum", "min", "max", "counter"};
    std::array<std::optional<std::string>, 5> subs;
    for (size_t i = 0; i < 5; ++i) {
      ExpectSamples(*got[i], *want[i], names[i]);
      subs[i] = testing::XorOf(*want[i]);
    }
    EXPECT_EQ(out[k].bytes(), testing::BodyByHand(subs));
    EXPECT_EQ(out[k].min_time, want[0]->front().t);
    EXPECT_EQ(out[k].max_time, want[0]->back().t);
  }
  EXPECT_EQ(w, windows.size()) << "windows missing from the output";
}

// Across the chunks of a block, the counter iterator must give the reset-adjusted total of the
// whole series at every emitted time (the query side's view).
void CheckCounterAcrossChunks(const RawSeries& r, int64_t from, int64_t to, const std::vector<storage::Chunk>& out) {
  const Clean c = CleanSamples(r, from, to);
  std::vector<std::string> subs;
  for (const auto& chunk : out) subs.push_back((*testing::ParseBodyByHand(chunk.bytes()))[4]->data);
  CounterResetsIterator it(std::vector<std::string_view>(subs.begin(), subs.end()));
  size_t last = 0, emitted = 0;
  while (it.Next()) {
    while (last + 1 < c.s.size() && c.s[last + 1].t <= it.t()) ++last;
    ASSERT_EQ(it.v(), c.s[0].v + (c.adjusted[last] - c.adjusted[0])) << "at " << it.t();
    ++emitted;
  }
  ASSERT_TRUE(it.status().ok());
  EXPECT_GT(emitted, out.size());
  EXPECT_EQ(it.last_raw(), c.s.back().v);
}

// Checks the 5m -> 1h output against the raw samples; returns the number of split hours.
int CheckOneHour(const RawSeries& r, const std::vector<storage::Chunk>& out) {
  const Clean c = CleanSamples(r, kStart, std::numeric_limits<int64_t>::max());
  int splits = 0;
  size_t pos = 0;  // first clean sample not yet covered by an output sample
  for (size_t k = 0; k < out.size(); ++k) {
    SCOPED_TRACE("1h chunk " + std::to_string(k));
    const AggrSamples got = DecodeAggregate(out[k]);
    for (const auto& e : got) EXPECT_TRUE(e.has_value());
    if (::testing::Test::HasFailure()) return splits;
    const size_t n = got[0]->size();
    EXPECT_GT(n, 0u);
    EXPECT_EQ(got[4]->size(), n + 2);
    if (::testing::Test::HasFailure()) return splits;
    const size_t first = pos;
    // The counter starts with the part's first raw sample.
    EXPECT_EQ(got[4]->front().t, c.s[first].t);
    EXPECT_EQ(got[4]->front().v, c.s[first].v);
    for (size_t i = 0; i < n; ++i) {
      const int64_t stamp = (*got[0])[i].t;
      const int64_t hour = stamp / k1h * k1h;
      if (pos >= c.s.size()) {
        ADD_FAILURE() << "output window at " << stamp << " after the last raw sample";
        return splits;
      }
      for (size_t a = 1; a < 4; ++a) EXPECT_EQ((*got[a])[i].t, stamp);
      EXPECT_EQ((*got[4])[i + 1].t, stamp);
      // Nothing of an earlier hour may be left uncovered.
      EXPECT_GE(c.s[pos].t, hour) << "raw samples before " << stamp << " were not covered";
      if (i == 0 && pos > 0 && c.s[pos - 1].t >= hour) ++splits;
      size_t end = pos;
      while (end < c.s.size() && c.s[end].t <= stamp) ++end;
      EXPECT_GT(end, pos) << "an output window without raw samples at " << stamp;
      if (end == pos) return splits;
      const Agg want = Aggregate(c.s, pos, end);
      EXPECT_EQ((*got[0])[i].v, want.count) << stamp;
      EXPECT_EQ((*got[1])[i].v, want.sum) << stamp;
      EXPECT_EQ((*got[2])[i].v, want.min) << stamp;
      EXPECT_EQ((*got[3])[i].v, want.max) << stamp;
      if (i + 1 < n) {
        EXPECT_EQ(stamp, hour + k1h - 1);
      } else {
        // The part's last window carries its last raw timestamp.
        EXPECT_EQ(stamp, c.s[end - 1].t);
      }
      if (r.counter) {
        EXPECT_EQ((*got[4])[i + 1].v, CounterAfter(r, c, first, end - 1)) << stamp;
      }
      pos = end;
    }
    EXPECT_EQ(got[4]->back().t, (*got[0])[n - 1].t);
    EXPECT_EQ(got[4]->back().v, c.s[pos - 1].v);
    EXPECT_EQ(out[k].min_time, got[0]->front().t);
    EXPECT_EQ(out[k].max_time, got[0]->back().t);
  }
  EXPECT_EQ(pos, c.s.size()) << "raw samples after the last output window";
  return splits;
}

// Raw -> 5m over one 48h block, for counters and gauges, full-span and partial series.
TEST(DownsampleOracle, RawToFiveMinutes) {
  for (uint64_t seed = 1; seed <= 8; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    const bool counter = seed % 2 == 1;
    // Half of the series cover the block, the others start late and end early.
    const int64_t from = seed <= 4 ? kStart : kStart + static_cast<int64_t>(seed) * 3 * k1h + 12345;
    const int64_t to = seed <= 4 ? kStart + kBlock : kStart + kBlock - static_cast<int64_t>(seed) * k1h;
    const RawSeries r = Generate(seed, counter, from, to);
    const auto chunks = RawChunks(r.samples, kStart, kStart + kBlock);
    auto out = DownsampleSeries(chunks, kResLevel0, kResLevel1);
    ASSERT_TRUE(out.ok()) << out.status().message();

    // A 48h block at 15s makes about 576 windows, so 5 chunks; fewer for the shorter series.
    // The count runs over the expanded samples: stale markers gone, other NaN still there.
    Samples s;
    for (const Sample& x : r.samples) {
      if (!IsStaleNaN(x.v)) s.push_back(x);
    }
    const int64_t want_chunks = ExpectedChunkCount(s.front().t, s.back().t, 60000, kResLevel1, s.size());
    if (seed <= 4) {
      EXPECT_EQ(want_chunks, 5);
    }
    EXPECT_EQ(static_cast<int64_t>(out->size()), want_chunks);
    CheckFiveMinute(r, kStart, kStart + kBlock, *out);
    if (counter) CheckCounterAcrossChunks(r, kStart, kStart + kBlock, *out);
  }
}

// 11 days of raw data in 48h blocks, each downsampled to 5m; their chunks concatenated (as the
// compaction of the 5m blocks leaves them) and downsampled to 1h.
TEST(DownsampleOracle, FiveMinutesToOneHour) {
  const int64_t end = kStart + 11 * kDay;
  int splits = 0;
  for (uint64_t seed = 101; seed <= 106; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    const bool counter = seed % 2 == 1;
    const RawSeries r = Generate(seed, counter, kStart, end);
    std::vector<storage::Chunk> five;
    for (int64_t from = kStart; from < end; from += kBlock) {
      const int64_t to = std::min(from + kBlock, end);
      auto out = DownsampleSeries(RawChunks(r.samples, from, to), kResLevel0, kResLevel1);
      ASSERT_TRUE(out.ok()) << out.status().message();
      CheckFiveMinute(r, from, to, *out);
      five.insert(five.end(), out->begin(), out->end());
    }
    if (counter) CheckCounterAcrossChunks(r, kStart, end, five);

    auto hour = DownsampleSeries(five, kResLevel1, kResLevel2);
    ASSERT_TRUE(hour.ok()) << hour.status().message();
    // Parts of len/x whole 5m chunks, x from the 5m chunks' range and window count.
    uint64_t windows = 0;
    for (const auto& ch : five) windows += DecodeAggregate(ch)[0]->size();
    const int64_t x = ExpectedChunkCount(five.front().min_time, five.back().max_time, k5m, k1h, windows);
    const size_t part = std::max<size_t>(1, five.size() / static_cast<size_t>(x));
    EXPECT_EQ(hour->size(), (five.size() + part - 1) / part);
    splits += CheckOneHour(r, *hour);
  }
  // Part boundaries inside an hour must have been exercised.
  EXPECT_GT(splits, 0);
}

}  // namespace
}  // namespace meridian::compact::downsample
