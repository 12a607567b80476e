#include "promql/engine/histogram_op.h"

#include <cmath>
#include <unordered_map>

#include "model/strings.h"
#include "promql/engine/annotations.h"
#include "promql/engine/functions/histogram_quantile.h"
#include "promql/engine/functions/quantile.h"
#include "promql/engine/range_function.h"

namespace meridian::promql::engine {

namespace {
// Quantile label values as upstream writes them: shortest form, integers with ".0".
std::string QuantileLabel(double q) {
  std::string s = FormatFloatJSON(q);
  if (std::isfinite(q) && s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}
}  // namespace

ClassicHistogramOp::ClassicHistogramOp(QueryContext* ctx, StepRange range, bool fraction,
                                       std::vector<OperatorPtr> params, OperatorPtr in,
                                       PosRange param_pos, PosRange vector_pos)
    : ctx_(ctx), range_(range), fraction_(fraction), param_ops_(std::move(params)),
      in_(std::move(in)), param_pos_(param_pos), vector_pos_(vector_pos) {}

Status ClassicHistogramOp::Init() {
  if (init_) return init_status_;
  init_ = true;
  params_.resize(param_ops_.size());
  for (size_t i = 0; i < param_ops_.size(); ++i) {
    init_status_ = EvalScalarSteps(param_ops_[i].get(), range_.NumSteps(), &params_[i]);
    if (!init_status_.ok()) return init_status_;
  }
  const std::vector<SeriesInfo>* in = nullptr;
  init_status_ = in_->Series(&in);
  if (!init_status_.ok()) return init_status_;
  std::unordered_map<std::string, uint32_t> groups;
  group_of_.assign(in->size(), -1);
  upper_.assign(in->size(), 0);
  metric_name_.resize(in->size());
  const bool delayed = ctx_->opts().enable_delayed_name_removal;
  for (size_t i = 0; i < in->size(); ++i) {
    const Labels& l = (*in)[i].labels;
    metric_name_[i] = std::string(l.MetricName());
    std::optional<double> ub;
    if (l.Has("le")) ub = functions::ParseLeLabel(l.Get("le"));
    if (!ub) continue;
    upper_[i] = *ub;
    Labels g = l.Without("le");
    SeriesInfo si;
    if (delayed) {
      si = SeriesInfo{g, true};
    } else {
      si = SeriesInfo{g.WithoutMetricName(), false};
    }
    std::string key = si.labels.ToString();
    auto [it, ins] = groups.try_emplace(key, static_cast<uint32_t>(series_.size()));
    if (ins) series_.push_back(std::move(si));
    group_of_[i] = it->second;
  }
  num_groups_ = series_.size();
  if (!quantiles_label_.empty()) {
    // Series id = group * num_quantiles + quantile index.
    std::vector<SeriesInfo> groups_only = std::move(series_);
    series_.clear();
    for (const SeriesInfo& g : groups_only) {
      for (const auto& q : params_) {
        SeriesInfo si = g;
        si.labels = LabelsBuilder(g.labels).Set(quantiles_label_, QuantileLabel(q.empty() ? 0 : q[0])).Build();
        series_.push_back(std::move(si));
      }
    }
  }
  return init_status_;
}

Status ClassicHistogramOp::Series(const std::vector<SeriesInfo>** out) {
  Status s = Init();
  *out = &series_;
  return s;
}

Status ClassicHistogramOp::Next(StepBatch* batch) {
  batch->clear();
  Status s = Init();
  if (!s.ok()) return s;
  StepBatch in;
  s = in_->Next(&in);
  if (!s.ok()) return s;
  const std::vector<SeriesInfo>* in_series = nullptr;
  s = in_->Series(&in_series);
  if (!s.ok()) return s;
  batch->resize(in.size());
  std::vector<std::vector<functions::Bucket>> buckets(series_.size());
  std::vector<std::string> names(series_.size());
  for (size_t k = 0; k < in.size(); ++k) {
    const size_t step = step_++;
    StepVector& out = (*batch)[k];
    out.Reset(in[k].t);
    for (auto& b : buckets) b.clear();
    std::vector<uint32_t> order;
    for (size_t j = 0; j < in[k].size(); ++j) {
      const uint32_t id = in[k].ids[j];
      if (group_of_[id] < 0) {
        ctx_->annotations().AddWarning(
            BadBucketLabelWarning(metric_name_[id], std::string((*in_series)[id].labels.Get("le"))),
            vector_pos_);
        continue;
      }
      const uint32_t g = static_cast<uint32_t>(group_of_[id]);
      if (buckets[g].empty()) order.push_back(g);
      buckets[g].push_back(functions::Bucket{upper_[id], in[k].vals[j]});
      names[g] = metric_name_[id];
    }
    const double p0 = params_.empty() ? 0 : params_[0][step];
    if (!quantiles_label_.empty()) {
      for (size_t qi = 0; qi < params_.size(); ++qi) {
        const double q = params_[qi][step];
        if (functions::IsInvalidQuantile(q)) {
          ctx_->annotations().AddWarning(InvalidQuantileWarning(q), param_pos_);
        }
      }
      for (uint32_t g : order) {
        for (size_t qi = 0; qi < params_.size(); ++qi) {
          std::vector<functions::Bucket> b = buckets[g];
          functions::BucketQuantileResult r = functions::BucketQuantile(params_[qi][step], b);
          if (r.forced_monotonicity) {
            ctx_->annotations().AddInfo(HistogramQuantileForcedMonotonicityInfo(names[g]),
                                        vector_pos_);
          }
          out.Push(static_cast<uint32_t>(g * params_.size() + qi), r.value);
        }
      }
      continue;
    }
    if (!fraction_ && functions::IsInvalidQuantile(p0)) {
      ctx_->annotations().AddWarning(InvalidQuantileWarning(p0), param_pos_);
    }
    if (order.empty()) continue;
    for (uint32_t g : order) {
      double v;
      if (fraction_) {
        v = functions::BucketFraction(p0, params_[1][step], buckets[g]);
      } else {
        functions::BucketQuantileResult r = functions::BucketQuantile(p0, buckets[g]);
        v = r.value;
        if (r.forced_monotonicity) {
          ctx_->annotations().AddInfo(HistogramQuantileForcedMonotonicityInfo(names[g]), vector_pos_);
        }
      }
      out.Push(g, v);
    }
  }
  return Status::Ok();
}

}  // namespace meridian::promql::engine
