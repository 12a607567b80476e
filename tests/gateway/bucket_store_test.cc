// BucketStore over a FILESYSTEM bucket of blocks written with the block writer: series and
// samples as written, block joining and replica partitions, sync of new/deleted/marked/partial
// blocks, damaged blocks, label calls, Info, and the ranged-read machinery.

#include "storeapi/gateway/bucket_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "model/relabel.h"
#include "objstore/filesystem/filesystem_bucket.h"
#include "storeapi/gateway/byte_cache.h"
#include "storeapi/gateway/status_server.h"

#include <httplib.h>
#include "tests/gateway/test_util.h"

namespace meridian::storeapi::gateway {
namespace {

using testing::Collect;
using testing::LM;
using testing::SeriesSpec;
using testing::TempDir;
using thanos::LabelMatcher;

constexpr int64_t kHour = 3600 * 1000;

// n series "metric_<k>{idx, group}" with a sample every 15 s in [mint, maxt).
std::vector<SeriesSpec> MakeSeries(int n, int64_t mint, int64_t maxt, double bias = 0) {
  std::vector<SeriesSpec> out;
  for (int k = 0; k < n; ++k) {
    SeriesSpec s;
    s.labels = Labels{{"__name__", "metric_" + std::to_string(k % 3)},
                      {"idx", std::to_string(k)},
                      {"group", k % 2 ? "odd" : "even"}};
    for (int64_t t = mint; t < maxt; t += 15000) {
      s.ts.push_back(t);
      s.vs.push_back(bias + k * 1000.0 + static_cast<double>(t - mint) / 1000);
    }
    out.push_back(std::move(s));
  }
  return out;
}

class BucketStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(root_.path() + "/bucket");
    std::filesystem::create_directories(root_.path() + "/work");
    auto b = objstore::FilesystemBucket::Open(root_.path() + "/bucket");
    ASSERT_TRUE(b.ok()) << b.status().message();
    bucket_ = std::move(*b);
  }

  tsdb::BlockMeta Upload(const Labels& ext, const std::vector<SeriesSpec>& series, int64_t mint, int64_t maxt) {
    return testing::WriteAndUpload(*bucket_, root_.path() + "/work", ext, series, mint, maxt);
  }

  std::shared_ptr<BucketStore> NewStore(BucketStoreOptions o = {}) {
    o.data_dir = root_.path() + "/data";
    auto s = BucketStore::New(bucket_, o);
    EXPECT_TRUE(s.ok()) << s.status().message();
    return *s;
  }

  std::string BlockPath(const tsdb::BlockMeta& m) { return root_.path() + "/bucket/" + m.ulid.ToString(); }

  static thanos::SeriesRequest Req(int64_t mint, int64_t maxt, std::vector<LabelMatcher> ms) {
    thanos::SeriesRequest r;
    r.set_min_time(mint);
    r.set_max_time(maxt);
    for (auto& m : ms) *r.add_matchers() = m;
    return r;
  }

  TempDir root_;
  std::shared_ptr<objstore::Bucket> bucket_;
};

TEST_F(BucketStoreTest, JoinsConsecutiveBlocksAndAttachesExternalLabels) {
  const Labels ext{{"cluster", "c1"}, {"replica", "a"}};
  auto s1 = MakeSeries(30, 0, 2 * kHour);
  auto s2 = MakeSeries(30, 2 * kHour, 4 * kHour);
  Upload(ext, s1, 0, 2 * kHour);
  Upload(ext, s2, 2 * kHour, 4 * kHour);
  auto store = NewStore();
  ASSERT_TRUE(store->Sync().ok());
  ASSERT_EQ(store->Blocks().size(), 2u);

  auto got = Collect(*store, Req(0, 4 * kHour, {LM(LabelMatcher::RE, "__name__", "metric_.*")}));
  ASSERT_TRUE(got.status.ok()) << got.status.message();
  ASSERT_EQ(got.series.size(), 30u);
  for (size_t i = 1; i < got.series.size(); ++i) EXPECT_LT(got.series[i - 1].labels, got.series[i].labels);
  for (const auto& g : got.series) {
    EXPECT_EQ(g.labels.Get("cluster"), "c1");
    EXPECT_EQ(g.labels.Get("replica"), "a");
    int k = std::stoi(std::string(g.labels.Get("idx")));
    ASSERT_EQ(g.samples.size(), s1[k].ts.size() + s2[k].ts.size());
    for (size_t i = 0; i < s1[k].ts.size(); ++i) {
      EXPECT_EQ(g.samples[i].first, s1[k].ts[i]);
      EXPECT_EQ(g.samples[i].second, s1[k].vs[i]);
    }
    EXPECT_EQ(g.samples.back().first, s2[k].ts.back());
    EXPECT_EQ(g.samples.back().second, s2[k].vs.back());
  }

  // A narrower range only reads the second block; exact matchers and negations.
  got = Collect(*store, Req(3 * kHour, 4 * kHour, {LM(LabelMatcher::EQ, "__name__", "metric_1"),
                                                   LM(LabelMatcher::NEQ, "group", "even"),
                                                   LM(LabelMatcher::RE, "idx", "1|7|13|14")}));
  ASSERT_TRUE(got.status.ok()) << got.status.message();
  ASSERT_EQ(got.series.size(), 3u);  // 1, 7, 13 are odd and metric_1
  EXPECT_EQ(got.series[0].labels.Get("idx"), "1");
  EXPECT_GE(got.series[0].samples.front().first, 2 * kHour);  // chunks of block 2 only

  // External-label matchers select blocks; a mismatch selects nothing.
  got = Collect(*store, Req(0, 4 * kHour, {LM(LabelMatcher::EQ, "cluster", "c2"), LM(LabelMatcher::RE, "__name__", ".+")}));
  EXPECT_TRUE(got.status.ok());
  EXPECT_TRUE(got.series.empty());
  // Only an external-label matcher: every series of the matching blocks.
  got = Collect(*store, Req(0, 4 * kHour, {LM(LabelMatcher::EQ, "cluster", "c1")}));
  ASSERT_TRUE(got.status.ok()) << got.status.message();
  EXPECT_EQ(got.series.size(), 30u);
}

TEST_F(BucketStoreTest, OverlappingCopiesOfABlockSendEachChunkOnce) {
  const Labels ext{{"replica", "a"}};
  auto m = Upload(ext, MakeSeries(4, 0, 2 * kHour), 0, 2 * kHour);
  // The same data under another ULID and its own sources, as a shipper that uploaded a block
  // twice leaves behind: neither block covers the other's sources, so both are served.
  auto copy = m;
  copy.ulid = tsdb::Ulid::NewNow();
  copy.compaction.sources = {copy.ulid};
  const std::string dst = root_.path() + "/bucket/" + copy.ulid.ToString();
  std::filesystem::copy(BlockPath(m), dst, std::filesystem::copy_options::recursive);
  std::ofstream(dst + "/meta.json", std::ios::trunc) << tsdb::SerializeBlockMeta(copy);
  auto store = NewStore();
  ASSERT_TRUE(store->Sync().ok());
  ASSERT_EQ(store->Blocks().size(), 2u);
  auto got = Collect(*store, Req(0, 2 * kHour, {LM(LabelMatcher::RE, "__name__", ".+")}));
  ASSERT_TRUE(got.status.ok()) << got.status.message();
  ASSERT_EQ(got.series.size(), 4u);
  EXPECT_EQ(got.series[0].chunks, 4u);  // 480 samples in chunks of 120, not 8
  EXPECT_EQ(got.series[0].samples.size(), 480u);
}

// While a compactor's output and its inputs are both in the bucket (the inputs not yet marked
// or deleted), the inputs are hidden: the output holds all their data.
TEST_F(BucketStoreTest, BlocksWhoseSourcesAnotherBlockCoversAreNotServed) {
  const Labels ext{{"replica", "a"}};
  auto m = Upload(ext, MakeSeries(4, 0, 2 * kHour), 0, 2 * kHour);
  auto compacted = m;
  compacted.ulid = tsdb::Ulid::NewNow();
  compacted.compaction.level = 2;
  const std::string dst = root_.path() + "/bucket/" + compacted.ulid.ToString();
  std::filesystem::copy(BlockPath(m), dst, std::filesystem::copy_options::recursive);
  std::ofstream(dst + "/meta.json", std::ios::trunc) << tsdb::SerializeBlockMeta(compacted);
  auto store = NewStore();
  ASSERT_TRUE(store->Sync().ok());
  ASSERT_EQ(store->Blocks().size(), 1u);
  EXPECT_EQ(store->Blocks()[0]->meta().ulid, m.ulid < compacted.ulid ? m.ulid : compacted.ulid);
  auto got = Collect(*store, Req(0, 2 * kHour, {LM(LabelMatcher::RE, "__name__", ".+")}));
  ASSERT_TRUE(got.status.ok()) << got.status.message();
  ASSERT_EQ(got.series.size(), 4u);
  EXPECT_EQ(got.series[0].samples.size(), 480u);
}

// Two store-gateways splitting a bucket by hashmod on __block_id answer together exactly what
// one answers, and a time-sharded store serves only its range and says so in Info.
TEST_F(BucketStoreTest, ShardsByRelabelAndTimeTogetherAnswerAsOne) {
  const Labels ext{{"replica", "a"}};
  // Block IDs are random: with 24 blocks, one shard stays empty once in 2^23 runs (8 blocks
  // left it empty once in 128).
  constexpr int kBlocks = 24;
  for (int b = 0; b < kBlocks; ++b) {
    Upload(ext, MakeSeries(3, b * 2 * kHour, (b + 1) * 2 * kHour), b * 2 * kHour, (b + 1) * 2 * kHour);
  }
  auto shard = [&](int n, std::string dir) {
    auto steps = ParseRelabelConfig("- source_labels: [__block_id]\n  target_label: shard\n  action: hashmod\n  modulus: 2\n"
                                    "- source_labels: [shard]\n  regex: \"" + std::to_string(n) + "\"\n  action: keep\n");
    EXPECT_TRUE(steps.ok());
    BucketStoreOptions o;
    o.data_dir = root_.path() + "/" + dir;
    o.keep = [steps = *steps](const tsdb::BlockMeta& m) {
      return Relabel(m.thanos->labels.With("__block_id", m.ulid.ToString()), steps).has_value();
    };
    auto s = BucketStore::New(bucket_, o);
    EXPECT_TRUE(s.ok());
    EXPECT_TRUE((*s)->Sync().ok());
    return *s;
  };
  auto all = NewStore();
  ASSERT_TRUE(all->Sync().ok());
  auto s0 = shard(0, "s0"), s1 = shard(1, "s1");
  EXPECT_EQ(s0->Blocks().size() + s1->Blocks().size(), static_cast<size_t>(kBlocks));
  EXPECT_GT(s0->Blocks().size(), 0u);
  EXPECT_GT(s1->Blocks().size(), 0u);
  auto req = Req(0, kBlocks * 2 * kHour, {LM(LabelMatcher::RE, "__name__", ".+")});
  auto want = Collect(*all, req);
  auto a = Collect(*s0, req), b = Collect(*s1, req);
  ASSERT_TRUE(want.status.ok() && a.status.ok() && b.status.ok());
  std::map<std::string, std::map<int64_t, double>> merged, expected;
  for (const auto* got : {&a, &b}) {
    for (const auto& s : got->series) {
      for (auto [t, v] : s.samples) EXPECT_TRUE(merged[s.labels.ToString()].emplace(t, v).second);
    }
  }
  for (const auto& s : want.series) {
    for (auto [t, v] : s.samples) expected[s.labels.ToString()][t] = v;
  }
  EXPECT_EQ(merged, expected);

  // A time shard over [4h, 10h): blocks outside are not loaded, samples outside not served.
  BucketStoreOptions o;
  o.data_dir = root_.path() + "/time";
  o.min_time = 4 * kHour;
  o.max_time = 10 * kHour;
  auto ts = BucketStore::New(bucket_, o);
  ASSERT_TRUE(ts.ok());
  ASSERT_TRUE((*ts)->Sync().ok());
  EXPECT_EQ((*ts)->Blocks().size(), 3u);
  auto info = (*ts)->Info({});
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->store().min_time(), 4 * kHour);
  EXPECT_EQ(info->store().max_time(), 10 * kHour - 1);
  auto part = Collect(**ts, req);
  ASSERT_TRUE(part.status.ok());
  for (const auto& s : part.series) {
    for (auto [t, v] : s.samples) {
      EXPECT_GE(t, 4 * kHour);
      EXPECT_LT(t, 10 * kHour);
    }
  }
}

// A meta.json with 200,000 external labels (a hostile or broken uploader): each series gets them
// all in one merge pass. The quadratic label building this replaced took minutes here, beyond
// the test's time limit.
TEST_F(BucketStoreTest, HugeExternalLabelSetsAreMergedInLinearTime) {
  auto m = Upload(Labels{{"replica", "a"}}, MakeSeries(3, 0, 2 * kHour), 0, 2 * kHour);
  std::vector<Label> many;
  for (int i = 0; i < 200000; ++i) many.push_back({"ext_" + std::to_string(i), "v"});
  m.thanos->labels = Labels::FromUnsorted(std::move(many));
  std::ofstream(BlockPath(m) + "/meta.json", std::ios::trunc) << tsdb::SerializeBlockMeta(m);
  auto store = NewStore();
  ASSERT_TRUE(store->Sync().ok());
  auto got = Collect(*store, Req(0, 2 * kHour, {LM(LabelMatcher::RE, "__name__", ".+")}));
  ASSERT_TRUE(got.status.ok()) << got.status.message();
  ASSERT_EQ(got.series.size(), 3u);
  EXPECT_GT(got.series[0].labels.size(), 200000u);
  EXPECT_EQ(got.series[0].labels.Get("ext_123"), "v");
}

TEST_F(BucketStoreTest, ReplicasStaySeparateConsecutivePartitions) {
  Upload(Labels{{"cluster", "c1"}, {"replica", "a"}}, MakeSeries(10, 0, 2 * kHour), 0, 2 * kHour);
  Upload(Labels{{"cluster", "c1"}, {"replica", "b"}}, MakeSeries(10, 0, 2 * kHour, 0.5), 0, 2 * kHour);
  auto store = NewStore();
  ASSERT_TRUE(store->Sync().ok());
  auto req = Req(0, 2 * kHour, {LM(LabelMatcher::RE, "__name__", "metric_.*")});
  req.add_without_replica_labels("replica");
  auto got = Collect(*store, req);
  ASSERT_TRUE(got.status.ok()) << got.status.message();
  ASSERT_EQ(got.series.size(), 20u);
  for (size_t i = 0; i < got.series.size(); i += 2) {
    EXPECT_EQ(got.series[i].labels, got.series[i + 1].labels);
    EXPECT_FALSE(got.series[i].labels.Has("replica"));
    // The two partitions hold the two replicas' values, not a mix.
    EXPECT_NE(got.series[i].samples[0].second, got.series[i + 1].samples[0].second);
  }
  // skip_chunks, limit and batches.
  req.set_skip_chunks(true);
  req.set_limit(5);
  req.set_response_batch_size(2);
  got = Collect(*store, req);
  ASSERT_TRUE(got.status.ok());
  ASSERT_EQ(got.series.size(), 5u);
  EXPECT_EQ(got.series[0].chunks, 0u);
}

// --store.limits.request-series: a Series call over more series than the limit fails with
// Thanos's "exceeded series limit" error; each replica partition is a series sent.
TEST_F(BucketStoreTest, SeriesLimitFailsTheCall) {
  Upload(Labels{{"replica", "a"}}, MakeSeries(6, 0, 2 * kHour), 0, 2 * kHour);
  Upload(Labels{{"replica", "b"}}, MakeSeries(6, 0, 2 * kHour), 0, 2 * kHour);
  BucketStoreOptions o;
  o.series_limit = 10;
  auto store = NewStore(o);
  ASSERT_TRUE(store->Sync().ok());
  auto req = Req(0, 2 * kHour, {LM(LabelMatcher::RE, "__name__", "metric_.*")});

  // One replica: 6 series, within the limit.
  auto one = req;
  *one.add_matchers() = LM(LabelMatcher::EQ, "replica", "a");
  auto got = Collect(*store, one);
  ASSERT_TRUE(got.status.ok()) << got.status.message();
  EXPECT_EQ(got.series.size(), 6u);

  // Both replicas with the replica label dropped: 12 partitions of 6 label sets, over 10.
  req.add_without_replica_labels("replica");
  got = Collect(*store, req);
  EXPECT_EQ(got.status.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(got.status.message(), "exceeded series limit: limit 10 violated (got 11)");
  EXPECT_EQ(got.series.size(), 10u);

  // The same in batches: the batch that crosses the limit is not sent.
  req.set_response_batch_size(4);
  got = Collect(*store, req);
  EXPECT_EQ(got.status.message(), "exceeded series limit: limit 10 violated (got 11)");
  EXPECT_EQ(got.series.size(), 8u);

  // The request's own limit truncates first, so it stays within the store's limit.
  req.set_response_batch_size(0);
  req.set_limit(10);
  got = Collect(*store, req);
  ASSERT_TRUE(got.status.ok()) << got.status.message();
  EXPECT_EQ(got.series.size(), 10u);

  // 0 (the default) is no limit.
  auto unlimited = NewStore();
  ASSERT_TRUE(unlimited->Sync().ok());
  req.set_limit(0);
  got = Collect(*unlimited, req);
  ASSERT_TRUE(got.status.ok()) << got.status.message();
  EXPECT_EQ(got.series.size(), 12u);
}

// Synced but every block failed to load: not ready (the querier should not route to it).
TEST_F(BucketStoreTest, NotReadyWhenNoBlockCouldBeLoaded) {
  auto m = Upload(Labels{{"replica", "a"}}, MakeSeries(2, 0, 2 * kHour), 0, 2 * kHour);
  std::filesystem::resize_file(BlockPath(m) + "/index", 10);
  auto store = NewStore();
  ASSERT_TRUE(store->Sync().ok());
  EXPECT_TRUE(store->synced());
  EXPECT_FALSE(store->ready());
  EXPECT_EQ(store->BlockErrors().size(), 1u);
  Upload(Labels{{"replica", "a"}}, MakeSeries(2, 2 * kHour, 4 * kHour), 2 * kHour, 4 * kHour);
  ASSERT_TRUE(store->Sync().ok());
  EXPECT_TRUE(store->ready());
}

// Chunk bytes that failed their checksum are not kept in the cache: once the object is repaired
// the next query reads the good bytes.
TEST_F(BucketStoreTest, DamagedChunkPagesAreRefetchedAfterRepair) {
  auto m = Upload(Labels{{"replica", "a"}}, MakeSeries(2, 0, 2 * kHour), 0, 2 * kHour);
  const std::string seg = BlockPath(m) + "/chunks/000001";
  std::string good;
  {
    std::ifstream in(seg, std::ios::binary);
    good.assign(std::istreambuf_iterator<char>(in), {});
  }
  std::string bad = good;
  bad[20] = static_cast<char>(bad[20] ^ 0x55);
  std::ofstream(seg, std::ios::binary | std::ios::trunc) << bad;
  auto store = NewStore();
  ASSERT_TRUE(store->Sync().ok());
  auto req = Req(0, 2 * kHour, {LM(LabelMatcher::RE, "__name__", ".+")});
  auto got = Collect(*store, req);
  ASSERT_FALSE(got.status.ok());
  EXPECT_NE(got.status.message().find("checksum"), std::string::npos) << got.status.message();
  std::ofstream(seg, std::ios::binary | std::ios::trunc) << good;
  got = Collect(*store, req);
  ASSERT_TRUE(got.status.ok()) << got.status.message();
  EXPECT_EQ(got.series.size(), 2u);
}

TEST_F(BucketStoreTest, SyncFollowsTheBucket) {
  auto m1 = Upload(Labels{{"replica", "a"}}, MakeSeries(5, 0, 2 * kHour), 0, 2 * kHour);
  auto store = NewStore();
  EXPECT_FALSE(store->synced());
  ASSERT_TRUE(store->Sync().ok());
  EXPECT_TRUE(store->synced());
  EXPECT_EQ(store->Blocks().size(), 1u);
  EXPECT_TRUE(std::filesystem::exists(root_.path() + "/data/" + m1.ulid.ToString() + "/index-header"));

  // A new block appears; a block without meta.json (partial upload) is ignored.
  auto m2 = Upload(Labels{{"replica", "a"}}, MakeSeries(5, 2 * kHour, 4 * kHour), 2 * kHour, 4 * kHour);
  auto m3 = Upload(Labels{{"replica", "a"}}, MakeSeries(5, 4 * kHour, 6 * kHour), 4 * kHour, 6 * kHour);
  std::filesystem::remove(BlockPath(m3) + "/meta.json");
  ASSERT_TRUE(store->Sync().ok());
  EXPECT_EQ(store->Blocks().size(), 2u);
  EXPECT_TRUE(store->BlockErrors().empty());
  thanos::info::InfoResponse info = *store->Info({});
  EXPECT_EQ(info.store().min_time(), 0);
  EXPECT_EQ(info.store().max_time(), 4 * kHour);
  ASSERT_EQ(info.label_sets_size(), 1);
  EXPECT_EQ(info.componenttype(), "store");
  EXPECT_TRUE(info.store().supports_without_replica_labels());

  // A deletion mark and a deleted block both make the block disappear.
  ASSERT_TRUE(bucket_->Upload(m1.ulid.ToString() + "/deletion-mark.json", "{}").ok());
  std::filesystem::remove_all(BlockPath(m2));
  ASSERT_TRUE(store->Sync().ok());
  EXPECT_TRUE(store->Blocks().empty());
  EXPECT_FALSE(std::filesystem::exists(root_.path() + "/data/" + m1.ulid.ToString()));
  auto got = Collect(*store, Req(0, 6 * kHour, {LM(LabelMatcher::RE, "__name__", ".+")}));
  EXPECT_TRUE(got.status.ok());
  EXPECT_TRUE(got.series.empty());
}

void FlipByte(const std::string& path, uint64_t offset) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(static_cast<std::streamoff>(offset));
  char c = 0;
  f.read(&c, 1);
  c = static_cast<char>(c ^ 0x5a);
  f.seekp(static_cast<std::streamoff>(offset));
  f.write(&c, 1);
}

TEST_F(BucketStoreTest, DamagedBlocksFailAloneAndNeverCrash) {
  const Labels ext{{"replica", "a"}};
  auto good = Upload(ext, MakeSeries(20, 0, 2 * kHour), 0, 2 * kHour);
  auto bad_meta = Upload(ext, MakeSeries(20, 2 * kHour, 4 * kHour), 2 * kHour, 4 * kHour);
  auto bad_index = Upload(ext, MakeSeries(20, 4 * kHour, 6 * kHour), 4 * kHour, 6 * kHour);
  auto bad_chunk = Upload(ext, MakeSeries(20, 6 * kHour, 8 * kHour), 6 * kHour, 8 * kHour);
  {
    std::ofstream(BlockPath(bad_meta) + "/meta.json", std::ios::trunc) << "{\"ulid\": 12";
  }
  // The postings offset table sits just before the TOC: damage it.
  const std::string index = BlockPath(bad_index) + "/index";
  FlipByte(index, std::filesystem::file_size(index) - 52 - 20);
  // A byte in the middle of the chunk data.
  const std::string seg = BlockPath(bad_chunk) + "/chunks/000001";
  FlipByte(seg, std::filesystem::file_size(seg) / 2);

  auto store = NewStore();
  ASSERT_TRUE(store->Sync().ok());
  auto errors = store->BlockErrors();
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_NE(errors[bad_meta.ulid.ToString()].message().find(bad_meta.ulid.ToString()), std::string::npos);
  EXPECT_NE(errors[bad_meta.ulid.ToString()].message().find("meta.json"), std::string::npos);
  EXPECT_NE(errors[bad_index.ulid.ToString()].message().find("index"), std::string::npos);
  EXPECT_EQ(store->Blocks().size(), 2u);  // good + bad_chunk (chunk damage shows when read)

  auto got = Collect(*store, Req(0, 2 * kHour, {LM(LabelMatcher::RE, "__name__", ".+")}));
  ASSERT_TRUE(got.status.ok()) << got.status.message();
  EXPECT_EQ(got.series.size(), 20u);
  got = Collect(*store, Req(0, 8 * kHour, {LM(LabelMatcher::RE, "__name__", ".+")}));
  ASSERT_FALSE(got.status.ok());
  EXPECT_NE(got.status.message().find(bad_chunk.ulid.ToString()), std::string::npos) << got.status.message();
  // Labels only do not touch chunks.
  auto req = Req(0, 8 * kHour, {LM(LabelMatcher::RE, "__name__", ".+")});
  req.set_skip_chunks(true);
  got = Collect(*store, req);
  EXPECT_TRUE(got.status.ok()) << got.status.message();
  // The good block is still served after the failure.
  got = Collect(*store, Req(0, 2 * kHour, {LM(LabelMatcher::EQ, "idx", "3")}));
  ASSERT_TRUE(got.status.ok());
  EXPECT_EQ(got.series.size(), 1u);
}

TEST_F(BucketStoreTest, LabelNamesAndValues) {
  Upload(Labels{{"cluster", "c1"}}, MakeSeries(6, 0, 2 * kHour), 0, 2 * kHour);
  auto other = MakeSeries(2, 2 * kHour, 4 * kHour);
  other[0].labels = Labels{{"__name__", "late"}, {"zone", "z1"}};
  other[1].labels = Labels{{"__name__", "late"}, {"zone", "z2"}};
  Upload(Labels{{"cluster", "c2"}}, other, 2 * kHour, 4 * kHour);
  auto store = NewStore();
  ASSERT_TRUE(store->Sync().ok());

  thanos::LabelNamesRequest ln;
  ln.set_start(0);
  ln.set_end(4 * kHour);
  auto names = store->LabelNames(ln, {});
  ASSERT_TRUE(names.ok());
  std::vector<std::string> n(names->names().begin(), names->names().end());
  EXPECT_EQ(n, (std::vector<std::string>{"__name__", "cluster", "group", "idx", "zone"}));
  ln.set_end(kHour);  // only the first block
  names = store->LabelNames(ln, {});
  n.assign(names->names().begin(), names->names().end());
  EXPECT_EQ(n, (std::vector<std::string>{"__name__", "cluster", "group", "idx"}));

  thanos::LabelValuesRequest lv;
  lv.set_label("__name__");
  lv.set_start(0);
  lv.set_end(4 * kHour);
  auto values = store->LabelValues(lv, {});
  ASSERT_TRUE(values.ok());
  std::vector<std::string> v(values->values().begin(), values->values().end());
  EXPECT_EQ(v, (std::vector<std::string>{"late", "metric_0", "metric_1", "metric_2"}));
  *lv.add_matchers() = LM(LabelMatcher::EQ, "group", "odd");
  values = store->LabelValues(lv, {});
  v.assign(values->values().begin(), values->values().end());
  EXPECT_EQ(v, (std::vector<std::string>{"metric_0", "metric_1", "metric_2"}));
  lv.clear_matchers();
  lv.set_label("cluster");
  values = store->LabelValues(lv, {});
  v.assign(values->values().begin(), values->values().end());
  EXPECT_EQ(v, (std::vector<std::string>{"c1", "c2"}));
}

TEST_F(BucketStoreTest, RangedReadsAreMergedAndCached) {
  Upload(Labels{{"replica", "a"}}, MakeSeries(2000, 0, 2 * kHour), 0, 2 * kHour);
  auto store = NewStore();
  ASSERT_TRUE(store->Sync().ok());
  const uint64_t after_sync = store->stats().bucket_requests;
  auto req = Req(0, 2 * kHour, {LM(LabelMatcher::RE, "__name__", ".+")});
  auto got = Collect(*store, req);
  ASSERT_TRUE(got.status.ok());
  ASSERT_EQ(got.series.size(), 2000u);
  const auto s1 = store->stats();
  // 2000 series entries and 8000 chunks, fetched with a handful of merged GETs.
  EXPECT_LT(s1.bucket_requests - after_sync, 20u) << s1.bucket_requests - after_sync;
  got = Collect(*store, req);
  ASSERT_TRUE(got.status.ok());
  EXPECT_EQ(store->stats().bucket_requests, s1.bucket_requests);  // all from the caches
  EXPECT_GT(store->stats().index_cache.hits, 0u);

  // A restarted store reuses the index-header on disk: opening the block costs no index GET
  // beyond the chunk segment headers.
  auto again = NewStore();
  ASSERT_TRUE(again->Sync().ok());
  EXPECT_LE(again->stats().bucket_requests, 1u);
  EXPECT_EQ(again->Blocks().size(), 1u);

  // A tiny cache still answers correctly.
  BucketStoreOptions small;
  small.index_cache_bytes = 64 << 10;
  small.chunk_cache_bytes = 64 << 10;
  auto tiny = NewStore(small);
  ASSERT_TRUE(tiny->Sync().ok());
  got = Collect(*tiny, req);
  ASSERT_TRUE(got.status.ok()) << got.status.message();
  EXPECT_EQ(got.series.size(), 2000u);
  EXPECT_LE(tiny->stats().index_cache.bytes, 64u << 10);
}

TEST_F(BucketStoreTest, HttpHealthReadinessAndMetrics) {
  Upload(Labels{{"replica", "a"}}, MakeSeries(3, 0, 2 * kHour), 0, 2 * kHour);
  auto store = NewStore();
  auto http = StatusServer::Start("127.0.0.1:0", store);
  ASSERT_TRUE(http.ok()) << http.status().message();
  httplib::Client c("127.0.0.1", (*http)->port());
  auto r = c.Get("/-/healthy");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  r = c.Get("/-/ready");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);  // before the first sync
  ASSERT_TRUE(store->Sync().ok());
  r = c.Get("/-/ready");
  EXPECT_EQ(r->status, 200);
  r = c.Get("/metrics");
  ASSERT_TRUE(r);
  EXPECT_NE(r->body.find("thanos_bucket_store_blocks_loaded 1\n"), std::string::npos) << r->body;
  EXPECT_NE(r->body.find("meridian_bucket_store_cache_bytes{cache=\"index\"}"), std::string::npos);
  EXPECT_FALSE(StatusServer::Start("127.0.0.1", store).ok());  // no port
}

TEST(ByteCacheTest, EvictsLeastRecentlyUsedWithinBudget) {
  ByteCache c(3000);
  auto v = [](size_t n) { return std::make_shared<const std::string>(n, 'x'); };
  const BlockObjects one = BlockObjects::Next(), two = BlockObjects::Next();
  const CacheKey a{one.index(), 0}, b{one.index(), 1}, cc{one.segment(0), 0}, d{two.chunks(), 7};
  c.Put(a, v(900));
  c.Put(b, v(900));
  c.Put(cc, v(900), 3);
  EXPECT_NE(c.Get(a), nullptr);  // a is now the most recent
  c.Put(d, v(900));
  EXPECT_EQ(c.Get(b), nullptr);
  EXPECT_NE(c.Get(a), nullptr);
  uint8_t kind = 0;
  EXPECT_NE(c.Get(cc, &kind), nullptr);
  EXPECT_EQ(kind, 3);
  EXPECT_LE(c.stats().bytes, 3000u);
  c.Put(CacheKey{two.index(), 9}, v(5000));
  EXPECT_FALSE(c.Contains(CacheKey{two.index(), 9}));
  // A block's entries go together, another block's stay.
  c.EraseBlock(one);
  EXPECT_EQ(c.Get(a), nullptr);
  EXPECT_EQ(c.Get(cc), nullptr);
  EXPECT_NE(c.Get(d), nullptr);
  ByteCache off(0);
  off.Put(a, v(1));
  EXPECT_EQ(off.Get(a), nullptr);

  // Entries are counted per object (the store-gateway skips prefetching a block whose
  // chunks are all cached); replacing a key does not count twice.
  ByteCache counted(1 << 20);
  counted.Put(CacheKey{one.chunks(), 1}, v(10));
  counted.Put(CacheKey{one.chunks(), 2}, v(10));
  counted.Put(CacheKey{one.chunks(), 2}, v(20));
  counted.Put(CacheKey{two.chunks(), 1}, v(10));
  EXPECT_EQ(counted.CountOf(one.chunks()), 2u);
  counted.Erase(CacheKey{one.chunks(), 1});
  EXPECT_EQ(counted.CountOf(one.chunks()), 1u);
  counted.EraseBlock(one);
  EXPECT_EQ(counted.CountOf(one.chunks()), 0u);
  EXPECT_EQ(counted.CountOf(two.chunks()), 1u);
}

}  // namespace
}  // namespace meridian::storeapi::gateway
