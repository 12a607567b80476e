#include "promql/engine/set_ops.h"

#include <unordered_map>

namespace meridian::promql::engine {

namespace {
std::string SetKey(const Labels& l, const VectorMatching& m) {
  std::string k;
  for (const Label& x : l) {
    bool listed = false;
    for (const auto& n : m.matching_labels) listed = listed || n == x.name;
    if (m.on ? !listed : (listed || x.name == kMetricName)) continue;
    k.append(x.name);
    k.push_back('\xff');
    k.append(x.value);
    k.push_back('\xff');
  }
  return k;
}
}  // namespace

Status SetOp::Init() {
  if (init_) return init_status_;
  init_ = true;
  const std::vector<SeriesInfo>* l = nullptr;
  const std::vector<SeriesInfo>* r = nullptr;
  init_status_ = lhs_->Series(&l);
  if (!init_status_.ok()) return init_status_;
  init_status_ = rhs_->Series(&r);
  if (!init_status_.ok()) return init_status_;
  std::unordered_map<std::string, uint32_t> sigs;
  auto sig_of = [&](const Labels& x) {
    auto [it, ins] = sigs.try_emplace(SetKey(x, matching_), static_cast<uint32_t>(sigs.size()));
    return it->second;
  };
  for (const auto& s : *l) lsig_.push_back(sig_of(s.labels));
  for (const auto& s : *r) rsig_.push_back(sig_of(s.labels));
  seen_.assign(sigs.size(), -1);
  num_left_ = l->size();
  series_ = *l;
  if (op_ == BinaryOp::kOr) series_.insert(series_.end(), r->begin(), r->end());
  return init_status_;
}

Status SetOp::Series(const std::vector<SeriesInfo>** out) {
  Status s = Init();
  *out = &series_;
  return s;
}

Status SetOp::Next(StepBatch* batch) {
  batch->clear();
  Status s = Init();
  if (!s.ok()) return s;
  StepBatch r;
  s = lhs_->Next(batch);
  if (!s.ok()) return s;
  s = rhs_->Next(&r);
  if (!s.ok()) return s;
  for (size_t k = 0; k < batch->size() && k < r.size(); ++k) {
    StepVector& lv = (*batch)[k];
    const StepVector& rv = r[k];
    ++stamp_;
    if (op_ == BinaryOp::kOr) {
      for (uint32_t id : lv.ids) seen_[lsig_[id]] = stamp_;
      for (size_t j = 0; j < rv.size(); ++j) {
        if (seen_[rsig_[rv.ids[j]]] == stamp_) continue;
        lv.Push(static_cast<uint32_t>(num_left_ + rv.ids[j]), rv.vals[j]);
      }
      continue;
    }
    for (uint32_t id : rv.ids) seen_[rsig_[id]] = stamp_;
    const bool want = op_ == BinaryOp::kAnd;
    size_t w = 0;
    for (size_t j = 0; j < lv.size(); ++j) {
      if ((seen_[lsig_[lv.ids[j]]] == stamp_) != want) continue;
      lv.ids[w] = lv.ids[j];
      lv.vals[w] = lv.vals[j];
      ++w;
    }
    lv.ids.resize(w);
    lv.vals.resize(w);
  }
  return Status::Ok();
}

}  // namespace meridian::promql::engine
