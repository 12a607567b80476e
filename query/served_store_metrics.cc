#include "query/served_store_metrics.h"

#include <map>
#include <string>

#include <prometheus/counter.h>
#include <prometheus/family.h>

#include "common/metrics.h"

namespace meridian::query {

namespace {

struct ServedMetrics {
  prometheus::Family<prometheus::Counter>& started;
  prometheus::Family<prometheus::Counter>& handled;
  prometheus::Family<prometheus::Counter>& sent;

  static ServedMetrics& Get() {
    // Families register once per process, whatever number of servers it runs.
    static ServedMetrics m{
        prometheus::BuildCounter()
            .Name("grpc_server_started_total")
            .Help("Total number of RPCs started on the server.")
            .Register(MetricsRegistry()),
        prometheus::BuildCounter()
            .Name("grpc_server_handled_total")
            .Help("Total number of RPCs completed on the server, regardless of success or failure.")
            .Register(MetricsRegistry()),
        prometheus::BuildCounter()
            .Name("grpc_server_msg_sent_total")
            .Help("Total number of gRPC stream messages sent by the server.")
            .Register(MetricsRegistry()),
    };
    return m;
  }
};

struct Method {
  const char* service;
  const char* name;
  const char* type;
  std::map<std::string, std::string> Labels() const {
    return {{"grpc_service", service}, {"grpc_method", name}, {"grpc_type", type}};
  }
};

constexpr Method kSeries{"thanos.Store", "Series", "server_stream"};
constexpr Method kLabelNames{"thanos.Store", "LabelNames", "unary"};
constexpr Method kLabelValues{"thanos.Store", "LabelValues", "unary"};
constexpr Method kInfo{"thanos.info.Info", "Info", "unary"};

// The code name grpc-go prints, for the gRPC status the server turns `s` into.
const char* GrpcCodeName(const Status& s) {
  switch (s.code()) {
    case StatusCode::kOk: return "OK";
    case StatusCode::kBadData: return "InvalidArgument";
    case StatusCode::kCanceled: return "Canceled";
    case StatusCode::kTimeout: return "DeadlineExceeded";
    case StatusCode::kNotFound: return "NotFound";
    case StatusCode::kUnavailable: return "Unavailable";
    case StatusCode::kCorrupt: return "DataLoss";
    case StatusCode::kResourceExhausted: return "ResourceExhausted";
    case StatusCode::kExecution:
    case StatusCode::kInternal: break;
  }
  return "Internal";
}

void Handled(const Method& m, const char* code) {
  auto labels = m.Labels();
  labels["grpc_code"] = code;
  ServedMetrics::Get().handled.Add(labels).Increment();
}

class CountedStream : public storeapi::SeriesStream {
 public:
  explicit CountedStream(std::unique_ptr<storeapi::SeriesStream> inner)
      : inner_(std::move(inner)), sent_(ServedMetrics::Get().sent.Add(kSeries.Labels())) {}
  // A stream dropped before its end is one the server stopped writing: the client went away.
  ~CountedStream() override {
    if (!finished_) Handled(kSeries, "Canceled");
  }

  bool Next(thanos::SeriesResponse* out) override {
    if (inner_->Next(out)) {
      sent_.Increment();
      return true;
    }
    if (!finished_) {
      finished_ = true;
      Handled(kSeries, GrpcCodeName(inner_->status()));
    }
    return false;
  }
  Status status() const override { return inner_->status(); }
  void Cancel() override { inner_->Cancel(); }

 private:
  std::unique_ptr<storeapi::SeriesStream> inner_;
  prometheus::Counter& sent_;
  bool finished_ = false;
};

class CountingServedStore : public storeapi::Store {
 public:
  explicit CountingServedStore(std::shared_ptr<storeapi::Store> inner) : inner_(std::move(inner)) {}

  std::string Name() const override { return inner_->Name(); }
  StatusOr<thanos::info::InfoResponse> Info(const storeapi::CallContext& ctx) override {
    Started(kInfo);
    return Unary(kInfo, inner_->Info(ctx));
  }
  std::unique_ptr<storeapi::SeriesStream> Series(const thanos::SeriesRequest& req,
                                                 const storeapi::CallContext& ctx) override {
    Started(kSeries);
    return std::make_unique<CountedStream>(inner_->Series(req, ctx));
  }
  // Calls from this process are not served calls: passed on uncounted.
  std::unique_ptr<storage::SeriesSet> Select(const storeapi::SelectRequest& req,
                                             const storeapi::CallContext& ctx) override {
    return inner_->Select(req, ctx);
  }
  StatusOr<thanos::LabelNamesResponse> LabelNames(const thanos::LabelNamesRequest& req,
                                                  const storeapi::CallContext& ctx) override {
    Started(kLabelNames);
    return Unary(kLabelNames, inner_->LabelNames(req, ctx));
  }
  StatusOr<thanos::LabelValuesResponse> LabelValues(const thanos::LabelValuesRequest& req,
                                                    const storeapi::CallContext& ctx) override {
    Started(kLabelValues);
    return Unary(kLabelValues, inner_->LabelValues(req, ctx));
  }

 private:
  static void Started(const Method& m) { ServedMetrics::Get().started.Add(m.Labels()).Increment(); }
  template <typename T>
  static StatusOr<T> Unary(const Method& m, StatusOr<T> r) {
    if (r.ok()) ServedMetrics::Get().sent.Add(m.Labels()).Increment();
    Handled(m, GrpcCodeName(r.status()));
    return r;
  }

  std::shared_ptr<storeapi::Store> inner_;
};

}  // namespace

std::shared_ptr<storeapi::Store> CountServedCalls(std::shared_ptr<storeapi::Store> store) {
  return std::make_shared<CountingServedStore>(std::move(store));
}

}  // namespace meridian::query
