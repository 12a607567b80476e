#include "model/matcher.h"

#include <gtest/gtest.h>

namespace meridian {

TEST(Matcher, RegexIsAnchoredAndDotMatchesNewline) {
  std::string err;
  auto m = Matcher::Make(MatchType::kRegexp, "a", "fo.", &err);
  ASSERT_TRUE(m) << err;
  EXPECT_TRUE(m->Matches("foo"));
  EXPECT_FALSE(m->Matches("xfoo"));
  EXPECT_FALSE(m->Matches("fooo"));
  EXPECT_TRUE(m->Matches("fo\n"));
}

TEST(Matcher, NegativeAndEquality) {
  std::string err;
  EXPECT_TRUE(Matcher::Make(MatchType::kNotRegexp, "a", "x|y", &err)->Matches("z"));
  EXPECT_FALSE(Matcher::Make(MatchType::kNotEqual, "a", "z", &err)->Matches("z"));
  EXPECT_TRUE(Matcher::Make(MatchType::kEqual, "a", "", &err)->MatchesEmpty());
}

TEST(Matcher, BadRegexIsAnError) {
  std::string err;
  EXPECT_EQ(Matcher::Make(MatchType::kRegexp, "a", "(", &err), nullptr);
  EXPECT_NE(err.find("error parsing regexp"), std::string::npos);
}

TEST(Matcher, LiteralAlternativesBecomeASet) {
  std::string err;
  auto m = Matcher::Make(MatchType::kRegexp, "a", "x|yy|z", &err);
  EXPECT_EQ(m->SetMatches(), (std::vector<std::string>{"x", "yy", "z"}));
  EXPECT_TRUE(Matcher::Make(MatchType::kRegexp, "a", "x.*", &err)->SetMatches().empty());
}

TEST(Matcher, PrintsWithQuoting) {
  std::string err;
  EXPECT_EQ(Matcher::Make(MatchType::kRegexp, "job", "a\\.b", &err)->ToString(), "job=~\"a\\\\.b\"");
  EXPECT_EQ(Matcher::Make(MatchType::kEqual, "a.b", "c", &err)->ToString(), "\"a.b\"=\"c\"");
}

}  // namespace meridian
