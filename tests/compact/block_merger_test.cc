// MergeBlocks over blocks written by BlockWriter: chunks copied byte for byte when they do not
// overlap, overlapping replicas merged by the chain or the penalty merger, deletions applied.

#include "compact/block_merger.h"

#include <gtest/gtest.h>

#include "tests/compact/compact_fixture.h"
#include "tsdb/tombstones.h"

namespace meridian::compact {
namespace {

using namespace testing;  // NOLINT

struct Written {
  std::shared_ptr<tsdb::BlockReader> reader;
  tsdb::BlockMeta meta;
};

Written Write(const std::string& dir, int64_t mint, int64_t maxt,
              const std::vector<std::pair<Labels, std::vector<std::pair<int64_t, double>>>>& series) {
  tsdb::BlockWriterOptions o;
  o.min_time = mint;
  o.max_time = maxt;
  tsdb::BlockWriter w(o);
  for (const auto& [ls, samples] : series) {
    std::vector<int64_t> ts;
    std::vector<double> vs;
    for (auto [t, v] : samples) {
      ts.push_back(t);
      vs.push_back(v);
    }
    EXPECT_TRUE(w.AddSeries(ls, ts, vs).ok());
  }
  auto meta = w.Write(dir);
  EXPECT_TRUE(meta.ok()) << meta.status().message();
  auto r = tsdb::BlockReader::Open(dir + "/" + meta->ulid.ToString());
  EXPECT_TRUE(r.ok()) << r.status().message();
  return {*r, *meta};
}

std::vector<std::pair<int64_t, double>> Range(int64_t from, int64_t to, int64_t step, double base) {
  std::vector<std::pair<int64_t, double>> out;
  for (int64_t t = from; t < to; t += step) out.emplace_back(t, base + static_cast<double>(t) / 1000.0);
  return out;
}

// labels -> (chunk bytes..., samples)
struct ReadBack {
  std::map<std::string, std::vector<std::string>> chunks;
  std::map<std::string, std::vector<std::pair<int64_t, double>>> samples;
};

ReadBack Read(const std::string& dir) {
  ReadBack out;
  auto r = tsdb::BlockReader::Open(dir);
  EXPECT_TRUE(r.ok()) << r.status().message();
  auto p = (*r)->index().AllPostings();
  Labels ls;
  std::vector<tsdb::index::ChunkMeta> metas;
  while (p->Next()) {
    metas.clear();
    EXPECT_TRUE((*r)->index().Series(p->At(), &ls, &metas).ok());
    for (const auto& m : metas) {
      auto c = (*r)->chunks().Read(m.ref, m.min_time, m.max_time);
      EXPECT_TRUE(c.ok());
      out.chunks[ls.ToString()].emplace_back(c->bytes());
      std::vector<int64_t> ts;
      std::vector<double> vs;
      EXPECT_TRUE(chunkenc::DecodeXor(c->bytes(), &ts, &vs).ok());
      for (size_t i = 0; i < ts.size(); ++i) out.samples[ls.ToString()].emplace_back(ts[i], vs[i]);
    }
  }
  return out;
}

tsdb::BlockMeta OutMeta() {
  tsdb::BlockMeta m;
  m.ulid = tsdb::Ulid::NewNow();
  m.compaction.level = 2;
  m.thanos = tsdb::ThanosMeta{};
  m.thanos->source = "compactor";
  return m;
}

TEST(BlockMerger, NonOverlappingChunksAreCopiedByteForByteAndSeriesUnioned) {
  TempDir dir;
  const Labels a{{"__name__", "a"}}, b{{"__name__", "b"}}, c{{"__name__", "c"}};
  auto b1 = Write(dir.path(), 0, 7200'000, {{a, Range(0, 7200'000, 15'000, 1)}, {b, Range(0, 7200'000, 15'000, 2)}});
  auto b2 = Write(dir.path(), 7200'000, 14400'000, {{a, Range(7200'000, 14400'000, 15'000, 1)}, {c, Range(7200'000, 14400'000, 30'000, 3)}});
  auto out = MergeBlocks({b1.reader, b2.reader}, dir.path() + "/out", OutMeta());
  ASSERT_TRUE(out.ok()) << out.status().message();
  ASSERT_TRUE(out->has_value());
  EXPECT_EQ((*out)->min_time, 0);
  EXPECT_EQ((*out)->max_time, 14400'000);
  EXPECT_EQ((*out)->stats.num_series, 3u);
  EXPECT_EQ((*out)->stats.num_samples, 2 * 480u + 480u + 240u);
  auto got = Read(dir.path() + "/out/" + (*out)->ulid.ToString());
  auto in1 = Read(dir.path() + "/" + b1.meta.ulid.ToString());
  auto in2 = Read(dir.path() + "/" + b2.meta.ulid.ToString());
  std::vector<std::string> want_a = in1.chunks[a.ToString()];
  want_a.insert(want_a.end(), in2.chunks[a.ToString()].begin(), in2.chunks[a.ToString()].end());
  EXPECT_EQ(got.chunks[a.ToString()], want_a);
  EXPECT_EQ(got.chunks[b.ToString()], in1.chunks[b.ToString()]);
  EXPECT_EQ(got.chunks[c.ToString()], in2.chunks[c.ToString()]);
  // Prometheus (and our reader) checks the output; symbols are the union.
  EXPECT_TRUE(CheckBlockHealth(**tsdb::BlockReader::Open(dir.path() + "/out/" + (*out)->ulid.ToString())).ok());
}

TEST(BlockMerger, OverlappingChunksAreMergedWithOneSamplePerTimestamp) {
  TempDir dir;
  const Labels a{{"__name__", "a"}};
  auto b1 = Write(dir.path(), 0, 7200'000, {{a, Range(0, 7200'000, 20'000, 1)}});
  auto b2 = Write(dir.path(), 3600'000, 10800'000, {{a, Range(3600'000, 10800'000, 30'000, 1)}});
  auto out = MergeBlocks({b1.reader, b2.reader}, dir.path() + "/out", OutMeta());
  ASSERT_TRUE(out.ok()) << out.status().message();
  auto got = Read(dir.path() + "/out/" + (*out)->ulid.ToString());
  std::map<int64_t, double> want;
  for (auto [t, v] : Range(0, 7200'000, 20'000, 1)) want[t] = v;
  for (auto [t, v] : Range(3600'000, 10800'000, 30'000, 1)) want.emplace(t, v);
  std::vector<std::pair<int64_t, double>> w(want.begin(), want.end());
  EXPECT_EQ(got.samples[a.ToString()], w);
  for (const auto& bytes : got.chunks[a.ToString()]) EXPECT_LE(chunkenc::XorNumSamples(bytes), 120);
}

TEST(BlockMerger, PenaltyDeduplicationKeepsCounterAdjustmentAcrossReplicaSwitches) {
  TempDir dir;
  const Labels ctr{{"__name__", "http_requests_total"}};
  // Replica A has a gap in the middle; replica B counts from a lower base (it restarted
  // earlier). Switching to B and back must not create a false counter reset.
  std::vector<std::pair<int64_t, double>> ra, rb;
  for (int64_t t = 0; t < 7200'000; t += 15'000) {
    if (t < 2000'000 || t > 3000'000) ra.emplace_back(t, 1000.0 + static_cast<double>(t) / 1000.0);
    rb.emplace_back(t + 5'000, 10.0 + static_cast<double>(t) / 1000.0);
  }
  auto b1 = Write(dir.path(), 0, 7200'000, {{ctr, ra}});
  auto b2 = Write(dir.path(), 0, 7210'000, {{ctr, rb}});
  MergeOptions mo;
  mo.mode = MergeMode::kPenalty;
  auto out = MergeBlocks({b1.reader, b2.reader}, dir.path() + "/out", OutMeta(), mo);
  ASSERT_TRUE(out.ok()) << out.status().message();
  auto got = Read(dir.path() + "/out/" + (*out)->ulid.ToString()).samples[ctr.ToString()];
  ASSERT_GT(got.size(), 400u);
  for (size_t i = 1; i < got.size(); ++i) {
    EXPECT_GT(got[i].first, got[i - 1].first);
    EXPECT_GE(got[i].second, got[i - 1].second) << "false counter reset at " << got[i].first;
  }
}

TEST(BlockMerger, TombstonedSamplesAreDropped) {
  TempDir dir;
  const Labels a{{"__name__", "a"}};
  auto b1 = Write(dir.path(), 0, 7200'000, {{a, Range(0, 7200'000, 15'000, 1)}});
  // Delete [1h, 1h30m] of the series by writing its tombstones file.
  tsdb::Tombstones ts;
  auto p = b1.reader->index().AllPostings();
  ASSERT_TRUE(p->Next());
  ts.Add(p->At(), {3600'000, 5400'000});
  ASSERT_TRUE(tsdb::WriteTombstonesFile(dir.path() + "/" + b1.meta.ulid.ToString(), ts).ok());
  auto reopened = tsdb::BlockReader::Open(dir.path() + "/" + b1.meta.ulid.ToString());
  ASSERT_TRUE(reopened.ok());
  auto out = MergeBlocks({*reopened}, dir.path() + "/out", OutMeta());
  ASSERT_TRUE(out.ok()) << out.status().message();
  auto got = Read(dir.path() + "/out/" + (*out)->ulid.ToString()).samples[a.ToString()];
  for (auto [t, v] : got) EXPECT_FALSE(t >= 3600'000 && t <= 5400'000) << t;
  EXPECT_EQ(got.size(), 480u - 121u);
}

TEST(BlockMerger, ChunksOutsideTheBlockRangeFailTheHealthCheck) {
  TempDir dir;
  auto b = Write(dir.path(), 0, 7200'000, {{Labels{{"__name__", "a"}}, Range(0, 7200'000, 15'000, 1)}});
  tsdb::BlockMeta m = b.meta;
  m.max_time = 3600'000;
  ASSERT_TRUE(tsdb::WriteBlockMetaFile(dir.path() + "/" + m.ulid.ToString(), m).ok());
  auto r = tsdb::BlockReader::Open(dir.path() + "/" + m.ulid.ToString());
  ASSERT_TRUE(r.ok());
  Status s = CheckBlockHealth(**r);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("outside the block's range"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace meridian::compact
