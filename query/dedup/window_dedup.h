#pragma once
// Deduplication of HA replicas read from downsampled data (and the raw data that follows it
// in the same series, the newest hours not yet downsampled). The penalty algorithm
// (penalty_dedup.h) is made for raw scrapes only: after a switch it skips the next two samples
// of the replica it moves to, which at 5m or 1h windows throws away 10 minutes or 2 hours.
//
// Here the merge keeps to one replica and fills its holes from the others: a hole is a step
// longer than one and a half of the replica's own last step (a missing window, or missed
// scrapes), and it is filled with the other replicas' samples that lie inside it, at least half
// a step away from its edges so that the same window or scrape slot is never taken twice.
// Windows of replicas sit at the same stamps; raw scrapes of replicas at different phases. When
// the replica in use ends, the merge goes on with the one whose next sample comes first.
// For counters, samples of another replica are shifted so the counter goes on where it was: by
// the difference of the two at the slot last emitted when the other has a sample there, else
// (as Thanos) only upwards, by what it lacks to the last value.

#include <cstdint>
#include <vector>

#include "query/dedup/penalty_dedup.h"

namespace meridian::query {

// Appends the deduplicated samples of `replicas` (each sorted by time) to *ts / *vs.
void WindowDedup(const std::vector<ReplicaSamples>& replicas, bool counter, std::vector<int64_t>* ts,
                 std::vector<double>* vs);

}  // namespace meridian::query
