#include "query/instrumented_store.h"

#include "storeapi/wire_adapters.h"

namespace meridian::query {

StoreMetrics::StoreMetrics(prometheus::Registry& registry)
    : requests(prometheus::BuildCounter()
                   .Name("meridian_query_store_requests_total")
                   .Help("StoreAPI calls the querier made, by store and method.")
                   .Register(registry)),
      failures(prometheus::BuildCounter()
                   .Name("meridian_query_store_failures_total")
                   .Help("StoreAPI calls that failed, by store and method.")
                   .Register(registry)),
      bytes(prometheus::BuildCounter()
                .Name("meridian_query_store_received_bytes_total")
                .Help("Bytes of StoreAPI responses received, by store and method.")
                .Register(registry)),
      series(prometheus::BuildCounter()
                 .Name("meridian_query_store_series_total")
                 .Help("Series received from each store.")
                 .Register(registry)) {}

namespace {

// Counts a store's series as the querier reads them. Bytes are what the series cost on the
// wire, roughly (label strings and chunk bytes), so the metric means the same for stores in
// this process and remote ones.
class CountingSet : public storage::SeriesSet {
 public:
  CountingSet(std::unique_ptr<storage::SeriesSet> inner, prometheus::Counter& bytes, prometheus::Counter& series,
              prometheus::Counter& failures)
      : inner_(std::move(inner)), bytes_(bytes), series_(series), failures_(failures) {}

  bool Next() override {
    if (inner_->Next()) {
      const storage::Series& s = inner_->At();
      size_t n = 0;
      for (const auto& l : s.labels) n += l.name.size() + l.value.size();
      for (const auto& c : s.chunks) n += c.bytes().size() + 16;
      bytes_.Increment(static_cast<double>(n));
      series_.Increment();
      return true;
    }
    Status s = inner_->status();
    if (!s.ok() && s.code() != StatusCode::kCanceled) failures_.Increment();
    return false;
  }
  storage::Series& At() override { return inner_->At(); }
  Status status() const override { return inner_->status(); }
  std::vector<std::string> Warnings() const override { return inner_->Warnings(); }
  void Cancel() override { inner_->Cancel(); }

 private:
  std::unique_ptr<storage::SeriesSet> inner_;
  prometheus::Counter& bytes_;
  prometheus::Counter& series_;
  prometheus::Counter& failures_;
};

class InstrumentedStore : public storeapi::Store {
 public:
  InstrumentedStore(std::shared_ptr<storeapi::Store> inner, std::shared_ptr<StoreMetrics> m)
      : inner_(std::move(inner)), m_(std::move(m)) {}

  std::string Name() const override { return inner_->Name(); }

  StatusOr<thanos::info::InfoResponse> Info(const storeapi::CallContext& ctx) override {
    return Count("info", inner_->Info(ctx));
  }
  // The querier reads stores through Select; a wire request is answered (and counted) by it.
  std::unique_ptr<storeapi::SeriesStream> Series(const thanos::SeriesRequest& req,
                                                 const storeapi::CallContext& ctx) override {
    return storeapi::SeriesViaSelect(*this, req, ctx);
  }
  std::unique_ptr<storage::SeriesSet> Select(const storeapi::SelectRequest& req,
                                             const storeapi::CallContext& ctx) override {
    auto labels = Labels("series");
    m_->requests.Add(labels).Increment();
    return std::make_unique<CountingSet>(inner_->Select(req, ctx), m_->bytes.Add(labels),
                                         m_->series.Add({{"store", inner_->Name()}}), m_->failures.Add(labels));
  }
  StatusOr<thanos::LabelNamesResponse> LabelNames(const thanos::LabelNamesRequest& req,
                                                  const storeapi::CallContext& ctx) override {
    return Count("label_names", inner_->LabelNames(req, ctx));
  }
  StatusOr<thanos::LabelValuesResponse> LabelValues(const thanos::LabelValuesRequest& req,
                                                    const storeapi::CallContext& ctx) override {
    return Count("label_values", inner_->LabelValues(req, ctx));
  }

 private:
  std::map<std::string, std::string> Labels(const char* method) const {
    return {{"store", inner_->Name()}, {"method", method}};
  }

  template <typename T>
  StatusOr<T> Count(const char* method, StatusOr<T> r) {
    auto labels = Labels(method);
    m_->requests.Add(labels).Increment();
    if (!r.ok()) {
      m_->failures.Add(labels).Increment();
    } else {
      m_->bytes.Add(labels).Increment(static_cast<double>(r->ByteSizeLong()));
    }
    return r;
  }

  std::shared_ptr<storeapi::Store> inner_;
  std::shared_ptr<StoreMetrics> m_;
};

}  // namespace

std::shared_ptr<storeapi::Store> Instrument(std::shared_ptr<storeapi::Store> store,
                                            std::shared_ptr<StoreMetrics> metrics) {
  return std::make_shared<InstrumentedStore>(std::move(store), std::move(metrics));
}

}  // namespace meridian::query
