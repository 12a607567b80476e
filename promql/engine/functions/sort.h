#pragma once
// Orderings for sort, sort_desc, sort_by_label and sort_by_label_desc (Prometheus 3.x).
// All are strict weak orderings usable with std::sort/std::stable_sort; where upstream's Go
// comparator is itself inconsistent (see NaturalCompare) we pick a deterministic order that
// agrees with Go wherever Go's result is well defined.

#include <string>
#include <string_view>
#include <vector>

#include "model/labels.h"

namespace meridian::promql::functions {

// sort(): ascending by value, NaN last.
bool SortAscLess(double a, double b);
// sort_desc(): descending by value, NaN last.
bool SortDescLess(double a, double b);

// Natural order of label values as facette/natsort (which sort_by_label uses): values split
// into runs of ASCII digits and non-digits, digit runs compare numerically, other runs
// bytewise; a value that is a run-wise prefix of another sorts first. Returns <0, 0, >0.
// Where Go's natsort is inconsistent (an empty value; "01" vs "1"; digit runs beyond int64,
// which Go compares bytewise) we use "empty first", bytewise order and numeric order.
int NaturalCompare(std::string_view a, std::string_view b);

// sort_by_label(v, names...): by each named label's value in natural order, then by the full
// label set (labels.Compare). Returns <0, 0, >0.
int SortByLabelCompare(const Labels& a, const Labels& b, const std::vector<std::string>& names);
// sort_by_label_desc: the exact reverse of SortByLabelCompare.
inline int SortByLabelDescCompare(const Labels& a, const Labels& b,
                                  const std::vector<std::string>& names) {
  return -SortByLabelCompare(a, b, names);
}

}  // namespace meridian::promql::functions
