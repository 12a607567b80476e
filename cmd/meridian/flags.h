#pragma once
// Flag groups shared by several subcommands, spelled as Thanos spells them.

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace meridian::cli {

struct LogFlags {
  std::string level = "info";
  std::string format = "logfmt";
};

struct ObjstoreFlags {
  std::string config_file;  // --objstore.config-file
  std::string config;       // --objstore.config (inline YAML, wins over the file)
};

struct ServerFlags {
  std::string http_address = "0.0.0.0:10902";
  std::string grpc_address = "0.0.0.0:10901";
};

void AddLogFlags(CLI::App& cmd, LogFlags& f);
void AddObjstoreFlags(CLI::App& cmd, ObjstoreFlags& f);
void AddServerFlags(CLI::App& cmd, ServerFlags& f);

// Validates a duration flag value ("5m", "1h30m") the way Prometheus's model.ParseDuration does.
CLI::Validator DurationValidator();

// For commands whose implementation has not landed yet: says so on stderr and returns the exit
// code (non-zero), so scripts never mistake it for a working service.
int NotImplementedYet(const std::string& command, const std::string& tracking);

}  // namespace meridian::cli
