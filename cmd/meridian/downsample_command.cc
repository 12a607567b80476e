// `meridian downsample`: writes 5m and 1h downsampled blocks (Thanos compactor format).

#include <memory>

#include "cmd/meridian/commands.h"
#include "cmd/meridian/flags.h"

namespace meridian::cli {

namespace {
struct DownsampleFlags {
  LogFlags log;
  ObjstoreFlags objstore;
  std::string http_address = "0.0.0.0:10902";
  std::string data_dir = "./data";
};
}  // namespace

void AddDownsampleCommand(CLI::App& app, int* exit_code) {
  auto f = std::make_shared<DownsampleFlags>();
  CLI::App* cmd = app.add_subcommand(
      "downsample", "Continuously downsamples blocks in an object store bucket.");
  AddLogFlags(*cmd, f->log);
  AddObjstoreFlags(*cmd, f->objstore);
  cmd->add_option("--http-address", f->http_address, "Listen host:port for HTTP endpoints.")
      ->capture_default_str();
  cmd->add_option("--data-dir", f->data_dir, "Scratch directory for blocks being downsampled.")
      ->capture_default_str();
  cmd->callback([f, exit_code] {
    *exit_code = NotImplementedYet("downsample", "downsampling is a later issue");
  });
}

}  // namespace meridian::cli
