#include "tsdb/chunkenc/counter_resets.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace meridian::chunkenc {

bool CounterResets::Add(int64_t t, double v) {
  if (std::isnan(v)) return false;
  if (!started_) {
    started_ = true;
    last_t_ = t;
    last_v_ = v;
    total_ = v;
    return true;
  }
  if (t > last_t_) {
    total_ += v >= last_v_ ? v - last_v_ : v;
    last_t_ = t;
    last_v_ = v;
    return true;
  }
  // The repeated timestamp carries the chunk's true last value; earlier times are skipped.
  if (t == last_t_) last_v_ = v;
  return false;
}

CounterResetsIterator::CounterResetsIterator(std::vector<std::string_view> chunks)
    : chunks_(std::move(chunks)) {}

bool CounterResetsIterator::Next() { return Advance(std::nullopt); }

bool CounterResetsIterator::Seek(int64_t t) {
  // Before the first sample there is no current sample to compare (Thanos compares against
  // its zero-valued state here; reading on is what a caller of Seek means).
  if (!status_.ok() || i_ >= chunks_.size()) return false;
  if (state_.started() && state_.t() >= t) return true;
  return Advance(t);
}

// Thanos's Next, on reaching the end of a chunk, returns Seek(lastT+1), and Seek calls Next
// until lastT reaches its target, so the nesting can go as deep as there are chunks. After the
// first value lastT only grows, so the nested targets reduce to the largest one: the loop below
// stops at the first emitted sample that reaches it, without recursion.
bool CounterResetsIterator::Advance(std::optional<int64_t> target) {
  if (!status_.ok()) return false;
  for (;;) {
    if (i_ >= chunks_.size()) return false;
    if (!it_) it_.emplace(chunks_[i_]);
    if (!it_->Next()) {
      if (!it_->status().ok()) {
        // Thanos moves to the next chunk and loses the error; a corrupt counter chunk must
        // not silently shorten a series.
        status_ = it_->status().Wrap("counter chunk " + std::to_string(i_));
        return false;
      }
      it_.reset();
      ++i_;
      const int64_t last = state_.t();
      const int64_t next = last == std::numeric_limits<int64_t>::max() ? last : last + 1;
      target = target ? std::max(*target, next) : next;
      continue;
    }
    if (!state_.Add(it_->t(), it_->v())) continue;
    if (!target || state_.t() >= *target) return true;
  }
}

}  // namespace meridian::chunkenc
