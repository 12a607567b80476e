// gen-demo data (deterministic, HA replicas with a gap, counter resets, a classic histogram)
// and the bucket tools (ls, inspect, verify) over it.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "objstore/filesystem/filesystem_bucket.h"
#include "storeapi/gateway/bucket_store.h"
#include "storeapi/gateway/bucket_tools.h"
#include "storeapi/gateway/demo_data.h"
#include "tests/gateway/test_util.h"
#include "tests/support/process.h"

namespace meridian::storeapi::gateway {
namespace {

using testing::Collect;
using testing::LM;
using testing::TempDir;
using thanos::LabelMatcher;
namespace fs = std::filesystem;

constexpr int64_t kHour = 3600 * 1000;
constexpr int64_t kEnd = 1700006400000;  // a block boundary

std::shared_ptr<objstore::Bucket> OpenFs(const std::string& dir) {
  fs::create_directories(dir);
  auto b = objstore::FilesystemBucket::Open(dir);
  EXPECT_TRUE(b.ok());
  return std::shared_ptr<objstore::Bucket>(std::move(*b));
}

DemoOptions Small(uint64_t seed) {
  DemoOptions o;
  o.seed = seed;
  o.end_ms = kEnd;
  o.duration_ms = 4 * kHour;
  o.nodes_per_cluster = 2;
  return o;
}

std::map<std::string, std::string> Snapshot(const std::string& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) out[fs::relative(e.path(), dir).string()] = meridian::testing::ReadFile(e.path().string());
  }
  return out;
}

TEST(GenDemo, DeterministicGivenSeed) {
  TempDir tmp;
  auto a = OpenFs(tmp.path() + "/a"), b = OpenFs(tmp.path() + "/b"), c = OpenFs(tmp.path() + "/c");
  auto sa = GenerateDemoData(*a, Small(7));
  ASSERT_TRUE(sa.ok()) << sa.status().message();
  EXPECT_EQ(sa->blocks, 3 * 2 * 2);  // clusters x replicas x 2h blocks
  EXPECT_EQ(sa->max_time, kEnd);
  ASSERT_TRUE(GenerateDemoData(*b, Small(7)).ok());
  ASSERT_TRUE(GenerateDemoData(*c, Small(8)).ok());
  auto snap_a = Snapshot(tmp.path() + "/a");
  EXPECT_EQ(snap_a.size(), 12u * 3);  // meta.json, index, chunks/000001 (no tombstones)
  EXPECT_EQ(snap_a, Snapshot(tmp.path() + "/b"));
  EXPECT_NE(snap_a, Snapshot(tmp.path() + "/c"));
}

TEST(GenDemo, UnalignedEndGivesAPartialNewestBlock) {
  TempDir tmp;
  auto bucket = OpenFs(tmp.path() + "/bucket");
  DemoOptions o = Small(5);
  o.clusters = {"only"};
  o.end_ms = kEnd + 30 * 60 * 1000;
  auto sum = GenerateDemoData(*bucket, o);
  ASSERT_TRUE(sum.ok()) << sum.status().message();
  EXPECT_EQ(sum->blocks, 2 * 3);  // 2 replicas x (two whole blocks + the partial newest one)
  auto blocks = ListBlocks(*bucket);
  ASSERT_TRUE(blocks.ok());
  int64_t newest = 0;
  for (const auto& b : *blocks) newest = std::max(newest, b.meta->max_time);
  EXPECT_EQ(newest, o.end_ms);
}

TEST(GenDemo, RealisticHaData) {
  TempDir tmp;
  auto bucket = OpenFs(tmp.path() + "/bucket");
  auto sum = GenerateDemoData(*bucket, Small(1));
  ASSERT_TRUE(sum.ok());
  BucketStoreOptions so;
  so.data_dir = tmp.path() + "/data";
  auto store = *BucketStore::New(bucket, so);
  ASSERT_TRUE(store->Sync().ok());
  ASSERT_EQ(store->Blocks().size(), 12u);
  auto info = *store->Info({});
  EXPECT_EQ(info.label_sets_size(), 6);  // 3 clusters x 2 replicas

  thanos::SeriesRequest req;
  req.set_min_time(kEnd - 4 * kHour);
  req.set_max_time(kEnd);
  *req.add_matchers() = LM(LabelMatcher::EQ, "__name__", "http_requests_total");
  *req.add_matchers() = LM(LabelMatcher::EQ, "cluster", "eu-west-1");
  req.add_without_replica_labels("replica");
  auto got = Collect(*store, req);
  ASSERT_TRUE(got.status.ok()) << got.status.message();
  ASSERT_EQ(got.series.size() % 2, 0u);
  ASSERT_GT(got.series.size(), 0u);
  int resets = 0;
  int64_t biggest_gap = 0;
  for (size_t i = 0; i < got.series.size(); i += 2) {
    const auto& ra = got.series[i];
    const auto& rb = got.series[i + 1];
    ASSERT_EQ(ra.labels, rb.labels);  // partitions of one series: the two replicas
    EXPECT_FALSE(ra.labels.Has("replica"));
    // Scrapes every 15 s with jitter; timestamps not on round seconds.
    bool jitter = false;
    for (size_t k = 1; k < ra.samples.size(); ++k) {
      int64_t d = ra.samples[k].first - ra.samples[k - 1].first;
      EXPECT_NEAR(static_cast<double>(d), 15000, 10);
      jitter |= d != 15000;
      if (ra.samples[k].second < ra.samples[k - 1].second) ++resets;
    }
    EXPECT_TRUE(jitter);
    for (size_t k = 1; k < rb.samples.size(); ++k) {
      biggest_gap = std::max(biggest_gap, rb.samples[k].first - rb.samples[k - 1].first);
    }
  }
  EXPECT_GT(resets, 0);                        // counters restart with their process
  EXPECT_GE(biggest_gap, 30 * 60 * 1000);      // replica b missed half an hour
  EXPECT_LT(biggest_gap, 30 * 60 * 1000 + 30000);

  // The classic histogram is cumulative across le.
  thanos::SeriesRequest h;
  h.set_min_time(kEnd - kHour);
  h.set_max_time(kEnd);
  *h.add_matchers() = LM(LabelMatcher::EQ, "__name__", "http_request_duration_seconds_bucket");
  *h.add_matchers() = LM(LabelMatcher::EQ, "instance", "api-0:8080");
  *h.add_matchers() = LM(LabelMatcher::EQ, "cluster", "us-east-1");
  *h.add_matchers() = LM(LabelMatcher::EQ, "replica", "a");
  got = Collect(*store, h);
  ASSERT_EQ(got.series.size(), 12u);
  std::map<double, double> last_by_le;
  for (const auto& s : got.series) {
    std::string le(s.labels.Get("le"));
    last_by_le[le == "+Inf" ? 1e300 : std::stod(le)] = s.samples.back().second;
  }
  double prev = -1;
  for (auto [le, v] : last_by_le) {
    EXPECT_GE(v, prev) << le;
    prev = v;
  }
}

TEST(BucketTools, ListInspectVerify) {
  TempDir tmp;
  auto bucket = OpenFs(tmp.path() + "/bucket");
  ASSERT_TRUE(GenerateDemoData(*bucket, Small(3)).ok());
  auto blocks = ListBlocks(*bucket);
  ASSERT_TRUE(blocks.ok());
  ASSERT_EQ(blocks->size(), 12u);
  std::ostringstream ls, inspect;
  PrintBlockList(*blocks, ls);
  PrintBlockInspect(*blocks, inspect);
  EXPECT_NE(ls.str().find((*blocks)[0].ulid), std::string::npos);
  EXPECT_NE(ls.str().find("replica=\"b\""), std::string::npos) << ls.str();
  EXPECT_NE(ls.str().find("sidecar"), std::string::npos);
  EXPECT_NE(inspect.str().find("12 blocks"), std::string::npos) << inspect.str();
  for (const auto& b : *blocks) {
    EXPECT_TRUE(b.meta.has_value());
    EXPECT_GT(b.index_size, 0u);
    EXPECT_GT(b.chunks_size, 0u);
    auto problems = VerifyBlock(*bucket, b);
    EXPECT_TRUE(problems.empty()) << b.ulid << ": " << problems.front();
  }

  // Damage: a chunk byte in one block, the index in another, meta.json in a third.
  auto flip = [](const std::string& path, uint64_t off) {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(off));
    char c = 0;
    f.read(&c, 1);
    c = static_cast<char>(c ^ 0x21);
    f.seekp(static_cast<std::streamoff>(off));
    f.write(&c, 1);
  };
  const std::string root = tmp.path() + "/bucket/";
  const std::string seg = root + (*blocks)[0].ulid + "/chunks/000001";
  flip(seg, fs::file_size(seg) / 2);
  const std::string index = root + (*blocks)[1].ulid + "/index";
  flip(index, fs::file_size(index) / 3);
  std::ofstream(root + (*blocks)[2].ulid + "/meta.json", std::ios::trunc) << "not json";
  blocks = ListBlocks(*bucket);
  ASSERT_TRUE(blocks.ok());
  for (size_t i = 0; i < blocks->size(); ++i) {
    auto problems = VerifyBlock(*bucket, (*blocks)[i]);
    if (i < 3) {
      EXPECT_FALSE(problems.empty()) << "block " << i << " damage not found";
    } else {
      EXPECT_TRUE(problems.empty()) << problems.front();
    }
  }
  EXPECT_NE(VerifyBlock(*bucket, (*blocks)[2]).front().find("meta.json"), std::string::npos);
}

}  // namespace
}  // namespace meridian::storeapi::gateway
