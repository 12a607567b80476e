// The compactor against a real (filesystem) bucket of generated blocks: the layout it leaves,
// that no sample is lost or served twice at any point, halting on overlaps, vertical
// deduplication, retention that waits for downsampled copies, and retries of bucket errors.

#include "compact/bucket_compactor.h"

#include <gtest/gtest.h>

#include "common/metrics.h"
#include "compact/compactor_metrics.h"
#include "compact/markers.h"
#include "compact/planner.h"
#include "tsdb/chunkenc/aggr.h"
#include "tests/compact/compact_fixture.h"
#include "tests/compact/faulty_bucket.h"

namespace meridian::compact {
namespace {

using namespace testing;  // NOLINT

// A bucket that does not own its inner bucket, so tests can wrap one they keep.
class BorrowedBucket final : public objstore::Bucket {
 public:
  explicit BorrowedBucket(objstore::Bucket& b) : b_(b) {}
  Status Iter(const std::string& d, const objstore::IterCallback& f, objstore::IterOptions o) override { return b_.Iter(d, f, o); }
  StatusOr<std::string> Get(const std::string& n) override { return b_.Get(n); }
  StatusOr<std::string> GetRange(const std::string& n, int64_t o, int64_t l) override { return b_.GetRange(n, o, l); }
  StatusOr<objstore::ObjectAttributes> Attributes(const std::string& n) override { return b_.Attributes(n); }
  StatusOr<bool> Exists(const std::string& n) override { return b_.Exists(n); }
  Status Upload(const std::string& n, std::string_view d) override { return b_.Upload(n, d); }
  Status UploadFile(const std::string& n, const std::string& p) override { return b_.UploadFile(n, p); }
  Status Delete(const std::string& n) override { return b_.Delete(n); }
  std::string Name() const override { return b_.Name(); }

 private:
  objstore::Bucket& b_;
};

CompactorOptions TestOptions(const std::string& data_dir) {
  CompactorOptions o;
  o.data_dir = data_dir;
  o.sync.consistency_delay_ms = 0;
  o.sync.ignore_deletion_mark_delay_ms = 0;
  o.delete_delay_ms = 0;
  o.retry_backoff_ms = 1;
  return o;
}

// Uploads contiguous 2h blocks over [start, start + days) for each external label set.
std::vector<tsdb::BlockMeta> UploadDays(objstore::Bucket& bucket, const std::string& work, int64_t start, int days,
                                        const std::vector<Labels>& externals, const SeriesSpec& spec = {}) {
  std::vector<tsdb::BlockMeta> out;
  for (const auto& ext : externals) {
    for (int64_t t = start; t < start + days * kDay; t += 2 * kHour) {
      out.push_back(UploadBlock(bucket, work, ext, t, t + 2 * kHour, spec));
    }
  }
  return out;
}

// The layout Thanos's planner reaches from `metas` when each group is planned until it has no
// plan left (what the compactor's passes do), as (resolution, min, max, level, labels).
std::vector<LayoutEntry> PlannedLayout(std::vector<tsdb::BlockMeta> metas) {
  std::map<std::string, std::vector<tsdb::BlockMeta>> groups;
  for (auto& m : metas) groups[tsdb::GroupKey(m)].push_back(m);
  std::vector<LayoutEntry> out;
  for (auto& [key, group] : groups) {
    for (;;) {
      auto plan = Plan({group, {}}, CompactionRanges());
      if (plan.empty()) break;
      tsdb::BlockMeta merged = CompactedMeta(plan, tsdb::Ulid::NewNow());
      merged.thanos = plan.front().thanos;
      std::set<tsdb::Ulid> gone;
      for (const auto& p : plan) gone.insert(p.ulid);
      std::erase_if(group, [&](const tsdb::BlockMeta& m) { return gone.count(m.ulid) > 0; });
      group.push_back(merged);
    }
    for (const auto& m : group) {
      out.push_back({m.thanos->downsample_resolution, m.min_time, m.max_time, m.compaction.level, m.thanos->labels.ToString()});
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::set<std::string> ObjectNames(objstore::Bucket& b) {
  std::set<std::string> out;
  EXPECT_TRUE(b.Iter("", [&](const std::string& n) {
    out.insert(n);
    return Status::Ok();
  }, {.recursive = true}).ok());
  return out;
}

double MetricValue(const std::string& line_prefix) {
  std::string text = RenderMetrics();
  size_t at = text.find("\n" + line_prefix + " ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + line_prefix.size() + 2));
}

int64_t AlignedStart(int64_t days_ago) { return (NowMs() - days_ago * kDay) / (2 * kHour) * (2 * kHour); }

TEST(BucketCompactor, ThirtyDaysOfTwoHourBlocksEndInThanosLayoutAndASecondRunDoesNothing) {
  TempDir dir;
  auto bucket = OpenFs(dir.path() + "/bucket");
  const int64_t start = AlignedStart(31);
  const std::vector<Labels> externals = {Labels{{"cluster", "a"}}, Labels{{"cluster", "b"}}};
  SeriesSpec spec{3, 300'000};
  auto uploaded = UploadDays(*bucket, dir.path(), start, 30, externals, spec);
  ASSERT_EQ(uploaded.size(), 2u * 30 * 12);

  CompactorOptions o = TestOptions(dir.path() + "/data");
  o.downsampling_disabled = true;
  BucketCompactor c(std::shared_ptr<objstore::Bucket>(std::move(bucket)), o);
  auto report = c.RunIteration();
  ASSERT_TRUE(report.ok()) << report.status().message();
  auto reopened = OpenFs(dir.path() + "/bucket");

  const auto layout = Layout(*reopened);
  EXPECT_EQ(LayoutString(layout), LayoutString(PlannedLayout(uploaded)));
  // From first principles: per cluster, the blocks tile [start, end) with no gap or overlap,
  // no block crosses a 14-day epoch window, and the newest upload is left alone.
  for (const auto& ext : externals) {
    int64_t at = start;
    for (const auto& e : layout) {
      if (e.labels != ext.ToString()) continue;
      EXPECT_EQ(e.min_time, at);
      EXPECT_EQ(e.min_time / (14 * kDay), (e.max_time - 1) / (14 * kDay)) << LayoutString(layout);
      at = e.max_time;
    }
    EXPECT_EQ(at, start + 30 * kDay);
  }
  EXPECT_EQ(layout.back().max_time - layout.back().min_time, 2 * kHour);
  EXPECT_TRUE(std::any_of(layout.begin(), layout.end(), [](const LayoutEntry& e) { return e.level == 4; }));

  // Every sample survives, once.
  EXPECT_EQ(ReadServedSamples(*reopened, dir.path()), ExpectedSamples(externals, start, start + 30 * kDay, spec));

  // A second run finds nothing to do and writes nothing.
  auto before = ObjectNames(*reopened);
  auto again = c.RunIteration();
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(again->compactions, 0);
  EXPECT_EQ(again->downsamples, 0);
  EXPECT_EQ(again->marked_for_deletion, 0);
  EXPECT_EQ(again->deleted, 0);
  EXPECT_EQ(ObjectNames(*reopened), before);
}

TEST(BucketCompactor, DownsamplesLongBlocksToFiveMinutesAndOneHourAndSettles) {
  TempDir dir;
  auto bucket = OpenFs(dir.path() + "/bucket");
  const int64_t start = AlignedStart(31);
  SeriesSpec spec{3, 60'000};
  UploadDays(*bucket, dir.path(), start, 30, {Labels{{"cluster", "a"}}}, spec);
  BucketCompactor c(std::shared_ptr<objstore::Bucket>(std::move(bucket)), TestOptions(dir.path() + "/data"));
  auto report = c.RunIteration();
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_GT(report->downsamples, 0);
  auto b = OpenFs(dir.path() + "/bucket");
  const auto layout = Layout(*b);
  std::map<int64_t, std::vector<LayoutEntry>> by_res;
  for (const auto& e : layout) by_res[e.resolution].push_back(e);
  ASSERT_EQ(by_res.size(), 3u) << LayoutString(layout);
  // Each resolution's blocks are disjoint, and every raw block spanning 40h or more has a 5m
  // copy of its whole range; every 5m block spanning 10 days a 1h copy.
  for (auto& [res, blocks] : by_res) {
    for (size_t i = 1; i < blocks.size(); ++i) EXPECT_LE(blocks[i - 1].max_time, blocks[i].min_time) << LayoutString(layout);
  }
  auto covered = [&](int64_t res, const LayoutEntry& e) {
    for (const auto& c : by_res[res]) {
      if (c.min_time <= e.min_time && c.max_time >= e.max_time) return true;
    }
    return false;
  };
  for (const auto& e : by_res[0]) {
    if (e.max_time - e.min_time >= 40 * kHour) {
      EXPECT_TRUE(covered(300000, e)) << LayoutString(layout);
    }
  }
  for (const auto& e : by_res[300000]) {
    if (e.max_time - e.min_time >= 10 * kDay) {
      EXPECT_TRUE(covered(3600000, e)) << LayoutString(layout);
    }
  }
  // Raw data is untouched by downsampling.
  EXPECT_EQ(ReadServedSamples(*b, dir.path()), ExpectedSamples({Labels{{"cluster", "a"}}}, start, start + 30 * kDay, spec));
  // Through the whole path (download, DownsampleBlock, writer, upload), every 5m and 1h block's
  // count and sum aggregates add up to the raw samples (NaN and stale markers excluded) of its
  // range, series by series.
  for (const auto& [id, meta] : ServedBlocks(*b)) {
    const int64_t res = meta.thanos->downsample_resolution;
    if (res == 0) continue;
    ASSERT_TRUE(DownloadBlock(*b, id, dir.path()).ok());
    auto block = tsdb::BlockReader::Open(dir.path() + "/" + id.ToString());
    ASSERT_TRUE(block.ok());
    auto p = (*block)->index().AllPostings();
    Labels ls;
    std::vector<tsdb::index::ChunkMeta> metas;
    int series = 0;
    while (p->Next()) {
      metas.clear();
      ASSERT_TRUE((*block)->index().Series(p->At(), &ls, &metas).ok());
      int s = std::stoi(std::string(ls.Get("instance")).substr(1));
      double count = 0, sum = 0, want_count = 0, want_sum = 0;
      for (const auto& cm : metas) {
        auto c = (*block)->chunks().Read(cm.ref, cm.min_time, cm.max_time);
        ASSERT_TRUE(c.ok());
        ASSERT_EQ(c->encoding, storage::ChunkEncoding::kAggregate);
        auto parts = chunkenc::ParseAggrChunk(c->bytes());
        ASSERT_TRUE(parts.ok());
        std::vector<int64_t> ts;
        std::vector<double> vs;
        ASSERT_TRUE(chunkenc::DecodeAggrSubChunk(*(*parts)[chunkenc::AggrType::kCount], &ts, &vs).ok());
        for (double v : vs) count += v;
        ts.clear();
        vs.clear();
        ASSERT_TRUE(chunkenc::DecodeAggrSubChunk(*(*parts)[chunkenc::AggrType::kSum], &ts, &vs).ok());
        for (double v : vs) sum += v;
      }
      for (int64_t t = meta.min_time; t < meta.max_time; t += spec.interval) {
        auto v = SampleAt(s, t);
        if (!v || std::isnan(*v)) continue;
        want_count += 1;
        want_sum += *v;
      }
      EXPECT_EQ(count, want_count) << ls.ToString() << " in " << id.ToString();
      EXPECT_NEAR(sum, want_sum, std::abs(want_sum) * 1e-12) << ls.ToString();
      ++series;
    }
    EXPECT_EQ(series, spec.n_series);
    std::filesystem::remove_all(dir.path() + "/" + id.ToString());
  }

  auto before = ObjectNames(*b);
  auto again = c.RunIteration();
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(again->compactions + again->downsamples + again->marked_for_deletion + again->deleted, 0);
  EXPECT_EQ(ObjectNames(*b), before);
}

TEST(BucketCompactor, OverlappingBlocksHaltWithoutVerticalCompaction) {
  TempDir dir;
  auto bucket = OpenFs(dir.path() + "/bucket");
  const int64_t start = AlignedStart(3);
  UploadDays(*bucket, dir.path(), start, 1, {Labels{{"cluster", "a"}}});
  UploadBlock(*bucket, dir.path(), Labels{{"cluster", "a"}}, start + kHour, start + 3 * kHour);
  BucketCompactor c(std::shared_ptr<objstore::Bucket>(std::move(bucket)), TestOptions(dir.path() + "/data"));
  auto report = c.RunIteration();
  ASSERT_FALSE(report.ok());
  EXPECT_TRUE(c.halted());
  EXPECT_TRUE(IsHaltError(report.status())) << report.status().message();
  EXPECT_NE(report.status().message().find("overlaps found while gathering blocks"), std::string::npos);
  EXPECT_EQ(MetricValue("thanos_compact_halted"), 1);
  // Nothing was changed: every block is still served.
  auto b = OpenFs(dir.path() + "/bucket");
  EXPECT_EQ(ServedBlocks(*b).size(), 13u);
  CompactorMetrics::Get().SetHalted(false);
}

TEST(BucketCompactor, VerticalCompactionMergesReplicasIntoOneDeduplicatedBlock) {
  TempDir dir;
  auto bucket = OpenFs(dir.path() + "/bucket");
  const int64_t start = AlignedStart(3);
  SeriesSpec spec{3, 60'000};
  for (const char* r : {"a", "b"}) {
    UploadBlock(*bucket, dir.path(), Labels{{"cluster", "x"}, {"replica", r}}, start, start + 2 * kHour, spec);
    UploadBlock(*bucket, dir.path(), Labels{{"cluster", "x"}, {"replica", r}}, start + 2 * kHour, start + 4 * kHour, spec);
  }
  CompactorOptions o = TestOptions(dir.path() + "/data");
  o.sync.replica_labels = {"replica"};
  o.vertical_compaction = true;
  o.downsampling_disabled = true;
  BucketCompactor c(std::shared_ptr<objstore::Bucket>(std::move(bucket)), o);
  auto report = c.RunIteration();
  ASSERT_TRUE(report.ok()) << report.status().message();
  auto b = OpenFs(dir.path() + "/bucket");
  const auto layout = Layout(*b);
  // The replicas' overlapping blocks merged per 2h window; the replica label is gone.
  for (const auto& e : layout) EXPECT_EQ(e.labels, "{cluster=\"x\"}") << LayoutString(layout);
  EXPECT_EQ(ReadServedSamples(*b, dir.path()), ExpectedSamples({Labels{{"cluster", "x"}}}, start, start + 4 * kHour, spec));
}

// The compactor dies after each possible number of bucket writes of one iteration. After every
// death the bucket serves every sample exactly once, and a fresh compactor finishes the job
// with the layout of an uninterrupted run.
TEST(BucketCompactor, KilledAtAnyBucketWriteLosesNothingAndTheNextRunFinishes) {
  TempDir dir;
  const std::string fixture = dir.path() + "/fixture";
  const int64_t start = AlignedStart(5);
  SeriesSpec spec{3, 300'000};
  const std::vector<Labels> externals = {Labels{{"cluster", "a"}}};
  {
    auto b = OpenFs(fixture);
    UploadDays(*b, dir.path(), start, 3, externals, spec);
  }
  const SampleSet want = ExpectedSamples(externals, start, start + 3 * kDay, spec);
  auto copy_fixture = [&](const std::string& to) {
    std::filesystem::remove_all(to);
    std::filesystem::copy(fixture, to, std::filesystem::copy_options::recursive);
  };

  // The uninterrupted run: its layout and how many writes it makes.
  copy_fixture(dir.path() + "/clean");
  auto clean = OpenFs(dir.path() + "/clean");
  FaultyBucket counting(*clean);
  int64_t total_writes = 0;
  {
    BucketCompactor c(std::make_shared<BorrowedBucket>(counting), TestOptions(dir.path() + "/data-clean"));
    auto r = c.RunIteration();
    ASSERT_TRUE(r.ok()) << r.status().message();
    ASSERT_GT(r->downsamples, 0);
    total_writes = counting.writes();
  }
  const auto clean_layout = Layout(*clean);
  ASSERT_GT(total_writes, 20);

  // Every third write point (every ninth under the sanitizers, which are slower): uploads of
  // chunks, index and meta.json, marks and deletions each fall on many of them.
#if defined(__SANITIZE_ADDRESS__)
  const int64_t stride = 9;
#else
  const int64_t stride = 3;
#endif
  for (int64_t kill_at = 0; kill_at < total_writes; kill_at += stride) {
    SCOPED_TRACE("killed after " + std::to_string(kill_at) + " of " + std::to_string(total_writes) + " writes");
    const std::string path = dir.path() + "/run";
    copy_fixture(path);
    auto inner = OpenFs(path);
    FaultyBucket faulty(*inner);
    faulty.KillAfterWrites(kill_at);
    {
      BucketCompactor c(std::make_shared<BorrowedBucket>(faulty), TestOptions(dir.path() + "/data"));
      auto r = c.RunIteration();
      ASSERT_FALSE(r.ok());
      ASSERT_TRUE(faulty.killed());
    }
    ASSERT_EQ(ReadServedSamples(*inner, dir.path()), want);
    {
      BucketCompactor c(std::make_shared<BorrowedBucket>(*inner), TestOptions(dir.path() + "/data"));
      auto r = c.RunIteration();
      ASSERT_TRUE(r.ok()) << r.status().message();
    }
    ASSERT_EQ(LayoutString(Layout(*inner)), LayoutString(clean_layout));
    ASSERT_EQ(ReadServedSamples(*inner, dir.path()), want);
    // Nothing left behind: every block directory has a meta.json.
    for (const auto& name : ObjectNames(*inner)) {
      std::string ulid = name.substr(0, name.find('/'));
      auto has_meta = inner->Exists(ulid + "/meta.json");
      ASSERT_TRUE(has_meta.ok() && *has_meta) << "leftover " << name;
    }
  }
}

TEST(BucketCompactor, BucketErrorsAreRetried) {
  TempDir dir;
  auto inner = OpenFs(dir.path() + "/bucket");
  const int64_t start = AlignedStart(3);
  UploadDays(*inner, dir.path(), start, 1, {Labels{{"cluster", "a"}}});
  FaultyBucket faulty(*inner);
  faulty.FailTransiently(2);
  const double retries_before = MetricValue("thanos_compact_retries_total");
  BucketCompactor c(std::make_shared<BorrowedBucket>(faulty), TestOptions(dir.path() + "/data"));
  auto r = c.RunIteration();
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_GT(r->compactions, 0);
  EXPECT_GE(MetricValue("thanos_compact_retries_total"), retries_before + 1);
}

// Raw blocks past their retention that never span 40h (Thanos #2413: a gap keeps them short)
// are downsampled before they go, and a block that may not be downsampled is kept.
TEST(BucketCompactor, RetentionNeverDeletesRawDataWithoutADownsampledCopy) {
  TempDir dir;
  auto bucket = OpenFs(dir.path() + "/bucket");
  const int64_t start = AlignedStart(20);
  const Labels ext{{"cluster", "a"}};
  // Three 2h blocks, then a day of gap, then two more: none can reach 40h.
  std::vector<tsdb::BlockMeta> metas;
  for (int64_t t : {start, start + 2 * kHour, start + 4 * kHour, start + 30 * kHour, start + 32 * kHour}) {
    metas.push_back(UploadBlock(*bucket, dir.path(), ext, t, t + 2 * kHour));
  }
  // The last one carries a no-downsample mark.
  Marker m;
  m.kind = MarkerKind::kNoDownsample;
  m.id = metas.back().ulid;
  m.reason = "manual";
  ASSERT_TRUE(WriteMarkerIfAbsent(*bucket, m).ok());

  CompactorOptions o = TestOptions(dir.path() + "/data");
  o.retention.raw_ms = 3 * kDay;
  BucketCompactor c(std::shared_ptr<objstore::Bucket>(std::move(bucket)), o);
  auto r = c.RunIteration();
  ASSERT_TRUE(r.ok()) << r.status().message();
  auto b = OpenFs(dir.path() + "/bucket");
  const auto layout = Layout(*b);
  int raw = 0, five = 0;
  for (const auto& e : layout) {
    raw += e.resolution == 0;
    five += e.resolution == 300000;
  }
  EXPECT_EQ(raw, 1) << LayoutString(layout);  // only the no-downsample block is kept
  EXPECT_GE(five, 1) << LayoutString(layout);
  EXPECT_EQ(r->retention_held, 1);
  EXPECT_EQ(MetricValue("meridian_compact_retention_held_blocks{resolution=\"0\"}"), 1);
}

TEST(Markers, SerializeAsThanosDoes) {
  Marker d;
  d.kind = MarkerKind::kDeletion;
  d.id = *tsdb::Ulid::Parse("01H8ZBQJ2M8V4Y6W5C3X0A7B9D");
  d.details = "source of compacted block";
  d.time_s = 1700000000;
  EXPECT_EQ(SerializeMarker(d),
            R"({"id":"01H8ZBQJ2M8V4Y6W5C3X0A7B9D","version":1,"details":"source of compacted block","deletion_time":1700000000})");
  Marker n = d;
  n.kind = MarkerKind::kNoCompact;
  n.details = "";
  n.reason = "manual";
  EXPECT_EQ(SerializeMarker(n), R"({"id":"01H8ZBQJ2M8V4Y6W5C3X0A7B9D","version":1,"no_compact_time":1700000000,"reason":"manual"})");
  auto back = ParseMarker(MarkerKind::kNoCompact, SerializeMarker(n));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->reason, "manual");
  EXPECT_EQ(back->time_s, 1700000000);
  EXPECT_FALSE(ParseMarker(MarkerKind::kDeletion, R"({"id":"01H8ZBQJ2M8V4Y6W5C3X0A7B9D","version":2})").ok());
}

}  // namespace
}  // namespace meridian::compact
