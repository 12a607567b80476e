#include "tsdb/index/index_writer.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "tsdb/index/index_format.h"

namespace meridian::tsdb::index {
namespace {

class FileSink final : public IndexSink {
 public:
  FileSink(std::FILE* f, std::string path) : f_(f), path_(std::move(path)) {
    buf_.reserve(kBufferSize);
  }
  ~FileSink() override {
    if (f_) std::fclose(f_);
  }
  Status Write(std::string_view b) override {
    offset_ += b.size();
    if (buf_.size() + b.size() > kBufferSize) {
      if (Status s = Flush(); !s.ok()) return s;
    }
    if (b.size() >= kBufferSize) return Raw(b);
    buf_.append(b);
    return Status::Ok();
  }
  Status Close() override {
    if (!f_) return Status::Ok();
    Status s = Flush();
    std::FILE* f = f_;
    f_ = nullptr;
    if (std::fclose(f) != 0 && s.ok()) s = UnavailableError("close " + path_ + ": " + std::strerror(errno));
    return s;
  }

 private:
  static constexpr size_t kBufferSize = 1 << 20;
  Status Flush() {
    Status s = Raw(buf_);
    buf_.clear();
    return s;
  }
  Status Raw(std::string_view b) {
    if (!f_) return InternalError("write " + path_ + " after close");
    if (!b.empty() && std::fwrite(b.data(), 1, b.size(), f_) != b.size()) {
      return UnavailableError("write " + path_ + ": " + std::strerror(errno));
    }
    return Status::Ok();
  }
  std::FILE* f_;
  std::string path_;
  std::string buf_;
};

class StringSink final : public IndexSink {
 public:
  explicit StringSink(std::string* out) : out_(out) {}
  Status Write(std::string_view b) override {
    offset_ += b.size();
    out_->append(b);
    return Status::Ok();
  }
  Status Close() override { return Status::Ok(); }

 private:
  std::string* out_;
};

}  // namespace

StatusOr<std::unique_ptr<IndexSink>> NewFileIndexSink(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return UnavailableError("create " + path + ": " + std::strerror(errno));
  return std::unique_ptr<IndexSink>(new FileSink(f, path));
}

std::unique_ptr<IndexSink> NewStringIndexSink(std::string* out) {
  return std::make_unique<StringSink>(out);
}

IndexWriter::IndexWriter(std::unique_ptr<IndexSink> sink, std::vector<std::string> symbols)
    : sink_(std::move(sink)), symbols_(std::move(symbols)) {
  symbol_ref_.reserve(symbols_.size());
  for (size_t i = 0; i < symbols_.size(); ++i) symbol_ref_[symbols_[i]] = static_cast<uint32_t>(i);
}

StatusOr<std::unique_ptr<IndexWriter>> IndexWriter::Create(std::unique_ptr<IndexSink> sink,
                                                           std::vector<std::string> symbols) {
  for (size_t i = 1; i < symbols.size(); ++i) {
    if (!(symbols[i - 1] < symbols[i])) return BadData("index: symbols not sorted or not unique");
  }
  if (symbols.size() > UINT32_MAX) return BadData("index: more symbols than 4-byte references allow");
  std::unique_ptr<IndexWriter> w(new IndexWriter(std::move(sink), std::move(symbols)));
  Encbuf b;
  b.PutBE32(kIndexMagic);
  b.PutByte(kIndexFormatV2);
  if (Status s = w->Put(b); !s.ok()) return s;
  w->toc_.symbols = w->sink_->offset();
  Status s = w->PutSection([&](Encbuf& body) {
    body.PutBE32(static_cast<uint32_t>(w->symbols_.size()));
    for (const auto& sym : w->symbols_) body.PutUvarintStr(sym);
  });
  if (!s.ok()) return s;
  if (Status p = w->Pad(kSeriesAlignment); !p.ok()) return p;
  w->toc_.series = w->sink_->offset();
  return w;
}

Status IndexWriter::Pad(uint64_t align) {
  uint64_t rem = sink_->offset() % align;
  if (rem == 0) return Status::Ok();
  static const char kZeros[16] = {};
  return sink_->Write(std::string_view(kZeros, align - rem));
}

template <typename Fill>
Status IndexWriter::PutSection(Fill&& fill) {
  scratch_.Clear();
  scratch_.PutBE32(0);
  fill(scratch_);
  uint32_t len = static_cast<uint32_t>(scratch_.size() - 4);
  WriteBE32(&scratch_.mutable_bytes()[0], len);
  scratch_.PutCrc32cOf(4);
  return Put(scratch_);
}

StatusOr<uint32_t> IndexWriter::SymbolRef(std::string_view s) const {
  auto it = symbol_ref_.find(s);
  if (it == symbol_ref_.end()) return BadData("index: symbol \"" + std::string(s) + "\" not in the symbol table");
  return it->second;
}

Status IndexWriter::AddSeries(const Labels& labels, const std::vector<ChunkMeta>& chunks) {
  if (finished_) return InternalError("index: series added after Finish");
  if (labels.empty()) return BadData("index: series with an empty label set");
  if (!all_.empty() && !(last_ < labels)) {
    return BadData("index: series not sorted or duplicated at " + labels.ToString());
  }
  if (Status s = Pad(kSeriesAlignment); !s.ok()) return s;
  uint64_t id = sink_->offset() / kSeriesAlignment;
  if (id > UINT32_MAX) return BadData("index: too many series for 4-byte postings references");

  Encbuf body;
  body.PutUvarint(labels.size());
  std::vector<std::pair<uint32_t, uint32_t>> pairs;
  pairs.reserve(labels.size());
  for (const Label& l : labels) {
    auto n = SymbolRef(l.name);
    if (!n.ok()) return n.status();
    auto v = SymbolRef(l.value);
    if (!v.ok()) return v.status();
    body.PutUvarint(*n);
    body.PutUvarint(*v);
    pairs.emplace_back(*n, *v);
  }
  body.PutUvarint(chunks.size());
  for (size_t i = 0; i < chunks.size(); ++i) {
    const ChunkMeta& c = chunks[i];
    if (i == 0) {
      body.PutVarint(c.min_time);
      body.PutUvarint(static_cast<uint64_t>(c.max_time) - static_cast<uint64_t>(c.min_time));
      body.PutUvarint(c.ref);
    } else {
      const ChunkMeta& p = chunks[i - 1];
      body.PutUvarint(static_cast<uint64_t>(c.min_time) - static_cast<uint64_t>(p.max_time));
      body.PutUvarint(static_cast<uint64_t>(c.max_time) - static_cast<uint64_t>(c.min_time));
      body.PutVarint(static_cast<int64_t>(c.ref - p.ref));
    }
  }
  scratch_.Clear();
  scratch_.PutUvarint(body.size());
  size_t crc_from = scratch_.size();
  scratch_.PutBytes(body.bytes());
  scratch_.PutCrc32cOf(crc_from);
  if (Status s = Put(scratch_); !s.ok()) return s;
  series_max_size_ = std::max<uint64_t>(series_max_size_, scratch_.size());

  for (const auto& p : pairs) postings_[p].push_back(static_cast<uint32_t>(id));
  all_.push_back(static_cast<uint32_t>(id));
  last_ = labels;
  return Status::Ok();
}

Status IndexWriter::Finish() {
  if (finished_) return Status::Ok();
  finished_ = true;
  // Label indices: one per name listing its values. Prometheus's v2 reader no longer reads
  // them, but older readers (and Prometheus 2.x's tooling) still find them.
  std::vector<std::pair<uint32_t, uint64_t>> label_index_offsets;
  if (Status s = Pad(4); !s.ok()) return s;
  toc_.label_indices = sink_->offset();
  for (auto it = postings_.begin(); it != postings_.end();) {
    uint32_t name = it->first.first;
    auto end = it;
    while (end != postings_.end() && end->first.first == name) ++end;
    if (Status s = Pad(4); !s.ok()) return s;
    label_index_offsets.emplace_back(name, sink_->offset());
    Status s = PutSection([&](Encbuf& b) {
      b.PutBE32(1);
      b.PutBE32(static_cast<uint32_t>(std::distance(it, end)));
      for (auto v = it; v != end; ++v) b.PutBE32(v->first.second);
    });
    if (!s.ok()) return s;
    it = end;
  }

  // Postings lists, the all-series list first (its key sorts first).
  struct PostingsOffset {
    std::string_view name, value;
    uint64_t offset;
  };
  std::vector<PostingsOffset> postings_offsets;
  postings_offsets.reserve(postings_.size() + 1);
  auto put_postings = [&](std::string_view name, std::string_view value,
                          const std::vector<uint32_t>& ids) {
    if (Status s = Pad(4); !s.ok()) return s;
    postings_offsets.push_back({name, value, sink_->offset()});
    return PutSection([&](Encbuf& b) {
      b.PutBE32(static_cast<uint32_t>(ids.size()));
      for (uint32_t id : ids) b.PutBE32(id);
    });
  };
  if (Status s = Pad(4); !s.ok()) return s;
  toc_.postings = sink_->offset();
  if (Status s = put_postings("", "", all_); !s.ok()) return s;
  for (auto& [key, ids] : postings_) {
    if (Status s = put_postings(symbols_[key.first], symbols_[key.second], ids); !s.ok()) return s;
    std::vector<uint32_t>().swap(ids);  // written: give the memory back before the tables
  }

  toc_.label_indices_table = sink_->offset();
  Status s = PutSection([&](Encbuf& b) {
    b.PutBE32(static_cast<uint32_t>(label_index_offsets.size()));
    for (const auto& [name, off] : label_index_offsets) {
      b.PutUvarint(1);
      b.PutUvarintStr(symbols_[name]);
      b.PutUvarint(off);
    }
  });
  if (!s.ok()) return s;

  toc_.postings_table = sink_->offset();
  s = PutSection([&](Encbuf& b) {
    b.PutBE32(static_cast<uint32_t>(postings_offsets.size()));
    for (const auto& p : postings_offsets) {
      b.PutUvarint(2);
      b.PutUvarintStr(p.name);
      b.PutUvarintStr(p.value);
      b.PutUvarint(p.offset);
    }
  });
  if (!s.ok()) return s;

  Encbuf toc;
  for (uint64_t off : {toc_.symbols, toc_.series, toc_.label_indices, toc_.label_indices_table,
                       toc_.postings, toc_.postings_table}) {
    toc.PutBE64(off);
  }
  toc.PutCrc32cOf(0);
  if (Status w = Put(toc); !w.ok()) return w;
  return sink_->Close();
}

std::vector<std::string> SymbolsOf(const std::vector<IndexSeries>& series) {
  std::vector<std::string> symbols;
  for (const auto& s : series) {
    for (const Label& l : s.labels) {
      symbols.push_back(l.name);
      symbols.push_back(l.value);
    }
  }
  std::sort(symbols.begin(), symbols.end());
  symbols.erase(std::unique(symbols.begin(), symbols.end()), symbols.end());
  return symbols;
}

StatusOr<EncodedIndex> EncodeIndex(const std::vector<IndexSeries>& series) {
  EncodedIndex out;
  auto w = IndexWriter::Create(NewStringIndexSink(&out.bytes), SymbolsOf(series));
  if (!w.ok()) return w.status();
  for (const auto& s : series) {
    if (Status st = (*w)->AddSeries(s.labels, s.chunks); !st.ok()) return st;
  }
  if (Status st = (*w)->Finish(); !st.ok()) return st;
  out.series_max_size = (*w)->series_max_size();
  return out;
}

}  // namespace meridian::tsdb::index
