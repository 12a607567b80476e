#include <gtest/gtest.h>

#include <sstream>

#include "tsdb/crc32c.h"
#include "tsdb/encoding.h"
#include "tsdb/index/index_format.h"
#include "tsdb/index/index_reader.h"
#include "tsdb/index/index_writer.h"

namespace meridian::tsdb::index {
namespace {

std::vector<IndexSeries> SampleSeries() {
  std::vector<IndexSeries> s;
  int64_t t = 1000;
  uint64_t ref = 8;
  for (const char* job : {"api", "db", "web"}) {
    for (int i = 0; i < 3; ++i) {
      IndexSeries is;
      is.labels = Labels{{"__name__", "up"}, {"instance", "host" + std::to_string(i)}, {"job", job}};
      for (int c = 0; c < 3; ++c) {
        is.chunks.push_back({ref, t, t + 500});
        ref += 37;
        t += 1000;
      }
      s.push_back(std::move(is));
    }
  }
  // A series with a negative timestamp and a label other series lack.
  s.push_back({Labels{{"__name__", "zeta"}, {"only", "me"}}, {{ref, -5000, -1}}});
  std::sort(s.begin(), s.end(), [](auto& a, auto& b) { return a.labels < b.labels; });
  return s;
}

std::unique_ptr<IndexReader> OpenBytes(std::string bytes) {
  auto r = IndexReader::Open(NewMemoryByteSource(std::move(bytes), "index"));
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? std::move(*r) : nullptr;
}

// Everything a reader can return, as text, failing on the first error.
StatusOr<std::string> Dump(const IndexReader& r) {
  std::ostringstream out;
  for (const auto& n : r.LabelNames()) {
    out << n << ":";
    for (const auto& v : r.LabelValues(n)) {
      out << v << "[";
      auto p = r.Postings(n, v);
      auto ids = ExpandPostings(*p);
      if (!ids.ok()) return ids.status();
      out << ids->size() << "]";
    }
    out << "\n";
  }
  auto all = ExpandPostings(*r.AllPostings());
  if (!all.ok()) return all.status();
  for (uint64_t id : *all) {
    Labels ls;
    std::vector<ChunkMeta> cs;
    if (Status s = r.Series(id, &ls, &cs); !s.ok()) return s;
    out << ls.ToString();
    for (const auto& c : cs) out << " " << c.ref << "@" << c.min_time << "-" << c.max_time;
    out << "\n";
  }
  return out.str();
}

TEST(Index, RoundTrip) {
  auto series = SampleSeries();
  auto enc = EncodeIndex(series);
  ASSERT_TRUE(enc.ok()) << enc.status().message();
  EXPECT_EQ(enc->bytes.substr(0, 5), std::string("\xba\xaa\xd7\x00\x02", 5));
  auto r = OpenBytes(enc->bytes);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->version(), 2);
  EXPECT_EQ(r->toc().symbols, 5u);
  EXPECT_EQ(r->toc().series % 16, 0u);
  EXPECT_EQ(r->LabelNames(), (std::vector<std::string>{"__name__", "instance", "job", "only"}));
  EXPECT_EQ(r->LabelValues("job"), (std::vector<std::string>{"api", "db", "web"}));
  EXPECT_TRUE(r->LabelValues("nope").empty());

  auto all = ExpandPostings(*r->AllPostings());
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), series.size());
  for (size_t i = 0; i < series.size(); ++i) {
    Labels ls;
    std::vector<ChunkMeta> cs;
    ASSERT_TRUE(r->Series((*all)[i], &ls, &cs).ok());
    EXPECT_EQ(ls, series[i].labels);
    EXPECT_EQ(cs, series[i].chunks);
    if (i > 0) {
      EXPECT_LT((*all)[i - 1], (*all)[i]);  // IDs ascend with label order
    }
  }
  auto db = ExpandPostings(*r->Postings("job", "db"));
  ASSERT_TRUE(db.ok());
  EXPECT_EQ(db->size(), 3u);
  EXPECT_TRUE(ExpandPostings(*r->Postings("job", "nope"))->empty());
  auto multi = ExpandPostings(*r->PostingsForValues("job", {"api", "web", "zzz"}));
  EXPECT_EQ(multi->size(), 6u);
  auto matching = ExpandPostings(
      *r->PostingsMatching("instance", [](std::string_view v) { return v != "host1"; }));
  EXPECT_EQ(matching->size(), 6u);

  // Symbols are sorted and referenced by position.
  ASSERT_GT(r->num_symbols(), 0u);
  std::string prev;
  for (uint32_t i = 0; i < r->num_symbols(); ++i) {
    auto s = r->LookupSymbol(i);
    ASSERT_TRUE(s.ok());
    if (i > 0) {
      EXPECT_LT(prev, *s);
    }
    prev = std::string(*s);
  }
  EXPECT_FALSE(r->LookupSymbol(static_cast<uint32_t>(r->num_symbols())).ok());
  EXPECT_FALSE(r->Series(1, nullptr, nullptr).ok());  // ID 1 is inside the header
}

TEST(Index, TocLayout) {
  auto enc = EncodeIndex(SampleSeries());
  ASSERT_TRUE(enc.ok());
  const std::string& b = enc->bytes;
  const char* toc = b.data() + b.size() - kTocSize;
  EXPECT_EQ(ReadBE32(toc + 48), Crc32c(std::string_view(toc, 48)));
  Decbuf d(std::string_view(toc, 48));
  uint64_t symbols = d.Be64(), series = d.Be64(), label_indices = d.Be64(),
           label_table = d.Be64(), postings = d.Be64(), postings_table = d.Be64();
  // Sections in the documented file order.
  EXPECT_EQ(symbols, 5u);
  EXPECT_LT(symbols, series);
  EXPECT_LT(series, label_indices);
  EXPECT_LT(label_indices, postings);
  EXPECT_LT(postings, label_table);
  EXPECT_LT(label_table, postings_table);
  EXPECT_LT(postings_table, b.size() - kTocSize);
  EXPECT_EQ(postings % 4, 0u);
}

TEST(Index, EmptyIndex) {
  auto enc = EncodeIndex({});
  ASSERT_TRUE(enc.ok());
  auto r = OpenBytes(enc->bytes);
  ASSERT_NE(r, nullptr);
  EXPECT_TRUE(r->LabelNames().empty());
  EXPECT_TRUE(ExpandPostings(*r->AllPostings())->empty());
}

TEST(Index, RejectsUnsortedInput) {
  std::vector<IndexSeries> s = {{Labels{{"a", "2"}}, {}}, {Labels{{"a", "1"}}, {}}};
  EXPECT_FALSE(EncodeIndex(s).ok());
  std::vector<IndexSeries> dup = {{Labels{{"a", "1"}}, {}}, {Labels{{"a", "1"}}, {}}};
  EXPECT_FALSE(EncodeIndex(dup).ok());
}

// Every single-byte flip and every truncation either fails cleanly (on open or on read) or
// leaves what the reader returns unchanged: never a crash, never a different answer.
TEST(Index, CorruptionNeverGivesAWrongAnswer) {
  auto enc = EncodeIndex(SampleSeries());
  ASSERT_TRUE(enc.ok());
  const std::string& orig = enc->bytes;
  auto want = Dump(*OpenBytes(orig));
  ASSERT_TRUE(want.ok());
  int detected = 0;
  for (size_t i = 0; i < orig.size(); ++i) {
    std::string bad = orig;
    bad[i] ^= 0x04;
    auto r = IndexReader::Open(NewMemoryByteSource(bad, "index"));
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), StatusCode::kCorrupt) << r.status().message();
      EXPECT_EQ(r.status().message().rfind("index: ", 0), 0u) << r.status().message();
      ++detected;
      continue;
    }
    auto got = Dump(**r);
    if (!got.ok()) {
      EXPECT_EQ(got.status().code(), StatusCode::kCorrupt);
      ++detected;
      continue;
    }
    EXPECT_EQ(*got, *want) << "flip at byte " << i << " changed the answer";
  }
  EXPECT_GT(detected, static_cast<int>(orig.size() * 9 / 10));
  for (size_t n = 0; n < orig.size(); ++n) {
    auto r = IndexReader::Open(NewMemoryByteSource(orig.substr(0, n), "index"));
    if (r.ok()) {
      auto got = Dump(**r);
      EXPECT_TRUE(!got.ok() || *got == *want) << "truncated to " << n;
    }
  }
}

// A format-v1 index built by hand: symbols referenced by file offset, series unaligned with
// their offset as ID.
TEST(Index, ReadsVersion1) {
  Encbuf b;
  b.PutBE32(kIndexMagic);
  b.PutByte(kIndexFormatV1);
  const std::vector<std::string> syms = {"__name__", "a", "b", "job", "up"};
  std::map<std::string, uint32_t> sym_off;
  uint64_t symbols_at = b.size();
  b.PutBE32(0);
  size_t body_at = b.size();
  b.PutBE32(static_cast<uint32_t>(syms.size()));
  for (const auto& s : syms) {
    sym_off[s] = static_cast<uint32_t>(b.size());
    b.PutUvarintStr(s);
  }
  WriteBE32(&b.mutable_bytes()[symbols_at], static_cast<uint32_t>(b.size() - body_at));
  b.PutCrc32cOf(body_at);

  uint64_t series_at = b.size();
  std::vector<uint64_t> ids;
  for (const char* job : {"a", "b"}) {
    ids.push_back(b.size());
    Encbuf body;
    body.PutUvarint(2);
    body.PutUvarint(sym_off["__name__"]);
    body.PutUvarint(sym_off["up"]);
    body.PutUvarint(sym_off["job"]);
    body.PutUvarint(sym_off[job]);
    body.PutUvarint(1);
    body.PutVarint(100);
    body.PutUvarint(50);
    body.PutUvarint(8 + ids.size());
    b.PutUvarint(body.size());
    size_t crc_at = b.size();
    b.PutBytes(body.bytes());
    b.PutCrc32cOf(crc_at);
  }
  std::vector<std::tuple<std::string, std::string, uint64_t>> offs;
  auto put_list = [&](std::string n, std::string v, std::vector<uint64_t> l) {
    offs.emplace_back(n, v, b.size());
    b.PutBE32(static_cast<uint32_t>(4 + 4 * l.size()));
    size_t at = b.size();
    b.PutBE32(static_cast<uint32_t>(l.size()));
    for (uint64_t x : l) b.PutBE32(static_cast<uint32_t>(x));
    b.PutCrc32cOf(at);
  };
  uint64_t postings_at = b.size();
  put_list("", "", ids);
  put_list("job", "b", {ids[1]});  // v1 tables were not necessarily sorted
  put_list("job", "a", {ids[0]});
  put_list("__name__", "up", ids);
  uint64_t table_at = b.size();
  b.PutBE32(0);
  size_t tbody = b.size();
  b.PutBE32(static_cast<uint32_t>(offs.size()));
  for (const auto& [n, v, o] : offs) {
    b.PutUvarint(2);
    b.PutUvarintStr(n);
    b.PutUvarintStr(v);
    b.PutUvarint(o);
  }
  WriteBE32(&b.mutable_bytes()[table_at], static_cast<uint32_t>(b.size() - tbody));
  b.PutCrc32cOf(tbody);
  size_t toc_at = b.size();
  for (uint64_t o : {symbols_at, series_at, uint64_t{0}, uint64_t{0}, postings_at, table_at}) b.PutBE64(o);
  b.PutCrc32cOf(toc_at);

  auto r = OpenBytes(b.bytes());
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->version(), 1);
  EXPECT_EQ(r->LabelValues("job"), (std::vector<std::string>{"a", "b"}));
  auto p = ExpandPostings(*r->Postings("job", "b"));
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(p->size(), 1u);
  EXPECT_EQ((*p)[0], ids[1]);
  Labels ls;
  std::vector<ChunkMeta> cs;
  Status s = r->Series(ids[1], &ls, &cs);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(ls, (Labels{{"__name__", "up"}, {"job", "b"}}));
  ASSERT_EQ(cs.size(), 1u);
  EXPECT_EQ(cs[0], (ChunkMeta{10, 100, 150}));
  EXPECT_FALSE(r->LookupSymbol(sym_off["job"] + 1).ok());
}

TEST(Index, RejectsUnknownVersionAndMagic) {
  auto enc = EncodeIndex(SampleSeries());
  std::string v3 = enc->bytes;
  v3[4] = 3;
  auto r = IndexReader::Open(NewMemoryByteSource(v3, "index"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("unsupported index format version 3"), std::string::npos);
  std::string magic = enc->bytes;
  magic[0] = 0;
  EXPECT_FALSE(IndexReader::Open(NewMemoryByteSource(magic, "index")).ok());
}

}  // namespace
}  // namespace meridian::tsdb::index
