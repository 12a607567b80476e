#include "compact/planner.h"

#include <algorithm>
#include <limits>
#include <utility>

namespace meridian::compact {
namespace {

using tsdb::BlockMeta;
using Metas = std::vector<const BlockMeta*>;

// Thanos's compaction ladder after its 1h entry (cmd/thanos/compact.go `compactions`).
constexpr int64_t kLadder[kMaxCompactionLevel] = {2 * kHourMs, 8 * kHourMs, 48 * kHourMs,
                                                  336 * kHourMs};
// Tombstones per series above which a block is rewritten alone.
constexpr double kTombstoneRatio = 0.05;

bool ByMinTime(const BlockMeta* a, const BlockMeta* b) {
  if (a->min_time != b->min_time) return a->min_time < b->min_time;
  return a->ulid < b->ulid;
}

std::vector<BlockMeta> Copy(const Metas& metas) {
  std::vector<BlockMeta> out;
  out.reserve(metas.size());
  for (const BlockMeta* m : metas) out.push_back(*m);
  return out;
}

// The first run of overlapping blocks. A block joins the run when it starts before the largest
// max_time seen so far; the run's first member is the block just before the first such one.
Metas SelectOverlapping(const Metas& metas) {
  Metas run;
  if (metas.size() < 2) return run;
  int64_t max_time = metas[0]->max_time;
  for (size_t i = 1; i < metas.size(); ++i) {
    const BlockMeta* m = metas[i];
    if (m->min_time < max_time) {
      if (run.empty()) run.push_back(metas[i - 1]);
      run.push_back(m);
    } else if (!run.empty()) {
      break;
    }
    max_time = std::max(max_time, m->max_time);
  }
  return run;
}

// Start of the epoch-aligned window of size `range` holding t (floor, also for negative t).
int64_t WindowStart(int64_t t, int64_t range) {
  int64_t q = t / range;
  if (t % range != 0 && t < 0) --q;
  return q * range;
}

// Groups the blocks into epoch-aligned windows of size `range`. A block that does not fit in the
// window of its min_time (misaligned, or already larger than `range`) belongs to no window, and
// ends the window before it.
std::vector<Metas> SplitByRange(const Metas& metas, int64_t range) {
  std::vector<Metas> parts;
  for (size_t i = 0; i < metas.size();) {
    int64_t t0 = WindowStart(metas[i]->min_time, range);
    if (metas[i]->max_time > t0 + range) {
      ++i;
      continue;
    }
    Metas part;
    for (; i < metas.size() && metas[i]->max_time <= t0 + range; ++i) part.push_back(metas[i]);
    parts.push_back(std::move(part));
  }
  return parts;
}

// The leveled step. `metas` still contains no-compact blocks so windows keep the bounds they
// would have without the marks; the marks only cut the chosen window into runs.
Metas SelectLeveled(const std::vector<int64_t>& ranges, const std::set<tsdb::Ulid>& no_compact,
                    const Metas& metas) {
  if (ranges.empty() || metas.empty()) return {};
  // Blocks ending after the newest one starts are not compacted unless their window is full, so
  // a window is not closed while a block that belongs to it may still be uploaded.
  const int64_t high_time = metas.back()->min_time;
  // Smallest range first: finishing small windows before merging larger ones keeps each
  // compaction's input small (Thanos #3405).
  for (int64_t range : ranges) {
    for (const Metas& part : SplitByRange(metas, range)) {
      // A failed compaction would likely fail again; leave the window for the operator.
      bool failed = std::any_of(part.begin(), part.end(),
                                [](const BlockMeta* m) { return m->compaction.failed; });
      if (failed || part.size() < 2) continue;
      int64_t mint = part.front()->min_time;
      int64_t maxt = part.back()->max_time;
      if (maxt - mint != range && maxt > high_time) continue;
      size_t run_start = 0;
      for (size_t i = 0; i < part.size(); ++i) {
        if (!no_compact.contains(part[i]->ulid)) continue;
        if (i - run_start > 1) return Metas(part.begin() + run_start, part.begin() + i);
        run_start = i + 1;
      }
      if (part.size() - run_start > 1) return Metas(part.begin() + run_start, part.end());
    }
  }
  return {};
}

// Go's time.Duration.String() for a whole number of seconds ("2h0m0s", "30m0s", "45s"), as the
// overlap description prints ranges.
std::string GoDuration(int64_t seconds) {
  if (seconds == 0) return "0s";
  std::string out;
  uint64_t s = seconds < 0 ? 0 - static_cast<uint64_t>(seconds) : static_cast<uint64_t>(seconds);
  if (seconds < 0) out = "-";
  uint64_t h = s / 3600, m = s / 60 % 60, sec = s % 60;
  if (h > 0) out += std::to_string(h) + "h";
  if (h > 0 || m > 0) out += std::to_string(m) + "m";
  out += std::to_string(sec) + "s";
  return out;
}

}  // namespace

std::vector<int64_t> CompactionRanges(int max_level) {
  int n = std::clamp(max_level, 0, kMaxCompactionLevel);
  return std::vector<int64_t>(kLadder, kLadder + n);
}

int64_t TombstoneRewriteMinRange(const std::vector<int64_t>& ranges) {
  // Thanos indexes [1h] + ranges at size/2.
  size_t i = (ranges.size() + 1) / 2;
  return i == 0 ? kHourMs : ranges[i - 1];
}

std::vector<BlockMeta> Plan(const PlanInput& in, const std::vector<int64_t>& ranges) {
  if (in.metas.empty()) return {};
  Metas all;
  all.reserve(in.metas.size());
  for (const BlockMeta& m : in.metas) all.push_back(&m);
  std::sort(all.begin(), all.end(), ByMinTime);
  Metas eligible;
  for (const BlockMeta* m : all) {
    if (!in.no_compact.contains(m->ulid)) eligible.push_back(m);
  }

  // Overlaps come first: until they are merged, leveled windows would mix overlapping data.
  Metas overlapping = SelectOverlapping(eligible);
  if (!overlapping.empty()) return Copy(overlapping);

  // The newest block is left alone so that a freshly uploaded block can still be inspected or
  // replaced for a full block period. When it is no-compact-marked it is not in `eligible`, and
  // the newest eligible block stays a candidate for the tombstone rule (as in Thanos).
  if (!in.no_compact.contains(all.back()->ulid)) eligible.pop_back();
  all.pop_back();

  Metas leveled = SelectLeveled(ranges, in.no_compact, all);
  if (!leveled.empty()) return Copy(leveled);

  // Rewriting a block alone only pays off for blocks large enough that deleted series are
  // worth dropping; small ones are merged soon anyway, so the walk stops at the first.
  const int64_t min_range = TombstoneRewriteMinRange(ranges);
  for (auto it = eligible.rbegin(); it != eligible.rend(); ++it) {
    const BlockMeta* m = *it;
    if (m->max_time - m->min_time < min_range) break;
    double ratio = static_cast<double>(m->stats.num_tombstones) /
                   static_cast<double>(m->stats.num_series + 1);
    if (ratio > kTombstoneRatio) return {*m};
  }
  return {};
}

std::optional<int64_t> IndexSizeFromMeta(const tsdb::BlockMeta& meta) {
  if (!meta.thanos) return std::nullopt;
  int64_t size = -1;
  // The last "index" entry wins, as in Thanos's loop over files.
  for (const tsdb::ThanosFile& f : meta.thanos->files) {
    if (f.rel_path == "index") size = f.size_bytes;
  }
  if (size <= 0) return std::nullopt;
  return size;
}

std::optional<tsdb::Ulid> BlockExceedingIndexSize(
    const std::vector<tsdb::BlockMeta>& plan,
    const std::function<int64_t(const tsdb::BlockMeta&)>& index_size, int64_t limit_bytes) {
  // Truncated like Go's int64(float64(limit) * 0.85).
  const auto threshold =
      static_cast<int64_t>(static_cast<double>(limit_bytes) * kIndexSizeHeadroom);
  int64_t total = 0;
  int64_t largest = std::numeric_limits<int64_t>::min();
  size_t largest_i = 0;
  for (size_t i = 0; i < plan.size(); ++i) {
    int64_t size = index_size(plan[i]);
    if (size > largest) {
      largest = size;
      largest_i = i;
    }
    total += size;
    if (total >= threshold) return plan[largest_i].ulid;
  }
  return std::nullopt;
}

std::vector<tsdb::BlockMeta> PlanWithIndexSizeLimit(
    PlanInput in, const std::vector<int64_t>& ranges,
    const std::function<int64_t(const tsdb::BlockMeta&)>& index_size, int64_t limit_bytes,
    std::vector<tsdb::Ulid>* to_mark) {
  for (;;) {
    std::vector<tsdb::BlockMeta> plan = Plan(in, ranges);
    std::optional<tsdb::Ulid> exceeding = BlockExceedingIndexSize(plan, index_size, limit_bytes);
    if (!exceeding) return plan;
    in.no_compact.insert(*exceeding);
    if (to_mark) to_mark->push_back(*exceeding);
  }
}

std::optional<std::string> FindOverlap(std::vector<tsdb::BlockMeta> metas) {
  if (metas.size() < 2) return std::nullopt;
  std::stable_sort(metas.begin(), metas.end(), [](const BlockMeta& a, const BlockMeta& b) {
    return a.min_time != b.min_time ? a.min_time < b.min_time : a.ulid < b.ulid;
  });
  // Sweep by min_time keeping the blocks that have not ended yet. A block that starts while
  // others are pending joins the current group, unless some pending block ended in between, in
  // which case a new group starts (Prometheus groups overlaps exactly this way).
  std::vector<std::vector<const BlockMeta*>> groups;
  std::vector<const BlockMeta*> pending = {&metas[0]};
  bool continuous = true;
  for (size_t i = 1; i < metas.size(); ++i) {
    const BlockMeta* b = &metas[i];
    std::vector<const BlockMeta*> still;
    for (const BlockMeta* p : pending) {
      if (b->min_time >= p->max_time) {
        continuous = false;
      } else {
        still.push_back(p);
      }
    }
    pending = still;
    pending.push_back(b);
    if (still.empty()) continue;
    if (continuous && !groups.empty()) {
      groups.back().push_back(b);
      continue;
    }
    still.push_back(b);
    groups.push_back(std::move(still));
    continuous = true;
  }
  if (groups.empty()) return std::nullopt;

  std::string out;
  for (const auto& group : groups) {
    // The range all members share, clamped at 0 from below as Prometheus does.
    int64_t lo = 0, hi = std::numeric_limits<int64_t>::max();
    for (const BlockMeta* b : group) {
      hi = std::min(hi, b->max_time);
      lo = std::max(lo, b->min_time);
    }
    if (!out.empty()) out += "\n";
    out += "[mint: " + std::to_string(lo) + ", maxt: " + std::to_string(hi) +
           ", range: " + GoDuration((hi - lo) / 1000) +
           ", blocks: " + std::to_string(group.size()) + "]: ";
    for (size_t i = 0; i < group.size(); ++i) {
      const BlockMeta* b = group[i];
      if (i > 0) out += ", ";
      out += "<ulid: " + b->ulid.ToString() + ", mint: " + std::to_string(b->min_time) +
             ", maxt: " + std::to_string(b->max_time) +
             ", range: " + GoDuration((b->max_time - b->min_time) / 1000) + ">";
    }
  }
  return out;
}

tsdb::BlockMeta CompactedMeta(const std::vector<tsdb::BlockMeta>& plan, tsdb::Ulid ulid) {
  tsdb::BlockMeta out;
  out.ulid = ulid;
  out.compaction.level = 0;
  std::set<tsdb::Ulid> sources;
  for (size_t i = 0; i < plan.size(); ++i) {
    const BlockMeta& b = plan[i];
    out.min_time = i == 0 ? b.min_time : std::min(out.min_time, b.min_time);
    out.max_time = i == 0 ? b.max_time : std::max(out.max_time, b.max_time);
    out.compaction.level = std::max(out.compaction.level, b.compaction.level);
    sources.insert(b.compaction.sources.begin(), b.compaction.sources.end());
    out.compaction.parents.push_back({b.ulid, b.min_time, b.max_time});
  }
  out.compaction.level++;
  // std::set orders Ulid by its big-endian bytes, which is Go's ulid.Compare order.
  out.compaction.sources.assign(sources.begin(), sources.end());
  return out;
}

}  // namespace meridian::compact
