// Elementwise functions: Go's special cases and the corpus's date and trig cases.

#include "promql/engine/functions/math_functions.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace meridian::promql::functions {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

TEST(Math, RoundTiesUpAndToNearest) {
  EXPECT_EQ(Round(2.5), 3);
  EXPECT_EQ(Round(-2.5), -2);
  EXPECT_EQ(Round(1.26, 0.1), 1.3);  // floor(12.6 + 0.5) / 10
  EXPECT_EQ(Round(7, 5), 5);
  EXPECT_EQ(Round(8, 5), 10);
  EXPECT_TRUE(std::isnan(Round(kNaN)));
}

TEST(Math, SgnKeepsZeroAndNaN) {
  EXPECT_EQ(Sgn(-3), -1);
  EXPECT_EQ(Sgn(3), 1);
  EXPECT_TRUE(std::signbit(Sgn(-0.0)));
  EXPECT_TRUE(std::isnan(Sgn(kNaN)));
}

TEST(Math, GoMinMaxSpecialCases) {
  EXPECT_EQ(GoMax(kNaN, kInf), kInf);
  EXPECT_TRUE(std::isnan(GoMax(kNaN, 1)));
  EXPECT_FALSE(std::signbit(GoMax(-0.0, 0.0)));
  EXPECT_EQ(GoMin(kNaN, -kInf), -kInf);
  EXPECT_TRUE(std::isnan(GoMin(1, kNaN)));
  EXPECT_TRUE(std::signbit(GoMin(0.0, -0.0)));
}

TEST(Math, Clamp) {
  EXPECT_EQ(Clamp(5, 0, 3), 3);
  EXPECT_EQ(Clamp(-5, 0, 3), 0);
  EXPECT_TRUE(std::isnan(Clamp(kNaN, 0, 3)));
  EXPECT_EQ(ClampMin(kNaN, kInf), kInf);
  EXPECT_TRUE(std::isnan(ClampMin(kNaN, 0)));
  EXPECT_EQ(ClampMax(kNaN, -kInf), -kInf);
  EXPECT_EQ(ClampMax(10, 2), 2);
  EXPECT_TRUE(ClampBoundsValid(1, 1));
  EXPECT_FALSE(ClampBoundsValid(2, 1));
  EXPECT_TRUE(ClampBoundsValid(kNaN, 1));  // upstream only rejects max < min
}

TEST(Math, LogsAsGo) {
  EXPECT_EQ(Log2(8), 3);
  EXPECT_EQ(Log2(0.125), -3);
  EXPECT_EQ(Log2(0), -kInf);
  EXPECT_TRUE(std::isnan(Log2(-1)));
  // Go multiplies ln(x) by the constant 1/ln(10) rather than calling a log10.
  EXPECT_EQ(Log10(1000), std::log(1000.0) * 0.43429448190325182765);
  EXPECT_NEAR(Log10(1000), 3, 1e-15);
  EXPECT_EQ(Ln(1), 0);
}

TEST(Math, TrigAndConversions) {
  EXPECT_EQ(Pi(), 3.141592653589793);
  EXPECT_EQ(Deg(Pi()), 180);
  EXPECT_EQ(Rad(180), Pi());
  EXPECT_NEAR(Sin(Pi() / 2), 1, 1e-15);
  EXPECT_NEAR(Acos(-1), Pi(), 1e-15);
  EXPECT_TRUE(std::isnan(Asin(2)));
  EXPECT_EQ(Atanh(1), kInf);
  EXPECT_EQ(Cosh(0), 1);
}

TEST(Math, LookupByName) {
  EXPECT_EQ(LookupUnaryFunction("abs")(-2), 2);
  EXPECT_EQ(LookupUnaryFunction("year")(1136239445), 2006);
  EXPECT_EQ(LookupUnaryFunction("nonexistent"), nullptr);
  EXPECT_EQ(LookupUnaryFunction("round"), nullptr);  // takes a second argument
}

TEST(Dates, CorpusCases) {
  // 2006-01-02 22:04:05 UTC, a Monday.
  const double t = 1136239445;
  EXPECT_EQ(Year(t), 2006);
  EXPECT_EQ(Month(t), 1);
  EXPECT_EQ(DayOfMonth(t), 2);
  EXPECT_EQ(DayOfYear(t), 2);
  EXPECT_EQ(DayOfWeek(t), 1);
  EXPECT_EQ(Hour(t), 22);
  EXPECT_EQ(Minute(t), 4);
  EXPECT_EQ(Year(1230767999), 2008);
  EXPECT_EQ(Year(1230768000), 2009);
  EXPECT_DOUBLE_EQ(Month(1456790399) + DayOfMonth(1456790399) / 100, 2.29);
  EXPECT_DOUBLE_EQ(Month(1456790400) + DayOfMonth(1456790400) / 100, 3.01);
  EXPECT_EQ(DayOfYear(1483191420), 366);
  EXPECT_EQ(DayOfYear(1672493820), 365);
  EXPECT_EQ(DaysInMonth(1454284800), 29);
  EXPECT_EQ(DaysInMonth(1485907200), 28);
  // time() at 0: 1970-01-01, a Thursday.
  EXPECT_EQ(Year(0), 1970);
  EXPECT_EQ(DayOfWeek(0), 4);
}

TEST(Dates, NegativeAndFractionalSeconds) {
  // 1969-12-31 23:59:59; -0.5 truncates toward zero to the epoch itself.
  EXPECT_EQ(Year(-1), 1969);
  EXPECT_EQ(Hour(-1), 23);
  EXPECT_EQ(DayOfWeek(-1), 3);
  EXPECT_EQ(Year(-0.5), 1970);
  EXPECT_EQ(Year(951782400), 2000);  // 2000-02-29
  EXPECT_EQ(DaysInMonth(951782400), 29);
  EXPECT_EQ(DaysInMonth(4105123200), 28);  // 2100-02-01: not a leap year
}

}  // namespace
}  // namespace meridian::promql::functions
