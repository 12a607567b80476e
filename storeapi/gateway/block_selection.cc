#include "storeapi/gateway/block_selection.h"

#include <algorithm>
#include <map>
#include <utility>

namespace meridian::storeapi::gateway {

namespace {

using ByResolution = std::map<int64_t, std::vector<size_t>>;  // resolution -> blocks by min time

// Thanos's getFor: resolutions[i] covers what it can of [mint, maxt], finer ones the rest.
void FillFor(const std::vector<BlockRange>& blocks, const ByResolution& by_res, const std::vector<int64_t>& resolutions,
             size_t i, int64_t mint, int64_t maxt, std::vector<BlockSpan>* out) {
  if (i >= resolutions.size() || mint > maxt) return;
  int64_t start = mint;
  for (size_t b : by_res.at(resolutions[i])) {
    const BlockRange& r = blocks[b];
    if (r.max_time <= mint) continue;
    if (r.min_time > maxt) break;
    FillFor(blocks, by_res, resolutions, i + 1, start, r.min_time - 1, out);
    out->push_back(BlockSpan{b, std::max(mint, r.min_time), std::min(maxt, r.max_time - 1)});
    start = std::max(start, r.max_time);
  }
  FillFor(blocks, by_res, resolutions, i + 1, start, maxt, out);
}

// The parts of [mint, maxt] no span covers.
std::vector<std::pair<int64_t, int64_t>> Gaps(std::vector<BlockSpan> spans, int64_t mint, int64_t maxt) {
  std::sort(spans.begin(), spans.end(), [](const BlockSpan& a, const BlockSpan& b) { return a.mint < b.mint; });
  std::vector<std::pair<int64_t, int64_t>> gaps;
  int64_t next = mint;  // the first time not yet known covered
  for (const BlockSpan& s : spans) {
    if (s.mint > next) gaps.emplace_back(next, s.mint - 1);
    if (s.maxt >= next) {
      if (s.maxt == maxt) return gaps;
      next = s.maxt + 1;
    }
  }
  if (next <= maxt) gaps.emplace_back(next, maxt);
  return gaps;
}

}  // namespace

std::vector<BlockSpan> SelectBlockSpans(const std::vector<BlockRange>& blocks, int64_t mint, int64_t maxt,
                                        int64_t max_resolution, int64_t fill_resolution) {
  std::vector<BlockSpan> out;
  if (mint > maxt) return out;
  ByResolution by_res;
  for (size_t i = 0; i < blocks.size(); ++i) {
    if (blocks[i].min_time > maxt || blocks[i].max_time <= mint) continue;
    by_res[blocks[i].resolution].push_back(i);
  }
  for (auto& [res, list] : by_res) {
    std::stable_sort(list.begin(), list.end(),
                     [&](size_t a, size_t b) { return blocks[a].min_time < blocks[b].min_time; });
  }
  std::vector<int64_t> allowed;  // descending
  std::vector<int64_t> coarser;  // ascending
  for (const auto& [res, list] : by_res) {
    if (res <= max_resolution) {
      allowed.insert(allowed.begin(), res);
    } else if (res <= fill_resolution) {
      coarser.push_back(res);
    }
  }
  FillFor(blocks, by_res, allowed, 0, mint, maxt, &out);
  for (int64_t res : coarser) {
    const auto gaps = Gaps(out, mint, maxt);
    if (gaps.empty()) break;
    // Block -> the first and last time it is needed for.
    std::map<size_t, std::pair<int64_t, int64_t>> picked;
    for (const auto& [lo, hi] : gaps) {
      for (size_t b : by_res.at(res)) {
        const BlockRange& r = blocks[b];
        if (r.max_time - 1 < lo) continue;
        if (r.min_time > hi) break;
        const int64_t from = std::max(lo, r.min_time);
        const int64_t to = std::min(hi, r.max_time - 1);
        auto [it, fresh] = picked.try_emplace(b, from, to);
        if (!fresh) it->second = {std::min(it->second.first, from), std::max(it->second.second, to)};
      }
    }
    for (const auto& [b, range] : picked) out.push_back(BlockSpan{b, range.first, range.second});
  }
  return out;
}

}  // namespace meridian::storeapi::gateway
