#include "tsdb/tombstones.h"

#include <algorithm>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>

#include "tsdb/crc32c.h"
#include "tsdb/encoding.h"

namespace meridian::tsdb {
namespace {
constexpr uint32_t kMagicTombstone = 0x0130BA30;
constexpr uint8_t kTombstoneFormatV1 = 1;
constexpr size_t kHeaderSize = 5;
constexpr size_t kCrcSize = 4;
}  // namespace

void AddInterval(Intervals* ivs, Interval iv) {
  if (iv.mint > iv.maxt) return;
  Intervals out;
  out.reserve(ivs->size() + 1);
  bool placed = false;
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  for (const Interval& cur : *ivs) {
    // Touching or overlapping (cur.maxt + 1 >= iv.mint without overflow) merges into iv.
    bool before = cur.maxt != kMax && cur.maxt + 1 < iv.mint;
    bool after = iv.maxt != kMax && iv.maxt + 1 < cur.mint;
    if (before) {
      out.push_back(cur);
    } else if (after) {
      if (!placed) {
        out.push_back(iv);
        placed = true;
      }
      out.push_back(cur);
    } else {
      iv.mint = std::min(iv.mint, cur.mint);
      iv.maxt = std::max(iv.maxt, cur.maxt);
    }
  }
  if (!placed) out.push_back(iv);
  *ivs = std::move(out);
}

const Intervals* Tombstones::Get(uint64_t series_ref) const {
  auto it = by_ref_.find(series_ref);
  return it == by_ref_.end() ? nullptr : &it->second;
}

uint64_t Tombstones::Total() const {
  uint64_t n = 0;
  for (const auto& [ref, ivs] : by_ref_) n += ivs.size();
  return n;
}

StatusOr<Tombstones> DecodeTombstones(std::string_view file) {
  if (file.size() < kHeaderSize + kCrcSize) {
    return CorruptError("tombstones: file too short (" + std::to_string(file.size()) + " bytes)");
  }
  uint32_t magic = ReadBE32(file.data());
  if (magic != kMagicTombstone) {
    return CorruptError("tombstones: invalid magic number " + std::to_string(magic));
  }
  if (static_cast<uint8_t>(file[4]) != kTombstoneFormatV1) {
    return CorruptError("tombstones: unsupported format version " +
                        std::to_string(static_cast<uint8_t>(file[4])));
  }
  // The checksum covers the entries only, not the magic and version byte.
  std::string_view body = file.substr(kHeaderSize, file.size() - kHeaderSize - kCrcSize);
  if (Crc32c(body) != ReadBE32(file.data() + file.size() - kCrcSize)) {
    return CorruptError("tombstones: checksum mismatch");
  }
  Tombstones t;
  Decbuf d(body);
  while (d.Len() > 0) {
    uint64_t ref = d.Uvarint64();
    int64_t mint = d.Varint64();
    int64_t maxt = d.Varint64();
    if (d.err()) return CorruptError(std::string("tombstones: ") + d.err_msg());
    t.Add(ref, {mint, maxt});
  }
  return t;
}

std::string EncodeTombstones(const Tombstones& t) {
  Encbuf b;
  b.PutBE32(kMagicTombstone);
  b.PutByte(kTombstoneFormatV1);
  // Sorted by ref so the same deletions always give the same bytes.
  std::map<uint64_t, const Intervals*> sorted;
  for (const auto& [ref, ivs] : t.all()) sorted[ref] = &ivs;
  for (const auto& [ref, ivs] : sorted) {
    for (const Interval& iv : *ivs) {
      b.PutUvarint(ref);
      b.PutVarint(iv.mint);
      b.PutVarint(iv.maxt);
    }
  }
  b.PutCrc32cOf(kHeaderSize);
  return b.bytes();
}

StatusOr<Tombstones> ReadTombstonesFile(const std::string& block_dir) {
  std::string path = block_dir + "/" + std::string(kTombstonesFilename);
  std::ifstream in(path, std::ios::binary);
  if (!in) return Tombstones();
  std::stringstream ss;
  ss << in.rdbuf();
  return DecodeTombstones(ss.str());
}

Status WriteTombstonesFile(const std::string& block_dir, const Tombstones& t) {
  std::string path = block_dir + "/" + std::string(kTombstonesFilename);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return UnavailableError("create " + path + ": cannot open for writing");
  out << EncodeTombstones(t);
  out.flush();
  if (!out) return UnavailableError("write " + path + ": write failed");
  return Status::Ok();
}

}  // namespace meridian::tsdb
