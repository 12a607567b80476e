#pragma once
// The querier's deduplicating view of a series set whose replica labels were already removed
// (stores drop them via without_replica_labels). Replicas arrive as partitions of one series
// (Chunk::source); a source's chunks that overlap (a store that merged replicas itself) are
// split further into non-overlapping chains (Thanos's overlap split). The chains are merged
// with GapFreeDedup: one replica is read and its holes are filled from the others right away,
// where Thanos's penalty algorithm (PenaltyDedup, still what the compactor's vertical
// compaction uses) waits out a penalty window after a switch and leaves a hole.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "storage/storage.h"

namespace meridian::query {

// Splits chunks sorted by min_time into chains of non-overlapping chunks: each chunk goes to
// the first chain whose last chunk ends before it starts, or opens a new chain.
std::vector<std::vector<storage::Chunk>> SplitOverlapping(const std::vector<storage::Chunk>& chunks);

// --deduplication.func: "penalty" (Thanos's default; here the gap-free merge, which does what
// it is for without its holes) or "chain" (replicas written by receivers hold the same samples:
// a 1:1 merge keeping one sample per timestamp).
enum class DedupFunc { kPenalty, kChain };

// Parses the flag's value ("" and "penalty" are the default); nullopt for anything else.
std::optional<DedupFunc> ParseDedupFunc(const std::string& name);

class DedupSeriesSet : public storage::SeriesSet {
 public:
  // `func` is the function reading the selection (from the engine's hints): counters get the
  // reset-free adjustment on replica switches.
  DedupSeriesSet(std::unique_ptr<storage::SeriesSet> inner, std::string func, DedupFunc merge = DedupFunc::kPenalty);

  bool Next() override { return inner_->Next(); }
  storage::Series& At() override { return inner_->At(); }
  Status status() const override { return inner_->status(); }
  std::vector<std::string> Warnings() const override { return inner_->Warnings(); }
  // Replicas of a series with downsampled chunks are each read as DecodeSeriesAs reads them
  // (raw chunks of a replica included), so every replica yields the same kind of value; under
  // AggregateRead::kCounter they are counters and keep the counter adjustment.
  Status DecodeCurrent(int64_t mint, int64_t maxt, storage::AggregateRead read, std::vector<int64_t>* ts,
                       std::vector<double>* vs, storage::AggregateDecodeInfo* info) override;
  using storage::SeriesSet::DecodeCurrent;

 private:
  std::unique_ptr<storage::SeriesSet> inner_;
  bool counter_;
  DedupFunc merge_;
};

}  // namespace meridian::query
