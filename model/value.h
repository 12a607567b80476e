#pragma once
// Special sample values shared by storage, engine and API.

#include <bit>
#include <cstdint>

namespace meridian {

// Prometheus marks the end of a series (target gone, series vanished from a scrape) with
// this exact NaN bit pattern. Ordinary NaN samples use other patterns, so the check must
// compare bits, never use isnan alone.
inline constexpr uint64_t kStaleNaNBits = 0x7ff0000000000002ULL;
// Prometheus's "normal" NaN (math.NaN() in Go) as written by the engine.
inline constexpr uint64_t kNormalNaNBits = 0x7ff8000000000001ULL;

inline double StaleNaN() { return std::bit_cast<double>(kStaleNaNBits); }
inline bool IsStaleNaN(double v) { return std::bit_cast<uint64_t>(v) == kStaleNaNBits; }

}  // namespace meridian
