#include "query/dedup/dedup_series_set.h"

#include <algorithm>
#include <limits>
#include <map>

#include "model/value.h"
#include "query/dedup/chain_dedup.h"
#include "query/dedup/gap_free_dedup.h"
#include "query/dedup/penalty_dedup.h"
#include "storage/aggregate_decoder.h"
#include "storage/series_decoder.h"

namespace meridian::query {

std::vector<std::vector<storage::Chunk>> SplitOverlapping(const std::vector<storage::Chunk>& chunks) {
  std::vector<std::vector<storage::Chunk>> chains;
  for (const auto& c : chunks) {
    bool placed = false;
    for (auto& chain : chains) {
      if (chain.back().max_time < c.min_time) {
        chain.push_back(c);
        placed = true;
        break;
      }
    }
    if (!placed) chains.push_back({c});
  }
  return chains;
}

std::optional<DedupFunc> ParseDedupFunc(const std::string& name) {
  if (name.empty() || name == "penalty") return DedupFunc::kPenalty;
  if (name == "chain") return DedupFunc::kChain;
  return std::nullopt;
}

DedupSeriesSet::DedupSeriesSet(std::unique_ptr<storage::SeriesSet> inner, std::string func, DedupFunc merge)
    : inner_(std::move(inner)), counter_(IsCounterFunction(func)), merge_(merge) {}

Status DedupSeriesSet::DecodeCurrent(int64_t mint, int64_t maxt, storage::AggregateRead read,
                                     std::vector<int64_t>* ts, std::vector<double>* vs,
                                     storage::AggregateDecodeInfo* info) {
  const storage::Series& s = inner_->At();
  const bool aggregated = storage::HasAggregateChunks(s, mint, maxt);
  auto decode = [&](const storage::Series& part, std::vector<int64_t>* out_ts, std::vector<double>* out_vs) {
    return aggregated ? storage::DecodeSeriesAs(part, read, mint, maxt, out_ts, out_vs, info)
                      : storage::DecodeSeries(part, mint, maxt, out_ts, out_vs);
  };
  // Sources first (each store's or replica's partition), then chains of non-overlapping
  // chunks within a source (a store that merged replicas itself, as Thanos's overlap split).
  std::map<uint32_t, std::vector<storage::Chunk>> by_source;
  for (const auto& c : s.chunks) by_source[c.source].push_back(c);
  std::vector<std::vector<storage::Chunk>> chains;
  for (auto& [source, chunks] : by_source) {
    for (auto& chain : SplitOverlapping(chunks)) chains.push_back(std::move(chain));
  }
  if (chains.size() <= 1) return decode(s, ts, vs);
  std::vector<ReplicaSamples> replicas(chains.size());
  storage::Series chain_series;
  chain_series.labels = s.labels;
  for (size_t i = 0; i < chains.size(); ++i) {
    chain_series.chunks = std::move(chains[i]);
    if (Status st = decode(chain_series, &replicas[i].ts, &replicas[i].vs); !st.ok()) return st;
  }
  // Read from downsampled chunks, only the counter aggregate is a counter; raw replicas are
  // counters when the function reading them says so.
  const bool counter = aggregated ? read == storage::AggregateRead::kCounter : counter_;
  if (merge_ == DedupFunc::kChain && !aggregated) {
    ChainDedup(replicas, ts, vs);
    return Status::Ok();
  }
  if (!aggregated || read != storage::AggregateRead::kWindowAverage) {
    GapFreeDedup(replicas, counter, ts, vs);
    return Status::Ok();
  }
  // Held windows end with a staleness marker where a replica has no next window. Merged as
  // samples, a marker would win a tie against the other replica's window at the same time;
  // instead the merged series ends there only when no replica continues right there.
  std::vector<int64_t> ends;
  for (auto& r : replicas) {
    size_t w = 0;
    for (size_t i = 0; i < r.ts.size(); ++i) {
      if (IsStaleNaN(r.vs[i])) {
        ends.push_back(r.ts[i]);
        continue;
      }
      r.ts[w] = r.ts[i];
      r.vs[w] = r.vs[i];
      ++w;
    }
    r.ts.resize(w);
    r.vs.resize(w);
  }
  std::vector<int64_t> merged_ts;
  std::vector<double> merged_vs;
  GapFreeDedup(replicas, false, &merged_ts, &merged_vs);
  std::sort(ends.begin(), ends.end());
  ends.erase(std::unique(ends.begin(), ends.end()), ends.end());
  size_t e = 0;
  auto add_ends_before = [&](int64_t t) {
    for (; e < ends.size() && ends[e] <= t; ++e) {
      if (ends[e] == t) continue;  // a replica goes on right where another one ended
      ts->push_back(ends[e]);
      vs->push_back(StaleNaN());
    }
  };
  for (size_t i = 0; i < merged_ts.size(); ++i) {
    add_ends_before(merged_ts[i]);
    ts->push_back(merged_ts[i]);
    vs->push_back(merged_vs[i]);
  }
  add_ends_before(std::numeric_limits<int64_t>::max());
  return Status::Ok();
}

}  // namespace meridian::query
