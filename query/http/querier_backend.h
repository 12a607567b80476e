#pragma once
// The HTTP API's view of the querier: each request's Thanos parameters (dedup, partial
// response, replica labels, storeMatch[]) become the options of the queryable the engine
// reads, and /api/v1/stores shows the endpoint set. max_source_resolution goes to the engine,
// which picks each selector's resolution and passes it in the selection's hints.

#include <memory>

#include "query/querier_service.h"
#include "web/api/query_backend.h"

namespace meridian::query {

class QuerierBackend : public web::QueryBackend {
 public:
  explicit QuerierBackend(std::shared_ptr<QuerierService> service) : service_(std::move(service)) {}

  std::shared_ptr<storage::Queryable> Queryable(const web::QueryRequestOptions& opts) override;
  std::vector<web::StoreStatus> Stores() override;
  bool Ready() override { return service_->Ready(); }

 private:
  std::shared_ptr<QuerierService> service_;
};

}  // namespace meridian::query
