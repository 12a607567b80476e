#include "storeapi/gateway/merged_block_series.h"

#include <algorithm>
#include <map>

#include "common/parallel_for.h"

namespace meridian::storeapi::gateway {

MergedBlockSeries::MergedBlockSeries(std::vector<MergeSource> sources, MergeOptions opts, CallContext ctx)
    : opts_(opts), ctx_(std::move(ctx)) {
  heads_.reserve(sources.size());
  for (auto& s : sources) {
    heads_.emplace_back();
    heads_.back().src = std::move(s);
  }
}

void MergedBlockSeries::Cancel() {
  cancelled_.store(true);
  for (auto& h : heads_) h.src.set->Cancel();
}

void MergedBlockSeries::Fetch(Head* h) {
  h->valid = false;
  if (h->done) return;
  if (!h->src.set->Next()) {
    h->done = true;
    return;
  }
  h->series.labels = std::move(h->src.set->At().labels);
  h->series.chunks = std::move(h->src.set->At().chunks);
  h->valid = true;
}

bool MergedBlockSeries::Absorb(Head* h) {
  if (!h->done) return true;
  for (auto& w : h->src.set->Warnings()) warnings_.push_back(std::move(w));
  Status s = h->src.set->status();
  if (s.ok()) return true;
  status_ = s.message().find(h->src.name) == std::string::npos ? s.Wrap(h->src.name) : s;
  return false;
}

void MergedBlockSeries::FetchAllInParallel() {
  ParallelFor(heads_.size(), opts_.fetch_concurrency, [this](size_t i) { Fetch(&heads_[i]); });
}

namespace {

bool SameChunk(const storage::Chunk& a, const storage::Chunk& b) {
  return a.min_time == b.min_time && a.max_time == b.max_time && a.encoding == b.encoding && a.bytes() == b.bytes();
}

}  // namespace

bool MergedBlockSeries::Refill() {
  pending_.clear();
  next_pending_ = 0;
  const Labels* min = nullptr;
  for (auto& h : heads_) {
    if (h.valid && (min == nullptr || h.series.labels < *min)) min = &h.series.labels;
  }
  if (min == nullptr) return false;
  const Labels key = *min;
  // group -> heads, ordered by group so the output is deterministic.
  std::map<std::string_view, std::vector<Head*>> groups;
  for (auto& h : heads_) {
    if (h.valid && h.series.labels == key) groups[h.src.group].push_back(&h);
  }
  for (auto& [group, members] : groups) {
    storage::Series out = std::move(members.front()->series);
    if (members.size() > 1) {
      for (size_t i = 1; i < members.size(); ++i) {
        for (auto& c : members[i]->series.chunks) out.chunks.push_back(std::move(c));
      }
      auto& chunks = out.chunks;
      std::stable_sort(chunks.begin(), chunks.end(), [](const auto& a, const auto& b) {
        return a.min_time != b.min_time ? a.min_time < b.min_time : a.max_time < b.max_time;
      });
      // Overlapping copies of one block (a compaction's sources not yet deleted) carry the
      // same chunks: send each once, as Thanos does.
      size_t kept = 0;
      for (size_t i = 0; i < chunks.size(); ++i) {
        if (kept > 0 && SameChunk(chunks[kept - 1], chunks[i])) continue;
        if (kept != i) chunks[kept] = std::move(chunks[i]);
        ++kept;
      }
      chunks.resize(kept);
    }
    pending_.push_back(std::move(out));
    for (Head* h : members) {
      if (!Advance(h)) return false;
    }
  }
  return true;
}

bool MergedBlockSeries::Next() {
  if (!status_.ok()) return false;
  if (!started_) {
    started_ = true;
    FetchAllInParallel();
    for (auto& h : heads_) {
      if (!Absorb(&h)) return false;
    }
  }
  if (opts_.limit > 0 && emitted_ >= opts_.limit) return false;
  if (ctx_.Done() || cancelled_.load(std::memory_order_relaxed)) {
    status_ = Status(StatusCode::kCanceled, "series request canceled or past its deadline");
    return false;
  }
  if (next_pending_ >= pending_.size() && !Refill()) return false;
  // Checked once there is one more series to send, so exactly `series_limit` series pass.
  // Each partition (block group) counts, as each block's series count in Thanos's store.
  if (opts_.series_limit > 0 && emitted_ >= opts_.series_limit) {
    // ResourceExhausted, as Thanos's store sends its limit errors (gRPC code, not Internal).
    status_ = ResourceExhaustedError("exceeded series limit: limit " + std::to_string(opts_.series_limit) +
                                     " violated (got " + std::to_string(emitted_ + 1) + ")");
    return false;
  }
  ++next_pending_;
  ++emitted_;
  return true;
}

}  // namespace meridian::storeapi::gateway
