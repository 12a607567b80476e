#include "storeapi/gateway/merged_series_stream.h"

#include <algorithm>
#include <map>
#include <thread>

#include "storeapi/convert.h"

namespace meridian::storeapi::gateway {

MergedSeriesStream::MergedSeriesStream(std::vector<MergeSource> sources, MergeOptions opts,
                                       CallContext ctx)
    : opts_(opts), ctx_(std::move(ctx)) {
  opts_.batch_size = std::max<int64_t>(opts_.batch_size, 1);
  heads_.reserve(sources.size());
  for (auto& s : sources) {
    heads_.emplace_back();
    heads_.back().src = std::move(s);
  }
}

void MergedSeriesStream::Cancel() {
  cancelled_.store(true);
  for (auto& h : heads_) h.src.stream->Cancel();
}

void MergedSeriesStream::Fetch(Head* h) {
  h->valid = false;
  thanos::SeriesResponse r;
  while (!h->done) {
    if (!h->src.stream->Next(&r)) {
      h->done = true;
      h->status = h->src.stream->status();
      return;
    }
    if (r.has_series()) {
      h->series = std::move(*r.mutable_series());
      h->labels = LabelsFromProto(h->series.labels());
      h->valid = true;
      return;
    }
    if (r.result_case() == thanos::SeriesResponse::kWarning) h->warnings.push_back(r.warning());
    // Block streams are asked for single series, so batches and hints do not occur here.
  }
}

bool MergedSeriesStream::Absorb(Head* h) {
  for (auto& w : h->warnings) warnings_.push_back(std::move(w));
  h->warnings.clear();
  if (h->status.ok()) return true;
  const Status& s = h->status;
  status_ = s.message().find(h->src.name) == std::string::npos ? s.Wrap(h->src.name) : s;
  return false;
}

void MergedSeriesStream::FetchAllInParallel() {
  const size_t workers = std::min<size_t>(heads_.size(), std::max(1, opts_.fetch_concurrency));
  if (workers <= 1) {
    for (auto& h : heads_) Fetch(&h);
    return;
  }
  std::atomic<size_t> next{0};
  std::vector<std::thread> threads;
  for (size_t w = 0; w < workers; ++w) {
    threads.emplace_back([&] {
      for (size_t i = next++; i < heads_.size(); i = next++) Fetch(&heads_[i]);
    });
  }
  for (auto& t : threads) t.join();
}

bool MergedSeriesStream::Refill() {
  pending_.clear();
  next_pending_ = 0;
  const Labels* min = nullptr;
  for (auto& h : heads_) {
    if (h.valid && (min == nullptr || h.labels < *min)) min = &h.labels;
  }
  if (min == nullptr) return false;
  const Labels key = *min;
  // group -> heads, ordered by group so the output is deterministic.
  std::map<std::string, std::vector<Head*>> groups;
  for (auto& h : heads_) {
    if (h.valid && h.labels == key) groups[h.src.group].push_back(&h);
  }
  for (auto& [group, members] : groups) {
    thanos::Series out = std::move(members.front()->series);
    for (size_t i = 1; i < members.size(); ++i) {
      for (auto& c : *members[i]->series.mutable_chunks()) *out.add_chunks() = std::move(c);
    }
    if (members.size() > 1) {
      auto* chunks = out.mutable_chunks();
      std::stable_sort(chunks->begin(), chunks->end(), [](const auto& a, const auto& b) {
        return a.min_time() != b.min_time() ? a.min_time() < b.min_time() : a.max_time() < b.max_time();
      });
      // Overlapping copies of one block (a compaction's sources not yet deleted) carry the
      // same chunks: send each once, as Thanos does.
      int kept = 0;
      for (int i = 0; i < chunks->size(); ++i) {
        const auto& c = chunks->Get(i);
        if (kept > 0) {
          const auto& p = chunks->Get(kept - 1);
          if (p.min_time() == c.min_time() && p.max_time() == c.max_time() &&
              p.SerializeAsString() == c.SerializeAsString()) {
            continue;
          }
        }
        if (kept != i) chunks->SwapElements(kept, i);
        ++kept;
      }
      while (chunks->size() > kept) chunks->RemoveLast();
    }
    pending_.push_back(std::move(out));
    for (Head* h : members) {
      if (!Advance(h)) return false;
    }
  }
  return true;
}

bool MergedSeriesStream::NextSeries(thanos::Series* out) {
  if (opts_.limit > 0 && emitted_ >= opts_.limit) return false;
  if (ctx_.Done() || cancelled_.load(std::memory_order_relaxed)) {
    status_ = Status(StatusCode::kCanceled, "series request canceled or past its deadline");
    return false;
  }
  if (next_pending_ >= pending_.size() && !Refill()) return false;
  // Checked once there is one more series to send, so exactly `series_limit` series pass.
  // Each partition (block group) counts, as each block's series count in Thanos's store.
  if (opts_.series_limit > 0 && emitted_ >= opts_.series_limit) {
    // ResourceExhausted, as Thanos's store sends its limit errors (gRPC code, not Internal).
    status_ = ResourceExhaustedError("exceeded series limit: limit " + std::to_string(opts_.series_limit) +
                                     " violated (got " + std::to_string(emitted_ + 1) + ")");
    return false;
  }
  *out = std::move(pending_[next_pending_++]);
  ++emitted_;
  return true;
}

bool MergedSeriesStream::Next(thanos::SeriesResponse* out) {
  out->Clear();
  if (!status_.ok()) return false;
  if (!started_) {
    started_ = true;
    FetchAllInParallel();
    for (auto& h : heads_) {
      if (!Absorb(&h)) return false;
    }
  }
  if (!series_done_) {
    if (opts_.batch_size == 1) {
      thanos::Series s;
      if (NextSeries(&s)) {
        *out->mutable_series() = std::move(s);
        return true;
      }
    } else {
      auto* batch = out->mutable_batch();
      for (int64_t i = 0; i < opts_.batch_size; ++i) {
        thanos::Series s;
        if (!NextSeries(&s)) break;
        *batch->add_series() = std::move(s);
      }
      if (status_.ok() && batch->series_size() > 0) return true;
    }
    if (!status_.ok()) return false;
    series_done_ = true;
  }
  if (next_warning_ < warnings_.size()) {
    out->Clear();
    out->set_warning(warnings_[next_warning_++]);
    return true;
  }
  return false;
}

}  // namespace meridian::storeapi::gateway
