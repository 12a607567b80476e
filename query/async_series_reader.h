#pragma once
// Reads one store's series on its own thread into a small bounded buffer, so the proxy can
// merge many stores without one slow store stalling the others' reads, and can give up on a
// store that sends nothing for too long. Series cross threads in batches: the merging thread
// takes everything buffered at once, and each side wakes the other only when it is waiting.
//
// The call that opens the stream runs on that thread too: an in-process store does real work
// there (a bucket store fetches postings and chunks before its stream yields anything), and a
// frozen bucket must not hold the caller past its deadline. For the same reason the reader
// never waits long for its thread when destroyed: a thread still stuck in the store is left to
// finish on its own, with everything it touches kept alive by shared ownership.

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "storage/storage.h"

namespace meridian::query {

class AsyncSeriesReader {
 public:
  enum class Result { kItem, kEnd, kTimeout };
  using Open = std::function<std::unique_ptr<storage::SeriesSet>()>;

  // Starts a thread that calls `open` and reads the set it returns. With `strip_labels`
  // non-empty the store could not drop those labels itself: the reader drops them, which can
  // reorder series, so it then reads the whole stream and sorts it before handing anything out
  // (series that became equal follow each other as partitions).
  AsyncSeriesReader(Open open, size_t capacity, std::vector<std::string> strip_labels);
  // Cancels the stream; joins the thread if it ends within a moment, else leaves it behind.
  ~AsyncSeriesReader();
  AsyncSeriesReader(const AsyncSeriesReader&) = delete;
  AsyncSeriesReader& operator=(const AsyncSeriesReader&) = delete;

  // Next series. kEnd: the set is over, see status() and warnings(). kTimeout: nothing
  // arrived within `timeout` (<= 0: wait forever).
  Result Pop(storage::Series* out, std::chrono::milliseconds timeout);
  Status status() const;
  // The store's warnings; complete once Pop returned kEnd.
  std::vector<std::string> warnings() const;
  // Stops reading; Pop() then returns kEnd with a canceled status. Thread-safe.
  void Cancel();

 private:
  struct State;
  static void Run(const std::shared_ptr<State>& st, const Open& open);
  static void ReadSortedStripped(State& st, storage::SeriesSet& set);

  std::shared_ptr<State> state_;
  std::deque<storage::Series> taken_;  // taken from the buffer, read by the merging thread only
};

}  // namespace meridian::query
