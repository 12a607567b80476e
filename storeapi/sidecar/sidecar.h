#pragma once
// A running sidecar: the StoreAPI over gRPC in front of one Prometheus, the HTTP endpoints
// (/metrics, /-/healthy, /-/ready), the metadata refresher and, with a bucket, the shipper.
// `meridian sidecar` is this plus flags and signal handling; tests run it in-process.

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "model/status.h"
#include "storeapi/grpc_server.h"
#include "storeapi/sidecar/prometheus_client.h"
#include "storeapi/sidecar/prometheus_metadata.h"
#include "storeapi/sidecar/prometheus_store.h"
#include "storeapi/sidecar/shipper.h"

namespace httplib {
class Server;
}

namespace meridian::storeapi::sidecar {

struct SidecarOptions {
  std::string prometheus_url = "http://localhost:9090";
  std::string grpc_address = "0.0.0.0:10901";
  std::string http_address = "0.0.0.0:10902";  // "" : no HTTP endpoints
  std::string tsdb_path;                       // for uploads (and then the min time)
  std::string objstore_config;                 // bucket YAML; "" disables uploads
  std::chrono::milliseconds refresh_interval{30000};
  std::chrono::milliseconds retry_interval{2000};
  std::chrono::milliseconds ship_interval{30000};
  // Thanos's --shipper.ignore-unequal-block-size.
  bool ignore_unequal_block_size = false;
  PrometheusStoreOptions store;
};

class Sidecar {
 public:
  static StatusOr<std::unique_ptr<Sidecar>> Start(SidecarOptions opts);
  ~Sidecar();
  Sidecar(const Sidecar&) = delete;
  Sidecar& operator=(const Sidecar&) = delete;

  int grpc_port() const { return grpc_->port(); }
  int http_port() const { return http_port_; }
  std::shared_ptr<PrometheusStore> store() const { return store_; }
  PrometheusMetadata& metadata() const { return *metadata_; }
  // Null when uploads are disabled.
  Shipper* shipper() const { return shipper_.get(); }

  bool Ready() const { return metadata_->Ready(); }
  // Set when the sidecar cannot do its job and should exit (as Thanos does): Prometheus
  // without external labels, or block durations that let Prometheus compact before upload.
  std::optional<Status> Fatal() const;

  void Stop();

 private:
  Sidecar() = default;
  void SetFatal(Status s);
  void ShipLoop();

  SidecarOptions opts_;
  std::shared_ptr<PrometheusClient> client_;
  std::shared_ptr<PrometheusMetadata> metadata_;
  std::shared_ptr<PrometheusStore> store_;
  std::unique_ptr<GrpcServer> grpc_;
  std::unique_ptr<httplib::Server> http_;
  std::thread http_thread_;
  int http_port_ = 0;
  std::unique_ptr<Shipper> shipper_;
  std::thread ship_thread_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool first_reach_seen_ = false;
  std::optional<Status> fatal_;
};

}  // namespace meridian::storeapi::sidecar
