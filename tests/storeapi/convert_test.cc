#include "storeapi/convert.h"

#include <gtest/gtest.h>

namespace meridian::storeapi {
namespace {

TEST(Convert, MatchersRoundTrip) {
  std::string err;
  Matchers in = {Matcher::Make(MatchType::kEqual, "a", "1", &err), Matcher::Make(MatchType::kNotEqual, "b", "2", &err),
                 Matcher::Make(MatchType::kRegexp, "c", "x|y", &err),
                 Matcher::Make(MatchType::kNotRegexp, "d", ".*z", &err)};
  google::protobuf::RepeatedPtrField<thanos::LabelMatcher> pb;
  MatchersToProto(in, &pb);
  ASSERT_EQ(pb.size(), 4);
  EXPECT_EQ(pb[0].type(), thanos::LabelMatcher::EQ);
  EXPECT_EQ(pb[1].type(), thanos::LabelMatcher::NEQ);
  EXPECT_EQ(pb[2].type(), thanos::LabelMatcher::RE);
  EXPECT_EQ(pb[3].type(), thanos::LabelMatcher::NRE);
  auto out = MatchersFromProto(pb);
  ASSERT_TRUE(out.ok());
  for (size_t i = 0; i < in.size(); ++i) EXPECT_EQ((*out)[i]->ToString(), in[i]->ToString());
}

TEST(Convert, BadRegexIsBadData) {
  google::protobuf::RepeatedPtrField<thanos::LabelMatcher> pb;
  auto* m = pb.Add();
  m->set_type(thanos::LabelMatcher::RE);
  m->set_name("a");
  m->set_value("(");
  auto out = MatchersFromProto(pb);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kBadData);
}

TEST(Convert, ChunkEncodingsAreMappedNotCast) {
  EXPECT_EQ(*EncodingFromProto(thanos::Chunk::XOR), storage::ChunkEncoding::kXOR);
  EXPECT_EQ(*EncodingFromProto(thanos::Chunk::FLOAT_HISTOGRAM), storage::ChunkEncoding::kFloatHistogram);
  EXPECT_FALSE(EncodingFromProto(static_cast<thanos::Chunk::Encoding>(7)).ok());
  EXPECT_FALSE(EncodingToProto(storage::ChunkEncoding::kAggregate).ok());
}

TEST(Convert, DownsampledChunkWithoutRawIsAnError) {
  thanos::AggrChunk c;
  c.mutable_count()->set_data("x");
  EXPECT_FALSE(RawChunkFromProto(c).ok());
}

TEST(Convert, HintsRoundTrip) {
  storage::SelectHints h;
  h.step_ms = 60000;
  h.func = "rate";
  h.range_ms = 300000;
  h.by = true;
  h.grouping = {"job"};
  thanos::SeriesRequest req;
  HintsToProto(h, req.mutable_query_hints());
  req.set_min_time(1);
  req.set_max_time(2);
  req.set_skip_chunks(true);
  auto back = HintsFromProto(req);
  EXPECT_EQ(back.step_ms, 60000);
  EXPECT_EQ(back.func, "rate");
  EXPECT_EQ(back.range_ms, 300000);
  EXPECT_TRUE(back.by);
  EXPECT_EQ(back.grouping, std::vector<std::string>{"job"});
  EXPECT_TRUE(back.labels_only);
  EXPECT_EQ(back.start_ms, 1);
  EXPECT_EQ(back.end_ms, 2);
}

}  // namespace
}  // namespace meridian::storeapi
