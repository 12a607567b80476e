#include "cmd/meridian/flags.h"

#include <algorithm>
#include <fstream>
#include <iostream>
#include <sstream>

#include "model/duration.h"
#include "model/relabel.h"

namespace meridian::cli {

void AddLogFlags(CLI::App& cmd, LogFlags& f) {
  cmd.add_option("--log.level", f.level, "Log filtering level: debug, info, warn, error.")
      ->capture_default_str()
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}));
  cmd.add_option("--log.format", f.format, "Log format: logfmt or json.")
      ->capture_default_str()
      ->check(CLI::IsMember({"logfmt", "json"}));
}

void AddObjstoreFlags(CLI::App& cmd, ObjstoreFlags& f) {
  cmd.add_option("--objstore.config-file", f.config_file,
                 "Path to YAML file that contains object store configuration (Thanos format).");
  cmd.add_option("--objstore.config", f.config,
                 "Alternative to --objstore.config-file: the YAML content itself.");
}

void AddServerFlags(CLI::App& cmd, ServerFlags& f) {
  cmd.add_option("--http-address", f.http_address, "Listen host:port for HTTP endpoints.")
      ->capture_default_str();
  cmd.add_option("--grpc-address", f.grpc_address, "Listen host:port for gRPC endpoints.")
      ->capture_default_str();
  cmd.add_option("--http-grace-period", f.http_grace_period, "Time to wait after an interrupt received for HTTP Server.")
      ->capture_default_str();
  cmd.add_option("--grpc-grace-period", f.grpc_grace_period, "Time to wait after an interrupt received for GRPC Server.")
      ->capture_default_str();
}

StatusOr<std::chrono::milliseconds> ShutdownGrace(const ServerFlags& f) {
  auto http = ParseDurationMs(f.http_grace_period);
  if (!http) return BadData("invalid --http-grace-period: " + f.http_grace_period);
  auto grpc = ParseDurationMs(f.grpc_grace_period);
  if (!grpc) return BadData("invalid --grpc-grace-period: " + f.grpc_grace_period);
  return std::chrono::milliseconds(std::max(*http, *grpc));
}

void AddSelectorFlags(CLI::App& cmd, SelectorFlags& f) {
  cmd.add_option("--selector.relabel-config-file", f.relabel_config_file,
                 "Path to YAML file with relabeling configuration that allows selecting blocks to act on based on "
                 "their external labels (and __block_id). It follows the Prometheus relabel_config syntax.");
  cmd.add_option("--selector.relabel-config", f.relabel_config,
                 "Alternative to 'selector.relabel-config-file' flag (mutually exclusive). Content of YAML file with "
                 "relabeling configuration that allows selecting blocks.");
}

StatusOr<std::function<bool(const tsdb::BlockMeta&)>> BlockSelector(const SelectorFlags& f,
                                                                   const std::vector<std::string>& drop_labels) {
  std::string yaml = f.relabel_config;
  if (yaml.empty() && !f.relabel_config_file.empty()) {
    std::ifstream in(f.relabel_config_file);
    if (!in) return BadData("--selector.relabel-config-file: cannot read " + f.relabel_config_file);
    std::stringstream ss;
    ss << in.rdbuf();
    yaml = ss.str();
  }
  auto steps = ParseRelabelConfig(yaml);
  if (!steps.ok()) return steps.status().Wrap("--selector.relabel-config");
  if (steps->empty()) return std::function<bool(const tsdb::BlockMeta&)>();
  return std::function<bool(const tsdb::BlockMeta&)>([steps = *steps, drop_labels](const tsdb::BlockMeta& m) {
    Labels l = m.thanos ? m.thanos->labels.WithoutNames(drop_labels) : Labels();
    return Relabel(l.With("__block_id", m.ulid.ToString()), steps).has_value();
  });
}

CLI::Validator DurationValidator() {
  return CLI::Validator(
      [](std::string& v) -> std::string {
        if (ParseDurationMs(v)) return {};
        return "not a valid duration string: \"" + v + "\"";
      },
      "DURATION");
}

int NotImplementedYet(const std::string& command, const std::string& tracking) {
  std::cerr << "meridian " << command << ": not implemented yet (" << tracking
            << "); flags were parsed but nothing was started\n";
  return 3;
}

}  // namespace meridian::cli
