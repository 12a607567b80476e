#include "tsdb/index/postings.h"

#include <algorithm>

#include "tsdb/encoding.h"

namespace meridian::tsdb::index {
namespace {

class EmptyImpl final : public Postings {
 public:
  bool Next() override { return false; }
  bool Seek(uint64_t) override { return false; }
  uint64_t At() const override { return 0; }
};

class ErrorImpl final : public Postings {
 public:
  explicit ErrorImpl(Status s) : s_(std::move(s)) {}
  bool Next() override { return false; }
  bool Seek(uint64_t) override { return false; }
  uint64_t At() const override { return 0; }
  Status status() const override { return s_; }

 private:
  Status s_;
};

class ListImpl final : public Postings {
 public:
  explicit ListImpl(std::vector<uint64_t> refs) : refs_(std::move(refs)) {}
  bool Next() override {
    if (pos_ + 1 >= static_cast<int64_t>(refs_.size())) {
      pos_ = static_cast<int64_t>(refs_.size());
      return false;
    }
    ++pos_;
    return true;
  }
  bool Seek(uint64_t v) override {
    if (pos_ < 0) pos_ = 0;
    if (pos_ >= static_cast<int64_t>(refs_.size())) return false;
    if (refs_[pos_] >= v) return true;
    auto it = std::lower_bound(refs_.begin() + pos_, refs_.end(), v);
    pos_ = it - refs_.begin();
    return it != refs_.end();
  }
  uint64_t At() const override { return refs_[pos_]; }

 private:
  std::vector<uint64_t> refs_;
  int64_t pos_ = -1;
};

class BigEndianImpl final : public Postings {
 public:
  explicit BigEndianImpl(std::string body) : b_(std::move(body)), n_(b_.size() / 4) {}
  bool Next() override {
    if (pos_ + 1 >= static_cast<int64_t>(n_)) {
      pos_ = static_cast<int64_t>(n_);
      return false;
    }
    ++pos_;
    return true;
  }
  bool Seek(uint64_t v) override {
    if (pos_ < 0) pos_ = 0;
    if (pos_ >= static_cast<int64_t>(n_)) return false;
    if (Get(pos_) >= v) return true;
    // Binary search over the remaining fixed-width entries.
    size_t lo = pos_, hi = n_;
    while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;
      if (Get(mid) < v) lo = mid + 1; else hi = mid;
    }
    pos_ = static_cast<int64_t>(lo);
    return lo < n_;
  }
  uint64_t At() const override { return Get(pos_); }

 private:
  uint64_t Get(size_t i) const { return ReadBE32(b_.data() + 4 * i); }
  std::string b_;
  size_t n_;
  int64_t pos_ = -1;
};

class IntersectImpl final : public Postings {
 public:
  explicit IntersectImpl(std::vector<PostingsPtr> its) : its_(std::move(its)) {}
  bool Next() override {
    if (done_) return false;
    if (!its_[0]->Next()) return Finish();
    return Align(its_[0]->At());
  }
  bool Seek(uint64_t v) override {
    if (done_) return false;
    if (started_ && cur_ >= v) return true;
    if (!its_[0]->Seek(v)) return Finish();
    return Align(its_[0]->At());
  }
  uint64_t At() const override { return cur_; }
  Status status() const override {
    for (const auto& it : its_) {
      Status s = it->status();
      if (!s.ok()) return s;
    }
    return Status::Ok();
  }

 private:
  bool Finish() {
    done_ = true;
    return false;
  }
  // Leapfrogs every iterator to the smallest common reference >= target.
  bool Align(uint64_t target) {
    started_ = true;
    for (;;) {
      bool moved = false;
      for (auto& it : its_) {
        if (!it->Seek(target)) return Finish();
        if (it->At() > target) {
          target = it->At();
          moved = true;
        }
      }
      if (!moved) {
        cur_ = target;
        return true;
      }
    }
  }
  std::vector<PostingsPtr> its_;
  uint64_t cur_ = 0;
  bool started_ = false;
  bool done_ = false;
};

class MergeImpl final : public Postings {
 public:
  explicit MergeImpl(std::vector<PostingsPtr> its) : its_(std::move(its)) {}
  bool Next() override {
    if (!initialized_) {
      initialized_ = true;
      for (auto& it : its_) {
        if (it->Next()) heap_.push_back(it.get());
        else if (!it->status().ok()) return false;
      }
      std::make_heap(heap_.begin(), heap_.end(), Greater);
      return PopSmallest();
    }
    if (heap_.empty()) return false;
    return AdvancePast(cur_);
  }
  bool Seek(uint64_t v) override {
    if (!initialized_) {
      initialized_ = true;
      for (auto& it : its_) {
        if (it->Seek(v)) heap_.push_back(it.get());
        else if (!it->status().ok()) return false;
      }
      std::make_heap(heap_.begin(), heap_.end(), Greater);
      return PopSmallest();
    }
    if (has_cur_ && cur_ >= v) return true;
    // Re-seat every live iterator at >= v and rebuild the heap.
    std::vector<Postings*> live;
    for (Postings* p : heap_) {
      if (p->Seek(v)) live.push_back(p);
      else if (!p->status().ok()) return Fail();
    }
    heap_ = std::move(live);
    std::make_heap(heap_.begin(), heap_.end(), Greater);
    return PopSmallest();
  }
  uint64_t At() const override { return cur_; }
  Status status() const override {
    for (const auto& it : its_) {
      Status s = it->status();
      if (!s.ok()) return s;
    }
    return Status::Ok();
  }

 private:
  static bool Greater(const Postings* a, const Postings* b) { return a->At() > b->At(); }
  bool Fail() {
    heap_.clear();
    has_cur_ = false;
    return false;
  }
  bool PopSmallest() {
    if (heap_.empty()) return Fail();
    cur_ = heap_.front()->At();
    has_cur_ = true;
    return true;
  }
  // Moves every iterator sitting at `v` forward, then takes the new smallest.
  bool AdvancePast(uint64_t v) {
    while (!heap_.empty() && heap_.front()->At() <= v) {
      std::pop_heap(heap_.begin(), heap_.end(), Greater);
      Postings* p = heap_.back();
      heap_.pop_back();
      if (p->Next()) {
        heap_.push_back(p);
        std::push_heap(heap_.begin(), heap_.end(), Greater);
      } else if (!p->status().ok()) {
        return Fail();
      }
    }
    return PopSmallest();
  }

  std::vector<PostingsPtr> its_;
  std::vector<Postings*> heap_;  // min-heap by At()
  uint64_t cur_ = 0;
  bool has_cur_ = false;
  bool initialized_ = false;
};

class WithoutImpl final : public Postings {
 public:
  WithoutImpl(PostingsPtr full, PostingsPtr drop) : full_(std::move(full)), drop_(std::move(drop)) {}
  bool Next() override {
    if (!full_->Next()) return false;
    return SkipDropped();
  }
  bool Seek(uint64_t v) override {
    if (!full_->Seek(v)) return false;
    return SkipDropped();
  }
  uint64_t At() const override { return full_->At(); }
  Status status() const override {
    Status s = full_->status();
    return s.ok() ? drop_->status() : s;
  }

 private:
  bool SkipDropped() {
    for (;;) {
      uint64_t v = full_->At();
      if (drop_ok_) {
        if (!drop_->Seek(v)) {
          drop_ok_ = false;
          if (!drop_->status().ok()) return false;
        }
      }
      if (!drop_ok_ || drop_->At() != v) return true;
      if (!full_->Next()) return false;
    }
  }
  PostingsPtr full_;
  PostingsPtr drop_;
  bool drop_ok_ = true;  // false once `drop` is exhausted
};

}  // namespace

PostingsPtr EmptyPostings() { return std::make_unique<EmptyImpl>(); }
PostingsPtr ErrorPostings(Status s) { return std::make_unique<ErrorImpl>(std::move(s)); }
PostingsPtr ListPostings(std::vector<uint64_t> refs) {
  return std::make_unique<ListImpl>(std::move(refs));
}
PostingsPtr BigEndianPostings(std::string body) {
  return std::make_unique<BigEndianImpl>(std::move(body));
}

PostingsPtr Intersect(std::vector<PostingsPtr> its) {
  if (its.empty()) return EmptyPostings();
  if (its.size() == 1) return std::move(its[0]);
  return std::make_unique<IntersectImpl>(std::move(its));
}

PostingsPtr Merge(std::vector<PostingsPtr> its) {
  if (its.empty()) return EmptyPostings();
  if (its.size() == 1) return std::move(its[0]);
  return std::make_unique<MergeImpl>(std::move(its));
}

PostingsPtr Without(PostingsPtr full, PostingsPtr drop) {
  return std::make_unique<WithoutImpl>(std::move(full), std::move(drop));
}

StatusOr<std::vector<uint64_t>> ExpandPostings(Postings& p) {
  std::vector<uint64_t> out;
  while (p.Next()) out.push_back(p.At());
  Status s = p.status();
  if (!s.ok()) return s;
  return out;
}

}  // namespace meridian::tsdb::index
