// `meridian query`: the querier (Thanos Query): PromQL over every StoreAPI endpoint it knows.

#include <memory>

#include "cmd/meridian/commands.h"
#include "cmd/meridian/flags.h"

namespace meridian::cli {

namespace {
struct QueryFlags {
  LogFlags log;
  ServerFlags server;
  ObjstoreFlags objstore;
  std::string data_dir = "./data";
  std::vector<std::string> endpoints;
  std::string endpoint_sd_config_file;
  std::vector<std::string> replica_labels;
  bool partial_response = true;
  std::string timeout = "2m";
  int max_concurrent = 20;
  int64_t max_samples = 50000000;
  std::string lookback_delta = "5m";
  std::string store_response_timeout = "0ms";
};
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
  cmd->add_option("--query.lookback-delta", f->lookback_delta,
                  "How far back to look for a sample of an instant-vector selector.")
      ->capture_default_str()
      ->check(DurationValidator());
  cmd->add_option("--store.response-timeout", f->store_response_timeout,
                  "Time after which a store that has not answered is dropped (0ms: no limit).")
      ->capture_default_str()
      ->check(DurationValidator());
  cmd->callback([f, exit_code] { *exit_code = NotImplementedYet("query", "issue 5: the querier"); });
}

}  // namespace meridian::cli
