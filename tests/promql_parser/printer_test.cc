// Printing gives Prometheus's canonical text; printing then parsing gives the same AST.

#include <gtest/gtest.h>

#include "test_util.h"

namespace meridian::promql {
namespace {

using testing::Canon;

TEST(Printer, CanonicalForms) {
  EXPECT_EQ(Canon("sum by(job)(rate(x[5m]))"), "sum by (job) (rate(x[5m]))");
  EXPECT_EQ(Canon("a+on(b)group_left(c)d"), "a + on (b) group_left (c) d");
  EXPECT_EQ(Canon("x offset 5m @ 100"), "x @ 100.000 offset 5m");
  EXPECT_EQ(Canon("x offset -5m"), "x offset -5m");
  EXPECT_EQ(Canon("x[1h30m]"), "x[1h30m]");
  EXPECT_EQ(Canon("x[90m]"), "x[1h30m]");
  EXPECT_EQ(Canon("x[7d]"), "x[1w]");
  EXPECT_EQ(Canon("1e3"), "1000");
  EXPECT_EQ(Canon("1e21"), "1e+21");
  EXPECT_EQ(Canon("0.000001"), "1e-06");
  EXPECT_EQ(Canon("-Inf"), "-Inf");
  EXPECT_EQ(Canon("+inf"), "+Inf");
  EXPECT_EQ(Canon("nan"), "NaN");
  EXPECT_EQ(Canon("0x10"), "16");
  EXPECT_EQ(Canon("'a\"b'"), "\"a\\\"b\"");
  EXPECT_EQ(Canon("`a\\b`"), "\"a\\\\b\"");
  EXPECT_EQ(Canon("\"\\xff\""), "\"\\xff\"");
  EXPECT_EQ(Canon("{\"a.b\"=\"c\", \"metric.name\"}"), "{\"a.b\"=\"c\",__name__=\"metric.name\"}");
  EXPECT_EQ(Canon("foo{z=\"1\", a=\"2\"}"), "foo{a=\"2\",z=\"1\"}");
  EXPECT_EQ(Canon("- -a"), "--a");
  EXPECT_EQ(Canon("+a"), "+a");
  EXPECT_EQ(Canon("-(1)"), "-(1)");
  EXPECT_EQ(Canon("1 - -1"), "1 - -1");
  EXPECT_EQ(Canon("a / ignoring(x) b"), "a / ignoring (x) b");
  EXPECT_EQ(Canon("a unless b"), "a unless b");
  EXPECT_EQ(Canon("a atan2 b"), "a atan2 b");
  EXPECT_EQ(Canon("label_replace(x, \"a\", \"$1\", \"b\", \"(.*)\")"),
            "label_replace(x, \"a\", \"$1\", \"b\", \"(.*)\")");
  EXPECT_EQ(Canon("x[5m:] @ start()"), "x[5m:] @ start()");
  EXPECT_EQ(Canon("increase(x[5m] anchored @ 10 offset 1m)"),
            "increase(x[5m] anchored @ 10.000 offset 1m)");
  EXPECT_EQ(Canon("a + fill_right(1) fill_left(2) b"), "a + fill_left(2) fill_right(1) b");
  EXPECT_EQ(Canon("a + fill(NaN) b"), "a + fill(NaN) b");
}

TEST(Printer, RoundTrip) {
  const char* queries[] = {
      "sum by (job) (rate(http_requests_total{code=~\"5..\"}[5m])) / ignoring (code) group_left sum by (job) (rate(http_requests_total[5m]))",
      "histogram_quantile(0.99, sum by (le) (rate(x_bucket[5m])))",
      "topk(3, sum without (instance) (x))",
      "-x ^ 2 * -3 + (y or z) unless on (a) w",
      "x offset -1h30m @ end()",
      "max_over_time(rate(x[1m])[1h:30s] offset 5m)",
      "x[5m + step() * 2 : min_of(1m, range())] offset -(1h / 2)",
      "a > bool on (x) group_right (y) fill(0) b",
      "count_values(\"v\", {\"a.b\"=~\"c|d\", __name__!=\"\"})",
      "vector(1) + scalar(sum(x)) * time()",
      "label_join(x, \"d\", \",\", \"a\", \"b\", \"c\")",
      "1 < bool 2 == bool 3",
      "quantile_over_time(0.5, x[10m] @ 1600000000.123)",
      "sort_by_label(x, \"a\", \"b\")",
      "info(x, {k=~\".+\"})",
      "x </ 2 >/ 1",
      "\"multi\\nline\\ttab\"",
      "absent(nonexistent{job=\"x\"})",
      "5m",
      "x offset 1h30m",
  };
  for (const char* q : queries) {
    auto r1 = testing::ParseAll(q);
    ASSERT_TRUE(r1.ok()) << q << ": " << r1.ErrorString();
    std::string p1 = ToString(*r1.expr);
    auto r2 = testing::ParseAll(p1);
    ASSERT_TRUE(r2.ok()) << p1 << ": " << r2.ErrorString();
    EXPECT_TRUE(Equal(*r1.expr, *r2.expr)) << q << "\n" << p1;
    EXPECT_EQ(ToString(*r2.expr), p1);
    // Clones print the same.
    EXPECT_EQ(ToString(*r1.expr->Clone()), p1);
  }
}

}  // namespace
}  // namespace meridian::promql
