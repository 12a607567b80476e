#include "storeapi/sidecar/prometheus_store.h"

#include <algorithm>
#include <set>

#include "storeapi/convert.h"
#include "storeapi/queryable_store.h"
#include "storeapi/sidecar/remote_read_stream.h"

namespace meridian::storeapi::sidecar {

namespace {

// Labels-only answers (skip_chunks) are small; they are sorted here and replayed.
class VectorStream : public SeriesStream {
 public:
  explicit VectorStream(std::vector<thanos::Series> series) : series_(std::move(series)) {}
  bool Next(thanos::SeriesResponse* out) override {
    out->Clear();
    if (next_ >= series_.size()) return false;
    *out->mutable_series() = std::move(series_[next_++]);
    return true;
  }
  Status status() const override { return Status::Ok(); }

 private:
  std::vector<thanos::Series> series_;
  size_t next_ = 0;
};

Labels Relabel(const Labels& in, const Labels& external, const std::vector<std::string>& drop) {
  LabelsBuilder b(in);
  for (const auto& l : external) b.Set(l.name, l.value);
  for (const auto& d : drop) b.Del(d);
  return b.Build();
}

prometheus::LabelMatcher::Type ToPromType(MatchType t) {
  switch (t) {
    case MatchType::kEqual: return prometheus::LabelMatcher::EQ;
    case MatchType::kNotEqual: return prometheus::LabelMatcher::NEQ;
    case MatchType::kRegexp: return prometheus::LabelMatcher::RE;
    case MatchType::kNotRegexp: return prometheus::LabelMatcher::NRE;
  }
  return prometheus::LabelMatcher::EQ;
}

}  // namespace

PrometheusStore::PrometheusStore(std::shared_ptr<const PrometheusClient> client,
                                 std::shared_ptr<PrometheusMetadata> metadata, PrometheusStoreOptions opts)
    : client_(std::move(client)), metadata_(std::move(metadata)), opts_(std::move(opts)) {
  if (opts_.name.empty()) opts_.name = "sidecar for " + client_->base_url();
}

Status PrometheusStore::CheckReady() const {
  if (metadata_->Ready()) return Status::Ok();
  return UnavailableError("sidecar: Prometheus at " + client_->base_url() +
                          " is not ready: " + metadata_->NotReadyReason());
}

Status PrometheusStore::Observe(const Status& s) const {
  if (s.code() == StatusCode::kUnavailable || s.code() == StatusCode::kTimeout) metadata_->ReportFailure(s);
  return s;
}

StatusOr<thanos::info::InfoResponse> PrometheusStore::Info(const CallContext&) {
  if (Status s = CheckReady(); !s.ok()) return s;
  thanos::info::InfoResponse r;
  LabelsToProto(metadata_->ExternalLabels(), r.add_label_sets()->mutable_labels());
  r.set_componenttype("sidecar");
  auto* s = r.mutable_store();
  s->set_min_time(metadata_->MinTime());
  s->set_max_time(std::numeric_limits<int64_t>::max());
  s->set_supports_without_replica_labels(true);
  return r;
}

std::unique_ptr<SeriesStream> PrometheusStore::Series(const thanos::SeriesRequest& req, const CallContext& ctx) {
  if (Status s = CheckReady(); !s.ok()) return ErrorStream(s);
  if (req.min_time() > req.max_time()) {
    return ErrorStream(BadData("min_time " + std::to_string(req.min_time()) + " is after max_time " +
                               std::to_string(req.max_time())));
  }
  auto matchers = MatchersFromProto(req.matchers());
  if (!matchers.ok()) return ErrorStream(matchers.status());
  Labels external = metadata_->ExternalLabels();
  Matchers inner;
  if (!MatchExternalLabels(external, *matchers, &inner)) return ErrorStream(Status::Ok());
  if (inner.empty()) return ErrorStream(BadData("no matchers specified (excluding external labels)"));

  // Nothing older than what Prometheus holds is asked for.
  int64_t mint = std::max(req.min_time(), metadata_->MinTime());
  int64_t maxt = req.max_time();
  if (mint > maxt) return ErrorStream(Status::Ok());
  std::vector<std::string> drop(req.without_replica_labels().begin(), req.without_replica_labels().end());

  if (req.skip_chunks()) {
    auto series = client_->Series(inner, mint, maxt, opts_.api_timeout);
    if (!series.ok()) return ErrorStream(Observe(series.status()));
    std::vector<std::pair<Labels, thanos::Series>> out;
    out.reserve(series->size());
    for (const auto& ls : *series) {
      thanos::Series s;
      Labels l = Relabel(ls, external, drop);
      LabelsToProto(l, s.mutable_labels());
      out.emplace_back(std::move(l), std::move(s));
    }
    std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<thanos::Series> sorted;
    for (auto& e : out) {
      if (req.limit() > 0 && static_cast<int64_t>(sorted.size()) >= req.limit()) break;
      sorted.push_back(std::move(e.second));
    }
    return std::make_unique<VectorStream>(std::move(sorted));
  }

  // A series carrying an external label name (its value gets replaced) or a dropped label
  // can land anywhere in the order: then the stream sorts everything.
  bool resort = false;
  auto names = client_->LabelNames(inner, mint, maxt, opts_.api_timeout);
  if (!names.ok()) return ErrorStream(Observe(names.status()));
  for (const auto& n : *names) {
    if (external.Has(n) || std::find(drop.begin(), drop.end(), n) != drop.end()) resort = true;
  }

  prometheus::ReadRequest rr;
  rr.add_accepted_response_types(prometheus::ReadRequest::STREAMED_XOR_CHUNKS);
  auto* q = rr.add_queries();
  q->set_start_timestamp_ms(mint);
  q->set_end_timestamp_ms(maxt);
  for (const auto& m : inner) {
    auto* pm = q->add_matchers();
    pm->set_type(ToPromType(m->type()));
    pm->set_name(m->name());
    pm->set_value(m->value());
  }
  auto* hints = q->mutable_hints();
  hints->set_start_ms(mint);
  hints->set_end_ms(maxt);
  if (req.has_query_hints()) {
    const auto& qh = req.query_hints();
    hints->set_step_ms(qh.step_millis());
    hints->set_func(qh.func().name());
    hints->set_by(qh.grouping().by());
    for (const auto& g : qh.grouping().labels()) hints->add_grouping(g);
    hints->set_range_ms(qh.range().millis());
  }

  RemoteReadStreamOptions so;
  so.external = std::move(external);
  so.drop = std::move(drop);
  so.limit = req.limit();
  so.batch = req.response_batch_size();
  so.resort = resort;
  so.queue_capacity = opts_.queue_capacity;
  so.reorder_window = opts_.reorder_window;
  return std::make_unique<RemoteReadSeriesStream>(client_, metadata_, std::move(rr), std::move(so), ctx);
}

StatusOr<thanos::LabelNamesResponse> PrometheusStore::LabelNames(const thanos::LabelNamesRequest& req,
                                                                 const CallContext&) {
  if (Status s = CheckReady(); !s.ok()) return s;
  auto matchers = MatchersFromProto(req.matchers());
  if (!matchers.ok()) return matchers.status();
  Labels external = metadata_->ExternalLabels();
  thanos::LabelNamesResponse resp;
  Matchers inner;
  if (!MatchExternalLabels(external, *matchers, &inner)) return resp;
  auto names = client_->LabelNames(inner, req.start(), req.end(), opts_.api_timeout);
  if (!names.ok()) return Observe(names.status());
  if (names->empty()) return resp;  // no series in range: the external labels describe nothing
  std::set<std::string> all(names->begin(), names->end());
  for (const auto& l : external) all.insert(l.name);
  for (const auto& d : req.without_replica_labels()) all.erase(d);
  for (const auto& n : all) {
    if (req.limit() > 0 && resp.names_size() >= req.limit()) break;
    resp.add_names(n);
  }
  return resp;
}

StatusOr<thanos::LabelValuesResponse> PrometheusStore::LabelValues(const thanos::LabelValuesRequest& req,
                                                                   const CallContext&) {
  if (Status s = CheckReady(); !s.ok()) return s;
  if (req.label().empty()) return BadData("label name parameter cannot be empty");
  auto matchers = MatchersFromProto(req.matchers());
  if (!matchers.ok()) return matchers.status();
  Labels external = metadata_->ExternalLabels();
  thanos::LabelValuesResponse resp;
  Matchers inner;
  if (!MatchExternalLabels(external, *matchers, &inner)) return resp;
  for (const auto& d : req.without_replica_labels()) {
    if (d == req.label()) return resp;
  }
  if (external.Has(req.label())) {
    // The external label wins over whatever the series carry; it has a value only where
    // some series matches.
    auto names = client_->LabelNames(inner, req.start(), req.end(), opts_.api_timeout);
    if (!names.ok()) return Observe(names.status());
    if (!names->empty()) resp.add_values(std::string(external.Get(req.label())));
    return resp;
  }
  auto values = client_->LabelValues(req.label(), inner, req.start(), req.end(), opts_.api_timeout);
  if (!values.ok()) return Observe(values.status());
  std::sort(values->begin(), values->end());
  for (auto& v : *values) {
    if (req.limit() > 0 && resp.values_size() >= req.limit()) break;
    resp.add_values(std::move(v));
  }
  return resp;
}

}  // namespace meridian::storeapi::sidecar
