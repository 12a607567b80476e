#include "storeapi/sidecar/remote_read_stream.h"

#include <algorithm>

#include "storeapi/convert.h"
#include "storeapi/sidecar/chunked_frames.h"
#include "storeapi/sidecar/prometheus_metadata.h"
#include "storeapi/sidecar/sidecar_metrics.h"

namespace meridian::storeapi::sidecar {

namespace {

// Remote read numbers chunks as the TSDB does (XOR=1); the StoreAPI starts at XOR=0.
StatusOr<thanos::Chunk::Encoding> MapChunkType(prometheus::Chunk::Encoding e) {
  switch (e) {
    case prometheus::Chunk::XOR: return thanos::Chunk::XOR;
    case prometheus::Chunk::HISTOGRAM: return thanos::Chunk::HISTOGRAM;
    case prometheus::Chunk::FLOAT_HISTOGRAM: return thanos::Chunk::FLOAT_HISTOGRAM;
    default: break;
  }
  return CorruptError("remote read: unrecognized Prometheus chunk encoding " + std::to_string(static_cast<int>(e)));
}

bool SameLabels(const std::vector<prometheus::Label>& a,
                const google::protobuf::RepeatedPtrField<prometheus::Label>& b) {
  if (a.size() != static_cast<size_t>(b.size())) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].name() != b[static_cast<int>(i)].name() || a[i].value() != b[static_cast<int>(i)].value()) return false;
  }
  return true;
}

std::chrono::milliseconds TimeoutFrom(const CallContext& ctx) {
  if (ctx.deadline == std::chrono::steady_clock::time_point::max()) return std::chrono::milliseconds(0);
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(ctx.deadline - std::chrono::steady_clock::now());
  return std::max(left, std::chrono::milliseconds(1));
}

}  // namespace

RemoteReadSeriesStream::RemoteReadSeriesStream(std::shared_ptr<const PrometheusClient> client,
                                               std::shared_ptr<PrometheusMetadata> metadata,
                                               prometheus::ReadRequest req, RemoteReadStreamOptions opts,
                                               CallContext ctx)
    : client_(std::move(client)),
      metadata_(std::move(metadata)),
      req_(std::move(req)),
      opts_(std::move(opts)),
      ctx_(std::move(ctx)) {
  opts_.queue_capacity = std::max<size_t>(opts_.queue_capacity, 1);
  opts_.reorder_window = std::max<size_t>(opts_.reorder_window, 1);
  opts_.batch = std::max<int64_t>(opts_.batch, 1);
  producer_ = std::thread([this] { Produce(); });
}

RemoteReadSeriesStream::~RemoteReadSeriesStream() {
  Cancel();
  if (producer_.joinable()) producer_.join();
}

void RemoteReadSeriesStream::Cancel() {
  stop_.store(true);
  std::lock_guard<std::mutex> l(mu_);
  space_cv_.notify_all();
  data_cv_.notify_all();
}

Status RemoteReadSeriesStream::status() const { return status_; }

bool RemoteReadSeriesStream::Next(thanos::SeriesResponse* out) {
  out->Clear();
  if (finished_) return false;
  if (opts_.limit > 0 && sent_ >= opts_.limit) {
    // Enough series: stop reading from Prometheus; what it still sends is not wanted.
    stop_.store(true);
    space_cv_.notify_all();
    finished_ = true;
    return false;
  }
  std::unique_lock<std::mutex> l(mu_);
  while (queue_.empty() && !producer_done_) {
    if (ctx_.Done() || (stop_.load() && !producer_done_)) {
      l.unlock();
      Cancel();
      status_ = Status(StatusCode::kCanceled, "series request canceled or past its deadline");
      finished_ = true;
      return false;
    }
    data_cv_.wait_for(l, std::chrono::milliseconds(100));
  }
  if (queue_.empty()) {
    status_ = producer_status_;
    finished_ = true;
    return false;
  }
  int64_t take = opts_.batch;
  if (opts_.limit > 0) take = std::min(take, opts_.limit - sent_);
  if (opts_.batch == 1) {
    *out->mutable_series() = std::move(queue_.front());
    queue_.pop_front();
    ++sent_;
  } else {
    auto* b = out->mutable_batch();
    while (take-- > 0 && !queue_.empty()) {
      *b->add_series() = std::move(queue_.front());
      queue_.pop_front();
      ++sent_;
    }
  }
  space_cv_.notify_one();
  return true;
}

void RemoteReadSeriesStream::Produce() {
  auto& metrics = SidecarMetrics::Get();
  metrics.RemoteReadRequest();
  ChunkedFrameReader reader([this](prometheus::ChunkedReadResponse& resp) -> Status {
    for (auto& cs : *resp.mutable_chunked_series()) {
      if (Status s = OnChunkedSeries(cs); !s.ok()) return s;
    }
    return Status::Ok();
  });
  uint64_t bytes = 0;
  Status s = client_->RemoteRead(
      req_, [&reader](std::string_view b) { return reader.Feed(b); }, &stop_, TimeoutFrom(ctx_), &bytes);
  metrics.RemoteReadBytes(bytes);
  metrics.RemoteReadFrames(reader.frames());
  if (s.ok()) s = reader.Finish();
  if (s.ok()) s = FlushCurrent();
  if (s.ok() && opts_.resort) {
    // Equal labels keep their arrival order: partitions of one series stay consecutive.
    std::stable_sort(all_.begin(), all_.end(), [](const auto& a, const auto& b) { return a->labels < b->labels; });
    for (auto& p : all_) {
      if (s = Emit(std::move(p)); !s.ok()) break;
    }
    all_.clear();
  }
  while (s.ok() && !window_.empty()) {
    auto p = std::move(const_cast<std::unique_ptr<Pending>&>(window_.top()));
    window_.pop();
    s = Emit(std::move(p));
  }
  if (!s.ok() && s.code() != StatusCode::kCanceled) {
    metrics.RemoteReadFailure();
    if (s.code() == StatusCode::kUnavailable || s.code() == StatusCode::kTimeout) metadata_->ReportFailure(s);
  }
  Finish(s);
}

Status RemoteReadSeriesStream::OnChunkedSeries(prometheus::ChunkedSeries& cs) {
  if (current_ && SameLabels(current_raw_, cs.labels())) {
    // Prometheus splits a long series across frames; the pieces arrive back to back.
  } else {
    if (Status s = FlushCurrent(); !s.ok()) return s;
    current_raw_.assign(cs.labels().begin(), cs.labels().end());
    std::vector<Label> raw;
    raw.reserve(cs.labels_size());
    for (const auto& l : cs.labels()) raw.push_back({l.name(), l.value()});
    LabelsBuilder builder(Labels::FromUnsorted(std::move(raw)));
    for (const auto& l : opts_.external) builder.Set(l.name, l.value);
    for (const auto& d : opts_.drop) builder.Del(d);
    current_ = std::make_unique<Pending>();
    current_->labels = builder.Build();
    current_->seq = seq_++;
    LabelsToProto(current_->labels, current_->series.mutable_labels());
  }
  for (auto& c : *cs.mutable_chunks()) {
    auto type = MapChunkType(c.type());
    if (!type.ok()) return type.status();
    auto* agg = current_->series.add_chunks();
    agg->set_min_time(c.min_time_ms());
    agg->set_max_time(c.max_time_ms());
    auto* raw = agg->mutable_raw();
    raw->set_type(*type);
    raw->mutable_data()->swap(*c.mutable_data());
  }
  return Status::Ok();
}

Status RemoteReadSeriesStream::FlushCurrent() {
  if (!current_) return Status::Ok();
  return Admit(std::move(current_));
}

Status RemoteReadSeriesStream::Admit(std::unique_ptr<Pending> p) {
  if (opts_.resort) {
    all_.push_back(std::move(p));
    return stop_.load() ? Status(StatusCode::kCanceled, "remote read canceled") : Status::Ok();
  }
  window_.push(std::move(p));
  if (window_.size() <= opts_.reorder_window) return Status::Ok();
  auto top = std::move(const_cast<std::unique_ptr<Pending>&>(window_.top()));
  window_.pop();
  return Emit(std::move(top));
}

Status RemoteReadSeriesStream::Emit(std::unique_ptr<Pending> p) {
  if (emitted_any_ && p->labels < last_emitted_) {
    return InternalError("sidecar: attaching external labels moved series " + p->labels.ToString() +
                         " further than the reorder window of " + std::to_string(opts_.reorder_window) +
                         " series; the sorted order cannot be kept");
  }
  emitted_any_ = true;
  last_emitted_ = p->labels;
  return Push(std::move(p->series));
}

Status RemoteReadSeriesStream::Push(thanos::Series s) {
  std::unique_lock<std::mutex> l(mu_);
  space_cv_.wait(l, [this] { return queue_.size() < opts_.queue_capacity || stop_.load(); });
  if (stop_.load()) return Status(StatusCode::kCanceled, "remote read canceled");
  queue_.push_back(std::move(s));
  SidecarMetrics::Get().SeriesSent();
  data_cv_.notify_one();
  return Status::Ok();
}

void RemoteReadSeriesStream::Finish(Status s) {
  std::lock_guard<std::mutex> l(mu_);
  producer_done_ = true;
  producer_status_ = std::move(s);
  data_cv_.notify_all();
}

}  // namespace meridian::storeapi::sidecar
