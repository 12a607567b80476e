#include "model/time_format.h"

#include <cctype>
#include <chrono>

#include "model/duration.h"

namespace meridian {
namespace {

bool ParseDigits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

int DaysInMonth(int y, int m) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

// time.Parse(time.RFC3339Nano, s): YYYY-MM-DDTHH:MM:SS[.fraction](Z|±hh:mm).
}  // namespace

bool ParseRfc3339Ms(std::string_view s, int64_t* out_ms) {
  int year, month, day, hour, minute, second;
  if (!ParseDigits(s, 0, 4, &year) || s.size() < 19 || s[4] != '-' || !ParseDigits(s, 5, 2, &month) ||
      s[7] != '-' || !ParseDigits(s, 8, 2, &day) || s[10] != 'T' || !ParseDigits(s, 11, 2, &hour) ||
      s[13] != ':' || !ParseDigits(s, 14, 2, &minute) || s[16] != ':' || !ParseDigits(s, 17, 2, &second)) {
    return false;
  }
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month) || hour > 23 || minute > 59 ||
      second > 59) {
    return false;
  }
  size_t i = 19;
  int64_t nanos = 0;
  if (i < s.size() && (s[i] == '.' || s[i] == ',')) {
    ++i;
    size_t start = i;
    int64_t scale = 100000000;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
      if (i - start < 9) {
        nanos += (s[i] - '0') * scale;
        scale /= 10;
      }
      ++i;
    }
    if (i == start) return false;
  }
  int64_t offset_s = 0;
  if (i < s.size() && s[i] == 'Z') {
    ++i;
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    int oh, om;
    if (i + 6 > s.size() || !ParseDigits(s, i + 1, 2, &oh) || s[i + 3] != ':' || !ParseDigits(s, i + 4, 2, &om) ||
        oh > 23 || om > 59) {
      return false;
    }
    offset_s = (oh * 3600 + om * 60) * (s[i] == '-' ? -1 : 1);
    i += 6;
  } else {
    return false;
  }
  if (i != s.size()) return false;
  int64_t secs = DaysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offset_s;
  // timestamp.FromTime truncates the nanoseconds to milliseconds.
  *out_ms = secs * 1000 + nanos / 1000000;
  return true;
}


std::optional<int64_t> ParseTimeOrDurationMs(std::string_view s, int64_t now_ms) {
  if (s.empty()) return std::nullopt;
  int64_t ms = 0;
  if (ParseRfc3339Ms(s, &ms)) return ms;
  bool negative = s.front() == '-';
  auto d = ParseDurationMs(negative ? s.substr(1) : s);
  if (!d) return std::nullopt;
  return now_ms + (negative ? -*d : *d);
}

}  // namespace meridian
