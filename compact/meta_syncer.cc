#include "compact/meta_syncer.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include <spdlog/spdlog.h>

#include "common/parallel_for.h"

namespace meridian::compact {
namespace {

// Sources that are the compactor's own output and exempt from the consistency delay: they are
// uploaded in the right order by a process that knows they are complete.
bool ExemptFromConsistencyDelay(const tsdb::BlockMeta& m) {
  if (!m.thanos) return false;
  const std::string& s = m.thanos->source;
  return s == "compactor" || s == "compactor.repair" || s == "bucket.repair";
}

// What one block directory holds, from a single listing.
struct BlockListing {
  tsdb::Ulid id;
  bool has_meta = false;
  bool deletion = false;
  bool no_compact = false;
  bool no_downsample = false;
  std::optional<tsdb::BlockMeta> meta;
  Status meta_status;
  std::optional<Marker> deletion_mark;
  std::optional<Marker> no_compact_mark;
  Status status;  // a bucket error: the sync fails rather than act on half a picture
};

}  // namespace

void RemoveReplicaLabels(const std::vector<std::string>& replica_labels, tsdb::BlockMeta* meta) {
  if (replica_labels.empty()) return;
  if (!meta->thanos) meta->thanos = tsdb::ThanosMeta{};
  Labels l = meta->thanos->labels.WithoutNames(replica_labels);
  if (l.empty()) l = Labels{{replica_labels.front(), "deduped"}};
  meta->thanos->labels = std::move(l);
}

MetaSyncer::MetaSyncer(objstore::Bucket& bucket, SyncOptions opts) : bucket_(bucket), opts_(std::move(opts)) {}

int64_t MetaSyncer::Now() const {
  if (opts_.now_ms) return opts_.now_ms();
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void MetaSyncer::Forget(const tsdb::Ulid& id) {
  std::lock_guard<std::mutex> l(mu_);
  cache_.erase(id);
}

StatusOr<SyncState> MetaSyncer::Sync() {
  std::vector<tsdb::Ulid> ids;
  Status listed = bucket_.Iter("", [&](const std::string& name) {
    std::string n = name;
    if (!n.empty() && n.back() == '/') n.pop_back();
    if (auto id = tsdb::Ulid::Parse(n); id.ok()) ids.push_back(*id);
    return Status::Ok();
  });
  if (!listed.ok()) return listed.Wrap("sync metas of " + bucket_.Name());

  std::vector<BlockListing> listings(ids.size());
  ParallelFor(ids.size(), opts_.concurrency, [&](size_t i) {
    BlockListing& b = listings[i];
    b.id = ids[i];
    const std::string dir = b.id.ToString() + "/";
    b.status = bucket_.Iter(dir, [&](const std::string& name) {
      std::string_view file = std::string_view(name).substr(dir.size());
      if (file == tsdb::kMetaFilename) b.has_meta = true;
      if (file == MarkerFilename(MarkerKind::kDeletion)) b.deletion = true;
      if (file == MarkerFilename(MarkerKind::kNoCompact)) b.no_compact = true;
      if (file == MarkerFilename(MarkerKind::kNoDownsample)) b.no_downsample = true;
      return Status::Ok();
    });
    if (!b.status.ok()) return;
    if (b.deletion) {
      auto m = ReadMarker(bucket_, b.id, MarkerKind::kDeletion);
      if (!m.ok()) {
        b.status = m.status();
        return;
      }
      b.deletion_mark = *m;
    }
    if (b.no_compact) {
      auto m = ReadMarker(bucket_, b.id, MarkerKind::kNoCompact);
      if (!m.ok()) {
        b.status = m.status();
        return;
      }
      b.no_compact_mark = *m;
    }
    if (!b.has_meta) return;
    {
      std::lock_guard<std::mutex> l(mu_);
      if (auto it = cache_.find(b.id); it != cache_.end()) {
        b.meta = it->second;
        return;
      }
    }
    auto raw = bucket_.Get(b.id.ToString() + "/" + std::string(tsdb::kMetaFilename));
    if (!raw.ok()) {
      if (objstore::IsObjNotFound(raw.status())) {
        b.has_meta = false;  // deleted between the listing and the read
      } else {
        b.status = raw.status();
      }
      return;
    }
    auto meta = tsdb::ParseBlockMeta(*raw);
    if (!meta.ok()) {
      b.meta_status = meta.status();
      return;
    }
    if (meta->ulid != b.id) {
      b.meta_status = CorruptError("meta.json names block " + meta->ulid.ToString());
      return;
    }
    std::lock_guard<std::mutex> l(mu_);
    cache_[b.id] = *meta;
    b.meta = std::move(*meta);
  });

  SyncState st;
  const int64_t now = Now();
  std::map<tsdb::Ulid, tsdb::BlockMeta> visible;
  for (auto& b : listings) {
    if (!b.status.ok()) return b.status.Wrap("sync block " + b.id.ToString());
    if (b.deletion_mark) st.deletion_marks[b.id] = *b.deletion_mark;
    if (!b.meta) {
      PartialBlock p;
      p.id = b.id;
      p.reason = b.has_meta ? b.meta_status.message() : "no meta.json";
      p.newest_object_ms = 0;
      p.deletion_marked = b.deletion;
      st.partial.push_back(std::move(p));
      ++st.synced_states[b.has_meta ? "corrupted-meta-json" : "no-meta-json"];
      continue;
    }
    tsdb::BlockMeta m = std::move(*b.meta);
    if (m.max_time <= opts_.min_time_ms || m.min_time >= opts_.max_time_ms) {
      ++st.synced_states["time-excluded"];
      continue;
    }
    if (opts_.keep && !opts_.keep(m)) {
      ++st.synced_states["label-excluded"];
      continue;
    }
    if (!ExemptFromConsistencyDelay(m) &&
        now - static_cast<int64_t>(m.ulid.time_ms()) < opts_.consistency_delay_ms) {
      ++st.synced_states["too-fresh"];
      continue;
    }
    if (b.deletion_mark && now - b.deletion_mark->time_s * 1000 > opts_.ignore_deletion_mark_delay_ms) {
      ++st.synced_states["marked-for-deletion"];
      continue;
    }
    RemoveReplicaLabels(opts_.replica_labels, &m);
    visible[b.id] = std::move(m);
  }
  st.duplicates = tsdb::FindDuplicates(visible);
  for (const auto& id : st.duplicates) {
    visible.erase(id);
    ++st.synced_states["duplicate"];
  }
  for (auto& b : listings) {
    if (!visible.count(b.id)) continue;
    if (b.no_compact_mark) {
      st.no_compact[b.id] = *b.no_compact_mark;
      ++st.synced_states["marked-for-no-compact"];
    }
    if (b.no_downsample) st.no_downsample.insert(b.id);
  }
  st.synced_states["loaded"] = static_cast<int64_t>(visible.size());
  st.metas = std::move(visible);
  return st;
}

}  // namespace meridian::compact
