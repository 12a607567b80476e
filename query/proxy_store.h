#pragma once
// The querier's fan-out (Thanos's ProxyStore): one Store over every store endpoint. A request
// goes to the stores that can hold its data, their sorted streams are merged into one
// sorted stream (same series from several stores joined into one), and a store that fails
// or goes silent becomes a warning (partial response) or fails the request.

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "query/store_selection.h"
#include "storeapi/store.h"

namespace meridian::query {

struct ProxyStoreOptions {
  std::string name = "proxy";
  std::string component_type = "query";
  // A store that sends nothing for this long is dropped from the request (0: no limit).
  std::chrono::milliseconds response_timeout{0};
  // Responses buffered per store while the merge waits on another store.
  size_t buffer_per_store = 64;
  // --store.limits.request-series: distinct series one Series call may merge (0: no limit).
  // Exceeding it fails the call, whatever the partial-response strategy, so one selector
  // over too many series is an error and not an out-of-memory kill.
  int64_t series_limit = 0;
  // This querier's identity in CallContext::via (random when empty). A request that already
  // passed through it is refused: a loop of stacked queriers, or an endpoint list naming the
  // querier itself.
  std::string instance_id;
};

// A random id for a querier instance (16 hex digits).
std::string NewInstanceId();

class ProxyStore : public storeapi::Store {
 public:
  // Returns the endpoints to consider now (healthy ones, with their latest Info).
  using EndpointSource = std::function<std::vector<StoreEndpoint>()>;

  ProxyStore(EndpointSource endpoints, ProxyStoreOptions opts);

  std::string Name() const override { return opts_.name; }
  StatusOr<thanos::info::InfoResponse> Info(const storeapi::CallContext& ctx) override;
  std::unique_ptr<storeapi::SeriesStream> Series(const thanos::SeriesRequest& req,
                                                 const storeapi::CallContext& ctx) override;
  std::unique_ptr<storage::SeriesSet> Select(const storeapi::SelectRequest& req,
                                             const storeapi::CallContext& ctx) override;
  StatusOr<thanos::LabelNamesResponse> LabelNames(const thanos::LabelNamesRequest& req,
                                                  const storeapi::CallContext& ctx) override;
  StatusOr<thanos::LabelValuesResponse> LabelValues(const thanos::LabelValuesRequest& req,
                                                    const storeapi::CallContext& ctx) override;

 private:
  // The endpoints that may hold data for a request over [mint, maxt] with these matchers.
  std::vector<StoreEndpoint> Matching(int64_t mint, int64_t maxt, const Matchers& matchers) const;
  // The context to fan out with (this querier appended to via), or the loop error.
  StatusOr<storeapi::CallContext> Forwarded(const storeapi::CallContext& ctx) const;

  EndpointSource endpoints_;
  ProxyStoreOptions opts_;
};

inline constexpr std::string_view kNoStoresMatched = "No StoreAPIs matched for this query";

// Thanos's limiter wording (pkg/store/limiter.go), so alerts and runbooks written for Thanos
// match: "failed to send series: limit <limit> violated (got <count>)".
std::string SeriesLimitError(int64_t limit, int64_t got);

}  // namespace meridian::query
