#include "promql/engine/functions/math_functions.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
#include <unordered_map>
#include <string>

namespace meridian::promql::functions {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// Go's int64(f) on amd64 (CVTTSD2SQ): truncation toward zero, and the "integer indefinite"
// value INT64_MIN for NaN and anything outside the int64 range.
int64_t GoFloatToInt64(double v) {
  if (std::isnan(v) || v >= 9223372036854775808.0 || v < -9223372036854775808.0) {
    return std::numeric_limits<int64_t>::min();
  }
  return static_cast<int64_t>(v);
}

struct CivilTime {
  int64_t year;
  int month;  // 1..12
  int day;    // 1..31
  int yday;   // 1..366
  int wday;   // 0 = Sunday
  int hour;
  int minute;
};

bool IsLeap(int64_t y) { return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0); }

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// Proleptic Gregorian calendar date of a day count since 1970-01-01, via the 400-year cycle
// (146097 days) with years starting on March 1st so leap days fall at the end of a year.
CivilTime CivilFromUnix(int64_t secs) {
  CivilTime c{};
  const int64_t days = FloorDiv(secs, 86400);
  const int64_t sod = secs - days * 86400;
  c.hour = static_cast<int>(sod / 3600);
  c.minute = static_cast<int>((sod % 3600) / 60);
  // 1970-01-01 was a Thursday.
  c.wday = static_cast<int>(((days % 7) + 11) % 7);

  const int64_t z = days + 719468;  // days since 0000-03-01
  const int64_t era = FloorDiv(z, 146097);
  const int64_t doe = z - era * 146097;                                      // [0, 146096]
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
  const int64_t doy_mar = doe - (365 * yoe + yoe / 4 - yoe / 100);           // [0, 365]
  const int64_t mp = (5 * doy_mar + 2) / 153;                                // March = 0
  c.day = static_cast<int>(doy_mar - (153 * mp + 2) / 5 + 1);
  c.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  c.year = yoe + era * 400 + (c.month <= 2 ? 1 : 0);

  static constexpr int kDaysBefore[] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
  c.yday = kDaysBefore[c.month - 1] + c.day + ((c.month > 2 && IsLeap(c.year)) ? 1 : 0);
  return c;
}

CivilTime Civil(double unix_seconds) { return CivilFromUnix(GoFloatToInt64(unix_seconds)); }

}  // namespace

double Abs(double v) { return std::fabs(v); }
double Ceil(double v) { return std::ceil(v); }
double Floor(double v) { return std::floor(v); }
double Exp(double v) { return std::exp(v); }
double Sqrt(double v) { return std::sqrt(v); }
double Ln(double v) { return std::log(v); }

double Log2(double v) {
  // Go splits off the binary exponent so exact powers of two give exact integers.
  int exp = 0;
  const double frac = std::frexp(v, &exp);
  if (frac == 0.5) return static_cast<double>(exp - 1);
  if (std::isnan(v) || std::isinf(v) || v <= 0) return std::log2(v);
  return std::log(frac) * std::numbers::log2e + static_cast<double>(exp);
}

// Go folds the constant 1/Ln10 exactly before rounding it once; log10(e) is that value.
double Log10(double v) { return std::log(v) * std::numbers::log10e; }

double Sgn(double v) {
  if (v < 0) return -1;
  if (v > 0) return 1;
  return v;  // ±0 and NaN pass through
}

double Sin(double v) { return std::sin(v); }
double Cos(double v) { return std::cos(v); }
double Tan(double v) { return std::tan(v); }
double Asin(double v) { return std::asin(v); }
double Acos(double v) { return std::acos(v); }
double Atan(double v) { return std::atan(v); }
double Sinh(double v) { return std::sinh(v); }
double Cosh(double v) { return std::cosh(v); }
double Tanh(double v) { return std::tanh(v); }
double Asinh(double v) { return std::asinh(v); }
double Acosh(double v) { return std::acosh(v); }
double Atanh(double v) { return std::atanh(v); }
double Deg(double v) { return v * 180 / std::numbers::pi; }
double Rad(double v) { return v * std::numbers::pi / 180; }
double Pi() { return std::numbers::pi; }

double Round(double v, double to_nearest) {
  // Multiplying by the inverse gives fewer representation surprises than dividing.
  const double inverse = 1.0 / to_nearest;
  return std::floor(v * inverse + 0.5) / inverse;
}

double GoMax(double a, double b) {
  if (std::isinf(a) && a > 0) return a;
  if (std::isinf(b) && b > 0) return b;
  if (std::isnan(a) || std::isnan(b)) return kNaN;
  if (a == 0 && a == b) return std::signbit(a) ? b : a;
  return a > b ? a : b;
}

double GoMin(double a, double b) {
  if (std::isinf(a) && a < 0) return a;
  if (std::isinf(b) && b < 0) return b;
  if (std::isnan(a) || std::isnan(b)) return kNaN;
  if (a == 0 && a == b) return std::signbit(a) ? a : b;
  return a < b ? a : b;
}

bool ClampBoundsValid(double min, double max) { return !(max < min); }
double Clamp(double v, double min, double max) { return GoMax(min, GoMin(max, v)); }
double ClampMin(double v, double min) { return Clamp(v, min, kInf); }
double ClampMax(double v, double max) { return Clamp(v, -kInf, max); }

double DayOfMonth(double s) { return Civil(s).day; }
double DayOfWeek(double s) { return Civil(s).wday; }
double DayOfYear(double s) { return Civil(s).yday; }
double DaysInMonth(double s) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const CivilTime c = Civil(s);
  return (c.month == 2 && IsLeap(c.year)) ? 29 : kDays[c.month - 1];
}
double Hour(double s) { return Civil(s).hour; }
double Minute(double s) { return Civil(s).minute; }
double Month(double s) { return Civil(s).month; }
double Year(double s) { return static_cast<double>(Civil(s).year); }

UnaryFn LookupUnaryFunction(std::string_view name) {
  static const std::unordered_map<std::string, UnaryFn> kFns = {
      {"abs", Abs},           {"ceil", Ceil},
      {"floor", Floor},       {"exp", Exp},
      {"sqrt", Sqrt},         {"ln", Ln},
      {"log2", Log2},         {"log10", Log10},
      {"sgn", Sgn},           {"sin", Sin},
      {"cos", Cos},           {"tan", Tan},
      {"asin", Asin},         {"acos", Acos},
      {"atan", Atan},         {"sinh", Sinh},
      {"cosh", Cosh},         {"tanh", Tanh},
      {"asinh", Asinh},       {"acosh", Acosh},
      {"atanh", Atanh},       {"deg", Deg},
      {"rad", Rad},           {"day_of_month", DayOfMonth},
      {"day_of_week", DayOfWeek}, {"day_of_year", DayOfYear},
      {"days_in_month", DaysInMonth}, {"hour", Hour},
      {"minute", Minute},     {"month", Month},
      {"year", Year},
  };
  auto it = kFns.find(std::string(name));
  return it == kFns.end() ? nullptr : it->second;
}

}  // namespace meridian::promql::functions
