#pragma once
// What the querier's engine reads: the fan-out store seen through storage::Queryable, with
// HA deduplication applied per request (Thanos's querier.go). Replica labels are asked to be
// dropped by the stores (without_replica_labels), so replicas arrive as one series whose
// chunks DedupSeriesSet splits and merges.

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "model/matcher.h"
#include "query/dedup/dedup_series_set.h"
#include "storage/storage.h"
#include "storeapi/store.h"

namespace meridian::query {

struct QuerierOptions {
  bool deduplicate = true;
  DedupFunc dedup_func = DedupFunc::kPenalty;
  std::vector<std::string> replica_labels;
  bool partial_response = true;
  // Deadline of each whole store call (0: none). Not --store.response-timeout, which the
  // proxy applies to a store's silence between messages.
  std::chrono::milliseconds store_timeout{0};
  // storeMatch[]: only stores matching one of these selectors (against __address__ and their
  // external labels) are asked. Empty: all.
  std::vector<Matchers> store_matchers;
};

class QuerierQueryable : public storage::Queryable {
 public:
  QuerierQueryable(std::shared_ptr<storeapi::Store> proxy, QuerierOptions opts);
  std::unique_ptr<storage::Querier> NewQuerier(int64_t mint, int64_t maxt) override;

 private:
  std::shared_ptr<storeapi::Store> proxy_;
  QuerierOptions opts_;
};

}  // namespace meridian::query
