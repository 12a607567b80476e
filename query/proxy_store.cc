#include "query/proxy_store.h"

#include <cstdio>

#include <random>

#include <algorithm>
#include <future>
#include <queue>
#include <set>

#include "query/async_series_reader.h"
#include "storeapi/convert.h"
#include "storeapi/wire_adapters.h"

namespace meridian::query {

namespace {

bool Abort(thanos::PartialResponseStrategy s, bool disabled) { return s == thanos::ABORT || disabled; }

// Merges the sorted series of several stores into one sorted set.
class MergedStoreSeries : public storage::SeriesSet {
 public:
  struct Source {
    std::string name;
    // Lives as long as the merged set, so Cancel() may reach it from any thread.
    std::unique_ptr<AsyncSeriesReader> reader;
    bool active = true;  // touched by the merging thread only
  };

  // `timeout`: the longest a store may stay silent (0: no limit); `deadline`: the caller's,
  // after which no store is waited for (in-process stores cannot be given a gRPC deadline,
  // and one stuck in a bucket read would otherwise hold the query past its timeout).
  MergedStoreSeries(std::vector<Source> sources, bool abort_on_error, std::chrono::milliseconds timeout,
                    std::chrono::steady_clock::time_point deadline, int64_t limit, int64_t series_limit,
                    std::vector<std::string> initial_warnings)
      : sources_(std::move(sources)),
        abort_(abort_on_error),
        timeout_(timeout),
        deadline_(deadline),
        limit_(limit),
        series_limit_(series_limit),
        warnings_(std::move(initial_warnings)) {
    heads_.resize(sources_.size());
  }

  bool Next() override {
    if (!started_) {
      started_ = true;
      for (size_t i = 0; i < sources_.size(); ++i) Advance(i);
    }
    if (!status_.ok()) return false;
    if (heap_.empty() || limit_reached_) return false;
    // The smallest series next. Several stores may hold the same labels: each sends its own
    // partition, consecutively, so the querier can tell the replicas apart (Thanos's querier
    // reads consecutive equal series as replicas too).
    size_t i = heap_.top().second;
    // Distinct label sets are counted only for the limits. The previous one is kept aside:
    // readers may move the parts out of At().
    const bool limited = limit_ > 0 || series_limit_ > 0;
    if (limited && (emitted_ == 0 || !(last_labels_ == heads_[i].labels))) {
      if (limit_ > 0 && emitted_ >= limit_) {
        limit_reached_ = true;
        return false;
      }
      if (series_limit_ > 0 && emitted_ >= series_limit_) {
        // The request asked for more than the querier allows: fail it (Thanos's limited
        // store server does the same) and stop the stores from sending the rest.
        status_ = ExecutionError(SeriesLimitError(series_limit_, emitted_ + 1));
        Cancel();
        return false;
      }
      ++emitted_;
      last_labels_ = heads_[i].labels;
    }
    heap_.pop();
    current_ = std::move(heads_[i]);
    Advance(i);
    return status_.ok();
  }

  storage::Series& At() override { return current_; }
  Status status() const override { return status_; }
  std::vector<std::string> Warnings() const override { return warnings_; }
  void Cancel() override {
    for (auto& s : sources_) s.reader->Cancel();
  }

 private:
  using HeapItem = std::pair<const Labels*, size_t>;
  struct Greater {
    bool operator()(const HeapItem& a, const HeapItem& b) const {
      int c = Compare(*a.first, *b.first);
      return c != 0 ? c > 0 : a.second > b.second;
    }
  };

  // Reads source i's next series into heads_[i] and pushes it on the heap; takes its warnings
  // at its end, and turns its failure or silence into a warning or an error.
  void Advance(size_t i) {
    auto& src = sources_[i];
    if (!src.active) return;
    std::chrono::milliseconds wait = timeout_;
    bool deadline_first = false;
    if (deadline_ != std::chrono::steady_clock::time_point::max()) {
      auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline_ - std::chrono::steady_clock::now());
      left = std::max(left, std::chrono::milliseconds(1));  // <= 0 would mean "forever"
      if (wait.count() <= 0 || left < wait) {
        wait = left;
        deadline_first = true;
      }
    }
    auto res = src.reader->Pop(&heads_[i], wait);
    if (res == AsyncSeriesReader::Result::kTimeout) {
      Fail(i, deadline_first ? "receive series from " + src.name + ": context deadline exceeded"
                             : "failed to receive any data in " + std::to_string(timeout_.count()) + "ms from " +
                                   src.name);
      return;
    }
    if (res == AsyncSeriesReader::Result::kEnd) {
      for (const auto& w : src.reader->warnings()) warnings_.push_back(src.name + ": " + w);
      Status s = src.reader->status();
      if (!s.ok()) {
        // A remote store's error already names it; say it once.
        const std::string prefix = "receive series from " + src.name;
        Fail(i, s.message().rfind(prefix, 0) == 0 ? s.message() : prefix + ": " + s.message(), Refused(s));
      } else {
        src.active = false;
      }
      return;
    }
    heap_.push({&heads_[i].labels, i});
  }

  // A store that answered with an error of its own (a limit, a bad block) rather than one that
  // could not be reached or did not finish in time: asking again will not help.
  static bool Refused(const Status& s) {
    return s.code() != StatusCode::kUnavailable && s.code() != StatusCode::kTimeout &&
           s.code() != StatusCode::kCanceled;
  }

  void Fail(size_t i, const std::string& msg, bool refused = false) {
    sources_[i].active = false;
    sources_[i].reader->Cancel();  // a silent store stops sending (and its thread ends)
    if (abort_) {
      // Unreachable or silent stores are retryable (503 unavailable); a store's own refusal
      // fails the query as an execution error (422), as Thanos reports it.
      status_ = refused ? ExecutionError(msg) : UnavailableError(msg);
    } else {
      warnings_.push_back(msg);
    }
  }

  std::vector<Source> sources_;
  bool abort_;
  std::chrono::milliseconds timeout_;
  std::chrono::steady_clock::time_point deadline_;
  int64_t limit_;
  int64_t series_limit_;
  std::vector<std::string> warnings_;
  std::vector<storage::Series> heads_;
  std::priority_queue<HeapItem, std::vector<HeapItem>, Greater> heap_;
  bool started_ = false;
  int64_t emitted_ = 0;  // distinct label sets sent
  bool limit_reached_ = false;
  Labels last_labels_;
  storage::Series current_;
  Status status_;
};

template <typename Resp, typename Call>
StatusOr<std::vector<std::string>> FanOutStrings(const std::vector<StoreEndpoint>& stores, bool abort, Call call,
                                                 std::vector<std::string>* warnings) {
  std::vector<std::future<StatusOr<Resp>>> futures;
  futures.reserve(stores.size());
  for (const auto& s : stores) {
    futures.push_back(std::async(std::launch::async, [&s, &call] { return call(*s.store); }));
  }
  std::set<std::string> all;
  for (size_t i = 0; i < futures.size(); ++i) {
    auto r = futures[i].get();
    if (!r.ok()) {
      std::string msg = stores[i].store->Name() + ": " + r.status().message();
      if (abort) return Status(r.status().code(), msg);
      warnings->push_back(msg);
      continue;
    }
    for (const auto& w : r->warnings()) warnings->push_back(w);
    if constexpr (std::is_same_v<Resp, thanos::LabelNamesResponse>) {
      all.insert(r->names().begin(), r->names().end());
    } else {
      all.insert(r->values().begin(), r->values().end());
    }
  }
  return std::vector<std::string>(all.begin(), all.end());
}

}  // namespace

std::string SeriesLimitError(int64_t limit, int64_t got) {
  return "failed to send series: limit " + std::to_string(limit) + " violated (got " + std::to_string(got) + ")";
}

std::string NewInstanceId() {
  std::random_device rd;
  uint64_t v = (static_cast<uint64_t>(rd()) << 32) ^ rd();
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

ProxyStore::ProxyStore(EndpointSource endpoints, ProxyStoreOptions opts)
    : endpoints_(std::move(endpoints)), opts_(std::move(opts)) {
  if (opts_.instance_id.empty()) opts_.instance_id = NewInstanceId();
}

StatusOr<storeapi::CallContext> ProxyStore::Forwarded(const storeapi::CallContext& ctx) const {
  if (std::find(ctx.via.begin(), ctx.via.end(), opts_.instance_id) != ctx.via.end()) {
    return BadData("request loop: this request already passed through this querier (an endpoint is the querier "
                   "itself or forwards back to it); the endpoint is ignored");
  }
  storeapi::CallContext out = ctx;
  out.via.push_back(opts_.instance_id);
  return out;
}

std::vector<StoreEndpoint> ProxyStore::Matching(int64_t mint, int64_t maxt, const Matchers& matchers) const {
  std::vector<StoreEndpoint> out;
  for (auto& e : endpoints_()) {
    if (StoreMatches(e, mint, maxt, matchers)) out.push_back(std::move(e));
  }
  return out;
}

StatusOr<thanos::info::InfoResponse> ProxyStore::Info(const storeapi::CallContext& ctx) {
  if (auto fwd = Forwarded(ctx); !fwd.ok()) return fwd.status();
  thanos::info::InfoResponse r;
  r.set_componenttype(opts_.component_type);
  int64_t mint = std::numeric_limits<int64_t>::max();
  int64_t maxt = std::numeric_limits<int64_t>::min();
  std::set<Labels, decltype([](const Labels& a, const Labels& b) { return a < b; })> sets;
  for (const auto& e : endpoints_()) {
    mint = std::min(mint, e.min_time);
    maxt = std::max(maxt, e.max_time);
    for (const auto& l : e.label_sets) sets.insert(l);
  }
  for (const auto& l : sets) storeapi::LabelsToProto(l, r.add_label_sets()->mutable_labels());
  auto* s = r.mutable_store();
  // No endpoints: advertise an empty range, so a querier above skips this one.
  s->set_min_time(mint <= maxt ? mint : std::numeric_limits<int64_t>::max());
  s->set_max_time(mint <= maxt ? maxt : std::numeric_limits<int64_t>::min());
  s->set_supports_without_replica_labels(true);
  return r;
}

std::unique_ptr<storeapi::SeriesStream> ProxyStore::Series(const thanos::SeriesRequest& req,
                                                           const storeapi::CallContext& ctx) {
  return storeapi::SeriesViaSelect(*this, req, ctx);
}

std::unique_ptr<storage::SeriesSet> ProxyStore::Select(const storeapi::SelectRequest& req,
                                                       const storeapi::CallContext& in_ctx) {
  auto fwd = Forwarded(in_ctx);
  if (!fwd.ok()) return storage::EmptySet(fwd.status());
  const storeapi::CallContext& ctx = *fwd;
  auto stores = Matching(req.min_time, req.max_time, req.matchers);
  std::vector<std::string> warnings;
  if (stores.empty()) warnings.emplace_back(kNoStoresMatched);

  std::vector<MergedStoreSeries::Source> sources;
  for (const auto& e : stores) {
    storeapi::SelectRequest sub = req;
    std::vector<std::string> strip;
    if (!req.without_replica_labels.empty() && !e.supports_without_replica_labels) {
      sub.without_replica_labels.clear();
      strip = req.without_replica_labels;
    }
    // Opened on the reader's thread: the merge then waits for no store past the deadline.
    auto open = [store = e.store, sub = std::move(sub), ctx] { return store->Select(sub, ctx); };
    sources.push_back({e.store->Name(), std::make_unique<AsyncSeriesReader>(std::move(open), opts_.buffer_per_store,
                                                                            strip)});
  }
  return std::make_unique<MergedStoreSeries>(std::move(sources), req.abort_on_store_error, opts_.response_timeout,
                                             ctx.deadline, req.limit, opts_.series_limit, std::move(warnings));
}

StatusOr<thanos::LabelNamesResponse> ProxyStore::LabelNames(const thanos::LabelNamesRequest& req,
                                                            const storeapi::CallContext& in_ctx) {
  auto fwd = Forwarded(in_ctx);
  if (!fwd.ok()) return fwd.status();
  const storeapi::CallContext& ctx = *fwd;
  auto matchers = storeapi::MatchersFromProto(req.matchers());
  if (!matchers.ok()) return matchers.status();
  auto stores = Matching(req.start(), req.end(), *matchers);
  thanos::LabelNamesResponse resp;
  std::vector<std::string> warnings;
  if (stores.empty()) warnings.emplace_back(kNoStoresMatched);
  auto names = FanOutStrings<thanos::LabelNamesResponse>(
      stores, Abort(req.partial_response_strategy(), req.partial_response_disabled()),
      [&](storeapi::Store& s) { return s.LabelNames(req, ctx); }, &warnings);
  if (!names.ok()) return names.status();
  for (const auto& n : *names) {
    if (req.limit() > 0 && resp.names_size() >= req.limit()) break;
    resp.add_names(n);
  }
  for (auto& w : warnings) resp.add_warnings(std::move(w));
  return resp;
}

StatusOr<thanos::LabelValuesResponse> ProxyStore::LabelValues(const thanos::LabelValuesRequest& req,
                                                              const storeapi::CallContext& in_ctx) {
  auto fwd = Forwarded(in_ctx);
  if (!fwd.ok()) return fwd.status();
  const storeapi::CallContext& ctx = *fwd;
  auto matchers = storeapi::MatchersFromProto(req.matchers());
  if (!matchers.ok()) return matchers.status();
  auto stores = Matching(req.start(), req.end(), *matchers);
  thanos::LabelValuesResponse resp;
  std::vector<std::string> warnings;
  if (stores.empty()) warnings.emplace_back(kNoStoresMatched);
  auto values = FanOutStrings<thanos::LabelValuesResponse>(
      stores, Abort(req.partial_response_strategy(), req.partial_response_disabled()),
      [&](storeapi::Store& s) { return s.LabelValues(req, ctx); }, &warnings);
  if (!values.ok()) return values.status();
  for (const auto& v : *values) {
    if (req.limit() > 0 && resp.values_size() >= req.limit()) break;
    resp.add_values(v);
  }
  for (auto& w : warnings) resp.add_warnings(std::move(w));
  return resp;
}

}  // namespace meridian::query
