#include "query/async_series_reader.h"

#include <algorithm>

#include "storeapi/convert.h"

namespace meridian::query {

AsyncSeriesReader::AsyncSeriesReader(std::unique_ptr<storeapi::SeriesStream> stream, size_t capacity,
                                     std::vector<std::string> strip_labels)
    : stream_(std::move(stream)), capacity_(std::max<size_t>(capacity, 1)), strip_(std::move(strip_labels)) {
  thread_ = std::thread([this] { Run(); });
}

AsyncSeriesReader::~AsyncSeriesReader() {
  Cancel();
  thread_.join();
}

void AsyncSeriesReader::Cancel() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  stream_->Cancel();
}

bool AsyncSeriesReader::Push(thanos::SeriesResponse r) {
  std::unique_lock<std::mutex> l(mu_);
  cv_.wait(l, [&] { return stop_ || queue_.size() < capacity_; });
  if (stop_) return false;
  queue_.push_back(std::move(r));
  cv_.notify_all();
  return true;
}

void AsyncSeriesReader::Run() {
  if (!strip_.empty()) {
    ReadSortedStripped();
  } else {
    thanos::SeriesResponse r;
    while (stream_->Next(&r)) {
      if (r.result_case() == thanos::SeriesResponse::kBatch) {
        for (auto& s : *r.mutable_batch()->mutable_series()) {
          thanos::SeriesResponse one;
          *one.mutable_series() = std::move(s);
          if (!Push(std::move(one))) break;
        }
        continue;
      }
      if (!Push(std::move(r))) break;
    }
  }
  std::lock_guard<std::mutex> l(mu_);
  done_ = true;
  status_ = stop_ ? Status(StatusCode::kCanceled, "series read canceled") : stream_->status();
  cv_.notify_all();
}

void AsyncSeriesReader::ReadSortedStripped() {
  std::vector<std::pair<Labels, thanos::Series>> series;
  std::vector<std::string> warnings;
  thanos::SeriesResponse r;
  auto take = [&](thanos::Series&& s) {
    Labels l = storeapi::LabelsFromProto(s.labels()).WithoutNames(strip_);
    s.clear_labels();
    storeapi::LabelsToProto(l, s.mutable_labels());
    series.emplace_back(std::move(l), std::move(s));
  };
  while (stream_->Next(&r)) {
    switch (r.result_case()) {
      case thanos::SeriesResponse::kSeries: take(std::move(*r.mutable_series())); break;
      case thanos::SeriesResponse::kBatch:
        for (auto& s : *r.mutable_batch()->mutable_series()) take(std::move(s));
        break;
      case thanos::SeriesResponse::kWarning: warnings.push_back(r.warning()); break;
      default: break;
    }
  }
  std::stable_sort(series.begin(), series.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& w : warnings) {
    thanos::SeriesResponse out;
    out.set_warning(std::move(w));
    if (!Push(std::move(out))) return;
  }
  // Series equal once stripped stay separate, consecutive partitions: they are replicas.
  for (auto& entry : series) {
    thanos::SeriesResponse out;
    *out.mutable_series() = std::move(entry.second);
    if (!Push(std::move(out))) return;
  }
}

AsyncSeriesReader::Result AsyncSeriesReader::Pop(thanos::SeriesResponse* out, std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> l(mu_);
  auto ready = [&] { return !queue_.empty() || done_ || stop_; };
  if (timeout.count() > 0) {
    if (!cv_.wait_for(l, timeout, ready)) return Result::kTimeout;
  } else {
    cv_.wait(l, ready);
  }
  if (stop_) {
    status_ = Status(StatusCode::kCanceled, "series read canceled");
    return Result::kEnd;
  }
  if (queue_.empty()) return Result::kEnd;
  *out = std::move(queue_.front());
  queue_.pop_front();
  cv_.notify_all();
  return Result::kItem;
}

Status AsyncSeriesReader::status() const {
  std::lock_guard<std::mutex> l(mu_);
  return status_;
}

}  // namespace meridian::query
