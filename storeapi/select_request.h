#pragma once
// A Series request in the process's own types. Inside one process every store is asked with
// this and answers with a storage::SeriesSet (labels, shared chunk bytes); the StoreAPI wire
// messages exist only at the gRPC server and client (wire_adapters.h). Matchers are compiled
// once, where the request enters the process, instead of at every hop.

#include <bitset>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/matcher.h"
#include "storage/select_hints.h"

namespace meridian::storeapi {

// The aggregates a Series request asks for (SeriesRequest.aggregates), one bit per aggregate
// in count/sum/min/max/counter order (bit i is thanos::Aggr value i + 1). RAW names none.
using AggregateSet = std::bitset<5>;
inline constexpr AggregateSet kAllAggregates{0x1f};

struct SelectRequest {
  int64_t min_time = 0;  // ms, inclusive
  int64_t max_time = 0;
  Matchers matchers;
  // Resolution (max_resolution_ms / fill_resolution_ms), the aggregate to read, labels_only
  // (skip_chunks) and the query hints a remote store may use.
  storage::SelectHints hints;
  // The downsampled sub-chunks a caller on the wire asked for; absent for callers in this
  // process, whose wanted aggregates follow from hints.aggregate.
  std::optional<AggregateSet> aggregates;
  std::vector<std::string> without_replica_labels;
  int64_t limit = 0;  // series; 0: no limit
  // Partial response off (ABORT): a failing store fails the whole request.
  bool abort_on_store_error = false;
};

}  // namespace meridian::storeapi
