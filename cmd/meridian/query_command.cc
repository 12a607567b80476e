// `meridian query`: the querier (Thanos Query): PromQL over every StoreAPI endpoint it knows,
// served on the Prometheus HTTP API, and its own fan-out served as a StoreAPI for stacking.

#include <limits>
#include <memory>
#include <thread>

#include <spdlog/spdlog.h>

#include "cmd/meridian/commands.h"
#include "cmd/meridian/embedded_store.h"
#include "cmd/meridian/flags.h"
#include "cmd/meridian/version.h"
#include "common/logging.h"
#include "common/metrics.h"
#include "common/process.h"
#include "model/duration.h"
#include "query/http/querier_backend.h"
#include "query/querier_service.h"
#include "query/served_store_metrics.h"
#include "storeapi/grpc_server.h"
#include "web/api/api.h"
#include "web/http_server.h"

namespace meridian::cli {

namespace {
struct QueryFlags {
  LogFlags log;
  ServerFlags server;
  ObjstoreFlags objstore;
  std::string data_dir = "./data";
  std::vector<std::string> endpoints;
  std::string endpoint_sd_config_file;
  std::string endpoint_sd_config;
  std::vector<std::string> replica_labels;
  std::string dedup_func = "penalty";
  bool partial_response = true;
  std::string timeout = "2m";
  int max_concurrent = 20;
  int64_t max_samples = 50000000;
  // Workers one query may use (Meridian's own flag; Thanos's engine has none): the cores.
  int max_parallelism = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::string lookback_delta = "5m";
  std::string store_response_timeout = "0ms";
  int64_t store_limits_request_series = 0;
  bool enable_experimental_functions = false;
  bool auto_downsampling = true;
  std::string instant_default_max_source_resolution = "0s";
};

int RunQuery(const QueryFlags& f) {
  BlockShutdownSignals();
  if (Status s = SetupLogging(f.log.level, f.log.format); !s.ok()) {
    std::fprintf(stderr, "%s\n", s.message().c_str());
    return 2;
  }
  auto grace = ShutdownGrace(f.server);
  if (!grace.ok()) {
    spdlog::error("{}", grace.status().message());
    return 2;
  }
  auto http_addr = SplitHostPort(f.server.http_address);
  auto grpc_addr = SplitHostPort(f.server.grpc_address);
  if (!http_addr.ok() || !grpc_addr.ok()) {
    spdlog::error("{}", (!http_addr.ok() ? http_addr.status() : grpc_addr.status()).message());
    return 2;
  }

  auto dedup_func = query::ParseDedupFunc(f.dedup_func);
  if (!dedup_func) {
    spdlog::error("--deduplication.func must be \"penalty\" or \"chain\", got \"{}\"", f.dedup_func);
    return 2;
  }
  query::QuerierServiceOptions qo;
  qo.dedup_func = *dedup_func;
  qo.endpoints.static_addresses = f.endpoints;
  qo.endpoints.sd_config_file = f.endpoint_sd_config_file;
  qo.endpoints.sd_config = f.endpoint_sd_config;
  qo.replica_labels = f.replica_labels;
  qo.store_response_timeout = std::chrono::milliseconds(*ParseDurationMs(f.store_response_timeout));
  qo.series_limit = f.store_limits_request_series;
  auto service = std::make_shared<query::QuerierService>(qo);

  // With a bucket configured, the querier serves it in-process through the store-gateway's
  // code, without gRPC in between.
  std::shared_ptr<EmbeddedStore> embedded;
  if (!f.objstore.config_file.empty() || !f.objstore.config.empty()) {
    auto e = StartEmbeddedStore(f.objstore.config_file, f.objstore.config, f.data_dir);
    if (!e.ok()) {
      spdlog::error("embedded store: {}", e.status().message());
      return 1;
    }
    embedded = std::move(*e);
    service->AddLocalStore(embedded->store());
  }
  service->Start();

  auto grpc = storeapi::GrpcServer::Start(f.server.grpc_address, query::CountServedCalls(service->proxy()));
  if (!grpc.ok()) {
    spdlog::error("{}", grpc.status().message());
    return 1;
  }

  web::ApiOptions api_opts;
  api_opts.engine.lookback_delta_ms = *ParseDurationMs(f.lookback_delta);
  api_opts.engine.max_samples = f.max_samples;
  api_opts.engine.max_parallelism = f.max_parallelism;
  api_opts.engine.timeout_ms = *ParseDurationMs(f.timeout);
  api_opts.query_timeout = std::chrono::milliseconds(api_opts.engine.timeout_ms);
  api_opts.max_concurrent_queries = f.max_concurrent;
  api_opts.default_partial_response = f.partial_response;
  api_opts.auto_downsampling = f.auto_downsampling;
  api_opts.default_instant_max_source_resolution_ms = *ParseDurationMs(f.instant_default_max_source_resolution);
  if (f.enable_experimental_functions) api_opts.parse = promql::ParseOptions::AllEnabled();
  api_opts.flags = {
      {"http-address", f.server.http_address},
      {"grpc-address", f.server.grpc_address},
      {"query.timeout", f.timeout},
      {"query.max-concurrent", std::to_string(f.max_concurrent)},
      {"query.max-samples", std::to_string(f.max_samples)},
      {"query.max-parallelism", std::to_string(f.max_parallelism)},
      {"query.lookback-delta", f.lookback_delta},
      {"deduplication.func", f.dedup_func},
      {"query.partial-response", f.partial_response ? "true" : "false"},
      {"store.response-timeout", f.store_response_timeout},
      {"store.limits.request-series", std::to_string(f.store_limits_request_series)},
      {"query.auto-downsampling", f.auto_downsampling ? "true" : "false"},
      {"query.instant.default.max_source_resolution", f.instant_default_max_source_resolution},
  };
  api_opts.build_info.version = Version();
  api_opts.build_info.revision = GitRevision();
  api_opts.build_info.branch = "main";
  api_opts.build_info.go_version = "c++20";

  auto api = std::make_shared<web::Api>(std::make_shared<query::QuerierBackend>(service), api_opts);
  web::HttpServerOptions ho;
  ho.host = http_addr->host;
  ho.port = http_addr->port;
  web::HttpServer http(ho);
  api->Register(&http);
  http.Handle("GET", "/metrics", [](const web::Request&, web::Response* r) {
    r->content_type = kMetricsContentType;
    r->body = RenderMetrics();
  });
  if (Status s = http.Start(); !s.ok()) {
    spdlog::error("{}", s.message());
    return 1;
  }
  const std::string host = http_addr->host == "0.0.0.0" ? "127.0.0.1" : http_addr->host;
  spdlog::info("querier ready: http://{}:{}/ (Prometheus API under /api/v1), StoreAPI on {}, {} endpoint(s)",
               host, http.port(), f.server.grpc_address, f.endpoints.size());

  std::string sig = WaitForShutdownSignal();
  spdlog::info("received {}, stopping", sig);
  ExitIfStillRunningAfter(*grace);
  http.Stop();
  (*grpc)->Shutdown();
  return 0;
}
}  // namespace

void AddQueryCommand(CLI::App& app, int* exit_code) {
  auto f = std::make_shared<QueryFlags>();
  CLI::App* cmd = app.add_subcommand(
      "query", "Query node exposing the Prometheus HTTP API over StoreAPI endpoints.");
  AddLogFlags(*cmd, f->log);
  AddServerFlags(*cmd, f->server);
  AddObjstoreFlags(*cmd, f->objstore);
  cmd->add_option("--data-dir", f->data_dir, "Local directory for the embedded store's index headers.")
      ->capture_default_str();
  cmd->add_option("--endpoint", f->endpoints, "Address of a StoreAPI/Info server (repeatable).");
  cmd->add_option("--endpoint.sd-config-file", f->endpoint_sd_config_file,
                  "YAML file listing endpoint addresses; reloaded when it changes.");
  cmd->add_option("--endpoint.sd-config", f->endpoint_sd_config,
                  "Alternative to --endpoint.sd-config-file: the YAML content itself.");
  cmd->add_option("--deduplication.func", f->dedup_func,
                  "Experimental. Deduplication algorithm for merging overlapping series: \"penalty\" (HA replicas "
                  "of Prometheus; merged without Thanos's penalty holes) or \"chain\" (a 1:1 merge, for replicas "
                  "written by receivers).")
      ->capture_default_str();
  cmd->add_option("--query.replica-label", f->replica_labels,
                  "Label that identifies HA replicas for deduplication (repeatable).");
  cmd->add_flag("--query.partial-response,!--no-query.partial-response", f->partial_response,
                "Answer with warnings when some stores fail.")
      ->capture_default_str();
  cmd->add_option("--query.timeout", f->timeout, "Maximum time to process a query.")
      ->capture_default_str()
      ->check(DurationValidator());
  cmd->add_option("--query.max-concurrent", f->max_concurrent, "Maximum concurrently executed queries.")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--query.max-samples", f->max_samples,
                  "Maximum samples a single query may load into memory at once.")
      ->capture_default_str();
  cmd->add_option("--query.max-parallelism", f->max_parallelism,
                  "Cores one query may use for series it can compute independently (a process-wide pool "
                  "shared by all queries).")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--query.lookback-delta", f->lookback_delta,
                  "How far back to look for a sample of an instant-vector selector.")
      ->capture_default_str()
      ->check(DurationValidator());
  cmd->add_option("--store.response-timeout", f->store_response_timeout,
                  "Time after which a store that has not answered is dropped (0ms: no limit).")
      ->capture_default_str()
      ->check(DurationValidator());
  // Thanos's help text: the limit applies to each Series request the querier's fan-out serves
  // (one per selector of a query, and each call of a querier stacked above).
  cmd->add_option("--store.limits.request-series", f->store_limits_request_series,
                  "The maximum series allowed for a single Series request. The Series call fails if this "
                  "limit is exceeded. 0 means no limit.")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{0}, std::numeric_limits<int64_t>::max()));
  // Thanos's flag, on by default here: long ranges read downsampled data where it answers the
  // query, and data that exists only downsampled is not invisible.
  cmd->add_flag("--query.auto-downsampling,!--no-query.auto-downsampling", f->auto_downsampling,
                "Pick the resolution of downsampled data per query when max_source_resolution is not given "
                "(as if it were 'auto').")
      ->capture_default_str();
  cmd->add_option("--query.instant.default.max_source_resolution", f->instant_default_max_source_resolution,
                  "The resolution instant queries prefer under auto downsampling; coarser data still fills "
                  "time without raw data.")
      ->capture_default_str()
      ->check(DurationValidator());
  cmd->add_flag("--query.enable-experimental-functions", f->enable_experimental_functions,
                "Enable PromQL's experimental functions and syntax (as Prometheus's feature flags).");
  cmd->callback([f, exit_code] { *exit_code = RunQuery(*f); });
}

}  // namespace meridian::cli
