#pragma once
// Reads a block's index file (format v1 or v2) through a ByteSource.
//
// On open the TOC, the symbol table and the postings offset table are read, checksum-verified
// and kept in memory (these two tables are what Thanos copies into an "index-header"); series
// entries and postings lists are read on demand and verified on every read. The postings
// offset table is loaded whole rather than sampled every 32nd entry like Prometheus's reader:
// simpler, O(log n) lookups, at the cost of memory proportional to the number of label pairs.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "model/labels.h"
#include "model/status.h"
#include "tsdb/byte_source.h"
#include "tsdb/index/postings.h"

namespace meridian::tsdb::index {

struct ChunkMeta {
  uint64_t ref = 0;       // segment << 32 | offset
  int64_t min_time = 0;   // first sample, ms
  int64_t max_time = 0;   // last sample, ms (inclusive)
  friend bool operator==(const ChunkMeta&, const ChunkMeta&) = default;
};

// The TOC: absolute offsets of the index sections (0 = section absent).
struct Toc {
  uint64_t symbols = 0;
  uint64_t series = 0;
  uint64_t label_indices = 0;
  uint64_t label_indices_table = 0;
  uint64_t postings = 0;
  uint64_t postings_table = 0;
};

struct IndexReaderOptions {
  // Also verify the checksums of the label indices, which no query reads. Costs one read per
  // label name at open: cheap locally, worth turning off over ranged GETs.
  bool verify_label_indices = true;
};

// Thread-safe after Open: all lookups are const and the ByteSource is read-only.
class IndexReader {
 public:
  static StatusOr<std::unique_ptr<IndexReader>> Open(std::unique_ptr<ByteSource> source,
                                                     IndexReaderOptions options = {});

  int version() const { return version_; }
  const Toc& toc() const { return toc_; }
  size_t num_symbols() const { return symbols_.size(); }
  // The symbol table, sorted: what a block written from this one (compacted, downsampled)
  // starts its own table from.
  const std::vector<std::string>& symbols() const { return symbols_; }

  // Symbol by reference (v2: position in the table; v1: file offset of the entry).
  StatusOr<std::string_view> LookupSymbol(uint32_t ref) const;

  // Sorted label names, without the all-postings key "".
  std::vector<std::string> LabelNames() const;
  // Sorted values of one label name (empty when the name is unknown).
  std::vector<std::string> LabelValues(std::string_view name) const;

  // Series holding name=value; empty when the pair is unknown.
  PostingsPtr Postings(std::string_view name, std::string_view value) const;
  // Union over several values of one name (set matchers).
  PostingsPtr PostingsForValues(std::string_view name, const std::vector<std::string>& values) const;
  // Union over every value of `name` that `match` accepts.
  PostingsPtr PostingsMatching(std::string_view name,
                               const std::function<bool(std::string_view)>& match) const;
  // Every series of the block (the ""="" postings list).
  PostingsPtr AllPostings() const { return Postings("", ""); }

  // Decodes one series entry. `chunks` may be null to read labels only.
  Status Series(uint64_t id, Labels* labels, std::vector<ChunkMeta>* chunks) const;

 private:
  IndexReader(std::unique_ptr<ByteSource> s, IndexReaderOptions o)
      : src_(std::move(s)), options_(o) {}
  Status Init();
  Status ReadToc();
  Status ReadSymbols();
  Status ReadPostingsOffsetTable();
  Status VerifyLabelIndices();
  // Reads a "len <4b> | body | CRC32" section at `offset`; the view is valid while *scratch is.
  StatusOr<std::string_view> ReadBe32Section(uint64_t offset, const char* what,
                                             std::string* scratch) const;
  PostingsPtr ReadPostingsList(uint64_t offset) const;
  Status Corrupt(const std::string& msg) const;

  std::unique_ptr<ByteSource> src_;
  IndexReaderOptions options_;
  int version_ = 0;
  Toc toc_;
  std::vector<std::string> symbols_;
  std::vector<uint64_t> symbol_offsets_;  // v1 only: file offset of each symbol, ascending
  // name -> (value, postings list offset), values sorted.
  std::map<std::string, std::vector<std::pair<std::string, uint64_t>>, std::less<>> postings_;
};

}  // namespace meridian::tsdb::index
