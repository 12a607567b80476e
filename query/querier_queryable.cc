#include "query/querier_queryable.h"

#include "query/dedup/dedup_series_set.h"
#include "storeapi/store_queryable.h"

namespace meridian::query {

namespace {

class DedupQuerier : public storage::Querier {
 public:
  DedupQuerier(std::unique_ptr<storage::Querier> inner, bool dedup, int64_t max_resolution_ms)
      : inner_(std::move(inner)), dedup_(dedup), max_resolution_ms_(max_resolution_ms) {}

  std::unique_ptr<storage::SeriesSet> Select(bool sorted, const storage::SelectHints& hints,
                                             const Matchers& matchers) override {
    storage::SelectHints h = hints;
    if (h.max_resolution_ms == 0) h.max_resolution_ms = max_resolution_ms_;
    auto set = inner_->Select(sorted, h, matchers);
    if (!dedup_ || hints.labels_only) return set;
    return std::make_unique<DedupSeriesSet>(std::move(set), hints.func);
  }
  StatusOr<std::vector<std::string>> LabelNames(const Matchers& m) override { return inner_->LabelNames(m); }
  StatusOr<std::vector<std::string>> LabelValues(const std::string& name, const Matchers& m) override {
    return inner_->LabelValues(name, m);
  }

 private:
  std::unique_ptr<storage::Querier> inner_;
  bool dedup_;
  int64_t max_resolution_ms_;
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
  return std::make_unique<DedupQuerier>(stores.NewQuerier(mint, maxt), dedup, opts_.max_resolution_ms);
}

}  // namespace meridian::query
