#pragma once
// Random access to the bytes of one file. Readers of index and chunk files go through this
// seam only, so the same reader runs over a local file (mmap), an in-memory buffer (tests),
// or ranged GETs against an object-storage bucket (store-gateway, later).

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "model/status.h"

namespace meridian::tsdb {

class ByteSource {
 public:
  virtual ~ByteSource() = default;

  virtual uint64_t Size() const = 0;
  // Returns bytes [offset, offset + length). A source may return a view of memory it owns
  // (mmap) or fill *scratch and return a view of it, so the result is valid while both the
  // source and *scratch live unchanged. Reads past Size() fail with kCorrupt.
  virtual StatusOr<std::string_view> Read(uint64_t offset, uint64_t length,
                                          std::string* scratch) const = 0;
  // For error messages: the file this source reads ("index", "chunks/000001", ...).
  virtual const std::string& name() const = 0;
  // Forgets any copy of bytes [offset, offset + length) a source keeps, after a reader found
  // them damaged: once the file is repaired, the next Read must see the new bytes.
  virtual void Invalidate(uint64_t offset, uint64_t length) const {
    (void)offset;
    (void)length;
  }
};

// Opens a local file read-only and maps it. An empty file is valid (Size() == 0).
StatusOr<std::unique_ptr<ByteSource>> OpenFileByteSource(const std::string& path,
                                                         std::string display_name);

// Serves an owned buffer (tests, data fetched in one piece).
std::unique_ptr<ByteSource> NewMemoryByteSource(std::string data, std::string display_name);

}  // namespace meridian::tsdb
