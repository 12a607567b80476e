#include "storeapi/queryable_store.h"

#include <algorithm>
#include <set>

#include "storeapi/convert.h"

namespace meridian::storeapi {

namespace {

class StatusStream : public SeriesStream {
 public:
  explicit StatusStream(Status s) : status_(std::move(s)) {}
  bool Next(thanos::SeriesResponse*) override { return false; }
  Status status() const override { return status_; }

 private:
  Status status_;
};

// The labels a series carries on the wire: its own, overridden by the external labels, minus
// the replica labels the caller asked to drop.
// Both sets are sorted, so one merge pass builds it: linear in their sizes, however many
// external labels a block carries (a meta.json with 400,000 of them once took minutes here).
Labels OutputLabels(const Labels& series, const Labels& external, const std::vector<std::string>& drop) {
  if (external.empty() && drop.empty()) return series;
  std::vector<std::string_view> dropped(drop.begin(), drop.end());
  std::sort(dropped.begin(), dropped.end());
  auto keep = [&](const Label& l) { return !l.value.empty() && !std::binary_search(dropped.begin(), dropped.end(), l.name); };
  std::vector<Label> out;
  out.reserve(series.size() + external.size());
  auto s = series.begin(), e = external.begin();
  while (s != series.end() || e != external.end()) {
    if (e == external.end() || (s != series.end() && s->name < e->name)) {
      if (keep(*s)) out.push_back(*s);
      ++s;
    } else {
      if (s != series.end() && s->name == e->name) ++s;  // the external label wins
      if (keep(*e)) out.push_back(*e);
      ++e;
    }
  }
  return Labels::FromSorted(std::move(out));
}

// Streams series from the inner set in order, or, when relabelling can reorder them
// (a series carrying an external label name or a dropped replica label), reads them all and
// sorts once. The inner set's warnings follow the last series.
class QueryableSeriesStream : public SeriesStream {
 public:
  struct Options {
    Labels external;
    std::vector<std::string> drop;
    bool skip_chunks = false;
    // SeriesRequest.aggregates: the sub-chunks of aggregate (downsampled) chunks to send.
    AggregateSet aggregates;
    int64_t limit = 0;
    int64_t batch = 1;
    bool resort = false;
  };

  QueryableSeriesStream(std::unique_ptr<storage::Querier> q, std::unique_ptr<storage::SeriesSet> set,
                        Options opts, CallContext ctx)
      : querier_(std::move(q)), set_(std::move(set)), opts_(std::move(opts)), ctx_(std::move(ctx)) {
    opts_.batch = std::max<int64_t>(opts_.batch, 1);
  }

  bool Next(thanos::SeriesResponse* out) override {
    out->Clear();
    if (phase_ == Phase::kStart) {
      phase_ = Phase::kSeries;
      if (opts_.resort && !Buffer()) return false;
    }
    if (phase_ == Phase::kSeries) {
      if (FillSeries(out)) return true;
      if (!status_.ok()) return false;
      warnings_ = set_->Warnings();
      phase_ = Phase::kWarnings;
    }
    if (phase_ == Phase::kWarnings && next_warning_ < warnings_.size()) {
      out->set_warning(warnings_[next_warning_++]);
      return true;
    }
    phase_ = Phase::kDone;
    return false;
  }

  Status status() const override { return status_; }
  void Cancel() override { cancelled_.store(true); }

 private:
  enum class Phase { kStart, kSeries, kWarnings, kDone };

  // One series, or a batch of up to opts_.batch series when the caller asked for batches.
  bool FillSeries(thanos::SeriesResponse* out) {
    if (opts_.batch == 1) {
      thanos::Series s;
      if (!NextSeries(&s)) return false;
      *out->mutable_series() = std::move(s);
      return true;
    }
    auto* b = out->mutable_batch();
    for (int64_t i = 0; i < opts_.batch; ++i) {
      thanos::Series s;
      if (!NextSeries(&s)) break;
      *b->add_series() = std::move(s);
    }
    return status_.ok() && b->series_size() > 0;
  }

  bool Convert(const storage::Series& in, thanos::Series* out) {
    LabelsToProto(OutputLabels(in.labels, opts_.external, opts_.drop), out->mutable_labels());
    if (opts_.skip_chunks) return true;
    for (const auto& c : in.chunks) {
      if (Status s = ChunkToProto(c, opts_.aggregates, out->add_chunks()); !s.ok()) {
        status_ = s;
        return false;
      }
    }
    return true;
  }

  bool CheckContext() {
    if (!ctx_.Done() && !cancelled_.load(std::memory_order_relaxed)) return true;
    status_ = Status(StatusCode::kCanceled, "series request canceled or past its deadline");
    return false;
  }

  bool NextSeries(thanos::Series* out) {
    if (opts_.limit > 0 && emitted_ >= opts_.limit) return false;
    if (!CheckContext()) return false;
    if (opts_.resort) {
      if (next_buffered_ >= buffered_.size()) return false;
      *out = std::move(buffered_[next_buffered_++]);
    } else {
      if (!set_->Next()) {
        status_ = set_->status();
        return false;
      }
      if (!Convert(set_->At(), out)) return false;
    }
    ++emitted_;
    return true;
  }

  bool Buffer() {
    std::vector<std::pair<Labels, thanos::Series>> all;
    while (set_->Next()) {
      thanos::Series s;
      if (!Convert(set_->At(), &s) || !CheckContext()) return false;
      all.emplace_back(LabelsFromProto(s.labels()), std::move(s));
    }
    if (status_ = set_->status(); !status_.ok()) return false;
    // Series that relabelling made equal stay separate and consecutive: partitions of one
    // series, which readers merge (or deduplicate as replicas).
    std::stable_sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& entry : all) buffered_.push_back(std::move(entry.second));
    return true;
  }

  std::unique_ptr<storage::Querier> querier_;  // outlives set_, which may point into it
  std::unique_ptr<storage::SeriesSet> set_;
  Options opts_;
  CallContext ctx_;

  std::atomic<bool> cancelled_{false};
  Phase phase_ = Phase::kStart;
  Status status_;
  int64_t emitted_ = 0;
  std::vector<std::string> warnings_;
  size_t next_warning_ = 0;
  std::vector<thanos::Series> buffered_;
  size_t next_buffered_ = 0;
};

}  // namespace

std::unique_ptr<SeriesStream> ErrorStream(Status status) {
  return std::make_unique<StatusStream>(std::move(status));
}

bool MatchExternalLabels(const Labels& external, const Matchers& matchers, Matchers* inner) {
  inner->clear();
  for (const auto& m : matchers) {
    if (external.Has(m->name())) {
      if (!m->Matches(external.Get(m->name()))) return false;
      continue;
    }
    inner->push_back(m);
  }
  return true;
}

QueryableStore::QueryableStore(std::shared_ptr<storage::Queryable> db, QueryableStoreOptions opts)
    : db_(std::move(db)), opts_(std::move(opts)) {}

StatusOr<thanos::info::InfoResponse> QueryableStore::Info(const CallContext&) {
  thanos::info::InfoResponse r;
  LabelsToProto(opts_.external_labels, r.add_label_sets()->mutable_labels());
  r.set_componenttype(opts_.component_type);
  auto* s = r.mutable_store();
  s->set_min_time(opts_.min_time);
  s->set_max_time(opts_.max_time);
  s->set_supports_without_replica_labels(true);
  return r;
}

std::unique_ptr<SeriesStream> QueryableStore::Series(const thanos::SeriesRequest& req, const CallContext& ctx) {
  if (req.min_time() > req.max_time()) {
    return ErrorStream(BadData("min_time " + std::to_string(req.min_time()) + " is after max_time " +
                               std::to_string(req.max_time())));
  }
  auto matchers = MatchersFromProto(req.matchers());
  if (!matchers.ok()) return ErrorStream(matchers.status());
  Matchers inner;
  if (!MatchExternalLabels(opts_.external_labels, *matchers, &inner)) {
    return ErrorStream(Status::Ok());
  }
  std::vector<std::string> drop(req.without_replica_labels().begin(), req.without_replica_labels().end());

  auto querier = db_->NewQuerier(req.min_time(), req.max_time());
  // Relabelling keeps the inner order unless a series carries a name we override or drop;
  // ask the source once instead of assuming either way.
  bool resort = false;
  if (!opts_.external_labels.empty() || !drop.empty()) {
    auto names = querier->LabelNames(inner);
    if (!names.ok()) return ErrorStream(names.status());
    for (const auto& n : *names) {
      if (opts_.external_labels.Has(n) || std::find(drop.begin(), drop.end(), n) != drop.end()) {
        resort = true;
        break;
      }
    }
  }
  QueryableSeriesStream::Options stream_opts{.external = opts_.external_labels,
                                             .drop = std::move(drop),
                                             .skip_chunks = req.skip_chunks(),
                                             .aggregates = AggregatesFromProto(req.aggregates()),
                                             .limit = req.limit(),
                                             .batch = req.response_batch_size(),
                                             .resort = resort};
  auto set = querier->Select(/*sorted=*/true, HintsFromProto(req), inner);
  return std::make_unique<QueryableSeriesStream>(std::move(querier), std::move(set),
                                                 std::move(stream_opts), ctx);
}

StatusOr<thanos::LabelNamesResponse> QueryableStore::LabelNames(const thanos::LabelNamesRequest& req,
                                                                const CallContext&) {
  auto matchers = MatchersFromProto(req.matchers());
  if (!matchers.ok()) return matchers.status();
  thanos::LabelNamesResponse resp;
  Matchers inner;
  if (!MatchExternalLabels(opts_.external_labels, *matchers, &inner)) return resp;
  auto querier = db_->NewQuerier(req.start(), req.end());
  auto names = querier->LabelNames(inner);
  if (!names.ok()) return names.status();
  if (names->empty()) return resp;  // no series: the external labels describe nothing here
  std::set<std::string> all(names->begin(), names->end());
  for (const auto& l : opts_.external_labels) all.insert(l.name);
  for (const auto& d : req.without_replica_labels()) all.erase(d);
  for (const auto& n : all) {
    if (req.limit() > 0 && resp.names_size() >= req.limit()) break;
    resp.add_names(n);
  }
  return resp;
}

StatusOr<thanos::LabelValuesResponse> QueryableStore::LabelValues(const thanos::LabelValuesRequest& req,
                                                                  const CallContext&) {
  auto matchers = MatchersFromProto(req.matchers());
  if (!matchers.ok()) return matchers.status();
  thanos::LabelValuesResponse resp;
  for (const auto& d : req.without_replica_labels()) {
    if (d == req.label()) return resp;
  }
  Matchers inner;
  if (!MatchExternalLabels(opts_.external_labels, *matchers, &inner)) return resp;
  auto querier = db_->NewQuerier(req.start(), req.end());
  if (opts_.external_labels.Has(req.label())) {
    // Every series here carries the external value, provided any series matches at all.
    auto names = querier->LabelNames(inner);
    if (!names.ok()) return names.status();
    if (!names->empty()) resp.add_values(std::string(opts_.external_labels.Get(req.label())));
    return resp;
  }
  auto values = querier->LabelValues(req.label(), inner);
  if (!values.ok()) return values.status();
  for (const auto& v : *values) {
    if (req.limit() > 0 && resp.values_size() >= req.limit()) break;
    resp.add_values(v);
  }
  return resp;
}

}  // namespace meridian::storeapi
