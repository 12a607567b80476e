// The streamed remote-read framing: frames split at every byte boundary, checksums,
// truncation, oversized and malformed frames.

#include "storeapi/sidecar/chunked_frames.h"

#include <gtest/gtest.h>

#include "tsdb/crc32c.h"

namespace meridian::storeapi::sidecar {
namespace {

std::string Uvarint(uint64_t v) {
  std::string out;
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
  return out;
}

std::string Frame(const prometheus::ChunkedReadResponse& msg) {
  std::string body = msg.SerializeAsString();
  uint32_t crc = tsdb::Crc32c(body);
  std::string out = Uvarint(body.size());
  for (int shift : {24, 16, 8, 0}) out.push_back(static_cast<char>((crc >> shift) & 0xff));
  return out + body;
}

prometheus::ChunkedReadResponse Message(const std::string& name, int chunks, size_t chunk_bytes) {
  prometheus::ChunkedReadResponse r;
  auto* s = r.add_chunked_series();
  auto* l = s->add_labels();
  l->set_name("__name__");
  l->set_value(name);
  for (int i = 0; i < chunks; ++i) {
    auto* c = s->add_chunks();
    c->set_min_time_ms(i * 1000);
    c->set_max_time_ms(i * 1000 + 999);
    c->set_type(prometheus::Chunk::XOR);
    c->set_data(std::string(chunk_bytes, static_cast<char>('a' + i)));
  }
  return r;
}

TEST(ChunkedFrameReader, ParsesFramesFedByteByByte) {
  std::string stream = Frame(Message("a", 2, 300)) + Frame(Message("b", 1, 10)) + Frame(Message("c", 3, 200));
  std::vector<std::string> names;
  size_t chunk_bytes = 0;
  ChunkedFrameReader r([&](prometheus::ChunkedReadResponse& m) {
    names.push_back(m.chunked_series(0).labels(0).value());
    for (const auto& c : m.chunked_series(0).chunks()) chunk_bytes += c.data().size();
    return Status::Ok();
  });
  for (char c : stream) ASSERT_TRUE(r.Feed(std::string_view(&c, 1)).ok());
  EXPECT_TRUE(r.Finish().ok());
  EXPECT_EQ(names, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(chunk_bytes, 2 * 300 + 10 + 3 * 200u);
  EXPECT_EQ(r.frames(), 3u);
}

TEST(ChunkedFrameReader, ParsesManyFramesInOneFeed) {
  std::string stream;
  for (int i = 0; i < 100; ++i) stream += Frame(Message("m" + std::to_string(i), 1, 50));
  int n = 0;
  ChunkedFrameReader r([&](prometheus::ChunkedReadResponse&) {
    ++n;
    return Status::Ok();
  });
  ASSERT_TRUE(r.Feed(stream).ok());
  EXPECT_TRUE(r.Finish().ok());
  EXPECT_EQ(n, 100);
}

TEST(ChunkedFrameReader, RejectsChecksumMismatch) {
  std::string stream = Frame(Message("a", 1, 100));
  stream.back() ^= 0x01;
  ChunkedFrameReader r([](prometheus::ChunkedReadResponse&) { return Status::Ok(); });
  Status s = r.Feed(stream);
  EXPECT_EQ(s.code(), StatusCode::kCorrupt);
  EXPECT_NE(s.message().find("checksum mismatch"), std::string::npos) << s.message();
}

TEST(ChunkedFrameReader, ReportsTruncatedResponse) {
  std::string stream = Frame(Message("a", 1, 100));
  stream.resize(stream.size() - 5);
  int n = 0;
  ChunkedFrameReader r([&](prometheus::ChunkedReadResponse&) {
    ++n;
    return Status::Ok();
  });
  ASSERT_TRUE(r.Feed(stream).ok());
  EXPECT_EQ(n, 0);
  Status s = r.Finish();
  EXPECT_EQ(s.code(), StatusCode::kCorrupt);
  EXPECT_NE(s.message().find("ended inside a frame"), std::string::npos);
}

TEST(ChunkedFrameReader, RejectsOversizedFrameBeforeBufferingIt) {
  std::string stream = Frame(Message("a", 1, 2000));
  ChunkedFrameReader r([](prometheus::ChunkedReadResponse&) { return Status::Ok(); }, /*max_frame_bytes=*/1000);
  Status s = r.Feed(stream.substr(0, 3));
  EXPECT_EQ(s.code(), StatusCode::kCorrupt);
  EXPECT_NE(s.message().find("exceeds the limit"), std::string::npos);
}

TEST(ChunkedFrameReader, RejectsGarbageAndBadVarints) {
  {
    std::string body = "\xff\xff\xff";  // not a protobuf message
    uint32_t crc = tsdb::Crc32c(body);
    std::string stream = Uvarint(body.size());
    for (int shift : {24, 16, 8, 0}) stream.push_back(static_cast<char>((crc >> shift) & 0xff));
    stream += body;
    ChunkedFrameReader r([](prometheus::ChunkedReadResponse&) { return Status::Ok(); });
    EXPECT_EQ(r.Feed(stream).code(), StatusCode::kCorrupt);
  }
  {
    ChunkedFrameReader r([](prometheus::ChunkedReadResponse&) { return Status::Ok(); });
    EXPECT_EQ(r.Feed(std::string(11, '\xff')).code(), StatusCode::kCorrupt);
  }
}

TEST(ChunkedFrameReader, HandlerErrorStopsReading) {
  std::string stream = Frame(Message("a", 1, 10)) + Frame(Message("b", 1, 10));
  int n = 0;
  ChunkedFrameReader r([&](prometheus::ChunkedReadResponse&) {
    ++n;
    return Status(StatusCode::kCanceled, "enough");
  });
  EXPECT_EQ(r.Feed(stream).code(), StatusCode::kCanceled);
  EXPECT_EQ(n, 1);
}

}  // namespace
}  // namespace meridian::storeapi::sidecar
