#pragma once
// The operator interface every node of an execution plan implements.

#include <memory>
#include <string>
#include <vector>

#include "model/labels.h"
#include "model/status.h"
#include "promql/engine/step_vector.h"

namespace meridian::promql::engine {

// An output series of an operator. drop_name marks series whose __name__ must go at the end
// of the query (delayed name removal); without delayed removal operators drop it at once.
struct SeriesInfo {
  Labels labels;
  bool drop_name = false;
};

enum class ValueKind { kScalar, kVector };

// Receives an operator's output series by series (see Operator::NextRows).
class RowSink {
 public:
  virtual ~RowSink() = default;
  // The values of series `id` at the block's steps; present[k] is 0 where it has none.
  virtual void Row(uint32_t id, const double* vals, const uint8_t* present) = 0;
};

class Operator {
 public:
  virtual ~Operator() = default;

  // Every series the operator may emit, computed once before the first batch. Step vectors
  // carry indexes into this list. A scalar operator has exactly one series with no labels.
  virtual Status Series(const std::vector<SeriesInfo>** out) = 0;

  // Fills *batch with the next consecutive steps (at most the engine's steps_per_batch).
  // An empty batch means the operator is exhausted.
  virtual Status Next(StepBatch* batch) = 0;

  // Series-major evaluation, for operators that compute each series independently of the
  // others: the next up to max_steps consecutive steps (*first, *n; *n == 0 when exhausted)
  // are delivered as one sink->Row per series that has a value in them, in ascending id
  // order. A consumer aggregating many steps at once this way keeps a series' samples in
  // cache for all of them, instead of revisiting every series each batch. A consumer uses
  // either Next or NextRows, never both.
  virtual bool SupportsRows() const { return false; }
  virtual Status NextRows(size_t max_steps, size_t* first, size_t* n, RowSink* sink);

  virtual ValueKind kind() const { return ValueKind::kVector; }
  // Short description for plan printing and errors.
  virtual std::string Name() const = 0;
};

inline Status Operator::NextRows(size_t, size_t*, size_t*, RowSink*) {
  return InternalError(Name() + " cannot evaluate series by series");
}

using OperatorPtr = std::unique_ptr<Operator>;

// Helper for operators that walk a StepRange in batches.
class StepCursor {
 public:
  StepCursor(StepRange range, int per_batch) : range_(range), per_batch_(per_batch) {}
  bool Done() const { return next_ >= range_.NumSteps(); }
  // Number of steps of the next batch and their first index; advances.
  size_t Take(size_t* first) { return Take(first, static_cast<size_t>(per_batch_)); }
  // The same with another batch size.
  size_t Take(size_t* first, size_t max_steps) {
    *first = next_;
    size_t n = std::min(range_.NumSteps() - next_, max_steps);
    next_ += n;
    return n;
  }
  const StepRange& range() const { return range_; }

 private:
  StepRange range_;
  int per_batch_;
  size_t next_ = 0;
};

}  // namespace meridian::promql::engine
