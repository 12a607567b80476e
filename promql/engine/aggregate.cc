#include "promql/engine/aggregate.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>

#include "model/strings.h"
#include "promql/engine/annotations.h"
#include "promql/engine/functions/quantile.h"
#include "promql/engine/range_function.h"

namespace meridian::promql::engine {

namespace {

bool SelectsSeries(AggregateOp op) {
  return op == AggregateOp::kTopk || op == AggregateOp::kBottomk || op == AggregateOp::kLimitk ||
         op == AggregateOp::kLimitRatio;
}

Labels GroupLabels(const Labels& l, const AggregateSpec& spec) {
  if (spec.without) {
    std::vector<std::string> drop = spec.grouping;
    drop.emplace_back(kMetricName);
    return l.WithoutNames(drop);
  }
  return l.KeepOnly(spec.grouping);
}

std::string Key(const Labels& l) {
  std::string k;
  for (const Label& x : l) {
    k.append(x.name);
    k.push_back('\xff');
    k.append(x.value);
    k.push_back('\xff');
  }
  return k;
}

// Go's sort order for topk/bottomk output: the k best first; NaN sorts as the worst value.
bool Better(double a, double b, bool top) {
  if (std::isnan(b)) return !std::isnan(a);
  if (std::isnan(a)) return false;
  return top ? a > b : a < b;
}

}  // namespace

AggregateOperator::AggregateOperator(QueryContext* ctx, StepRange range, AggregateSpec spec,
                                     OperatorPtr in, OperatorPtr param)
    : ctx_(ctx), range_(range), spec_(std::move(spec)), in_(std::move(in)),
      param_op_(std::move(param)) {}

std::string AggregateOperator::Name() const {
  return std::string(AggregateOpString(spec_.op)) + "(" + in_->Name() + ")";
}

Status AggregateOperator::Init() {
  if (init_) return init_status_;
  init_ = true;
  if (param_op_) {
    init_status_ = EvalScalarSteps(param_op_.get(), range_.NumSteps(), &params_);
    if (!init_status_.ok()) return init_status_;
  } else {
    params_.assign(range_.NumSteps(), 0);
  }
  init_status_ = in_->Series(&in_series_);
  if (!init_status_.ok()) return init_status_;
  std::unordered_map<std::string, uint32_t> groups;
  group_of_.resize(in_series_->size());
  for (size_t i = 0; i < in_series_->size(); ++i) {
    Labels g = GroupLabels((*in_series_)[i].labels, spec_);
    auto [it, inserted] = groups.try_emplace(Key(g), static_cast<uint32_t>(group_labels_.size()));
    if (inserted) group_labels_.push_back(std::move(g));
    group_of_[i] = it->second;
  }
  if (spec_.op == AggregateOp::kCountValues) {
    init_status_ = RunCountValues();
    return init_status_;
  }
  table_ = MakeReductionTable(spec_.op, &group_of_);
  // Series-major input pays off when the input computes each series from its own samples
  // (the rate family, *_over_time): its windows slide over a whole block of steps in cache.
  // With several workers the input computes runs of series in parallel and still delivers
  // the rows in series order.
  from_rows_ = table_ && in_->SupportsRows() && ctx_->opts().series_major_rows;
  if (SelectsSeries(spec_.op)) {
    series_ = *in_series_;
  } else {
    series_.reserve(group_labels_.size());
    for (const Labels& g : group_labels_) series_.push_back(SeriesInfo{g, false});
    // With delayed name removal a group keeping __name__ (by (__name__)) drops it at the end
    // if any of its members was marked.
    for (size_t i = 0; i < in_series_->size(); ++i) {
      if ((*in_series_)[i].drop_name) series_[group_of_[i]].drop_name = true;
    }
  }
  // Check parameters once for all steps so errors surface before any output.
  for (double p : params_) {
    switch (spec_.op) {
      case AggregateOp::kTopk:
      case AggregateOp::kBottomk:
      case AggregateOp::kLimitk:
        if (std::isnan(p)) {
          init_status_ = ExecutionError("Parameter value is NaN");
          return init_status_;
        }
        if (p >= 9.223372036854775807e18 || p < -9.223372036854775807e18) {
          init_status_ = ExecutionError("Scalar value " + FormatFloatShortest(p) + " overflows int64");
          return init_status_;
        }
        break;
      case AggregateOp::kLimitRatio:
        if (std::isnan(p)) {
          init_status_ = ExecutionError("Ratio value is NaN");
          return init_status_;
        }
        if (p < -1 || p > 1) {
          ctx_->annotations().AddWarning(InvalidRatioWarning(p, p < -1 ? -1 : 1), spec_.param_pos);
        }
        break;
      case AggregateOp::kQuantile:
        if (functions::IsInvalidQuantile(p)) {
          ctx_->annotations().AddWarning(InvalidQuantileWarning(p), spec_.param_pos);
        }
        break;
      default:
        break;
    }
  }
  return init_status_;
}

Status AggregateOperator::Series(const std::vector<SeriesInfo>** out) {
  Status s = Init();
  *out = &series_;
  return s;
}

Status AggregateOperator::Next(StepBatch* batch) {
  batch->clear();
  Status s = Init();
  if (!s.ok()) return s;
  if (spec_.op == AggregateOp::kCountValues) {
    size_t n = std::min<size_t>(ctx_->opts().steps_per_batch, buffered_.size() - buffered_pos_);
    for (size_t i = 0; i < n; ++i) batch->push_back(std::move(buffered_[buffered_pos_++]));
    return Status::Ok();
  }
  if (from_rows_) return NextFromRows(batch);
  StepBatch in;
  s = in_->Next(&in);
  if (!s.ok()) return s;
  batch->resize(in.size());
  for (size_t k = 0; k < in.size(); ++k) {
    double param = step_ < params_.size() ? params_[step_] : 0;
    ++step_;
    (*batch)[k].Reset(in[k].t);
    if (SelectsSeries(spec_.op)) {
      SelectStep(in[k], param, &(*batch)[k]);
    } else {
      ReduceStep(in[k], param, &(*batch)[k]);
    }
  }
  return Status::Ok();
}

void AggregateOperator::ReduceStep(const StepVector& in, double param, StepVector* out) {
  const size_t ng = group_labels_.size();
  if (table_) {
    table_->Reset(ng, 1);
    table_->AddStep(0, in);
    table_->Emit(0, out);
    return;
  }
  if (spec_.op != AggregateOp::kQuantile) return;
  std::vector<std::vector<double>> vals(ng);
  for (size_t k = 0; k < in.size(); ++k) vals[group_of_[in.ids[k]]].push_back(in.vals[k]);
  for (uint32_t g = 0; g < ng; ++g) {
    if (!vals[g].empty()) out->Push(g, functions::Quantile(param, vals[g]));
  }
}

Status AggregateOperator::NextFromRows(StepBatch* batch) {
  const size_t total = range_.NumSteps();
  if (block_pos_ == block_steps_) {
    if (step_ >= total) return Status::Ok();
    // As many steps per block as fit the table's budget: over a whole range query each
    // input series is then evaluated in one pass.
    const size_t ng = std::max<size_t>(group_labels_.size(), 1);
    const size_t want = std::min(total - step_, std::max<size_t>(ctx_->opts().steps_per_batch,
                                                                 kRowBlockSlots / ng));
    table_->Reset(group_labels_.size(), want);
    size_t first = 0, n = 0;
    Status s = in_->NextRows(want, &first, &n, table_.get());
    if (!s.ok()) return s;
    if (n != want || first != step_) {
      return InternalError("aggregation: input delivered steps " + std::to_string(first) + "+" +
                           std::to_string(n) + ", expected " + std::to_string(step_) + "+" +
                           std::to_string(want));
    }
    block_first_ = first;
    block_steps_ = n;
    block_pos_ = 0;
  }
  const size_t n = std::min<size_t>(ctx_->opts().steps_per_batch, block_steps_ - block_pos_);
  batch->resize(n);
  for (size_t k = 0; k < n; ++k, ++block_pos_, ++step_) {
    (*batch)[k].Reset(range_.At(block_first_ + block_pos_));
    table_->Emit(block_pos_, &(*batch)[k]);
  }
  return Status::Ok();
}

void AggregateOperator::SelectStep(const StepVector& in, double param, StepVector* out) {
  const size_t ng = group_labels_.size();
  const AggregateOp op = spec_.op;
  if (op == AggregateOp::kLimitRatio) {
    double ratio = std::clamp(param, -1.0, 1.0);
    for (size_t k = 0; k < in.size(); ++k) {
      // A series' place in [0, 1) comes from its label hash, so the same series stay selected
      // across steps and complementary ratios (r and r-1) split the input.
      double offset = static_cast<double>((*in_series_)[in.ids[k]].labels.Hash()) /
                      static_cast<double>(std::numeric_limits<uint64_t>::max());
      bool keep = ratio >= 0 ? offset < ratio : offset >= 1 + ratio;
      if (keep) out->Push(in.ids[k], in.vals[k]);
    }
    return;
  }
  if (param < 1) return;
  const size_t k_max = static_cast<size_t>(std::min<double>(param, static_cast<double>(in.size())));
  if (op == AggregateOp::kLimitk) {
    std::vector<size_t> taken(ng, 0);
    for (size_t k = 0; k < in.size(); ++k) {
      uint32_t g = group_of_[in.ids[k]];
      if (taken[g] < k_max) {
        ++taken[g];
        out->Push(in.ids[k], in.vals[k]);
      }
    }
    return;
  }
  const bool top = op == AggregateOp::kTopk;
  // Per group, the indexes (into `in`) of the current best k, in input order of arrival.
  std::vector<std::vector<size_t>> best(ng);
  std::vector<uint32_t> order;  // groups in order of first appearance
  for (size_t k = 0; k < in.size(); ++k) {
    uint32_t g = group_of_[in.ids[k]];
    auto& b = best[g];
    if (b.empty()) order.push_back(g);
    if (b.size() < k_max) {
      b.push_back(k);
      continue;
    }
    // Replace the worst kept sample when this one is better.
    size_t worst = 0;
    for (size_t j = 1; j < b.size(); ++j) {
      if (Better(in.vals[b[worst]], in.vals[b[j]], top)) worst = j;
    }
    if (Better(in.vals[k], in.vals[b[worst]], top)) b[worst] = k;
  }
  for (uint32_t g : order) {
    auto& b = best[g];
    std::stable_sort(b.begin(), b.end(),
                     [&](size_t x, size_t y) { return Better(in.vals[x], in.vals[y], top); });
    for (size_t idx : b) out->Push(in.ids[idx], in.vals[idx]);
  }
}

Status AggregateOperator::RunCountValues() {
  const std::string& label = spec_.count_values_label;
  std::unordered_map<std::string, uint32_t> out_ids;
  StepBatch in;
  while (true) {
    Status s = in_->Next(&in);
    if (!s.ok()) return s;
    if (in.empty()) break;
    for (const StepVector& sv : in) {
      // Per step: (output id) -> count, keeping first-appearance order.
      std::unordered_map<uint32_t, double> counts;
      std::vector<uint32_t> order;
      for (size_t k = 0; k < sv.size(); ++k) {
        const Labels& g = group_labels_[group_of_[sv.ids[k]]];
        Labels l = LabelsBuilder(g).Set(label, FormatFloatJSON(sv.vals[k])).Build();
        auto [it, inserted] = out_ids.try_emplace(Key(l), static_cast<uint32_t>(series_.size()));
        if (inserted) series_.push_back(SeriesInfo{std::move(l), false});
        if (counts[it->second]++ == 0) order.push_back(it->second);
      }
      StepVector o;
      o.Reset(sv.t);
      for (uint32_t id : order) o.Push(id, counts[id]);
      buffered_.push_back(std::move(o));
    }
  }
  return Status::Ok();
}

}  // namespace meridian::promql::engine
