#include "query/async_series_reader.h"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace meridian::query {

struct AsyncSeriesReader::State {
  State(size_t capacity, std::vector<std::string> strip) : capacity(std::max<size_t>(capacity, 1)), strip(std::move(strip)) {}

  bool Push(storage::Series s) {  // false when asked to stop
    std::unique_lock<std::mutex> l(mu);
    if (!stop && queue.size() >= capacity) {
      producer_waiting = true;
      cv.wait(l, [&] { return stop || queue.size() < capacity; });
      producer_waiting = false;
    }
    if (stop) return false;
    queue.push_back(std::move(s));
    // A waiting merger is woken for a batch, not for every series: it also looks on its own
    // every kPoll, so a slow store's series still arrive promptly.
    if (consumer_waiting && queue.size() >= kWakeBatch) cv.notify_all();
    return true;
  }

  static constexpr size_t kWakeBatch = 32;
  static constexpr std::chrono::milliseconds kPoll{1};

  const size_t capacity;
  const std::vector<std::string> strip;
  std::thread thread;

  mutable std::mutex mu;
  std::condition_variable cv;
  std::unique_ptr<storage::SeriesSet> set;  // set once opened; lives as long as the state
  std::deque<storage::Series> queue;
  bool producer_waiting = false;
  bool consumer_waiting = false;
  bool done = false;
  bool stop = false;
  Status status;
  std::vector<std::string> warnings;
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
  if (state_->set) state_->set->Cancel();
}

void AsyncSeriesReader::Run(const std::shared_ptr<State>& st, const Open& open) {
  std::unique_ptr<storage::SeriesSet> opened = open();
  storage::SeriesSet* set = opened.get();
  {
    std::lock_guard<std::mutex> l(st->mu);
    st->set = std::move(opened);
    if (st->stop) set->Cancel();
  }
  if (!st->strip.empty()) {
    ReadSortedStripped(*st, *set);
  } else {
    while (set->Next()) {
      storage::Series& s = set->At();
      if (!st->Push(storage::Series{std::move(s.labels), std::move(s.chunks)})) break;
    }
  }
  std::vector<std::string> warnings = set->Warnings();
  std::lock_guard<std::mutex> l(st->mu);
  st->done = true;
  st->status = st->stop ? Status(StatusCode::kCanceled, "series read canceled") : set->status();
  st->warnings = std::move(warnings);
  st->cv.notify_all();
}

void AsyncSeriesReader::ReadSortedStripped(State& st, storage::SeriesSet& set) {
  std::vector<storage::Series> series;
  while (set.Next()) {
    storage::Series& s = set.At();
    series.push_back(storage::Series{s.labels.WithoutNames(st.strip), std::move(s.chunks)});
  }
  std::stable_sort(series.begin(), series.end(),
                   [](const storage::Series& a, const storage::Series& b) { return a.labels < b.labels; });
  // Series equal once stripped stay separate, consecutive partitions: they are replicas.
  for (auto& s : series) {
    if (!st.Push(std::move(s))) return;
  }
}

AsyncSeriesReader::Result AsyncSeriesReader::Pop(storage::Series* out, std::chrono::milliseconds timeout) {
  if (taken_.empty()) {
    State& st = *state_;
    std::unique_lock<std::mutex> l(st.mu);
    auto ready = [&] { return !st.queue.empty() || st.done || st.stop; };
    if (!ready()) {
      // Waking this thread for each series costs more than the series itself (a futex wake
      // per series, and on a VM an interrupt to another core): wait in short slices instead,
      // woken early only for a batch or the end.
      st.consumer_waiting = true;
      const auto until = timeout.count() > 0 ? std::chrono::steady_clock::now() + timeout
                                              : std::chrono::steady_clock::time_point::max();
      bool got = false;
      while (!(got = ready())) {
        const auto now = std::chrono::steady_clock::now();
        if (now >= until) break;
        st.cv.wait_for(l, std::min<std::chrono::steady_clock::duration>(State::kPoll, until - now));
      }
      st.consumer_waiting = false;
      if (!got) return Result::kTimeout;
    }
    if (st.stop) {
      st.status = Status(StatusCode::kCanceled, "series read canceled");
      return Result::kEnd;
    }
    if (st.queue.empty()) return Result::kEnd;
    taken_.swap(st.queue);
    if (st.producer_waiting) st.cv.notify_all();
  }
  *out = std::move(taken_.front());
  taken_.pop_front();
  return Result::kItem;
}

Status AsyncSeriesReader::status() const {
  std::lock_guard<std::mutex> l(state_->mu);
  return state_->status;
}

std::vector<std::string> AsyncSeriesReader::warnings() const {
  std::lock_guard<std::mutex> l(state_->mu);
  return state_->warnings;
}

}  // namespace meridian::query
