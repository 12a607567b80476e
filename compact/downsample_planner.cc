#include "compact/downsample_planner.h"

#include "compact/downsample/downsample.h"

namespace meridian::compact {

std::vector<DownsampleTask> PlanDownsampling(const SyncState& state, const RetentionPolicy& retention,
                                             int64_t now_ms) {
  const CoverageIndex coverage(state);
  std::vector<DownsampleTask> out;
  for (const auto& [id, m] : state.metas) {  // std::map: ULID order
    if (state.no_downsample.count(id)) continue;
    const int64_t res = m.thanos ? m.thanos->downsample_resolution : 0;
    int64_t to = 0, min_span = 0;
    if (res == downsample::kResLevel0) {
      to = downsample::kResLevel1;
      min_span = downsample::kResLevel1DownsampleRange;
    } else if (res == downsample::kResLevel1) {
      to = downsample::kResLevel2;
      min_span = downsample::kResLevel2DownsampleRange;
    } else {
      continue;
    }
    if (coverage.Covered(m, to)) continue;
    const int64_t keep = retention.For(res);
    const bool past_retention = keep > 0 && now_ms > (m.max_time / 1000) * 1000 + keep;
    if (m.max_time - m.min_time < min_span && !past_retention) continue;
    out.push_back({id, res, to, m.max_time - m.min_time < min_span});
  }
  return out;
}

}  // namespace meridian::compact
