#include "storeapi/gateway/bucket_block.h"

#include <algorithm>
#include <map>

#include "storeapi/gateway/cached_chunk_reader.h"
#include "storeapi/gateway/index_header.h"
#include "storeapi/queryable_store.h"
#include "tsdb/chunks/chunk_format.h"
#include "tsdb/index/index_format.h"
#include "tsdb/postings_for_matchers.h"

namespace meridian::storeapi::gateway {

namespace {

bool Overlaps(int64_t a_min, int64_t a_max, int64_t b_min, int64_t b_max) {
  return a_min <= b_max && b_min <= a_max;
}

// The block's reader behind a step that loads, with merged ranged GETs, everything a
// selection will read before the block querier reads it entry by entry from the cache.
struct RemoteParts {
  std::shared_ptr<tsdb::BlockReader> reader;
  BucketByteSource* index = nullptr;          // owned by reader
  std::vector<BucketByteSource*> segments;    // owned by reader
  const CachedChunkReader* chunks = nullptr;  // owned by reader
  uint64_t staging_budget = 0;                // bytes of chunk pages one prefetch round stages
  uint64_t num_chunks = 0;                    // the block's chunks (meta.json), 0: unknown
  BucketBlockOptions options;
};

class PrefetchingQuerier final : public storage::Querier {
 public:
  PrefetchingQuerier(std::shared_ptr<const RemoteParts> parts, int64_t mint, int64_t maxt)
      : parts_(std::move(parts)), mint_(mint), maxt_(maxt),
        inner_(parts_->reader->NewQuerier(mint, maxt)) {}

  std::unique_ptr<storage::SeriesSet> Select(bool sorted, const storage::SelectHints& hints,
                                             const Matchers& matchers) override {
    Matchers ms = NonEmpty(matchers);
    int64_t mint = mint_, maxt = maxt_;
    if (hints.start_ms != 0 || hints.end_ms != 0) {
      mint = std::max(mint, hints.start_ms);
      maxt = std::min(maxt, hints.end_ms);
    }
    // Prefetch failures are not reported here: the reads that follow fail the same way and
    // report it with the entry they were reading.
    Prefetch(ms, mint, maxt, !hints.labels_only);
    return inner_->Select(sorted, hints, ms);
  }
  StatusOr<std::vector<std::string>> LabelNames(const Matchers& matchers) override {
    if (!matchers.empty()) Prefetch(matchers, mint_, maxt_, false);
    return inner_->LabelNames(matchers);
  }
  StatusOr<std::vector<std::string>> LabelValues(const std::string& name,
                                                 const Matchers& matchers) override {
    if (!matchers.empty()) Prefetch(matchers, mint_, maxt_, false);
    return inner_->LabelValues(name, matchers);
  }

 private:
  // The block querier wants at least one matcher; only external-label matchers (already
  // decided by the caller) leave none, which means "every series".
  static Matchers NonEmpty(const Matchers& ms) {
    if (!ms.empty()) return ms;
    std::string err;
    return {Matcher::Make(MatchType::kRegexp, "__name__", ".*", &err)};
  }

  void Prefetch(const Matchers& ms, int64_t mint, int64_t maxt, bool chunks) {
    const auto& ix = parts_->reader->index();
    auto ids = tsdb::index::ExpandPostings(*tsdb::PostingsForMatchers(ix, ms));
    if (!ids.ok() || ids->empty()) return;
    std::vector<ByteRange> ranges;
    ranges.reserve(ids->size());
    const bool v1 = ix.version() == tsdb::index::kIndexFormatV1;
    for (uint64_t id : *ids) {
      ranges.push_back({v1 ? id : id * tsdb::index::kSeriesAlignment,
                        parts_->options.series_size_estimate});
    }
    if (!parts_->index->Prefetch(std::move(ranges)).ok() || !chunks) return;
    // With every chunk of the block in the cache there is nothing to fetch: the pass over the
    // series entries and a lookup per chunk would be spent for nothing on every hot query.
    if (parts_->num_chunks > 0 && parts_->chunks->CachedCount() >= parts_->num_chunks) return;
    std::map<uint32_t, std::vector<uint64_t>> offsets;  // segment -> offsets of chunks not cached yet
    std::vector<tsdb::index::ChunkMeta> metas;
    for (uint64_t id : *ids) {
      if (!ix.Series(id, nullptr, &metas).ok()) return;
      for (const auto& m : metas) {
        if (!Overlaps(m.min_time, m.max_time, mint, maxt) || parts_->chunks->Cached(m.ref)) continue;
        offsets[tsdb::chunks::ChunkRefSegment(m.ref)].push_back(tsdb::chunks::ChunkRefOffset(m.ref));
      }
    }
    for (auto& [seg, offs] : offsets) {
      if (seg >= parts_->segments.size()) return;
      if (!PrefetchChunks(seg, offs)) return;
    }
  }

  // Brings the chunks at `offs` of segment `seg` into the chunk cache: in rounds of at most
  // the staging budget, their pages are fetched with merged GETs, each chunk is read (and its
  // checksum verified) into the cache, and the pages are dropped again.
  bool PrefetchChunks(uint32_t seg, std::vector<uint64_t>& offs) const {
    BucketByteSource& src = *parts_->segments[seg];
    std::sort(offs.begin(), offs.end());
    offs.erase(std::unique(offs.begin(), offs.end()), offs.end());
    std::vector<ByteRange> round;
    uint64_t round_bytes = 0;
    auto flush = [&] {
      if (round.empty()) return true;
      if (!src.Prefetch(round).ok()) return false;
      for (const auto& [off, len] : round) {
        // Errors are reported by the read that follows, with the series it was reading.
        (void)parts_->chunks->Read(tsdb::chunks::PackChunkRef(seg, off), 0, 0);
      }
      for (const auto& [off, len] : round) src.Invalidate(off, len);
      round.clear();
      round_bytes = 0;
      return true;
    };
    for (size_t i = 0; i < offs.size(); ++i) {
      uint64_t len = parts_->options.chunk_size_estimate;
      // A chunk ends where the next one written starts: use it when it is the neighbour.
      if (i + 1 < offs.size() && offs[i + 1] > offs[i]) len = std::min(len * 4, offs[i + 1] - offs[i]);
      round.push_back({offs[i], len});
      round_bytes += len;
      if (round_bytes >= parts_->staging_budget && !flush()) return false;
    }
    return flush();
  }

  std::shared_ptr<const RemoteParts> parts_;
  int64_t mint_;
  int64_t maxt_;
  std::unique_ptr<storage::Querier> inner_;
};

class PrefetchingQueryable final : public storage::Queryable {
 public:
  explicit PrefetchingQueryable(std::shared_ptr<const RemoteParts> parts) : parts_(std::move(parts)) {}
  std::unique_ptr<storage::Querier> NewQuerier(int64_t mint, int64_t maxt) override {
    return std::make_unique<PrefetchingQuerier>(parts_, mint, maxt);
  }

 private:
  std::shared_ptr<const RemoteParts> parts_;
};

}  // namespace

StatusOr<std::vector<std::pair<std::string, uint64_t>>> ListSegments(objstore::Bucket& bucket,
                                                                      const tsdb::BlockMeta& meta) {
  const std::string ulid = meta.ulid.ToString();
  std::vector<std::pair<std::string, uint64_t>> out;
  if (meta.thanos && !meta.thanos->files.empty()) {
    for (const auto& f : meta.thanos->files) {
      if (f.rel_path.rfind("chunks/", 0) == 0) {
        out.push_back({ulid + "/" + f.rel_path, static_cast<uint64_t>(f.size_bytes)});
      }
    }
  }
  if (out.empty() || std::any_of(out.begin(), out.end(), [](const auto& f) { return f.second == 0; })) {
    out.clear();
    std::vector<std::string> names;
    Status s = bucket.Iter(ulid + "/chunks/", [&](const std::string& name) {
      if (!name.empty() && name.back() != '/') names.push_back(name);
      return Status::Ok();
    });
    if (!s.ok()) return s;
    std::sort(names.begin(), names.end());
    for (const auto& n : names) {
      auto size = bucket.Size(n);
      if (!size.ok()) return size.status();
      out.push_back({n, static_cast<uint64_t>(*size)});
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

StatusOr<std::shared_ptr<BucketBlock>> BucketBlock::Open(const BlockReadEnv& env, tsdb::BlockMeta meta,
                                                         const std::string& local_dir) {
  std::shared_ptr<BucketBlock> b(new BucketBlock(BlockObjects::Next()));
  const std::string ulid = meta.ulid.ToString();
  auto fail = [&](const Status& s) { return s.Wrap("block " + ulid); };

  const std::string index_name = ulid + "/index";
  uint64_t index_size = 0;
  if (meta.thanos) {
    for (const auto& f : meta.thanos->files) {
      if (f.rel_path == "index") index_size = static_cast<uint64_t>(f.size_bytes);
    }
  }
  if (index_size == 0) {
    auto size = env.bucket->Size(index_name);
    if (!size.ok()) return fail(size.status());
    index_size = static_cast<uint64_t>(*size);
  }
  auto index_src = std::make_unique<BucketByteSource>(env.bucket, index_name, index_size, env.index_cache,
                                                      b->objects_.index(), env.options.index_reads, env.counters);
  if (Status s = AttachIndexHeader(index_src.get(), local_dir + "/index-header"); !s.ok()) {
    return fail(s);
  }
  auto parts = std::make_shared<RemoteParts>();
  parts->index = index_src.get();
  parts->options = env.options;
  tsdb::index::IndexReaderOptions iopts;
  iopts.verify_label_indices = false;  // they are not in the header and no query reads them
  auto index = tsdb::index::IndexReader::Open(std::move(index_src), iopts);
  if (!index.ok()) return fail(index.status());

  auto segment_list = ListSegments(*env.bucket, meta);
  if (!segment_list.ok()) return fail(segment_list.status());
  std::vector<std::unique_ptr<tsdb::ByteSource>> segments;
  for (const auto& [name, size] : *segment_list) {
    auto src = std::make_unique<BucketByteSource>(env.bucket, name, size, env.chunk_page_cache,
                                                  b->objects_.segment(parts->segments.size()), env.options.chunk_reads,
                                                  env.counters);
    parts->segments.push_back(src.get());
    b->chunks_size_ += size;
    segments.push_back(std::move(src));
  }
  auto segment_reader = tsdb::chunks::SegmentReader::Open(std::move(segments));
  if (!segment_reader.ok()) return fail(segment_reader.status());
  auto chunks = std::make_unique<CachedChunkReader>(std::move(*segment_reader), env.chunk_cache, b->objects_.chunks());
  parts->chunks = chunks.get();
  // A sixteenth of the staging cache per round: several blocks prefetch at once, and a
  // round's ranges grow to whole pages (BucketByteSource::Prefetch stops at half its budget).
  parts->staging_budget = std::max<uint64_t>(env.chunk_page_cache->max_bytes() / 16, 1);
  parts->num_chunks = meta.stats.num_chunks;

  b->meta_ = meta;
  b->external_ = meta.thanos ? meta.thanos->labels : Labels();
  b->index_size_ = index_size;
  b->local_dir_ = local_dir;
  // Thanos does not upload tombstones; deletions in a bucket are done by rewriting blocks.
  b->reader_ = tsdb::BlockReader::FromParts(std::move(meta), std::move(*index), std::move(chunks),
                                            tsdb::Tombstones());
  parts->reader = b->reader_;
  QueryableStoreOptions qopts;
  qopts.name = "block " + ulid;
  qopts.external_labels = b->external_;
  qopts.min_time = b->meta_.min_time;
  qopts.max_time = b->meta_.max_time;
  b->store_ = std::make_unique<QueryableStore>(std::make_shared<PrefetchingQueryable>(parts), qopts);
  return b;
}

}  // namespace meridian::storeapi::gateway
