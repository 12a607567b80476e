#include "tsdb/index/index_reader.h"

#include <algorithm>

#include "tsdb/crc32c.h"
#include "tsdb/encoding.h"
#include "tsdb/index/index_format.h"

namespace meridian::tsdb::index {

StatusOr<std::unique_ptr<IndexReader>> IndexReader::Open(std::unique_ptr<ByteSource> source,
                                                         IndexReaderOptions options) {
  std::unique_ptr<IndexReader> r(new IndexReader(std::move(source), options));
  Status s = r->Init();
  if (!s.ok()) return s;
  return r;
}

Status IndexReader::Corrupt(const std::string& msg) const {
  return CorruptError(src_->name() + ": " + msg);
}

Status IndexReader::Init() {
  if (src_->Size() < kIndexHeaderSize + kTocSize) {
    return Corrupt("file too short (" + std::to_string(src_->Size()) + " bytes)");
  }
  std::string scratch;
  auto h = src_->Read(0, kIndexHeaderSize, &scratch);
  if (!h.ok()) return h.status();
  uint32_t magic = ReadBE32(h->data());
  if (magic != kIndexMagic) return Corrupt("invalid magic number " + std::to_string(magic));
  version_ = static_cast<uint8_t>((*h)[4]);
  if (version_ != kIndexFormatV1 && version_ != kIndexFormatV2) {
    return Corrupt("unsupported index format version " + std::to_string(version_));
  }
  Status s = ReadToc();
  if (s.ok()) s = ReadSymbols();
  if (s.ok()) s = ReadPostingsOffsetTable();
  if (s.ok() && options_.verify_label_indices) s = VerifyLabelIndices();
  return s;
}

// Nothing reads label indices any more (values come from the postings offset table), but
// their checksums are still verified so damage anywhere in the file is noticed on open.
Status IndexReader::VerifyLabelIndices() {
  if (toc_.label_indices_table == 0) return Status::Ok();
  std::string scratch;
  auto body = ReadBe32Section(toc_.label_indices_table, "label offset table", &scratch);
  if (!body.ok()) return body.status();
  Decbuf d(*body);
  uint32_t n = d.Be32();
  std::string entry_scratch;
  for (uint32_t i = 0; i < n && !d.err(); ++i) {
    uint64_t keys = d.Uvarint64();
    for (uint64_t k = 0; k < keys && !d.err(); ++k) d.UvarintBytes();
    uint64_t off = d.Uvarint64();
    if (d.err()) break;
    auto li = ReadBe32Section(off, "label index", &entry_scratch);
    if (!li.ok()) return li.status();
  }
  if (d.err()) return Corrupt(std::string("label offset table: ") + d.err_msg());
  return Status::Ok();
}

Status IndexReader::ReadToc() {
  std::string scratch;
  uint64_t at = src_->Size() - kTocSize;
  auto b = src_->Read(at, kTocSize, &scratch);
  if (!b.ok()) return b.status();
  if (Crc32c(b->substr(0, kTocSize - 4)) != ReadBE32(b->data() + kTocSize - 4)) {
    return Corrupt("TOC: checksum mismatch");
  }
  Decbuf d(*b);
  toc_.symbols = d.Be64();
  toc_.series = d.Be64();
  toc_.label_indices = d.Be64();
  toc_.label_indices_table = d.Be64();
  toc_.postings = d.Be64();
  toc_.postings_table = d.Be64();
  for (uint64_t off : {toc_.symbols, toc_.series, toc_.label_indices, toc_.label_indices_table,
                       toc_.postings, toc_.postings_table}) {
    if (off > at) return Corrupt("TOC: section offset " + std::to_string(off) + " out of range");
  }
  return Status::Ok();
}

StatusOr<std::string_view> IndexReader::ReadBe32Section(uint64_t offset, const char* what,
                                                        std::string* scratch) const {
  if (offset > src_->Size() || src_->Size() - offset < 8) {
    return Corrupt(std::string(what) + " at offset " + std::to_string(offset) +
                   ": outside the file");
  }
  std::string len_scratch;
  auto lb = src_->Read(offset, 4, &len_scratch);
  if (!lb.ok()) return lb.status();
  uint64_t len = ReadBE32(lb->data());
  if (len > src_->Size() - offset - 8) {
    return Corrupt(std::string(what) + " at offset " + std::to_string(offset) + ": length " +
                   std::to_string(len) + " runs past the end of the file");
  }
  auto b = src_->Read(offset + 4, len + 4, scratch);
  if (!b.ok()) return b.status();
  if (Crc32c(b->substr(0, len)) != ReadBE32(b->data() + len)) {
    return Corrupt(std::string(what) + " at offset " + std::to_string(offset) +
                   ": checksum mismatch");
  }
  return b->substr(0, len);
}

Status IndexReader::ReadSymbols() {
  if (toc_.symbols == 0) return Status::Ok();
  std::string scratch;
  auto body = ReadBe32Section(toc_.symbols, "symbol table", &scratch);
  if (!body.ok()) return body.status();
  Decbuf d(*body);
  uint32_t n = d.Be32();
  if (d.err() || n > body->size()) return Corrupt("symbol table: bad symbol count");
  symbols_.reserve(n);
  // v1 references a symbol by the file offset of its entry.
  const uint64_t body_start = toc_.symbols + 4;
  for (uint32_t i = 0; i < n; ++i) {
    uint64_t at = body_start + (body->size() - d.Len());
    std::string_view s = d.UvarintBytes();
    if (d.err()) return Corrupt(std::string("symbol table: ") + d.err_msg());
    if (version_ == kIndexFormatV1) symbol_offsets_.push_back(at);
    symbols_.emplace_back(s);
  }
  return Status::Ok();
}

Status IndexReader::ReadPostingsOffsetTable() {
  if (toc_.postings_table == 0) return Status::Ok();
  std::string scratch;
  auto body = ReadBe32Section(toc_.postings_table, "postings offset table", &scratch);
  if (!body.ok()) return body.status();
  Decbuf d(*body);
  uint32_t n = d.Be32();
  for (uint32_t i = 0; i < n && !d.err(); ++i) {
    uint64_t keys = d.Uvarint64();
    if (!d.err() && keys != 2) {
      return Corrupt("postings offset table: unexpected number of keys " + std::to_string(keys));
    }
    std::string_view name = d.UvarintBytes();
    std::string_view value = d.UvarintBytes();
    uint64_t off = d.Uvarint64();
    if (d.err()) break;
    auto it = postings_.find(name);
    if (it == postings_.end()) it = postings_.emplace(std::string(name), std::vector<std::pair<std::string, uint64_t>>()).first;
    it->second.emplace_back(std::string(value), off);
  }
  if (d.err()) return Corrupt(std::string("postings offset table: ") + d.err_msg());
  // v2 writes the table sorted; v1 did not promise it.
  for (auto& [name, values] : postings_) {
    if (!std::is_sorted(values.begin(), values.end())) std::sort(values.begin(), values.end());
  }
  return Status::Ok();
}

StatusOr<std::string_view> IndexReader::LookupSymbol(uint32_t ref) const {
  if (version_ == kIndexFormatV1) {
    auto it = std::lower_bound(symbol_offsets_.begin(), symbol_offsets_.end(), ref);
    if (it == symbol_offsets_.end() || *it != ref) {
      return Corrupt("unknown symbol offset " + std::to_string(ref));
    }
    return std::string_view(symbols_[it - symbol_offsets_.begin()]);
  }
  if (ref >= symbols_.size()) return Corrupt("unknown symbol reference " + std::to_string(ref));
  return std::string_view(symbols_[ref]);
}

std::vector<std::string> IndexReader::LabelNames() const {
  std::vector<std::string> out;
  for (const auto& [name, values] : postings_) {
    if (!name.empty()) out.push_back(name);
  }
  return out;
}

std::vector<std::string> IndexReader::LabelValues(std::string_view name) const {
  std::vector<std::string> out;
  auto it = postings_.find(name);
  if (it == postings_.end()) return out;
  out.reserve(it->second.size());
  for (const auto& [v, off] : it->second) out.push_back(v);
  return out;
}

PostingsPtr IndexReader::ReadPostingsList(uint64_t offset) const {
  std::string scratch;
  auto body = ReadBe32Section(offset, "postings list", &scratch);
  if (!body.ok()) return ErrorPostings(body.status());
  Decbuf d(*body);
  uint64_t n = d.Be32();
  if (d.err() || d.Len() != 4 * n) {
    return ErrorPostings(Corrupt("postings list at offset " + std::to_string(offset) +
                                 ": length does not match " + std::to_string(n) + " entries"));
  }
  return BigEndianPostings(std::string(d.Rest()));
}

PostingsPtr IndexReader::Postings(std::string_view name, std::string_view value) const {
  auto it = postings_.find(name);
  if (it == postings_.end()) return EmptyPostings();
  const auto& values = it->second;
  auto v = std::lower_bound(values.begin(), values.end(), value,
                            [](const auto& e, std::string_view x) { return e.first < x; });
  if (v == values.end() || v->first != value) return EmptyPostings();
  return ReadPostingsList(v->second);
}

PostingsPtr IndexReader::PostingsForValues(std::string_view name,
                                           const std::vector<std::string>& values) const {
  std::vector<PostingsPtr> its;
  for (const auto& v : values) its.push_back(Postings(name, v));
  return Merge(std::move(its));
}

PostingsPtr IndexReader::PostingsMatching(
    std::string_view name, const std::function<bool(std::string_view)>& match) const {
  auto it = postings_.find(name);
  if (it == postings_.end()) return EmptyPostings();
  std::vector<PostingsPtr> its;
  for (const auto& [v, off] : it->second) {
    if (match(v)) its.push_back(ReadPostingsList(off));
  }
  return Merge(std::move(its));
}

Status IndexReader::Series(uint64_t id, Labels* labels, std::vector<ChunkMeta>* chunks) const {
  uint64_t offset = version_ == kIndexFormatV1 ? id : id * kSeriesAlignment;
  auto where = [&] { return "series " + std::to_string(id) + " at offset " + std::to_string(offset); };
  if (id > src_->Size() || offset >= src_->Size()) return Corrupt(where() + ": outside the file");
  std::string scratch;
  uint64_t head_len = std::min<uint64_t>(10, src_->Size() - offset);
  auto head = src_->Read(offset, head_len, &scratch);
  if (!head.ok()) return head.status();
  Decbuf hd(*head);
  uint64_t len = hd.Uvarint64();
  if (hd.err()) return Corrupt(where() + ": length: " + hd.err_msg());
  uint64_t start = offset + (head_len - hd.Len());
  if (len > src_->Size() || start + len + 4 > src_->Size()) {
    return Corrupt(where() + ": entry runs past the end of the file");
  }
  std::string scratch2;
  auto b = src_->Read(start, len + 4, &scratch2);
  if (!b.ok()) return b.status();
  if (Crc32c(b->substr(0, len)) != ReadBE32(b->data() + len)) {
    return Corrupt(where() + ": checksum mismatch");
  }
  Decbuf d(b->substr(0, len));
  uint64_t nlabels = d.Uvarint64();
  if (d.err() || nlabels > len) return Corrupt(where() + ": bad label count");
  std::vector<Label> ls;
  ls.reserve(nlabels);
  for (uint64_t i = 0; i < nlabels; ++i) {
    uint64_t nref = d.Uvarint64();
    uint64_t vref = d.Uvarint64();
    if (d.err()) return Corrupt(where() + ": labels: " + d.err_msg());
    if (nref > UINT32_MAX || vref > UINT32_MAX) return Corrupt(where() + ": symbol ref overflow");
    auto n = LookupSymbol(static_cast<uint32_t>(nref));
    if (!n.ok()) return n.status().Wrap(where());
    auto v = LookupSymbol(static_cast<uint32_t>(vref));
    if (!v.ok()) return v.status().Wrap(where());
    ls.push_back({std::string(*n), std::string(*v)});
  }
  for (size_t i = 1; i < ls.size(); ++i) {
    if (!(ls[i - 1].name < ls[i].name)) return Corrupt(where() + ": labels not sorted");
  }
  if (labels) *labels = Labels::FromSorted(std::move(ls));
  if (!chunks) return Status::Ok();
  chunks->clear();
  uint64_t nchunks = d.Uvarint64();
  if (d.err() || nchunks > len) return Corrupt(where() + ": bad chunk count");
  if (nchunks == 0) return Status::Ok();
  chunks->reserve(nchunks);
  // Deltas are added in unsigned arithmetic: wrap-around is what the writer's casts encode,
  // and damaged input must not become signed overflow.
  auto add = [](int64_t a, uint64_t b) {
    return static_cast<int64_t>(static_cast<uint64_t>(a) + b);
  };
  ChunkMeta c;
  c.min_time = d.Varint64();
  c.max_time = add(c.min_time, d.Uvarint64());
  c.ref = d.Uvarint64();
  chunks->push_back(c);
  for (uint64_t i = 1; i < nchunks && !d.err(); ++i) {
    ChunkMeta n;
    n.min_time = add(c.max_time, d.Uvarint64());
    n.max_time = add(n.min_time, d.Uvarint64());
    n.ref = c.ref + static_cast<uint64_t>(d.Varint64());
    chunks->push_back(n);
    c = n;
  }
  if (d.err()) return Corrupt(where() + ": chunk metas: " + d.err_msg());
  return Status::Ok();
}

}  // namespace meridian::tsdb::index
