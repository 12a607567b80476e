#include "model/strings.h"

#include <cmath>
#include <cstring>
#include <limits>

#include <gtest/gtest.h>

namespace meridian {

TEST(FormatFloatJSON, MatchesPrometheusJsonutil) {
  EXPECT_EQ(FormatFloatJSON(1.5), "1.5");
  EXPECT_EQ(FormatFloatJSON(0.000123), "0.000123");
  EXPECT_EQ(FormatFloatJSON(1e-7), "1e-07");
  EXPECT_EQ(FormatFloatJSON(1e21), "1e+21");
  EXPECT_EQ(FormatFloatJSON(123456789012345678.0), "123456789012345680");
  EXPECT_EQ(FormatFloatJSON(-2), "-2");
  EXPECT_EQ(FormatFloatJSON(0), "0");
  EXPECT_EQ(FormatFloatJSON(std::numeric_limits<double>::quiet_NaN()), "NaN");
  EXPECT_EQ(FormatFloatJSON(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatFloatJSON(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(FormatFloatJSON(0.1 + 0.2), "0.30000000000000004");
}

// The allocation-free form writes the same text as FormatFloatJSON, for every kind of double:
// random bit patterns (all exponents, subnormals, NaN payloads) and values near the cut-offs.
TEST(FormatFloatJSON, ToBufferMatchesTheStringForm) {
  uint64_t rng = 99;
  auto next = [&rng] {
    rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return rng;
  };
  auto check = [](double v) {
    char buf[kFloatJSONBufferSize];
    const size_t n = FormatFloatJSONTo(v, buf);
    ASSERT_EQ(std::string(buf, n), FormatFloatJSON(v)) << "bits " << std::hexfloat << v;
  };
  for (int i = 0; i < 300000; ++i) {
    uint64_t bits = next();
    double v;
    std::memcpy(&v, &bits, sizeof v);
    check(v);
    // Values of realistic magnitudes, where the plain form is taken.
    check(static_cast<double>(next() % 100000000) / static_cast<double>(1 + next() % 100000));
    check(std::ldexp(static_cast<double>(next() >> 11), -static_cast<int>(next() % 120)));
  }
  for (double v : {1e-6, std::nextafter(1e-6, 0.0), 1e21, std::nextafter(1e21, 0.0), -1e-6, 0.0, -0.0, 1e20, 123.0,
                   0.1, 5e-324, 1.7976931348623157e308}) {
    check(v);
  }
}

TEST(FormatFloatShortest, MatchesGoG) {
  EXPECT_EQ(FormatFloatShortest(1), "1");
  EXPECT_EQ(FormatFloatShortest(0.5), "0.5");
  EXPECT_EQ(FormatFloatShortest(1e-5), "1e-05");
  EXPECT_EQ(FormatFloatShortest(0.0001), "0.0001");
  EXPECT_EQ(FormatFloatShortest(1e20), "100000000000000000000");
  EXPECT_EQ(FormatFloatShortest(1e21), "1e+21");
  EXPECT_EQ(FormatFloatShortest(-std::numeric_limits<double>::infinity()), "-Inf");
}

TEST(GoQuote, EscapesLikeStrconv) {
  EXPECT_EQ(GoQuote("a\"b\\c\n\t"), "\"a\\\"b\\\\c\\n\\t\"");
  EXPECT_EQ(GoQuote("\x01"), "\"\\x01\"");
  EXPECT_EQ(GoQuote("ü"), "\"ü\"");
  // Bytes that are not valid UTF-8 are escaped one by one, as Go does.
  EXPECT_EQ(GoQuote("a\xff" "b"), "\"a\\xff" "b\"");
  EXPECT_EQ(GoQuote("\xc3"), "\"\\xc3\"");          // truncated sequence
  EXPECT_EQ(GoQuote("\xed\xa0\x80"), "\"\\xed\\xa0\\x80\"");  // a surrogate
}

TEST(Utf8, FindsTheFirstInvalidByte) {
  EXPECT_EQ(FindInvalidUtf8("abc"), std::string_view::npos);
  EXPECT_EQ(FindInvalidUtf8("aü\xffz"), 3u);
  EXPECT_EQ(FindInvalidUtf8("\xc0\x80"), 0u);  // overlong NUL
  EXPECT_EQ(Utf8SequenceLength("\xf0\x9f\x98\x80", 0), 4u);
}

TEST(LegacyNames, Validity) {
  EXPECT_TRUE(IsValidLegacyMetricName("a:b_c1"));
  EXPECT_FALSE(IsValidLegacyLabelName("a:b"));
  EXPECT_FALSE(IsValidLegacyLabelName("1a"));
  EXPECT_FALSE(IsValidLegacyMetricName("a.b"));
}

}  // namespace meridian
