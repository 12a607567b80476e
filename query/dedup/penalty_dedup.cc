#include "query/dedup/penalty_dedup.h"

#include <algorithm>
#include <limits>
#include <memory>

namespace meridian::query {

namespace {

constexpr int64_t kInitialPenalty = 5000;
constexpr int64_t kNoTime = std::numeric_limits<int64_t>::min();

// The iterator shape the pairwise merge nests: a merge of two iterators is itself one, so
// three replicas are merge(merge(r0, r1), r2), as in Thanos.
class Iter {
 public:
  virtual ~Iter() = default;
  virtual bool Next() = 0;
  // Advances to the first sample with t >= target; stays put when already there.
  virtual bool Seek(int64_t target) = 0;
  virtual int64_t T() const = 0;
  virtual double V() const = 0;
  // Called on a replica switch with the last value emitted (counters only adjust).
  virtual void AdjustAtValue(double last) = 0;
};

class ReplicaIter : public Iter {
 public:
  ReplicaIter(const ReplicaSamples& r, bool counter) : r_(r), counter_(counter) {}
  bool Next() override { return ++i_ < r_.ts.size(); }
  bool Seek(int64_t target) override {
    if (i_ >= r_.ts.size()) return false;
    if (r_.ts[i_] >= target) return true;
    i_ = std::lower_bound(r_.ts.begin() + i_, r_.ts.end(), target) - r_.ts.begin();
    return i_ < r_.ts.size();
  }
  int64_t T() const override { return r_.ts[i_]; }
  double V() const override { return r_.vs[i_] + adjust_; }
  void AdjustAtValue(double last) override {
    // A counter cannot go down: this replica missed the end of an earlier counter value.
    if (counter_ && last > V()) adjust_ += last - V();
  }

 private:
  const ReplicaSamples& r_;
  bool counter_;
  size_t i_ = static_cast<size_t>(-1);  // before the first sample until Next()
  double adjust_ = 0;
};

class PenaltyIter : public Iter {
 public:
  PenaltyIter(std::unique_ptr<Iter> a, std::unique_ptr<Iter> b) : a_(std::move(a)), b_(std::move(b)) {
    a_ok_ = a_->Next();
    b_ok_ = b_->Next();
  }

  bool Next() override {
    // The value the merge stands on now (even before anything was emitted, as upstream).
    const bool had_value = use_a_ ? a_ok_ : b_ok_;
    const double last_value = had_value ? Last()->V() : 0;
    const bool last_use_a = use_a_;

    bool ok = Step();
    if (use_a_ != last_use_a && had_value) {
      if (a_ok_) a_->AdjustAtValue(last_value);
      if (b_ok_) b_->AdjustAtValue(last_value);
    }
    return ok;
  }

  bool Seek(int64_t target) override {
    // Walks with Next instead of seeking the children, so gaps are not skipped over.
    while (true) {
      if ((use_a_ ? a_ok_ : b_ok_) && T() >= target) return true;
      if (!Next()) return false;
    }
  }

  int64_t T() const override { return use_a_ ? a_->T() : b_->T(); }
  double V() const override { return Last()->V(); }
  void AdjustAtValue(double last) override {
    if (a_ok_) a_->AdjustAtValue(last);
    if (b_ok_) b_->AdjustAtValue(last);
  }

 private:
  const Iter* Last() const { return last_is_a_ ? a_.get() : b_.get(); }

  bool Step() {
    if (a_ok_) a_ok_ = a_->Seek(last_t_ + 1 + pen_a_);
    if (b_ok_) b_ok_ = b_->Seek(last_t_ + 1 + pen_b_);
    if (!a_ok_) {
      use_a_ = false;
      if (b_ok_) {
        last_t_ = b_->T();
        last_is_a_ = false;
        pen_b_ = 0;
      }
      return b_ok_;
    }
    if (!b_ok_) {
      use_a_ = true;
      last_t_ = a_->T();
      last_is_a_ = true;
      pen_a_ = 0;
      return true;
    }
    const int64_t ta = a_->T();
    const int64_t tb = b_->T();
    use_a_ = ta <= tb;
    if (use_a_) {
      pen_b_ = last_t_ != kNoTime ? 2 * (ta - last_t_) : kInitialPenalty;
      pen_a_ = 0;
      last_t_ = ta;
      last_is_a_ = true;
    } else {
      pen_a_ = last_t_ != kNoTime ? 2 * (tb - last_t_) : kInitialPenalty;
      pen_b_ = 0;
      last_t_ = tb;
      last_is_a_ = false;
    }
    return true;
  }

  std::unique_ptr<Iter> a_, b_;
  bool a_ok_ = false, b_ok_ = false;
  int64_t last_t_ = kNoTime;
  int64_t pen_a_ = 0, pen_b_ = 0;
  bool use_a_ = true;
  bool last_is_a_ = true;
};

}  // namespace

bool IsCounterFunction(const std::string& func) {
  return func == "increase" || func == "rate" || func == "irate" || func == "resets";
}

void PenaltyDedup(const std::vector<ReplicaSamples>& replicas, bool counter, std::vector<int64_t>* ts,
                  std::vector<double>* vs) {
  if (replicas.empty()) return;
  if (replicas.size() == 1) {
    ts->insert(ts->end(), replicas[0].ts.begin(), replicas[0].ts.end());
    vs->insert(vs->end(), replicas[0].vs.begin(), replicas[0].vs.end());
    return;
  }
  std::unique_ptr<Iter> it = std::make_unique<ReplicaIter>(replicas[0], counter);
  for (size_t i = 1; i < replicas.size(); ++i) {
    it = std::make_unique<PenaltyIter>(std::move(it), std::make_unique<ReplicaIter>(replicas[i], counter));
  }
  while (it->Next()) {
    ts->push_back(it->T());
    vs->push_back(it->V());
  }
}

}  // namespace meridian::query
