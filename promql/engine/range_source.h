#pragma once
// Where a range-vector function gets its samples: decoded storage chunks (matrix selector)
// or the evaluated inner expression of a subquery. Either way the result is, per series, one
// ascending array of samples covering every window the function will look at.

#include <memory>
#include <vector>

#include "promql/engine/operator.h"
#include "promql/engine/query_context.h"
#include "promql/engine/series_loader.h"

namespace meridian::promql::engine {

class RangeSource {
 public:
  virtual ~RangeSource() = default;
  virtual Status Load(std::vector<LoadedSeries>* out, SampleReservation* reservation) = 0;
  virtual std::string Name() const = 0;
  // Whether Load reads from storage (and may run ahead of evaluation, with the query's other
  // storage reads).
  virtual bool ReadsStorage() const { return false; }
};

class StorageRangeSource final : public RangeSource {
 public:
  StorageRangeSource(QueryContext* ctx, SelectorSpec spec, int64_t mint, int64_t maxt)
      : ctx_(ctx), spec_(std::move(spec)), mint_(mint), maxt_(maxt) {}
  Status Load(std::vector<LoadedSeries>* out, SampleReservation* reservation) override {
    return LoadSeries(ctx_, spec_, mint_, maxt_, /*drop_stale=*/true, out, reservation,
                      /*stream=*/stream_);
  }
  std::string Name() const override { return "matrix_selector"; }
  bool ReadsStorage() const override { return true; }
  // A top-level range vector reads everything at once.
  void set_stream(bool s) { stream_ = s; }

 private:
  bool stream_ = true;
  QueryContext* ctx_;
  SelectorSpec spec_;
  int64_t mint_, maxt_;
};

// Runs the inner operator over its own step grid and collects its output per series.
// Prometheus aligns subquery steps to absolute multiples of the subquery step; the planner
// builds the inner grid that way.
class SubqueryRangeSource final : public RangeSource {
 public:
  SubqueryRangeSource(QueryContext* ctx, OperatorPtr inner) : ctx_(ctx), inner_(std::move(inner)) {}
  Status Load(std::vector<LoadedSeries>* out, SampleReservation* reservation) override;
  std::string Name() const override { return "subquery(" + inner_->Name() + ")"; }

 private:
  QueryContext* ctx_;
  OperatorPtr inner_;
};

// Drains an operator completely into per-series arrays (series without samples are kept,
// empty). Used by subqueries and by operators that need their whole input first.
Status Materialize(QueryContext* ctx, Operator* op, std::vector<LoadedSeries>* out,
                   SampleReservation* reservation);

}  // namespace meridian::promql::engine
