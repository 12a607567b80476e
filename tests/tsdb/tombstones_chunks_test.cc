#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "test_util.h"
#include "tsdb/chunkenc/xor.h"
#include "tsdb/chunks/chunk_format.h"
#include "tsdb/chunks/segment_reader.h"
#include "tsdb/chunks/segment_writer.h"
#include "tsdb/crc32c.h"
#include "tsdb/encoding.h"
#include "tsdb/tombstones.h"

namespace meridian::tsdb {
namespace {

using testing::TempDir;

TEST(Intervals, AddMerges) {
  Intervals ivs;
  AddInterval(&ivs, {10, 20});
  AddInterval(&ivs, {30, 40});
  EXPECT_EQ(ivs, (Intervals{{10, 20}, {30, 40}}));
  AddInterval(&ivs, {21, 25});  // adjacent: merges
  EXPECT_EQ(ivs, (Intervals{{10, 25}, {30, 40}}));
  AddInterval(&ivs, {0, 5});
  EXPECT_EQ(ivs, (Intervals{{0, 5}, {10, 25}, {30, 40}}));
  AddInterval(&ivs, {4, 35});
  EXPECT_EQ(ivs, (Intervals{{0, 40}}));
  AddInterval(&ivs, {INT64_MIN, INT64_MAX});
  EXPECT_EQ(ivs, (Intervals{{INT64_MIN, INT64_MAX}}));
}

TEST(Tombstones, RoundTripAndFormat) {
  Tombstones t;
  t.Add(7, {100, 200});
  t.Add(7, {300, 400});
  t.Add(1, {-5, 5});
  std::string enc = EncodeTombstones(t);
  EXPECT_EQ(enc.substr(0, 5), std::string("\x01\x30\xba\x30\x01", 5));
  // CRC32C covers the entries only (after magic and version).
  EXPECT_EQ(ReadBE32(enc.data() + enc.size() - 4),
            Crc32c(std::string_view(enc).substr(5, enc.size() - 9)));
  auto d = DecodeTombstones(enc);
  ASSERT_TRUE(d.ok()) << d.status().message();
  ASSERT_NE(d->Get(7), nullptr);
  EXPECT_EQ(*d->Get(7), (Intervals{{100, 200}, {300, 400}}));
  EXPECT_EQ(*d->Get(1), (Intervals{{-5, 5}}));
  EXPECT_EQ(d->Get(2), nullptr);
  EXPECT_EQ(d->Total(), 3u);

  // An empty tombstones file as Prometheus writes it: magic, version, CRC of nothing.
  std::string empty = EncodeTombstones(Tombstones());
  EXPECT_EQ(empty.size(), 9u);
  EXPECT_TRUE(DecodeTombstones(empty)->empty());
}

TEST(Tombstones, CorruptionIsReported) {
  Tombstones t;
  t.Add(3, {1, 2});
  std::string enc = EncodeTombstones(t);
  for (size_t i = 0; i < enc.size(); ++i) {
    std::string bad = enc;
    bad[i] ^= 0x20;
    auto d = DecodeTombstones(bad);
    EXPECT_FALSE(d.ok()) << "flip at " << i;
    if (!d.ok()) {
      EXPECT_EQ(d.status().code(), StatusCode::kCorrupt);
    }
  }
  for (size_t n = 0; n < enc.size(); ++n) {
    EXPECT_FALSE(DecodeTombstones(enc.substr(0, n)).ok()) << "truncated to " << n;
  }
  // Missing file: no deletions.
  TempDir dir;
  auto none = ReadTombstonesFile(dir.path());
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

std::string XorChunk(int64_t t0, int n) {
  chunkenc::XorEncoder e;
  for (int i = 0; i < n; ++i) e.Append(t0 + i * 1000, i * 1.5);
  return e.Finish();
}

TEST(Segments, WriteReadAndCut) {
  TempDir dir;
  // Small segments force several files.
  auto w = chunks::SegmentWriter::Create(dir.path() + "/chunks", 300);
  ASSERT_TRUE(w.ok());
  std::vector<std::pair<uint64_t, std::string>> written;
  for (int i = 0; i < 10; ++i) {
    std::string c = XorChunk(i * 100000, 10 + i);
    auto ref = (*w)->WriteChunk(chunks::kEncXOR, c);
    ASSERT_TRUE(ref.ok()) << ref.status().message();
    written.emplace_back(*ref, c);
  }
  ASSERT_TRUE((*w)->Close().ok());
  EXPECT_GT((*w)->segment_files().size(), 1u);
  EXPECT_EQ((*w)->segment_files()[0], "000001");
  EXPECT_EQ(chunks::ChunkRefOffset(written[0].first), 8u);  // right after the header

  // Header bytes as chunks.md specifies.
  std::ifstream in(dir.path() + "/chunks/000001", std::ios::binary);
  std::string head(8, '\0');
  in.read(head.data(), 8);
  EXPECT_EQ(head, std::string("\x85\xbd\x40\xdd\x01\x00\x00\x00", 8));

  auto r = chunks::SegmentReader::OpenDir(dir.path() + "/chunks");
  ASSERT_TRUE(r.ok()) << r.status().message();
  for (const auto& [ref, bytes] : written) {
    auto c = (*r)->Read(ref, 1, 2);
    ASSERT_TRUE(c.ok()) << c.status().message();
    EXPECT_EQ(c->bytes(), bytes);
    EXPECT_EQ(c->encoding, storage::ChunkEncoding::kXOR);
    EXPECT_EQ(c->min_time, 1);
  }
  EXPECT_FALSE((*r)->Read(chunks::PackChunkRef(99, 8), 0, 0).ok());
  EXPECT_FALSE((*r)->Read(chunks::PackChunkRef(0, 100000), 0, 0).ok());
  EXPECT_FALSE((*r)->Read(chunks::PackChunkRef(0, 3), 0, 0).ok());
}

TEST(Segments, UnsupportedEncodingIsReportedNotMisread) {
  TempDir dir;
  auto w = chunks::SegmentWriter::Create(dir.path() + "/chunks");
  ASSERT_TRUE(w.ok());
  std::vector<uint64_t> refs;
  for (uint8_t enc : {2, 3, 4, 5, 6}) refs.push_back(*(*w)->WriteChunk(enc, "abcdef"));
  ASSERT_TRUE((*w)->Close().ok());
  auto r = chunks::SegmentReader::OpenDir(dir.path() + "/chunks");
  ASSERT_TRUE(r.ok());
  auto h = (*r)->Read(refs[0], 0, 0);
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.status().code(), StatusCode::kExecution);
  EXPECT_NE(h.status().message().find("histogram (2)"), std::string::npos) << h.status().message();
  for (uint64_t ref : refs) EXPECT_FALSE((*r)->Read(ref, 0, 0).ok());
}

TEST(Segments, CorruptionIsReported) {
  TempDir dir;
  auto w = chunks::SegmentWriter::Create(dir.path() + "/chunks");
  ASSERT_TRUE(w.ok());
  std::string c = XorChunk(0, 50);
  uint64_t ref = *(*w)->WriteChunk(chunks::kEncXOR, c);
  ASSERT_TRUE((*w)->Close().ok());
  std::string path = dir.path() + "/chunks/000001";
  std::string orig;
  {
    std::ifstream in(path, std::ios::binary);
    orig.assign(std::istreambuf_iterator<char>(in), {});
  }
  auto write = [&](const std::string& data) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << data;
  };
  for (size_t i = 0; i < orig.size(); ++i) {
    if (i >= 5 && i < 8) continue;  // header padding carries no information (unchecked, as in Prometheus)
    std::string bad = orig;
    bad[i] ^= 0x01;
    write(bad);
    auto r = chunks::SegmentReader::OpenDir(dir.path() + "/chunks");
    bool failed = !r.ok() || !(*r)->Read(ref, 0, 0).ok();
    EXPECT_TRUE(failed) << "flip at " << i;
  }
  for (size_t n = 0; n < orig.size(); n += 7) {
    write(orig.substr(0, n));
    auto r = chunks::SegmentReader::OpenDir(dir.path() + "/chunks");
    bool failed = !r.ok() || !(*r)->Read(ref, 0, 0).ok();
    EXPECT_TRUE(failed) << "truncated to " << n;
  }
}

}  // namespace
}  // namespace meridian::tsdb
