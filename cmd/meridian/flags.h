#pragma once
// Flag groups shared by several subcommands, spelled as Thanos spells them.

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "model/status.h"
#include "tsdb/block_meta.h"

namespace meridian::cli {

struct LogFlags {
  std::string level = "info";
  std::string format = "logfmt";
};

struct ObjstoreFlags {
  std::string config_file;  // --objstore.config-file
  std::string config;       // --objstore.config (inline YAML, wins over the file)
};

// --selector.relabel-config(-file): which blocks a sharded compactor or store-gateway takes.
struct SelectorFlags {
  std::string relabel_config;       // inline YAML, wins over the file
  std::string relabel_config_file;
};

struct ServerFlags {
  std::string http_address = "0.0.0.0:10902";
  std::string grpc_address = "0.0.0.0:10901";
  std::string http_grace_period = "2m";
  std::string grpc_grace_period = "2m";
};

// The longer of the two grace periods: how long a server may take to stop after a signal
// before it exits anyway. Errors name the bad flag.
StatusOr<std::chrono::milliseconds> ShutdownGrace(const ServerFlags& f);

void AddLogFlags(CLI::App& cmd, LogFlags& f);
void AddObjstoreFlags(CLI::App& cmd, ObjstoreFlags& f);
void AddServerFlags(CLI::App& cmd, ServerFlags& f);
void AddSelectorFlags(CLI::App& cmd, SelectorFlags& f);

// The block filter the selector flags describe: the block's external labels (without
// `drop_labels`) plus __block_id, kept when they survive the relabel steps. An empty
// function when no relabel config was given.
StatusOr<std::function<bool(const tsdb::BlockMeta&)>> BlockSelector(const SelectorFlags& f,
                                                                   const std::vector<std::string>& drop_labels = {});

// Validates a duration flag value ("5m", "1h30m") the way Prometheus's model.ParseDuration does.
CLI::Validator DurationValidator();

// For commands whose implementation has not landed yet: says so on stderr and returns the exit
// code (non-zero), so scripts never mistake it for a working service.
int NotImplementedYet(const std::string& command, const std::string& tracking);

}  // namespace meridian::cli
