#pragma once
// The querier's deduplication of HA replicas, raw scrapes and downsampled windows alike.
// Thanos's penalty algorithm (penalty_dedup.h) waits out a penalty window after a switch: raw
// data gets a hole where the replica being read stops (thanos#7656, #7364), and at 5m or 1h
// windows it throws away 10 minutes or 2 hours.
//
// Here the merge keeps to one replica and fills its holes from the others: a hole is a step
// longer than one and a half of the replica's own next step (a missing window, or missed
// scrapes; the next step, as the one before may cross from windows to raw scrapes), and it is filled with the other replicas' samples that lie inside it, at least half
// a step away from its edges so that the same window or scrape slot is never taken twice.
// Windows of replicas sit at the same stamps; raw scrapes of replicas at different phases. When
// the replica in use ends, the merge goes on with the one whose next sample comes first.
// For counters, samples of another replica are shifted so the counter goes on where it was: by
// the difference of the two at the window last emitted when the other has it too (windows
// share stamps), else (as Thanos) only upwards, by what it lacks to the last value: raw
// scrapes at other phases cannot tell a replica's offset from the increase between phases.

#include <cstdint>
#include <vector>

#include "query/dedup/penalty_dedup.h"

namespace meridian::query {

// Appends the deduplicated samples of `replicas` (each sorted by time) to *ts / *vs.
void GapFreeDedup(const std::vector<ReplicaSamples>& replicas, bool counter, std::vector<int64_t>* ts,
                 std::vector<double>* vs);

}  // namespace meridian::query
