#include "query/dedup/dedup_series_set.h"

#include <map>

#include "query/dedup/penalty_dedup.h"
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

DedupSeriesSet::DedupSeriesSet(std::unique_ptr<storage::SeriesSet> inner, std::string func)
    : inner_(std::move(inner)), counter_(IsCounterFunction(func)) {}

Status DedupSeriesSet::DecodeCurrent(int64_t mint, int64_t maxt, std::vector<int64_t>* ts,
                                     std::vector<double>* vs) {
  const storage::Series& s = inner_->At();
  // Sources first (each store's or replica's partition), then chains of non-overlapping
  // chunks within a source (a store that merged replicas itself, as Thanos's overlap split).
  std::map<uint32_t, std::vector<storage::Chunk>> by_source;
  for (const auto& c : s.chunks) by_source[c.source].push_back(c);
  std::vector<std::vector<storage::Chunk>> chains;
  for (auto& [source, chunks] : by_source) {
    for (auto& chain : SplitOverlapping(chunks)) chains.push_back(std::move(chain));
  }
  if (chains.size() <= 1) return storage::DecodeSeries(s, mint, maxt, ts, vs);
  std::vector<ReplicaSamples> replicas(chains.size());
  storage::Series chain_series;
  chain_series.labels = s.labels;
  for (size_t i = 0; i < chains.size(); ++i) {
    chain_series.chunks = std::move(chains[i]);
    if (Status st = storage::DecodeSeries(chain_series, mint, maxt, &replicas[i].ts, &replicas[i].vs); !st.ok()) {
      return st;
    }
  }
  PenaltyDedup(replicas, counter_, ts, vs);
  return Status::Ok();
}

}  // namespace meridian::query
