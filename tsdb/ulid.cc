#include "tsdb/ulid.h"

#include <sys/random.h>

#include <chrono>
#include <random>

namespace meridian::tsdb {
namespace {

constexpr char kAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

int DecodeChar(char c) {
  if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  for (int i = 0; i < 32; ++i) {
    if (kAlphabet[i] == c) return i;
  }
  return -1;
}

void FillRandom(uint8_t* p, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = getrandom(p + got, n - got, 0);
    if (r <= 0) break;
    got += static_cast<size_t>(r);
  }
  if (got < n) {  // getrandom unavailable: fall back to the C++ engine seeded from the device
    std::random_device rd;
    for (; got < n; ++got) p[got] = static_cast<uint8_t>(rd());
  }
}

}  // namespace

Ulid Ulid::FromParts(uint64_t unix_ms, const std::array<uint8_t, 10>& entropy) {
  Ulid u;
  for (int i = 0; i < 6; ++i) u.b_[i] = static_cast<uint8_t>(unix_ms >> (8 * (5 - i)));
  for (int i = 0; i < 10; ++i) u.b_[6 + i] = entropy[i];
  return u;
}

Ulid Ulid::New(uint64_t unix_ms) {
  std::array<uint8_t, 10> e{};
  FillRandom(e.data(), e.size());
  return FromParts(unix_ms, e);
}

Ulid Ulid::NewNow() {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  return New(static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(now).count()));
}

uint64_t Ulid::time_ms() const {
  uint64_t t = 0;
  for (int i = 0; i < 6; ++i) t = t << 8 | b_[i];
  return t;
}

// The 128 bits are read as a 130-bit number with two leading zero bits, 5 bits per character.
std::string Ulid::ToString() const {
  std::string out(26, '0');
  for (int c = 0; c < 26; ++c) {
    int first_bit = c * 5 - 2;  // bit position in the 128-bit big-endian string
    int v = 0;
    for (int k = 0; k < 5; ++k) {
      int bit = first_bit + k;
      int b = 0;
      if (bit >= 0) b = (b_[bit / 8] >> (7 - bit % 8)) & 1;
      v = v << 1 | b;
    }
    out[c] = kAlphabet[v];
  }
  return out;
}

StatusOr<Ulid> Ulid::Parse(std::string_view s) {
  if (s.size() != 26) return BadData("ULID must be 26 characters, got " + std::to_string(s.size()));
  Ulid u;
  for (int c = 0; c < 26; ++c) {
    int v = DecodeChar(s[c]);
    if (v < 0) return BadData("invalid character in ULID \"" + std::string(s) + "\"");
    if (c == 0 && v > 7) return BadData("ULID \"" + std::string(s) + "\" overflows 128 bits");
    for (int k = 0; k < 5; ++k) {
      int bit = c * 5 - 2 + k;
      if (bit < 0) continue;
      if ((v >> (4 - k)) & 1) u.b_[bit / 8] |= static_cast<uint8_t>(1 << (7 - bit % 8));
    }
  }
  return u;
}

}  // namespace meridian::tsdb
