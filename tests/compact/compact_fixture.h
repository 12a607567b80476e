#pragma once
// Buckets of generated blocks for the compactor tests, and what a reader sees in them.
//
// Series values are a function of (series, time) only, so the samples expected from any set of
// blocks are known without keeping them: counters with resets, gauges, a series with a gap of
// hours and staleness markers.

#include <gtest/gtest.h>
#include <unistd.h>

#include <bit>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "compact/block_transfer.h"
#include "model/labels.h"
#include "model/value.h"
#include "objstore/bucket.h"
#include "objstore/filesystem/filesystem_bucket.h"
#include "storeapi/gateway/block_upload.h"
#include "tests/objstore/temp_dir.h"
#include "tsdb/block_groups.h"
#include "tsdb/block_reader.h"
#include "tsdb/block_writer.h"
#include "tsdb/chunkenc/xor.h"

namespace meridian::compact::testing {

inline constexpr int64_t kHour = 3600'000;
inline constexpr int64_t kDay = 24 * kHour;

using objstore::testing::TempDir;

// A filesystem bucket at `dir`, created if needed.
inline std::unique_ptr<objstore::Bucket> OpenFs(const std::string& dir) {
  std::filesystem::create_directories(dir);
  auto b = objstore::FilesystemBucket::Open(dir);
  EXPECT_TRUE(b.ok());
  return std::move(*b);
}

inline int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct SeriesSpec {
  int n_series = 3;
  int64_t interval = 60'000;
};

inline Labels SeriesLabels(int s) {
  switch (s % 3) {
    case 0: return Labels{{"__name__", "requests_total"}, {"instance", "i" + std::to_string(s)}};
    case 1: return Labels{{"__name__", "temperature"}, {"instance", "i" + std::to_string(s)}};
    default: return Labels{{"__name__", "flaky_total"}, {"instance", "i" + std::to_string(s)}};
  }
}

// The sample of series `s` at `t`, or nullopt when the series has none there.
inline std::optional<double> SampleAt(int s, int64_t t) {
  const int64_t hour = t / kHour;
  switch (s % 3) {
    case 0: {
      // A counter reset every 31 hours.
      int64_t since = t % (31 * kHour);
      return static_cast<double>(since / 1000) * 0.5 + static_cast<double>(s);
    }
    case 1:
      return 20.0 + 5.0 * std::sin(static_cast<double>(t) / 3.6e6) + s;
    default:
      // Absent for 5 hours every 2 days; a staleness marker where it stops.
      if (hour % 48 >= 20 && hour % 48 < 25) return std::nullopt;
      if (t % (48 * kHour) == 20 * kHour - 60'000) return StaleNaN();
      return static_cast<double>((t / 1000) % 100000);
  }
}

// Uploads a raw block of [mint, maxt) with the given external labels; returns its meta.
inline tsdb::BlockMeta UploadBlock(objstore::Bucket& bucket, const std::string& work, const Labels& external,
                                   int64_t mint, int64_t maxt, const SeriesSpec& spec = {}) {
  tsdb::BlockWriterOptions o;
  tsdb::ThanosMeta tm;
  tm.labels = external;
  tm.source = "sidecar";
  o.thanos = tm;
  o.min_time = mint;
  o.max_time = maxt;
  tsdb::BlockWriter w(o);
  for (int s = 0; s < spec.n_series; ++s) {
    std::vector<int64_t> ts;
    std::vector<double> vs;
    for (int64_t t = mint; t < maxt; t += spec.interval) {
      auto v = SampleAt(s, t);
      if (!v) continue;
      ts.push_back(t);
      vs.push_back(*v);
    }
    EXPECT_TRUE(w.AddSeries(SeriesLabels(s), ts, vs).ok());
  }
  auto meta = w.Write(work);
  EXPECT_TRUE(meta.ok()) << meta.status().message();
  Status up = storeapi::gateway::UploadBlock(bucket, work + "/" + meta->ulid.ToString());
  EXPECT_TRUE(up.ok()) << up.message();
  std::error_code ec;
  std::filesystem::remove_all(work + "/" + meta->ulid.ToString(), ec);
  return *meta;
}

// The blocks a reader (the store-gateway) serves: with a meta.json, without a deletion mark,
// not covered by another block of their group.
inline std::map<tsdb::Ulid, tsdb::BlockMeta> ServedBlocks(objstore::Bucket& bucket) {
  std::map<tsdb::Ulid, tsdb::BlockMeta> metas;
  Status s = bucket.Iter("", [&](const std::string& name) {
    std::string n = name;
    if (!n.empty() && n.back() == '/') n.pop_back();
    auto id = tsdb::Ulid::Parse(n);
    if (!id.ok()) return Status::Ok();
    auto marked = bucket.Exists(n + "/deletion-mark.json");
    if (marked.ok() && *marked) return Status::Ok();
    auto raw = bucket.Get(n + "/meta.json");
    if (!raw.ok()) return Status::Ok();
    auto meta = tsdb::ParseBlockMeta(*raw);
    if (meta.ok()) metas[*id] = *meta;
    return Status::Ok();
  });
  EXPECT_TRUE(s.ok()) << s.message();
  for (const auto& id : tsdb::FindDuplicates(metas)) metas.erase(id);
  return metas;
}

// series (with external labels) -> time -> value bits, from the served blocks of one
// resolution. A timestamp served by two blocks is a test failure (data counted twice).
using SampleSet = std::map<std::string, std::map<int64_t, uint64_t>>;

inline SampleSet ReadServedSamples(objstore::Bucket& bucket, const std::string& work, int64_t resolution = 0) {
  SampleSet out;
  for (const auto& [id, meta] : ServedBlocks(bucket)) {
    if ((meta.thanos ? meta.thanos->downsample_resolution : 0) != resolution) continue;
    Status d = DownloadBlock(bucket, id, work);
    EXPECT_TRUE(d.ok()) << d.message();
    if (!d.ok()) continue;
    auto block = tsdb::BlockReader::Open(work + "/" + id.ToString());
    EXPECT_TRUE(block.ok()) << block.status().message();
    if (!block.ok()) continue;
    const std::string ext = meta.thanos ? meta.thanos->labels.ToString() : "{}";
    auto p = (*block)->index().AllPostings();
    Labels ls;
    std::vector<tsdb::index::ChunkMeta> chunks;
    while (p->Next()) {
      chunks.clear();
      EXPECT_TRUE((*block)->index().Series(p->At(), &ls, &chunks).ok());
      auto& dst = out[ext + ls.ToString()];
      for (const auto& cm : chunks) {
        auto c = (*block)->chunks().Read(cm.ref, cm.min_time, cm.max_time);
        EXPECT_TRUE(c.ok()) << c.status().message();
        if (!c.ok() || c->encoding != storage::ChunkEncoding::kXOR) continue;
        std::vector<int64_t> ts;
        std::vector<double> vs;
        EXPECT_TRUE(chunkenc::DecodeXor(c->bytes(), &ts, &vs).ok());
        for (size_t i = 0; i < ts.size(); ++i) {
          bool fresh = dst.emplace(ts[i], std::bit_cast<uint64_t>(vs[i])).second;
          EXPECT_TRUE(fresh) << "sample " << ls.ToString() << "@" << ts[i] << " served twice (block " << id.ToString() << ")";
        }
      }
    }
    std::error_code ec;
    std::filesystem::remove_all(work + "/" + id.ToString(), ec);
  }
  return out;
}

// What ReadServedSamples must return for raw blocks covering [mint, maxt) per external label set.
inline SampleSet ExpectedSamples(const std::vector<Labels>& externals, int64_t mint, int64_t maxt,
                                 const SeriesSpec& spec = {}) {
  SampleSet out;
  for (const auto& ext : externals) {
    for (int s = 0; s < spec.n_series; ++s) {
      auto& dst = out[ext.ToString() + SeriesLabels(s).ToString()];
      for (int64_t t = mint; t < maxt; t += spec.interval) {
        if (auto v = SampleAt(s, t)) dst[t] = std::bit_cast<uint64_t>(*v);
      }
    }
  }
  return out;
}

// (resolution, min, max, level) of every served block, sorted: the layout, without ULIDs.
struct LayoutEntry {
  int64_t resolution, min_time, max_time;
  int level;
  std::string labels;
  friend auto operator<=>(const LayoutEntry&, const LayoutEntry&) = default;
};

inline std::vector<LayoutEntry> Layout(objstore::Bucket& bucket) {
  std::vector<LayoutEntry> out;
  for (const auto& [id, m] : ServedBlocks(bucket)) {
    out.push_back({m.thanos ? m.thanos->downsample_resolution : 0, m.min_time, m.max_time, m.compaction.level,
                   m.thanos ? m.thanos->labels.ToString() : "{}"});
  }
  std::sort(out.begin(), out.end());
  return out;
}

inline std::string LayoutString(const std::vector<LayoutEntry>& l) {
  std::string s;
  for (const auto& e : l) {
    s += "res=" + std::to_string(e.resolution) + " [" + std::to_string(e.min_time) + "," + std::to_string(e.max_time) +
         ") " + std::to_string((e.max_time - e.min_time) / kHour) + "h L" + std::to_string(e.level) + " " + e.labels + "\n";
  }
  return s;
}

}  // namespace meridian::compact::testing
