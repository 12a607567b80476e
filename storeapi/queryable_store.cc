#include "storeapi/queryable_store.h"

#include <algorithm>
#include <set>

#include "storeapi/convert.h"
#include "storeapi/wire_adapters.h"

namespace meridian::storeapi {

namespace {

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

// Series of the inner set with the store's labels applied (OutputLabels), in label order:
// streamed as they come, or, when relabelling can reorder them (a series carrying an
// external label name or a dropped replica label), read whole and sorted once.
class RelabelledSet final : public storage::SeriesSet {
 public:
  struct Options {
    Labels external;
    std::vector<std::string> drop;
    int64_t limit = 0;
    bool resort = false;
  };

  RelabelledSet(std::unique_ptr<storage::Querier> q, std::unique_ptr<storage::SeriesSet> set, Options opts,
                CallContext ctx)
      : querier_(std::move(q)), set_(std::move(set)), opts_(std::move(opts)), ctx_(std::move(ctx)) {}

  bool Next() override {
    if (!status_.ok()) return false;
    if (opts_.limit > 0 && emitted_ >= opts_.limit) return false;
    if (!CheckContext()) return false;
    if (opts_.resort) {
      if (!buffered_done_ && !Buffer()) return false;
      if (next_buffered_ >= buffered_.size()) return false;
      cur_ = std::move(buffered_[next_buffered_++]);
    } else {
      if (!set_->Next()) {
        status_ = set_->status();
        return false;
      }
      Take(set_->At(), &cur_);
    }
    ++emitted_;
    return true;
  }
  storage::Series& At() override { return cur_; }
  Status status() const override { return status_; }
  std::vector<std::string> Warnings() const override { return set_->Warnings(); }
  void Cancel() override { cancelled_.store(true); }

 private:
  // The inner series is not read again: its parts move.
  void Take(storage::Series& in, storage::Series* out) {
    out->labels = OutputLabels(in.labels, opts_.external, opts_.drop);
    out->chunks = std::move(in.chunks);
  }

  bool CheckContext() {
    if (!ctx_.Done() && !cancelled_.load(std::memory_order_relaxed)) return true;
    status_ = Status(StatusCode::kCanceled, "series request canceled or past its deadline");
    return false;
  }

  bool Buffer() {
    buffered_done_ = true;
    while (set_->Next()) {
      if (!CheckContext()) return false;
      buffered_.emplace_back();
      Take(set_->At(), &buffered_.back());
    }
    if (status_ = set_->status(); !status_.ok()) return false;
    // Series that relabelling made equal stay separate and consecutive: partitions of one
    // series, which readers merge (or deduplicate as replicas).
    std::stable_sort(buffered_.begin(), buffered_.end(),
                     [](const storage::Series& a, const storage::Series& b) { return a.labels < b.labels; });
    return true;
  }

  std::unique_ptr<storage::Querier> querier_;  // outlives set_, which may point into it
  std::unique_ptr<storage::SeriesSet> set_;
  Options opts_;
  CallContext ctx_;

  std::atomic<bool> cancelled_{false};
  Status status_;
  int64_t emitted_ = 0;
  storage::Series cur_;
  bool buffered_done_ = false;
  std::vector<storage::Series> buffered_;
  size_t next_buffered_ = 0;
};

}  // namespace

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
  return SeriesViaSelect(*this, req, ctx);
}

std::unique_ptr<storage::SeriesSet> QueryableStore::Select(const SelectRequest& req, const CallContext& ctx) {
  if (req.min_time > req.max_time) {
    return storage::EmptySet(BadData("min_time " + std::to_string(req.min_time) + " is after max_time " +
                                     std::to_string(req.max_time)));
  }
  Matchers inner;
  if (!MatchExternalLabels(opts_.external_labels, req.matchers, &inner)) return storage::EmptySet();
  const std::vector<std::string>& drop = req.without_replica_labels;

  auto querier = db_->NewQuerier(req.min_time, req.max_time);
  // Relabelling keeps the inner order unless a series carries a name we override or drop;
  // ask the source once instead of assuming either way.
  bool resort = false;
  if (!opts_.external_labels.empty() || !drop.empty()) {
    auto names = querier->LabelNames(inner);
    if (!names.ok()) return storage::EmptySet(names.status());
    for (const auto& n : *names) {
      if (opts_.external_labels.Has(n) || std::find(drop.begin(), drop.end(), n) != drop.end()) {
        resort = true;
        break;
      }
    }
  }
  RelabelledSet::Options set_opts{
      .external = opts_.external_labels, .drop = drop, .limit = req.limit, .resort = resort};
  auto set = querier->Select(/*sorted=*/true, req.hints, inner);
  return std::make_unique<RelabelledSet>(std::move(querier), std::move(set), std::move(set_opts), ctx);
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
