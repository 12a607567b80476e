#include "promql/engine/engine.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "promql/engine/function_registry.h"
#include "promql/engine/functions/sort.h"
#include "promql/engine/planner.h"
#include "promql/engine/query_context.h"

namespace meridian::promql::engine {

namespace {

constexpr const char* kDuplicateLabelset = "vector cannot contain metrics with the same labelset";

std::string LabelsKey(const Labels& l) {
  std::string k;
  for (const Label& x : l) {
    k.append(x.name);
    k.push_back('\xff');
    k.append(x.value);
    k.push_back('\xff');
  }
  return k;
}

Labels OutputLabels(const SeriesInfo& si) {
  return si.drop_name ? si.labels.WithoutMetricName() : si.labels;
}

// Applies the top-level sort function (if any) to an instant vector.
bool ApplySort(const Expr& expr, Vector* v) {
  const Expr& e = Unwrap(expr);
  if (e.kind() != NodeKind::kCall) {
    if (e.kind() == NodeKind::kAggregate) {
      auto op = e.As<AggregateExpr>().op;
      return op == AggregateOp::kTopk || op == AggregateOp::kBottomk;
    }
    return false;
  }
  const Call& c = e.As<Call>();
  std::string_view name = c.func->name;
  if (name == "sort") {
    std::stable_sort(v->begin(), v->end(),
                     [](const Sample& a, const Sample& b) { return functions::SortAscLess(a.v, b.v); });
    return true;
  }
  if (name == "sort_desc") {
    std::stable_sort(v->begin(), v->end(), [](const Sample& a, const Sample& b) {
      return functions::SortDescLess(a.v, b.v);
    });
    return true;
  }
  if (name == "sort_by_label" || name == "sort_by_label_desc") {
    std::vector<std::string> names;
    for (size_t i = 1; i < c.args.size(); ++i) {
      const Expr& a = Unwrap(*c.args[i]);
      if (a.kind() == NodeKind::kStringLiteral) names.push_back(a.As<StringLiteral>().value);
    }
    const bool desc = name == "sort_by_label_desc";
    std::stable_sort(v->begin(), v->end(), [&](const Sample& a, const Sample& b) {
      int r = functions::SortByLabelCompare(a.labels, b.labels, names);
      return desc ? r > 0 : r < 0;
    });
    return true;
  }
  return false;
}

// An instant query whose result is a range vector: `x[5m]` or `expr[5m:1m]`.
// Fills a range query's result from an operator that evaluates series by series: each row
// becomes a run of its output series' points, so a series' points are written together
// instead of one step vector at a time across all series.
template <typename OutputOf>
Status CollectRows(Operator* op, const StepRange& range, SampleReservation* res, OutputOf& output_of) {
  class Sink final : public RowSink {
   public:
    Sink(const StepRange& range, SampleReservation* res, OutputOf& output_of)
        : range_(range), res_(res), output_of_(output_of) {}
    void Row(uint32_t id, const double* vals, const uint8_t* present) override {
      if (!status_.ok()) return;
      int64_t count = 0;
      for (size_t k = 0; k < steps_; ++k) count += present[k];
      status_ = res_->Add(count);
      if (!status_.ok()) return;
      SeriesResult& sr = output_of_(id);
      // Several input series with one output label set: their rows interleave in time, which
      // the final check sorts out.
      auto [it, first_owner] = owner_.try_emplace(&sr, id);
      if (it->second != id) merged_.insert(&sr);
      for (size_t k = 0; k < steps_; ++k) {
        if (present[k]) sr.points.push_back(Point{range_.At(first_ + k), vals[k]});
      }
    }
    void SetBlock(size_t first, size_t steps) {
      first_ = first;
      steps_ = steps;
    }
    Status Finish() {
      if (!status_.ok()) return status_;
      for (SeriesResult* sr : merged_) {
        std::stable_sort(sr->points.begin(), sr->points.end(),
                         [](const Point& a, const Point& b) { return a.t < b.t; });
        for (size_t i = 1; i < sr->points.size(); ++i) {
          if (sr->points[i].t == sr->points[i - 1].t) return ExecutionError(kDuplicateLabelset);
        }
      }
      return Status::Ok();
    }

   private:
    const StepRange& range_;
    SampleReservation* res_;
    OutputOf& output_of_;
    size_t first_ = 0, steps_ = 0;
    Status status_;
    std::unordered_map<const SeriesResult*, uint32_t> owner_;
    std::unordered_set<SeriesResult*> merged_;
  };
  Sink sink(range, res, output_of);
  const size_t total = range.NumSteps();
  for (size_t done = 0; done < total;) {
    // The whole range in one block: the result holds every point anyway, and the operator
    // then decodes each series once, in cache.
    sink.SetBlock(done, total - done);
    size_t first = 0, n = 0;
    Status s = op->NextRows(total - done, &first, &n, &sink);
    if (!s.ok()) return s;
    if (n == 0) break;
    if (first != done) return InternalError("range query: rows out of order");
    done += n;
  }
  return sink.Finish();
}

StatusOr<Matrix> EvalRangeVector(Planner* planner, const Expr& expr, int64_t ts) {
  StepRange range{ts, ts, 0};
  auto arg = planner->PlanRangeArg(expr, range, HintScope{});
  if (!arg.ok()) return arg.status();
  std::vector<LoadedSeries> data;
  SampleReservation res(planner->ctx());
  if (auto* st = dynamic_cast<StorageRangeSource*>(arg->source.get())) st->set_stream(false);
  Status s = arg->source->Load(&data, &res);
  if (!s.ok()) return s;
  const int64_t e = (arg->at_ms ? *arg->at_ms : ts) - arg->offset_ms;
  const int64_t start = e - arg->range_ms;
  Matrix m;
  for (auto& d : data) {
    SeriesResult sr;
    sr.labels = d.labels;
    for (size_t i = 0; i < d.ts.size(); ++i) {
      if (d.ts[i] > start && d.ts[i] <= e) sr.points.push_back(Point{d.ts[i], d.vs[i]});
    }
    if (!sr.points.empty()) m.push_back(std::move(sr));
  }
  std::sort(m.begin(), m.end(),
            [](const SeriesResult& a, const SeriesResult& b) { return a.labels < b.labels; });
  return m;
}

}  // namespace

StatusOr<QueryResult> Engine::InstantQuery(storage::Queryable* storage, const Expr& expr,
                                           int64_t ts_ms, const QueryOptions& qopts) const {
  return Exec(storage, expr, ts_ms, ts_ms, 0, true, qopts);
}

StatusOr<QueryResult> Engine::RangeQuery(storage::Queryable* storage, const Expr& expr,
                                         int64_t start_ms, int64_t end_ms, int64_t step_ms,
                                         const QueryOptions& qopts) const {
  if (step_ms <= 0) {
    return BadData("zero or negative query resolution step widths are not accepted. Try a "
                   "positive integer");
  }
  if (end_ms < start_ms) return BadData("end timestamp must not be before start time");
  return Exec(storage, expr, start_ms, end_ms, step_ms, false, qopts);
}

StatusOr<QueryResult> Engine::Exec(storage::Queryable* storage, const Expr& expr, int64_t start,
                                   int64_t end, int64_t step, bool instant,
                                   const QueryOptions& qopts) const {
  EngineOpts opts = opts_;
  if (qopts.lookback_delta_ms && *qopts.lookback_delta_ms > 0) {
    opts.lookback_delta_ms = *qopts.lookback_delta_ms;
  }
  QueryContext ctx(opts, storage, qopts.cancel, qopts.downsampling);
  ctx.BoundStorageBy(qopts.deadline);
  ctx.annotations().SetQuery(qopts.query_text);
  Planner planner(&ctx, start, end, step);
  QueryResult result;
  const ValueType type = expr.type();

  auto finish = [&](QueryResult r) -> StatusOr<QueryResult> {
    r.warnings = ctx.annotations().Warnings();
    r.infos = ctx.annotations().Infos();
    r.samples_processed = ctx.processed_samples();
    r.peak_samples = ctx.peak_samples();
    r.resolutions_read = ctx.resolutions_read().List();
    return r;
  };

  if (type == ValueType::kString) {
    if (!instant) {
      return BadData("invalid expression type \"string\" for range query, must be Scalar or "
                     "instant Vector");
    }
    const Expr& e = Unwrap(expr);
    if (e.kind() != NodeKind::kStringLiteral) return ExecutionError("unexpected string expression");
    result.value = String{start, e.As<StringLiteral>().value};
    return finish(std::move(result));
  }
  if (type == ValueType::kMatrix) {
    if (!instant) {
      return BadData("invalid expression type \"range vector\" for range query, must be Scalar "
                     "or instant Vector");
    }
    auto m = EvalRangeVector(&planner, expr, start);
    if (!m.ok()) return m.status();
    result.value = std::move(*m);
    return finish(std::move(result));
  }

  StepRange range{start, end, instant ? 0 : step};
  auto op = planner.Plan(expr, range);
  if (!op.ok()) return op.status();
  ctx.RunStorageReads();
  const std::vector<SeriesInfo>* series = nullptr;
  Status s = (*op)->Series(&series);
  if (!s.ok()) return s;
  const bool scalar = (*op)->kind() == ValueKind::kScalar;

  // Output labels are computed once per series id, lazily.
  std::vector<Labels> out_labels(series->size());
  std::vector<bool> have_labels(series->size(), false);
  auto labels_of = [&](uint32_t id) -> const Labels& {
    if (!have_labels[id]) {
      out_labels[id] = OutputLabels((*series)[id]);
      have_labels[id] = true;
    }
    return out_labels[id];
  };

  SampleReservation res(&ctx);
  StepBatch batch;
  if (instant) {
    Vector vec;
    std::optional<Scalar> sc;
    while (true) {
      s = (*op)->Next(&batch);
      if (!s.ok()) return s;
      if (batch.empty()) break;
      for (const StepVector& sv : batch) {
        if (scalar) {
          sc = Scalar{sv.t, sv.empty() ? 0 : sv.vals[0]};
          continue;
        }
        for (size_t k = 0; k < sv.size(); ++k) {
          vec.push_back(Sample{labels_of(sv.ids[k]), sv.t, sv.vals[k]});
        }
      }
    }
    if (scalar) {
      result.value = sc.value_or(Scalar{start, 0});
      return finish(std::move(result));
    }
    s = res.Add(static_cast<int64_t>(vec.size()));
    if (!s.ok()) return s;
    std::unordered_map<std::string, int> seen;
    for (const Sample& smp : vec) {
      if (!seen.emplace(LabelsKey(smp.labels), 1).second) return ExecutionError(kDuplicateLabelset);
    }
    result.ordered = ApplySort(expr, &vec);
    result.value = std::move(vec);
    return finish(std::move(result));
  }

  // Range query: one series per distinct output label set.
  Matrix m;
  std::unordered_map<std::string, size_t> index;
  std::vector<int64_t> out_of_id(series->size(), -1);
  // At most one output series per input series: with room for all, references to them stay
  // valid while more are added.
  m.reserve(series->size());
  auto output_of = [&](uint32_t id) -> SeriesResult& {
    if (out_of_id[id] < 0) {
      const Labels& l = labels_of(id);
      auto [it, ins] = index.try_emplace(LabelsKey(l), m.size());
      if (ins) m.push_back(SeriesResult{l, {}});
      out_of_id[id] = static_cast<int64_t>(it->second);
    }
    return m[out_of_id[id]];
  };
  // Rows arrive in series order also when the operator computes them on several workers.
  if (!scalar && (*op)->SupportsRows() && opts.series_major_rows) {
    s = CollectRows(op->get(), range, &res, output_of);
    if (!s.ok()) return s;
  } else {
    while (true) {
      s = (*op)->Next(&batch);
      if (!s.ok()) return s;
      if (batch.empty()) break;
      for (const StepVector& sv : batch) {
        s = res.Add(static_cast<int64_t>(sv.size()));
        if (!s.ok()) return s;
        for (size_t k = 0; k < sv.size(); ++k) {
          SeriesResult& sr = output_of(sv.ids[k]);
          if (!sr.points.empty() && sr.points.back().t == sv.t) {
            return ExecutionError(kDuplicateLabelset);
          }
          sr.points.push_back(Point{sv.t, sv.vals[k]});
        }
      }
    }
  }
  std::sort(m.begin(), m.end(),
            [](const SeriesResult& a, const SeriesResult& b) { return a.labels < b.labels; });
  result.value = std::move(m);
  return finish(std::move(result));
}

}  // namespace meridian::promql::engine
