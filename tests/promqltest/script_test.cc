#include "promql/promqltest/script.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <filesystem>
#include <map>

#include "model/value.h"

namespace meridian::promqltest {
namespace {

std::vector<double> Floats(const std::vector<SequenceValue>& vs) {
  std::vector<double> out;
  for (const auto& v : vs) out.push_back(v.omitted ? -12345 : v.value);
  return out;
}

SeriesLine MustSeries(std::string_view s) {
  auto r = ParseSeriesLine(s);
  EXPECT_TRUE(r.ok()) << s << ": " << r.status().message();
  return r.ok() ? *r : SeriesLine{};
}

TEST(SeriesLineTest, MetricAndLabels) {
  auto s = MustSeries(R"(http_requests{job="api", instance="0",} 1)");
  EXPECT_EQ(s.labels.ToString(), R"(http_requests{instance="0", job="api"})");
  s = MustSeries(R"({__name__="x", a='b\n'} 1)");
  EXPECT_EQ(s.labels.MetricName(), "x");
  EXPECT_EQ(s.labels.Get("a"), "b\n");
  s = MustSeries(R"({"some.metric", "a.b"="c", d=`raw\n`} 1)");
  EXPECT_EQ(s.labels.MetricName(), "some.metric");
  EXPECT_EQ(s.labels.Get("a.b"), "c");
  EXPECT_EQ(s.labels.Get("d"), "raw\\n");
  s = MustSeries("metric:with:colons 1");
  EXPECT_EQ(s.labels.MetricName(), "metric:with:colons");
  s = MustSeries("{} 1");
  EXPECT_TRUE(s.labels.empty());
  s = MustSeries(R"(m{a="\u00e9\x41"})");
  EXPECT_EQ(s.labels.Get("a"), "\xc3\xa9" "A");
  EXPECT_TRUE(s.values.empty());
}

TEST(SeriesLineTest, BadLabelSets) {
  for (const char* bad : {R"(m{a!="b"} 1)", R"(m{a=~"b"} 1)", R"(m{a="b" 1)", R"(m{a=b} 1)", R"(m{a="b"}1)",
                          R"(m{a="b",a="c"} 1)", R"(m{"x", "y"} 1)", R"(x{__name__="y"} 1)", R"(m{a="unterminated} 1)"}) {
    EXPECT_FALSE(ParseSeriesLine(bad).ok()) << bad;
  }
}

TEST(SeriesLineTest, ValueExpansion) {
  EXPECT_EQ(Floats(MustSeries("m 1+2x3").values), (std::vector<double>{1, 3, 5, 7}));
  EXPECT_EQ(Floats(MustSeries("m 10-2x2").values), (std::vector<double>{10, 8, 6}));
  EXPECT_EQ(Floats(MustSeries("m -1-1x2").values), (std::vector<double>{-1, -2, -3}));
  EXPECT_FALSE(ParseSeriesLine("m -1+-1x2").ok());  // the step takes exactly one sign, as upstream
  EXPECT_EQ(Floats(MustSeries("m 5x2").values), (std::vector<double>{5, 5, 5}));
  EXPECT_EQ(Floats(MustSeries("m 0x5").values).size(), 6u);  // no hex in series values
  EXPECT_EQ(Floats(MustSeries("m _ 1 _x3 2").values), (std::vector<double>{-12345, 1, -12345, -12345, -12345, 2}));
  EXPECT_EQ(Floats(MustSeries("m 1.5e3 .5 +3 -4 1e-2").values), (std::vector<double>{1500, 0.5, 3, -4, 0.01}));
  EXPECT_EQ(Floats(MustSeries("m 1m 1h30m 10s53ms").values), (std::vector<double>{60, 5400, 10.053}));
  EXPECT_EQ(Floats(MustSeries("m 1+1mx2").values), (std::vector<double>{1, 61, 121}));
  EXPECT_EQ(Floats(MustSeries("m\t1\t\t2  ").values), (std::vector<double>{1, 2}));

  auto s = MustSeries("m Inf -Inf NaN inf stale 1 stalex1");
  ASSERT_EQ(s.values.size(), 8u);
  EXPECT_EQ(s.values[0].value, INFINITY);
  EXPECT_EQ(s.values[1].value, -INFINITY);
  EXPECT_TRUE(std::isnan(s.values[2].value));
  EXPECT_FALSE(IsStaleNaN(s.values[2].value));
  EXPECT_EQ(s.values[3].value, INFINITY);
  EXPECT_TRUE(IsStaleNaN(s.values[4].value));
  EXPECT_TRUE(IsStaleNaN(s.values[6].value));
  EXPECT_TRUE(IsStaleNaN(s.values[7].value));
}

TEST(SeriesLineTest, BadValues) {
  for (const char* bad : {"m 1+x3", "m 1+2", "m 1x", "m 1xa", "m foo", "m 1+2x3y", "m _x", "m 1..2",
                          "m 1x99999999999", "m {{schema:0 sum:1", "m {{bogus:1}}", "m {{sum:1 sum:2}}",
                          "m {{counter_reset_hint:maybe}}", "m {{buckets:[]}}"}) {
    EXPECT_FALSE(ParseSeriesLine(bad).ok()) << bad;
  }
}

TEST(SeriesLineTest, Histograms) {
  auto s = MustSeries(
      "h {{schema:1 sum:-3.5 count:10 z_bucket:2 z_bucket_w:0.001 buckets:[1 2 3] offset:-2 n_buckets:[4] "
      "n_offset:1 counter_reset_hint:gauge}} {{}} {{schema:-53 sum:1 count:1 custom_values:[5 10] buckets:[1] }}");
  ASSERT_EQ(s.values.size(), 3u);
  const FloatHistogram& h = *s.values[0].histogram;
  EXPECT_EQ(h.schema, 1);
  EXPECT_EQ(h.sum, -3.5);
  EXPECT_EQ(h.count, 10);
  EXPECT_EQ(h.zero_count, 2);
  EXPECT_EQ(h.zero_threshold, 0.001);
  EXPECT_EQ(h.positive_buckets, (std::vector<double>{1, 2, 3}));
  EXPECT_EQ(h.positive_offset, -2);
  EXPECT_EQ(h.negative_buckets, (std::vector<double>{4}));
  EXPECT_EQ(h.negative_offset, 1);
  EXPECT_EQ(h.counter_reset_hint, CounterResetHint::kGauge);
  EXPECT_EQ(*s.values[1].histogram, FloatHistogram{});
  EXPECT_TRUE(s.values[2].histogram->UsesCustomBuckets());
  EXPECT_EQ(s.values[2].histogram->custom_values, (std::vector<double>{5, 10}));

  s = MustSeries("h {{schema:0 sum:1 count:1}}x2");
  ASSERT_EQ(s.values.size(), 3u);
  EXPECT_EQ(s.values[2].histogram->sum, 1);
}

TEST(SeriesLineTest, HistogramSeriesAddAndSubtract) {
  auto s = MustSeries("h {{schema:0 count:1 sum:1 buckets:[1] offset:1}}+{{count:2 sum:3 buckets:[1 1] offset:0}}x2");
  ASSERT_EQ(s.values.size(), 3u);
  const FloatHistogram& h2 = *s.values[2].histogram;
  EXPECT_EQ(h2.count, 5);
  EXPECT_EQ(h2.sum, 7);
  // Buckets by index: base {1:1}, increment {0:1, 1:1} twice -> {0:2, 1:3}.
  EXPECT_EQ(h2.positive_offset, 0);
  EXPECT_EQ(h2.positive_buckets, (std::vector<double>{2, 3}));

  s = MustSeries("h {{schema:0 sum:10 count:10 buckets:[5 5]}}-{{schema:0 sum:1 count:2 buckets:[1 1]}}x1");
  EXPECT_EQ(s.values[1].histogram->count, 8);
  EXPECT_EQ(s.values[1].histogram->positive_buckets, (std::vector<double>{4, 4}));

  // A finer increment merges down: schema 1 indexes 1,2 -> schema 0 index 1.
  s = MustSeries("h {{schema:0 sum:0 count:0}}+{{schema:1 sum:2 count:2 buckets:[1 1] offset:1}}x1");
  EXPECT_EQ(s.values[1].histogram->positive_offset, 1);
  EXPECT_EQ(s.values[1].histogram->positive_buckets, (std::vector<double>{2}));
  // Coarser increment than the running value is an error, as upstream.
  EXPECT_FALSE(ParseSeriesLine("h {{schema:1 sum:0 count:0}}+{{schema:0 sum:1 count:1}}x1").ok());
}

TEST(StartTimestampTest, Sequences) {
  auto seq = ParseStartTimestampSequence("_ _x2 -30s-1mx2 0 * *x1 1ms 5sx1");
  ASSERT_TRUE(seq.ok()) << seq.status().message();
  std::vector<double> got = Floats(*seq);
  EXPECT_EQ(got, (std::vector<double>{-12345, -12345, -12345, -30000, -90000, -150000, 0, 0, 0, 0, 1, 5000, 5000}));
  EXPECT_FALSE(ParseStartTimestampSequence("_x0").ok());
  EXPECT_FALSE(ParseStartTimestampSequence("1m+1m").ok());
  EXPECT_FALSE(ParseStartTimestampSequence("abc").ok());
}

TEST(ScriptTest, LoadClearEval) {
  const char* text = R"(
# comment
load 5m
  http_requests{job="api"} 0+10x3
  http_requests{job="web"} 1 _ 3
  http_requests{job="api"} 5

clear
load_with_nhcb 1m
	h_bucket{le="1"} 1

eval instant at 50m sum(http_requests)
  {} 100

eval range from 0 to 10m step 5m http_requests
  http_requests{job="api"} 0 10 20
  expect warn msg: something happened
  http_requests{job="web"} 1 _ 3
)";
  auto cmds = ParseScript(text);
  ASSERT_TRUE(cmds.ok()) << cmds.status().message();
  ASSERT_EQ(cmds->size(), 5u);
  const auto& load = std::get<LoadCommand>((*cmds)[0].body);
  EXPECT_EQ((*cmds)[0].line, 3);
  EXPECT_EQ(load.interval_ms, 300000);
  EXPECT_FALSE(load.with_nhcb);
  ASSERT_EQ(load.series.size(), 2u);
  // The second definition of job="api" replaces the first.
  EXPECT_EQ(Floats(load.series[0].values), (std::vector<double>{5}));
  EXPECT_EQ(load.series[0].line, 6);
  EXPECT_TRUE(std::holds_alternative<ClearCommand>((*cmds)[1].body));
  EXPECT_TRUE(std::get<LoadCommand>((*cmds)[2].body).with_nhcb);

  const auto& inst = std::get<EvalCommand>((*cmds)[3].body);
  EXPECT_FALSE(inst.is_range);
  EXPECT_EQ(inst.start_ms, 3'000'000);
  EXPECT_EQ(inst.end_ms, 3'000'000);
  EXPECT_EQ(inst.expr, "sum(http_requests)");
  ASSERT_EQ(inst.expected.size(), 1u);
  EXPECT_TRUE(inst.expected[0].labels.empty());

  const auto& range = std::get<EvalCommand>((*cmds)[4].body);
  EXPECT_TRUE(range.is_range);
  EXPECT_EQ(range.start_ms, 0);
  EXPECT_EQ(range.end_ms, 600000);
  EXPECT_EQ(range.step_ms, 300000);
  ASSERT_EQ(range.expected.size(), 2u);
  EXPECT_EQ(range.expected[0].position, 1);
  EXPECT_EQ(range.expected[1].position, 2);  // the expect line does not count
  ASSERT_EQ(range.expects.size(), 1u);
  EXPECT_EQ(range.expects[0].kind, ExpectKind::kWarn);
  EXPECT_EQ(range.expects[0].match, ExpectLine::Match::kMessage);
  EXPECT_EQ(range.expects[0].text, "something happened");
  EXPECT_EQ(range.expects[0].line, 17);
}

TEST(ScriptTest, ExpectForms) {
  const char* text = R"(
eval instant at 1m foo
  expect fail regex: bad.*thing
  expect no_info
  expect ordered
  foo 1

eval_fail instant at 0 bar
  expected_fail_message vector cannot contain metrics with the same labelset

eval_ordered instant at 0 baz

eval_warn range from 0 to 1m step 30s x

eval_info instant at 0 y

eval instant at 0 "a"
  expect string "Foo\tbar"

eval instant at 1m x[1m]
  expect range vector from 10s to 1m step 10s
  x 1 2 3 4 5 6

eval instant at 0 1
  0x10

eval instant at 0 2
  -Inf

eval instant at 0 s
  expect string `raw`
)";
  auto cmds = ParseScript(text);
  ASSERT_TRUE(cmds.ok()) << cmds.status().message();
  ASSERT_EQ(cmds->size(), 10u);
  const auto& e0 = std::get<EvalCommand>((*cmds)[0].body);
  ASSERT_EQ(e0.expects.size(), 3u);
  EXPECT_EQ(e0.expects[0].kind, ExpectKind::kFail);
  EXPECT_EQ(e0.expects[0].match, ExpectLine::Match::kRegex);
  EXPECT_EQ(e0.expects[0].text, "bad.*thing");
  EXPECT_EQ(e0.expects[1].kind, ExpectKind::kNoInfo);
  EXPECT_EQ(e0.expects[1].match, ExpectLine::Match::kAny);
  EXPECT_EQ(e0.ExpectsOf(ExpectKind::kOrdered).size(), 1u);
  EXPECT_TRUE(e0.ExpectsFailure());
  EXPECT_EQ(e0.expected[0].position, 1);

  const auto& e1 = std::get<EvalCommand>((*cmds)[1].body);
  EXPECT_TRUE(e1.fail);
  EXPECT_TRUE(e1.ExpectsFailure());
  EXPECT_EQ(e1.expected_fail_message, "vector cannot contain metrics with the same labelset");
  EXPECT_TRUE(std::get<EvalCommand>((*cmds)[2].body).ordered);
  EXPECT_TRUE(std::get<EvalCommand>((*cmds)[3].body).warn);
  EXPECT_TRUE(std::get<EvalCommand>((*cmds)[3].body).is_range);
  EXPECT_TRUE(std::get<EvalCommand>((*cmds)[4].body).info);
  EXPECT_EQ(std::get<EvalCommand>((*cmds)[5].body).expected_string, "Foo\tbar");
  EXPECT_TRUE(std::get<EvalCommand>((*cmds)[5].body).exclude_from_range_query);
  const auto& rv = std::get<EvalCommand>((*cmds)[6].body);
  EXPECT_TRUE(rv.expect_range_vector);
  EXPECT_EQ(rv.range_vector_start_ms, 10000);
  EXPECT_EQ(rv.range_vector_end_ms, 60000);
  EXPECT_EQ(rv.range_vector_step_ms, 10000);
  EXPECT_EQ(rv.expected[0].values.size(), 6u);
  EXPECT_EQ(rv.expected[0].position, 2);  // upstream counts the range-vector line
  EXPECT_EQ(std::get<EvalCommand>((*cmds)[7].body).expected_scalar, 16);
  EXPECT_EQ(std::get<EvalCommand>((*cmds)[8].body).expected_scalar, -INFINITY);
  EXPECT_EQ(std::get<EvalCommand>((*cmds)[9].body).expected_string, "raw");
}

TEST(ScriptTest, StartTimestampLines) {
  const char* text = R"(
load 1m
  @st _ -1m
  a 1 2
  b{x="y"}@st _ -30s-1mx1
  b{x="y"} 1 2 3
)";
  auto cmds = ParseScript(text);
  ASSERT_TRUE(cmds.ok()) << cmds.status().message();
  const auto& load = std::get<LoadCommand>((*cmds)[0].body);
  EXPECT_EQ(Floats(load.default_st_values), (std::vector<double>{-12345, -60000}));
  ASSERT_EQ(load.series.size(), 2u);
  EXPECT_TRUE(load.series[0].st_values.empty());
  EXPECT_EQ(Floats(load.series[1].st_values), (std::vector<double>{-12345, -30000, -90000}));

  EXPECT_FALSE(ParseScript("load 1m\n  b@st 1s\n  c 1\n").ok());     // metric mismatch
  EXPECT_FALSE(ParseScript("load 1m\n  b@st 1s 2s\n  b 1\n").ok());  // length mismatch
  EXPECT_FALSE(ParseScript("load 1m\n  b@st 1s\n").ok());            // no sample line
}

TEST(ScriptTest, Errors) {
  struct Case {
    const char* text;
    const char* want;
  };
  for (const Case& c : std::vector<Case>{
           {"bogus 1", "line 1: invalid command"},
           {"load\n", "line 1: invalid load command"},
           {"load 5x\n", "invalid step definition"},
           {"\n\nload 1m\n  m{a=\"b\" 1\n", "line 4:"},
           {"eval instant at xx foo\n", "invalid timestamp definition"},
           {"eval instant foo\n", "invalid evaluation command"},
           {"eval range from 2m to 1m step 1m foo\n", "is before start timestamp"},
           {"eval_ordered range from 0 to 1m step 1m foo\n", "invalid evaluation command"},
           {"eval instant at 0 foo\n  foo 1 2\n", "expecting multiple values in instant evaluation not allowed"},
           {"eval instant at 0 foo\n  expect warn\n  expect no_warn\n", "warn and no_warn cannot be used together"},
           {"eval instant at 0 foo\n  expect fail\n  expect fail\n", "multiple expect fail lines"},
           {"eval instant at 0 foo\n  expect bogus\n", "invalid expect statement"},
           {"eval instant at 0 foo\n  expect warn nope: x\n", "invalid expect statement"},
           {"eval instant at 0 foo\n  expect string foo\n", "correctly quoted"},
           {"eval instant at 0 foo\n  expect string 'ab'\n", "correctly quoted"},
           {"eval instant at 0 foo\n  expect range vector from 1m to 2m\n", "invalid range vector definition"},
       }) {
    auto r = ParseScript(c.text);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_NE(r.status().message().find(c.want), std::string::npos) << c.text << " -> " << r.status().message();
  }
  EXPECT_EQ(ParseScriptFile("/nonexistent/x.test").status().code(), StatusCode::kNotFound);
}

TEST(ScriptTest, RandomInputNeverCrashes) {
  // Bad input must come back as an error, never a crash (run under ASan/UBSan too).
  const std::string alphabet = "m{}\"'`=,_x+-.0123456789eEIinfNaNstale[]:schema sum count{{}}@\\\n \t#loadevalexpect";
  uint64_t state = 12345;
  auto next = [&] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return state >> 33;
  };
  int ok = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string line;
    const size_t len = next() % 40;
    for (size_t i = 0; i < len; ++i) line.push_back(alphabet[next() % alphabet.size()]);
    ok += ParseSeriesLine(line).ok();
    ok += ParseScript(line).ok();
    ok += ParseScript("load 1m\n  " + line + "\n\neval instant at 0 x\n  " + line + "\n").ok();
  }
  EXPECT_GT(ok, 0);
}

#ifdef MERIDIAN_PROMQL_TESTDATA
TEST(CorpusTest, EveryUpstreamFileParses) {
  namespace fs = std::filesystem;
  const fs::path dir = MERIDIAN_PROMQL_TESTDATA;
  if (!fs::is_directory(dir)) GTEST_SKIP() << "no corpus at " << dir;
  std::map<std::string, fs::path> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".test") files[e.path().filename().string()] = e.path();
  }
  ASSERT_FALSE(files.empty());
  size_t total_evals = 0;
  for (const auto& [name, path] : files) {
    auto cmds = ParseScriptFile(path.string());
    ASSERT_TRUE(cmds.ok()) << cmds.status().message();
    size_t loads = 0, clears = 0, instant = 0, range = 0, expected_series = 0, hist_values = 0;
    for (const auto& c : *cmds) {
      if (const auto* l = std::get_if<LoadCommand>(&c.body)) {
        ++loads;
        for (const auto& s : l->series) {
          for (const auto& v : s.values) hist_values += v.is_histogram();
        }
      } else if (std::holds_alternative<ClearCommand>(c.body)) {
        ++clears;
      } else {
        const auto& e = std::get<EvalCommand>(c.body);
        (e.is_range ? range : instant)++;
        expected_series += e.expected.size();
        EXPECT_FALSE(e.expr.empty()) << name << ":" << e.line;
      }
    }
    total_evals += instant + range;
    std::printf("  %-26s %4zu commands: %3zu load, %3zu clear, %4zu eval instant, %3zu eval range, "
                "%4zu expected series, %5zu histogram samples loaded\n",
                name.c_str(), cmds->size(), loads, clears, instant, range, expected_series, hist_values);
    EXPECT_GT(cmds->size(), 0u) << name;
  }
  std::printf("  total evals: %zu\n", total_evals);
}
#endif

}  // namespace
}  // namespace meridian::promqltest
