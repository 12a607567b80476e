#include "query/async_series_reader.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "storeapi/convert.h"

namespace meridian::query {

struct AsyncSeriesReader::State {
  State(size_t capacity, std::vector<std::string> strip) : capacity(std::max<size_t>(capacity, 1)), strip(std::move(strip)) {}

  bool Push(thanos::SeriesResponse r) {  // false when asked to stop
    std::unique_lock<std::mutex> l(mu);
    cv.wait(l, [&] { return stop || queue.size() < capacity; });
    if (stop) return false;
    queue.push_back(std::move(r));
    cv.notify_all();
    return true;
  }

  const size_t capacity;
  const std::vector<std::string> strip;
  std::thread thread;

  mutable std::mutex mu;
  std::condition_variable cv;
  std::unique_ptr<storeapi::SeriesStream> stream;  // set once opened; lives as long as the state
  std::deque<thanos::SeriesResponse> queue;
  bool done = false;
  bool stop = false;
  Status status;
};

AsyncSeriesReader::AsyncSeriesReader(Open open, size_t capacity, std::vector<std::string> strip_labels)
    : state_(std::make_shared<State>(capacity, std::move(strip_labels))) {
  state_->thread = std::thread([st = state_, open = std::move(open)] { Run(st, open); });
}

AsyncSeriesReader::~AsyncSeriesReader() {
  Cancel();
  bool done = false;
  {
    std::unique_lock<std::mutex> l(state_->mu);
    done = state_->cv.wait_for(l, std::chrono::milliseconds(200), [&] { return state_->done; });
  }
  if (done) {
    state_->thread.join();
  } else {
    state_->thread.detach();  // the thread holds its own reference to the state
  }
}

void AsyncSeriesReader::Cancel() {
  std::lock_guard<std::mutex> l(state_->mu);
  state_->stop = true;
  state_->cv.notify_all();
  if (state_->stream) state_->stream->Cancel();
}

void AsyncSeriesReader::Run(const std::shared_ptr<State>& st, const Open& open) {
  std::unique_ptr<storeapi::SeriesStream> opened = open();
  storeapi::SeriesStream* stream = opened.get();
  {
    std::lock_guard<std::mutex> l(st->mu);
    st->stream = std::move(opened);
    if (st->stop) stream->Cancel();
  }
  if (!st->strip.empty()) {
    ReadSortedStripped(*st, *stream);
  } else {
    thanos::SeriesResponse r;
    while (stream->Next(&r)) {
      if (r.result_case() == thanos::SeriesResponse::kBatch) {
        bool go_on = true;
        for (auto& s : *r.mutable_batch()->mutable_series()) {
          thanos::SeriesResponse one;
          *one.mutable_series() = std::move(s);
          if (!(go_on = st->Push(std::move(one)))) break;
        }
        if (!go_on) break;
        continue;
      }
      if (!st->Push(std::move(r))) break;
    }
  }
  std::lock_guard<std::mutex> l(st->mu);
  st->done = true;
  st->status = st->stop ? Status(StatusCode::kCanceled, "series read canceled") : stream->status();
  st->cv.notify_all();
}

void AsyncSeriesReader::ReadSortedStripped(State& st, storeapi::SeriesStream& stream) {
  std::vector<std::pair<Labels, thanos::Series>> series;
  std::vector<std::string> warnings;
  thanos::SeriesResponse r;
  auto take = [&](thanos::Series&& s) {
    Labels l = storeapi::LabelsFromProto(s.labels()).WithoutNames(st.strip);
    s.clear_labels();
    storeapi::LabelsToProto(l, s.mutable_labels());
    series.emplace_back(std::move(l), std::move(s));
  };
  while (stream.Next(&r)) {
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
    if (!st.Push(std::move(out))) return;
  }
  // Series equal once stripped stay separate, consecutive partitions: they are replicas.
  for (auto& entry : series) {
    thanos::SeriesResponse out;
    *out.mutable_series() = std::move(entry.second);
    if (!st.Push(std::move(out))) return;
  }
}

AsyncSeriesReader::Result AsyncSeriesReader::Pop(thanos::SeriesResponse* out, std::chrono::milliseconds timeout) {
  State& st = *state_;
  std::unique_lock<std::mutex> l(st.mu);
  auto ready = [&] { return !st.queue.empty() || st.done || st.stop; };
  if (timeout.count() > 0) {
    if (!st.cv.wait_for(l, timeout, ready)) return Result::kTimeout;
  } else {
    st.cv.wait(l, ready);
  }
  if (st.stop) {
    st.status = Status(StatusCode::kCanceled, "series read canceled");
    return Result::kEnd;
  }
  if (st.queue.empty()) return Result::kEnd;
  *out = std::move(st.queue.front());
  st.queue.pop_front();
  st.cv.notify_all();
  return Result::kItem;
}

Status AsyncSeriesReader::status() const {
  std::lock_guard<std::mutex> l(state_->mu);
  return state_->status;
}

}  // namespace meridian::query
