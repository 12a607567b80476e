#pragma once
// --deduplication.func=chain: replicas written by receivers hold the same samples, so they are
// merged 1:1, one sample per timestamp (the first replica's where several have it), with no
// penalty and no counter adjustment.

#include <cstdint>
#include <vector>

#include "query/dedup/penalty_dedup.h"

namespace meridian::query {

// Appends the merged samples of `replicas` (each sorted by time) to *ts / *vs.
void ChainDedup(const std::vector<ReplicaSamples>& replicas, std::vector<int64_t>* ts, std::vector<double>* vs);

}  // namespace meridian::query
