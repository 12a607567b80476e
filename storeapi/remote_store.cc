#include "storeapi/remote_store.h"

#include <grpcpp/grpcpp.h>

#include "thanos/infopb/rpc.grpc.pb.h"
#include "thanos/storepb/rpc.grpc.pb.h"

namespace meridian::storeapi {

namespace {

Status FromGrpc(const grpc::Status& s, const std::string& what) {
  if (s.ok()) return Status::Ok();
  StatusCode code = StatusCode::kUnavailable;
  switch (s.error_code()) {
    case grpc::StatusCode::INVALID_ARGUMENT: code = StatusCode::kBadData; break;
    case grpc::StatusCode::CANCELLED: code = StatusCode::kCanceled; break;
    case grpc::StatusCode::DEADLINE_EXCEEDED: code = StatusCode::kTimeout; break;
    case grpc::StatusCode::NOT_FOUND: code = StatusCode::kNotFound; break;
    case grpc::StatusCode::DATA_LOSS: code = StatusCode::kCorrupt; break;
    case grpc::StatusCode::INTERNAL: code = StatusCode::kInternal; break;
    case grpc::StatusCode::RESOURCE_EXHAUSTED: code = StatusCode::kResourceExhausted; break;
    default: break;
  }
  return Status(code, what + ": rpc error: code = " + std::to_string(s.error_code()) + " desc = " +
                          s.error_message());
}

void ApplyContext(const CallContext& ctx, grpc::ClientContext* cc) {
  for (const auto& id : ctx.via) cc->AddMetadata(std::string(kViaMetadataKey), id);
  if (ctx.deadline != std::chrono::steady_clock::time_point::max()) {
    auto remaining = ctx.deadline - std::chrono::steady_clock::now();
    cc->set_deadline(std::chrono::system_clock::now() +
                     std::chrono::duration_cast<std::chrono::system_clock::duration>(remaining));
  }
}

class RemoteSeriesStream : public SeriesStream {
 public:
  RemoteSeriesStream(thanos::Store::Stub* stub, const thanos::SeriesRequest& req, const CallContext& ctx,
                     std::string name)
      : name_(std::move(name)) {
    ApplyContext(ctx, &cc_);
    reader_ = stub->Series(&cc_, req);
  }

  ~RemoteSeriesStream() override {
    if (!finished_) {
      // Abandoned early (limit reached, query cancelled): tell the server to stop sending.
      cc_.TryCancel();
      thanos::SeriesResponse drain;
      while (reader_->Read(&drain)) {
      }
      reader_->Finish().ok();
    }
  }

  bool Next(thanos::SeriesResponse* out) override {
    if (finished_) return false;
    if (reader_->Read(out)) return true;
    finished_ = true;
    status_ = FromGrpc(reader_->Finish(), "receive series from " + name_);
    return false;
  }

  Status status() const override { return status_; }
  void Cancel() override { cc_.TryCancel(); }

 private:
  std::string name_;
  grpc::ClientContext cc_;
  std::unique_ptr<grpc::ClientReader<thanos::SeriesResponse>> reader_;
  bool finished_ = false;
  Status status_;
};

}  // namespace

class RemoteStore::Stubs {
 public:
  explicit Stubs(const std::shared_ptr<grpc::Channel>& ch)
      : store(thanos::Store::NewStub(ch)), info(thanos::info::Info::NewStub(ch)) {}
  std::unique_ptr<thanos::Store::Stub> store;
  std::unique_ptr<thanos::info::Info::Stub> info;
};

RemoteStore::RemoteStore(std::string address) : address_(std::move(address)) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  channel_ = grpc::CreateCustomChannel(address_, grpc::InsecureChannelCredentials(), args);
  stubs_ = std::make_unique<Stubs>(channel_);
}

RemoteStore::~RemoteStore() = default;

StatusOr<thanos::info::InfoResponse> RemoteStore::Info(const CallContext& ctx) {
  grpc::ClientContext cc;
  ApplyContext(ctx, &cc);
  thanos::info::InfoResponse resp;
  Status s = FromGrpc(stubs_->info->Info(&cc, thanos::info::InfoRequest(), &resp), "info from " + address_);
  if (!s.ok()) return s;
  return resp;
}

std::unique_ptr<SeriesStream> RemoteStore::Series(const thanos::SeriesRequest& req, const CallContext& ctx) {
  return std::make_unique<RemoteSeriesStream>(stubs_->store.get(), req, ctx, address_);
}

StatusOr<thanos::LabelNamesResponse> RemoteStore::LabelNames(const thanos::LabelNamesRequest& req,
                                                             const CallContext& ctx) {
  grpc::ClientContext cc;
  ApplyContext(ctx, &cc);
  thanos::LabelNamesResponse resp;
  Status s = FromGrpc(stubs_->store->LabelNames(&cc, req, &resp), "label names from " + address_);
  if (!s.ok()) return s;
  return resp;
}

StatusOr<thanos::LabelValuesResponse> RemoteStore::LabelValues(const thanos::LabelValuesRequest& req,
                                                               const CallContext& ctx) {
  grpc::ClientContext cc;
  ApplyContext(ctx, &cc);
  thanos::LabelValuesResponse resp;
  Status s = FromGrpc(stubs_->store->LabelValues(&cc, req, &resp), "label values from " + address_);
  if (!s.ok()) return s;
  return resp;
}

}  // namespace meridian::storeapi
