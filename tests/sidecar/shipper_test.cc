// The shipper against real block directories (written by tsdb::BlockWriter) and a
// FILESYSTEM bucket: level-1 blocks uploaded once with the Thanos section, meta.json last,
// the uploaded set remembered across restarts in thanos.shipper.json.

#include "storeapi/sidecar/shipper.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "objstore/config.h"
#include "tests/objstore/temp_dir.h"
#include "tsdb/block_meta.h"
#include "tsdb/block_writer.h"

namespace meridian::storeapi::sidecar {
namespace {

namespace fs = std::filesystem;
using objstore::testing::TempDir;

std::string WriteBlock(const std::string& dir, int64_t start, int level) {
  tsdb::BlockWriterOptions o;
  o.thanos = std::nullopt;  // as Prometheus writes it
  o.compaction_level = level;
  tsdb::BlockWriter w(o);
  std::vector<int64_t> ts;
  std::vector<double> vs;
  for (int i = 0; i < 500; ++i) {
    ts.push_back(start + i * 15000);
    vs.push_back(i);
  }
  EXPECT_TRUE(w.AddSeries(Labels{{"__name__", "up"}, {"job", "a"}}, ts, vs).ok());
  auto meta = w.Write(dir);
  EXPECT_TRUE(meta.ok()) << meta.status().message();
  return meta->ulid.ToString();
}

std::shared_ptr<objstore::Bucket> FsBucket(const std::string& dir) {
  auto b = objstore::NewBucketFromConfig("type: FILESYSTEM\nconfig:\n  directory: " + dir + "\n");
  EXPECT_TRUE(b.ok()) << b.status().message();
  return std::shared_ptr<objstore::Bucket>(std::move(*b));
}

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(ShipperState, RoundTripAndErrors) {
  ShipperState st;
  st.uploaded = {"01HQZ5V5K3T7S9R8Y6X4W2V0AB", "01HQZ5V5K3T7S9R8Y6X4W2V0AC"};
  std::string json = SerializeShipperState(st);
  EXPECT_NE(json.find("\t\"version\": 1"), std::string::npos) << json;
  auto back = ParseShipperState(json);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->uploaded, st.uploaded);
  EXPECT_FALSE(ParseShipperState("{\"version\":2,\"uploaded\":[]}").ok());
  EXPECT_FALSE(ParseShipperState("{\"version\":1,\"uploaded\":[\"nope\"]}").ok());
  EXPECT_FALSE(ParseShipperState("[]").ok());
  EXPECT_TRUE(ParseShipperState("{\"version\":1,\"uploaded\":null}").ok());
}

TEST(Shipper, UploadsLevelOneBlocksOnceWithThanosMeta) {
  TempDir data, bucket_dir;
  const int64_t t0 = 1700000000000;
  std::string b1 = WriteBlock(data.path(), t0, 1);
  std::string b2 = WriteBlock(data.path(), t0 + 2 * 3600 * 1000, 1);
  std::string compacted = WriteBlock(data.path(), t0 - 8 * 3600 * 1000, 2);
  fs::create_directories(data.path() + "/wal");  // not a block

  auto bucket = FsBucket(bucket_dir.path());
  Labels ext{{"cluster", "eu"}, {"replica", "a"}};
  ShipperOptions o;
  o.tsdb_path = data.path();
  o.labels = [ext] { return ext; };
  {
    Shipper s(bucket, o);
    auto r = s.Sync();
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(r->uploaded, 2);
    EXPECT_EQ(r->failed, 0);
    auto again = s.Sync();
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->uploaded, 0);
  }
  EXPECT_FALSE(*bucket->Exists(compacted + "/meta.json"));
  for (const auto& id : {b1, b2}) {
    auto raw = bucket->Get(id + "/meta.json");
    ASSERT_TRUE(raw.ok());
    auto meta = tsdb::ParseBlockMeta(*raw);
    ASSERT_TRUE(meta.ok()) << meta.status().message();
    ASSERT_TRUE(meta->thanos.has_value());
    EXPECT_EQ(meta->thanos->labels, ext);
    EXPECT_EQ(meta->thanos->source, "sidecar");
    EXPECT_EQ(meta->thanos->downsample_resolution, 0);
    auto local = tsdb::ReadBlockMetaFile(data.path() + "/" + id);
    ASSERT_TRUE(local.ok());
    EXPECT_EQ(meta->min_time, local->min_time);
    EXPECT_EQ(meta->max_time, local->max_time);
    EXPECT_EQ(meta->stats.num_samples, 500u);
    // Every listed file exists in the bucket with the listed size; meta.json has none.
    std::vector<std::string> names;
    for (const auto& f : meta->thanos->files) {
      names.push_back(f.rel_path);
      if (f.rel_path == "meta.json") continue;
      auto size = bucket->Size(id + "/" + f.rel_path);
      ASSERT_TRUE(size.ok()) << f.rel_path;
      EXPECT_EQ(*size, f.size_bytes) << f.rel_path;
      EXPECT_EQ(*bucket->Get(id + "/" + f.rel_path), ReadAll(data.path() + "/" + id + "/" + f.rel_path));
    }
    EXPECT_EQ(names, (std::vector<std::string>{"chunks/000001", "index", "meta.json", "tombstones"}));
    // The local meta.json is Prometheus's, untouched.
    EXPECT_FALSE(local->thanos.has_value());
  }
  auto state = ReadShipperState(data.path());
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->uploaded, (std::vector<std::string>{b1, b2}));

  // A restart reads the state file and uploads nothing; a new block goes up alone.
  std::string b3 = WriteBlock(data.path(), t0 + 4 * 3600 * 1000, 1);
  Shipper restarted(bucket, o);
  auto r = restarted.Sync();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->uploaded, 1);
  EXPECT_TRUE(*bucket->Exists(b3 + "/meta.json"));

  // Without the state file, blocks found in the bucket are recorded, not uploaded again.
  fs::remove(data.path() + "/" + kShipperStateFile);
  auto mtime = fs::last_write_time(bucket_dir.path() + "/" + b1 + "/index");
  r = restarted.Sync();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->uploaded, 0);
  EXPECT_EQ(fs::last_write_time(bucket_dir.path() + "/" + b1 + "/index"), mtime);
  EXPECT_EQ(ReadShipperState(data.path())->uploaded.size(), 3u);
}

TEST(Shipper, RefusesWithoutExternalLabels) {
  TempDir data, bucket_dir;
  WriteBlock(data.path(), 1700000000000, 1);
  ShipperOptions o;
  o.tsdb_path = data.path();
  o.labels = [] { return Labels(); };
  Shipper s(FsBucket(bucket_dir.path()), o);
  auto r = s.Sync();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("no external labels"), std::string::npos);
}

TEST(Shipper, BrokenBlockIsReportedOthersStillGo) {
  TempDir data, bucket_dir;
  std::string good = WriteBlock(data.path(), 1700000000000, 1);
  std::string bad = WriteBlock(data.path(), 1700000000000 + 7200000, 1);
  fs::remove(data.path() + "/" + bad + "/index");
  ShipperOptions o;
  o.tsdb_path = data.path();
  o.labels = [] { return Labels{{"replica", "a"}}; };
  auto bucket = FsBucket(bucket_dir.path());
  Shipper s(bucket, o);
  auto r = s.Sync();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find(bad), std::string::npos) << r.status().message();
  EXPECT_TRUE(*bucket->Exists(good + "/meta.json"));
  EXPECT_FALSE(*bucket->Exists(bad + "/meta.json"));
  EXPECT_EQ(ReadShipperState(data.path())->uploaded, (std::vector<std::string>{good}));
}

}  // namespace
}  // namespace meridian::storeapi::sidecar
