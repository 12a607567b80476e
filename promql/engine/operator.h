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

class Operator {
 public:
  virtual ~Operator() = default;

  // Every series the operator may emit, computed once before the first batch. Step vectors
  // carry indexes into this list. A scalar operator has exactly one series with no labels.
  virtual Status Series(const std::vector<SeriesInfo>** out) = 0;

  // Fills *batch with the next consecutive steps (at most the engine's steps_per_batch).
  // An empty batch means the operator is exhausted.
  virtual Status Next(StepBatch* batch) = 0;

  virtual ValueKind kind() const { return ValueKind::kVector; }
  // Short description for plan printing and errors.
  virtual std::string Name() const = 0;
};

using OperatorPtr = std::unique_ptr<Operator>;

// Helper for operators that walk a StepRange in batches.
class StepCursor {
 public:
  StepCursor(StepRange range, int per_batch) : range_(range), per_batch_(per_batch) {}
  bool Done() const { return next_ >= range_.NumSteps(); }
  // Number of steps of the next batch and their first index; advances.
  size_t Take(size_t* first) {
    *first = next_;
    size_t n = std::min(range_.NumSteps() - next_, static_cast<size_t>(per_batch_));
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
