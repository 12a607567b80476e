// Reading downsampled chunks (storage/aggregate_decoder.h) made by the compactor's downsampler
// from known raw samples: each read against the aggregate computed by hand from the raw
// samples, mixed raw and downsampled chunks without double counting, the counter read across
// chunk boundaries with resets, held windows for instant selectors.

#include "storage/aggregate_decoder.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "compact/downsample/downsample.h"
#include "model/value.h"
#include "storage/series_decoder.h"
#include "tsdb/chunkenc/aggr.h"
#include "tsdb/chunkenc/xor.h"

namespace meridian::storage {
namespace {

constexpr int64_t k5m = kResolution5m;
constexpr int64_t k1h = kResolution1h;
// 2h-aligned, as block boundaries are.
constexpr int64_t kT0 = 1'700'000'000'000 / (2 * k1h) * (2 * k1h);

struct Raw {
  std::vector<int64_t> ts;
  std::vector<double> vs;
};

// Samples every `step` ms over [from, to), a few seconds after the window edges as scrapes
// are, with the value f(i).
template <typename F>
Raw Generate(int64_t from, int64_t to, int64_t step, F f) {
  Raw r;
  int i = 0;
  for (int64_t t = from + 7'000; t < to; t += step, ++i) {
    r.ts.push_back(t);
    r.vs.push_back(f(i));
  }
  return r;
}

// Raw chunks of 120 samples, as Prometheus's head cuts them.
std::vector<Chunk> RawChunks(const Raw& r) {
  std::vector<Chunk> out;
  for (size_t i = 0; i < r.ts.size(); i += 120) {
    chunkenc::XorEncoder enc;
    const size_t end = std::min(r.ts.size(), i + 120);
    for (size_t j = i; j < end; ++j) enc.Append(r.ts[j], r.vs[j]);
    Chunk c;
    c.min_time = r.ts[i];
    c.max_time = r.ts[end - 1];
    c.encoding = ChunkEncoding::kXOR;
    c.data = std::make_shared<const std::string>(enc.Finish());
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<Chunk> Downsampled(const Raw& r, int64_t resolution) {
  auto five = compact::downsample::DownsampleSeries(RawChunks(r), 0, k5m);
  EXPECT_TRUE(five.ok()) << five.status().message();
  if (resolution == k5m || !five.ok()) return five.ok() ? *five : std::vector<Chunk>{};
  auto hour = compact::downsample::DownsampleSeries(*five, k5m, k1h);
  EXPECT_TRUE(hour.ok()) << hour.status().message();
  return hour.ok() ? *hour : std::vector<Chunk>{};
}

Series Of(std::vector<Chunk> chunks) {
  Series s;
  s.labels = Labels{{"__name__", "x"}};
  std::stable_sort(chunks.begin(), chunks.end(), [](const Chunk& a, const Chunk& b) { return a.min_time < b.min_time; });
  s.chunks = std::move(chunks);
  return s;
}

Raw Read(const Series& s, AggregateRead read, int64_t mint, int64_t maxt, AggregateDecodeInfo* info = nullptr) {
  Raw out;
  Status st = DecodeSeriesAs(s, read, mint, maxt, &out.ts, &out.vs, info);
  EXPECT_TRUE(st.ok()) << st.message();
  return out;
}

// Per window start: the raw samples' count, sum, min, max.
struct Agg {
  double count = 0, sum = 0, min = INFINITY, max = -INFINITY;
};
std::map<int64_t, Agg> ByWindow(const Raw& r, int64_t res) {
  std::map<int64_t, Agg> out;
  for (size_t i = 0; i < r.ts.size(); ++i) {
    Agg& a = out[r.ts[i] / res * res];
    a.count += 1;
    a.sum += r.vs[i];
    a.min = std::min(a.min, r.vs[i]);
    a.max = std::max(a.max, r.vs[i]);
  }
  return out;
}

double Sum(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return s;
}

TEST(InferResolution, FromWindowStamps) {
  // Every stamp but the last is its window's last millisecond.
  EXPECT_EQ(InferResolution(std::vector<int64_t>{k1h - 1, 2 * k1h - 1, 2 * k1h + 1234}), k1h);
  EXPECT_EQ(InferResolution(std::vector<int64_t>{k5m - 1, 2 * k5m - 1, 3 * k5m - 1, 3 * k5m + 20'000}), k5m);
  // Two 5m windows in one hour cannot be 1h windows.
  EXPECT_EQ(InferResolution(std::vector<int64_t>{k5m - 1, 2 * k5m - 1, 2 * k5m + 10}), k5m);
  // One window could be either: the finer one.
  EXPECT_EQ(InferResolution(std::vector<int64_t>{k1h + 42}), k5m);
}

TEST(AggregateDecoder, EachReadIsTheAggregateOfTheRawSamples) {
  // Integer values, so sums are exact whatever the order of additions.
  const Raw raw = Generate(kT0, kT0 + 8 * k1h, 15'000, [](int i) { return static_cast<double>((i * 7) % 23); });
  for (int64_t res : {k5m, k1h}) {
    SCOPED_TRACE(res);
    const Series s = Of(Downsampled(raw, res));
    const auto want = ByWindow(raw, res);
    AggregateDecodeInfo info;
    const Raw counts = Read(s, AggregateRead::kCount, kT0, kT0 + 8 * k1h, &info);
    EXPECT_EQ(info.coarsest_resolution_ms, res);
    const Raw sums = Read(s, AggregateRead::kSum, kT0, kT0 + 8 * k1h);
    const Raw mins = Read(s, AggregateRead::kMin, kT0, kT0 + 8 * k1h);
    const Raw maxs = Read(s, AggregateRead::kMax, kT0, kT0 + 8 * k1h);
    const Raw avgs = Read(s, AggregateRead::kAverage, kT0, kT0 + 8 * k1h);
    ASSERT_EQ(counts.ts.size(), want.size());
    ASSERT_EQ(sums.ts, counts.ts);
    ASSERT_EQ(mins.ts, counts.ts);
    ASSERT_EQ(maxs.ts, counts.ts);
    ASSERT_EQ(avgs.ts, counts.ts);
    size_t i = 0;
    for (const auto& [start, a] : want) {
      EXPECT_EQ(counts.ts[i] / res * res, start);
      EXPECT_EQ(counts.vs[i], a.count);
      EXPECT_EQ(sums.vs[i], a.sum);
      EXPECT_EQ(mins.vs[i], a.min);
      EXPECT_EQ(maxs.vs[i], a.max);
      EXPECT_EQ(avgs.vs[i], a.sum / a.count);
      ++i;
    }
    EXPECT_EQ(Sum(counts.vs), static_cast<double>(raw.ts.size()));
  }
}

TEST(AggregateDecoder, CounterReadRemovesResetsAcrossChunks) {
  // A counter that resets every 100 minutes, so resets fall inside chunks and at their edges.
  const Raw raw = Generate(kT0, kT0 + 48 * k1h, 15'000, [](int i) { return static_cast<double>((i % 400) * 3); });
  double increase = 0;
  for (size_t i = 1; i < raw.vs.size(); ++i) {
    increase += raw.vs[i] >= raw.vs[i - 1] ? raw.vs[i] - raw.vs[i - 1] : raw.vs[i];
  }
  for (int64_t res : {k5m, k1h}) {
    SCOPED_TRACE(res);
    const std::vector<Chunk> chunks = Downsampled(raw, res);
    // 48 hours make five 5m chunks (about 140 windows each), one 1h chunk.
    ASSERT_EQ(chunks.size(), res == k5m ? 5u : 1u);
    const Raw c = Read(Of(chunks), AggregateRead::kCounter, kT0, kT0 + 48 * k1h);
    ASSERT_FALSE(c.vs.empty());
    for (size_t i = 1; i < c.vs.size(); ++i) {
      ASSERT_GT(c.ts[i], c.ts[i - 1]);
      ASSERT_GE(c.vs[i], c.vs[i - 1]) << "at " << c.ts[i];
    }
    // From the first raw value to the last: every increase kept, nothing counted twice.
    EXPECT_EQ(c.vs.back() - c.vs.front(), increase);
    // And at every point: the increase up to the last raw sample at or before it.
    std::vector<double> raw_total(raw.vs.size(), 0);
    for (size_t i = 1; i < raw.vs.size(); ++i) {
      raw_total[i] = raw_total[i - 1] + (raw.vs[i] >= raw.vs[i - 1] ? raw.vs[i] - raw.vs[i - 1] : raw.vs[i]);
    }
    for (size_t i = 0; i < c.ts.size(); ++i) {
      const size_t j = static_cast<size_t>(std::upper_bound(raw.ts.begin(), raw.ts.end(), c.ts[i]) - raw.ts.begin()) - 1;
      ASSERT_EQ(c.vs[i] - c.vs.front(), raw_total[j]) << "at " << c.ts[i] - kT0 << " (sample " << i << ")";
    }
    EXPECT_EQ(c.ts.front(), raw.ts.front());
  }
}

TEST(AggregateDecoder, RawSamplesWinWhereTheyCoverWindowsAndNothingIsCountedTwice) {
  // Downsampled data for 8 hours; raw data (another block) for the last 4 of them and 2 more.
  const Raw all = Generate(kT0, kT0 + 10 * k1h, 15'000, [](int i) { return static_cast<double>(i % 11); });
  Raw early, raw_part;
  for (size_t i = 0; i < all.ts.size(); ++i) {
    if (all.ts[i] < kT0 + 8 * k1h) {
      early.ts.push_back(all.ts[i]);
      early.vs.push_back(all.vs[i]);
    }
    if (all.ts[i] >= kT0 + 4 * k1h) {
      raw_part.ts.push_back(all.ts[i]);
      raw_part.vs.push_back(all.vs[i]);
    }
  }
  std::vector<Chunk> chunks = Downsampled(early, k5m);
  for (Chunk& c : RawChunks(raw_part)) chunks.push_back(std::move(c));
  const Series s = Of(chunks);
  const Raw counts = Read(s, AggregateRead::kCount, kT0, kT0 + 10 * k1h);
  EXPECT_EQ(Sum(counts.vs), static_cast<double>(all.ts.size()));
  const Raw sums = Read(s, AggregateRead::kSum, kT0, kT0 + 10 * k1h);
  EXPECT_EQ(Sum(sums.vs), Sum(all.vs));
  // From kT0+4h on the samples are the raw ones.
  auto first_raw = std::lower_bound(sums.ts.begin(), sums.ts.end(), kT0 + 4 * k1h);
  EXPECT_EQ(static_cast<size_t>(sums.ts.end() - first_raw), raw_part.ts.size());
  EXPECT_EQ(*first_raw, raw_part.ts.front());
  // The counter read prefers the downsampled chunks over their whole span instead.
  const Raw counter = Read(s, AggregateRead::kCounter, kT0, kT0 + 10 * k1h);
  for (size_t i = 1; i < counter.vs.size(); ++i) ASSERT_GE(counter.vs[i], counter.vs[i - 1]);
  const Raw raw_counter = Read(Of(RawChunks(all)), AggregateRead::kCounter, kT0, kT0 + 10 * k1h);
  EXPECT_EQ(counter.vs.back(), raw_counter.vs.back());
}

TEST(AggregateDecoder, WindowAverageHoldsFromTheWindowStartAndEndsWhereTheSeriesEnds) {
  // Data for two hours, none for an hour, then one more hour.
  Raw raw = Generate(kT0, kT0 + 2 * k1h, 15'000, [](int i) { return static_cast<double>(i % 5); });
  const Raw more = Generate(kT0 + 3 * k1h, kT0 + 4 * k1h, 15'000, [](int) { return 10.0; });
  raw.ts.insert(raw.ts.end(), more.ts.begin(), more.ts.end());
  raw.vs.insert(raw.vs.end(), more.vs.begin(), more.vs.end());
  const Series s = Of(Downsampled(raw, k1h));
  const Raw held = Read(s, AggregateRead::kWindowAverage, kT0, kT0 + 4 * k1h);
  const auto want = ByWindow(raw, k1h);
  // Three windows, a marker after the second (the next hour is empty) and after the last.
  ASSERT_EQ(held.ts.size(), 5u);
  EXPECT_EQ(held.ts[0], kT0);
  EXPECT_EQ(held.vs[0], want.at(kT0).sum / want.at(kT0).count);
  EXPECT_EQ(held.ts[1], kT0 + k1h);
  EXPECT_EQ(held.ts[2], kT0 + 2 * k1h);
  EXPECT_TRUE(IsStaleNaN(held.vs[2]));
  EXPECT_EQ(held.ts[3], kT0 + 3 * k1h);
  EXPECT_EQ(held.vs[3], 10.0);
  EXPECT_EQ(held.ts[4], kT0 + 4 * k1h);
  EXPECT_TRUE(IsStaleNaN(held.vs[4]));
  // A window reaching into the range is read from its start, before mint.
  const Raw late = Read(s, AggregateRead::kWindowAverage, kT0 + k1h + 30 * 60'000, kT0 + k1h + 40 * 60'000);
  ASSERT_FALSE(late.ts.empty());
  EXPECT_EQ(late.ts[0], kT0 + k1h);
}

TEST(AggregateDecoder, MissingAggregateIsAnError) {
  const Raw raw = Generate(kT0, kT0 + k1h, 15'000, [](int i) { return static_cast<double>(i); });
  std::vector<Chunk> chunks = Downsampled(raw, k5m);
  // A store sent only the counter.
  auto parts = chunkenc::ParseAggrChunk(chunks[0].bytes());
  ASSERT_TRUE(parts.ok());
  for (auto t : {chunkenc::AggrType::kCount, chunkenc::AggrType::kSum, chunkenc::AggrType::kMin, chunkenc::AggrType::kMax}) {
    (*parts)[t].reset();
  }
  chunks[0].data = std::make_shared<const std::string>(chunkenc::EncodeAggrChunk(*parts));
  std::vector<int64_t> ts;
  std::vector<double> vs;
  Status st = DecodeSeriesAs(Of({chunks[0]}), AggregateRead::kSum, kT0, kT0 + k1h, &ts, &vs);
  EXPECT_EQ(st.code(), StatusCode::kExecution);
  EXPECT_NE(st.message().find("without the sum aggregate"), std::string::npos) << st.message();
  EXPECT_TRUE(ts.empty());
  EXPECT_TRUE(DecodeSeriesAs(Of({chunks[0]}), AggregateRead::kCounter, kT0, kT0 + k1h, &ts, &vs).ok());
}

}  // namespace
}  // namespace meridian::storage
