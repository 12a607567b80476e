#include "storeapi/convert.h"

#include <gtest/gtest.h>

#include <optional>
#include <random>
#include <vector>

#include "storeapi/queryable_store.h"
#include "tsdb/chunkenc/xor.h"

namespace meridian::storeapi {
namespace {

std::string XorBytes(int64_t t0, int64_t step, int n, double v0 = 1.5) {
  chunkenc::XorEncoder enc;
  for (int i = 0; i < n; ++i) enc.Append(t0 + i * step, v0 + i * 0.25 + (i % 7) * 1e-3);
  return std::string(enc.bytes());
}

storage::Chunk XorChunk(int64_t t0, int64_t step, int n) {
  storage::Chunk c;
  c.min_time = t0;
  c.max_time = t0 + (n - 1) * step;
  c.encoding = storage::ChunkEncoding::kXOR;
  c.data = std::make_shared<const std::string>(XorBytes(t0, step, n));
  return c;
}

// One entry of a Thanos aggregate body as written independently of the code under test:
// uvarint(len(data)), on-disk encoding byte, data; absent = a single zero byte.
struct BodyEntry {
  uint8_t disk_encoding;
  std::string data;
};

std::string AggregateBody(const std::vector<std::optional<BodyEntry>>& entries) {
  std::string out;
  for (const auto& e : entries) {
    uint64_t len = e ? e->data.size() : 0;
    do {
      uint8_t b = len & 0x7f;
      len >>= 7;
      if (len != 0) b |= 0x80;
      out.push_back(static_cast<char>(b));
    } while (len != 0);
    if (!e) continue;
    out.push_back(static_cast<char>(e->disk_encoding));
    out.append(e->data);
  }
  return out;
}

storage::Chunk AggregateChunk(std::string body, int64_t mint = 299999, int64_t maxt = 1499999) {
  storage::Chunk c;
  c.min_time = mint;
  c.max_time = maxt;
  c.encoding = storage::ChunkEncoding::kAggregate;
  c.data = std::make_shared<const std::string>(std::move(body));
  return c;
}

constexpr uint8_t kDiskXor = 1;
constexpr uint8_t kDiskFloatHistogram = 3;

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

TEST(Convert, ChunkWithNeitherRawNorAggregatesIsBadData) {
  thanos::AggrChunk c;
  c.set_min_time(1);
  auto out = ChunkFromProto(c);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kBadData);
}

TEST(Convert, RawChunkRoundTrip) {
  storage::Chunk in = XorChunk(10, 60000, 3);
  thanos::AggrChunk pb;
  // Raw chunks ignore the aggregate selection, as Thanos's populateChunk does.
  ASSERT_TRUE(ChunkToProto(in, AggregateSet{}, &pb).ok());
  EXPECT_TRUE(pb.has_raw());
  EXPECT_FALSE(pb.has_count());
  EXPECT_EQ(pb.raw().type(), thanos::Chunk::XOR);
  auto back = ChunkFromProto(pb);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->encoding, storage::ChunkEncoding::kXOR);
  EXPECT_EQ(back->bytes(), in.bytes());
}

TEST(Convert, RawWinsWhenAChunkCarriesBoth) {
  thanos::AggrChunk pb;
  pb.mutable_raw()->set_type(thanos::Chunk::XOR);
  pb.mutable_raw()->set_data(XorBytes(0, 1000, 4));
  pb.mutable_count()->set_data(XorBytes(0, 1000, 2));
  auto back = ChunkFromProto(pb);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->encoding, storage::ChunkEncoding::kXOR);
  EXPECT_EQ(back->bytes(), pb.raw().data());
}

TEST(Convert, AggregateChunkSplitsIntoSubChunksAndRebuildsByteForByte) {
  // Five distinct float sub-chunks, as the downsampler writes for a float series.
  std::vector<std::optional<BodyEntry>> entries;
  for (int i = 0; i < 5; ++i) entries.push_back(BodyEntry{kDiskXor, XorBytes(299999, 300000, 5, i * 10.0)});
  const std::string body = AggregateBody(entries);
  thanos::AggrChunk pb;
  ASSERT_TRUE(ChunkToProto(AggregateChunk(body), kAllAggregates, &pb).ok());

  EXPECT_FALSE(pb.has_raw());
  EXPECT_EQ(pb.min_time(), 299999);
  EXPECT_EQ(pb.max_time(), 1499999);
  const thanos::Chunk* wire[] = {&pb.count(), &pb.sum(), &pb.min(), &pb.max(), &pb.counter()};
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(wire[i]->type(), thanos::Chunk::XOR) << i;
    EXPECT_EQ(wire[i]->data(), entries[i]->data) << i;
  }

  auto back = ChunkFromProto(pb);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->encoding, storage::ChunkEncoding::kAggregate);
  EXPECT_EQ(back->min_time, 299999);
  EXPECT_EQ(back->max_time, 1499999);
  EXPECT_EQ(back->bytes(), body);
}

TEST(Convert, HistogramAggregateKeepsAbsentMinMaxAbsent) {
  // Native-histogram layout: count XOR, sum and counter FloatHistogram, min and max absent.
  // The float-histogram bytes are opaque here; only their encoding and bytes must survive.
  const std::string fh_sum = "fh-sum-bytes";
  const std::string fh_counter = "fh-counter-bytes";
  const std::string body = AggregateBody({BodyEntry{kDiskXor, XorBytes(599999, 300000, 2)},
                                          BodyEntry{kDiskFloatHistogram, fh_sum}, std::nullopt, std::nullopt,
                                          BodyEntry{kDiskFloatHistogram, fh_counter}});
  thanos::AggrChunk pb;
  // count, sum, counter: the ones this layout has.
  ASSERT_TRUE(ChunkToProto(AggregateChunk(body), AggregateSet{0b10011}, &pb).ok());
  EXPECT_TRUE(pb.has_count());
  EXPECT_EQ(pb.count().type(), thanos::Chunk::XOR);
  EXPECT_EQ(pb.sum().type(), thanos::Chunk::FLOAT_HISTOGRAM);
  EXPECT_EQ(pb.sum().data(), fh_sum);
  EXPECT_FALSE(pb.has_min());
  EXPECT_FALSE(pb.has_max());
  EXPECT_EQ(pb.counter().type(), thanos::Chunk::FLOAT_HISTOGRAM);
  EXPECT_EQ(pb.counter().data(), fh_counter);

  auto back = ChunkFromProto(pb);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->bytes(), body);
}

TEST(Convert, AggregateWithOnlyTrailingEntryAndMultiByteLength) {
  // 150 samples make a sub-chunk longer than 127 bytes, so its length takes two varint bytes.
  const std::string counter = XorBytes(0, 300000, 150);
  ASSERT_GT(counter.size(), 127u);
  const std::string body =
      AggregateBody({std::nullopt, std::nullopt, std::nullopt, std::nullopt, BodyEntry{kDiskXor, counter}});
  EXPECT_EQ(static_cast<uint8_t>(body[4]) & 0x80, 0x80);
  thanos::AggrChunk pb;
  ASSERT_TRUE(ChunkToProto(AggregateChunk(body), AggregateSet{0b10000}, &pb).ok());
  EXPECT_FALSE(pb.has_count());
  EXPECT_EQ(pb.counter().data(), counter);
  auto back = ChunkFromProto(pb);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->bytes(), body);
}

void ExpectCorruptAndUntouched(const std::string& body, const std::string& why) {
  thanos::AggrChunk pb;
  Status s = ChunkToProto(AggregateChunk(body), kAllAggregates, &pb);
  EXPECT_FALSE(s.ok()) << why;
  EXPECT_EQ(s.code(), StatusCode::kCorrupt) << why << ": " << s.message();
  EXPECT_EQ(pb.ByteSizeLong(), 0u) << why;
}

TEST(Convert, MalformedAggregateBodiesAreErrors) {
  const std::string good = AggregateBody({BodyEntry{kDiskXor, XorBytes(0, 300000, 3)},
                                          BodyEntry{kDiskXor, XorBytes(0, 300000, 3, 7.0)}, std::nullopt,
                                          std::nullopt, BodyEntry{kDiskXor, XorBytes(0, 300000, 3, 9.0)}});
  for (size_t n = 0; n < good.size(); ++n) {
    ExpectCorruptAndUntouched(good.substr(0, n), "truncated to " + std::to_string(n) + " bytes");
  }
  ExpectCorruptAndUntouched(good + "x", "trailing byte");
  ExpectCorruptAndUntouched(std::string(5, '\0'), "all entries absent");
  ExpectCorruptAndUntouched(std::string(11, '\xff'), "varint longer than 10 bytes");
  // 2^64-1 as a length: must not wrap around the bounds check.
  ExpectCorruptAndUntouched(std::string(9, '\xff') + "\x01" + "\x01xy", "huge length");
  std::string unknown_encoding = good;
  unknown_encoding[1] = '\x07';
  ExpectCorruptAndUntouched(unknown_encoding, "unknown sub-chunk encoding");
}

// Go's Uvarint, like ours, accepts over-long length varints that no writer produces; for those
// the rebuilt body uses the minimal form, so the property checked is that the sub-chunks survive.
TEST(Convert, RandomAggregateBodiesNeverCrashAndRoundTripWhenAccepted) {
  std::mt19937 rng(42);
  int accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string body(rng() % 24, '\0');
    // Mostly small bytes so that lengths and encodings are often plausible.
    for (auto& b : body) b = static_cast<char>(rng() % 4 == 0 ? rng() % 256 : rng() % 4);
    thanos::AggrChunk pb;
    // A random non-empty selection: an empty one sends no sub-chunk, which cannot come back.
    const AggregateSet wanted(rng() % 31 + 1);
    if (!ChunkToProto(AggregateChunk(body), wanted, &pb).ok()) continue;
    ++accepted;
    auto back = ChunkFromProto(pb);
    ASSERT_TRUE(back.ok()) << back.status().message();
    thanos::AggrChunk again;
    ASSERT_TRUE(ChunkToProto(*back, wanted, &again).ok());
    ASSERT_EQ(again.SerializeAsString(), pb.SerializeAsString());
  }
  EXPECT_GT(accepted, 0);
}

TEST(Convert, UnusableWireSubChunksAreBadData) {
  thanos::AggrChunk empty_sum;
  empty_sum.mutable_count()->set_data(XorBytes(0, 300000, 2));
  empty_sum.mutable_sum();  // present but empty: the body cannot tell it from absent
  auto a = ChunkFromProto(empty_sum);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().code(), StatusCode::kBadData);

  thanos::AggrChunk bad_type;
  bad_type.mutable_max()->set_type(static_cast<thanos::Chunk::Encoding>(9));
  bad_type.mutable_max()->set_data("x");
  auto b = ChunkFromProto(bad_type);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), StatusCode::kBadData);
}

TEST(Convert, AggregatesFromProtoIgnoresRawAndUnknownValues) {
  google::protobuf::RepeatedField<int> in;
  in.Add(thanos::RAW);
  in.Add(thanos::MAX);
  in.Add(thanos::COUNT);
  in.Add(42);  // a value from a newer peer
  EXPECT_EQ(AggregatesFromProto(in), AggregateSet{0b01001});  // count (bit 0), max (bit 3)
  google::protobuf::RepeatedField<int> all;
  for (int a : {thanos::COUNT, thanos::SUM, thanos::MIN, thanos::MAX, thanos::COUNTER}) all.Add(a);
  EXPECT_EQ(AggregatesFromProto(all), kAllAggregates);
}

TEST(Convert, OnlyRequestedAggregatesAreSent) {
  std::vector<std::optional<BodyEntry>> entries;
  for (int i = 0; i < 5; ++i) entries.push_back(BodyEntry{kDiskXor, XorBytes(299999, 300000, 5, i * 10.0)});
  const auto chunk = AggregateChunk(AggregateBody(entries));
  thanos::AggrChunk pb;
  ASSERT_TRUE(ChunkToProto(chunk, AggregateSet{0b00100}, &pb).ok());  // min only
  EXPECT_TRUE(pb.has_min());
  EXPECT_EQ(pb.min().data(), entries[2]->data);
  EXPECT_FALSE(pb.has_count() || pb.has_sum() || pb.has_max() || pb.has_counter() || pb.has_raw());
  EXPECT_EQ(pb.min_time(), 299999);

  // Nothing asked for (a request with only RAW or no aggregates): Thanos sends the chunk's
  // time range and no sub-chunk.
  thanos::AggrChunk none;
  ASSERT_TRUE(ChunkToProto(chunk, AggregateSet{}, &none).ok());
  EXPECT_FALSE(none.has_count() || none.has_sum() || none.has_min() || none.has_max() || none.has_counter());
  EXPECT_EQ(none.max_time(), 1499999);
}

TEST(Convert, RequestedAggregateMissingFromTheChunkFailsLikeThanos) {
  // The native-histogram layout has no min and max.
  const std::string body = AggregateBody({BodyEntry{kDiskXor, XorBytes(599999, 300000, 2)},
                                          BodyEntry{kDiskFloatHistogram, "fh-sum"}, std::nullopt, std::nullopt,
                                          BodyEntry{kDiskFloatHistogram, "fh-counter"}});
  thanos::AggrChunk pb;
  Status s = ChunkToProto(AggregateChunk(body), AggregateSet{0b01001}, &pb);  // count, max
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kBadData);
  EXPECT_EQ(s.message(), "aggregate max does not exist");
  EXPECT_EQ(pb.ByteSizeLong(), 0u);  // count (present) was not half-written either
  s = ChunkToProto(AggregateChunk(body), kAllAggregates, &pb);
  EXPECT_EQ(s.message(), "aggregate min does not exist");
}

// Serves one series holding one aggregate chunk and one raw chunk, the shape a downsampled
// block's querier gives the store-gateway (each gateway block is a QueryableStore).
class OneSeriesQueryable : public storage::Queryable {
 public:
  explicit OneSeriesQueryable(storage::Series s) : series_(std::move(s)) {}
  std::unique_ptr<storage::Querier> NewQuerier(int64_t, int64_t) override {
    return std::make_unique<Q>(series_);
  }

 private:
  struct Set : storage::SeriesSet {
    explicit Set(storage::Series s) : s_(std::move(s)) {}
    bool Next() override { return !done_ && (done_ = true); }
    storage::Series& At() override { return s_; }
    Status status() const override { return Status::Ok(); }
    storage::Series s_;
    bool done_ = false;
  };
  struct Q : storage::Querier {
    explicit Q(storage::Series s) : s_(std::move(s)) {}
    std::unique_ptr<storage::SeriesSet> Select(bool, const storage::SelectHints&, const Matchers&) override {
      return std::make_unique<Set>(s_);
    }
    StatusOr<std::vector<std::string>> LabelNames(const Matchers&) override { return std::vector<std::string>{}; }
    StatusOr<std::vector<std::string>> LabelValues(const std::string&, const Matchers&) override {
      return std::vector<std::string>{};
    }
    storage::Series s_;
  };
  storage::Series series_;
};

TEST(Convert, SeriesCallSendsTheRequestedAggregates) {
  std::vector<std::optional<BodyEntry>> entries;
  for (int i = 0; i < 5; ++i) entries.push_back(BodyEntry{kDiskXor, XorBytes(299999, 300000, 5, i * 10.0)});
  storage::Series series{Labels{{"__name__", "up"}},
                         {AggregateChunk(AggregateBody(entries)), XorChunk(1500000, 60000, 3)}};
  QueryableStore store(std::make_shared<OneSeriesQueryable>(series), QueryableStoreOptions{});
  thanos::SeriesRequest req;
  req.set_max_time(2000000);
  auto* m = req.add_matchers();
  m->set_type(thanos::LabelMatcher::EQ);
  m->set_name("__name__");
  m->set_value("up");
  req.add_aggregates(thanos::COUNTER);
  req.add_aggregates(thanos::SUM);

  auto stream = store.Series(req, CallContext{});
  thanos::SeriesResponse resp;
  ASSERT_TRUE(stream->Next(&resp)) << stream->status().message();
  ASSERT_TRUE(resp.has_series());
  ASSERT_EQ(resp.series().chunks_size(), 2);
  const auto& aggr = resp.series().chunks(0);
  EXPECT_EQ(aggr.sum().data(), entries[1]->data);
  EXPECT_EQ(aggr.counter().data(), entries[4]->data);
  EXPECT_FALSE(aggr.has_count() || aggr.has_min() || aggr.has_max());
  EXPECT_TRUE(resp.series().chunks(1).has_raw());  // raw chunks are unaffected

  // A chunk lacking a requested aggregate fails the call with Thanos's error text.
  entries[3].reset();
  series.chunks[0] = AggregateChunk(AggregateBody(entries));
  QueryableStore lacking(std::make_shared<OneSeriesQueryable>(series), QueryableStoreOptions{});
  req.add_aggregates(thanos::MAX);
  stream = lacking.Series(req, CallContext{});
  while (stream->Next(&resp)) {
  }
  EXPECT_EQ(stream->status().code(), StatusCode::kBadData);
  EXPECT_EQ(stream->status().message(), "aggregate max does not exist");
}

TEST(Convert, AggregatesForReadAreWhatTheEngineDecodes) {
  auto aggrs = [](storage::AggregateRead r) {
    google::protobuf::RepeatedField<int> out;
    AggregatesForReadToProto(r, &out);
    return std::vector<int>(out.begin(), out.end());
  };
  EXPECT_EQ(aggrs(storage::AggregateRead::kMin), std::vector<int>{thanos::MIN});
  EXPECT_EQ(aggrs(storage::AggregateRead::kMax), std::vector<int>{thanos::MAX});
  EXPECT_EQ(aggrs(storage::AggregateRead::kCount), std::vector<int>{thanos::COUNT});
  EXPECT_EQ(aggrs(storage::AggregateRead::kSum), std::vector<int>{thanos::SUM});
  EXPECT_EQ(aggrs(storage::AggregateRead::kCounter), std::vector<int>{thanos::COUNTER});
  // Averages need count and sum.
  const std::vector<int> avg{thanos::COUNT, thanos::SUM};
  EXPECT_EQ(aggrs(storage::AggregateRead::kAverage), avg);
  EXPECT_EQ(aggrs(storage::AggregateRead::kWindowAverage), avg);
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
  req.set_max_resolution_window(300000);
  req.set_fill_resolution_window(3600000);
  auto back = HintsFromProto(req);
  EXPECT_EQ(back.max_resolution_ms, 300000);
  EXPECT_EQ(back.fill_resolution_ms, 3600000);
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
