#pragma once
// Resolves label matchers to the postings of the series they select, with Prometheus's
// semantics: a matcher that accepts the empty string also selects series lacking the label.

#include "model/matcher.h"
#include "tsdb/index/index_reader.h"
#include "tsdb/index/postings.h"

namespace meridian::tsdb {

// A matcher that rejects "" contributes the union of the postings of the values it accepts,
// intersected with the others. A matcher that accepts "" selects everything except the series
// whose value it rejects, so those postings are subtracted instead. Set regexes ("a|b") and
// equality use direct lookups; other regexes scan the label's values. Without any intersecting
// matcher the all-series list is the starting set. Errors surface through status().
index::PostingsPtr PostingsForMatchers(const index::IndexReader& ix, const Matchers& matchers);

}  // namespace meridian::tsdb
