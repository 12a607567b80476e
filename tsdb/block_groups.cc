#include "tsdb/block_groups.h"

#include <algorithm>
#include <set>

namespace meridian::tsdb {

std::string GroupKey(const BlockMeta& meta) {
  int64_t res = meta.thanos ? meta.thanos->downsample_resolution : 0;
  Labels labels = meta.thanos ? meta.thanos->labels : Labels();
  return std::to_string(res) + "@" + std::to_string(labels.Hash());
}

std::vector<Ulid> FindDuplicates(const std::map<Ulid, BlockMeta>& metas) {
  std::map<std::string, std::vector<const BlockMeta*>> groups;
  for (const auto& [id, m] : metas) groups[GroupKey(m)].push_back(&m);
  std::vector<Ulid> out;
  for (auto& [key, blocks] : groups) {
    // Widest blocks first, so a block is only ever compared with ones that may cover it.
    std::sort(blocks.begin(), blocks.end(), [](const BlockMeta* a, const BlockMeta* b) {
      if (a->compaction.sources.size() != b->compaction.sources.size()) {
        return a->compaction.sources.size() > b->compaction.sources.size();
      }
      return a->ulid < b->ulid;
    });
    std::vector<std::set<Ulid>> kept;
    for (const BlockMeta* b : blocks) {
      std::set<Ulid> mine(b->compaction.sources.begin(), b->compaction.sources.end());
      if (mine.empty()) mine.insert(b->ulid);
      bool covered = false;
      for (const auto& k : kept) {
        covered = std::includes(k.begin(), k.end(), mine.begin(), mine.end());
        if (covered) break;
      }
      if (covered) {
        out.push_back(b->ulid);
      } else {
        kept.push_back(std::move(mine));
      }
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace meridian::tsdb
