#pragma once
// The stores a querier knows: addresses from --endpoint and --endpoint.sd-config-file (reread
// when it changes) plus in-process stores. Each is asked for its Info every refresh; one that
// stops answering is left out of queries until it answers again (Thanos's EndpointSet).

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "model/status.h"
#include "query/store_selection.h"
#include "storeapi/store.h"

namespace meridian::query {

struct EndpointSpec {
  std::string address;
  // A strict endpoint is always queried, even while its Info calls fail (Thanos semantics).
  bool strict = false;
};

// Thanos's endpoint config: `endpoints: [{address: host:port, strict: bool, group: bool}]`.
StatusOr<std::vector<EndpointSpec>> ParseEndpointConfig(const std::string& yaml);

struct EndpointSetOptions {
  std::vector<std::string> static_addresses;  // --endpoint
  std::string sd_config_file;                 // --endpoint.sd-config-file
  std::string sd_config;                      // --endpoint.sd-config (inline YAML)
  std::chrono::milliseconds refresh_interval{5000};
  std::chrono::milliseconds info_timeout{5000};
  // This querier's instance id: Info calls carry it, so an endpoint that is this querier (or
  // forwards back to it) refuses and is reported unhealthy instead of being queried.
  std::string self_instance_id;
  // Makes the client for an address (RemoteStore over gRPC by default).
  std::function<std::shared_ptr<storeapi::Store>(const std::string&)> dial;
};

// What /api/v1/stores shows for one endpoint.
struct EndpointStatus {
  std::string name;
  std::string component_type;
  bool healthy = false;
  std::chrono::system_clock::time_point last_check;
  std::string last_error;
  std::vector<Labels> label_sets;
  int64_t min_time = 0;
  int64_t max_time = 0;
};

class EndpointSet {
 public:
  explicit EndpointSet(EndpointSetOptions opts);
  ~EndpointSet();

  // An in-process store (the querier's embedded bucket store): polled like the others, but
  // without gRPC in between.
  void AddLocal(std::shared_ptr<storeapi::Store> store);

  // One refresh round: reread the SD config if it changed, call Info on every endpoint.
  // Returns the config error, if any (the last good config stays in force).
  Status Refresh();
  // Refreshes now and then every refresh_interval on a background thread until destroyed.
  void Start();

  // The endpoints to query now.
  std::vector<StoreEndpoint> Healthy() const;
  std::vector<EndpointStatus> Statuses() const;

 private:
  struct Entry {
    std::shared_ptr<storeapi::Store> store;
    bool strict = false;
    bool local = false;
    std::optional<StoreEndpoint> info;  // last successful Info
    EndpointStatus status;
  };

  Status ReloadConfig();
  void ApplySpecs(const std::vector<EndpointSpec>& specs);

  EndpointSetOptions opts_;
  mutable std::mutex mu_;
  std::map<std::string, Entry> entries_;  // by name
  std::optional<std::filesystem::file_time_type> sd_mtime_;  // of the file last applied
  bool inline_applied_ = false;

  std::mutex loop_mu_;
  std::condition_variable loop_cv_;
  bool stop_ = false;
  std::thread loop_;
};

}  // namespace meridian::query
