// `meridian store`: the store-gateway serving TSDB blocks from an object-storage bucket.

#include <pthread.h>
#include <signal.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <cstring>
#include <iostream>
#include <limits>
#include <memory>
#include <thread>

#include <spdlog/spdlog.h>

#include "cmd/meridian/commands.h"
#include "cmd/meridian/flags.h"
#include "common/process.h"
#include "common/logging.h"
#include "model/duration.h"
#include "model/time_format.h"
#include "objstore/config.h"
#include "query/served_store_metrics.h"
#include "storeapi/gateway/bucket_store.h"
#include "storeapi/gateway/status_server.h"
#include "storeapi/grpc_server.h"

namespace meridian::cli {

namespace {
struct StoreFlags {
  LogFlags log;
  ServerFlags server;
  ObjstoreFlags objstore;
  std::string data_dir = "./data";
  std::string sync_block_duration = "15m";
  int64_t index_cache_size_bytes = 250LL << 20;
  int64_t series_limit = 0;
  std::string min_time = "0000-01-01T00:00:00Z";
  std::string max_time = "9999-12-31T23:59:59Z";
  SelectorFlags selector;
};

int Fail(const std::string& what, const Status& s) {
  std::cerr << "meridian store: " << what << ": " << s.message() << "\n";
  return 1;
}

int RunStore(const StoreFlags& f) {
  if (Status s = SetupLogging(f.log.level, f.log.format); !s.ok()) return Fail("logging", s);
  auto yaml = objstore::ResolveObjstoreConfig(f.objstore.config_file, f.objstore.config);
  if (!yaml.ok()) return Fail("objstore config", yaml.status());
  if (yaml->empty()) return Fail("objstore config", BadData("one of --objstore.config-file or --objstore.config is required"));
  auto bucket = objstore::NewBucketFromConfig(*yaml);
  if (!bucket.ok()) return Fail("bucket", bucket.status());
  auto interval = ParseDurationMs(f.sync_block_duration);
  if (!interval || *interval <= 0) return Fail("--sync-block-duration", BadData("must be a positive duration"));
  if (f.index_cache_size_bytes < 0) return Fail("--index-cache-size", BadData("must not be negative"));
  auto grace = ShutdownGrace(f.server);
  if (!grace.ok()) return Fail("flags", grace.status());

  storeapi::gateway::BucketStoreOptions opts;
  opts.name = "store " + (*bucket)->Name();
  opts.data_dir = f.data_dir;
  opts.index_cache_bytes = static_cast<uint64_t>(f.index_cache_size_bytes);
  // Thanos has no separate chunk cache by default; give chunk pages a budget of the same size.
  opts.chunk_cache_bytes = static_cast<uint64_t>(f.index_cache_size_bytes);
  opts.series_limit = f.series_limit;
  const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count();
  auto min_time = ParseTimeOrDurationMs(f.min_time, now);
  auto max_time = ParseTimeOrDurationMs(f.max_time, now);
  if (!min_time) return Fail("--min-time", BadData("not an RFC 3339 time or relative duration: " + f.min_time));
  if (!max_time) return Fail("--max-time", BadData("not an RFC 3339 time or relative duration: " + f.max_time));
  if (*min_time >= *max_time) return Fail("--min-time", BadData("must be before --max-time"));
  opts.min_time = *min_time;
  opts.max_time = *max_time;
  auto selector = BlockSelector(f.selector);
  if (!selector.ok()) return Fail("--selector.relabel-config", selector.status());
  opts.keep = *selector;
  auto store = storeapi::gateway::BucketStore::New(std::shared_ptr<objstore::Bucket>(std::move(*bucket)), opts);
  if (!store.ok()) return Fail("store", store.status());

  // Signals are taken by sigwait below; block them before any thread starts.
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);

  auto http = storeapi::gateway::StatusServer::Start(f.server.http_address, *store);
  if (!http.ok()) return Fail("http server", http.status());
  auto grpc = storeapi::GrpcServer::Start(f.server.grpc_address, query::CountServedCalls(*store));
  if (!grpc.ok()) return Fail("grpc server", grpc.status());
  spdlog::info("store: serving StoreAPI on gRPC port {}, HTTP port {}", (*grpc)->port(), (*http)->port());

  std::mutex mu;
  std::condition_variable cv;
  bool stopping = false;
  std::thread syncer([&] {
    std::unique_lock<std::mutex> l(mu);
    while (!stopping) {
      l.unlock();
      auto start = std::chrono::steady_clock::now();
      Status s = (*store)->Sync();
      auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
      if (!s.ok()) {
        spdlog::error("store: block sync failed: {}", s.message());
      } else {
        spdlog::debug("store: synced {} blocks in {} ms", (*store)->stats().blocks_loaded, took.count());
      }
      l.lock();
      cv.wait_for(l, std::chrono::milliseconds(*interval), [&] { return stopping; });
    }
  });
  int sig = 0;
  sigwait(&sigs, &sig);
  spdlog::info("store: received signal {}, shutting down", strsignal(sig));
  ExitIfStillRunningAfter(*grace);
  {
    std::lock_guard<std::mutex> l(mu);
    stopping = true;
  }
  cv.notify_all();
  syncer.join();
  (*grpc)->Shutdown();
  return 0;
}
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
  // Thanos's name, and the deprecated one it still accepts for the same limit.
  cmd->add_option("--store.limits.request-series,--store.grpc.touched-series-limit", f->series_limit,
                  "The maximum series allowed for a single Series request. The Series call fails if this "
                  "limit is exceeded. 0 means no limit.")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{0}, std::numeric_limits<int64_t>::max()));
  cmd->add_option("--min-time", f->min_time, "Start of time range limit to serve. Thanos Store will serve only metrics, which happened later than this value. Option can be a constant time in RFC3339 format or time duration relative to current time, such as -1d or 2h45m. Valid duration units are ms, s, m, h, d, w, y.")
      ->capture_default_str();
  cmd->add_option("--max-time", f->max_time, "End of time range limit to serve. Thanos Store will serve only blocks, which happened earlier than this value. Option can be a constant time in RFC3339 format or time duration relative to current time, such as -1d or 2h45m. Valid duration units are ms, s, m, h, d, w, y.")
      ->capture_default_str();
  AddSelectorFlags(*cmd, f->selector);
  cmd->callback([f, exit_code] { *exit_code = RunStore(*f); });
}

}  // namespace meridian::cli
