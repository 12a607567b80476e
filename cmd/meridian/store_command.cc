// `meridian store`: the store-gateway serving TSDB blocks from an object-storage bucket.

#include <memory>

#include "cmd/meridian/commands.h"
#include "cmd/meridian/flags.h"

namespace meridian::cli {

namespace {
struct StoreFlags {
  LogFlags log;
  ServerFlags server;
  ObjstoreFlags objstore;
  std::string data_dir = "./data";
  std::string sync_block_duration = "15m";
  int64_t index_cache_size_bytes = 250LL << 20;
};
}  // namespace

void AddStoreCommand(CLI::App& app, int* exit_code) {
  auto f = std::make_shared<StoreFlags>();
  CLI::App* cmd = app.add_subcommand(
      "store", "Store gateway: serves the StoreAPI over TSDB blocks in object storage.");
  AddLogFlags(*cmd, f->log);
  AddServerFlags(*cmd, f->server);
  AddObjstoreFlags(*cmd, f->objstore);
  cmd->add_option("--data-dir", f->data_dir, "Local directory for index headers and caches.")
      ->capture_default_str();
  cmd->add_option("--sync-block-duration", f->sync_block_duration,
                  "How often to sync block metas from the bucket.")
      ->capture_default_str()
      ->check(DurationValidator());
  cmd->add_option("--index-cache-size", f->index_cache_size_bytes,
                  "Bytes of the in-memory postings/series cache.")
      ->capture_default_str();
  cmd->callback([f, exit_code] { *exit_code = NotImplementedYet("store", "issue 4: the store-gateway"); });
}

}  // namespace meridian::cli
