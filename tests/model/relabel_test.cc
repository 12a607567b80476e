#include "model/relabel.h"

#include <gtest/gtest.h>

namespace meridian {
namespace {

std::vector<RelabelStep> Steps(const std::string& yaml) {
  auto s = ParseRelabelConfig(yaml);
  EXPECT_TRUE(s.ok()) << s.status().message();
  return s.ok() ? *s : std::vector<RelabelStep>{};
}

TEST(Relabel, HashModMatchesPrometheus) {
  // Prometheus's relabel_test: md5("baz") last 8 bytes mod 1000.
  auto out = Relabel(Labels{{"a", "foo"}, {"b", "bar"}, {"c", "baz"}},
                     Steps("- source_labels: [c]\n  target_label: d\n  action: hashmod\n  modulus: 1000\n"));
  ASSERT_TRUE(out);
  EXPECT_EQ(out->Get("d"), "976");
}

TEST(Relabel, KeepAndDropSelectBlocks) {
  auto keep = Steps("- source_labels: [cluster]\n  regex: eu-.*\n  action: keep\n");
  EXPECT_TRUE(Relabel(Labels{{"cluster", "eu-west-1"}}, keep));
  EXPECT_FALSE(Relabel(Labels{{"cluster", "us-east-1"}}, keep));
  // Anchored: "eu" alone does not match "xeu-1".
  EXPECT_FALSE(Relabel(Labels{{"cluster", "xeu-1"}}, keep));
  auto drop = Steps("- source_labels: [cluster, replica]\n  separator: /\n  regex: eu-west-1/b\n  action: drop\n");
  EXPECT_FALSE(Relabel(Labels{{"cluster", "eu-west-1"}, {"replica", "b"}}, drop));
  EXPECT_TRUE(Relabel(Labels{{"cluster", "eu-west-1"}, {"replica", "a"}}, drop));
  // Sharding by hashmod on __block_id: every id lands in exactly one of two shards.
  auto shard = [&](int n) {
    return Steps("- source_labels: [__block_id]\n  target_label: shard\n  action: hashmod\n  modulus: 2\n"
                 "- source_labels: [shard]\n  regex: \"" + std::to_string(n) + "\"\n  action: keep\n");
  };
  int in0 = 0, in1 = 0;
  for (int i = 0; i < 100; ++i) {
    Labels l{{"__block_id", "01H" + std::to_string(i)}};
    bool a = Relabel(l, shard(0)).has_value(), b = Relabel(l, shard(1)).has_value();
    EXPECT_NE(a, b);
    in0 += a;
    in1 += b;
  }
  EXPECT_GT(in0, 20);
  EXPECT_GT(in1, 20);
}

TEST(Relabel, ReplaceLabelMapAndErrors) {
  auto out = Relabel(Labels{{"a", "foo"}},
                     Steps("- source_labels: [a]\n  regex: f(o+)\n  target_label: b\n  replacement: x${1}y\n"));
  ASSERT_TRUE(out);
  EXPECT_EQ(out->Get("b"), "xooy");
  out = Relabel(Labels{{"b1", "bar"}, {"b2", "baz"}}, Steps("- regex: (b.*)\n  replacement: bar_${1}\n  action: labelmap\n"));
  ASSERT_TRUE(out);
  EXPECT_EQ(out->Get("bar_b1"), "bar");
  EXPECT_FALSE(ParseRelabelConfig("- action: hashmod\n  target_label: x\n").ok());  // no modulus
  EXPECT_FALSE(ParseRelabelConfig("- action: nope\n").ok());
  EXPECT_FALSE(ParseRelabelConfig("- regex: \"(\"\n").ok());
  EXPECT_FALSE(ParseRelabelConfig("- source_labelz: [a]\n").ok());
  EXPECT_TRUE(ParseRelabelConfig("").ok());
}

}  // namespace
}  // namespace meridian
