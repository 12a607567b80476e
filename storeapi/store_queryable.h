#pragma once
// Reads a StoreAPI Store through the engine's storage::Queryable interface: the engine's
// selections become SeriesRequests (with the engine's hints in query_hints) and the streamed
// responses become a SeriesSet, one series at a time.

#include <memory>

#include "storage/storage.h"
#include "storeapi/store.h"

namespace meridian::storeapi {

struct StoreQueryableOptions {
  // ABORT turns a store's failure into an error; WARN lets the store report warnings instead.
  thanos::PartialResponseStrategy partial_response = thanos::ABORT;
  std::vector<std::string> without_replica_labels;
  std::chrono::milliseconds timeout{0};  // 0: none
};

class StoreQueryable : public storage::Queryable {
 public:
  StoreQueryable(std::shared_ptr<Store> store, StoreQueryableOptions opts);
  std::unique_ptr<storage::Querier> NewQuerier(int64_t mint, int64_t maxt) override;

 private:
  std::shared_ptr<Store> store_;
  StoreQueryableOptions opts_;
};

}  // namespace meridian::storeapi
