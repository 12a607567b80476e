#include "storeapi/gateway/index_header.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <vector>

#include "tsdb/crc32c.h"
#include "tsdb/encoding.h"
#include "tsdb/index/index_format.h"
#include "tsdb/index/index_reader.h"

namespace meridian::storeapi::gateway {

namespace {

constexpr std::string_view kMagic = "MRDIDXH1";

// The regions worth keeping locally, from the TOC of an index of `size` bytes.
std::vector<ByteRange> HeaderRanges(const tsdb::index::Toc& toc, uint64_t size) {
  const uint64_t toc_at = size - tsdb::index::kTocSize;
  std::set<uint64_t> starts = {toc.symbols,  toc.series,   toc.label_indices,
                               toc.label_indices_table, toc.postings, toc.postings_table,
                               toc_at};
  starts.erase(0);
  auto section = [&](uint64_t at) -> ByteRange {
    auto next = starts.upper_bound(at);
    uint64_t end = next == starts.end() ? toc_at : *next;
    return {at, end - at};
  };
  std::vector<ByteRange> out = {{0, tsdb::index::kIndexHeaderSize}};
  if (toc.symbols != 0) out.push_back(section(toc.symbols));
  if (toc.postings_table != 0) out.push_back(section(toc.postings_table));
  out.push_back({toc_at, tsdb::index::kTocSize});
  return out;
}

Status BuildHeaderFile(BucketByteSource* index, const std::string& path) {
  const uint64_t size = index->Size();
  if (size < tsdb::index::kIndexHeaderSize + tsdb::index::kTocSize) {
    return CorruptError(index->name() + ": file too short (" + std::to_string(size) + " bytes)");
  }
  std::string scratch;
  auto toc_bytes = index->Read(size - tsdb::index::kTocSize, tsdb::index::kTocSize, &scratch);
  if (!toc_bytes.ok()) return toc_bytes.status();
  if (tsdb::Crc32c(toc_bytes->substr(0, tsdb::index::kTocSize - 4)) !=
      tsdb::ReadBE32(toc_bytes->data() + tsdb::index::kTocSize - 4)) {
    return CorruptError(index->name() + ": TOC: checksum mismatch");
  }
  tsdb::Decbuf d(*toc_bytes);
  tsdb::index::Toc toc;
  toc.symbols = d.Be64();
  toc.series = d.Be64();
  toc.label_indices = d.Be64();
  toc.label_indices_table = d.Be64();
  toc.postings = d.Be64();
  toc.postings_table = d.Be64();
  for (uint64_t off : {toc.symbols, toc.series, toc.label_indices, toc.label_indices_table,
                       toc.postings, toc.postings_table}) {
    if (off > size - tsdb::index::kTocSize) {
      return CorruptError(index->name() + ": TOC: section offset " + std::to_string(off) +
                          " out of range");
    }
  }
  std::vector<ByteRange> ranges = HeaderRanges(toc, size);
  // One pass of merged GETs, then each region is read from the cache.
  if (Status s = index->Prefetch(ranges); !s.ok()) return s;
  tsdb::Encbuf head;
  head.PutBytes(kMagic);
  head.PutBE64(size);
  head.PutBE32(static_cast<uint32_t>(ranges.size()));
  for (auto [off, len] : ranges) {
    head.PutBE64(off);
    head.PutBE64(len);
  }
  head.PutCrc32cOf(0);
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return InternalError("cannot create " + tmp);
    out.write(head.bytes().data(), static_cast<std::streamsize>(head.bytes().size()));
    for (auto [off, len] : ranges) {
      auto b = index->Read(off, len, &scratch);
      if (!b.ok()) return b.status();
      out.write(b->data(), static_cast<std::streamsize>(b->size()));
    }
    if (!out.flush()) return InternalError("cannot write " + tmp);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return InternalError("cannot rename " + tmp + ": " + ec.message());
  return Status::Ok();
}

// Parses a header file; an error means "rebuild it".
Status LoadHeaderFile(BucketByteSource* index, const std::string& path) {
  auto src = tsdb::OpenFileByteSource(path, path);
  if (!src.ok()) return src.status();
  const uint64_t fixed = kMagic.size() + 8 + 4;
  std::string scratch;
  auto b = (*src)->Read(0, std::min<uint64_t>(fixed, (*src)->Size()), &scratch);
  if (!b.ok() || b->size() < fixed || b->substr(0, kMagic.size()) != kMagic) {
    return CorruptError(path + ": not an index-header");
  }
  uint64_t size = tsdb::ReadBE64(b->data() + kMagic.size());
  uint32_t n = tsdb::ReadBE32(b->data() + kMagic.size() + 8);
  if (size != index->Size()) return CorruptError(path + ": written for an index of another size");
  if (n > 16) return CorruptError(path + ": bad region count");
  const uint64_t table_end = fixed + n * 16ull;
  if ((*src)->Size() < table_end + 4) return CorruptError(path + ": truncated");
  std::string table_scratch;
  auto table = (*src)->Read(0, table_end + 4, &table_scratch);
  if (!table.ok()) return table.status();
  if (tsdb::Crc32c(table->substr(0, table_end)) != tsdb::ReadBE32(table->data() + table_end)) {
    return CorruptError(path + ": checksum mismatch");
  }
  std::vector<LocalRegion> regions;
  uint64_t local = table_end + 4;
  for (uint32_t i = 0; i < n; ++i) {
    LocalRegion r;
    r.offset = tsdb::ReadBE64(table->data() + fixed + i * 16);
    r.length = tsdb::ReadBE64(table->data() + fixed + i * 16 + 8);
    r.local_offset = local;
    if (r.offset > size || r.length > size - r.offset) return CorruptError(path + ": bad region");
    local += r.length;
    regions.push_back(r);
  }
  if (local != (*src)->Size()) return CorruptError(path + ": size does not match its table");
  index->SetLocal(std::move(*src), std::move(regions));
  return Status::Ok();
}

}  // namespace

Status AttachIndexHeader(BucketByteSource* index, const std::string& header_path) {
  std::error_code ec;
  // The non-throwing form: an unreadable data dir is an error of this block, not a crash.
  if (std::filesystem::exists(header_path, ec) && LoadHeaderFile(index, header_path).ok()) {
    return Status::Ok();
  }
  ec.clear();
  std::filesystem::create_directories(std::filesystem::path(header_path).parent_path(), ec);
  if (Status s = BuildHeaderFile(index, header_path); !s.ok()) return s;
  return LoadHeaderFile(index, header_path);
}

}  // namespace meridian::storeapi::gateway
