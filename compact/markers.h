#pragma once
// Block markers: small JSON objects beside a block's files that change how Thanos components
// treat it (pkg/block/metadata/markers.go). A deletion mark schedules the block's removal once
// --delete-delay has passed; a no-compact mark keeps it out of compaction plans; a
// no-downsample mark keeps it from being downsampled. All are written compactly, as Go's
// json.Marshal does, and version 1 is the only one read.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "model/status.h"
#include "objstore/bucket.h"
#include "tsdb/ulid.h"

namespace meridian::compact {

enum class MarkerKind { kDeletion, kNoCompact, kNoDownsample };

// "deletion-mark.json", "no-compact-mark.json", "no-downsample-mark.json".
std::string_view MarkerFilename(MarkerKind kind);
// "deletion", "no-compact", "no-downsample": the `marker` label of thanos_compact_blocks_marked_total.
std::string_view MarkerLabel(MarkerKind kind);

// Reasons Thanos writes into no-compact and no-downsample marks.
inline constexpr std::string_view kReasonManual = "manual";
inline constexpr std::string_view kReasonIndexSizeExceeding = "index-size-exceeding";
inline constexpr std::string_view kReasonOutOfOrderChunks = "block-index-out-of-order-chunk";
inline constexpr std::string_view kReasonDownsampleVertical = "downsample-vertical-compaction";

struct Marker {
  MarkerKind kind = MarkerKind::kDeletion;
  tsdb::Ulid id;
  int version = 1;
  std::string details;
  int64_t time_s = 0;  // deletion_time, no_compact_time or no_downsample_time (Unix seconds)
  std::string reason;  // no-compact and no-downsample marks only
};

std::string SerializeMarker(const Marker& m);
StatusOr<Marker> ParseMarker(MarkerKind kind, std::string_view json);

// "<ULID>/<marker file>".
std::string MarkerObjectName(const tsdb::Ulid& id, MarkerKind kind);

// Uploads `m` unless the block already carries that kind of mark. True when written; false
// (not an error) when a mark was there, as Thanos then leaves the first one in place.
StatusOr<bool> WriteMarkerIfAbsent(objstore::Bucket& bucket, const Marker& m);

// The block's mark of that kind; nullopt when there is none or it does not parse (Thanos
// treats an unreadable mark as absent, with a warning logged here).
StatusOr<std::optional<Marker>> ReadMarker(objstore::Bucket& bucket, const tsdb::Ulid& id,
                                           MarkerKind kind);

}  // namespace meridian::compact
