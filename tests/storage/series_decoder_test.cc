#include "storage/series_decoder.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tsdb/chunkenc/xor.h"

namespace meridian::storage {
namespace {

Chunk Xor(std::vector<std::pair<int64_t, double>> samples) {
  chunkenc::XorEncoder enc;
  for (auto [t, v] : samples) enc.Append(t, v);
  Chunk c;
  c.min_time = samples.front().first;
  c.max_time = samples.back().first;
  c.encoding = ChunkEncoding::kXOR;
  c.data = std::make_shared<const std::string>(enc.Finish());
  return c;
}

struct Decoded {
  Status status;
  std::vector<int64_t> ts;
  std::vector<double> vs;
};

Decoded Decode(const Series& s, int64_t mint, int64_t maxt) {
  Decoded d;
  d.status = DecodeSeries(s, mint, maxt, &d.ts, &d.vs);
  return d;
}

TEST(SeriesDecoderTest, SequentialChunksAndRangeTrim) {
  Series s;
  s.labels = Labels{{"__name__", "x"}};
  s.chunks = {Xor({{10, 1}, {20, 2}, {30, 3}}), Xor({{40, 4}, {50, 5}}), Xor({{60, 6}})};
  auto d = Decode(s, 0, 100);
  ASSERT_TRUE(d.status.ok());
  EXPECT_EQ(d.ts, (std::vector<int64_t>{10, 20, 30, 40, 50, 60}));
  d = Decode(s, 20, 50);
  EXPECT_EQ(d.ts, (std::vector<int64_t>{20, 30, 40, 50}));
  EXPECT_EQ(d.vs, (std::vector<double>{2, 3, 4, 5}));
  d = Decode(s, 31, 39);
  ASSERT_TRUE(d.status.ok());
  EXPECT_TRUE(d.ts.empty());
  d = Decode(s, 60, 60);
  EXPECT_EQ(d.ts, (std::vector<int64_t>{60}));
  d = Decode(s, 70, 60);  // empty range
  EXPECT_TRUE(d.ts.empty());
}

TEST(SeriesDecoderTest, OverlappingChunksMergeFirstWins) {
  Series s;
  s.chunks = {Xor({{10, 1}, {30, 3}, {50, 5}}), Xor({{20, 200}, {30, 300}, {60, 600}}),
              Xor({{10, 1000}, {70, 7000}})};
  auto d = Decode(s, 0, 100);
  ASSERT_TRUE(d.status.ok());
  EXPECT_EQ(d.ts, (std::vector<int64_t>{10, 20, 30, 50, 60, 70}));
  EXPECT_EQ(d.vs, (std::vector<double>{1, 200, 3, 5, 600, 7000}));
  d = Decode(s, 25, 65);
  EXPECT_EQ(d.ts, (std::vector<int64_t>{30, 50, 60}));
  EXPECT_EQ(d.vs, (std::vector<double>{3, 5, 600}));
}

TEST(SeriesDecoderTest, MetadataThatLiesAboutOrderStillMerges) {
  // Chunk metadata says no overlap but the data overlaps: the result is still sorted.
  Series s;
  Chunk a = Xor({{10, 1}, {40, 4}});
  a.max_time = 15;
  Chunk b = Xor({{20, 2}, {30, 3}});
  s.chunks = {a, b};
  auto d = Decode(s, 0, 100);
  ASSERT_TRUE(d.status.ok());
  EXPECT_EQ(d.ts, (std::vector<int64_t>{10, 20, 30, 40}));
}

TEST(SeriesDecoderTest, AppendsAfterExistingContent) {
  Series s;
  s.chunks = {Xor({{10, 1}})};
  std::vector<int64_t> ts = {99};
  std::vector<double> vs = {9};
  ASSERT_TRUE(DecodeSeries(s, 0, 100, &ts, &vs).ok());
  EXPECT_EQ(ts, (std::vector<int64_t>{99, 10}));
}

TEST(SeriesDecoderTest, UnsupportedAndCorruptChunks) {
  Series s;
  s.labels = Labels{{"__name__", "x"}};
  Chunk h = Xor({{10, 1}});
  h.encoding = ChunkEncoding::kHistogram;
  s.chunks = {Xor({{1, 1}}), h};
  auto d = Decode(s, 0, 100);
  EXPECT_EQ(d.status.code(), StatusCode::kExecution);
  EXPECT_NE(d.status.message().find("native histograms are not supported yet"), std::string::npos);
  EXPECT_TRUE(d.ts.empty());
  // Outside the range the histogram chunk is not touched.
  EXPECT_TRUE(Decode(s, 0, 5).status.ok());

  h.encoding = ChunkEncoding::kAggregate;
  s.chunks = {h};
  d = Decode(s, 0, 100);
  // Downsampled chunks need to be told which aggregate to read: DecodeSeriesAs.
  EXPECT_EQ(d.status.code(), StatusCode::kInternal);
  EXPECT_NE(d.status.message().find("downsampled chunks are read with DecodeSeriesAs"), std::string::npos);

  h.encoding = static_cast<ChunkEncoding>(42);
  s.chunks = {h};
  EXPECT_EQ(Decode(s, 0, 100).status.code(), StatusCode::kCorrupt);

  Chunk bad = Xor({{10, 1}, {20, 2}, {30, 3}});
  bad.data = std::make_shared<const std::string>(bad.bytes().substr(0, 5));
  s.chunks = {Xor({{1, 1}}), bad};
  d = Decode(s, 0, 100);
  EXPECT_EQ(d.status.code(), StatusCode::kCorrupt);
  EXPECT_NE(d.status.message().find("series x: xor chunk"), std::string::npos);
  EXPECT_TRUE(d.ts.empty());

  Chunk empty;  // no data at all
  empty.encoding = ChunkEncoding::kXOR;
  s.chunks = {empty};
  EXPECT_EQ(Decode(s, 0, 100).status.code(), StatusCode::kCorrupt);
}

}  // namespace
}  // namespace meridian::storage
