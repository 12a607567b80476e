#include "storeapi/grpc_server.h"

#include <grpcpp/grpcpp.h>

#include "common/idle_memory_trimmer.h"
#include "storeapi/request_limits.h"
#include "thanos/infopb/rpc.grpc.pb.h"
#include "thanos/storepb/rpc.grpc.pb.h"

namespace meridian::storeapi {

namespace {

grpc::Status ToGrpc(const Status& s) {
  switch (s.code()) {
    case StatusCode::kOk: return grpc::Status::OK;
    case StatusCode::kBadData: return {grpc::StatusCode::INVALID_ARGUMENT, s.message()};
    case StatusCode::kCanceled: return {grpc::StatusCode::CANCELLED, s.message()};
    case StatusCode::kTimeout: return {grpc::StatusCode::DEADLINE_EXCEEDED, s.message()};
    case StatusCode::kNotFound: return {grpc::StatusCode::NOT_FOUND, s.message()};
    case StatusCode::kUnavailable: return {grpc::StatusCode::UNAVAILABLE, s.message()};
    case StatusCode::kCorrupt: return {grpc::StatusCode::DATA_LOSS, s.message()};
    case StatusCode::kResourceExhausted: return {grpc::StatusCode::RESOURCE_EXHAUSTED, s.message()};
    case StatusCode::kExecution:
    case StatusCode::kInternal: break;
  }
  return {grpc::StatusCode::INTERNAL, s.message()};
}

// The gRPC deadline and the client's cancellation, as a CallContext the store can check.
CallContext ContextFrom(grpc::ServerContext* sc) {
  CallContext ctx;
  auto remaining = sc->deadline() - std::chrono::system_clock::now();
  if (sc->deadline() != std::chrono::system_clock::time_point::max()) {
    ctx.deadline = std::chrono::steady_clock::now() +
                   std::chrono::duration_cast<std::chrono::steady_clock::duration>(remaining);
  }
  auto via = sc->client_metadata().equal_range(grpc::string_ref(kViaMetadataKey.data(), kViaMetadataKey.size()));
  for (auto it = via.first; it != via.second; ++it) ctx.via.emplace_back(it->second.data(), it->second.size());
  return ctx;
}

}  // namespace

// Marks a call as running for the idle memory trimmer.
class InFlight {
 public:
  explicit InFlight(IdleMemoryTrimmer& t) : t_(t) { t_.Begin(); }
  ~InFlight() { t_.End(); }
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;

 private:
  IdleMemoryTrimmer& t_;
};

class GrpcServer::Services final : public thanos::Store::Service, public thanos::info::Info::Service {
 public:
  explicit Services(std::shared_ptr<Store> store) : store_(std::move(store)) {}

  grpc::Status Series(grpc::ServerContext* sc, const thanos::SeriesRequest* req,
                      grpc::ServerWriter<thanos::SeriesResponse>* writer) override {
    InFlight running(trimmer_);
    if (Status s = CheckRequestSize(*req); !s.ok()) return ToGrpc(s);
    auto cancelled = std::make_shared<std::atomic<bool>>(false);
    CallContext ctx = ContextFrom(sc);
    ctx.cancelled = cancelled;
    auto stream = store_->Series(*req, ctx);
    thanos::SeriesResponse resp;
    while (stream->Next(&resp)) {
      if (sc->IsCancelled() || !writer->Write(resp)) {
        cancelled->store(true);
        return {grpc::StatusCode::CANCELLED, "client went away"};
      }
    }
    return ToGrpc(stream->status());
  }

  grpc::Status LabelNames(grpc::ServerContext* sc, const thanos::LabelNamesRequest* req,
                          thanos::LabelNamesResponse* resp) override {
    InFlight running(trimmer_);
    if (Status s = CheckRequestSize(*req); !s.ok()) return ToGrpc(s);
    auto r = store_->LabelNames(*req, ContextFrom(sc));
    if (!r.ok()) return ToGrpc(r.status());
    *resp = std::move(*r);
    return grpc::Status::OK;
  }

  grpc::Status LabelValues(grpc::ServerContext* sc, const thanos::LabelValuesRequest* req,
                           thanos::LabelValuesResponse* resp) override {
    InFlight running(trimmer_);
    if (Status s = CheckRequestSize(*req); !s.ok()) return ToGrpc(s);
    auto r = store_->LabelValues(*req, ContextFrom(sc));
    if (!r.ok()) return ToGrpc(r.status());
    *resp = std::move(*r);
    return grpc::Status::OK;
  }

  grpc::Status Info(grpc::ServerContext* sc, const thanos::info::InfoRequest*,
                    thanos::info::InfoResponse* resp) override {
    InFlight running(trimmer_);
    auto r = store_->Info(ContextFrom(sc));
    if (!r.ok()) return ToGrpc(r.status());
    *resp = std::move(*r);
    return grpc::Status::OK;
  }

 private:
  std::shared_ptr<Store> store_;
  // A store-gateway answering heavy Series calls gives the memory back once it is idle.
  IdleMemoryTrimmer trimmer_;
};

GrpcServer::~GrpcServer() { Shutdown(); }

StatusOr<std::unique_ptr<GrpcServer>> GrpcServer::Start(const std::string& address, std::shared_ptr<Store> store) {
  std::unique_ptr<GrpcServer> s(new GrpcServer());
  s->services_ = std::make_unique<Services>(std::move(store));
  grpc::ServerBuilder builder;
  builder.AddListeningPort(address, grpc::InsecureServerCredentials(), &s->port_);
  builder.RegisterService(static_cast<thanos::Store::Service*>(s->services_.get()));
  builder.RegisterService(static_cast<thanos::info::Info::Service*>(s->services_.get()));
  // Series frames can be large (many chunks per series); Thanos allows big messages too.
  builder.SetMaxReceiveMessageSize(64 << 20);
  builder.SetMaxSendMessageSize(64 << 20);
  // gRPC sets SO_REUSEPORT by default, so a second server on a taken port would silently
  // share its connections; refuse the port instead, as a Go (Thanos) listener does.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  s->server_ = builder.BuildAndStart();
  if (!s->server_ || s->port_ == 0) {
    return UnavailableError("cannot listen for gRPC on " + address);
  }
  return s;
}

void GrpcServer::Shutdown() {
  if (server_) {
    server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
    server_->Wait();
    server_.reset();
  }
}

}  // namespace meridian::storeapi
