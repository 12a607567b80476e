#pragma once
// ULIDs name blocks: 48-bit Unix milliseconds + 80 random bits, written as 26 characters of
// Crockford base32 (so names sort by creation time).

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "model/status.h"

namespace meridian::tsdb {

class Ulid {
 public:
  Ulid() = default;
  // Random bits from the OS (getrandom), time from the argument.
  static Ulid New(uint64_t unix_ms);
  static Ulid NewNow();
  static Ulid FromParts(uint64_t unix_ms, const std::array<uint8_t, 10>& entropy);
  // Accepts upper or lower case; rejects wrong length, invalid characters and overflow.
  static StatusOr<Ulid> Parse(std::string_view s);

  uint64_t time_ms() const;
  std::string ToString() const;
  const std::array<uint8_t, 16>& bytes() const { return b_; }

  friend bool operator==(const Ulid&, const Ulid&) = default;
  friend auto operator<=>(const Ulid&, const Ulid&) = default;

 private:
  std::array<uint8_t, 16> b_{};  // big-endian: 6 bytes time, 10 bytes entropy
};

}  // namespace meridian::tsdb
