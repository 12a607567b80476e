#include "cmd/meridian/flags.h"

#include <iostream>

#include "model/duration.h"

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
