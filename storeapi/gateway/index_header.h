#pragma once
// The local index-header of one block: the parts of its remote index file that every query
// needs (header, TOC, symbol table, postings offset table), copied once into a small local
// file so opening a block after a restart costs no bucket reads and the rest of the index
// (series, postings lists) is read on demand with ranged GETs.
//
// File layout (all integers big-endian):
//   "MRDIDXH1" | u64 index size | u32 n | n x (u64 offset, u64 length) | u32 CRC32C of all
//   preceding bytes | the n regions' bytes, concatenated in table order.
// The regions carry their own checksums (TOC and sections), which the index reader verifies.

#include <memory>
#include <string>

#include "model/status.h"
#include "storeapi/gateway/bucket_byte_source.h"

namespace meridian::storeapi::gateway {

// Makes `index` (a source over the remote index file) serve the header regions from
// `header_path`, writing that file from the bucket first when it is missing, unreadable or
// belongs to an index of another size.
Status AttachIndexHeader(BucketByteSource* index, const std::string& header_path);

}  // namespace meridian::storeapi::gateway
