#pragma once
// Reads one store's Series stream on its own thread into a small bounded buffer, so the
// proxy can merge many stores without one slow store stalling the others' network reads,
// and can give up on a store that sends nothing for too long.

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "storeapi/store.h"

namespace meridian::query {

class AsyncSeriesReader {
 public:
  enum class Result { kItem, kEnd, kTimeout };

  // Starts reading at once. With `strip_labels` non-empty the store could not drop those
  // labels itself: the reader drops them, which can reorder series, so it then reads the
  // whole stream and sorts it before handing anything out (series that became equal follow
  // each other as partitions).
  AsyncSeriesReader(std::unique_ptr<storeapi::SeriesStream> stream, size_t capacity,
                    std::vector<std::string> strip_labels);
  ~AsyncSeriesReader();  // cancels the stream and joins the thread

  // Next response (series with batches already split, or a warning). kEnd: stream over,
  // see status(). kTimeout: nothing arrived within `timeout` (<= 0: wait forever).
  Result Pop(thanos::SeriesResponse* out, std::chrono::milliseconds timeout);
  Status status() const;
  // Stops reading; Pop() then returns kEnd with a canceled status. Thread-safe.
  void Cancel();

 private:
  void Run();
  bool Push(thanos::SeriesResponse r);  // false when asked to stop
  void ReadSortedStripped();

  std::unique_ptr<storeapi::SeriesStream> stream_;
  const size_t capacity_;
  const std::vector<std::string> strip_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<thanos::SeriesResponse> queue_;
  bool done_ = false;
  bool stop_ = false;
  Status status_;
  std::thread thread_;
};

}  // namespace meridian::query
