#include "model/duration.h"

#include <array>

namespace meridian {

namespace {
struct Unit {
  std::string_view name;
  int64_t ms;
};
// Order matters twice: parsing requires units largest first, and "m" must be tried after "ms".
constexpr std::array<Unit, 7> kUnits{{{"y", 365LL * 24 * 3600 * 1000},
                                      {"w", 7LL * 24 * 3600 * 1000},
                                      {"d", 24LL * 3600 * 1000},
                                      {"h", 3600LL * 1000},
                                      {"m", 60LL * 1000},
                                      {"s", 1000},
                                      {"ms", 1}}};
}  // namespace

std::optional<int64_t> ParseDurationMs(std::string_view s) {
  if (s == "0") return 0;
  if (s.empty()) return std::nullopt;
  int64_t total = 0;
  size_t next_unit = 0;  // index into kUnits of the smallest unit still allowed
  size_t i = 0;
  while (i < s.size()) {
    size_t start = i;
    int64_t n = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (__builtin_mul_overflow(n, 10, &n) || __builtin_add_overflow(n, s[i] - '0', &n)) {
        return std::nullopt;
      }
      ++i;
    }
    if (i == start) return std::nullopt;
    size_t ustart = i;
    while (i < s.size() && s[i] >= 'a' && s[i] <= 'z') ++i;
    std::string_view unit = s.substr(ustart, i - ustart);
    size_t k = next_unit;
    while (k < kUnits.size() && kUnits[k].name != unit) ++k;
    if (k == kUnits.size()) return std::nullopt;
    int64_t add;
    if (__builtin_mul_overflow(n, kUnits[k].ms, &add) || __builtin_add_overflow(total, add, &total)) {
      return std::nullopt;
    }
    next_unit = k + 1;
  }
  return total;
}

std::string FormatDurationMs(int64_t ms) {
  if (ms == 0) return "0s";
  std::string out;
  uint64_t rest;
  if (ms < 0) {
    out.push_back('-');
    rest = static_cast<uint64_t>(-(ms + 1)) + 1;
  } else {
    rest = static_cast<uint64_t>(ms);
  }
  for (size_t i = 0; i < kUnits.size(); ++i) {
    uint64_t mult = static_cast<uint64_t>(kUnits[i].ms);
    bool exact_only = i < 2;  // years and weeks: 90d reads better than 12w6d
    if (exact_only && rest % mult != 0) continue;
    if (uint64_t v = rest / mult; v > 0) {
      out += std::to_string(v);
      out += kUnits[i].name;
      rest -= v * mult;
    }
  }
  return out;
}

}  // namespace meridian
