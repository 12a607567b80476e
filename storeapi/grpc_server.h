#pragma once
// Serves one Store over gRPC as thanos.Store (Series, LabelNames, LabelValues) and
// thanos.info.Info, wire compatible with Thanos queriers.

#include <memory>
#include <string>

#include "model/status.h"
#include "storeapi/store.h"

namespace grpc {
class Server;
}

namespace meridian::storeapi {

class GrpcServer {
 public:
  ~GrpcServer();

  // Listens on `address` ("host:port"; port 0 picks a free one) until Shutdown().
  static StatusOr<std::unique_ptr<GrpcServer>> Start(const std::string& address, std::shared_ptr<Store> store);

  // The port actually bound.
  int port() const { return port_; }
  // Stops accepting calls and cancels the ones in flight.
  void Shutdown();

 private:
  GrpcServer() = default;
  class Services;
  std::unique_ptr<Services> services_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

}  // namespace meridian::storeapi
