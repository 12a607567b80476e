#pragma once
// Serves a storage::Queryable as a StoreAPI Store: the building block for stores whose data
// is already behind the engine's read interface (an in-memory store in tests, a block
// querier), following the rules every StoreAPI server keeps (CONTRACTS.md section 2):
// sorted series, external labels attached and winning, matchers on external labels checked
// against them, skip_chunks, without_replica_labels, limit.

#include <memory>
#include <string>

#include "model/labels.h"
#include "storage/storage.h"
#include "storeapi/store.h"

namespace meridian::storeapi {

struct QueryableStoreOptions {
  std::string name = "queryable";
  std::string component_type = "store";  // as advertised in Info
  Labels external_labels;
  int64_t min_time = std::numeric_limits<int64_t>::min();
  int64_t max_time = std::numeric_limits<int64_t>::max();
};

class QueryableStore : public Store {
 public:
  QueryableStore(std::shared_ptr<storage::Queryable> db, QueryableStoreOptions opts);

  std::string Name() const override { return opts_.name; }
  StatusOr<thanos::info::InfoResponse> Info(const CallContext& ctx) override;
  std::unique_ptr<SeriesStream> Series(const thanos::SeriesRequest& req, const CallContext& ctx) override;
  std::unique_ptr<storage::SeriesSet> Select(const SelectRequest& req, const CallContext& ctx) override;
  StatusOr<thanos::LabelNamesResponse> LabelNames(const thanos::LabelNamesRequest& req,
                                                  const CallContext& ctx) override;
  StatusOr<thanos::LabelValuesResponse> LabelValues(const thanos::LabelValuesRequest& req,
                                                    const CallContext& ctx) override;

 private:
  std::shared_ptr<storage::Queryable> db_;
  QueryableStoreOptions opts_;
};

// Splits matchers into those the external labels decide and the rest. Returns false when a
// matcher on an external label rejects the external value: the store holds nothing that
// matches. Matchers on names the external labels do not carry go to *inner.
bool MatchExternalLabels(const Labels& external, const Matchers& matchers, Matchers* inner);

}  // namespace meridian::storeapi
