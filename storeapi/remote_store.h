#pragma once
// A Store reached over gRPC: a Thanos sidecar, store-gateway, querier or another Meridian.

#include <memory>
#include <string>

#include "storeapi/store.h"
#include "storeapi/wire_adapters.h"

namespace grpc {
class Channel;
}

namespace meridian::storeapi {

class RemoteStore : public Store {
 public:
  // Connects lazily: an endpoint that is down fails its calls, not the constructor.
  explicit RemoteStore(std::string address);
  ~RemoteStore() override;

  std::string Name() const override { return address_; }
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
  class Stubs;
  std::string address_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<Stubs> stubs_;
};

}  // namespace meridian::storeapi
