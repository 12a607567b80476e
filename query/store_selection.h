#pragma once
// Which stores can hold data for a request (Thanos's proxy `storeMatches`): a store is asked
// only when its time range overlaps the request's and one of its external label sets is
// compatible with the matchers. A matcher on a label a set does not carry passes.

#include <cstdint>
#include <memory>
#include <vector>

#include "model/labels.h"
#include "model/matcher.h"
#include "storeapi/store.h"

namespace meridian::query {

// A store and what its last Info call said about it.
struct StoreEndpoint {
  std::shared_ptr<storeapi::Store> store;
  std::vector<Labels> label_sets;
  int64_t min_time = std::numeric_limits<int64_t>::min();
  int64_t max_time = std::numeric_limits<int64_t>::max();
  bool supports_without_replica_labels = false;
};

bool LabelSetsMatch(const std::vector<Labels>& label_sets, const Matchers& matchers);
bool StoreMatches(const StoreEndpoint& store, int64_t mint, int64_t maxt, const Matchers& matchers);

}  // namespace meridian::query
