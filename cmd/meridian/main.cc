// The one `meridian` binary; each subcommand lives in its own *_command.cc.

#include <malloc.h>

#include <CLI/CLI.hpp>

#include "cmd/meridian/commands.h"
#include "cmd/meridian/version.h"

int main(int argc, char** argv) {
  // Every server command decodes on one thread what reader and gRPC threads allocated; with
  // glibc's default of up to 8 arenas per core each request could leave its peak behind in
  // another arena (the querier's VmRSS grew ~30 MiB per query over 10,000 series, to 300 MiB
  // after ten). Two arenas keep the resident size at one request's peak.
  mallopt(M_ARENA_MAX, 2);
  CLI::App app{"Meridian: a global PromQL query layer over Prometheus and object storage, "
               "compatible with Thanos.",
               "meridian"};
  app.set_version_flag("--version", meridian::cli::VersionString());
  app.require_subcommand(1);
  int exit_code = 0;
  meridian::cli::AddQueryCommand(app, &exit_code);
  meridian::cli::AddStoreCommand(app, &exit_code);
  meridian::cli::AddSidecarCommand(app, &exit_code);
  meridian::cli::AddCompactCommand(app, &exit_code);
  meridian::cli::AddDownsampleCommand(app, &exit_code);
  meridian::cli::AddPromqlCommand(app, &exit_code);
  meridian::cli::AddToolsCommand(app, &exit_code);
  CLI11_PARSE(app, argc, argv);
  return exit_code;
}
