#pragma once
// Postings: ascending lists of series references, combined lazily (intersect, merge,
// subtract) so a selection only touches as much of each list as it needs.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "model/status.h"

namespace meridian::tsdb::index {

class Postings {
 public:
  virtual ~Postings() = default;
  // Advances to the next reference; false at the end or on error.
  virtual bool Next() = 0;
  // Advances to the first reference >= v (staying put if already there); false when none.
  virtual bool Seek(uint64_t v) = 0;
  // Valid after Next/Seek returned true.
  virtual uint64_t At() const = 0;
  virtual Status status() const { return Status::Ok(); }
};

using PostingsPtr = std::unique_ptr<Postings>;

PostingsPtr EmptyPostings();
PostingsPtr ErrorPostings(Status s);
// `refs` must be ascending.
PostingsPtr ListPostings(std::vector<uint64_t> refs);
// Over a postings list body as stored in the index: #entries 4-byte big-endian references.
PostingsPtr BigEndianPostings(std::string body);

// References present in every input. No inputs gives an empty list.
PostingsPtr Intersect(std::vector<PostingsPtr> its);
// References present in any input, each once.
PostingsPtr Merge(std::vector<PostingsPtr> its);
// References of `full` that are not in `drop`.
PostingsPtr Without(PostingsPtr full, PostingsPtr drop);

// Drains the iterator.
StatusOr<std::vector<uint64_t>> ExpandPostings(Postings& p);

}  // namespace meridian::tsdb::index
