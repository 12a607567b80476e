// The compactor's view of a bucket: partial uploads, consistency delay, deletion marks,
// duplicates and replica labels, as Thanos's compactor filters them.

#include "compact/meta_syncer.h"

#include <gtest/gtest.h>

#include "compact/markers.h"
#include "tests/compact/compact_fixture.h"

namespace meridian::compact {
namespace {

using namespace testing;  // NOLINT

TEST(MetaSyncer, FiltersLikeThanosCompactor) {
  TempDir dir;
  std::filesystem::create_directories(dir.path() + "/bucket");
  auto bucket = objstore::FilesystemBucket::Open(dir.path() + "/bucket");
  ASSERT_TRUE(bucket.ok());
  objstore::Bucket& b = **bucket;
  const int64_t t0 = (NowMs() - 10 * kDay) / (2 * kHour) * (2 * kHour);
  auto m1 = UploadBlock(b, dir.path(), Labels{{"cluster", "a"}, {"replica", "1"}}, t0, t0 + 2 * kHour);
  auto m2 = UploadBlock(b, dir.path(), Labels{{"cluster", "a"}, {"replica", "2"}}, t0, t0 + 2 * kHour);
  auto m3 = UploadBlock(b, dir.path(), Labels{{"cluster", "a"}, {"replica", "1"}}, t0 + 2 * kHour, t0 + 4 * kHour);
  // A partial upload: chunks but no meta.json.
  const std::string partial = tsdb::Ulid::New(static_cast<uint64_t>(t0)).ToString();
  ASSERT_TRUE(b.Upload(partial + "/chunks/000001", "x").ok());
  // A deletion mark older than the ignore delay hides m3.
  Marker del;
  del.kind = MarkerKind::kDeletion;
  del.id = m3.ulid;
  del.time_s = (NowMs() - kDay) / 1000;
  ASSERT_TRUE(WriteMarkerIfAbsent(b, del).ok());
  // A copy of m1 under another ULID (a repeated upload) is a duplicate of it.
  tsdb::BlockMeta copy = m1;
  copy.ulid = tsdb::Ulid::NewNow();
  ASSERT_TRUE(b.Upload(copy.ulid.ToString() + "/meta.json", tsdb::SerializeBlockMeta(copy)).ok());

  SyncOptions o;
  o.consistency_delay_ms = 0;
  o.ignore_deletion_mark_delay_ms = 12 * kHour;
  o.replica_labels = {"replica"};
  MetaSyncer syncer(b, o);
  auto st = syncer.Sync();
  ASSERT_TRUE(st.ok()) << st.status().message();
  EXPECT_EQ(st->partial.size(), 1u);
  EXPECT_EQ(st->partial[0].id.ToString(), partial);
  EXPECT_EQ(st->deletion_marks.count(m3.ulid), 1u);
  EXPECT_EQ(st->metas.count(m3.ulid), 0u);
  // The copy has m1's sources: a duplicate. m1 and m2 share a group once the replica label is
  // removed, but their sources differ (vertical compaction merges them, not deduplication).
  ASSERT_EQ(st->duplicates.size(), 1u);
  EXPECT_EQ(st->metas.size(), 2u);
  EXPECT_EQ(st->metas.count(m2.ulid), 1u);
  for (const auto& [id, m] : st->metas) EXPECT_EQ(m.thanos->labels.ToString(), "{cluster=\"a\"}");

  // A consistency delay hides blocks uploaded just now (the copy's ULID is fresh).
  SyncOptions strict = o;
  strict.replica_labels.clear();
  strict.consistency_delay_ms = 30 * 60'000;
  MetaSyncer delayed(b, strict);
  auto st2 = delayed.Sync();
  ASSERT_TRUE(st2.ok());
  EXPECT_EQ(st2->synced_states["too-fresh"], 4);  // BlockWriter ULIDs are "now" too
}

TEST(MetaSyncer, ReplicaLabelRemovalLeavesDedupedWhenNothingRemains) {
  tsdb::BlockMeta m;
  m.thanos = tsdb::ThanosMeta{};
  m.thanos->labels = Labels{{"replica", "x"}};
  RemoveReplicaLabels({"replica", "rule_replica"}, &m);
  EXPECT_EQ(m.thanos->labels.ToString(), "{replica=\"deduped\"}");
}

}  // namespace
}  // namespace meridian::compact
