#include "promql/engine/functions/sort.h"

#include <cmath>
#include <cstdint>

namespace meridian::promql::functions {
namespace {

bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }

// The next maximal run of digits or of non-digits.
std::string_view NextChunk(std::string_view s, size_t* pos) {
  const size_t start = *pos;
  const bool digits = IsAsciiDigit(s[start]);
  size_t i = start;
  while (i < s.size() && IsAsciiDigit(s[i]) == digits) ++i;
  *pos = i;
  return s.substr(start, i - start);
}

// Compares two digit runs by numeric value (any length). Go's natsort compares runs that fit
// an int64 numerically and longer ones bytewise, which is not transitive; comparing all of them
// by magnitude agrees with it for every run that fits.
int CompareDigitRuns(std::string_view a, std::string_view b) {
  while (a.size() > 1 && a[0] == '0') a.remove_prefix(1);
  while (b.size() > 1 && b[0] == '0') b.remove_prefix(1);
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  const int c = a.compare(b);
  return (c > 0) - (c < 0);
}

int Sign(int v) { return (v > 0) - (v < 0); }

}  // namespace

bool SortAscLess(double a, double b) {
  if (std::isnan(a)) return false;
  if (std::isnan(b)) return true;
  return a < b;
}

bool SortDescLess(double a, double b) {
  if (std::isnan(a)) return false;
  if (std::isnan(b)) return true;
  return a > b;
}

int NaturalCompare(std::string_view a, std::string_view b) {
  if (a == b) return 0;
  if (a.empty()) return -1;
  if (b.empty()) return 1;
  size_t pa = 0, pb = 0;
  while (pa < a.size() && pb < b.size()) {
    const std::string_view ca = NextChunk(a, &pa);
    const std::string_view cb = NextChunk(b, &pb);
    if (IsAsciiDigit(ca[0]) && IsAsciiDigit(cb[0])) {
      if (const int c = CompareDigitRuns(ca, cb); c != 0) return c;
      continue;
    }
    if (ca != cb) return Sign(ca.compare(cb));
  }
  // All compared chunks are equal: the value with fewer chunks comes first.
  const bool a_done = pa >= a.size(), b_done = pb >= b.size();
  if (a_done && !b_done) return -1;
  if (b_done && !a_done) return 1;
  // Equal chunk by chunk but different text (e.g. "01" and "1"): upstream's comparator claims
  // both orders; pick bytewise order to stay a strict weak ordering.
  return Sign(a.compare(b));
}

int SortByLabelCompare(const Labels& a, const Labels& b, const std::vector<std::string>& names) {
  for (const std::string& name : names) {
    const std::string_view va = a.Get(name), vb = b.Get(name);
    if (va == vb) continue;
    return NaturalCompare(va, vb);
  }
  return Compare(a, b);
}

}  // namespace meridian::promql::functions
