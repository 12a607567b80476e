#pragma once
// What every long-running subcommand needs from the process: listen addresses in Thanos's
// host:port form, and a clean stop on SIGINT/SIGTERM.

#include <chrono>
#include <string>
#include <utility>

#include "model/status.h"

namespace meridian {

struct HostPort {
  std::string host;  // "0.0.0.0" when the address left it out (":10902")
  int port = 0;
};

// "host:port", ":port" or "[v6]:port".
StatusOr<HostPort> SplitHostPort(const std::string& address);

// Blocks SIGINT and SIGTERM in the calling thread and every thread it starts afterwards; call
// first thing in a server command, then WaitForShutdownSignal() once everything runs.
void BlockShutdownSignals();
// Returns the name of the signal that asked the process to stop.
std::string WaitForShutdownSignal();

// After a shutdown signal: ends the process (status 0, logged) if it is still running `grace`
// later, whatever it is waiting for (queries in flight, a frozen store, a stuck bucket read),
// as Thanos's --http-grace-period and --grpc-grace-period bound its servers' shutdown.
void ExitIfStillRunningAfter(std::chrono::milliseconds grace);

}  // namespace meridian
