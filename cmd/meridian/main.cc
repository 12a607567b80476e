// The one `meridian` binary; each subcommand lives in its own *_command.cc.

#include <CLI/CLI.hpp>

#include "cmd/meridian/commands.h"
#include "cmd/meridian/version.h"
#include "common/allocator.h"

int main(int argc, char** argv) {
  meridian::ConfigureAllocator();
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
