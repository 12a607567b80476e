// Thanos's own downsampling examples (pkg/compact/downsample/downsample_test.go, quoted in
// DOWNSAMPLING.md 1.3 and 1.4), run through Meridian's downsampler. Every output sub-chunk is
// compared sample by sample and, byte for byte, with the XOR chunk of the expected samples.

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "compact/downsample/downsample.h"
#include "model/value.h"
#include "tests/downsample/test_util.h"
#include "tsdb/chunkenc/counter_resets.h"

namespace meridian::compact::downsample {
namespace {

using chunkenc::CounterResetsIterator;
using testing::AggregateChunk;
using testing::AggrSamples;
using testing::DecodeAggregate;
using testing::ExpectSamples;
using testing::Samples;
using testing::XorChunk;

const char* const kNames[5] = {"count", "sum", "min", "max", "counter"};

// The output chunk must be exactly the body of the expected sub-chunks: present ones as the XOR
// chunk of their samples, absent ones as a single 0x00.
void ExpectChunk(const storage::Chunk& got, const AggrSamples& want, int64_t min_time, int64_t max_time) {
  EXPECT_EQ(got.encoding, storage::ChunkEncoding::kAggregate);
  EXPECT_EQ(got.min_time, min_time);
  EXPECT_EQ(got.max_time, max_time);
  const AggrSamples decoded = DecodeAggregate(got);
  std::array<std::optional<std::string>, 5> subs;
  for (size_t i = 0; i < 5; ++i) {
    ASSERT_EQ(decoded[i].has_value(), want[i].has_value()) << kNames[i];
    if (!want[i]) continue;
    ExpectSamples(*decoded[i], *want[i], kNames[i]);
    subs[i] = testing::XorOf(*want[i]);
  }
  EXPECT_EQ(got.bytes(), testing::BodyByHand(subs));
}

StatusOr<std::vector<storage::Chunk>> DownsampleRawChunks(const std::vector<Samples>& raw_chunks, int64_t resolution) {
  std::vector<storage::Chunk> in;
  for (const Samples& s : raw_chunks) in.push_back(XorChunk(s));
  return DownsampleSeries(in, kResLevel0, resolution);
}

const double kStale = StaleNaN();

TEST(DownsampleExamples, SingleRawChunk) {
  auto out = DownsampleRawChunks(
      {{{20, 1}, {40, 2}, {60, 3}, {80, 1}, {100, 2}, {101, kStale}, {120, 5}, {180, 10}, {250, 1}}}, 100);
  ASSERT_TRUE(out.ok()) << out.status().message();
  ASSERT_EQ(out->size(), 1u);
  ExpectChunk((*out)[0],
              {Samples{{99, 4}, {199, 3}, {250, 1}}, Samples{{99, 7}, {199, 17}, {250, 1}},
               Samples{{99, 1}, {199, 2}, {250, 1}}, Samples{{99, 3}, {199, 10}, {250, 1}},
               Samples{{20, 1}, {99, 4}, {199, 13}, {250, 14}, {250, 1}}},
              99, 250);
}

// Raw chunk boundaries are ignored: three chunks make one sample sequence.
TEST(DownsampleExamples, ThreeRawChunks) {
  auto out = DownsampleRawChunks(
      {{{20, 1}, {40, 2}, {60, 3}, {80, 1}, {100, 2}, {101, kStale}, {120, 5}, {180, 10}, {250, 2}},
       {{260, 1}, {300, 10}, {340, 15}, {380, 25}, {420, 35}},
       {{460, kStale}, {500, 10}, {540, 3}}},
      100);
  ASSERT_TRUE(out.ok()) << out.status().message();
  ASSERT_EQ(out->size(), 1u);
  ExpectChunk((*out)[0],
              {Samples{{99, 4}, {199, 3}, {299, 2}, {399, 3}, {499, 1}, {540, 2}},
               Samples{{99, 7}, {199, 17}, {299, 3}, {399, 50}, {499, 35}, {540, 13}},
               Samples{{99, 1}, {199, 2}, {299, 1}, {399, 10}, {499, 35}, {540, 3}},
               Samples{{99, 3}, {199, 10}, {299, 2}, {399, 25}, {499, 35}, {540, 10}},
               Samples{{20, 1}, {99, 4}, {199, 13}, {299, 16}, {399, 40}, {499, 50}, {540, 63}, {540, 3}}},
              99, 540);
}

TEST(DownsampleExamples, OverlappingChunksAreRejected) {
  const Samples a = {{20, 1}, {40, 2}, {250, 2}};
  auto out = DownsampleRawChunks({a, a}, 100);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kCorrupt);

  const AggrSamples aggr = {Samples{{199, 5}, {999, 100}}, std::nullopt, std::nullopt, std::nullopt, std::nullopt};
  auto agg = DownsampleSeries({AggregateChunk(aggr, 199, 999), AggregateChunk(aggr, 199, 999)}, 499, 500);
  ASSERT_FALSE(agg.ok());
  EXPECT_EQ(agg.status().code(), StatusCode::kCorrupt);
}

TEST(DownsampleExamples, TargetMustBeCoarser) {
  auto same = DownsampleSeries({}, kResLevel1, kResLevel1);
  ASSERT_FALSE(same.ok());
  EXPECT_EQ(same.status().code(), StatusCode::kBadData);
  auto finer = DownsampleSeries({}, kResLevel2, kResLevel1);
  ASSERT_FALSE(finer.ok());
  EXPECT_EQ(finer.status().code(), StatusCode::kBadData);
  auto raw = DownsampleSeries({}, kResLevel0, kResLevel0);
  ASSERT_FALSE(raw.ok());
}

// The 5m chunk of the r=500 example: the counter sub-chunk holds three raw chunks' worth of
// counter samples (with their "last raw value" repeats), the second reset-free, the third
// starting with a reset.
const AggrSamples kAggrInput = {
    Samples{{199, 5}, {299, 1}, {399, 10}, {400, 3}, {499, 10}, {699, 0}, {999, 100}},
    Samples{{199, 5}, {299, 1}, {399, 10}, {400, 3}, {499, 10}, {699, 0}, {999, 100}},
    Samples{{199, 5}, {299, 1}, {399, 10}, {400, -3}, {499, 10}, {699, 0}, {999, 100}},
    Samples{{199, 5}, {299, 1}, {399, 10}, {400, -3}, {499, 10}, {699, 0}, {999, 100}},
    Samples{{99, 100}, {299, 150}, {499, 210}, {499, 10},
            {599, 20}, {799, 50}, {999, 120}, {999, 50},
            {1099, 40}, {1199, 80}, {1299, 110}}};

const AggrSamples kAggrOutput = {Samples{{499, 29}, {999, 100}}, Samples{{499, 29}, {999, 100}},
                                 Samples{{499, -3}, {999, 0}}, Samples{{499, 10}, {999, 100}},
                                 Samples{{99, 100}, {499, 210}, {999, 320}, {1299, 430}, {1299, 110}}};

// Thanos runs these with a block resolution of 499 and a target of 500.
TEST(DownsampleExamples, SingleAggregateChunk) {
  auto out = DownsampleSeries({AggregateChunk(kAggrInput, 99, 1299)}, 499, 500);
  ASSERT_TRUE(out.ok()) << out.status().message();
  ASSERT_EQ(out->size(), 1u);
  ExpectChunk((*out)[0], kAggrOutput, 499, 1299);
}

// Downsampling the result again at the same resolution changes nothing (DownsampleSeries itself
// refuses an equal resolution; the loop underneath does not care).
TEST(DownsampleExamples, SameResolutionAgainIsTheIdentity) {
  const storage::Chunk once = AggregateChunk(kAggrOutput, 499, 1299);
  auto again = detail::DownsampleAggrLoop({once}, 500, 1);
  ASSERT_TRUE(again.ok()) << again.status().message();
  ASSERT_EQ(again->size(), 1u);
  EXPECT_EQ((*again)[0].bytes(), once.bytes());
  ExpectChunk((*again)[0], kAggrOutput, 499, 1299);
}

TEST(DownsampleExamples, TwoAggregateChunks) {
  const AggrSamples second = {
      Samples{{1399, 10}, {1400, 3}, {1499, 10}, {1699, 0}, {1999, 100}},
      Samples{{1399, 10}, {1400, 3}, {1499, 10}, {1699, 0}, {1999, 100}},
      Samples{{1399, 10}, {1400, -3}, {1499, 10}, {1699, 0}, {1999, 100}},
      Samples{{1399, 10}, {1400, -3}, {1499, 10}, {1699, 0}, {1999, 100}},
      Samples{{1499, 210}, {1499, 10}, {1599, 20}, {1799, 50}, {1999, 120}, {1999, 50},
              {2099, 40}, {2199, 80}, {2299, 110}}};
  auto out = DownsampleSeries({AggregateChunk(kAggrInput, 99, 1299), AggregateChunk(second, 1399, 2299)}, 499, 500);
  ASSERT_TRUE(out.ok()) << out.status().message();
  ASSERT_EQ(out->size(), 1u);
  ExpectChunk((*out)[0],
              {Samples{{499, 29}, {999, 100}, {1499, 23}, {1999, 100}},
               Samples{{499, 29}, {999, 100}, {1499, 23}, {1999, 100}},
               Samples{{499, -3}, {999, 0}, {1499, -3}, {1999, 0}},
               Samples{{499, 10}, {999, 100}, {1499, 10}, {1999, 100}},
               Samples{{99, 100}, {499, 210}, {999, 320}, {1499, 530}, {1999, 640}, {2299, 750}, {2299, 110}}},
              499, 2299);
}

// Thanos's realistic case: a 15s-scraped counter with a reset, at 5m, taken to 1h (one window,
// stamped with the last raw sample's time).
TEST(DownsampleExamples, RealisticFiveMinuteChunkToOneHour) {
  const std::vector<int64_t> ts = {1587690299999, 1587690599999, 1587690899999, 1587691199999,
                                   1587691499999, 1587691799999, 1587692099999, 1587692399999,
                                   1587692699999, 1587692999999, 1587693299999, 1587693590791};
  auto series = [&](std::vector<double> vs) {
    Samples s;
    for (size_t i = 0; i < ts.size(); ++i) s.push_back({ts[i], vs[i]});
    return s;
  };
  AggrSamples in = {
      series({20, 20, 20, 20, 20, 20, 20, 20, 16, 20, 20, 20}),
      series({9.276972e+06, 9.359861e+06, 9.447457e+06, 9.542732e+06, 9.630379e+06, 9.715631e+06, 9.799808e+06,
              9.888117e+06, 2.98928e+06, 81592, 163711, 255746}),
      series({461968, 466070, 470131, 474913, 479625, 483709, 488036, 492223, 75, 2261, 6210, 10464}),
      series({465870, 469951, 474726, 479368, 483566, 487787, 492065, 496245, 496544, 6010, 10242, 14956}),
      std::nullopt};
  Samples counter = {{1587690005791, 461968}};
  for (const Sample& s : series({465870, 469951, 474726, 479368, 483566, 487787, 492065, 496245, 498647, 502554,
                                 506786, 511500})) {
    counter.push_back(s);
  }
  counter.push_back({1587693590791, 14956});
  in[4] = counter;
  auto out = DownsampleSeries({AggregateChunk(in, 1587690005791, 1587693590791)}, kResLevel1, kResLevel2);
  ASSERT_TRUE(out.ok()) << out.status().message();
  ASSERT_EQ(out->size(), 1u);
  ExpectChunk((*out)[0],
              {Samples{{1587693590791, 236}}, Samples{{1587693590791, 8.0151286e+07}},
               Samples{{1587693590791, 75}}, Samples{{1587693590791, 496544}},
               Samples{{1587690005791, 461968}, {1587693590791, 511500}, {1587693590791, 14956}}},
              1587693590791, 1587693590791);
}

// Thanos's TestDownsampleCounterBoundaryReset: resets fall exactly on chunk boundaries and are
// only found because every chunk keeps its first and last raw value.
TEST(DownsampleExamples, CounterResetsAtChunkBoundaries) {
  const Samples raw = {{10, 1},  {20, 3},   {30, 5},   {50, 1},   {60, 8},   {70, 10},
                       {120, 1}, {130, 18}, {140, 20}, {160, 21}, {170, 38}, {180, 40}};
  // More chunks than samples: every chunk holds a single window.
  auto cm = detail::DownsampleRawLoop(raw, 50, static_cast<int64_t>(raw.size()) + 1);
  ASSERT_TRUE(cm.ok()) << cm.status().message();
  ASSERT_EQ(cm->size(), 4u);

  auto counter_samples = [](const std::vector<storage::Chunk>& chunks) {
    Samples out;
    for (const auto& c : chunks) {
      const AggrSamples a = DecodeAggregate(c);
      EXPECT_TRUE(a[4].has_value());
      if (a[4]) out.insert(out.end(), a[4]->begin(), a[4]->end());
    }
    return out;
  };
  auto counter_iterate = [](const std::vector<storage::Chunk>& chunks) {
    std::vector<std::string> subs;
    for (const auto& c : chunks) {
      auto body = testing::ParseBodyByHand(c.bytes());
      EXPECT_TRUE(body && (*body)[4]);
      if (body && (*body)[4]) subs.push_back((*body)[4]->data);
    }
    std::vector<std::string_view> views(subs.begin(), subs.end());
    CounterResetsIterator it(views);
    Samples out;
    while (it.Next()) out.push_back({it.t(), it.v()});
    EXPECT_TRUE(it.status().ok());
    return out;
  };

  ExpectSamples(counter_samples(*cm),
                {{10, 1}, {30, 5}, {30, 5}, {50, 1}, {70, 10}, {70, 10},
                 {120, 1}, {140, 20}, {140, 20}, {160, 21}, {180, 40}, {180, 40}},
                "raw counter samples");
  ExpectSamples(counter_iterate(*cm), {{10, 1}, {30, 5}, {50, 6}, {70, 15}, {120, 16}, {140, 35}, {160, 36}, {180, 55}},
                "raw counter iterated");

  auto acm = detail::DownsampleAggrLoop(*cm, 100, 2);
  ASSERT_TRUE(acm.ok()) << acm.status().message();
  ASSERT_EQ(acm->size(), 2u);
  ExpectSamples(counter_samples(*acm), {{10, 1}, {70, 15}, {70, 10}, {120, 1}, {180, 40}, {180, 40}},
                "aggregate counter samples");
  ExpectSamples(counter_iterate(*acm), {{10, 1}, {70, 15}, {120, 16}, {180, 55}}, "aggregate counter iterated");
}

// Four counter-only chunks of 120 samples at resolution 1, taken to 2: their count entries are
// absent, so the chunk count sees 0 windows and everything lands in one chunk whose other four
// entries stay absent. Thanos's newest code would stamp min_time 0 here (its absent aggregates
// report a (0, 0) range); the first written window is 1.
TEST(DownsampleExamples, CounterOnlyChunksStayCounterOnly) {
  std::vector<storage::Chunk> in;
  for (int64_t c = 0; c < 4; ++c) {
    Samples s;
    for (int64_t i = 0; i < 120; ++i) s.push_back({c * 120 + i, static_cast<double>(c * 120 + i)});
    in.push_back(AggregateChunk({std::nullopt, std::nullopt, std::nullopt, std::nullopt, s}, c * 120, c * 120 + 119));
  }
  auto out = DownsampleSeries(in, 1, 2);
  ASSERT_TRUE(out.ok()) << out.status().message();
  ASSERT_EQ(out->size(), 1u);
  Samples counter = {{0, 0}};
  for (int64_t i = 0; i < 480; i += 2) counter.push_back({i + 1, static_cast<double>(i + 1)});
  counter.push_back({479, 479});
  ExpectChunk((*out)[0], {std::nullopt, std::nullopt, std::nullopt, std::nullopt, counter}, 1, 479);
  // Four absent entries are four zero bytes at the front.
  EXPECT_EQ((*out)[0].bytes().substr(0, 4), std::string(4, '\0'));
}

// More parts than input chunks: Thanos's part size len/count is 0 and its loop never ends.
TEST(DownsampleExamples, MorePartsThanChunksStillAdvances) {
  auto out = detail::DownsampleAggrLoop({AggregateChunk(kAggrInput, 99, 1299)}, 500, 5);
  ASSERT_TRUE(out.ok()) << out.status().message();
  ASSERT_EQ(out->size(), 1u);
  ExpectChunk((*out)[0], kAggrOutput, 499, 1299);
}

// Divergence from Thanos (which starts min/max at +-MaxFloat64): a window of only +Inf has min
// +Inf, one of only -Inf has max -Inf.
TEST(DownsampleExamples, InfiniteWindowsKeepTheirValue) {
  const double inf = std::numeric_limits<double>::infinity();
  auto out = DownsampleRawChunks({{{10, inf}, {20, inf}, {110, -inf}, {120, -inf}, {210, 1}}}, 100);
  ASSERT_TRUE(out.ok()) << out.status().message();
  ASSERT_EQ(out->size(), 1u);
  const AggrSamples a = DecodeAggregate((*out)[0]);
  ExpectSamples(*a[2], {{99, inf}, {199, -inf}, {210, 1}}, "min");
  ExpectSamples(*a[3], {{99, inf}, {199, -inf}, {210, 1}}, "max");
}

// NaN values are dropped after the cut; a series of nothing but NaN and stale markers has no
// output chunk at all.
TEST(DownsampleExamples, NaNOnlySeriesHasNoChunks) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  auto out = DownsampleRawChunks({{{10, nan}, {20, kStale}, {30, nan}}}, 100);
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_TRUE(out->empty());

  auto some = DownsampleRawChunks({{{10, nan}, {20, 5}, {130, nan}}}, 100);
  ASSERT_TRUE(some.ok());
  ASSERT_EQ(some->size(), 1u);
  // NaN samples count for the chunk count and the cut, not for the windows: the only window
  // is stamped with the last non-NaN sample.
  ExpectChunk((*some)[0], {Samples{{20, 1}}, Samples{{20, 5}}, Samples{{20, 5}}, Samples{{20, 5}},
                           Samples{{20, 5}, {20, 5}, {20, 5}}},
              20, 20);
}

// Expansion keeps a sample only if it is not earlier than the last kept one of its chunk,
// starting from 0: negative timestamps go, equal ones stay.
TEST(DownsampleExamples, ExpansionDropsSamplesGoingBackInTime) {
  auto out = DownsampleRawChunks({{{-50, 7}, {100, 1}, {200, 2}, {200, 3}, {150, 9}, {250, 4}}}, 1000);
  ASSERT_TRUE(out.ok()) << out.status().message();
  ASSERT_EQ(out->size(), 1u);
  const AggrSamples a = DecodeAggregate((*out)[0]);
  ExpectSamples(*a[0], {{250, 4}}, "count");
  ExpectSamples(*a[1], {{250, 10}}, "sum");
}

TEST(DownsampleExamples, HistogramChunksAreAnExecutionError) {
  storage::Chunk h;
  h.min_time = 0;
  h.max_time = 10;
  h.encoding = storage::ChunkEncoding::kHistogram;
  h.data = std::make_shared<const std::string>("\x00\x01", 2);
  auto raw = DownsampleSeries({h}, kResLevel0, kResLevel1);
  ASSERT_FALSE(raw.ok());
  EXPECT_EQ(raw.status().code(), StatusCode::kExecution);
  EXPECT_NE(raw.status().message().find("histogram"), std::string::npos) << raw.status().message();

  h.encoding = storage::ChunkEncoding::kFloatHistogram;
  auto agg = DownsampleSeries({h}, kResLevel1, kResLevel2);
  ASSERT_FALSE(agg.ok());
  EXPECT_EQ(agg.status().code(), StatusCode::kExecution);
  EXPECT_NE(agg.status().message().find("float histogram"), std::string::npos) << agg.status().message();

  // A native-histogram aggregate chunk: count XOR, sum and counter float histograms.
  std::string body;
  const std::string count = testing::XorOf({{299999, 3}});
  body.push_back(static_cast<char>(count.size()));
  body.push_back('\x01');
  body += count;
  body += std::string("\x02\x03xy\x00\x00\x02\x03xy", 10);
  storage::Chunk ha;
  ha.min_time = 299999;
  ha.max_time = 299999;
  ha.encoding = storage::ChunkEncoding::kAggregate;
  ha.data = std::make_shared<const std::string>(body);
  auto hist_aggr = DownsampleSeries({ha}, kResLevel1, kResLevel2);
  ASSERT_FALSE(hist_aggr.ok());
  EXPECT_EQ(hist_aggr.status().code(), StatusCode::kExecution) << hist_aggr.status().message();
}

TEST(DownsampleExamples, AggregateChunkInARawBlockIsCorrupt) {
  auto out = DownsampleSeries({AggregateChunk(kAggrInput, 99, 1299)}, kResLevel0, kResLevel1);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kCorrupt);
}

// Thanos #5272: an empty XOR chunk in a downsampled block is skipped; a non-empty one is
// downsampled at 5m first and joins the aggregate chunks.
TEST(DownsampleExamples, XorChunksInADownsampledBlock) {
  storage::Chunk empty = XorChunk({});
  empty.min_time = 1000000;
  empty.max_time = 1000001;
  auto skipped = DownsampleSeries({AggregateChunk(kAggrInput, 99, 1299), empty}, 499, 500);
  ASSERT_TRUE(skipped.ok()) << skipped.status().message();
  ASSERT_EQ(skipped->size(), 1u);
  ExpectChunk((*skipped)[0], kAggrOutput, 499, 1299);

  // 5m aggregates of raw samples 0:1, 150000:2, 300000:3, 450000:4 (the last window stamped
  // with its last sample), then a raw chunk in [10m, 20m).
  const AggrSamples five = {Samples{{299999, 2}, {450000, 2}}, Samples{{299999, 3}, {450000, 7}},
                            Samples{{299999, 1}, {450000, 3}}, Samples{{299999, 2}, {450000, 4}},
                            Samples{{0, 1}, {299999, 2}, {450000, 4}, {450000, 4}}};
  const Samples raw = {{600000, 5}, {700000, 6}, {900000, 1}, {1100000, 2}};
  auto out = DownsampleSeries({AggregateChunk(five, 299999, 450000), XorChunk(raw)}, kResLevel1, kResLevel2);
  ASSERT_TRUE(out.ok()) << out.status().message();
  ASSERT_EQ(out->size(), 1u);
  // The raw chunk becomes 5m windows 899999 (5, 6) and 1100000 (1, 2), with counter
  // 600000:5, 899999:6, 1100000:8 and the last raw value 2. Everything falls into the first
  // hour, stamped with the last input timestamp; the counter sees the reset from 6 to 1.
  ExpectChunk((*out)[0],
              {Samples{{1100000, 8}}, Samples{{1100000, 3 + 7 + 11 + 3}}, Samples{{1100000, 1}},
               Samples{{1100000, 6}}, Samples{{0, 1}, {1100000, 8}, {1100000, 2}}},
              1100000, 1100000);
}

TEST(DownsampleExamples, WindowArithmetic) {
  EXPECT_EQ(CurrentWindow(0, 300000), 299999);
  EXPECT_EQ(CurrentWindow(299999, 300000), 299999);
  EXPECT_EQ(CurrentWindow(300000, 300000), 599999);
  // A 48h block scraped every 15s: 576 expected windows, so 5 chunks of about 115.
  EXPECT_EQ(TargetChunkCount(0, 48 * 3600000 - 15000, 60000, kResLevel1, 11520), 5);
  // A single sample: an empty range is "full".
  EXPECT_EQ(TargetChunkCount(100, 100, 60000, kResLevel1, 1), 1);
  EXPECT_EQ(TargetChunkCount(0, 140 * kResLevel1, kResLevel1, kResLevel1 + 1, 1000), 1);
  EXPECT_EQ(TargetChunkCount(0, 141 * kResLevel1, 1, kResLevel1, 1 << 30), 2);
  // Inverted or empty ranges never give less than one chunk.
  EXPECT_EQ(TargetChunkCount(1000, 0, 60000, kResLevel1, 0), 1);
  EXPECT_EQ(TargetChunkCount(std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max(), 1, 1, 5), 1);
}

}  // namespace
}  // namespace meridian::compact::downsample
