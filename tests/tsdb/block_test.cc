#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "test_util.h"
#include "tsdb/block_meta.h"
#include "tsdb/block_reader.h"
#include "tsdb/block_writer.h"
#include "tsdb/chunks/segment_writer.h"
#include "tsdb/index/index_writer.h"
#include "tsdb/tombstones.h"

namespace meridian::tsdb {
namespace {

using testing::DecodedSeries;
using testing::Drain;
using testing::M;
using testing::TempDir;

struct TestSeries {
  Labels labels;
  std::vector<int64_t> ts;
  std::vector<double> vs;
};

// 4 jobs x 5 instances of "up", 3 of "http_requests_total", plus series lacking "job".
std::vector<TestSeries> MakeSeries() {
  std::vector<TestSeries> out;
  std::mt19937 rng(7);
  auto add = [&](Labels ls, int n, int64_t start) {
    TestSeries s{std::move(ls), {}, {}};
    int64_t t = start;
    for (int i = 0; i < n; ++i) {
      t += 1000 + static_cast<int64_t>(rng() % 50);
      s.ts.push_back(t);
      s.vs.push_back(static_cast<double>(rng() % 1000) / 7.0);
    }
    out.push_back(std::move(s));
  };
  for (const char* job : {"api", "db", "node", "web"}) {
    for (int i = 0; i < 5; ++i) {
      add(Labels{{"__name__", "up"}, {"instance", "host" + std::to_string(i)}, {"job", job}},
          300, 1'000'000);
    }
    for (int i = 0; i < 3; ++i) {
      add(Labels{{"__name__", "http_requests_total"}, {"code", std::to_string(200 + i)},
                 {"job", job}},
          250, 1'000'000);
    }
  }
  add(Labels{{"__name__", "orphan"}, {"instance", "x"}}, 10, 1'000'000);
  add(Labels{{"__name__", "orphan"}, {"instance", "y"}, {"job", ""}}, 10, 1'000'000);
  return out;
}

class BlockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    series_ = MakeSeries();
    BlockWriterOptions opts;
    opts.thanos->labels = Labels{{"cluster", "eu"}, {"replica", "0"}};
    opts.thanos->source = "test";
    BlockWriter w(opts);
    // Added in reverse: the writer sorts.
    for (auto it = series_.rbegin(); it != series_.rend(); ++it) {
      ASSERT_TRUE(w.AddSeries(it->labels, it->ts, it->vs).ok());
    }
    auto meta = w.Write(dir_.path());
    ASSERT_TRUE(meta.ok()) << meta.status().message();
    meta_ = *meta;
    block_dir_ = dir_.path() + "/" + meta_.ulid.ToString();
    auto b = BlockReader::Open(block_dir_);
    ASSERT_TRUE(b.ok()) << b.status().message();
    block_ = *b;
  }

  std::vector<DecodedSeries> Select(const Matchers& ms, int64_t mint = INT64_MIN,
                                    int64_t maxt = INT64_MAX) {
    auto q = block_->NewQuerier(mint, maxt);
    auto set = q->Select(true, {}, ms);
    return Drain(*set);
  }

  // Prometheus semantics by brute force: a missing label reads as "".
  std::vector<Labels> Expected(const Matchers& ms) {
    std::vector<Labels> out;
    for (const auto& s : series_) {
      bool ok = true;
      for (const auto& m : ms) ok = ok && m->Matches(s.labels.Get(m->name()));
      if (ok) out.push_back(s.labels);
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  TempDir dir_;
  std::vector<TestSeries> series_;
  BlockMeta meta_;
  std::string block_dir_;
  std::shared_ptr<BlockReader> block_;
};

TEST_F(BlockTest, MetaDescribesTheBlock) {
  size_t samples = 0;
  int64_t mint = INT64_MAX, maxt = INT64_MIN;
  for (const auto& s : series_) {
    samples += s.ts.size();
    mint = std::min(mint, s.ts.front());
    maxt = std::max(maxt, s.ts.back());
  }
  EXPECT_EQ(meta_.stats.num_series, series_.size());
  EXPECT_EQ(meta_.stats.num_samples, samples);
  const BlockMeta& m = block_->meta();
  EXPECT_EQ(m.ulid, meta_.ulid);
  EXPECT_EQ(m.min_time, mint);
  EXPECT_EQ(m.max_time, maxt + 1);
  EXPECT_EQ(m.compaction.level, 1);
  ASSERT_EQ(m.compaction.sources.size(), 1u);
  EXPECT_EQ(m.compaction.sources[0], m.ulid);
  ASSERT_TRUE(m.thanos.has_value());
  EXPECT_EQ(m.thanos->labels, (Labels{{"cluster", "eu"}, {"replica", "0"}}));
  EXPECT_EQ(m.thanos->source, "test");
  EXPECT_EQ(m.thanos->segment_files, std::vector<std::string>{"000001"});
  ASSERT_EQ(m.thanos->files.size(), 3u);
  EXPECT_EQ(m.thanos->files[0].rel_path, "chunks/000001");
  EXPECT_EQ(m.thanos->files[0].size_bytes,
            static_cast<int64_t>(std::filesystem::file_size(block_dir_ + "/chunks/000001")));
  EXPECT_EQ(m.thanos->files[1].rel_path, "index");
  EXPECT_EQ(m.thanos->files[1].size_bytes,
            static_cast<int64_t>(std::filesystem::file_size(block_dir_ + "/index")));
  EXPECT_EQ(m.thanos->files[2].rel_path, "meta.json");
  EXPECT_TRUE(std::filesystem::exists(block_dir_ + "/tombstones"));
  EXPECT_FALSE(std::filesystem::exists(block_dir_ + ".tmp-for-creation"));
}

TEST(BlockWriter, StatsAndChunkCutting) {
  TempDir dir;
  BlockWriter w;
  std::vector<int64_t> ts;
  std::vector<double> vs;
  for (int i = 0; i < 250; ++i) {
    ts.push_back(i * 15000);
    vs.push_back(i);
  }
  ASSERT_TRUE(w.AddSeries(Labels{{"__name__", "a"}}, ts, vs).ok());
  ASSERT_TRUE(w.AddSeries(Labels{{"__name__", "b"}}, {5}, {1.0}).ok());
  ASSERT_TRUE(w.AddSeries(Labels{{"__name__", "empty"}}, {}, {}).ok());
  auto meta = w.Write(dir.path());
  ASSERT_TRUE(meta.ok());
  EXPECT_EQ(meta->stats.num_series, 2u);
  EXPECT_EQ(meta->stats.num_samples, 251u);
  EXPECT_EQ(meta->stats.num_chunks, 4u);  // 120 + 120 + 10, and 1
  EXPECT_EQ(meta->min_time, 0);
  EXPECT_EQ(meta->max_time, 249 * 15000 + 1);
  auto b = BlockReader::Open(dir.path() + "/" + meta->ulid.ToString());
  ASSERT_TRUE(b.ok());
  auto set = (*b)->NewQuerier(INT64_MIN, INT64_MAX)
                 ->Select(true, {}, {M(MatchType::kEqual, "__name__", "a")});
  ASSERT_TRUE(set->Next());
  ASSERT_EQ(set->At().chunks.size(), 3u);
  EXPECT_EQ(set->At().chunks[0].min_time, 0);
  EXPECT_EQ(set->At().chunks[0].max_time, 119 * 15000);
  EXPECT_EQ(set->At().chunks[2].max_time, 249 * 15000);
  EXPECT_FALSE(set->Next());
}

TEST(BlockWriter, RejectsBadInput) {
  TempDir dir;
  BlockWriter w;
  EXPECT_FALSE(w.AddSeries(Labels{{"a", "b"}}, {2, 1}, {1, 1}).ok());
  EXPECT_FALSE(w.AddSeries(Labels{{"a", "b"}}, {1, 1}, {1, 1}).ok());
  EXPECT_FALSE(w.AddSeries(Labels{{"a", "b"}}, {1}, {}).ok());
  EXPECT_FALSE(w.AddSeries(Labels{}, {1}, {1}).ok());
  ASSERT_TRUE(w.AddSeries(Labels{{"a", "b"}}, {1}, {1}).ok());
  ASSERT_TRUE(w.AddSeries(Labels{{"a", "b"}}, {2}, {1}).ok());
  EXPECT_FALSE(w.Write(dir.path()).ok());  // duplicate series
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

TEST_F(BlockTest, SelectReturnsExactSamplesSorted) {
  auto got = Select({M(MatchType::kRegexp, "__name__", ".+")});
  std::vector<TestSeries> want = series_;
  std::sort(want.begin(), want.end(),
            [](const auto& a, const auto& b) { return a.labels < b.labels; });
  // {job=""} on disk is the label set without job.
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    // The {job=""} series is stored without the empty label.
    Labels norm = want[i].labels.Has("job") && want[i].labels.Get("job").empty()
                      ? want[i].labels.Without("job")
                      : want[i].labels;
    EXPECT_EQ(got[i].labels, norm);
    EXPECT_EQ(got[i].ts, want[i].ts);
    EXPECT_EQ(got[i].vs, want[i].vs);
  }
}

TEST_F(BlockTest, MatchersFollowPrometheusSemantics) {
  using MT = MatchType;
  std::vector<Matchers> cases = {
      {M(MT::kEqual, "job", "api")},
      {M(MT::kEqual, "__name__", "up"), M(MT::kEqual, "job", "db")},
      {M(MT::kEqual, "__name__", "up"), M(MT::kNotEqual, "job", "db")},
      {M(MT::kNotEqual, "job", "")},
      {M(MT::kEqual, "job", "")},
      {M(MT::kEqual, "__name__", "orphan"), M(MT::kEqual, "job", "")},
      {M(MT::kRegexp, "job", "api|web")},
      {M(MT::kRegexp, "job", "a.*|n.*")},
      {M(MT::kRegexp, "job", ".*")},
      {M(MT::kRegexp, "job", ".+")},
      {M(MT::kRegexp, "job", "|api")},
      {M(MT::kNotRegexp, "job", "api|web")},
      {M(MT::kNotRegexp, "job", "")},
      {M(MT::kNotRegexp, "job", ".*")},
      {M(MT::kNotRegexp, "job", "d.*"), M(MT::kEqual, "__name__", "up")},
      {M(MT::kEqual, "instance", "host3"), M(MT::kRegexp, "job", "db|node")},
      {M(MT::kEqual, "nope", "x")},
      {M(MT::kEqual, "nope", "")},
      {M(MT::kNotEqual, "nope", "x")},
      {M(MT::kRegexp, "code", "20[01]"), M(MT::kNotEqual, "job", "web")},
      {M(MT::kEqual, "__name__", "up"), M(MT::kEqual, "__name__", "orphan")},
  };
  for (const auto& ms : cases) {
    std::string desc;
    for (const auto& m : ms) desc += m->ToString() + " ";
    std::vector<Labels> got;
    for (const auto& s : Select(ms)) got.push_back(s.labels);
    std::vector<Labels> want;
    for (const auto& l : Expected(ms)) {
      Labels norm = l.Has("job") && l.Get("job").empty() ? l.Without("job") : l;
      want.push_back(norm);
    }
    std::sort(want.begin(), want.end());
    EXPECT_EQ(got, want) << desc;
  }
}

TEST_F(BlockTest, TimeRangeTrimsToOverlappingChunks) {
  auto ms = Matchers{M(MatchType::kEqual, "__name__", "up"), M(MatchType::kEqual, "job", "api"),
                     M(MatchType::kEqual, "instance", "host0")};
  const auto& s = *std::find_if(series_.begin(), series_.end(),
                                [](const auto& x) { return x.labels.Get("instance") == "host0" &&
                                                           x.labels.Get("job") == "api"; });
  int64_t lo = s.ts[130], hi = s.ts[135];  // inside the second chunk only
  auto q = block_->NewQuerier(lo, hi);
  auto set = q->Select(true, {}, ms);
  ASSERT_TRUE(set->Next());
  ASSERT_EQ(set->At().chunks.size(), 1u);
  EXPECT_EQ(set->At().chunks[0].min_time, s.ts[120]);
  EXPECT_EQ(set->At().chunks[0].max_time, s.ts[239]);
  EXPECT_FALSE(set->Next());
  // Hints narrow further: before the first sample nothing is returned.
  storage::SelectHints h;
  h.start_ms = 1;
  h.end_ms = s.ts[0] - 1;
  auto none = block_->NewQuerier(INT64_MIN, INT64_MAX)->Select(true, h, ms);
  EXPECT_FALSE(none->Next());
  EXPECT_TRUE(none->status().ok());
  // labels_only returns the series without chunks.
  storage::SelectHints lo_hints;
  lo_hints.labels_only = true;
  auto labels = block_->NewQuerier(INT64_MIN, INT64_MAX)->Select(true, lo_hints, ms);
  ASSERT_TRUE(labels->Next());
  EXPECT_TRUE(labels->At().chunks.empty());
  EXPECT_EQ(labels->At().labels, s.labels);
}

TEST_F(BlockTest, LabelNamesAndValues) {
  auto q = block_->NewQuerier(INT64_MIN, INT64_MAX);
  auto names = q->LabelNames({});
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, (std::vector<std::string>{"__name__", "code", "instance", "job"}));
  auto up_names = q->LabelNames({M(MatchType::kEqual, "__name__", "up")});
  EXPECT_EQ(*up_names, (std::vector<std::string>{"__name__", "instance", "job"}));
  auto jobs = q->LabelValues("job", {});
  EXPECT_EQ(*jobs, (std::vector<std::string>{"api", "db", "node", "web"}));
  auto codes = q->LabelValues("code", {M(MatchType::kEqual, "job", "db")});
  EXPECT_EQ(*codes, (std::vector<std::string>{"200", "201", "202"}));
  auto none = q->LabelValues("code", {M(MatchType::kEqual, "__name__", "up")});
  EXPECT_TRUE(none->empty());
}

TEST_F(BlockTest, TombstonesHideDeletedSamples) {
  // Find the series refs by reading the index, then write a tombstones file.
  auto p = block_->index().Postings("job", "db");
  std::vector<uint64_t> refs = *index::ExpandPostings(*p);
  ASSERT_FALSE(refs.empty());
  Labels first_labels;
  std::vector<index::ChunkMeta> metas;
  ASSERT_TRUE(block_->index().Series(refs[0], &first_labels, &metas).ok());
  ASSERT_GE(metas.size(), 2u);
  Tombstones t;
  // Part of the first chunk and all of the second.
  int64_t cut_lo = metas[0].min_time + 10'000, cut_hi = metas[1].max_time;
  t.Add(refs[0], {cut_lo, cut_hi});
  // Everything of the second series.
  t.Add(refs[1], {INT64_MIN, INT64_MAX});
  ASSERT_TRUE(WriteTombstonesFile(block_dir_, t).ok());
  auto b = BlockReader::Open(block_dir_);
  ASSERT_TRUE(b.ok()) << b.status().message();
  auto q = (*b)->NewQuerier(INT64_MIN, INT64_MAX);
  auto got = Drain(*q->Select(true, {}, {M(MatchType::kEqual, "job", "db")}));
  ASSERT_EQ(got.size(), refs.size() - 1);  // the fully deleted series is gone
  const auto& src = *std::find_if(series_.begin(), series_.end(),
                                  [&](const auto& s) { return s.labels == first_labels; });
  std::vector<int64_t> want_ts;
  std::vector<double> want_vs;
  for (size_t i = 0; i < src.ts.size(); ++i) {
    if (src.ts[i] >= cut_lo && src.ts[i] <= cut_hi) continue;
    want_ts.push_back(src.ts[i]);
    want_vs.push_back(src.vs[i]);
  }
  EXPECT_EQ(got[0].labels, first_labels);
  EXPECT_EQ(got[0].ts, want_ts);
  EXPECT_EQ(got[0].vs, want_vs);
}

// Reads everything of a block through the querier, as text; an error anywhere is returned.
StatusOr<std::string> DumpBlock(const std::string& dir) {
  auto b = BlockReader::Open(dir);
  if (!b.ok()) return b.status();
  auto q = (*b)->NewQuerier(INT64_MIN, INT64_MAX);
  auto set = q->Select(true, {}, {M(MatchType::kRegexp, "__name__", ".+")});
  std::string out;
  while (set->Next()) {
    out += set->At().labels.ToString();
    for (const auto& c : set->At().chunks) {
      std::vector<int64_t> ts;
      std::vector<double> vs;
      if (Status s = chunkenc::DecodeXor(c.bytes(), &ts, &vs); !s.ok()) return s;
      for (size_t i = 0; i < ts.size(); ++i) {
        out += " " + std::to_string(ts[i]) + "=" + std::to_string(vs[i]);
      }
    }
    out += "\n";
  }
  if (!set->status().ok()) return set->status();
  auto names = q->LabelNames({});
  if (!names.ok()) return names.status();
  for (const auto& n : *names) {
    out += n + ":";
    auto vals = q->LabelValues(n, {});
    if (!vals.ok()) return vals.status();
    for (const auto& v : *vals) out += v + ",";
  }
  return out;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}
void WriteAll(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << data;
}

// Damage to any file of the block gives a clean error naming the block and the file, or
// (for bytes that carry no information, like padding) the unchanged answer.
TEST_F(BlockTest, CorruptFilesGiveCleanErrors) {
  auto want = DumpBlock(block_dir_);
  ASSERT_TRUE(want.ok()) << want.status().message();
  const std::string ulid = meta_.ulid.ToString();
  for (const std::string file : {"index", "chunks/000001", "tombstones", "meta.json"}) {
    const std::string path = block_dir_ + "/" + file;
    const std::string orig = ReadAll(path);
    ASSERT_FALSE(orig.empty()) << file;
    std::mt19937 rng(11);
    int detected = 0, tries = 0;
    // Every byte for small files, a random sample for large ones.
    std::vector<size_t> positions;
    if (orig.size() <= 250) {
      for (size_t i = 0; i < orig.size(); ++i) positions.push_back(i);
    } else {
      for (int i = 0; i < 250; ++i) positions.push_back(rng() % orig.size());
    }
    for (size_t pos : positions) {
      std::string bad = orig;
      bad[pos] ^= static_cast<char>(1 << (rng() % 8));
      WriteAll(path, bad);
      auto got = DumpBlock(block_dir_);
      ++tries;
      if (!got.ok()) {
        ++detected;
        const std::string& msg = got.status().message();
        EXPECT_NE(msg.find("block " + ulid), std::string::npos) << msg;
        std::string shown = file == "chunks/000001" ? "chunks/000001" : file;
        EXPECT_NE(msg.find(shown), std::string::npos) << msg;
      } else if (file != "meta.json") {
        EXPECT_EQ(*got, *want) << file << ": flip at " << pos << " changed the answer";
      }
    }
    if (file != "meta.json") {
      // Index series entries are padded to 16 bytes; padding carries nothing to detect.
      EXPECT_GT(detected, tries * 6 / 10) << file;
    }
    // Truncation.
    for (size_t n : {size_t{0}, size_t{3}, orig.size() / 2, orig.size() - 2}) {
      WriteAll(path, orig.substr(0, n));
      auto got = DumpBlock(block_dir_);
      if (file == "meta.json" || n == 0 || file == "tombstones" || file == "index") {
        EXPECT_FALSE(got.ok()) << file << " truncated to " << n;
      } else {
        EXPECT_TRUE(!got.ok() || *got == *want) << file << " truncated to " << n;
      }
    }
    WriteAll(path, orig);
  }
  // Missing files.
  std::filesystem::rename(block_dir_ + "/index", block_dir_ + "/index.bak");
  auto missing = BlockReader::Open(block_dir_);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("index"), std::string::npos);
  std::filesystem::rename(block_dir_ + "/index.bak", block_dir_ + "/index");
  EXPECT_TRUE(DumpBlock(block_dir_).ok());
}

}  // namespace
}  // namespace meridian::tsdb

namespace meridian::tsdb {
namespace {

// A block whose only chunk is a native histogram (encoding 2): selecting it reports the
// encoding and the block instead of handing histogram bytes to the engine as floats.
TEST(BlockQuerier, UnsupportedChunkEncodingIsAnError) {
  TempDir dir;
  const Ulid id = Ulid::New(1'700'000'000'000);
  const std::string bdir = dir.path() + "/" + id.ToString();
  auto sw = chunks::SegmentWriter::Create(bdir + "/chunks");
  ASSERT_TRUE(sw.ok());
  auto ref = (*sw)->WriteChunk(chunks::kEncHistogram, std::string(20, '\x01'));
  ASSERT_TRUE(ref.ok());
  ASSERT_TRUE((*sw)->Close().ok());
  auto idx = index::EncodeIndex({{Labels{{"__name__", "h"}}, {{*ref, 0, 100}}}});
  ASSERT_TRUE(idx.ok());
  WriteAll(bdir + "/index", idx->bytes);
  BlockMeta meta;
  meta.ulid = id;
  meta.min_time = 0;
  meta.max_time = 101;
  ASSERT_TRUE(WriteBlockMetaFile(bdir, meta).ok());
  auto b = BlockReader::Open(bdir);
  ASSERT_TRUE(b.ok()) << b.status().message();
  auto set = (*b)->NewQuerier(0, 100)->Select(true, {}, {M(MatchType::kEqual, "__name__", "h")});
  EXPECT_FALSE(set->Next());
  EXPECT_EQ(set->status().code(), StatusCode::kExecution);
  EXPECT_NE(set->status().message().find("histogram (2)"), std::string::npos)
      << set->status().message();
  EXPECT_NE(set->status().message().find(id.ToString()), std::string::npos);
  // Labels-only selections need no chunk bytes and still work.
  storage::SelectHints h;
  h.labels_only = true;
  auto labels = (*b)->NewQuerier(0, 100)->Select(true, h, {M(MatchType::kEqual, "__name__", "h")});
  ASSERT_TRUE(labels->Next());
  EXPECT_EQ(labels->At().labels, (Labels{{"__name__", "h"}}));
}

}  // namespace
}  // namespace meridian::tsdb
