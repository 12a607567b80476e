#include "compact/block_merger.h"

#include <algorithm>
#include <filesystem>
#include <limits>
#include <queue>

#include "query/dedup/penalty_dedup.h"
#include "tsdb/chunkenc/xor.h"
#include "tsdb/streaming_block_writer.h"

namespace meridian::compact {
namespace index = tsdb::index;
namespace {

constexpr size_t kSamplesPerChunk = 120;  // as Prometheus's seriesToChunkEncoderSplit

// One input block's position in its series, which the index lists in label order.
struct Cursor {
  const tsdb::BlockReader* block = nullptr;
  size_t index = 0;  // position in the plan: ties between equal label sets keep plan order
  index::PostingsPtr postings;
  uint64_t ref = 0;
  Labels labels;
  std::vector<index::ChunkMeta> metas;

  // Loads the next series; false at the end (check status).
  bool Next(Status* status) {
    if (!postings->Next()) {
      *status = postings->status();
      return false;
    }
    ref = postings->At();
    metas.clear();
    *status = block->index().Series(ref, &labels, &metas);
    return status->ok();
  }
};

struct CursorAfter {
  bool operator()(const Cursor* a, const Cursor* b) const {
    int c = Compare(a->labels, b->labels);
    if (c != 0) return c > 0;
    return a->index > b->index;
  }
};

struct InputChunk {
  storage::Chunk chunk;
  size_t block = 0;
  const tsdb::Intervals* deleted = nullptr;  // this block's tombstones for the series
};

// The sorted union of the inputs' symbol tables (Prometheus keeps even symbols only dropped
// series used).
std::vector<std::string> UnionOfSymbols(const std::vector<std::shared_ptr<tsdb::BlockReader>>& blocks) {
  std::vector<std::string> out;
  for (const auto& b : blocks) {
    const auto& mine = b->index().symbols();
    std::vector<std::string> merged;
    merged.reserve(out.size() + mine.size());
    std::set_union(std::make_move_iterator(out.begin()), std::make_move_iterator(out.end()), mine.begin(), mine.end(),
                   std::back_inserter(merged));
    out = std::move(merged);
  }
  return out;
}

Status DecodeInto(const InputChunk& in, const Labels& labels, query::ReplicaSamples* out) {
  if (in.chunk.encoding != storage::ChunkEncoding::kXOR) {
    return ExecutionError(labels.ToString() +
                          ": overlapping downsampled chunks cannot be merged sample by sample");
  }
  size_t from = out->ts.size();
  if (Status s = chunkenc::DecodeXor(in.chunk.bytes(), &out->ts, &out->vs); !s.ok()) {
    return s.Wrap(labels.ToString());
  }
  if (in.deleted) {
    size_t w = from;
    for (size_t r = from; r < out->ts.size(); ++r) {
      bool gone = false;
      for (const auto& iv : *in.deleted) gone = gone || iv.Contains(out->ts[r]);
      if (gone) continue;
      out->ts[w] = out->ts[r];
      out->vs[w] = out->vs[r];
      ++w;
    }
    out->ts.resize(w);
    out->vs.resize(w);
  }
  return Status::Ok();
}

// Sorts by time and keeps the first sample of each timestamp (the earlier chunk wins).
void SortUnique(query::ReplicaSamples* s) {
  std::vector<size_t> order(s->ts.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return s->ts[a] < s->ts[b]; });
  query::ReplicaSamples out;
  out.ts.reserve(order.size());
  out.vs.reserve(order.size());
  for (size_t i : order) {
    if (!out.ts.empty() && out.ts.back() == s->ts[i]) continue;
    out.ts.push_back(s->ts[i]);
    out.vs.push_back(s->vs[i]);
  }
  *s = std::move(out);
}

void Encode(const std::vector<int64_t>& ts, const std::vector<double>& vs, std::vector<storage::Chunk>* out) {
  chunkenc::XorEncoder enc;
  int64_t first = 0;
  for (size_t i = 0; i < ts.size(); ++i) {
    if (enc.empty()) first = ts[i];
    enc.Append(ts[i], vs[i]);
    if (enc.num_samples() >= kSamplesPerChunk || i + 1 == ts.size()) {
      storage::Chunk c;
      c.min_time = first;
      c.max_time = ts[i];
      c.encoding = storage::ChunkEncoding::kXOR;
      c.data = std::make_shared<const std::string>(enc.Finish());
      out->push_back(std::move(c));
    }
  }
}

// Merges a run of chunks that overlap in time (or carry deletions) into re-encoded chunks.
Status MergeRun(const std::vector<InputChunk>& run, const Labels& labels, MergeMode mode,
                std::vector<storage::Chunk>* out) {
  std::vector<size_t> blocks;
  for (const auto& c : run) blocks.push_back(c.block);
  std::sort(blocks.begin(), blocks.end());
  blocks.erase(std::unique(blocks.begin(), blocks.end()), blocks.end());
  query::ReplicaSamples merged;
  if (mode == MergeMode::kPenalty && blocks.size() > 1) {
    std::vector<query::ReplicaSamples> replicas(blocks.size());
    for (const auto& c : run) {
      size_t r = std::lower_bound(blocks.begin(), blocks.end(), c.block) - blocks.begin();
      if (Status s = DecodeInto(c, labels, &replicas[r]); !s.ok()) return s;
    }
    for (auto& r : replicas) SortUnique(&r);
    query::PenaltyDedup(replicas, LooksLikeCounter(labels), &merged.ts, &merged.vs);
  } else {
    for (const auto& c : run) {
      if (Status s = DecodeInto(c, labels, &merged); !s.ok()) return s;
    }
    SortUnique(&merged);
  }
  Encode(merged.ts, merged.vs, out);
  return Status::Ok();
}

// The output chunks of one series from the chunks of every input holding it.
Status MergeSeries(std::vector<InputChunk>& in, const Labels& labels, MergeMode mode,
                   std::vector<storage::Chunk>* out) {
  std::stable_sort(in.begin(), in.end(), [](const InputChunk& a, const InputChunk& b) {
    if (a.chunk.min_time != b.chunk.min_time) return a.chunk.min_time < b.chunk.min_time;
    return a.chunk.max_time < b.chunk.max_time;
  });
  // The same chunk in two inputs (a block uploaded twice, replicas that shipped one block)
  // is kept once, as Prometheus's compacting merger does.
  std::vector<InputChunk> uniq;
  for (auto& c : in) {
    bool dup = false;
    for (size_t j = uniq.size(); j-- > 0 && uniq[j].chunk.min_time == c.chunk.min_time;) {
      const auto& u = uniq[j].chunk;
      if (u.max_time == c.chunk.max_time && u.encoding == c.chunk.encoding && u.bytes() == c.chunk.bytes() &&
          !c.deleted && !uniq[j].deleted) {
        dup = true;
        break;
      }
    }
    if (!dup) uniq.push_back(std::move(c));
  }
  out->clear();
  size_t i = 0;
  while (i < uniq.size()) {
    size_t j = i + 1;
    int64_t end = uniq[i].chunk.max_time;
    bool rewrite = uniq[i].deleted != nullptr;
    while (j < uniq.size() && uniq[j].chunk.min_time <= end) {
      end = std::max(end, uniq[j].chunk.max_time);
      rewrite = rewrite || uniq[j].deleted != nullptr;
      ++j;
    }
    if (j == i + 1 && !rewrite) {
      out->push_back(std::move(uniq[i].chunk));
    } else {
      std::vector<InputChunk> run(std::make_move_iterator(uniq.begin() + i),
                                  std::make_move_iterator(uniq.begin() + j));
      if (Status s = MergeRun(run, labels, mode, out); !s.ok()) return s;
    }
    i = j;
  }
  return Status::Ok();
}

}  // namespace

bool LooksLikeCounter(const Labels& labels) {
  std::string_view n = labels.MetricName();
  for (std::string_view suffix : {"_total", "_count", "_sum", "_bucket"}) {
    if (n.size() > suffix.size() && n.substr(n.size() - suffix.size()) == suffix) return true;
  }
  return false;
}

Status CheckBlockHealth(const tsdb::BlockReader& block) {
  auto p = block.index().AllPostings();
  Labels prev, labels;
  std::vector<index::ChunkMeta> metas;
  bool first = true;
  const auto& m = block.meta();
  while (p->Next()) {
    metas.clear();
    if (Status s = block.index().Series(p->At(), &labels, &metas); !s.ok()) return s.Wrap(block.name());
    if (!first && !(prev < labels)) {
      return CorruptError(block.name() + ": series out of order at " + labels.ToString());
    }
    for (const auto& c : metas) {
      if (c.min_time < m.min_time || c.max_time >= m.max_time) {
        return CorruptError(block.name() + ": " + labels.ToString() + " has a chunk [" +
                            std::to_string(c.min_time) + ", " + std::to_string(c.max_time) +
                            "] outside the block's range [" + std::to_string(m.min_time) + ", " +
                            std::to_string(m.max_time) + ")");
      }
    }
    prev = labels;
    first = false;
  }
  return p->status().Wrap(block.name());
}

StatusOr<std::optional<tsdb::BlockMeta>> MergeBlocks(
    const std::vector<std::shared_ptr<tsdb::BlockReader>>& blocks, const std::string& out_dir,
    tsdb::BlockMeta meta, const MergeOptions& opts) {
  if (blocks.empty()) return BadData("merge: no blocks");
  auto writer = tsdb::StreamingBlockWriter::Create(out_dir, meta.ulid, UnionOfSymbols(blocks));
  if (!writer.ok()) return writer.status();

  std::vector<Cursor> cursors(blocks.size());
  std::priority_queue<Cursor*, std::vector<Cursor*>, CursorAfter> heap;
  for (size_t i = 0; i < blocks.size(); ++i) {
    cursors[i].block = blocks[i].get();
    cursors[i].index = i;
    cursors[i].postings = blocks[i]->index().AllPostings();
    Status s;
    if (cursors[i].Next(&s)) heap.push(&cursors[i]);
    if (!s.ok()) return s.Wrap(blocks[i]->name());
  }

  std::vector<InputChunk> in;
  std::vector<storage::Chunk> out;
  while (!heap.empty()) {
    if (opts.stop && opts.stop->load(std::memory_order_relaxed)) {
      return Status(StatusCode::kCanceled, "merge canceled");
    }
    const Labels labels = heap.top()->labels;
    in.clear();
    while (!heap.empty() && heap.top()->labels == labels) {
      Cursor* c = heap.top();
      heap.pop();
      const tsdb::Intervals* deleted = c->block->tombstones().Get(c->ref);
      for (const auto& cm : c->metas) {
        auto chunk = c->block->chunks().Read(cm.ref, cm.min_time, cm.max_time);
        if (!chunk.ok()) return chunk.status().Wrap(c->block->name() + ": " + labels.ToString());
        in.push_back({std::move(*chunk), c->index, deleted});
      }
      Status s;
      if (c->Next(&s)) heap.push(c);
      if (!s.ok()) return s.Wrap(c->block->name());
    }
    if (Status s = MergeSeries(in, labels, opts.mode, &out); !s.ok()) return s;
    if (Status s = (*writer)->AddSeries(labels, out); !s.ok()) return s;
  }

  meta.min_time = std::numeric_limits<int64_t>::max();
  meta.max_time = std::numeric_limits<int64_t>::min();
  for (const auto& b : blocks) {
    meta.min_time = std::min(meta.min_time, b->meta().min_time);
    meta.max_time = std::max(meta.max_time, b->meta().max_time);
  }
  auto written = (*writer)->Finish(std::move(meta));
  if (!written.ok()) return written.status();
  if (written->stats.num_samples == 0) {
    std::error_code ec;
    std::filesystem::remove_all(out_dir + "/" + written->ulid.ToString(), ec);
    return std::optional<tsdb::BlockMeta>();
  }
  return std::optional<tsdb::BlockMeta>(std::move(*written));
}

}  // namespace meridian::compact
