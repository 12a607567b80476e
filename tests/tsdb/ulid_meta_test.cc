#include <gtest/gtest.h>

#include "tsdb/block_meta.h"
#include "tsdb/ulid.h"

namespace meridian::tsdb {
namespace {

TEST(Ulid, KnownEncoding) {
  // Max time, max entropy: the largest ULID.
  std::array<uint8_t, 10> ff;
  ff.fill(0xff);
  EXPECT_EQ(Ulid::FromParts((1ull << 48) - 1, ff).ToString(), "7ZZZZZZZZZZZZZZZZZZZZZZZZZ");
  std::array<uint8_t, 10> zero{};
  EXPECT_EQ(Ulid::FromParts(0, zero).ToString(), "00000000000000000000000000");
  // Time 1 ms sets the lowest bit of the 48-bit time field (10th character).
  EXPECT_EQ(Ulid::FromParts(1, zero).ToString(), "00000000010000000000000000");
}

TEST(Ulid, RoundTripAndOrder) {
  Ulid a = Ulid::New(1700000000000);
  Ulid b = Ulid::New(1700000000001);
  EXPECT_LT(a.ToString(), b.ToString());
  EXPECT_LT(a, b);
  auto p = Ulid::Parse(a.ToString());
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(*p, a);
  EXPECT_EQ(p->time_ms(), 1700000000000u);
  std::string lower = a.ToString();
  for (char& c : lower) c = static_cast<char>(std::tolower(c));
  EXPECT_EQ(*Ulid::Parse(lower), a);
  EXPECT_NE(Ulid::New(5).ToString(), Ulid::New(5).ToString());  // entropy differs
}

TEST(Ulid, ParseRejects) {
  EXPECT_FALSE(Ulid::Parse("").ok());
  EXPECT_FALSE(Ulid::Parse("01ARZ3NDEKTSV4RRFFQ69G5FA").ok());    // 25 chars
  EXPECT_FALSE(Ulid::Parse("01ARZ3NDEKTSV4RRFFQ69G5FAU").ok());   // U is not Crockford
  EXPECT_FALSE(Ulid::Parse("81ARZ3NDEKTSV4RRFFQ69G5FAV").ok());   // overflow
  EXPECT_TRUE(Ulid::Parse("01ARZ3NDEKTSV4RRFFQ69G5FAV").ok());
}

// A meta.json as Thanos writes it (field names from pkg/block/metadata/meta.go).
constexpr char kThanosMeta[] = R"({
	"ulid": "01ARZ3NDEKTSV4RRFFQ69G5FAV",
	"minTime": 1600000000000,
	"maxTime": 1600007200000,
	"stats": {"numSamples": 1234, "numSeries": 10, "numChunks": 20},
	"compaction": {"level": 2, "sources": ["01ARZ3NDEKTSV4RRFFQ69G5FAV", "01BX5ZZKBKACTAV9WEVGEMMVRZ"],
	  "parents": [{"ulid": "01BX5ZZKBKACTAV9WEVGEMMVRZ", "minTime": 1, "maxTime": 2}]},
	"version": 1,
	"thanos": {
		"labels": {"replica": "a", "cluster": "eu"},
		"downsample": {"resolution": 300000},
		"source": "compactor",
		"segment_files": ["000001"],
		"files": [{"rel_path": "chunks/000001", "size_bytes": 1000}, {"rel_path": "index", "size_bytes": 500}, {"rel_path": "meta.json"}],
		"index_stats": {"series_max_size": 64, "chunk_max_size": 300}
	}
})";

TEST(BlockMeta, ParsesThanosMeta) {
  auto m = ParseBlockMeta(kThanosMeta);
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(m->ulid.ToString(), "01ARZ3NDEKTSV4RRFFQ69G5FAV");
  EXPECT_EQ(m->min_time, 1600000000000);
  EXPECT_EQ(m->max_time, 1600007200000);
  EXPECT_EQ(m->stats.num_samples, 1234u);
  EXPECT_EQ(m->stats.num_series, 10u);
  EXPECT_EQ(m->stats.num_chunks, 20u);
  EXPECT_EQ(m->compaction.level, 2);
  ASSERT_EQ(m->compaction.sources.size(), 2u);
  ASSERT_EQ(m->compaction.parents.size(), 1u);
  EXPECT_EQ(m->compaction.parents[0].max_time, 2);
  ASSERT_TRUE(m->thanos.has_value());
  EXPECT_EQ(m->thanos->labels, (Labels{{"cluster", "eu"}, {"replica", "a"}}));
  EXPECT_EQ(m->thanos->downsample_resolution, 300000);
  EXPECT_EQ(m->thanos->source, "compactor");
  ASSERT_EQ(m->thanos->files.size(), 3u);
  EXPECT_EQ(m->thanos->files[0].rel_path, "chunks/000001");
  EXPECT_EQ(m->thanos->files[0].size_bytes, 1000);
  EXPECT_EQ(m->thanos->files[2].size_bytes, 0);
  ASSERT_TRUE(m->thanos->index_stats.has_value());
  EXPECT_EQ(m->thanos->index_stats->chunk_max_size, 300);

  // Serialize and parse again: same content.
  std::string out = SerializeBlockMeta(*m);
  EXPECT_NE(out.find("\"size_bytes\": 1000"), std::string::npos) << out;
  EXPECT_NE(out.find("\"resolution\": 300000"), std::string::npos);
  EXPECT_NE(out.find("\"numSamples\": 1234"), std::string::npos);
  auto again = ParseBlockMeta(out);
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(SerializeBlockMeta(*again), out);
}

TEST(BlockMeta, PlainPrometheusMetaHasNoThanosSection) {
  auto m = ParseBlockMeta(
      R"({"ulid":"01ARZ3NDEKTSV4RRFFQ69G5FAV","minTime":0,"maxTime":10,"stats":{"numSamples":1},"compaction":{"level":1,"sources":["01ARZ3NDEKTSV4RRFFQ69G5FAV"]},"version":1})");
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_FALSE(m->thanos.has_value());
  EXPECT_EQ(SerializeBlockMeta(*m).find("thanos"), std::string::npos);
}

TEST(BlockMeta, RejectsBadInput) {
  const char* bad[] = {
      "",
      "{",
      "[]",
      R"({"minTime":0,"maxTime":10,"version":1})",                                   // no ulid
      R"({"ulid":"nope","minTime":0,"maxTime":10,"version":1})",                     // bad ulid
      R"({"ulid":"01ARZ3NDEKTSV4RRFFQ69G5FAV","minTime":"0","maxTime":10,"version":1})",
      R"({"ulid":"01ARZ3NDEKTSV4RRFFQ69G5FAV","minTime":0,"maxTime":10,"version":2})",
      R"({"ulid":"01ARZ3NDEKTSV4RRFFQ69G5FAV","minTime":0,"maxTime":10,"version":1,"thanos":{"labels":{"a":1}}})",
      R"({"ulid":"01ARZ3NDEKTSV4RRFFQ69G5FAV","minTime":0,"maxTime":10,"version":1,"thanos":{"version":2}})",
      R"({"ulid":"01ARZ3NDEKTSV4RRFFQ69G5FAV","minTime":0,"maxTime":10,"version":1,"thanos":{"files":[{"size_bytes":1}]}})",
  };
  for (const char* b : bad) {
    auto m = ParseBlockMeta(b);
    EXPECT_FALSE(m.ok()) << b;
    if (!m.ok()) {
      EXPECT_EQ(m.status().code(), StatusCode::kCorrupt);
      EXPECT_EQ(m.status().message().rfind("meta.json", 0), 0u) << m.status().message();
    }
  }
}

}  // namespace
}  // namespace meridian::tsdb
