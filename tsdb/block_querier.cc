#include "tsdb/block_querier.h"

#include <algorithm>
#include <set>

#include "tsdb/block_reader.h"
#include "tsdb/chunkenc/xor.h"
#include "tsdb/postings_for_matchers.h"

namespace meridian::tsdb {
namespace {

bool Overlaps(int64_t a_min, int64_t a_max, int64_t b_min, int64_t b_max) {
  return a_min <= b_max && b_min <= a_max;
}

// Drops deleted samples from an XOR chunk. Returns false (and leaves *c alone) when nothing
// survives.
StatusOr<bool> ApplyTombstones(const Intervals& deleted, storage::Chunk* c) {
  bool touched = false;
  for (const Interval& iv : deleted) {
    if (iv.mint <= c->min_time && c->max_time <= iv.maxt) return false;  // wholly deleted
    if (Overlaps(iv.mint, iv.maxt, c->min_time, c->max_time)) touched = true;
  }
  if (!touched) return true;
  if (c->encoding != storage::ChunkEncoding::kXOR) {
    return ExecutionError("deleting part of a non-XOR chunk is not supported");
  }
  std::vector<int64_t> ts;
  std::vector<double> vs;
  if (Status s = chunkenc::DecodeXor(c->bytes(), &ts, &vs); !s.ok()) return s;
  chunkenc::XorEncoder enc;
  int64_t first = 0, last = 0;
  for (size_t i = 0; i < ts.size(); ++i) {
    bool gone = std::any_of(deleted.begin(), deleted.end(),
                            [&](const Interval& iv) { return iv.Contains(ts[i]); });
    if (gone) continue;
    if (enc.empty()) first = ts[i];
    last = ts[i];
    enc.Append(ts[i], vs[i]);
  }
  if (enc.empty()) return false;
  c->min_time = first;
  c->max_time = last;
  c->data = std::make_shared<const std::string>(enc.Finish());
  return true;
}

class BlockSeriesSet final : public storage::SeriesSet {
 public:
  BlockSeriesSet(std::shared_ptr<const BlockReader> block, index::PostingsPtr postings,
                 int64_t mint, int64_t maxt, bool labels_only)
      : block_(std::move(block)),
        postings_(std::move(postings)),
        mint_(mint),
        maxt_(maxt),
        labels_only_(labels_only) {}

  bool Next() override {
    if (!status_.ok()) return false;
    while (postings_->Next()) {
      uint64_t ref = postings_->At();
      Status s = Load(ref);
      if (!s.ok()) {
        status_ = s.Wrap(block_->name());
        return false;
      }
      if (!cur_.chunks.empty() || (labels_only_ && has_data_)) return true;
    }
    status_ = postings_->status();
    if (!status_.ok()) status_ = status_.Wrap(block_->name());
    return false;
  }
  storage::Series& At() override { return cur_; }
  Status status() const override { return status_; }

 private:
  Status Load(uint64_t ref) {
    cur_.chunks.clear();
    has_data_ = false;
    if (Status s = block_->index().Series(ref, &cur_.labels, &metas_); !s.ok()) return s;
    const Intervals* deleted = block_->tombstones().Get(ref);
    for (const auto& m : metas_) {
      if (!Overlaps(m.min_time, m.max_time, mint_, maxt_)) continue;
      if (labels_only_) {
        bool wholly_deleted =
            deleted && std::any_of(deleted->begin(), deleted->end(), [&](const Interval& iv) {
              return iv.mint <= m.min_time && m.max_time <= iv.maxt;
            });
        if (!wholly_deleted) has_data_ = true;
        continue;
      }
      auto c = block_->chunks().Read(m.ref, m.min_time, m.max_time);
      if (!c.ok()) return c.status();
      if (deleted) {
        auto keep = ApplyTombstones(*deleted, &*c);
        if (!keep.ok()) return keep.status();
        if (!*keep) continue;
      }
      cur_.chunks.push_back(std::move(*c));
    }
    return Status::Ok();
  }

  std::shared_ptr<const BlockReader> block_;
  index::PostingsPtr postings_;
  int64_t mint_;
  int64_t maxt_;
  bool labels_only_;
  storage::Series cur_;
  std::vector<index::ChunkMeta> metas_;
  bool has_data_ = false;
  Status status_;
};

class ErrorSeriesSet final : public storage::SeriesSet {
 public:
  explicit ErrorSeriesSet(Status s) : s_(std::move(s)) {}
  bool Next() override { return false; }
  storage::Series& At() override { return empty_; }
  Status status() const override { return s_; }

 private:
  Status s_;
  storage::Series empty_;
};

// Label sets of every series the matchers select (block-wide, regardless of time).
template <typename Fn>
Status ForEachMatchingSeries(const BlockReader& b, const Matchers& matchers, Fn&& fn) {
  index::PostingsPtr p = PostingsForMatchers(b.index(), matchers);
  Labels ls;
  while (p->Next()) {
    if (Status s = b.index().Series(p->At(), &ls, nullptr); !s.ok()) return s.Wrap(b.name());
    fn(ls);
  }
  Status s = p->status();
  return s.ok() ? s : s.Wrap(b.name());
}

}  // namespace

std::unique_ptr<storage::SeriesSet> BlockQuerier::Select(bool /*sorted*/,
                                                         const storage::SelectHints& hints,
                                                         const Matchers& matchers) {
  int64_t mint = mint_, maxt = maxt_;
  // Zero hints mean "no hint"; otherwise they can only narrow the querier's range.
  if (hints.start_ms != 0 || hints.end_ms != 0) {
    mint = std::max(mint, hints.start_ms);
    maxt = std::min(maxt, hints.end_ms);
  }
  if (matchers.empty()) {
    return std::make_unique<ErrorSeriesSet>(BadData("no matchers given to select"));
  }
  return std::make_unique<BlockSeriesSet>(block_, PostingsForMatchers(block_->index(), matchers),
                                          mint, maxt, hints.labels_only);
}

StatusOr<std::vector<std::string>> BlockQuerier::LabelNames(const Matchers& matchers) {
  if (matchers.empty()) return block_->index().LabelNames();
  std::set<std::string> names;
  Status s = ForEachMatchingSeries(*block_, matchers, [&](const Labels& ls) {
    for (const Label& l : ls) names.insert(l.name);
  });
  if (!s.ok()) return s;
  return std::vector<std::string>(names.begin(), names.end());
}

StatusOr<std::vector<std::string>> BlockQuerier::LabelValues(const std::string& name,
                                                             const Matchers& matchers) {
  if (matchers.empty()) return block_->index().LabelValues(name);
  std::set<std::string> values;
  Status s = ForEachMatchingSeries(*block_, matchers, [&](const Labels& ls) {
    std::string_view v = ls.Get(name);
    if (!v.empty()) values.emplace(v);
  });
  if (!s.ok()) return s;
  return std::vector<std::string>(values.begin(), values.end());
}

}  // namespace meridian::tsdb
