// `meridian sidecar`: the StoreAPI in front of a running Prometheus, plus block upload.

#include <signal.h>

#include <chrono>
#include <iostream>
#include <memory>
#include <thread>

#include "cmd/meridian/commands.h"
#include "cmd/meridian/flags.h"
#include "common/process.h"
#include "common/logging.h"
#include "objstore/config.h"
#include "storeapi/sidecar/sidecar.h"

namespace meridian::cli {

namespace {
struct SidecarFlags {
  LogFlags log;
  ServerFlags server;
  ObjstoreFlags objstore;
  std::string prometheus_url = "http://localhost:9090";
  std::string tsdb_path = "./data";
  bool ignore_unequal_block_size = false;
};

// Runs until SIGINT/SIGTERM or until the sidecar reports it cannot work (as Thanos exits).
int RunSidecar(const SidecarFlags& f) {
  if (Status s = SetupLogging(f.log.level, f.log.format); !s.ok()) {
    std::cerr << "meridian sidecar: " << s.message() << "\n";
    return 2;
  }
  auto objstore = objstore::ResolveObjstoreConfig(f.objstore.config_file, f.objstore.config);
  if (!objstore.ok()) {
    std::cerr << "meridian sidecar: getting object store config: " << objstore.status().message() << "\n";
    return 2;
  }
  auto grace = ShutdownGrace(f.server);
  if (!grace.ok()) {
    std::cerr << "meridian sidecar: " << grace.status().message() << "\n";
    return 2;
  }
  // Block the signals before any thread starts so that only the wait below receives them.
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);

  storeapi::sidecar::SidecarOptions o;
  o.prometheus_url = f.prometheus_url;
  o.grpc_address = f.server.grpc_address;
  o.http_address = f.server.http_address;
  o.tsdb_path = f.tsdb_path;
  o.objstore_config = *objstore;
  o.ignore_unequal_block_size = f.ignore_unequal_block_size;
  auto sidecar = storeapi::sidecar::Sidecar::Start(o);
  if (!sidecar.ok()) {
    std::cerr << "meridian sidecar: " << sidecar.status().message() << "\n";
    return 1;
  }
  while (true) {
    timespec tick{0, 200 * 1000 * 1000};
    int sig = sigtimedwait(&sigs, nullptr, &tick);
    if (sig == SIGINT || sig == SIGTERM) {
      ExitIfStillRunningAfter(*grace);
      break;
    }
    if (auto fatal = (*sidecar)->Fatal()) {
      std::cerr << "meridian sidecar: " << fatal->message() << "\n";
      (*sidecar)->Stop();
      return 1;
    }
  }
  (*sidecar)->Stop();
  return 0;
}

}  // namespace

void AddSidecarCommand(CLI::App& app, int* exit_code) {
  auto f = std::make_shared<SidecarFlags>();
  CLI::App* cmd = app.add_subcommand(
      "sidecar", "Sidecar for Prometheus: StoreAPI over remote read, and block upload.");
  AddLogFlags(*cmd, f->log);
  AddServerFlags(*cmd, f->server);
  AddObjstoreFlags(*cmd, f->objstore);
  cmd->add_option("--prometheus.url", f->prometheus_url, "URL of the Prometheus to serve.")
      ->capture_default_str();
  cmd->add_option("--tsdb.path", f->tsdb_path, "Prometheus's data directory (for block upload).")
      ->capture_default_str();
  cmd->add_flag("--shipper.ignore-unequal-block-size", f->ignore_unequal_block_size,
                "Upload even though Prometheus's min and max block durations differ (its local compaction "
                "may then merge blocks before they are uploaded).");
  cmd->callback([f, exit_code] { *exit_code = RunSidecar(*f); });
}

}  // namespace meridian::cli
