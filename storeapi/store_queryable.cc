#include "storeapi/store_queryable.h"

#include <algorithm>

#include "storeapi/convert.h"

namespace meridian::storeapi {

namespace {

// The call ends at the earlier of the store timeout and the caller's own deadline.
CallContext MakeContext(std::chrono::milliseconds timeout,
                        std::chrono::steady_clock::time_point caller_deadline =
                            std::chrono::steady_clock::time_point::max()) {
  CallContext ctx;
  if (timeout.count() > 0) ctx.deadline = std::chrono::steady_clock::now() + timeout;
  ctx.deadline = std::min(ctx.deadline, caller_deadline);
  return ctx;
}

// Consecutive responses with equal labels are partitions of one series from different
// sources (stores, replicas): they become one storage::Series whose chunks carry the
// partition's index in Chunk::source.
class StreamSeriesSet : public storage::SeriesSet {
 public:
  explicit StreamSeriesSet(std::unique_ptr<SeriesStream> stream) : stream_(std::move(stream)) {}

  bool Next() override {
    if (!have_peek_ && !Read(&peek_)) return false;
    have_peek_ = false;
    current_.labels = LabelsFromProto(peek_.labels());
    current_.chunks.clear();
    uint32_t source = 0;
    if (!Append(peek_, source)) return false;
    while (Read(&peek_)) {
      Labels next = LabelsFromProto(peek_.labels());
      if (!(next == current_.labels)) {
        have_peek_ = true;
        break;
      }
      if (!Append(peek_, ++source)) return false;
    }
    if (!status_.ok()) return false;
    std::stable_sort(current_.chunks.begin(), current_.chunks.end(),
                     [](const auto& a, const auto& b) { return a.min_time < b.min_time; });
    return true;
  }

  storage::Series& At() override { return current_; }
  Status status() const override { return status_; }
  std::vector<std::string> Warnings() const override { return warnings_; }

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
        status_ = stream_->status();
        return false;
      }
      switch (resp.result_case()) {
        case thanos::SeriesResponse::kSeries:
          *out = std::move(*resp.mutable_series());
          return true;
        case thanos::SeriesResponse::kBatch:
          batch_ = std::move(*resp.mutable_batch());
          next_in_batch_ = 0;
          break;
        case thanos::SeriesResponse::kWarning:
          warnings_.push_back(resp.warning());
          break;
        default:
          break;  // hints: nothing the engine uses yet
      }
    }
  }

  bool Append(const thanos::Series& s, uint32_t source) {
    for (const auto& c : s.chunks()) {
      auto chunk = ChunkFromProto(c);
      if (!chunk.ok()) {
        status_ = chunk.status().Wrap("series " + current_.labels.ToString());
        return false;
      }
      chunk->source = source;
      current_.chunks.push_back(std::move(*chunk));
    }
    return true;
  }

  std::unique_ptr<SeriesStream> stream_;
  thanos::SeriesBatch batch_;
  int next_in_batch_ = 0;
  thanos::Series peek_;
  bool have_peek_ = false;
  storage::Series current_;
  Status status_;
  std::vector<std::string> warnings_;
};

class StoreQuerier : public storage::Querier {
 public:
  StoreQuerier(std::shared_ptr<Store> store, const StoreQueryableOptions& opts, int64_t mint, int64_t maxt)
      : store_(std::move(store)), opts_(opts), mint_(mint), maxt_(maxt) {}

  std::unique_ptr<storage::SeriesSet> Select(bool /*sorted: StoreAPI streams are always sorted*/,
                                             const storage::SelectHints& hints,
                                             const Matchers& matchers) override {
    thanos::SeriesRequest req;
    // Hints carry the exact range a selection needs (all-zero hints: no range given, as for
    // label-only reads); the querier's range bounds it.
    const bool hinted = hints.start_ms != 0 || hints.end_ms != 0;
    req.set_min_time(hinted ? std::max(mint_, hints.start_ms) : mint_);
    req.set_max_time(hinted ? std::min(maxt_, hints.end_ms) : maxt_);
    MatchersToProto(matchers, req.mutable_matchers());
    req.set_max_resolution_window(hints.max_resolution_ms);
    req.set_fill_resolution_window(hints.fill_resolution_ms);
    req.set_partial_response_strategy(opts_.partial_response);
    req.set_partial_response_disabled(opts_.partial_response == thanos::ABORT);
    req.set_skip_chunks(hints.labels_only);
    // Stores send only the requested sub-chunks of downsampled chunks (none when asked for
    // none): the ones the engine will decode.
    AggregatesForReadToProto(hints.aggregate, req.mutable_aggregates());
    HintsToProto(hints, req.mutable_query_hints());
    for (const auto& l : opts_.without_replica_labels) req.add_without_replica_labels(l);
    auto stream = store_->Series(req, MakeContext(opts_.timeout, hints.deadline));
    return std::make_unique<StreamSeriesSet>(std::move(stream));
  }

  StatusOr<std::vector<std::string>> LabelNames(const Matchers& matchers) override {
    thanos::LabelNamesRequest req;
    req.set_start(mint_);
    req.set_end(maxt_);
    req.set_partial_response_strategy(opts_.partial_response);
    MatchersToProto(matchers, req.mutable_matchers());
    for (const auto& l : opts_.without_replica_labels) req.add_without_replica_labels(l);
    auto resp = store_->LabelNames(req, MakeContext(opts_.timeout));
    if (!resp.ok()) return resp.status();
    return std::vector<std::string>(resp->names().begin(), resp->names().end());
  }

  StatusOr<std::vector<std::string>> LabelValues(const std::string& name, const Matchers& matchers) override {
    thanos::LabelValuesRequest req;
    req.set_label(name);
    req.set_start(mint_);
    req.set_end(maxt_);
    req.set_partial_response_strategy(opts_.partial_response);
    MatchersToProto(matchers, req.mutable_matchers());
    for (const auto& l : opts_.without_replica_labels) req.add_without_replica_labels(l);
    auto resp = store_->LabelValues(req, MakeContext(opts_.timeout));
    if (!resp.ok()) return resp.status();
    return std::vector<std::string>(resp->values().begin(), resp->values().end());
  }

 private:
  std::shared_ptr<Store> store_;
  StoreQueryableOptions opts_;
  int64_t mint_;
  int64_t maxt_;
};

}  // namespace

StoreQueryable::StoreQueryable(std::shared_ptr<Store> store, StoreQueryableOptions opts)
    : store_(std::move(store)), opts_(std::move(opts)) {}

std::unique_ptr<storage::Querier> StoreQueryable::NewQuerier(int64_t mint, int64_t maxt) {
  return std::make_unique<StoreQuerier>(store_, opts_, mint, maxt);
}

}  // namespace meridian::storeapi
