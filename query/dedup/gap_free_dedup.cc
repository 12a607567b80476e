#include "query/dedup/gap_free_dedup.h"

#include <limits>

namespace meridian::query {

namespace {

constexpr size_t kNone = static_cast<size_t>(-1);
constexpr int64_t kNever = std::numeric_limits<int64_t>::min();

class FillMerge {
 public:
  FillMerge(const std::vector<ReplicaSamples>& replicas, bool counter, std::vector<int64_t>* ts,
            std::vector<double>* vs)
      : r_(replicas), counter_(counter), out_ts_(ts), out_vs_(vs), pos_(r_.size(), 0), shift_(r_.size(), 0),
        passed_t_(r_.size(), kNever), passed_v_(r_.size(), 0) {}

  void Run() {
    for (;;) {
      if (current_ == kNone || Done(current_)) {
        // The others' samples of the slot just emitted are not news.
        const size_t next = EarliestAfter(last_t_ + step_ / 2, kNone, std::numeric_limits<int64_t>::max());
        if (next == kNone) return;
        current_ = next;
        Emit(current_);
        continue;
      }
      // The replica's own step: the one after its next sample (the one before may cross from
      // windows to raw scrapes), else its last one.
      const auto& r = r_[current_];
      const size_t p = pos_[current_];
      const int64_t tc = r.ts[p];
      if (p + 1 < r.ts.size()) step_ = r.ts[p + 1] - tc;
      if (step_ > 0 && last_from_ != kNone && tc - last_t_ > step_ + step_ / 2) {
        const size_t fill = EarliestAfter(last_t_ + step_ / 2, current_, tc - step_ / 2);
        if (fill != kNone) {
          Emit(fill);
          continue;
        }
      }
      Emit(current_);
    }
  }

 private:
  bool Done(size_t i) const { return pos_[i] >= r_[i].ts.size(); }

  // Moves replica i past its samples at or before t, remembering the last of them.
  void PassThrough(size_t i, int64_t t) {
    const auto& r = r_[i];
    while (pos_[i] < r.ts.size() && r.ts[pos_[i]] <= t) {
      passed_t_[i] = r.ts[pos_[i]];
      passed_v_[i] = r.vs[pos_[i]];
      ++pos_[i];
    }
  }

  // The replica other than `except` whose next sample after `after` comes first and before
  // `before`.
  size_t EarliestAfter(int64_t after, size_t except, int64_t before) {
    size_t best = kNone;
    for (size_t i = 0; i < r_.size(); ++i) {
      if (i == except) continue;
      if (last_from_ != kNone) PassThrough(i, after);
      if (Done(i) || r_[i].ts[pos_[i]] >= before) continue;
      if (best == kNone || r_[i].ts[pos_[i]] < r_[best].ts[pos_[best]]) best = i;
    }
    return best;
  }

  void Emit(size_t i) {
    const int64_t t = r_[i].ts[pos_[i]];
    const double v = r_[i].vs[pos_[i]];
    if (counter_ && last_from_ != kNone && i != last_from_) {
      // Windows of replicas share their stamps: the other's value at the stamp just emitted
      // tells the difference between the two. Raw scrapes at other phases do not (it would
      // drop the increase between the phases), so there the counter only never goes down.
      if (passed_t_[i] == last_t_) {
        shift_[i] = last_v_ - passed_v_[i];
      } else if (v + shift_[i] < last_v_) {
        shift_[i] += last_v_ - (v + shift_[i]);
      }
    }
    last_t_ = t;
    last_v_ = v + shift_[i];
    last_from_ = i;
    out_ts_->push_back(t);
    out_vs_->push_back(last_v_);
    passed_t_[i] = t;
    passed_v_[i] = v;
    ++pos_[i];
  }

  const std::vector<ReplicaSamples>& r_;
  const bool counter_;
  std::vector<int64_t>* out_ts_;
  std::vector<double>* out_vs_;
  std::vector<size_t> pos_;
  std::vector<double> shift_;
  std::vector<int64_t> passed_t_;  // per replica: its last sample passed over or emitted
  std::vector<double> passed_v_;
  size_t current_ = kNone;
  int64_t step_ = 0;  // the step between two samples of the replica in use, where last known
  size_t last_from_ = kNone;  // the replica of the last sample emitted; kNone before any
  int64_t last_t_ = kNever;
  double last_v_ = 0;
};

}  // namespace

void GapFreeDedup(const std::vector<ReplicaSamples>& replicas, bool counter, std::vector<int64_t>* ts,
                 std::vector<double>* vs) {
  ts->reserve(ts->size() + (replicas.empty() ? 0 : replicas.front().ts.size()));
  vs->reserve(vs->size() + (replicas.empty() ? 0 : replicas.front().vs.size()));
  FillMerge(replicas, counter, ts, vs).Run();
}

}  // namespace meridian::query
