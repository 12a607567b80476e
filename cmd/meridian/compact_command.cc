// `meridian compact`: the compactor over one bucket (Thanos's `thanos compact`, same flags).

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
#include "compact/compactor_metrics.h"
#include "compact/planner.h"
#include "compact/status_server.h"
#include "model/duration.h"
#include "model/time_format.h"
#include "objstore/config.h"

namespace meridian::cli {

namespace {
struct CompactFlags {
  LogFlags log;
  ObjstoreFlags objstore;
  std::string http_address = "0.0.0.0:10902";
  std::string http_grace_period = "2m";
  std::string data_dir = "./data";
  bool wait = false;
  std::string wait_interval = "5m";
  std::string consistency_delay = "30m";
  std::string delete_delay = "48h";
  std::string retention_raw = "0d";
  std::string retention_5m = "0d";
  std::string retention_1h = "0d";
  int compact_concurrency = 1;
  int downsample_concurrency = 1;
  int meta_fetch_concurrency = 32;
  bool downsampling_disable = false;
  std::vector<std::string> replica_labels;
  std::string dedup_func;
  bool enable_vertical = false;
  int max_compaction_level = compact::kMaxCompactionLevel;
  std::string block_max_index_size = "64GB";
  std::string min_time = "0000-01-01T00:00:00Z";
  std::string max_time = "9999-12-31T23:59:59Z";
  bool disable_admin_operations = false;
  std::string bucket_web_label;
  SelectorFlags selector;
};

int Fail(const std::string& what, const Status& s) {
  std::cerr << "meridian compact: " << what << ": " << s.message() << "\n";
  return 1;
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Thanos parses sizes base-2: "64GB" is 64 GiB.
std::optional<int64_t> ParseBytes(std::string s) {
  int64_t mult = 1;
  for (auto [suffix, m] : std::initializer_list<std::pair<const char*, int64_t>>{
           {"KiB", 1LL << 10}, {"MiB", 1LL << 20}, {"GiB", 1LL << 30}, {"TiB", 1LL << 40},
           {"KB", 1LL << 10}, {"MB", 1LL << 20}, {"GB", 1LL << 30}, {"TB", 1LL << 40}, {"B", 1}}) {
    std::string_view sv(suffix);
    if (s.size() > sv.size() && s.compare(s.size() - sv.size(), sv.size(), sv) == 0) {
      mult = m;
      s.resize(s.size() - sv.size());
      break;
    }
  }
  try {
    size_t used = 0;
    int64_t v = std::stoll(s, &used);
    if (used != s.size() || v < 0) return std::nullopt;
    return v * mult;
  } catch (...) {
    return std::nullopt;
  }
}

int RunCompact(const CompactFlags& f) {
  if (Status s = SetupLogging(f.log.level, f.log.format); !s.ok()) return Fail("logging", s);
  auto yaml = objstore::ResolveObjstoreConfig(f.objstore.config_file, f.objstore.config);
  if (!yaml.ok()) return Fail("objstore config", yaml.status());
  if (yaml->empty()) return Fail("objstore config", BadData("one of --objstore.config-file or --objstore.config is required"));
  auto bucket_or = objstore::NewBucketFromConfig(*yaml);
  if (!bucket_or.ok()) return Fail("bucket", bucket_or.status());
  std::shared_ptr<objstore::Bucket> bucket(std::move(*bucket_or));

  auto dur = [&](const std::string& flag, const std::string& v) -> std::optional<int64_t> {
    auto d = ParseDurationMs(v);
    if (!d || *d < 0) {
      Fail(flag, BadData("not a duration: \"" + v + "\""));
      return std::nullopt;
    }
    return d;
  };
  auto wait_interval = dur("--wait-interval", f.wait_interval);
  auto consistency = dur("--consistency-delay", f.consistency_delay);
  auto delete_delay = dur("--delete-delay", f.delete_delay);
  auto raw = dur("--retention.resolution-raw", f.retention_raw);
  auto r5m = dur("--retention.resolution-5m", f.retention_5m);
  auto r1h = dur("--retention.resolution-1h", f.retention_1h);
  auto grace = dur("--http-grace-period", f.http_grace_period);
  if (!wait_interval || !consistency || !delete_delay || !raw || !r5m || !r1h || !grace) return 1;
  auto min_time = ParseTimeOrDurationMs(f.min_time, NowMs());
  auto max_time = ParseTimeOrDurationMs(f.max_time, NowMs());
  if (!min_time) return Fail("--min-time", BadData("not an RFC 3339 time or relative duration: " + f.min_time));
  if (!max_time) return Fail("--max-time", BadData("not an RFC 3339 time or relative duration: " + f.max_time));
  auto index_limit = ParseBytes(f.block_max_index_size);
  if (!index_limit) return Fail("--compact.block-max-index-size", BadData("not a size: " + f.block_max_index_size));
  if (f.max_compaction_level > compact::kMaxCompactionLevel || f.max_compaction_level < 1) {
    return Fail("--debug.max-compaction-level", BadData("must be between 1 and 4"));
  }
  if (!f.dedup_func.empty() && f.dedup_func != "penalty") {
    return Fail("--deduplication.func", BadData("must be \"\" or \"penalty\", got \"" + f.dedup_func + "\""));
  }
  std::vector<std::string> replica_labels;
  for (const auto& v : f.replica_labels) {
    size_t start = 0;
    while (start <= v.size()) {
      size_t comma = v.find(',', start);
      std::string part = v.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      if (!part.empty()) replica_labels.push_back(part);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  if (f.dedup_func == "penalty" && replica_labels.empty()) {
    return Fail("--deduplication.func", BadData("penalty deduplication needs at least one --deduplication.replica-label"));
  }
  if (!f.downsampling_disable) {
    // Thanos's start-up guards: raw data must outlive the 40h after which 5m blocks are made,
    // and 5m data the 10 days after which 1h blocks are.
    if (*raw != 0 && *raw < 40LL * 3600 * 1000) {
      return Fail("--retention.resolution-raw", BadData("raw resolution must be higher than the minimum block size after which 5m resolution downsampling will occur (40 hours)"));
    }
    if (*r5m != 0 && *r5m < 10LL * 24 * 3600 * 1000) {
      return Fail("--retention.resolution-5m", BadData("5m resolution retention must be higher than the minimum block size after which 1h resolution downsampling will occur (10 days)"));
    }
  }

  // Replica labels are left out (Thanos 0.42), so replicas of one block land on the same shard.
  auto selector = BlockSelector(f.selector, replica_labels);
  if (!selector.ok()) return Fail("--selector.relabel-config", selector.status());

  compact::CompactorOptions opts;
  opts.data_dir = f.data_dir;
  opts.sync.keep = *selector;
  opts.sync.min_time_ms = *min_time;
  opts.sync.max_time_ms = *max_time;
  opts.sync.consistency_delay_ms = *consistency;
  opts.sync.ignore_deletion_mark_delay_ms = *delete_delay / 2;
  opts.sync.replica_labels = replica_labels;
  opts.sync.concurrency = std::max(1, f.meta_fetch_concurrency);
  opts.delete_delay_ms = *delete_delay;
  opts.max_compaction_level = f.max_compaction_level;
  opts.compact_concurrency = std::max(1, f.compact_concurrency);
  opts.downsample_concurrency = std::max(1, f.downsample_concurrency);
  opts.downsampling_disabled = f.downsampling_disable;
  opts.vertical_compaction = f.enable_vertical || !replica_labels.empty();
  opts.dedup_mode = f.dedup_func == "penalty" ? compact::MergeMode::kPenalty : compact::MergeMode::kChain;
  opts.retention = {*raw, *r5m, *r1h};
  opts.block_max_index_size = *index_limit;
  compact::BucketCompactor compactor(bucket, opts);
  compact::CompactorMetrics::Get();  // registered before the first scrape

  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);

  std::atomic<bool> ready{false};
  compact::CompactorHttpOptions http_opts;
  http_opts.address = f.http_address;
  http_opts.disable_admin_operations = f.disable_admin_operations;
  http_opts.label = f.bucket_web_label;
  auto http = compact::CompactorStatusServer::Start(http_opts, bucket, &compactor, &ready);
  if (!http.ok()) return Fail("http server", http.status());
  spdlog::info("compact: bucket {}, HTTP port {}, {}", bucket->Name(), (*http)->port(),
               f.wait ? "running until stopped" : "one iteration");

  std::mutex mu;
  std::condition_variable cv;
  bool stopping = false;
  std::atomic<int> result{0};
  std::thread worker([&] {
    ready.store(true);
    for (;;) {
      auto start = std::chrono::steady_clock::now();
      auto report = compactor.RunIteration();
      double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (report.ok()) {
        compact::CompactorMetrics::Get().Iteration();
        spdlog::info("compact: iteration done in {:.1f}s: {} compactions, {} downsampled blocks, {} blocks marked for "
                     "deletion, {} deleted, {} held past retention",
                     took, report->compactions, report->downsamples, report->marked_for_deletion, report->deleted,
                     report->retention_held);
      } else if (compactor.halted()) {
        spdlog::error("compact: halted: {}", compactor.halt_reason());
        if (!f.wait) {
          result.store(1);
          break;
        }
        // Thanos keeps a halted compactor up (metrics, bucket view) and idle until restarted.
        std::unique_lock<std::mutex> l(mu);
        cv.wait(l, [&] { return stopping; });
        break;
      } else if (report.status().code() == StatusCode::kCanceled && compactor.stopping()) {
        break;
      } else {
        spdlog::error("compact: iteration failed: {}", report.status().message());
        if (!f.wait) {
          result.store(1);
          break;
        }
        compact::CompactorMetrics::Get().Retry();
      }
      if (!f.wait) break;
      std::unique_lock<std::mutex> l(mu);
      if (cv.wait_for(l, std::chrono::milliseconds(*wait_interval), [&] { return stopping; })) break;
    }
    if (!f.wait) {
      // Wake the signal wait below: the one iteration is over.
      kill(getpid(), SIGTERM);
    }
  });
  int sig = 0;
  sigwait(&sigs, &sig);
  {
    std::lock_guard<std::mutex> l(mu);
    stopping = true;
  }
  if (f.wait) spdlog::info("compact: received signal {}, stopping", strsignal(sig));
  compactor.Stop();
  cv.notify_all();
  worker.join();
  return result.load();
}
}  // namespace

void AddCompactCommand(CLI::App& app, int* exit_code) {
  auto f = std::make_shared<CompactFlags>();
  CLI::App* cmd = app.add_subcommand(
      "compact", "Continuously compacts blocks in an object store bucket: merges 2h blocks into larger ones, "
                 "downsamples them to 5m and 1h resolution and applies retention.");
  AddLogFlags(*cmd, f->log);
  AddObjstoreFlags(*cmd, f->objstore);
  cmd->add_option("--http-address", f->http_address, "Listen host:port for HTTP endpoints.")->capture_default_str();
  cmd->add_option("--http-grace-period", f->http_grace_period, "Time to wait after an interrupt received for HTTP Server.")
      ->capture_default_str()->check(DurationValidator());
  cmd->add_option("--data-dir", f->data_dir, "Data directory in which to cache blocks and process compactions.")
      ->capture_default_str();
  cmd->add_flag("-w,--wait", f->wait, "Do not exit after all compactions have been processed and wait for new work.");
  cmd->add_option("--wait-interval", f->wait_interval, "Wait interval between consecutive compaction runs and bucket refreshes. Only works when --wait flag specified.")
      ->capture_default_str()->check(DurationValidator());
  cmd->add_option("--consistency-delay", f->consistency_delay, "Minimum age of fresh (non-compacted) blocks before they are being processed. Malformed blocks older than the maximum of consistency-delay and 48h0m0s will be removed.")
      ->capture_default_str()->check(DurationValidator());
  cmd->add_option("--delete-delay", f->delete_delay, "Time before a block marked for deletion is deleted from bucket. If delete-delay is non zero, blocks will be marked for deletion and compactor component will delete blocks marked for deletion from the bucket. If delete-delay is 0, blocks will be deleted straight away.")
      ->capture_default_str()->check(DurationValidator());
  cmd->add_option("--retention.resolution-raw", f->retention_raw, "How long to retain raw samples in bucket. Setting this to 0d will retain samples of this resolution forever")
      ->capture_default_str()->check(DurationValidator());
  cmd->add_option("--retention.resolution-5m", f->retention_5m, "How long to retain samples of resolution 1 (5 minutes) in bucket. Setting this to 0d will retain samples of this resolution forever")
      ->capture_default_str()->check(DurationValidator());
  cmd->add_option("--retention.resolution-1h", f->retention_1h, "How long to retain samples of resolution 2 (1 hour) in bucket. Setting this to 0d will retain samples of this resolution forever")
      ->capture_default_str()->check(DurationValidator());
  cmd->add_option("--compact.concurrency", f->compact_concurrency, "Number of goroutines to use when compacting groups.")
      ->capture_default_str()->check(CLI::PositiveNumber);
  cmd->add_option("--downsample.concurrency", f->downsample_concurrency, "Number of goroutines to use when downsampling blocks.")
      ->capture_default_str()->check(CLI::PositiveNumber);
  cmd->add_option("--block-meta-fetch-concurrency", f->meta_fetch_concurrency, "Number of goroutines to use when fetching block metadata from object storage.")
      ->capture_default_str()->check(CLI::PositiveNumber);
  cmd->add_flag("--downsampling.disable", f->downsampling_disable, "Disables downsampling. This is not recommended as querying long time ranges without non-downsampled data is not efficient and useful e.g it is not possible to render all samples for a human eye anyway");
  cmd->add_option("--deduplication.replica-label", f->replica_labels, "Label to treat as a replica indicator of blocks that can be deduplicated (repeated flag). This will merge multiple replica blocks into one. This process is irreversible.");
  cmd->add_option("--deduplication.func", f->dedup_func, "Experimental. Deduplication algorithm for merging overlapping blocks. Possible values are: \"\", \"penalty\". If no value is specified, the default compact deduplication merger is used, which performs 1:1 deduplication for samples. When set to penalty, penalty based deduplication algorithm will be used. Meridian keeps counter adjustment for series named like counters.")
      ->capture_default_str();
  cmd->add_flag("--compact.enable-vertical-compaction", f->enable_vertical, "Experimental. When set to true, compactor will allow overlaps and perform **irreversible** vertical compaction.");
  cmd->add_option("--debug.max-compaction-level", f->max_compaction_level, "Maximum compaction level, default is 4: indicates max block range of 14d.")
      ->capture_default_str();
  cmd->add_option("--compact.block-max-index-size", f->block_max_index_size, "Maximum index size for the resulted block during any compaction. Note that max block size might be exceeded.")
      ->capture_default_str();
  cmd->add_option("--min-time", f->min_time, "Start of time range limit to compact. Thanos Compactor will compact only blocks, which happened later than this value. Option can be a constant time in RFC3339 format or time duration relative to current time, such as -1d or 2h45m. Valid duration units are ms, s, m, h, d, w, y.")
      ->capture_default_str();
  cmd->add_option("--max-time", f->max_time, "End of time range limit to compact. Thanos Compactor will compact only blocks, which happened earlier than this value. Option can be a constant time in RFC3339 format or time duration relative to current time, such as -1d or 2h45m. Valid duration units are ms, s, m, h, d, w, y.")
      ->capture_default_str();
  cmd->add_flag("--disable-admin-operations", f->disable_admin_operations, "Disable UI/API admin operations like marking blocks for deletion and no compaction.");
  cmd->add_option("--bucket-web-label", f->bucket_web_label, "External block label to use as group title in the bucket web UI");
  AddSelectorFlags(*cmd, f->selector);
  cmd->callback([f, exit_code] { *exit_code = RunCompact(*f); });
}

}  // namespace meridian::cli
