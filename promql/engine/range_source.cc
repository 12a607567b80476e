#include "promql/engine/range_source.h"

namespace meridian::promql::engine {

Status Materialize(QueryContext* ctx, Operator* op, std::vector<LoadedSeries>* out,
                   SampleReservation* reservation) {
  const std::vector<SeriesInfo>* series = nullptr;
  Status s = op->Series(&series);
  if (!s.ok()) return s;
  out->clear();
  out->resize(series->size());
  for (size_t i = 0; i < series->size(); ++i) {
    const SeriesInfo& si = (*series)[i];
    // Names are dropped here as the inner expression's result would be at its end.
    (*out)[i].labels = si.drop_name ? si.labels.WithoutMetricName() : si.labels;
  }
  StepBatch batch;
  while (true) {
    s = op->Next(&batch);
    if (!s.ok()) return s;
    if (batch.empty()) break;
    for (const StepVector& sv : batch) {
      s = reservation->Add(static_cast<int64_t>(sv.size()));
      if (!s.ok()) return s;
      for (size_t k = 0; k < sv.size(); ++k) {
        LoadedSeries& ls = (*out)[sv.ids[k]];
        ls.ts.push_back(sv.t);
        ls.vs.push_back(sv.vals[k]);
      }
    }
  }
  return Status::Ok();
}

Status SubqueryRangeSource::Load(std::vector<LoadedSeries>* out, SampleReservation* reservation) {
  return Materialize(ctx_, inner_.get(), out, reservation);
}

}  // namespace meridian::promql::engine
