// `meridian sidecar`: the StoreAPI in front of a running Prometheus, plus block upload.

#include <memory>

#include "cmd/meridian/commands.h"
#include "cmd/meridian/flags.h"

namespace meridian::cli {

namespace {
struct SidecarFlags {
  LogFlags log;
  ServerFlags server;
  ObjstoreFlags objstore;
  std::string prometheus_url = "http://localhost:9090";
  std::string tsdb_path = "./data";
};
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
  cmd->callback([f, exit_code] { *exit_code = NotImplementedYet("sidecar", "issue 7: the sidecar"); });
}

}  // namespace meridian::cli
