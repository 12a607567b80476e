#pragma once
// storage::Querier over one block: selects series by matchers through the postings index,
// hands out their raw chunks overlapping the query range, and keeps deleted samples
// (tombstones) away from the engine.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "storage/storage.h"

namespace meridian::tsdb {

class BlockReader;

class BlockQuerier final : public storage::Querier {
 public:
  BlockQuerier(std::shared_ptr<const BlockReader> block, int64_t mint, int64_t maxt)
      : block_(std::move(block)), mint_(mint), maxt_(maxt) {}

  // Series come sorted by labels whatever `sorted` says (index order is label order). Hints
  // narrow the time range; labels_only skips reading chunks.
  std::unique_ptr<storage::SeriesSet> Select(bool sorted, const storage::SelectHints& hints,
                                             const Matchers& matchers) override;
  StatusOr<std::vector<std::string>> LabelNames(const Matchers& matchers) override;
  StatusOr<std::vector<std::string>> LabelValues(const std::string& name,
                                                 const Matchers& matchers) override;

 private:
  std::shared_ptr<const BlockReader> block_;
  int64_t mint_;
  int64_t maxt_;
};

}  // namespace meridian::tsdb
