// label_replace / label_join: template expansion as Go's regexp.Expand and upstream errors.

#include "promql/engine/functions/label_functions.h"

#include <gtest/gtest.h>

namespace meridian::promql::functions {
namespace {

Labels Replace(const Labels& in, std::string dst, std::string repl, std::string src,
               std::string regex) {
  auto r = LabelReplacer::Create(std::move(dst), std::move(repl), std::move(src),
                                 std::move(regex));
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r->Apply(in);
}

TEST(LabelReplace, CorpusCases) {
  const Labels in{{"__name__", "testmetric"}, {"src", "source-value-10"}};
  EXPECT_EQ(Replace(in, "dst", "destination-value-$1", "src", "source-value-(.*)").Get("dst"),
            "destination-value-10");
  // No match: unchanged.
  EXPECT_EQ(Replace(in, "dst", "x-$1", "src", "value-(.*)"), in);
  // Regex is anchored: a partial match does not count.
  EXPECT_EQ(Replace(in, "dst", "x", "src", "source"), in);
  // Empty replacement deletes the label; the source label can be overwritten.
  EXPECT_FALSE(Replace(in, "src", "", "src", ".*").Has("src"));
  // A missing source label matches as the empty string.
  EXPECT_EQ(Replace(in, "dst", "filled", "nonexistent", "").Get("dst"), "filled");
  // Named groups and `.` matching newlines.
  const Labels nl{{"src", "a\nb"}};
  EXPECT_EQ(Replace(nl, "dst", "${first}|$2", "src", "(?P<first>a).(b)").Get("dst"), "a|b");
}

TEST(LabelReplace, Errors) {
  auto bad_re = LabelReplacer::Create("dst", "value-$1", "src", "(.*");
  ASSERT_FALSE(bad_re.ok());
  EXPECT_EQ(bad_re.status().message(), "invalid regular expression in label_replace(): (.*");
  auto bad_dst = LabelReplacer::Create("\xff", "", "src", "(.*)");
  ASSERT_FALSE(bad_dst.ok());
  EXPECT_EQ(bad_dst.status().message(), "invalid destination label name in label_replace(): \xff");
  // UTF-8 names are valid in Prometheus 3.
  EXPECT_TRUE(LabelReplacer::Create("dst.ü", "", "src", "").ok());
  EXPECT_FALSE(LabelReplacer::Create("", "", "src", "").ok());
}

std::string Expand(std::string_view tmpl) {
  const std::string_view g0 = "abc", g1 = "a", g2 = "bc";
  std::vector<const std::string_view*> groups = {&g0, &g1, &g2, nullptr};
  std::vector<std::string> names = {"", "x", "", "unmatched"};
  std::string out;
  ExpandTemplate(tmpl, groups, names, &out);
  return out;
}

TEST(ExpandTemplate, GoRegexpExpandRules) {
  EXPECT_EQ(Expand("$1-$2"), "a-bc");
  EXPECT_EQ(Expand("${1}x"), "ax");
  EXPECT_EQ(Expand("$1x"), "");  // the name is "1x": no such group
  EXPECT_EQ(Expand("$x/${x}"), "a/a");
  EXPECT_EQ(Expand("$$1"), "$1");
  EXPECT_EQ(Expand("$9|$unmatched|$3"), "||");
  EXPECT_EQ(Expand("cost: $"), "cost: $");
  EXPECT_EQ(Expand("${1"), "${1");
  EXPECT_EQ(Expand("$-"), "$-");
  EXPECT_EQ(Expand("$01"), "");  // leading zero: a name, not a number
  EXPECT_EQ(Expand("$0"), "abc");
}

TEST(LabelJoin, JoinsAndValidates) {
  const Labels in{{"a", "x"}, {"b", "y"}, {"c", "z"}};
  auto j = LabelJoiner::Create("dst", "-", {"a", "missing", "c"});
  ASSERT_TRUE(j.ok());
  EXPECT_EQ(j->Apply(in).Get("dst"), "x--z");
  auto none = LabelJoiner::Create("a", ",", {});
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->Apply(in).Has("a"));  // empty result removes dst
  auto bad_src = LabelJoiner::Create("\xff", ",", {"ok", "\xfe"});
  ASSERT_FALSE(bad_src.ok());
  EXPECT_EQ(bad_src.status().message(), "invalid source label name in label_join(): \xfe");
  auto bad_dst = LabelJoiner::Create("\xff", ",", {"ok"});
  ASSERT_FALSE(bad_dst.ok());
  EXPECT_EQ(bad_dst.status().message(), "invalid destination label name in label_join(): \xff");
}

}  // namespace
}  // namespace meridian::promql::functions
