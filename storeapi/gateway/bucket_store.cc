#include "storeapi/gateway/bucket_store.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <set>

#include <spdlog/spdlog.h>

#include "storeapi/convert.h"
#include "storeapi/gateway/block_selection.h"
#include "storeapi/gateway/merged_block_series.h"
#include "storeapi/queryable_store.h"
#include "storeapi/wire_adapters.h"
#include "tsdb/block_groups.h"
#include "tsdb/ulid.h"

namespace meridian::storeapi::gateway {

namespace {

constexpr char kDeletionMark[] = "deletion-mark.json";

using BlockPtr = std::shared_ptr<BucketBlock>;

// Chunk file pages held only while a prefetch verifies them into the chunk cache.
constexpr uint64_t kChunkStagingBytes = 64ull << 20;

}  // namespace

BucketStore::BucketStore(std::shared_ptr<objstore::Bucket> bucket, BucketStoreOptions opts)
    : bucket_(std::move(bucket)), opts_(std::move(opts)) {
  env_.bucket = bucket_;
  env_.index_cache = std::make_shared<ByteCache>(opts_.index_cache_bytes);
  env_.chunk_cache = std::make_shared<ByteCache>(opts_.chunk_cache_bytes);
  env_.chunk_page_cache = std::make_shared<ByteCache>(kChunkStagingBytes);
  env_.counters = std::make_shared<FetchCounters>();
  env_.options = opts_.block;
}

StatusOr<std::shared_ptr<BucketStore>> BucketStore::New(std::shared_ptr<objstore::Bucket> bucket,
                                                        BucketStoreOptions opts) {
  if (!bucket) return BadData("bucket store: no bucket configured");
  if (opts.data_dir.empty()) return BadData("bucket store: no data dir configured");
  std::error_code ec;
  std::filesystem::create_directories(opts.data_dir, ec);
  if (ec) return InternalError("bucket store: cannot create data dir " + opts.data_dir + ": " + ec.message());
  // Fail at start, with the reason, when index-headers could never be written there (a
  // read-only or foreign-owned volume), rather than failing every block later.
  const std::string probe = opts.data_dir + "/.meridian-write-probe";
  if (std::FILE* f = std::fopen(probe.c_str(), "w")) {
    std::fclose(f);
    std::filesystem::remove(probe, ec);
  } else {
    return InternalError("bucket store: data dir " + opts.data_dir + " is not writable: " + std::strerror(errno));
  }
  return std::shared_ptr<BucketStore>(new BucketStore(std::move(bucket), std::move(opts)));
}

StatusOr<std::shared_ptr<BucketBlock>> BucketStore::LoadBlock(const std::string& ulid, bool* partial,
                                                              bool* excluded) {
  *partial = false;
  *excluded = false;
  auto raw = bucket_->Get(ulid + "/" + std::string(tsdb::kMetaFilename));
  if (!raw.ok()) {
    // meta.json is uploaded last: without it the block is still being uploaded.
    *partial = objstore::IsObjNotFound(raw.status());
    return raw.status().Wrap("block " + ulid + ": meta.json");
  }
  auto meta = tsdb::ParseBlockMeta(*raw);
  if (!meta.ok()) return meta.status().Wrap("block " + ulid + ": meta.json");
  if (meta->ulid.ToString() != ulid) {
    return CorruptError("block " + ulid + ": meta.json names block " + meta->ulid.ToString());
  }
  if (meta->max_time <= opts_.min_time || meta->min_time >= opts_.max_time || (opts_.keep && !opts_.keep(*meta))) {
    *excluded = true;
    return NotFoundError("block " + ulid + ": not in this store's shard");
  }
  return BucketBlock::Open(env_, std::move(*meta), opts_.data_dir + "/" + ulid);
}

Status BucketStore::Sync() {
  std::lock_guard<std::mutex> sync_lock(sync_mu_);
  std::vector<std::string> ulids;
  Status listed = bucket_->Iter("", [&](const std::string& name) {
    std::string n = name;
    if (!n.empty() && n.back() == '/') n.pop_back();
    if (tsdb::Ulid::Parse(n).ok()) ulids.push_back(n);
    return Status::Ok();
  });
  if (!listed.ok()) {
    ++sync_failures_;
    return listed.Wrap("sync of " + bucket_->Name());
  }
  std::map<std::string, BlockPtr> current;
  std::map<std::string, Status> old_errors;
  {
    std::lock_guard<std::mutex> l(mu_);
    current = blocks_;
    old_errors = errors_;
  }
  std::map<std::string, BlockPtr> next;
  std::map<std::string, Status> errors;
  for (const auto& ulid : ulids) {
    auto marked = bucket_->Exists(ulid + "/" + kDeletionMark);
    auto it = current.find(ulid);
    if (!marked.ok()) {
      // A transient bucket error must not unload a block that is being served.
      if (it != current.end()) next[ulid] = it->second;
      errors[ulid] = marked.status();
      continue;
    }
    if (*marked) continue;
    if (it != current.end()) {
      next[ulid] = it->second;
      continue;
    }
    if (excluded_.count(ulid)) continue;
    bool partial = false, excluded = false;
    auto block = LoadBlock(ulid, &partial, &excluded);
    if (block.ok()) {
      next[ulid] = *block;
      spdlog::info("bucket store: loaded block {} ({} series, {} .. {})", ulid,
                   (*block)->meta().stats.num_series, (*block)->meta().min_time,
                   (*block)->meta().max_time);
      continue;
    }
    if (partial) continue;
    if (excluded) {
      excluded_.insert(ulid);
      continue;
    }
    errors[ulid] = block.status();
    auto old = old_errors.find(ulid);
    if (old == old_errors.end() || old->second.message() != block.status().message()) {
      spdlog::error("bucket store: block {} not served: {}", ulid, block.status().message());
    }
  }
  std::vector<BlockPtr> dropped;
  for (const auto& [ulid, b] : current) {
    if (!next.count(ulid)) dropped.push_back(b);
  }
  // A compaction's output and its inputs are in the bucket together until the inputs are
  // deleted; serving both would count their samples twice. Hide blocks whose sources another
  // block of the same group covers, as Thanos's store applies its DeduplicateFilter.
  std::map<tsdb::Ulid, tsdb::BlockMeta> metas;
  for (const auto& [ulid, b] : next) metas[b->meta().ulid] = b->meta();
  std::set<std::string> hidden;
  for (const auto& id : tsdb::FindDuplicates(metas)) hidden.insert(id.ToString());
  {
    std::lock_guard<std::mutex> l(mu_);
    blocks_ = next;
    hidden_ = std::move(hidden);
    errors_ = errors;
  }
  for (const auto& b : dropped) {
    spdlog::info("bucket store: dropped block {}", b->ulid());
    env_.index_cache->EraseBlock(b->cache_objects());
    env_.chunk_cache->EraseBlock(b->cache_objects());
    env_.chunk_page_cache->EraseBlock(b->cache_objects());
  }
  // Index-headers of blocks no longer served (also from earlier runs). Open files stay valid
  // until the last query reading them ends.
  std::error_code ec;
  // increment(ec), not ++: a directory that turns unreadable must not throw out of a sync.
  for (std::filesystem::directory_iterator it(opts_.data_dir, ec), end; !ec && it != end; it.increment(ec)) {
    const auto& entry = *it;
    std::string n = entry.path().filename().string();
    std::error_code dir_ec;
    if (entry.is_directory(dir_ec) && tsdb::Ulid::Parse(n).ok() && !next.count(n) && !errors.count(n)) {
      std::filesystem::remove_all(entry.path(), ec);
    }
  }
  ++syncs_;
  synced_.store(true);
  return Status::Ok();
}

std::vector<BlockPtr> BucketStore::Blocks() const {
  std::lock_guard<std::mutex> l(mu_);
  std::vector<BlockPtr> out;
  for (const auto& [ulid, b] : blocks_) {
    if (!hidden_.count(ulid)) out.push_back(b);
  }
  return out;
}

bool BucketStore::ready() const {
  if (!synced()) return false;
  std::lock_guard<std::mutex> l(mu_);
  return !(blocks_.empty() && !errors_.empty());
}

std::map<std::string, Status> BucketStore::BlockErrors() const {
  std::lock_guard<std::mutex> l(mu_);
  return errors_;
}

BucketStoreStats BucketStore::stats() const {
  BucketStoreStats s;
  {
    std::lock_guard<std::mutex> l(mu_);
    s.blocks_loaded = blocks_.size();
    s.blocks_failed = errors_.size();
    for (const auto& [_, b] : blocks_) s.index_bytes_served += b->index_size();
  }
  s.syncs = syncs_.load();
  s.sync_failures = sync_failures_.load();
  s.bucket_requests = env_.counters->requests.load();
  s.bucket_bytes = env_.counters->bytes.load();
  s.index_cache = env_.index_cache->stats();
  s.chunk_cache = env_.chunk_cache->stats();
  return s;
}

std::vector<BucketStore::BlockRead> BucketStore::SelectBlocks(int64_t mint, int64_t maxt, int64_t max_resolution,
                                                              int64_t fill_resolution,
                                                              const Matchers& matchers) const {
  // external label set -> its blocks
  std::map<std::string, std::vector<BlockPtr>> groups;
  const int64_t coarsest = std::max(max_resolution, fill_resolution);
  {
    std::lock_guard<std::mutex> l(mu_);
    Matchers inner;
    for (const auto& [ulid, b] : blocks_) {
      if (hidden_.count(ulid)) continue;
      if (b->resolution() > coarsest) continue;
      if (b->meta().min_time > maxt || b->meta().max_time <= mint) continue;
      if (!MatchExternalLabels(b->external_labels(), matchers, &inner)) continue;
      groups[b->external_labels().ToString()].push_back(b);
    }
  }
  std::vector<BlockRead> out;
  for (const auto& [_, blocks] : groups) {
    std::vector<BlockRange> ranges;
    ranges.reserve(blocks.size());
    for (const auto& b : blocks) ranges.push_back({b->meta().min_time, b->meta().max_time, b->resolution()});
    for (const BlockSpan& s : SelectBlockSpans(ranges, mint, maxt, max_resolution, fill_resolution)) {
      out.push_back(BlockRead{blocks[s.block], s.mint, s.maxt});
    }
  }
  return out;
}

StatusOr<thanos::info::InfoResponse> BucketStore::Info(const CallContext&) {
  thanos::info::InfoResponse r;
  r.set_componenttype("store");
  int64_t mint = std::numeric_limits<int64_t>::max();
  int64_t maxt = std::numeric_limits<int64_t>::min();
  std::set<Labels> sets;
  for (const auto& b : Blocks()) {
    mint = std::min(mint, b->meta().min_time);
    maxt = std::max(maxt, b->meta().max_time);
    sets.insert(b->external_labels());
  }
  for (const auto& ls : sets) LabelsToProto(ls, r.add_label_sets()->mutable_labels());
  auto* s = r.mutable_store();
  // Which resolutions each external label set holds, and over what time (Meridian's
  // TSDBInfo.resolution; Thanos readers see one more entry per label set).
  std::map<std::pair<Labels, int64_t>, std::pair<int64_t, int64_t>> held;
  for (const auto& b : Blocks()) {
    auto [it, fresh] = held.try_emplace({b->external_labels(), b->resolution()}, b->meta().min_time, b->meta().max_time);
    if (!fresh) {
      it->second.first = std::min(it->second.first, b->meta().min_time);
      it->second.second = std::max(it->second.second, b->meta().max_time);
    }
  }
  for (const auto& [key, range] : held) {
    auto* info = s->add_tsdb_infos();
    LabelsToProto(key.first, info->mutable_labels()->mutable_labels());
    info->set_min_time(range.first);
    info->set_max_time(range.second);
    info->set_resolution(key.second);
  }
  // A time shard announces only its range, so the querier sends it only what it can answer.
  s->set_min_time(std::max(mint, opts_.min_time));
  s->set_max_time(std::min(maxt, opts_.max_time == std::numeric_limits<int64_t>::max() ? maxt : opts_.max_time - 1));
  s->set_supports_without_replica_labels(true);
  return r;
}

std::unique_ptr<SeriesStream> BucketStore::Series(const thanos::SeriesRequest& req, const CallContext& ctx) {
  return SeriesViaSelect(*this, req, ctx);
}

std::unique_ptr<storage::SeriesSet> BucketStore::Select(const SelectRequest& req, const CallContext& ctx) {
  if (req.min_time > req.max_time) {
    return storage::EmptySet(BadData("min_time " + std::to_string(req.min_time) + " is after max_time " +
                                     std::to_string(req.max_time)));
  }
  if (req.matchers.empty()) return storage::EmptySet(BadData("no matchers specified (got empty matcher set)"));
  // Outside this store's time shard there is nothing to serve, even from blocks overlapping it.
  const int64_t mint = std::max(req.min_time, opts_.min_time);
  const int64_t maxt = opts_.max_time == std::numeric_limits<int64_t>::max() ? req.max_time
                                                                            : std::min(req.max_time, opts_.max_time - 1);
  std::vector<BlockRead> blocks;
  if (mint <= maxt) {
    blocks = SelectBlocks(mint, maxt, req.hints.max_resolution_ms, req.hints.fill_resolution_ms, req.matchers);
  }
  SelectRequest inner = req;
  inner.limit = 0;  // applied to the merged set
  std::vector<MergeSource> sources;
  sources.reserve(blocks.size());
  for (const auto& [b, block_mint, block_maxt] : blocks) {
    // Each block only over the time it was picked for, so resolutions overlap as little as
    // chunk boundaries allow.
    inner.min_time = block_mint;
    inner.max_time = block_maxt;
    inner.hints.start_ms = block_mint;
    inner.hints.end_ms = block_maxt;
    sources.push_back(MergeSource{.set = b->store().Select(inner, ctx),
                                  .group = b->external_labels().ToString(),
                                  .name = "block " + b->ulid(),
                                  .keep_alive = b});
  }
  return std::make_unique<MergedBlockSeries>(
      std::move(sources), MergeOptions{.limit = req.limit, .series_limit = opts_.series_limit}, ctx);
}

StatusOr<thanos::LabelNamesResponse> BucketStore::LabelNames(const thanos::LabelNamesRequest& req,
                                                             const CallContext& ctx) {
  auto matchers = MatchersFromProto(req.matchers());
  if (!matchers.ok()) return matchers.status();
  thanos::LabelNamesRequest inner = req;
  inner.set_limit(0);
  std::set<std::string> names;
  constexpr int64_t kAny = std::numeric_limits<int64_t>::max();
  for (const BlockRead& read : SelectBlocks(req.start(), req.end(), kAny, kAny, *matchers)) {
    const BlockPtr& b = read.block;
    auto r = b->store().LabelNames(inner, ctx);
    if (!r.ok()) return r.status().Wrap("block " + b->ulid());
    names.insert(r->names().begin(), r->names().end());
  }
  thanos::LabelNamesResponse resp;
  for (const auto& n : names) {
    if (req.limit() > 0 && resp.names_size() >= req.limit()) break;
    resp.add_names(n);
  }
  return resp;
}

StatusOr<thanos::LabelValuesResponse> BucketStore::LabelValues(const thanos::LabelValuesRequest& req,
                                                               const CallContext& ctx) {
  if (req.label().empty()) return BadData("label name is required");
  auto matchers = MatchersFromProto(req.matchers());
  if (!matchers.ok()) return matchers.status();
  thanos::LabelValuesRequest inner = req;
  inner.set_limit(0);
  std::set<std::string> values;
  constexpr int64_t kAny = std::numeric_limits<int64_t>::max();
  for (const BlockRead& read : SelectBlocks(req.start(), req.end(), kAny, kAny, *matchers)) {
    const BlockPtr& b = read.block;
    auto r = b->store().LabelValues(inner, ctx);
    if (!r.ok()) return r.status().Wrap("block " + b->ulid());
    values.insert(r->values().begin(), r->values().end());
  }
  thanos::LabelValuesResponse resp;
  for (const auto& v : values) {
    if (req.limit() > 0 && resp.values_size() >= req.limit()) break;
    resp.add_values(v);
  }
  return resp;
}

}  // namespace meridian::storeapi::gateway
