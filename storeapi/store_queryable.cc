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

// Consecutive series with equal labels are partitions of one series from different sources
// (stores, replicas): they become one storage::Series whose chunks carry the partition's
// index in Chunk::source.
class PartitionJoiningSet : public storage::SeriesSet {
 public:
  explicit PartitionJoiningSet(std::unique_ptr<storage::SeriesSet> set) : set_(std::move(set)) {}

  bool Next() override {
    if (!have_peek_ && !Read()) return false;
    have_peek_ = false;
    storage::Series& in = set_->At();
    current_.labels = std::move(in.labels);
    current_.chunks = std::move(in.chunks);
    for (auto& c : current_.chunks) c.source = 0;
    bool joined = false;
    for (uint32_t source = 1; Read(); ++source) {
      storage::Series& next = set_->At();
      if (!(next.labels == current_.labels)) {
        have_peek_ = true;
        break;
      }
      joined = true;
      for (auto& c : next.chunks) {
        c.source = source;
        current_.chunks.push_back(std::move(c));
      }
    }
    if (!set_->status().ok()) return false;
    if (joined) {
      std::stable_sort(current_.chunks.begin(), current_.chunks.end(),
                       [](const auto& a, const auto& b) { return a.min_time < b.min_time; });
    }
    return true;
  }

  storage::Series& At() override { return current_; }
  Status status() const override { return set_->status(); }
  std::vector<std::string> Warnings() const override { return set_->Warnings(); }
  void Cancel() override { set_->Cancel(); }

 private:
  bool Read() {
    if (done_) return false;
    done_ = !set_->Next();
    return !done_;
  }

  std::unique_ptr<storage::SeriesSet> set_;
  bool have_peek_ = false;
  bool done_ = false;
  storage::Series current_;
};

class StoreQuerier : public storage::Querier {
 public:
  StoreQuerier(std::shared_ptr<Store> store, const StoreQueryableOptions& opts, int64_t mint, int64_t maxt)
      : store_(std::move(store)), opts_(opts), mint_(mint), maxt_(maxt) {}

  std::unique_ptr<storage::SeriesSet> Select(bool /*sorted: StoreAPI streams are always sorted*/,
                                             const storage::SelectHints& hints,
                                             const Matchers& matchers) override {
    SelectRequest req;
    // Hints carry the exact range a selection needs (all-zero hints: no range given, as for
    // label-only reads); the querier's range bounds it.
    const bool hinted = hints.start_ms != 0 || hints.end_ms != 0;
    req.min_time = hinted ? std::max(mint_, hints.start_ms) : mint_;
    req.max_time = hinted ? std::min(maxt_, hints.end_ms) : maxt_;
    req.matchers = matchers;
    req.hints = hints;
    req.hints.start_ms = req.min_time;
    req.hints.end_ms = req.max_time;
    req.abort_on_store_error = opts_.partial_response == thanos::ABORT;
    req.without_replica_labels = opts_.without_replica_labels;
    return std::make_unique<PartitionJoiningSet>(store_->Select(req, MakeContext(opts_.timeout, hints.deadline)));
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
