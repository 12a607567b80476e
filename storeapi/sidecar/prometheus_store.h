#pragma once
// The sidecar's StoreAPI: Thanos's PrometheusStore. Series are read from Prometheus's
// streamed remote-read endpoint and passed on chunk by chunk without decoding, with the
// external labels attached; label names and values come from Prometheus's HTTP API.
// Until Prometheus has answered (and has external labels) every call fails as unavailable,
// so a querier leaves the sidecar out instead of trusting partial answers.

#include <chrono>
#include <memory>
#include <string>

#include "storeapi/sidecar/prometheus_client.h"
#include "storeapi/sidecar/prometheus_metadata.h"
#include "storeapi/store.h"
#include "storeapi/wire_adapters.h"

namespace meridian::storeapi::sidecar {

struct PrometheusStoreOptions {
  std::string name;  // default: "sidecar for <prometheus url>"
  // Label and series API calls; remote reads follow the caller's deadline instead.
  std::chrono::milliseconds api_timeout{30000};
  // Series converted ahead of the gRPC writer: bounds memory on large responses.
  size_t queue_capacity = 64;
  // How far attaching external labels may move a series in the sorted order before the
  // stream gives up (see RemoteReadSeriesStream).
  size_t reorder_window = 256;
};

class PrometheusStore : public Store {
 public:
  PrometheusStore(std::shared_ptr<const PrometheusClient> client, std::shared_ptr<PrometheusMetadata> metadata,
                  PrometheusStoreOptions opts = {});

  std::string Name() const override { return opts_.name; }
  StatusOr<thanos::info::InfoResponse> Info(const CallContext& ctx) override;
  std::unique_ptr<SeriesStream> Series(const thanos::SeriesRequest& req, const CallContext& ctx) override;
  // Its native spelling is the wire's: converted once, here (wire_adapters.h).
  std::unique_ptr<storage::SeriesSet> Select(const SelectRequest& req, const CallContext& ctx) override {
    return SelectViaSeries(*this, req, ctx);
  }
  StatusOr<thanos::LabelNamesResponse> LabelNames(const thanos::LabelNamesRequest& req,
                                                  const CallContext& ctx) override;
  StatusOr<thanos::LabelValuesResponse> LabelValues(const thanos::LabelValuesRequest& req,
                                                    const CallContext& ctx) override;

 private:
  Status CheckReady() const;
  // A failed call to Prometheus: connection failures make the sidecar not ready at once.
  Status Observe(const Status& s) const;

  std::shared_ptr<const PrometheusClient> client_;
  std::shared_ptr<PrometheusMetadata> metadata_;
  PrometheusStoreOptions opts_;
};

}  // namespace meridian::storeapi::sidecar
