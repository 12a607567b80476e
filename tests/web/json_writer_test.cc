#include "web/api/json_writer.h"

#include <gtest/gtest.h>

#include <cmath>

namespace meridian::web {
namespace {

TEST(TimestampJsonTest, MillisecondsAlwaysThreeDigits) {
  EXPECT_EQ(FormatTimestampJSON(1435781451050), "1435781451.050");
  EXPECT_EQ(FormatTimestampJSON(1435781451500), "1435781451.500");
  EXPECT_EQ(FormatTimestampJSON(1435781451781), "1435781451.781");
  EXPECT_EQ(FormatTimestampJSON(1435781451005), "1435781451.005");
  EXPECT_EQ(FormatTimestampJSON(1435781451000), "1435781451");
  EXPECT_EQ(FormatTimestampJSON(0), "0");
  EXPECT_EQ(FormatTimestampJSON(-1500), "-1.500");
  EXPECT_EQ(FormatTimestampJSON(-500), "-0.500");
  EXPECT_EQ(FormatTimestampJSON(-1000), "-1");
  EXPECT_EQ(FormatTimestampJSON(INT64_MIN), "-9223372036854775.808");
}

TEST(GoJsonQuoteTest, EscapesLikeGo) {
  EXPECT_EQ(GoJsonQuote("plain"), "\"plain\"");
  EXPECT_EQ(GoJsonQuote("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(GoJsonQuote("<a&b>"), "\"\\u003ca\\u0026b\\u003e\"");
  EXPECT_EQ(GoJsonQuote("\n\r\t\x01"), "\"\\n\\r\\t\\u0001\"");
  EXPECT_EQ(GoJsonQuote("caf\xc3\xa9"), "\"caf\xc3\xa9\"");
  EXPECT_EQ(GoJsonQuote("bad\xff"), "\"bad\\ufffd\"");
  EXPECT_EQ(GoJsonQuote("\xe2\x80\xa8"), "\"\\u2028\"");
}

TEST(GoJsonFloatTest, NumbersLikeEncodingJson) {
  EXPECT_EQ(FormatGoJSONFloat(0.5), "0.5");
  EXPECT_EQ(FormatGoJSONFloat(0), "0");
  EXPECT_EQ(FormatGoJSONFloat(1e-7), "1e-7");
  EXPECT_EQ(FormatGoJSONFloat(1.5e-10), "1.5e-10");
  EXPECT_EQ(FormatGoJSONFloat(1e21), "1e+21");
  EXPECT_EQ(FormatGoJSONFloat(0.000123), "0.000123");
}

TEST(JsonWriterTest, SampleValuesAndLabels) {
  JsonWriter w;
  w.StartObject();
  w.Key("metric");
  w.LabelsObject(Labels{{"__name__", "up"}, {"job", "a<b"}});
  w.Key("value");
  w.StartArray();
  w.Timestamp(1435781451050);
  w.SampleValue(1e-7);
  w.EndArray();
  w.Key("v");
  w.StartArray();
  w.SampleValue(NAN);
  w.SampleValue(INFINITY);
  w.SampleValue(-INFINITY);
  w.SampleValue(0.000123);
  w.SampleValue(1e21);
  w.EndArray();
  w.EndObject();
  EXPECT_EQ(w.Take(),
            R"({"metric":{"__name__":"up","job":"a\u003cb"},"value":[1435781451.050,"1e-07"],)"
            R"("v":["NaN","+Inf","-Inf","0.000123","1e+21"]})");
}

}  // namespace
}  // namespace meridian::web
