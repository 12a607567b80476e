#include "storeapi/gateway/bucket_tools.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <map>

#include "model/duration.h"
#include "storeapi/gateway/bucket_block.h"
#include "storeapi/gateway/bucket_byte_source.h"
#include "tsdb/chunks/chunk_format.h"
#include "tsdb/chunks/segment_reader.h"
#include "tsdb/index/index_reader.h"
#include "tsdb/ulid.h"

namespace meridian::storeapi::gateway {

namespace {

std::string FormatTime(int64_t ms) {
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string FormatBytes(uint64_t b) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(b);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
  return buf;
}

std::string Pad(const std::string& s, size_t w) { return s.size() >= w ? s + " " : s + std::string(w - s.size(), ' '); }

void PrintTable(const std::vector<std::vector<std::string>>& rows, std::ostream& out) {
  std::vector<size_t> widths;
  for (const auto& r : rows) {
    widths.resize(std::max(widths.size(), r.size()));
    for (size_t i = 0; i < r.size(); ++i) widths[i] = std::max(widths[i], r[i].size() + 2);
  }
  for (const auto& r : rows) {
    std::string line;
    for (size_t i = 0; i < r.size(); ++i) line += i + 1 == r.size() ? r[i] : Pad(r[i], widths[i]);
    out << line << "\n";
  }
}

std::string Resolution(const tsdb::BlockMeta& m) {
  int64_t r = m.thanos ? m.thanos->downsample_resolution : 0;
  return r == 0 ? "0s" : FormatDurationMs(r);
}

}  // namespace

StatusOr<std::vector<BlockListing>> ListBlocks(objstore::Bucket& bucket) {
  std::vector<std::string> ulids;
  Status s = bucket.Iter("", [&](const std::string& name) {
    std::string n = name;
    if (!n.empty() && n.back() == '/') n.pop_back();
    if (tsdb::Ulid::Parse(n).ok()) ulids.push_back(n);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  std::sort(ulids.begin(), ulids.end());
  std::vector<BlockListing> out;
  for (const auto& ulid : ulids) {
    BlockListing b;
    b.ulid = ulid;
    Status it = bucket.Iter(ulid + "/", [&](const std::string& name) {
      std::string rel = name.substr(ulid.size() + 1);
      if (rel == "deletion-mark.json") b.deletion_marked = true;
      if (rel == "no-compact-mark.json") b.no_compact_marked = true;
      if (rel == "no-downsample-mark.json") b.no_downsample_marked = true;
      return Status::Ok();
    });
    if (!it.ok()) return it;
    auto raw = bucket.Get(ulid + "/meta.json");
    if (!raw.ok()) {
      b.meta_status = raw.status();
    } else if (auto meta = tsdb::ParseBlockMeta(*raw); !meta.ok()) {
      b.meta_status = meta.status();
    } else {
      b.meta = std::move(*meta);
    }
    Status files = bucket.Iter(ulid + "/", [&](const std::string& name) {
      ++b.files;
      std::string rel = name.substr(ulid.size() + 1);
      auto size = bucket.Size(name);
      if (!size.ok()) return size.status();
      if (rel == "index") b.index_size = static_cast<uint64_t>(*size);
      if (rel.rfind("chunks/", 0) == 0) b.chunks_size += static_cast<uint64_t>(*size);
      return Status::Ok();
    }, objstore::IterOptions{.recursive = true});
    if (!files.ok()) return files;
    out.push_back(std::move(b));
  }
  return out;
}

void PrintBlockList(const std::vector<BlockListing>& blocks, std::ostream& out) {
  std::vector<std::vector<std::string>> rows = {
      {"ULID", "FROM", "UNTIL", "RANGE", "RESOLUTION", "LEVEL", "SOURCE", "INDEX", "CHUNKS", "MARKS", "LABELS"}};
  for (const auto& b : blocks) {
    if (!b.meta) {
      rows.push_back({b.ulid, "-", "-", "-", "-", "-", "-", FormatBytes(b.index_size),
                      FormatBytes(b.chunks_size), b.deletion_marked ? "deletion" : "",
                      "(no usable meta.json: " + b.meta_status.message() + ")"});
      continue;
    }
    const auto& m = *b.meta;
    std::string labels = m.thanos ? m.thanos->labels.ToString() : "{}";
    std::string marks;
    for (auto [on, name] : {std::pair{b.deletion_marked, "deletion"}, std::pair{b.no_compact_marked, "no-compact"},
                            std::pair{b.no_downsample_marked, "no-downsample"}}) {
      if (!on) continue;
      if (!marks.empty()) marks += ",";
      marks += name;
    }
    rows.push_back({b.ulid, FormatTime(m.min_time), FormatTime(m.max_time),
                    FormatDurationMs(m.max_time - m.min_time), Resolution(m),
                    std::to_string(m.compaction.level), m.thanos ? m.thanos->source : "",
                    FormatBytes(b.index_size), FormatBytes(b.chunks_size), marks.empty() ? "-" : marks, labels});
  }
  PrintTable(rows, out);
}

void PrintBlockInspect(const std::vector<BlockListing>& blocks, std::ostream& out) {
  std::vector<std::vector<std::string>> rows = {{"ULID", "FROM", "UNTIL", "RANGE", "#SERIES", "#SAMPLES",
                                                 "#CHUNKS", "COMP-LEVEL", "RESOLUTION", "SOURCE", "LABELS"}};
  uint64_t series = 0, samples = 0, chunks = 0, bytes = 0;
  for (const auto& b : blocks) {
    bytes += b.index_size + b.chunks_size;
    if (!b.meta) {
      rows.push_back({b.ulid, "-", "-", "-", "-", "-", "-", "-", "-", "-", "(" + b.meta_status.message() + ")"});
      continue;
    }
    const auto& m = *b.meta;
    series += m.stats.num_series;
    samples += m.stats.num_samples;
    chunks += m.stats.num_chunks;
    rows.push_back({b.ulid, FormatTime(m.min_time), FormatTime(m.max_time), FormatDurationMs(m.max_time - m.min_time),
                    std::to_string(m.stats.num_series), std::to_string(m.stats.num_samples),
                    std::to_string(m.stats.num_chunks), std::to_string(m.compaction.level), Resolution(m),
                    m.thanos ? m.thanos->source : "", m.thanos ? m.thanos->labels.ToString() : "{}"});
  }
  PrintTable(rows, out);
  out << blocks.size() << " blocks, " << series << " series, " << samples << " samples, " << chunks
      << " chunks, " << FormatBytes(bytes) << " of index and chunk files\n";
}

std::vector<std::string> VerifyBlock(objstore::Bucket& bucket, const BlockListing& block) {
  std::vector<std::string> problems;
  if (!block.meta) {
    problems.push_back("meta.json: " + block.meta_status.message());
    return problems;
  }
  const auto& meta = *block.meta;
  if (meta.ulid.ToString() != block.ulid) problems.push_back("meta.json names block " + meta.ulid.ToString());
  if (meta.min_time >= meta.max_time) problems.push_back("meta.json: empty or inverted time range");
  // Non-owning view of the bucket for the byte sources.
  std::shared_ptr<objstore::Bucket> b(&bucket, [](objstore::Bucket*) {});
  auto cache = std::make_shared<ByteCache>(64ull << 20);
  const BlockObjects ids = BlockObjects::Next();
  RangeReadOptions sequential{.page_size = 1 << 20, .max_gap = 4 << 20};
  auto index_size = bucket.Size(block.ulid + "/index");
  if (!index_size.ok()) {
    problems.push_back("index: " + index_size.status().message());
    return problems;
  }
  auto index = tsdb::index::IndexReader::Open(std::make_unique<BucketByteSource>(
      b, block.ulid + "/index", static_cast<uint64_t>(*index_size), cache, ids.index(), sequential, nullptr));
  if (!index.ok()) {
    problems.push_back(index.status().message());
    return problems;
  }
  auto segment_list = ListSegments(bucket, meta);
  if (!segment_list.ok()) {
    problems.push_back("chunks: " + segment_list.status().message());
    return problems;
  }
  std::vector<std::unique_ptr<tsdb::ByteSource>> segs;
  for (const auto& [name, size] : *segment_list) {
    segs.push_back(std::make_unique<BucketByteSource>(b, name, size, cache, ids.segment(segs.size()), sequential, nullptr));
  }
  auto chunks = tsdb::chunks::SegmentReader::Open(std::move(segs));
  if (!chunks.ok()) {
    problems.push_back(chunks.status().message());
    return problems;
  }
  auto postings = (*index)->AllPostings();
  uint64_t nseries = 0, nchunks = 0, nsamples = 0;
  Labels prev, ls;
  std::vector<tsdb::index::ChunkMeta> metas;
  const size_t max_problems = 20;
  while (postings->Next() && problems.size() < max_problems) {
    uint64_t id = postings->At();
    if (Status s = (*index)->Series(id, &ls, &metas); !s.ok()) {
      problems.push_back(s.message());
      continue;
    }
    ++nseries;
    if (nseries > 1 && !(prev < ls)) problems.push_back("series " + ls.ToString() + " out of order");
    prev = ls;
    for (size_t i = 0; i < metas.size(); ++i) {
      const auto& m = metas[i];
      ++nchunks;
      if (m.min_time > m.max_time) problems.push_back(ls.ToString() + ": chunk with min time after max time");
      if (i > 0 && m.min_time <= metas[i - 1].max_time) {
        problems.push_back(ls.ToString() + ": overlapping chunks at " + std::to_string(m.min_time));
      }
      if (m.min_time < meta.min_time || m.max_time >= meta.max_time) {
        problems.push_back(ls.ToString() + ": chunk [" + std::to_string(m.min_time) + ", " +
                           std::to_string(m.max_time) + "] outside the block's time range");
      }
      if (tsdb::chunks::ChunkRefSegment(m.ref) >= (*chunks)->num_segments()) {
        problems.push_back(ls.ToString() + ": chunk reference " + std::to_string(m.ref) + " names a missing segment");
        continue;
      }
      auto c = (*chunks)->Read(m.ref, m.min_time, m.max_time);
      if (!c.ok()) {
        problems.push_back(ls.ToString() + ": " + c.status().message());
        continue;
      }
      if (c->encoding == storage::ChunkEncoding::kXOR && c->bytes().size() >= 2) {
        nsamples += (static_cast<uint8_t>(c->bytes()[0]) << 8) | static_cast<uint8_t>(c->bytes()[1]);
      }
    }
  }
  if (!postings->status().ok()) problems.push_back(postings->status().message());
  if (problems.empty()) {
    if (meta.stats.num_series != 0 && meta.stats.num_series != nseries) {
      problems.push_back("meta.json says " + std::to_string(meta.stats.num_series) + " series, the index has " +
                         std::to_string(nseries));
    }
    if (meta.stats.num_chunks != 0 && meta.stats.num_chunks != nchunks) {
      problems.push_back("meta.json says " + std::to_string(meta.stats.num_chunks) + " chunks, the index has " +
                         std::to_string(nchunks));
    }
    if (meta.stats.num_samples != 0 && nsamples != 0 && meta.stats.num_samples != nsamples) {
      problems.push_back("meta.json says " + std::to_string(meta.stats.num_samples) + " samples, the chunks hold " +
                         std::to_string(nsamples));
    }
  }
  return problems;
}

}  // namespace meridian::storeapi::gateway
