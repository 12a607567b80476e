#include "storeapi/wire_adapters.h"

#include <algorithm>
#include <atomic>

#include "storeapi/convert.h"

namespace meridian::storeapi {

namespace {

class StatusStream final : public SeriesStream {
 public:
  explicit StatusStream(Status s) : status_(std::move(s)) {}
  bool Next(thanos::SeriesResponse*) override { return false; }
  Status status() const override { return status_; }

 private:
  Status status_;
};

class SetStream final : public SeriesStream {
 public:
  SetStream(std::unique_ptr<storage::SeriesSet> set, AggregateSet wanted, int64_t batch_size)
      : set_(std::move(set)), wanted_(wanted), batch_size_(std::max<int64_t>(batch_size, 1)) {}

  bool Next(thanos::SeriesResponse* out) override {
    out->Clear();
    if (!status_.ok()) return false;
    if (!series_done_) {
      if (batch_size_ == 1) {
        if (NextSeries(out->mutable_series())) return true;
      } else {
        auto* batch = out->mutable_batch();
        while (batch->series_size() < batch_size_ && NextSeries(batch->add_series())) {
        }
        if (!series_done_) return true;
        batch->mutable_series()->RemoveLast();  // the slot that found the end
        if (!status_.ok()) return false;
        if (batch->series_size() > 0) return true;
      }
      if (!status_.ok()) return false;
      out->Clear();
      warnings_ = set_->Warnings();
    }
    if (next_warning_ < warnings_.size()) {
      out->set_warning(std::move(warnings_[next_warning_++]));
      return true;
    }
    return false;
  }

  Status status() const override { return status_; }
  void Cancel() override { set_->Cancel(); }

 private:
  bool NextSeries(thanos::Series* out) {
    if (!set_->Next()) {
      series_done_ = true;
      status_ = set_->status();
      return false;
    }
    const storage::Series& s = set_->At();
    LabelsToProto(s.labels, out->mutable_labels());
    for (const auto& c : s.chunks) {
      if (Status st = ChunkToProto(c, wanted_, out->add_chunks()); !st.ok()) {
        series_done_ = true;
        status_ = st;
        return false;
      }
    }
    return true;
  }

  std::unique_ptr<storage::SeriesSet> set_;
  AggregateSet wanted_;
  int64_t batch_size_;
  bool series_done_ = false;
  Status status_;
  std::vector<std::string> warnings_;
  size_t next_warning_ = 0;
};

class StreamSet final : public storage::SeriesSet {
 public:
  explicit StreamSet(std::unique_ptr<SeriesStream> stream) : stream_(std::move(stream)) {}

  bool Next() override {
    if (!status_.ok() || done_) return false;
    thanos::Series s;
    if (!Read(&s)) return false;
    cur_.labels = LabelsFromProto(s.labels());
    cur_.chunks.clear();
    cur_.chunks.reserve(s.chunks_size());
    for (auto& c : *s.mutable_chunks()) {
      auto chunk = ChunkFromProto(std::move(c));
      if (!chunk.ok()) {
        status_ = chunk.status().Wrap("series " + cur_.labels.ToString());
        return false;
      }
      cur_.chunks.push_back(std::move(*chunk));
    }
    return true;
  }
  storage::Series& At() override { return cur_; }
  Status status() const override { return status_; }
  std::vector<std::string> Warnings() const override { return warnings_; }
  void Cancel() override { stream_->Cancel(); }

 private:
  // The next series from the stream (batches split, warnings collected); false at the end.
  bool Read(thanos::Series* out) {
    while (true) {
      if (next_in_batch_ < batch_.series_size()) {
        *out = std::move(*batch_.mutable_series(next_in_batch_++));
        return true;
      }
      thanos::SeriesResponse resp;
      if (!stream_->Next(&resp)) {
        done_ = true;
        status_ = stream_->status();
        return false;
      }
      switch (resp.result_case()) {
        case thanos::SeriesResponse::kSeries: *out = std::move(*resp.mutable_series()); return true;
        case thanos::SeriesResponse::kBatch:
          batch_ = std::move(*resp.mutable_batch());
          next_in_batch_ = 0;
          break;
        case thanos::SeriesResponse::kWarning: warnings_.push_back(resp.warning()); break;
        default: break;  // hints: nothing the engine uses yet
      }
    }
  }

  std::unique_ptr<SeriesStream> stream_;
  thanos::SeriesBatch batch_;
  int next_in_batch_ = 0;
  storage::Series cur_;
  bool done_ = false;
  Status status_;
  std::vector<std::string> warnings_;
};

}  // namespace

std::unique_ptr<SeriesStream> ErrorStream(Status status) {
  return std::make_unique<StatusStream>(std::move(status));
}

std::unique_ptr<SeriesStream> StreamFromSet(std::unique_ptr<storage::SeriesSet> set, AggregateSet wanted,
                                            int64_t batch_size) {
  return std::make_unique<SetStream>(std::move(set), wanted, batch_size);
}

std::unique_ptr<storage::SeriesSet> SetFromStream(std::unique_ptr<SeriesStream> stream) {
  return std::make_unique<StreamSet>(std::move(stream));
}

std::unique_ptr<SeriesStream> SeriesViaSelect(Store& store, const thanos::SeriesRequest& req, const CallContext& ctx) {
  auto native = SelectRequestFromProto(req);
  if (!native.ok()) return ErrorStream(native.status());
  const AggregateSet wanted = *native->aggregates;
  return StreamFromSet(store.Select(*native, ctx), wanted, req.response_batch_size());
}

std::unique_ptr<storage::SeriesSet> SelectViaSeries(Store& store, const SelectRequest& req, const CallContext& ctx) {
  return SetFromStream(store.Series(SelectRequestToProto(req), ctx));
}

}  // namespace meridian::storeapi
