// Serialises StoreAPI and remote-read messages and compares them with bytes written out by
// hand from the field numbers in CONTRACTS.md: a wrong field number or enum value fails here.

#include <string>

#include <gtest/gtest.h>

#include "prometheus/prompb/remote.pb.h"
#include "thanos/hintspb/hints.pb.h"
#include "thanos/infopb/rpc.pb.h"
#include "thanos/storepb/rpc.pb.h"

namespace {

std::string Bytes(std::initializer_list<int> bytes) {
  std::string s;
  for (int b : bytes) s.push_back(static_cast<char>(b));
  return s;
}

// tag byte(s) + length + payload for a length-delimited field whose tag fits one byte.
std::string Len(int tag, const std::string& payload) {
  return Bytes({tag, static_cast<int>(payload.size())}) + payload;
}

std::string Hex(const std::string& s) {
  static const char* k = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out.push_back(k[c >> 4]);
    out.push_back(k[c & 15]);
    out.push_back(' ');
  }
  return out;
}

TEST(StoreApiWire, SeriesRequestFieldNumbers) {
  thanos::SeriesRequest req;
  req.set_min_time(1000);
  req.set_max_time(2000);
  auto* m = req.add_matchers();
  m->set_type(thanos::LabelMatcher::RE);
  m->set_name("job");
  m->set_value("a");
  req.set_max_resolution_window(300000);
  req.add_aggregates(thanos::COUNT);
  req.add_aggregates(thanos::SUM);
  req.set_partial_response_strategy(thanos::ABORT);
  req.set_skip_chunks(true);
  hintspb::SeriesRequestHints hints;
  hints.set_enable_query_stats(true);
  req.mutable_hints()->PackFrom(hints);
  auto* qh = req.mutable_query_hints();
  qh->set_step_millis(60000);
  qh->mutable_func()->set_name("rate");
  qh->mutable_grouping()->set_by(true);
  qh->mutable_grouping()->add_labels("job");
  qh->mutable_range()->set_millis(300000);
  auto* shard = req.mutable_shard_info();
  shard->set_shard_index(1);
  shard->set_total_shards(4);
  shard->set_by(true);
  shard->add_labels("job");
  req.add_without_replica_labels("replica");
  req.set_limit(10);
  req.set_response_batch_size(64);

  std::string expected;
  expected += Bytes({0x08, 0xE8, 0x07});                              // 1 min_time 1000
  expected += Bytes({0x10, 0xD0, 0x0F});                              // 2 max_time 2000
  expected += Len(0x1A, Bytes({0x08, 0x02}) + Len(0x12, "job") + Len(0x1A, "a"));  // 3 matchers
  expected += Bytes({0x20, 0xE0, 0xA7, 0x12});                        // 4 max_resolution_window
  expected += Bytes({0x2A, 0x02, 0x01, 0x02});                        // 5 aggregates, packed
  expected += Bytes({0x38, 0x01});                                    // 7 strategy ABORT
  expected += Bytes({0x40, 0x01});                                    // 8 skip_chunks
  expected += Len(0x4A, Len(0x0A, "type.googleapis.com/hintspb.SeriesRequestHints") +
                            Len(0x12, Bytes({0x10, 0x01})));          // 9 hints (Any)
  expected += Len(0x62, Bytes({0x08, 0xE0, 0xD4, 0x03}) +             // 12 query_hints: step
                            Len(0x12, Len(0x0A, "rate")) +            //   func{name}
                            Len(0x22, Bytes({0x08, 0x01}) + Len(0x1A, "job")) +  // grouping
                            Len(0x2A, Bytes({0x08, 0xE0, 0xA7, 0x12})));         // range
  expected += Len(0x6A, Bytes({0x08, 0x01, 0x10, 0x04, 0x18, 0x01}) + Len(0x22, "job"));  // 13
  expected += Len(0x72, "replica");                                   // 14 without_replica_labels
  expected += Bytes({0x78, 0x0A});                                    // 15 limit
  expected += Bytes({0x80, 0x01, 0x40});                              // 16 response_batch_size

  std::string got;
  ASSERT_TRUE(req.SerializeToString(&got));
  EXPECT_EQ(Hex(got), Hex(expected));
}

TEST(StoreApiWire, AggrChunkFieldNumbers) {
  thanos::AggrChunk c;
  c.set_min_time(100);
  c.set_max_time(200);
  c.mutable_count()->set_type(thanos::Chunk::XOR);
  c.mutable_count()->set_data(Bytes({0x01, 0x02}));
  c.mutable_counter()->set_type(thanos::Chunk::FLOAT_HISTOGRAM);
  c.mutable_counter()->set_data("z");
  c.mutable_counter()->set_hash(7);

  std::string expected = Bytes({0x08, 0x64, 0x10, 0xC8, 0x01});       // 1 min_time, 2 max_time
  expected += Len(0x22, Len(0x12, Bytes({0x01, 0x02})));              // 4 count{2 data}
  expected += Len(0x42, Bytes({0x08, 0x02}) + Len(0x12, "z") + Bytes({0x18, 0x07}));  // 8 counter
  std::string got;
  ASSERT_TRUE(c.SerializeToString(&got));
  EXPECT_EQ(Hex(got), Hex(expected));

  // Every aggregate slot, by field number: raw=3 ... counter=8.
  thanos::AggrChunk all;
  all.mutable_raw()->set_data("r");
  all.mutable_count()->set_data("c");
  all.mutable_sum()->set_data("s");
  all.mutable_min()->set_data("n");
  all.mutable_max()->set_data("x");
  all.mutable_counter()->set_data("k");
  std::string slots;
  int tag = 0x1A;
  for (const char* d : {"r", "c", "s", "n", "x", "k"}) {
    slots += Len(tag, Len(0x12, d));
    tag += 8;
  }
  ASSERT_TRUE(all.SerializeToString(&got));
  EXPECT_EQ(Hex(got), Hex(slots));
}

TEST(StoreApiWire, SeriesResponseOneofAndSeries) {
  thanos::SeriesResponse warn;
  warn.set_warning("w");
  std::string got;
  ASSERT_TRUE(warn.SerializeToString(&got));
  EXPECT_EQ(Hex(got), Hex(Len(0x12, "w")));

  thanos::SeriesResponse resp;
  auto* s = resp.mutable_series();
  auto* l = s->add_labels();
  l->set_name("a");
  l->set_value("b");
  s->add_chunks()->set_min_time(1);
  ASSERT_TRUE(resp.SerializeToString(&got));
  std::string series = Len(0x0A, Len(0x0A, "a") + Len(0x12, "b")) + Len(0x12, Bytes({0x08, 0x01}));
  EXPECT_EQ(Hex(got), Hex(Len(0x0A, series)));

  thanos::SeriesResponse batch;
  batch.mutable_batch()->add_series();
  ASSERT_TRUE(batch.SerializeToString(&got));
  EXPECT_EQ(Hex(got), Hex(Len(0x22, Len(0x0A, ""))));
}

TEST(InfoApiWire, InfoResponseFieldNumbers) {
  thanos::info::InfoResponse r;
  auto* l = r.add_label_sets()->add_labels();
  l->set_name("a");
  l->set_value("b");
  r.set_componenttype("store");
  r.mutable_store()->set_min_time(1);
  r.mutable_store()->set_max_time(2);
  r.mutable_store()->set_supports_without_replica_labels(true);
  r.mutable_exemplars()->set_max_time(3);
  std::string expected = Len(0x0A, Len(0x0A, Len(0x0A, "a") + Len(0x12, "b")));
  expected += Len(0x12, "store");
  expected += Len(0x1A, Bytes({0x08, 0x01, 0x10, 0x02, 0x28, 0x01}));
  expected += Len(0x3A, Bytes({0x10, 0x03}));
  std::string got;
  ASSERT_TRUE(r.SerializeToString(&got));
  EXPECT_EQ(Hex(got), Hex(expected));
}

// Meridian's additions use field numbers Thanos does not, so Thanos peers skip them.
TEST(StoreApiWire, MeridianExtensionsUseFieldsThanosSkips) {
  thanos::SeriesRequest req;
  req.set_fill_resolution_window(3600000);
  std::string got;
  ASSERT_TRUE(req.SerializeToString(&got));
  // Field 1000, varint: tag (1000 << 3) = 8000 = 0xC0 0x3E; 3600000 = 0x80 0xDD 0xDB 0x01.
  EXPECT_EQ(Hex(got), Hex(Bytes({0xC0, 0x3E, 0x80, 0xDD, 0xDB, 0x01})));

  thanos::info::TSDBInfo info;
  info.set_min_time(1);
  info.set_resolution(300000);
  ASSERT_TRUE(info.SerializeToString(&got));
  EXPECT_EQ(Hex(got), Hex(Bytes({0x10, 0x01, 0xC0, 0x3E, 0xE0, 0xA7, 0x12})));
}

TEST(RemoteReadWire, ChunkNumberingDiffersFromStoreApi) {
  prometheus::ReadRequest req;
  auto* q = req.add_queries();
  q->set_start_timestamp_ms(1);
  q->set_end_timestamp_ms(2);
  auto* m = q->add_matchers();
  m->set_type(prometheus::LabelMatcher::NEQ);
  m->set_name("n");
  m->set_value("v");
  req.add_accepted_response_types(prometheus::ReadRequest::STREAMED_XOR_CHUNKS);
  std::string got;
  ASSERT_TRUE(req.SerializeToString(&got));
  std::string query = Bytes({0x08, 0x01, 0x10, 0x02}) +
                      Len(0x1A, Bytes({0x08, 0x01}) + Len(0x12, "n") + Len(0x1A, "v"));
  EXPECT_EQ(Hex(got), Hex(Len(0x0A, query) + Bytes({0x12, 0x01, 0x01})));

  prometheus::Chunk c;
  c.set_type(prometheus::Chunk::XOR);
  ASSERT_TRUE(c.SerializeToString(&got));
  EXPECT_EQ(Hex(got), Hex(Bytes({0x18, 0x01})));  // remote-read XOR is 1, StoreAPI XOR is 0
  EXPECT_EQ(static_cast<int>(thanos::Chunk::XOR), 0);
}

}  // namespace
