#include "promql/engine/binary.h"

#include <cmath>
#include <unordered_map>

#include "model/strings.h"
#include "promql/engine/range_function.h"

namespace meridian::promql::engine {

namespace {

// Prometheus's labels.String(): {name="value", ...} with __name__ as an ordinary label.
std::string PromLabelsString(const Labels& l) {
  std::string s = "{";
  bool first = true;
  for (const Label& x : l) {
    if (!first) s += ", ";
    first = false;
    s += x.name;
    s += "=";
    s += GoQuote(x.value);
  }
  return s + "}";
}

std::string MatchKey(const Labels& l, const VectorMatching& m) {
  std::string k;
  for (const Label& x : l) {
    bool listed = false;
    for (const auto& n : m.matching_labels) {
      if (n == x.name) {
        listed = true;
        break;
      }
    }
    if (m.on ? !listed : (listed || x.name == kMetricName)) continue;
    k.append(x.name);
    k.push_back('\xff');
    k.append(x.value);
    k.push_back('\xff');
  }
  return k;
}

Labels MatchLabels(const Labels& l, const VectorMatching& m) {
  if (m.on) return l.KeepOnly(m.matching_labels);
  std::vector<std::string> drop = m.matching_labels;
  drop.emplace_back(kMetricName);
  return l.WithoutNames(drop);
}

}  // namespace

double ApplyBinary(BinaryOp op, double l, double r, bool* keep) {
  *keep = true;
  switch (op) {
    case BinaryOp::kAdd: return l + r;
    case BinaryOp::kSub: return l - r;
    case BinaryOp::kMul: return l * r;
    case BinaryOp::kDiv: return l / r;
    case BinaryOp::kMod: return std::fmod(l, r);
    case BinaryOp::kPow: return std::pow(l, r);
    case BinaryOp::kAtan2: return std::atan2(l, r);
    case BinaryOp::kEql: *keep = l == r; return l;
    case BinaryOp::kNeq: *keep = l != r; return l;
    case BinaryOp::kGtr: *keep = l > r; return l;
    case BinaryOp::kLss: *keep = l < r; return l;
    case BinaryOp::kGte: *keep = l >= r; return l;
    case BinaryOp::kLte: *keep = l <= r; return l;
    default: *keep = false; return 0;
  }
}

bool BinaryDropsName(BinaryOp op, bool return_bool) {
  return return_bool || !IsComparisonOperator(op);
}

Status ScalarBinaryOp::Next(StepBatch* batch) {
  StepBatch r;
  Status s = lhs_->Next(batch);
  if (!s.ok()) return s;
  s = rhs_->Next(&r);
  if (!s.ok()) return s;
  for (size_t k = 0; k < batch->size() && k < r.size(); ++k) {
    StepVector& sv = (*batch)[k];
    double lv = sv.empty() ? std::nan("") : sv.vals[0];
    double rv = r[k].empty() ? std::nan("") : r[k].vals[0];
    bool keep;
    double v = ApplyBinary(op_, lv, rv, &keep);
    // Scalar comparisons only parse with `bool`.
    if (IsComparisonOperator(op_)) v = keep ? 1 : 0;
    sv.Reset(sv.t);
    sv.Push(0, v);
  }
  return Status::Ok();
}

VectorScalarBinaryOp::VectorScalarBinaryOp(QueryContext* ctx, StepRange range, BinaryOp op,
                                           bool return_bool, OperatorPtr vector,
                                           OperatorPtr scalar, bool scalar_is_lhs)
    : ctx_(ctx), range_(range), op_(op), return_bool_(return_bool), vector_(std::move(vector)),
      scalar_(std::move(scalar)), scalar_is_lhs_(scalar_is_lhs) {}

Status VectorScalarBinaryOp::Init() {
  if (init_) return init_status_;
  init_ = true;
  init_status_ = EvalScalarSteps(scalar_.get(), range_.NumSteps(), &scalar_vals_);
  if (!init_status_.ok()) return init_status_;
  const std::vector<SeriesInfo>* in = nullptr;
  init_status_ = vector_->Series(&in);
  if (!init_status_.ok()) return init_status_;
  series_ = *in;
  if (BinaryDropsName(op_, return_bool_)) {
    for (auto& s : series_) {
      if (ctx_->opts().enable_delayed_name_removal) {
        s.drop_name = true;
      } else {
        s.labels = s.labels.WithoutMetricName();
      }
    }
  }
  return init_status_;
}

Status VectorScalarBinaryOp::Series(const std::vector<SeriesInfo>** out) {
  Status s = Init();
  *out = &series_;
  return s;
}

Status VectorScalarBinaryOp::Next(StepBatch* batch) {
  Status s = Init();
  if (!s.ok()) return s;
  s = vector_->Next(batch);
  if (!s.ok()) return s;
  const bool cmp = IsComparisonOperator(op_);
  for (StepVector& sv : *batch) {
    const double sc = step_ < scalar_vals_.size() ? scalar_vals_[step_] : std::nan("");
    ++step_;
    size_t w = 0;
    for (size_t k = 0; k < sv.size(); ++k) {
      const double x = sv.vals[k];
      bool keep;
      double v = scalar_is_lhs_ ? ApplyBinary(op_, sc, x, &keep) : ApplyBinary(op_, x, sc, &keep);
      // A filtering comparison always returns the vector's sample, whichever side it is on.
      if (cmp && scalar_is_lhs_) v = x;
      if (return_bool_) {
        v = keep ? 1 : 0;
      } else if (!keep) {
        continue;
      }
      sv.ids[w] = sv.ids[k];
      sv.vals[w] = v;
      ++w;
    }
    sv.ids.resize(w);
    sv.vals.resize(w);
  }
  return Status::Ok();
}

VectorBinaryOp::VectorBinaryOp(QueryContext* ctx, BinaryOp op, bool return_bool,
                               VectorMatching matching, OperatorPtr lhs, OperatorPtr rhs)
    : ctx_(ctx), op_(op), return_bool_(return_bool), matching_(std::move(matching)),
      lhs_(std::move(lhs)), rhs_(std::move(rhs)) {}

Status VectorBinaryOp::Init() {
  if (init_) return init_status_;
  init_ = true;
  const std::vector<SeriesInfo>* l = nullptr;
  const std::vector<SeriesInfo>* r = nullptr;
  init_status_ = lhs_->Series(&l);
  if (!init_status_.ok()) return init_status_;
  init_status_ = rhs_->Series(&r);
  if (!init_status_.ok()) return init_status_;
  swapped_ = matching_.card == Cardinality::kOneToMany;
  many_series_ = swapped_ ? r : l;
  one_series_ = swapped_ ? l : r;

  std::unordered_map<std::string, uint32_t> sigs;
  auto sig_of = [&](const Labels& x) {
    auto [it, ins] = sigs.try_emplace(MatchKey(x, matching_), static_cast<uint32_t>(sigs.size()));
    return it->second;
  };
  many_sig_.resize(many_series_->size());
  for (size_t i = 0; i < many_series_->size(); ++i) many_sig_[i] = sig_of((*many_series_)[i].labels);
  one_sig_.resize(one_series_->size());
  for (size_t i = 0; i < one_series_->size(); ++i) one_sig_[i] = sig_of((*one_series_)[i].labels);
  num_sigs_ = sigs.size();

  const bool drop = BinaryDropsName(op_, return_bool_);
  const bool delayed = ctx_->opts().enable_delayed_name_removal;
  std::unordered_map<std::string, uint32_t> out_ids;
  auto result_series = [&](const SeriesInfo& many, const SeriesInfo* one) -> uint32_t {
    SeriesInfo o;
    o.drop_name = many.drop_name;
    LabelsBuilder b(many.labels);
    if (drop) {
      if (delayed) {
        o.drop_name = true;
      } else {
        b.Del(kMetricName);
      }
    }
    if (matching_.card == Cardinality::kOneToOne) {
      if (matching_.on) {
        for (const Label& x : many.labels) {
          bool keep = false;
          for (const auto& n : matching_.matching_labels) keep = keep || n == x.name;
          if (!keep) b.Del(x.name);
        }
      } else {
        for (const auto& n : matching_.matching_labels) b.Del(n);
      }
    }
    if (one != nullptr) {
      for (const auto& n : matching_.include) {
        if (one->labels.Has(n)) {
          b.Set(n, one->labels.Get(n));
        } else {
          b.Del(n);
        }
      }
    }
    o.labels = b.Build();
    std::string key = o.labels.ToString();
    key.push_back(o.drop_name ? '1' : '0');
    auto [it, ins] = out_ids.try_emplace(key, static_cast<uint32_t>(series_.size()));
    if (ins) series_.push_back(std::move(o));
    return it->second;
  };

  if (matching_.include.empty()) {
    out_by_many_.resize(many_series_->size());
    for (size_t i = 0; i < many_series_->size(); ++i) {
      out_by_many_[i] = result_series((*many_series_)[i], nullptr);
    }
  } else {
    std::vector<std::vector<uint32_t>> ones_by_sig(num_sigs_);
    for (size_t j = 0; j < one_series_->size(); ++j) ones_by_sig[one_sig_[j]].push_back(j);
    out_by_pair_.resize(many_series_->size());
    for (size_t i = 0; i < many_series_->size(); ++i) {
      for (uint32_t j : ones_by_sig[many_sig_[i]]) {
        out_by_pair_[i].emplace_back(j, result_series((*many_series_)[i], &(*one_series_)[j]));
      }
    }
  }
  if (matching_.fill_lhs) {
    // A one-side series standing alone: its own labels, shaped like a one-to-one result, and
    // without a name since there is no left-hand metric to keep.
    out_by_one_.resize(one_series_->size());
    for (size_t j = 0; j < one_series_->size(); ++j) {
      SeriesInfo si = (*one_series_)[j];
      si.labels = si.labels.WithoutMetricName();
      si.drop_name = false;
      out_by_one_[j] = result_series(si, nullptr);
    }
  }
  one_slot_.assign(num_sigs_, -1);
  many_seen_.assign(num_sigs_, -1);
  sig_matched_.assign(num_sigs_, -1);
  out_seen_.assign(series_.size(), -1);
  return init_status_;
}

Status VectorBinaryOp::Series(const std::vector<SeriesInfo>** out) {
  Status s = Init();
  *out = &series_;
  return s;
}

Status VectorBinaryOp::Next(StepBatch* batch) {
  batch->clear();
  Status s = Init();
  if (!s.ok()) return s;
  StepBatch l, r;
  s = lhs_->Next(&l);
  if (!s.ok()) return s;
  s = rhs_->Next(&r);
  if (!s.ok()) return s;
  batch->resize(std::min(l.size(), r.size()));
  for (size_t k = 0; k < batch->size(); ++k) {
    (*batch)[k].Reset(l[k].t);
    s = Step(l[k], r[k], &(*batch)[k]);
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

Status VectorBinaryOp::Step(const StepVector& l, const StepVector& r, StepVector* out) {
  const StepVector& many = swapped_ ? r : l;
  const StepVector& one = swapped_ ? l : r;
  ++stamp_;
  for (size_t k = 0; k < one.size(); ++k) {
    uint32_t sig = one_sig_[one.ids[k]];
    if (one_slot_[sig] >= 0) {
      // Reported in label order so the message is stable.
      Labels cur = (*one_series_)[one.ids[k]].labels;
      Labels prev = (*one_series_)[one.ids[one_slot_[sig]]].labels;
      if (prev < cur) std::swap(cur, prev);
      for (size_t j = 0; j < one.size(); ++j) one_slot_[one_sig_[one.ids[j]]] = -1;
      return ExecutionError("found duplicate series for the match group " +
                            PromLabelsString(MatchLabels(cur, matching_)) + " on the " +
                            (swapped_ ? "left" : "right") + " hand-side of the operation: [" +
                            PromLabelsString(cur) + ", " + PromLabelsString(prev) +
                            "];many-to-many matching not allowed: matching labels must be unique "
                            "on one side");
    }
    one_slot_[sig] = static_cast<int64_t>(k);
  }
  Status status;
  for (size_t k = 0; k < many.size(); ++k) {
    const uint32_t mid = many.ids[k];
    const uint32_t sig = many_sig_[mid];
    const int64_t slot = one_slot_[sig];
    if (slot < 0) {
      // fill_right(v): a left sample without partner meets v.
      if (matching_.fill_rhs && !swapped_) {
        bool keep;
        double v = ApplyBinary(op_, many.vals[k], *matching_.fill_rhs, &keep);
        if (return_bool_) {
          v = keep ? 1 : 0;
        } else if (!keep) {
          continue;
        }
        out->Push(out_by_many_[mid], v);
      }
      continue;
    }
    sig_matched_[sig] = stamp_;
    const uint32_t oid = one.ids[slot];
    double lv = many.vals[k], rv = one.vals[slot];
    if (swapped_) std::swap(lv, rv);
    // Duplicates on the many side are an error even when the comparison would filter them.
    if (matching_.card == Cardinality::kOneToOne) {
      if (many_seen_[sig] == stamp_) {
        status = ExecutionError(
            "multiple matches for labels: many-to-one matching must be explicit "
            "(group_left/group_right)");
        break;
      }
      many_seen_[sig] = stamp_;
    }
    bool keep;
    double v = ApplyBinary(op_, lv, rv, &keep);
    if (return_bool_) {
      v = keep ? 1 : 0;
    } else if (!keep) {
      continue;
    }
    uint32_t out_id;
    if (matching_.include.empty()) {
      out_id = out_by_many_[mid];
    } else {
      out_id = UINT32_MAX;
      for (const auto& [j, o] : out_by_pair_[mid]) {
        if (j == oid) {
          out_id = o;
          break;
        }
      }
      if (out_id == UINT32_MAX) continue;  // cannot happen: pairs cover every match
    }
    if (out_seen_[out_id] == stamp_) {
      status = ExecutionError("multiple matches for labels: grouping labels must ensure unique matches");
      break;
    }
    out_seen_[out_id] = stamp_;
    out->Push(out_id, v);
  }
  if (status.ok() && matching_.fill_lhs && !swapped_) {
    // fill_left(v): a right sample without partner meets v on the left.
    for (size_t j = 0; j < one.size(); ++j) {
      if (sig_matched_[one_sig_[one.ids[j]]] == stamp_) continue;
      bool keep;
      double v = ApplyBinary(op_, *matching_.fill_lhs, one.vals[j], &keep);
      if (return_bool_) {
        v = keep ? 1 : 0;
      } else if (!keep) {
        continue;
      }
      out->Push(out_by_one_[one.ids[j]], v);
    }
  }
  for (size_t j = 0; j < one.size(); ++j) one_slot_[one_sig_[one.ids[j]]] = -1;
  return status;
}

}  // namespace meridian::promql::engine
