#pragma once
// The store-gateway's HTTP side: /-/healthy, /-/ready (503 until the first sync) and /metrics
// (process metrics plus the bucket store's own).

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "model/status.h"
#include "storeapi/gateway/bucket_store.h"

namespace httplib {
class Server;
}

namespace meridian::storeapi::gateway {

class StatusServer {
 public:
  // `address` is "host:port" (port 0 picks a free one).
  static StatusOr<std::unique_ptr<StatusServer>> Start(const std::string& address,
                                                       std::shared_ptr<BucketStore> store);
  ~StatusServer();
  int port() const { return port_; }

 private:
  StatusServer() = default;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

// Binds `server` to "host:port" (port 0 picks a free one; an empty host means all interfaces)
// and serves it on *thread. Returns the bound port. Shared by the small status servers of the
// store-gateway and the compactor.
StatusOr<int> ListenInBackground(httplib::Server& server, const std::string& address, std::thread* thread);

// The bucket store's metrics in the Prometheus text format, named after Thanos's where a
// counterpart exists.
std::string FormatStoreMetrics(const BucketStoreStats& s);

}  // namespace meridian::storeapi::gateway
