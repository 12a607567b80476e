#include "query/querier_service.h"

#include "common/metrics.h"
#include "query/instrumented_store.h"
#include "storeapi/remote_store.h"

namespace meridian::query {

namespace {
std::shared_ptr<StoreMetrics> SharedStoreMetrics() {
  // Metric families register once per process; every service instance shares them.
  static auto metrics = std::make_shared<StoreMetrics>(MetricsRegistry());
  return metrics;
}
}  // namespace

QuerierService::QuerierService(QuerierServiceOptions opts) : opts_(std::move(opts)), metrics_(SharedStoreMetrics()) {
  EndpointSetOptions eo = opts_.endpoints;
  auto dial = eo.dial;
  auto metrics = metrics_;
  eo.dial = [dial, metrics](const std::string& address) {
    auto store = dial ? dial(address) : std::make_shared<storeapi::RemoteStore>(address);
    return Instrument(std::move(store), metrics);
  };
  instance_id_ = NewInstanceId();
  eo.self_instance_id = instance_id_;
  endpoints_ = std::make_unique<EndpointSet>(std::move(eo));
  ProxyStoreOptions po;
  po.instance_id = instance_id_;
  po.response_timeout = opts_.store_response_timeout;
  po.series_limit = opts_.series_limit;
  EndpointSet* set = endpoints_.get();
  proxy_ = std::make_shared<ProxyStore>([set] { return set->Healthy(); }, po);
}

void QuerierService::AddLocalStore(std::shared_ptr<storeapi::Store> store) {
  endpoints_->AddLocal(Instrument(std::move(store), metrics_));
}

void QuerierService::Start() {
  endpoints_->Start();
  started_ = true;
}

bool StoreSelectedBy(const StoreEndpoint& e, const std::vector<Matchers>& selectors) {
  if (selectors.empty()) return true;
  std::vector<Labels> candidates;
  for (const auto& set : e.label_sets) candidates.push_back(set.With("__address__", e.store->Name()));
  if (candidates.empty()) candidates.push_back(Labels{{"__address__", e.store->Name()}});
  for (const auto& selector : selectors) {
    for (const auto& labels : candidates) {
      bool all = true;
      for (const auto& m : selector) all = all && m->Matches(labels.Get(m->name()));
      if (all) return true;
    }
  }
  return false;
}

std::shared_ptr<storage::Queryable> QuerierService::Queryable(QuerierOptions request) const {
  if (request.replica_labels.empty()) request.replica_labels = opts_.replica_labels;
  request.dedup_func = opts_.dedup_func;
  // --store.response-timeout bounds a store's silence, not its whole answer: the proxy applies
  // it between messages, so it must not become the calls' deadline (a store streaming a large
  // answer for longer than the timeout would be cut off while it is still sending).
  if (request.store_matchers.empty()) return std::make_shared<QuerierQueryable>(proxy_, std::move(request));
  // storeMatch[]: a proxy of its own over the selected endpoints, for this request only.
  ProxyStoreOptions po;
  po.response_timeout = opts_.store_response_timeout;
  po.series_limit = opts_.series_limit;
  po.instance_id = instance_id_;
  EndpointSet* set = endpoints_.get();
  auto selectors = request.store_matchers;
  auto filtered = std::make_shared<ProxyStore>(
      [set, selectors] {
        std::vector<StoreEndpoint> out;
        for (auto& e : set->Healthy()) {
          if (StoreSelectedBy(e, selectors)) out.push_back(std::move(e));
        }
        return out;
      },
      po);
  return std::make_shared<QuerierQueryable>(std::move(filtered), std::move(request));
}

}  // namespace meridian::query
