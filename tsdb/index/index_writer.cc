#include "tsdb/index/index_writer.h"

#include <algorithm>
#include <map>
#include <unordered_map>

#include "tsdb/encoding.h"
#include "tsdb/index/index_format.h"

namespace meridian::tsdb::index {
namespace {

// Writes "len <4b> | body | CRC32C" where the body is whatever `fill` appends.
template <typename Fill>
void PutBe32Section(Encbuf& b, Fill&& fill) {
  size_t len_at = b.size();
  b.PutBE32(0);
  size_t body_at = b.size();
  fill();
  uint32_t len = static_cast<uint32_t>(b.size() - body_at);
  WriteBE32(&b.mutable_bytes()[len_at], len);
  b.PutCrc32cOf(body_at);
}

}  // namespace

StatusOr<EncodedIndex> EncodeIndex(const std::vector<IndexSeries>& series) {
  for (size_t i = 0; i < series.size(); ++i) {
    if (series[i].labels.empty()) return BadData("index: series with an empty label set");
    if (i > 0 && !(series[i - 1].labels < series[i].labels)) {
      return BadData("index: series not sorted or duplicated at " + series[i].labels.ToString());
    }
  }

  // Symbols: every label name and value, sorted.
  std::vector<std::string_view> symbols;
  for (const auto& s : series) {
    for (const Label& l : s.labels) {
      symbols.push_back(l.name);
      symbols.push_back(l.value);
    }
  }
  std::sort(symbols.begin(), symbols.end());
  symbols.erase(std::unique(symbols.begin(), symbols.end()), symbols.end());
  std::unordered_map<std::string_view, uint32_t> symbol_ref;
  symbol_ref.reserve(symbols.size());
  for (size_t i = 0; i < symbols.size(); ++i) symbol_ref[symbols[i]] = static_cast<uint32_t>(i);

  EncodedIndex out;
  Encbuf b;
  b.PutBE32(kIndexMagic);
  b.PutByte(kIndexFormatV2);

  Toc toc;
  toc.symbols = b.size();
  PutBe32Section(b, [&] {
    b.PutBE32(static_cast<uint32_t>(symbols.size()));
    for (auto s : symbols) b.PutUvarintStr(s);
  });

  // Series, collecting postings as we go: name -> value -> ascending series IDs.
  std::map<std::string_view, std::map<std::string_view, std::vector<uint32_t>>> postings;
  std::vector<uint32_t> all;
  all.reserve(series.size());
  b.Pad(kSeriesAlignment);
  toc.series = b.size();
  Encbuf body;
  for (const auto& s : series) {
    b.Pad(kSeriesAlignment);
    uint64_t id = b.size() / kSeriesAlignment;
    if (id > UINT32_MAX) return BadData("index: too many series for 4-byte postings references");
    body.Clear();
    body.PutUvarint(s.labels.size());
    for (const Label& l : s.labels) {
      body.PutUvarint(symbol_ref[l.name]);
      body.PutUvarint(symbol_ref[l.value]);
      postings[l.name][l.value].push_back(static_cast<uint32_t>(id));
    }
    body.PutUvarint(s.chunks.size());
    for (size_t i = 0; i < s.chunks.size(); ++i) {
      const ChunkMeta& c = s.chunks[i];
      if (i == 0) {
        body.PutVarint(c.min_time);
        body.PutUvarint(static_cast<uint64_t>(c.max_time) - static_cast<uint64_t>(c.min_time));
        body.PutUvarint(c.ref);
      } else {
        const ChunkMeta& p = s.chunks[i - 1];
        body.PutUvarint(static_cast<uint64_t>(c.min_time) - static_cast<uint64_t>(p.max_time));
        body.PutUvarint(static_cast<uint64_t>(c.max_time) - static_cast<uint64_t>(c.min_time));
        body.PutVarint(static_cast<int64_t>(c.ref - p.ref));
      }
    }
    size_t start = b.size();
    b.PutUvarint(body.size());
    size_t crc_from = b.size();
    b.PutBytes(body.bytes());
    b.PutCrc32cOf(crc_from);
    out.series_max_size = std::max<uint64_t>(out.series_max_size, b.size() - start);
    all.push_back(static_cast<uint32_t>(id));
  }

  // Label indices: one per name listing its values. Prometheus's v2 reader no longer reads
  // them, but they are part of the format and cheap.
  std::vector<std::pair<std::string_view, uint64_t>> label_index_offsets;
  b.Pad(4);
  toc.label_indices = b.size();
  for (const auto& [name, values] : postings) {
    b.Pad(4);
    label_index_offsets.emplace_back(name, b.size());
    PutBe32Section(b, [&] {
      b.PutBE32(1);
      b.PutBE32(static_cast<uint32_t>(values.size()));
      for (const auto& [value, ids] : values) b.PutBE32(symbol_ref[value]);
    });
  }

  // Postings lists, the all-series list first (its key sorts first).
  std::vector<std::tuple<std::string_view, std::string_view, uint64_t>> postings_offsets;
  auto put_postings = [&](std::string_view name, std::string_view value,
                          const std::vector<uint32_t>& ids) {
    b.Pad(4);
    postings_offsets.emplace_back(name, value, b.size());
    PutBe32Section(b, [&] {
      b.PutBE32(static_cast<uint32_t>(ids.size()));
      for (uint32_t id : ids) b.PutBE32(id);
    });
  };
  b.Pad(4);
  toc.postings = b.size();
  put_postings("", "", all);
  for (const auto& [name, values] : postings) {
    for (const auto& [value, ids] : values) put_postings(name, value, ids);
  }

  toc.label_indices_table = b.size();
  PutBe32Section(b, [&] {
    b.PutBE32(static_cast<uint32_t>(label_index_offsets.size()));
    for (const auto& [name, off] : label_index_offsets) {
      b.PutUvarint(1);
      b.PutUvarintStr(name);
      b.PutUvarint(off);
    }
  });

  toc.postings_table = b.size();
  PutBe32Section(b, [&] {
    b.PutBE32(static_cast<uint32_t>(postings_offsets.size()));
    for (const auto& [name, value, off] : postings_offsets) {
      b.PutUvarint(2);
      b.PutUvarintStr(name);
      b.PutUvarintStr(value);
      b.PutUvarint(off);
    }
  });

  size_t toc_at = b.size();
  for (uint64_t off : {toc.symbols, toc.series, toc.label_indices, toc.label_indices_table,
                       toc.postings, toc.postings_table}) {
    b.PutBE64(off);
  }
  b.PutCrc32cOf(toc_at);
  out.bytes = std::move(b.mutable_bytes());
  return out;
}

}  // namespace meridian::tsdb::index
