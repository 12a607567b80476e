#include "query/querier_queryable.h"

#include "query/dedup/dedup_series_set.h"
#include "storeapi/store_queryable.h"

namespace meridian::query {

namespace {

// The resolution to read is the caller's, per selection (SelectHints): the engine picks it per
// selector from the request's max_source_resolution (promql/engine/resolution.h).
class DedupQuerier : public storage::Querier {
 public:
  DedupQuerier(std::unique_ptr<storage::Querier> inner, bool dedup, DedupFunc func)
      : inner_(std::move(inner)), dedup_(dedup), func_(func) {}

  std::unique_ptr<storage::SeriesSet> Select(bool sorted, const storage::SelectHints& hints,
                                             const Matchers& matchers) override {
    auto set = inner_->Select(sorted, hints, matchers);
    if (!dedup_ || hints.labels_only) return set;
    return std::make_unique<DedupSeriesSet>(std::move(set), hints.func, func_);
  }
  StatusOr<std::vector<std::string>> LabelNames(const Matchers& m) override { return inner_->LabelNames(m); }
  StatusOr<std::vector<std::string>> LabelValues(const std::string& name, const Matchers& m) override {
    return inner_->LabelValues(name, m);
  }

 private:
  std::unique_ptr<storage::Querier> inner_;
  bool dedup_;
  DedupFunc func_;
};

}  // namespace

QuerierQueryable::QuerierQueryable(std::shared_ptr<storeapi::Store> proxy, QuerierOptions opts)
    : proxy_(std::move(proxy)), opts_(std::move(opts)) {}

std::unique_ptr<storage::Querier> QuerierQueryable::NewQuerier(int64_t mint, int64_t maxt) {
  storeapi::StoreQueryableOptions so;
  so.partial_response = opts_.partial_response ? thanos::WARN : thanos::ABORT;
  so.timeout = opts_.store_timeout;
  const bool dedup = opts_.deduplicate && !opts_.replica_labels.empty();
  if (dedup) so.without_replica_labels = opts_.replica_labels;
  storeapi::StoreQueryable stores(proxy_, so);
  return std::make_unique<DedupQuerier>(stores.NewQuerier(mint, maxt), dedup, opts_.dedup_func);
}

}  // namespace meridian::query
