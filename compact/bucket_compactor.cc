#include "compact/bucket_compactor.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <set>
#include <thread>

#include <spdlog/spdlog.h>

#include "common/parallel_for.h"

#include "compact/block_downsampler.h"
#include "compact/block_transfer.h"
#include "compact/blocks_cleaner.h"
#include "compact/compactor_metrics.h"
#include "compact/downsample_planner.h"
#include "compact/markers.h"
#include "compact/planner.h"
#include "storeapi/gateway/block_upload.h"

namespace meridian::compact {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kHaltPrefix = "compaction halted: ";
// Rounds of compaction and downsampling in one iteration: downsampled blocks become
// compactable in their own groups, and compacted 5m blocks downsampleable to 1h, so one
// iteration goes on until nothing changes (Thanos leaves that to later iterations).
constexpr int kMaxRounds = 8;

int64_t ResolutionOf(const tsdb::BlockMeta& m) { return m.thanos ? m.thanos->downsample_resolution : 0; }

double SecondsSince(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

bool Overlapping(const std::vector<tsdb::BlockMeta>& plan) {
  for (size_t i = 1; i < plan.size(); ++i) {
    if (plan[i].min_time < plan[i - 1].max_time) return true;
  }
  return false;
}

}  // namespace

bool IsHaltError(const Status& s) { return !s.ok() && s.message().rfind(kHaltPrefix, 0) == 0; }

BucketCompactor::BucketCompactor(std::shared_ptr<objstore::Bucket> bucket, CompactorOptions opts)
    : bucket_(std::move(bucket)), opts_(std::move(opts)), syncer_(*bucket_, opts_.sync) {
  CompactorMetrics::Get().SetDelays(static_cast<double>(opts_.delete_delay_ms) / 1000.0,
                                    static_cast<double>(opts_.sync.consistency_delay_ms) / 1000.0);
}

int64_t BucketCompactor::Now() const {
  if (opts_.now_ms) return opts_.now_ms();
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string BucketCompactor::halt_reason() const {
  std::lock_guard<std::mutex> l(mu_);
  return halt_reason_;
}

std::vector<tsdb::BlockMeta> BucketCompactor::LoadedBlocks() const {
  std::lock_guard<std::mutex> l(mu_);
  return loaded_;
}

Status BucketCompactor::Halt(const std::string& why) {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (halt_reason_.empty()) halt_reason_ = why;
  }
  halted_.store(true);
  CompactorMetrics::Get().SetHalted(true);
  spdlog::error("compact: halting: {} (thanos_compact_halted is 1; repair the bucket and restart)", why);
  return InternalError(std::string(kHaltPrefix) + why);
}

Status BucketCompactor::WithRetries(const char* what, const std::function<Status()>& step) {
  for (int attempt = 0;; ++attempt) {
    Status s = step();
    if (s.ok() || s.code() != StatusCode::kUnavailable || attempt >= opts_.bucket_retries || stopping()) return s;
    CompactorMetrics::Get().Retry();
    int64_t wait = opts_.retry_backoff_ms << attempt;
    spdlog::warn("compact: {} failed, retrying in {} ms: {}", what, wait, s.message());
    std::this_thread::sleep_for(std::chrono::milliseconds(wait));
  }
}

Status BucketCompactor::UploadJournaled(const std::string& block_dir, const tsdb::Ulid& id) {
  const std::string journal = opts_.data_dir + "/uploads/" + id.ToString();
  std::error_code ec;
  fs::create_directories(opts_.data_dir + "/uploads", ec);
  if (std::FILE* f = std::fopen(journal.c_str(), "w")) {
    std::fclose(f);
  } else {
    return UnavailableError("create upload journal " + journal);
  }
  Status up = WithRetries("upload", [&] { return storeapi::gateway::UploadBlock(*bucket_, block_dir); });
  if (!up.ok()) return up;
  fs::remove(journal, ec);
  return Status::Ok();
}

Status BucketCompactor::RecoverInterruptedUploads() {
  std::error_code ec;
  for (fs::directory_iterator it(opts_.data_dir + "/uploads", ec), end; !ec && it != end; it.increment(ec)) {
    const auto& e = *it;
    auto id = tsdb::Ulid::Parse(e.path().filename().string());
    if (!id.ok()) continue;
    auto complete = bucket_->Exists(id->ToString() + "/" + std::string(tsdb::kMetaFilename));
    if (!complete.ok()) return complete.status();
    if (!*complete) {
      spdlog::warn("compact: removing block {}, whose upload was interrupted", id->ToString());
      if (Status s = DeleteBlock(*bucket_, *id); !s.ok()) return s;
    }
    std::error_code rm;
    fs::remove(e.path(), rm);
  }
  return Status::Ok();
}

StatusOr<SyncState> BucketCompactor::SyncMetas() {
  auto start = std::chrono::steady_clock::now();
  auto st = syncer_.Sync();
  CompactorMetrics::Get().MetaSync(st.ok(), SecondsSince(start), st.ok() ? st->synced_states : std::map<std::string, int64_t>{});
  if (st.ok()) {
    std::vector<tsdb::BlockMeta> loaded;
    for (const auto& [id, m] : st->metas) loaded.push_back(m);
    std::lock_guard<std::mutex> l(mu_);
    loaded_ = std::move(loaded);
  }
  return st;
}

Status BucketCompactor::MarkForDeletion(const tsdb::Ulid& id, const std::string& details, IterationReport* report) {
  Marker m;
  m.kind = MarkerKind::kDeletion;
  m.id = id;
  m.details = details;
  m.time_s = Now() / 1000;
  auto written = WriteMarkerIfAbsent(*bucket_, m);
  if (!written.ok()) return written.status().Wrap("mark block " + id.ToString() + " for deletion");
  if (*written) {
    CompactorMetrics::Get().BlockMarked("deletion-mark.json", "");
    ++report->marked_for_deletion;
    spdlog::info("compact: marked block {} for deletion: {}", id.ToString(), details);
  } else {
    spdlog::debug("compact: block {} already marked for deletion", id.ToString());
  }
  return Status::Ok();
}

Status BucketCompactor::MarkNoCompact(const tsdb::Ulid& id, std::string_view reason, const std::string& details) {
  Marker m;
  m.kind = MarkerKind::kNoCompact;
  m.id = id;
  m.details = details;
  m.reason = std::string(reason);
  m.time_s = Now() / 1000;
  auto written = WriteMarkerIfAbsent(*bucket_, m);
  if (!written.ok()) return written.status().Wrap("mark block " + id.ToString() + " no-compact");
  if (*written) {
    CompactorMetrics::Get().BlockMarked("no-compact-mark.json", std::string(reason));
    spdlog::warn("compact: marked block {} no-compact ({}): {}", id.ToString(), reason, details);
  }
  return Status::Ok();
}

BucketCompactor::GroupResult BucketCompactor::CompactGroup(const std::string& key,
                                                           std::vector<tsdb::BlockMeta> metas,
                                                           const SyncState& state,
                                                           IterationReport* report) {
  auto& metrics = CompactorMetrics::Get();
  const int64_t res = ResolutionOf(metas.front());
  metrics.GroupCompactionRunStarted(res);
  if (!opts_.vertical_compaction) {
    if (auto overlap = FindOverlap(metas)) {
      metrics.GroupCompactionFailure(res);
      return {false, Halt("group " + key + ": pre compaction overlap check: overlaps found while gathering blocks. " +
                          *overlap)};
    }
  }
  PlanInput in;
  in.metas = metas;
  for (const auto& m : metas) {
    if (state.no_compact.count(m.ulid)) in.no_compact.insert(m.ulid);
  }
  auto index_size = [&](const tsdb::BlockMeta& m) -> int64_t {
    if (auto s = IndexSizeFromMeta(m)) return *s;
    auto size = bucket_->Size(m.ulid.ToString() + "/index");
    return size.ok() ? *size : 0;
  };
  std::vector<tsdb::BlockMeta> plan;
  for (;;) {
    std::vector<tsdb::Ulid> too_big;
    plan = PlanWithIndexSizeLimit(in, CompactionRanges(opts_.max_compaction_level), index_size,
                                  opts_.block_max_index_size, &too_big);
    for (const auto& id : too_big) {
      if (Status s = MarkNoCompact(id, kReasonIndexSizeExceeding, "index size exceeds the limit"); !s.ok()) {
        return {false, s};
      }
      in.no_compact.insert(id);
    }
    // Downsampled blocks are never merged vertically: their aggregates cannot be deduplicated
    // sample by sample (Thanos #6775).
    if (opts_.vertical_compaction && res != 0 && Overlapping(plan)) {
      for (const auto& b : plan) {
        if (Status s = MarkNoCompact(b.ulid, kReasonDownsampleVertical, "overlapping downsampled block"); !s.ok()) {
          return {false, s};
        }
        in.no_compact.insert(b.ulid);
      }
      continue;
    }
    break;
  }
  if (plan.empty()) {
    metrics.GroupCompactionRunCompleted(res);
    return {false, Status::Ok()};
  }
  const bool vertical = Overlapping(plan);
  if (!opts_.vertical_compaction) {
    std::set<tsdb::Ulid> seen;
    for (const auto& b : plan) {
      for (const auto& s : b.compaction.sources) {
        if (!seen.insert(s).second) {
          metrics.GroupCompactionFailure(res);
          return {false, Halt("group " + key + ": source block " + s.ToString() + " is in two blocks of one plan")};
        }
      }
    }
  }

  const std::string dir = opts_.data_dir + "/compact/" + key;
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::create_directories(dir, ec);
  if (ec) return {false, UnavailableError("create " + dir + ": " + ec.message())};
  auto cleanup = [&] {
    std::error_code ignored;
    fs::remove_all(dir, ignored);
  };

  std::vector<std::shared_ptr<tsdb::BlockReader>> readers;
  for (const auto& b : plan) {
    if (Status s = DownloadBlock(*bucket_, b.ulid, dir); !s.ok()) {
      cleanup();
      metrics.GroupCompactionFailure(res);
      return {false, s};
    }
    auto r = tsdb::BlockReader::Open(dir + "/" + b.ulid.ToString());
    if (!r.ok()) {
      cleanup();
      metrics.GroupCompactionFailure(res);
      return {false, Halt("group " + key + ": " + r.status().message())};
    }
    if (Status s = CheckBlockHealth(**r); !s.ok()) {
      cleanup();
      metrics.GroupCompactionFailure(res);
      return {false, Halt("group " + key + ": " + s.message())};
    }
    readers.push_back(*r);
  }

  tsdb::BlockMeta meta = CompactedMeta(plan, tsdb::Ulid::NewNow());
  tsdb::ThanosMeta thanos;
  thanos.labels = plan.front().thanos ? plan.front().thanos->labels : Labels();
  thanos.downsample_resolution = res;
  thanos.source = "compactor";
  meta.thanos = std::move(thanos);
  MergeOptions mo;
  mo.mode = vertical ? opts_.dedup_mode : MergeMode::kChain;
  mo.stop = &stop_;
  auto start = std::chrono::steady_clock::now();
  auto out = MergeBlocks(readers, dir, meta, mo);
  readers.clear();
  if (!out.ok()) {
    cleanup();
    metrics.GroupCompactionFailure(res);
    return {false, out.status().Wrap("group " + key)};
  }
  if (out->has_value()) {
    const tsdb::BlockMeta& made = **out;
    Status up = UploadJournaled(dir + "/" + made.ulid.ToString(), made.ulid);
    if (!up.ok()) {
      cleanup();
      metrics.GroupCompactionFailure(res);
      return {false, up.Wrap("group " + key + ": upload of " + made.ulid.ToString())};
    }
    metrics.LastSuccessfulUpload();
    metrics.GroupCompaction(res);
    if (vertical) metrics.GroupVerticalCompaction(res);
    spdlog::info("compact: group {}: compacted {} blocks into {} [{}, {}) level {}, {} series, {} samples in {:.1f}s",
                 key, plan.size(), made.ulid.ToString(), made.min_time, made.max_time, made.compaction.level,
                 made.stats.num_series, made.stats.num_samples, SecondsSince(start));
  } else {
    spdlog::info("compact: group {}: the {} planned blocks hold no samples; marking them for deletion", key, plan.size());
  }
  cleanup();
  for (const auto& b : plan) {
    if (Status s = MarkForDeletion(b.ulid, "source of compacted block", report); !s.ok()) return {true, s};
    metrics.GarbageCollectedBlocks(1);
  }
  ++report->compactions;
  metrics.GroupCompactionRunCompleted(res);
  return {true, Status::Ok()};
}

Status BucketCompactor::CompactionPasses(IterationReport* report) {
  for (;;) {
    if (stopping()) return Status(StatusCode::kCanceled, "compactor stopping");
    auto state = SyncMetas();
    if (!state.ok()) return state.status();
    CleanResult cleaned = DeleteMarkedBlocks(*bucket_, *state, opts_.delete_delay_ms, Now());
    for (const auto& id : cleaned.deleted) syncer_.Forget(id);
    report->deleted += static_cast<int>(cleaned.deleted.size());
    CompactorMetrics::Get().BlocksCleaned(static_cast<int64_t>(cleaned.deleted.size()));
    if (!cleaned.first_error.ok()) return cleaned.first_error;

    auto gc_start = std::chrono::steady_clock::now();
    Status gc;
    for (const auto& id : state->duplicates) {
      if (state->deletion_marks.count(id)) continue;
      gc = MarkForDeletion(id, "outdated block", report);
      if (!gc.ok()) break;
      CompactorMetrics::Get().GarbageCollectedBlocks(1);
    }
    CompactorMetrics::Get().GarbageCollection(gc.ok(), SecondsSince(gc_start));
    if (!gc.ok()) return gc;

    std::map<std::string, std::vector<tsdb::BlockMeta>> groups;
    for (const auto& [id, m] : state->metas) groups[GroupKey(m)].push_back(m);
    // Work directories of groups that no longer exist (e.g. after a crash).
    std::error_code ec;
    for (fs::directory_iterator it(opts_.data_dir + "/compact", ec), end; !ec && it != end; it.increment(ec)) {
      const auto& e = *it;
      if (!groups.count(e.path().filename().string())) fs::remove_all(e.path(), ec);
    }
    std::vector<std::pair<std::string, std::vector<tsdb::BlockMeta>>> todo;
    for (auto& [key, metas] : groups) {
      if (metas.size() >= 2) todo.emplace_back(key, std::move(metas));
    }
    std::vector<GroupResult> results(todo.size());
    std::mutex report_mu;
    ParallelFor(todo.size(), opts_.compact_concurrency, [&](size_t i) {
      if (halted() || stopping()) return;
      IterationReport mine;
      results[i] = CompactGroup(todo[i].first, todo[i].second, *state, &mine);
      std::lock_guard<std::mutex> l(report_mu);
      report->compactions += mine.compactions;
      report->marked_for_deletion += mine.marked_for_deletion;
    });
    bool work = false;
    for (const auto& r : results) {
      if (IsHaltError(r.status)) return r.status;
    }
    for (const auto& r : results) {
      if (!r.status.ok()) return r.status;
      work = work || r.did_work;
    }
    if (!work) return Status::Ok();
  }
}

Status BucketCompactor::DownsamplePass(IterationReport* report) {
  auto state = SyncMetas();
  if (!state.ok()) return state.status();
  std::vector<DownsampleTask> tasks = PlanDownsampling(*state, opts_.retention, Now());
  if (tasks.empty()) return Status::Ok();
  const int workers = std::max(1, opts_.downsample_concurrency);
  const int threads_per_block =
      std::max(1, static_cast<int>(std::thread::hardware_concurrency()) / workers);
  std::vector<Status> results(tasks.size());
  std::vector<bool> made(tasks.size(), false);
  ParallelFor(tasks.size(), workers, [&](size_t i) {
    if (stopping()) return;
    const DownsampleTask& t = tasks[i];
    auto& metrics = CompactorMetrics::Get();
    metrics.Downsample(t.from_resolution);
    auto start = std::chrono::steady_clock::now();
    const std::string dir = opts_.data_dir + "/downsample/" + t.id.ToString();
    std::error_code ec;
    fs::remove_all(dir, ec);
    fs::create_directories(dir, ec);
    auto fail = [&](Status s) {
      std::error_code ignored;
      fs::remove_all(dir, ignored);
      metrics.DownsampleFailure(t.from_resolution);
      results[i] = s.Wrap("downsample block " + t.id.ToString());
    };
    if (Status s = DownloadBlock(*bucket_, t.id, dir); !s.ok()) return fail(s);
    auto in = tsdb::BlockReader::Open(dir + "/" + t.id.ToString());
    if (!in.ok()) return fail(in.status());
    BlockDownsampleOptions o;
    o.threads = threads_per_block;
    o.stop = &stop_;
    auto out = DownsampleBlock(**in, dir, t.to_resolution, o);
    in = Status(StatusCode::kCanceled, "closed");
    if (!out.ok()) return fail(out.status());
    if (out->has_value()) {
      const tsdb::BlockMeta& m = **out;
      Status up = UploadJournaled(dir + "/" + m.ulid.ToString(), m.ulid);
      if (!up.ok()) return fail(up);
      metrics.LastSuccessfulUpload();
      made[i] = true;
      spdlog::info("compact: downsampled block {} ({}) to resolution {} as {}{}: {} series, {} windows in {:.1f}s",
                   t.id.ToString(), t.from_resolution, t.to_resolution, m.ulid.ToString(),
                   t.for_retention ? " (past retention, before deletion)" : "", m.stats.num_series,
                   m.stats.num_samples, SecondsSince(start));
    }
    metrics.DownsampleDuration(t.from_resolution, SecondsSince(start));
    fs::remove_all(dir, ec);
  });
  for (size_t i = 0; i < tasks.size(); ++i) {
    if (!results[i].ok()) return results[i];
    if (made[i]) ++report->downsamples;
  }
  return Status::Ok();
}

Status BucketCompactor::ApplyRetention(IterationReport* report) {
  auto state = SyncMetas();
  if (!state.ok()) return state.status();
  RetentionDecision d = DecideRetention(*state, opts_.retention, !opts_.downsampling_disabled, Now());
  for (const auto& del : d.to_delete) {
    if (Status s = MarkForDeletion(del.id, del.details, report); !s.ok()) return s;
  }
  report->retention_held = 0;
  for (int64_t res : {int64_t{0}, int64_t{300000}}) {
    auto it = d.held.find(res);
    int64_t n = it == d.held.end() ? 0 : static_cast<int64_t>(it->second.size());
    CompactorMetrics::Get().SetRetentionHeld(res, n);
    report->retention_held += static_cast<int>(n);
    if (n > 0) {
      spdlog::warn("compact: {} block(s) at resolution {} are past retention but kept: no downsampled copy of them "
                   "exists yet (first: {})",
                   n, res, it->second.front().ToString());
    }
  }
  return Status::Ok();
}

Status BucketCompactor::Cleanup(IterationReport* report) {
  auto state = SyncMetas();
  if (!state.ok()) return state.status();
  CompactorMetrics::Get().BlockCleanupLoop();
  CleanResult partial = CleanAbortedPartialUploads(*bucket_, *state, Now());
  for (size_t i = 0; i < partial.deleted.size(); ++i) CompactorMetrics::Get().AbortedPartialUploadDeletionAttempt();
  CleanResult marked = DeleteMarkedBlocks(*bucket_, *state, opts_.delete_delay_ms, Now());
  for (const auto& id : marked.deleted) syncer_.Forget(id);
  report->deleted += static_cast<int>(partial.deleted.size() + marked.deleted.size());
  CompactorMetrics::Get().BlocksCleaned(static_cast<int64_t>(partial.deleted.size() + marked.deleted.size()));
  for (int i = 0; i < partial.failures + marked.failures; ++i) CompactorMetrics::Get().BlockCleanupFailure();
  // Thanos sizes the to-do gauges in a background loop; here they are refreshed per iteration.
  auto fresh = SyncMetas();
  if (fresh.ok()) {
    int64_t compactions = 0, compaction_blocks = 0;
    std::map<std::string, std::vector<tsdb::BlockMeta>> groups;
    for (const auto& [id, m] : fresh->metas) groups[GroupKey(m)].push_back(m);
    for (const auto& [key, metas] : groups) {
      PlanInput in;
      in.metas = metas;
      for (const auto& m : metas) {
        if (fresh->no_compact.count(m.ulid)) in.no_compact.insert(m.ulid);
      }
      auto plan = Plan(in, CompactionRanges(opts_.max_compaction_level));
      if (plan.size() >= 2) {
        ++compactions;
        compaction_blocks += static_cast<int64_t>(plan.size());
      }
    }
    CompactorMetrics::Get().SetTodo(compactions, compaction_blocks,
                                    static_cast<int64_t>(PlanDownsampling(*fresh, opts_.retention, Now()).size()),
                                    static_cast<int64_t>(fresh->deletion_marks.size()));
  }
  if (!partial.first_error.ok()) return partial.first_error;
  return marked.first_error;
}

StatusOr<IterationReport> BucketCompactor::RunDownsampling() {
  std::error_code ec;
  fs::create_directories(opts_.data_dir + "/downsample", ec);
  if (ec) return UnavailableError("create data dir " + opts_.data_dir + ": " + ec.message());
  if (Status s = WithRetries("upload recovery", [&] { return RecoverInterruptedUploads(); }); !s.ok()) return s;
  IterationReport report;
  for (int pass = 0; pass < 2; ++pass) {
    if (Status s = WithRetries("downsampling", [&] { return DownsamplePass(&report); }); !s.ok()) return s;
  }
  return report;
}

StatusOr<IterationReport> BucketCompactor::RunIteration() {
  if (halted()) return InternalError(std::string(kHaltPrefix) + halt_reason());
  std::error_code ec;
  fs::create_directories(opts_.data_dir + "/compact", ec);
  fs::create_directories(opts_.data_dir + "/downsample", ec);
  if (ec) return UnavailableError("create data dir " + opts_.data_dir + ": " + ec.message());
  if (Status s = WithRetries("upload recovery", [&] { return RecoverInterruptedUploads(); }); !s.ok()) return s;
  IterationReport report;
  for (int round = 0; round < kMaxRounds; ++round) {
    if (Status s = WithRetries("compaction", [&] { return CompactionPasses(&report); }); !s.ok()) return s;
    if (opts_.downsampling_disabled) break;
    const int before = report.downsamples;
    for (int pass = 0; pass < 2; ++pass) {
      if (Status s = WithRetries("downsampling", [&] { return DownsamplePass(&report); }); !s.ok()) return s;
    }
    if (report.downsamples == before) break;
  }
  if (Status s = WithRetries("retention", [&] { return ApplyRetention(&report); }); !s.ok()) return s;
  if (Status s = WithRetries("cleanup", [&] { return Cleanup(&report); }); !s.ok()) return s;
  return report;
}

}  // namespace meridian::compact
