#include "compact/downsample/counter_resets.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace meridian::compact::downsample {

CounterResetsIterator::CounterResetsIterator(std::vector<std::string_view> chunks)
    : chunks_(std::move(chunks)) {}

bool CounterResetsIterator::Next() { return Advance(std::nullopt); }

bool CounterResetsIterator::Seek(int64_t t) {
  // Before the first sample there is no current sample to compare (Thanos compares against
  // its zero-valued state here; reading on is what a caller of Seek means).
  if (!status_.ok() || i_ >= chunks_.size()) return false;
  if (started_ && last_t_ >= t) return true;
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
      const int64_t next = last_t_ == std::numeric_limits<int64_t>::max() ? last_t_ : last_t_ + 1;
      target = target ? std::max(*target, next) : next;
      continue;
    }
    const int64_t t = it_->t();
    const double v = it_->v();
    if (std::isnan(v)) continue;
    if (!started_) {
      started_ = true;
      last_t_ = t;
      last_v_ = v;
      total_ = v;
    } else if (t > last_t_) {
      if (v >= last_v_) {
        total_ += v - last_v_;
      } else {
        total_ += v;
      }
      last_t_ = t;
      last_v_ = v;
    } else {
      // The repeated timestamp carries the chunk's true last value; earlier times are skipped.
      if (t == last_t_) last_v_ = v;
      continue;
    }
    if (!target || last_t_ >= *target) return true;
  }
}

}  // namespace meridian::compact::downsample
