#pragma once
// Everything `meridian query` needs on the store side, assembled: the endpoint set (remote
// endpoints polled for Info, plus in-process stores), the fan-out proxy over them, and per
// request a deduplicating queryable for the engine. The HTTP API and the stacked StoreAPI
// server both read through it.

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "query/endpoint_set.h"
#include "query/instrumented_store.h"
#include "query/proxy_store.h"
#include "query/querier_queryable.h"

namespace meridian::query {

struct QuerierServiceOptions {
  EndpointSetOptions endpoints;
  std::chrono::milliseconds store_response_timeout{0};
  // --store.limits.request-series: see ProxyStoreOptions::series_limit (0: no limit).
  int64_t series_limit = 0;
  // --query.replica-label: the default when a request names none.
  std::vector<std::string> replica_labels;
  // --deduplication.func.
  DedupFunc dedup_func = DedupFunc::kPenalty;
};

class QuerierService {
 public:
  explicit QuerierService(QuerierServiceOptions opts);

  // An in-process store (the embedded bucket store); call before Start().
  void AddLocalStore(std::shared_ptr<storeapi::Store> store);
  // First Info round, then polling in the background.
  void Start();

  // The fan-out, as a Store: what the querier serves on its own gRPC address (stacking).
  std::shared_ptr<storeapi::Store> proxy() const { return proxy_; }
  // What the engine reads for one request. Empty replica_labels take the configured ones.
  std::shared_ptr<storage::Queryable> Queryable(QuerierOptions request) const;
  std::vector<EndpointStatus> Stores() const { return endpoints_->Statuses(); }
  // True once the first round of Info calls is done.
  bool Ready() const { return started_; }

 private:
  QuerierServiceOptions opts_;
  std::shared_ptr<StoreMetrics> metrics_;
  std::unique_ptr<EndpointSet> endpoints_;
  std::shared_ptr<ProxyStore> proxy_;
  std::string instance_id_;  // CallContext::via identity of this querier (loop detection)
  std::atomic<bool> started_{false};
};

// Whether a store is selected by storeMatch[] selectors: any selector all of whose matchers
// hold for the store's address (__address__) or one of its external label sets.
bool StoreSelectedBy(const StoreEndpoint& e, const std::vector<Matchers>& selectors);

}  // namespace meridian::query
