#pragma once
// The Prometheus HTTP API v1 with Thanos Query's additions, served from a QueryBackend:
//
//   auto api = std::make_shared<web::Api>(backend, opts);
//   web::HttpServer server(http_opts);
//   api->Register(&server);        // /api/v1/..., /-/healthy, /-/ready
//   server.Handle("GET", "/metrics", metrics_handler);
//   server.Start();
//
// Responses are byte-compatible with Prometheus's (envelope, field order, number formats),
// because Grafana and other clients parse them as Prometheus's.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "promql/engine/engine_options.h"
#include "promql/parser/parse.h"
#include "web/api/api_error.h"
#include "web/api/deadline_watcher.h"
#include "web/api/query_backend.h"
#include "web/api/query_gate.h"
#include "web/api/request_params.h"
#include "web/http_server.h"

namespace meridian::web {

struct ApiOptions {
  promql::engine::EngineOpts engine;
  promql::ParseOptions parse;
  // --query.max-concurrent; further queries queue (FIFO) up to max_queued_queries, then are
  // refused with 503.
  int max_concurrent_queries = 20;
  int max_queued_queries = 10000;
  // --query.timeout: the upper bound of every query, also when the request asks for more.
  // Zero: no bound beyond the request's own `timeout`.
  std::chrono::milliseconds query_timeout{120000};
  // --query.partial-response default when a request does not say.
  bool default_partial_response = true;
  // --query.auto-downsampling: without max_source_resolution, act as if it were `auto`. On by
  // default, unlike Thanos (whose default reads raw data only, DOWNSAMPLING.md section 4).
  bool auto_downsampling = true;
  // --query.default-instant-query-max-source-resolution (what `auto` means for instant queries).
  int64_t default_instant_max_source_resolution_ms = 0;
  // --query.promql-engine: the default of the `engine` parameter ("prometheus" or "thanos").
  std::string default_engine = "prometheus";
  std::map<std::string, std::string> flags;
  BuildInfo build_info;
  // Wall clock in ms, replaceable so tests can pin "now" for instant queries without `time`.
  std::function<int64_t()> now_ms;
};

class Api {
 public:
  Api(std::shared_ptr<QueryBackend> backend, ApiOptions opts);
  ~Api();

  // Mounts every endpoint under /api/v1 plus /-/healthy and /-/ready. The Api must outlive
  // the server's use of it (stop the server first).
  void Register(HttpServer* server);

  // Running and queued queries (for the querier's metrics).
  int running_queries() const { return gate_.running(); }
  int queued_queries() const { return gate_.queued(); }

 private:
  struct Outcome;
  struct ReadParams;

  Outcome Query(const Request& r);
  Outcome QueryRange(const Request& r);
  Outcome Series(const Request& r);
  Outcome LabelNames(const Request& r);
  Outcome LabelValues(const Request& r);
  Outcome Metadata(const Request& r);
  Outcome QueryExemplars(const Request& r);
  Outcome BuildInfoHandler(const Request& r);
  Outcome Flags(const Request& r);
  Outcome RuntimeInfo(const Request& r);
  Outcome FormatQuery(const Request& r);
  Outcome ParseQuery(const Request& r);
  Outcome Stores(const Request& r);

  // Thanos's per-request read options shared by the query and metadata endpoints.
  std::optional<ApiError> ParseReadOptions(const Request& r, int64_t default_resolution_ms,
                                           QueryRequestOptions* out) const;
  Outcome Evaluate(const Request& r, bool range, int64_t start_ms, int64_t end_ms, int64_t step_ms,
                   int64_t limit, QueryRequestOptions ropts);

  // The backend's queryable and a querier over the request's [start, end], for the metadata
  // endpoints. The queryable is kept because its queriers must not outlive it.
  struct MetadataReader {
    std::shared_ptr<storage::Queryable> queryable;
    std::unique_ptr<storage::Querier> querier;
  };
  std::optional<ApiError> OpenMetadataReader(const QueryRequestOptions& ropts, const MetadataParams& p,
                                             MetadataReader* out) const;
  // /labels and /label/<name>/values differ only in what they read per matcher set.
  using LabelFetch = std::function<StatusOr<std::vector<std::string>>(storage::Querier&, const Matchers&)>;
  Outcome LabelStrings(const Request& r, const LabelFetch& fetch);

  std::shared_ptr<QueryBackend> backend_;
  ApiOptions opts_;
  QueryGate gate_;
  DeadlineWatcher deadlines_;
  std::chrono::system_clock::time_point start_time_;
};

}  // namespace meridian::web
