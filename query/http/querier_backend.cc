#include "query/http/querier_backend.h"

namespace meridian::query {

std::shared_ptr<storage::Queryable> QuerierBackend::Queryable(const web::QueryRequestOptions& opts) {
  QuerierOptions q;
  q.deduplicate = opts.dedup;
  q.partial_response = opts.partial_response;
  q.replica_labels = opts.replica_labels;
  q.store_matchers = opts.store_matchers;
  return service_->Queryable(std::move(q));
}

std::vector<web::StoreStatus> QuerierBackend::Stores() {
  std::vector<web::StoreStatus> out;
  for (const auto& s : service_->Stores()) {
    web::StoreStatus w;
    w.name = s.name;
    w.component_type = s.component_type;
    w.last_check = s.last_check;
    w.last_error = s.last_error;
    w.label_sets = s.label_sets;
    w.min_time = s.min_time;
    w.max_time = s.max_time;
    out.push_back(std::move(w));
  }
  return out;
}

}  // namespace meridian::query
