#include "common/process.h"

#include <gtest/gtest.h>

namespace meridian {
namespace {

TEST(SplitHostPort, ThanosAddressForms) {
  auto a = SplitHostPort("127.0.0.1:10902");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 10902);
  auto b = SplitHostPort(":9090");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->host, "0.0.0.0");
  auto c = SplitHostPort("[::1]:0");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->host, "::1");
  EXPECT_EQ(c->port, 0);
  EXPECT_FALSE(SplitHostPort("localhost").ok());
  EXPECT_FALSE(SplitHostPort("h:99999").ok());
  EXPECT_FALSE(SplitHostPort("h:x1").ok());
  EXPECT_FALSE(SplitHostPort("[::1]9090").ok());
}

}  // namespace
}  // namespace meridian
