#include "promql/engine/functions/histogram_quantile.h"

#include <algorithm>
#include <cctype>
#include <clocale>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <locale.h>
#include <string>

namespace meridian::promql::functions {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

char Lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

bool IsDigit(char c, bool hex) {
  return (c >= '0' && c <= '9') || (hex && Lower(c) >= 'a' && Lower(c) <= 'f');
}

// Go's rule for '_' in number literals: only between digits (a base prefix counts as a digit).
bool UnderscoresOk(std::string_view s) {
  char saw = '^';
  size_t i = 0;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) s.remove_prefix(1);
  bool hex = false;
  if (s.size() >= 2 && s[0] == '0' && Lower(s[1]) == 'x') {
    i = 2;
    saw = '0';
    hex = true;
  }
  for (; i < s.size(); ++i) {
    if (IsDigit(s[i], hex)) {
      saw = '0';
      continue;
    }
    if (s[i] == '_') {
      if (saw != '0') return false;
      saw = '_';
      continue;
    }
    if (saw == '_') return false;
    saw = '!';
  }
  return saw != '_';
}

// Checks s against Go's floating-point literal syntax (decimal, or hexadecimal with a
// mandatory p exponent), allowing a leading sign.
bool WellFormedNumber(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  bool hex = false;
  if (i + 1 < s.size() && s[i] == '0' && Lower(s[i + 1]) == 'x') {
    hex = true;
    i += 2;
  }
  bool digits = false, dot = false;
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (IsDigit(c, hex)) {
      digits = true;
    } else if (c == '_') {
      continue;
    } else if (c == '.' && !dot) {
      dot = true;
    } else {
      break;
    }
  }
  if (!digits) return false;
  const char exp_char = hex ? 'p' : 'e';
  if (i < s.size() && Lower(s[i]) == exp_char) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    bool exp_digits = false;
    for (; i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == '_'); ++i) {
      if (s[i] != '_') exp_digits = true;
    }
    if (!exp_digits) return false;
  } else if (hex) {
    return false;
  }
  return i == s.size();
}

locale_t CLocale() {
  static locale_t loc = newlocale(LC_ALL_MASK, "C", static_cast<locale_t>(0));
  return loc;
}

// Sorts by upper bound and merges buckets sharing one (their counts add up).
void SortAndCoalesce(std::vector<Bucket>& buckets) {
  std::stable_sort(buckets.begin(), buckets.end(),
                   [](const Bucket& a, const Bucket& b) { return a.upper_bound < b.upper_bound; });
  size_t out = 0;
  Bucket last = buckets[0];
  for (size_t i = 1; i < buckets.size(); ++i) {
    if (buckets[i].upper_bound == last.upper_bound) {
      last.count += buckets[i].count;
    } else {
      buckets[out++] = last;
      last = buckets[i];
    }
  }
  buckets[out++] = last;
  buckets.resize(out);
}

// First absorbs differences so small they are float noise (either direction), then removes
// any remaining decrease by carrying the last accepted count forward. `prev` only moves on an
// accepted increase, so the envelope is measured against accepted counts.
void EnsureMonotonicAndIgnoreSmallDeltas(std::vector<Bucket>& buckets, double tolerance,
                                         BucketQuantileResult* r) {
  r->min_bucket = kInf;
  r->max_bucket = -kInf;
  r->max_diff = 0;
  double prev = buckets[0].count;
  for (size_t i = 1; i < buckets.size(); ++i) {
    const double curr = buckets[i].count;
    if (curr == prev) continue;
    if (AlmostEqual(prev, curr, tolerance)) {
      buckets[i].count = prev;
      r->fixed_precision = true;
      continue;
    }
    if (curr < prev) {
      buckets[i].count = prev;
      r->forced_monotonicity = true;
      r->min_bucket = std::min(r->min_bucket, buckets[i].upper_bound);
      r->max_bucket = std::max(r->max_bucket, buckets[i].upper_bound);
      r->max_diff = std::max(r->max_diff, prev - curr);
      continue;
    }
    prev = curr;
  }
}

}  // namespace

bool AlmostEqual(double a, double b, double epsilon) {
  if (std::isnan(a) && std::isnan(b)) return true;
  if (a == b) return true;
  constexpr double kMinNormal = std::numeric_limits<double>::min();
  const double abs_sum = std::fabs(a) + std::fabs(b);
  const double diff = std::fabs(a - b);
  if (a == 0 || b == 0 || abs_sum < kMinNormal) return diff < epsilon * kMinNormal;
  return diff / std::min(abs_sum, std::numeric_limits<double>::max()) < epsilon;
}

std::optional<double> ParseLeLabel(std::string_view s) {
  if (s.empty()) return std::nullopt;
  // Named values: optional sign with "inf"/"infinity", unsigned "nan", any case.
  {
    std::string_view body = s;
    double sign = 1;
    if (body[0] == '+' || body[0] == '-') {
      sign = body[0] == '-' ? -1 : 1;
      body.remove_prefix(1);
    }
    if (EqualsIgnoreCase(body, "inf") || EqualsIgnoreCase(body, "infinity")) return sign * kInf;
    if (body.size() == s.size() && EqualsIgnoreCase(body, "nan")) return kNaN;
  }
  if (!WellFormedNumber(s) || !UnderscoresOk(s)) return std::nullopt;
  std::string clean;
  clean.reserve(s.size());
  for (char c : s) {
    if (c != '_') clean.push_back(c);
  }
  char* end = nullptr;
  const double v = strtod_l(clean.c_str(), &end, CLocale());
  if (end != clean.c_str() + clean.size()) return std::nullopt;
  // Overflow is a range error for ParseFloat; underflow to zero or a subnormal is not.
  if (std::isinf(v)) return std::nullopt;
  return v;
}

BucketQuantileResult BucketQuantile(double q, std::vector<Bucket>& buckets) {
  BucketQuantileResult r{kNaN};
  if (std::isnan(q)) return r;
  if (q < 0) {
    r.value = -kInf;
    return r;
  }
  if (q > 1) {
    r.value = kInf;
    return r;
  }
  if (buckets.empty()) return r;
  SortAndCoalesce(buckets);
  if (!(std::isinf(buckets.back().upper_bound) && buckets.back().upper_bound > 0)) return r;
  EnsureMonotonicAndIgnoreSmallDeltas(buckets, kSmallDeltaTolerance, &r);

  if (buckets.size() < 2) return r;
  const double observations = buckets.back().count;
  if (observations == 0) return r;
  double rank = q * observations;
  // The +Inf bucket is excluded from the search: a rank there reports the highest finite bound.
  const size_t searched = buckets.size() - 1;
  // Bisection exactly as Go's sort.Search, which matters when NaN counts break monotonicity.
  size_t lo = 0, hi = searched;
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    if (!(buckets[mid].count >= rank)) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  const size_t b = lo;
  if (b == searched) {
    r.value = buckets[buckets.size() - 2].upper_bound;
    return r;
  }
  if (b == 0 && buckets[0].upper_bound <= 0) {
    r.value = buckets[0].upper_bound;
    return r;
  }
  double bucket_start = 0;
  const double bucket_end = buckets[b].upper_bound;
  double count = buckets[b].count;
  if (b > 0) {
    bucket_start = buckets[b - 1].upper_bound;
    count -= buckets[b - 1].count;
    rank -= buckets[b - 1].count;
  }
  r.value = bucket_start + (bucket_end - bucket_start) * (rank / count);
  return r;
}

double BucketFraction(double lower, double upper, std::vector<Bucket>& buckets) {
  if (buckets.empty()) return kNaN;
  SortAndCoalesce(buckets);
  if (!(std::isinf(buckets.back().upper_bound) && buckets.back().upper_bound > 0)) return kNaN;
  const double count = buckets.back().count;
  if (count == 0 || std::isnan(lower) || std::isnan(upper)) return kNaN;
  if (lower >= upper) return 0;

  double rank = 0, lower_rank = 0, upper_rank = 0;
  bool lower_set = false, upper_set = false;
  // Buckets are taken as positive-only (first lower bound 0) unless the first upper bound is
  // not above zero.
  double lower_bound = buckets[0].upper_bound <= 0 ? -kInf : 0;
  for (size_t i = 0; i < buckets.size(); ++i) {
    if (i > 0) lower_bound = buckets[i - 1].upper_bound;
    const double upper_bound = buckets[i].upper_bound;
    const double bucket_count = buckets[i].count;
    // Counts are cumulative, so this bucket holds bucket_count - rank observations.
    auto interpolate = [&](double v) {
      if (std::isinf(lower_bound) && lower_bound < 0) return bucket_count;
      return rank + (bucket_count - rank) * (v - lower_bound) / (upper_bound - lower_bound);
    };
    if (!lower_set && lower_bound >= lower) {
      lower_rank = rank;
      lower_set = true;
    }
    if (!upper_set && lower_bound >= upper) {
      upper_rank = rank;
      upper_set = true;
    }
    if (lower_set && upper_set) break;
    if (!lower_set && lower_bound < lower && upper_bound > lower) {
      lower_rank = interpolate(lower);
      lower_set = true;
    }
    if (!upper_set && lower_bound < upper && upper_bound > upper) {
      upper_rank = interpolate(upper);
      upper_set = true;
    }
    if (lower_set && upper_set) break;
    rank = bucket_count;
  }
  if (!lower_set || lower_rank > count) lower_rank = count;
  if (!upper_set || upper_rank > count) upper_rank = count;
  return (upper_rank - lower_rank) / count;
}

}  // namespace meridian::promql::functions
