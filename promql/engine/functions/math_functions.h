#pragma once
// Elementwise float functions of PromQL (abs, round, clamp, trig, date parts, ...), matching
// Go's math package where its special cases differ from C's (min/max with NaN, log10, log2,
// float-to-int conversion for the date functions).

#include <optional>
#include <string_view>

namespace meridian::promql::functions {

// A unary float -> float PromQL function.
using UnaryFn = double (*)(double);

// The kernel for a one-argument elementwise function by its PromQL name (abs, ceil, floor,
// exp, sqrt, ln, log2, log10, sgn, sin, cos, tan, asin, acos, atan, sinh, cosh, tanh, asinh,
// acosh, atanh, deg, rad, and the date functions day_of_month, day_of_week, day_of_year,
// days_in_month, hour, minute, month, year applied to Unix seconds). nullptr if unknown.
UnaryFn LookupUnaryFunction(std::string_view name);

double Abs(double v);
double Ceil(double v);
double Floor(double v);
double Exp(double v);
double Sqrt(double v);
double Ln(double v);
double Log2(double v);   // exact for powers of two, as Go's math.Log2
double Log10(double v);  // ln(v) * (1/ln 10), as Go's math.Log10 (so log10(1000) != 3 exactly)
double Sgn(double v);
double Sin(double v);
double Cos(double v);
double Tan(double v);
double Asin(double v);
double Acos(double v);
double Atan(double v);
double Sinh(double v);
double Cosh(double v);
double Tanh(double v);
double Asinh(double v);
double Acosh(double v);
double Atanh(double v);
double Deg(double v);
double Rad(double v);
double Pi();

// round(v, to_nearest): ties round up; to_nearest defaults to 1.
double Round(double v, double to_nearest = 1.0);

// Go's math.Max / math.Min: an infinity of the "winning" sign beats NaN, otherwise NaN wins;
// +0 beats -0 for Max and -0 beats +0 for Min.
double GoMax(double a, double b);
double GoMin(double a, double b);

// clamp(v, min, max) = GoMax(min, GoMin(max, v)). The engine drops the whole output vector
// when max < min (ClampBoundsValid false); clamp_min/clamp_max use -Inf/+Inf for the other.
bool ClampBoundsValid(double min, double max);
double Clamp(double v, double min, double max);
double ClampMin(double v, double min);
double ClampMax(double v, double max);

// Date parts (UTC, proleptic Gregorian as Go's time package) of Unix seconds. The value is
// truncated to an integer second as Go's int64(v) conversion does on amd64 (NaN and
// out-of-range values become INT64_MIN).
double DayOfMonth(double unix_seconds);
double DayOfWeek(double unix_seconds);  // 0 = Sunday
double DayOfYear(double unix_seconds);
double DaysInMonth(double unix_seconds);
double Hour(double unix_seconds);
double Minute(double unix_seconds);
double Month(double unix_seconds);
double Year(double unix_seconds);

}  // namespace meridian::promql::functions
