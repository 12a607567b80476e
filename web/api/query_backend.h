#pragma once
// The seam between the HTTP API and whatever answers its reads. The querier plugs in its
// StoreAPI fan-out; tests and single-process tools plug in a storage::Queryable directly
// (StaticQueryableBackend). The API never sees stores, only a Queryable per request.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/labels.h"
#include "model/matcher.h"
#include "storage/storage.h"

namespace meridian::web {

// Everything a request says about how to read, after parsing and defaulting. Thanos's
// querier parameters (dedup, partial_response, replicaLabels[], storeMatch[],
// max_source_resolution) live here so the backend can apply them per request.
struct QueryRequestOptions {
  bool dedup = true;
  bool partial_response = true;
  // Empty: the backend's configured replica labels.
  std::vector<std::string> replica_labels;
  // Resolved resolution in ms: 0 = raw data only. `auto` has already been turned into a
  // number (step/5 for range queries) by the API.
  int64_t max_source_resolution_ms = 0;
  // `auto` (the parameter, or --query.auto-downsampling without it): the engine picks each
  // selector's resolution up to max_source_resolution_ms, and coarser data fills time that
  // has no finer data (promql/engine/resolution.h).
  bool auto_resolution = false;
  // storeMatch[]: each entry one parsed series selector; a store is used when any set matches.
  std::vector<Matchers> store_matchers;
  std::optional<int64_t> lookback_delta_ms;
  // Time left for the whole request; zero means no limit.
  std::chrono::milliseconds timeout{0};
};

// One endpoint as /api/v1/stores shows it (Thanos's query.EndpointStatus).
struct StoreStatus {
  std::string name;
  std::string component_type;  // "store", "sidecar", "query", "rule", "receive"...
  std::chrono::system_clock::time_point last_check;
  std::string last_error;  // empty: null in JSON
  std::vector<Labels> label_sets;
  int64_t min_time = 0;
  int64_t max_time = 0;
};

// What /api/v1/status/buildinfo reports (Prometheus's PrometheusVersion fields).
struct BuildInfo {
  std::string version;
  std::string revision;
  std::string branch;
  std::string build_user;
  std::string build_date;
  std::string go_version;  // the toolchain; kept under Prometheus's field name for clients
};

class QueryBackend {
 public:
  virtual ~QueryBackend() = default;
  // A Queryable for one request, configured by its options. Returning null is an internal
  // error reported to the client.
  virtual std::shared_ptr<storage::Queryable> Queryable(const QueryRequestOptions& opts) = 0;
  virtual std::vector<StoreStatus> Stores() { return {}; }
  // /-/ready answers 200 only while this is true (e.g. after the first store discovery).
  virtual bool Ready() { return true; }
};

// A backend over one fixed Queryable (an in-memory store, a local TSDB). The Thanos
// parameters have nothing to act on and are accepted as no-ops, as a Prometheus would.
class StaticQueryableBackend : public QueryBackend {
 public:
  explicit StaticQueryableBackend(std::shared_ptr<storage::Queryable> queryable)
      : queryable_(std::move(queryable)) {}
  std::shared_ptr<storage::Queryable> Queryable(const QueryRequestOptions&) override {
    return queryable_;
  }

 private:
  std::shared_ptr<storage::Queryable> queryable_;
};

}  // namespace meridian::web
