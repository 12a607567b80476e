#pragma once
// One function per subcommand: it registers the subcommand's flags on `app` and a callback
// that stores the command's exit code in *exit_code.

#include <CLI/CLI.hpp>

namespace meridian::cli {

void AddQueryCommand(CLI::App& app, int* exit_code);
void AddStoreCommand(CLI::App& app, int* exit_code);
void AddSidecarCommand(CLI::App& app, int* exit_code);
void AddDownsampleCommand(CLI::App& app, int* exit_code);
void AddCompactCommand(CLI::App& app, int* exit_code);
void AddPromqlCommand(CLI::App& app, int* exit_code);
void AddToolsCommand(CLI::App& app, int* exit_code);

}  // namespace meridian::cli
