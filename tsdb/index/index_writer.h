#pragma once
// Writes an index file in format v2: symbols, 16-byte aligned series, label indices (still
// written for older readers), postings including the all-series key ""="", the label and
// postings offset tables and the TOC, each section with its CRC32C.
//
// IndexWriter streams: series entries go to the sink as they are added, so writing a block
// holds the symbol table and the postings (4 bytes per label of each series) in memory, never
// the series themselves. This is what lets the compactor merge blocks larger than memory.
//
//   auto w = IndexWriter::Create(sink, symbols);   // every name and value, sorted, unique
//   w->AddSeries(labels, chunk_metas);            // in label order
//   w->Finish();

#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/labels.h"
#include "model/status.h"
#include "tsdb/encoding.h"
#include "tsdb/index/index_reader.h"

namespace meridian::tsdb::index {

struct IndexSeries {
  Labels labels;
  std::vector<ChunkMeta> chunks;  // sorted by min_time
};

// Where index bytes go: a file or a string. Tracks the offset, which the format refers to.
class IndexSink {
 public:
  virtual ~IndexSink() = default;
  virtual Status Write(std::string_view b) = 0;
  virtual Status Close() = 0;
  uint64_t offset() const { return offset_; }

 protected:
  uint64_t offset_ = 0;
};

// Buffered writes to a new file at `path`.
StatusOr<std::unique_ptr<IndexSink>> NewFileIndexSink(const std::string& path);
// Appends to *out, which must outlive the sink.
std::unique_ptr<IndexSink> NewStringIndexSink(std::string* out);

class IndexWriter {
 public:
  // `symbols` must be sorted and unique and hold every label name and value the series use
  // (more is allowed: a compacted block keeps the union of its inputs' tables).
  static StatusOr<std::unique_ptr<IndexWriter>> Create(std::unique_ptr<IndexSink> sink,
                                                       std::vector<std::string> symbols);

  // Series must come in strictly increasing label order, each with a non-empty label set.
  Status AddSeries(const Labels& labels, const std::vector<ChunkMeta>& chunks);
  // Writes label indices, postings, the offset tables and the TOC, and closes the sink.
  Status Finish();

  uint64_t series_max_size() const { return series_max_size_; }
  uint64_t num_series() const { return all_.size(); }
  uint64_t bytes_written() const { return sink_->offset(); }

 private:
  IndexWriter(std::unique_ptr<IndexSink> sink, std::vector<std::string> symbols);
  Status Put(const Encbuf& b) { return sink_->Write(b.bytes()); }
  Status Pad(uint64_t align);
  // "len <4b> | body | CRC32C" with the body built by `fill`.
  template <typename Fill>
  Status PutSection(Fill&& fill);
  StatusOr<uint32_t> SymbolRef(std::string_view s) const;

  std::unique_ptr<IndexSink> sink_;
  std::vector<std::string> symbols_;
  std::unordered_map<std::string_view, uint32_t> symbol_ref_;
  // (name ref, value ref) -> ascending series IDs; symbol order is (name, value) order.
  std::map<std::pair<uint32_t, uint32_t>, std::vector<uint32_t>> postings_;
  std::vector<uint32_t> all_;
  Labels last_;
  uint64_t series_max_size_ = 0;
  Toc toc_;
  Encbuf scratch_;
  bool finished_ = false;
};

struct EncodedIndex {
  std::string bytes;
  uint64_t series_max_size = 0;  // largest series entry, for Thanos's index_stats
};

// The whole index in memory. `series` must be sorted by labels with no duplicates, every
// label set non-empty; the symbol table is exactly their names and values.
StatusOr<EncodedIndex> EncodeIndex(const std::vector<IndexSeries>& series);

// Every label name and value of `series`, sorted and unique.
std::vector<std::string> SymbolsOf(const std::vector<IndexSeries>& series);

}  // namespace meridian::tsdb::index
