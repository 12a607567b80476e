// `meridian downsample`: the standalone downsampler (Thanos's `thanos tools bucket downsample`):
// makes 5m blocks of raw blocks spanning at least 40h and 1h blocks of 5m blocks spanning at
// least 10 days, in a loop. Unlike Thanos's, it honours no-downsample marks and ignores blocks
// marked for deletion.

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <iostream>
#include <memory>
#include <mutex>
#include <thread>

#include <spdlog/spdlog.h>

#include "cmd/meridian/commands.h"
#include "cmd/meridian/flags.h"
#include "common/logging.h"
#include "compact/bucket_compactor.h"
#include "compact/status_server.h"
#include "model/duration.h"
#include "objstore/config.h"

namespace meridian::cli {

namespace {
struct DownsampleFlags {
  LogFlags log;
  ObjstoreFlags objstore;
  std::string http_address = "0.0.0.0:10902";
  std::string data_dir = "./data";
  std::string wait_interval = "5m";
  int concurrency = 1;
  bool once = false;
};

int Fail(const std::string& what, const Status& s) {
  std::cerr << "meridian downsample: " << what << ": " << s.message() << "\n";
  return 1;
}

int RunDownsample(const DownsampleFlags& f) {
  if (Status s = SetupLogging(f.log.level, f.log.format); !s.ok()) return Fail("logging", s);
  auto yaml = objstore::ResolveObjstoreConfig(f.objstore.config_file, f.objstore.config);
  if (!yaml.ok()) return Fail("objstore config", yaml.status());
  if (yaml->empty()) return Fail("objstore config", BadData("one of --objstore.config-file or --objstore.config is required"));
  auto bucket_or = objstore::NewBucketFromConfig(*yaml);
  if (!bucket_or.ok()) return Fail("bucket", bucket_or.status());
  std::shared_ptr<objstore::Bucket> bucket(std::move(*bucket_or));
  auto interval = ParseDurationMs(f.wait_interval);
  if (!interval || *interval <= 0) return Fail("--wait-interval", BadData("must be a positive duration"));

  compact::CompactorOptions opts;
  opts.data_dir = f.data_dir;
  opts.sync.consistency_delay_ms = 0;
  opts.sync.ignore_deletion_mark_delay_ms = 0;
  opts.downsample_concurrency = std::max(1, f.concurrency);
  compact::BucketCompactor downsampler(bucket, opts);

  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);
  std::atomic<bool> ready{true};
  compact::CompactorHttpOptions http_opts;
  http_opts.address = f.http_address;
  http_opts.disable_admin_operations = true;
  auto http = compact::CompactorStatusServer::Start(http_opts, bucket, &downsampler, &ready);
  if (!http.ok()) return Fail("http server", http.status());

  std::mutex mu;
  std::condition_variable cv;
  bool stopping = false;
  std::atomic<int> result{0};
  std::thread worker([&] {
    for (;;) {
      auto report = downsampler.RunDownsampling();
      if (report.ok()) {
        spdlog::info("downsample: {} blocks downsampled", report->downsamples);
      } else if (!downsampler.stopping()) {
        spdlog::error("downsample: {}", report.status().message());
        result.store(1);
      }
      if (f.once) break;
      std::unique_lock<std::mutex> l(mu);
      if (cv.wait_for(l, std::chrono::milliseconds(*interval), [&] { return stopping; })) break;
    }
    if (f.once) kill(getpid(), SIGTERM);
  });
  int sig = 0;
  sigwait(&sigs, &sig);
  {
    std::lock_guard<std::mutex> l(mu);
    stopping = true;
  }
  downsampler.Stop();
  cv.notify_all();
  worker.join();
  return result.load();
}
}  // namespace

void AddDownsampleCommand(CLI::App& app, int* exit_code) {
  auto f = std::make_shared<DownsampleFlags>();
  CLI::App* cmd = app.add_subcommand(
      "downsample", "Continuously downsamples blocks in an object store bucket.");
  AddLogFlags(*cmd, f->log);
  AddObjstoreFlags(*cmd, f->objstore);
  cmd->add_option("--http-address", f->http_address, "Listen host:port for HTTP endpoints.")
      ->capture_default_str();
  cmd->add_option("--data-dir", f->data_dir, "Data directory in which to cache blocks and process downsamplings.")
      ->capture_default_str();
  cmd->add_option("--wait-interval", f->wait_interval, "Wait interval between downsample runs.")
      ->capture_default_str()->check(DurationValidator());
  cmd->add_option("--downsample.concurrency", f->concurrency, "Number of goroutines to use when downsampling blocks.")
      ->capture_default_str()->check(CLI::PositiveNumber);
  cmd->add_flag("--once", f->once, "Run the two downsampling passes once and exit (status 1 if they failed).");
  cmd->callback([f, exit_code] { *exit_code = RunDownsample(*f); });
}

}  // namespace meridian::cli
