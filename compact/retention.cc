#include "compact/retention.h"

#include "compact/downsample/downsample.h"

namespace meridian::compact {

int64_t RetentionPolicy::For(int64_t resolution) const {
  if (resolution == downsample::kResLevel1) return res5m_ms;
  if (resolution == downsample::kResLevel2) return res1h_ms;
  return raw_ms;
}

std::string GoDurationString(int64_t ms) {
  if (ms == 0) return "0s";
  std::string out;
  int64_t s = ms / 1000;
  int64_t frac = ms % 1000;
  int64_t h = s / 3600, m = (s % 3600) / 60;
  s %= 60;
  if (h > 0) out += std::to_string(h) + "h";
  if (h > 0 || m > 0) out += std::to_string(m) + "m";
  out += std::to_string(s);
  if (frac != 0) {
    std::string f = std::to_string(frac + 1000).substr(1);
    while (!f.empty() && f.back() == '0') f.pop_back();
    out += "." + f;
  }
  return out + "s";
}

namespace {
std::string LabelKey(const tsdb::BlockMeta& m) { return m.thanos ? m.thanos->labels.ToString() : "{}"; }
int64_t Resolution(const tsdb::BlockMeta& m) { return m.thanos ? m.thanos->downsample_resolution : 0; }
}  // namespace

CoverageIndex::CoverageIndex(const SyncState& state) {
  for (const auto& [id, m] : state.metas) {
    auto& set = sources_[{LabelKey(m), Resolution(m)}];
    set.insert(m.compaction.sources.begin(), m.compaction.sources.end());
  }
}

bool CoverageIndex::Covered(const tsdb::BlockMeta& meta, int64_t coarser) const {
  auto it = sources_.find({LabelKey(meta), coarser});
  if (it == sources_.end() || meta.compaction.sources.empty()) return false;
  for (const auto& s : meta.compaction.sources) {
    if (!it->second.count(s)) return false;
  }
  return true;
}

RetentionDecision DecideRetention(const SyncState& state, const RetentionPolicy& policy,
                                  bool downsampling_enabled, int64_t now_ms) {
  RetentionDecision d;
  const CoverageIndex coverage(state);
  for (const auto& [id, m] : state.metas) {
    const int64_t res = m.thanos ? m.thanos->downsample_resolution : 0;
    const int64_t keep = policy.For(res);
    if (keep <= 0) continue;
    // Thanos compares whole seconds: time.Now().After(time.Unix(maxTime/1000, 0) + retention).
    if (now_ms <= (m.max_time / 1000) * 1000 + keep) continue;
    if (downsampling_enabled && res != downsample::kResLevel2) {
      const int64_t coarser = res == 0 ? downsample::kResLevel1 : downsample::kResLevel2;
      if (!coverage.Covered(m, coarser)) {
        d.held[res].push_back(id);
        continue;
      }
    }
    d.to_delete.push_back({id, "block exceeding retention of " + GoDurationString(keep)});
  }
  return d;
}

}  // namespace meridian::compact
