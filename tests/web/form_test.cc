#include "web/form.h"

#include <gtest/gtest.h>

namespace meridian::web {
namespace {

TEST(FormTest, DecodesAndKeepsOrder) {
  Form f;
  f.AppendUrlEncoded("query=sum%28up%29+by+x&match%5B%5D=a&match[]=b&empty=&flag");
  EXPECT_EQ(f.Value("query"), "sum(up) by x");
  EXPECT_EQ(f.Values("match[]"), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(f.Has("empty"));
  EXPECT_EQ(f.Value("empty"), "");
  EXPECT_TRUE(f.Has("flag"));
  EXPECT_FALSE(f.Has("missing"));
}

TEST(FormTest, BodyBeforeUrlAsGoFormValue) {
  Form f;
  f.AppendUrlEncoded("query=from_body");
  f.AppendUrlEncoded("query=from_url&time=5");
  EXPECT_EQ(f.Value("query"), "from_body");
  EXPECT_EQ(f.Values("query"), (std::vector<std::string>{"from_body", "from_url"}));
  EXPECT_EQ(f.Value("time"), "5");
}

TEST(FormTest, MalformedPairsDropped) {
  Form f;
  f.AppendUrlEncoded("a=%zz&b=%4&c=ok&d=1;e=2");
  EXPECT_FALSE(f.Has("a"));
  EXPECT_FALSE(f.Has("b"));
  EXPECT_FALSE(f.Has("d"));
  EXPECT_EQ(f.Value("c"), "ok");
}

}  // namespace
}  // namespace meridian::web
