#pragma once
// Deduplication of HA replicas with Thanos's "penalty" algorithm (pkg/dedup/iter.go), over
// decoded samples. Replicas are merged pairwise: after the last emitted timestamp lastT,
// each side is advanced to lastT + 1 + its penalty; the earlier sample wins (ties: the first
// replica); the side not chosen gets a penalty of twice the step just taken (5000 ms before
// any sample), the chosen side none. The merge so sticks to one replica and only switches
// across a gap. For counters, a switch to a replica whose value is lower than the last one
// emitted raises that replica by the difference, so no false counter reset appears.

#include <cstdint>
#include <string>
#include <vector>

namespace meridian::query {

struct ReplicaSamples {
  std::vector<int64_t> ts;
  std::vector<double> vs;
};

// True for the functions Thanos treats as reading counters (rate, irate, increase, resets).
bool IsCounterFunction(const std::string& func);

// Appends the deduplicated samples of `replicas` (each sorted by time) to *ts / *vs.
void PenaltyDedup(const std::vector<ReplicaSamples>& replicas, bool counter, std::vector<int64_t>* ts,
                  std::vector<double>* vs);

}  // namespace meridian::query
