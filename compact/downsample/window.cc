#include "compact/downsample/window.h"

#include <cmath>

namespace meridian::compact::downsample {

namespace {

// Go's int64 subtraction and addition wrap; C++'s signed ones must not overflow.
int64_t WrapSub(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
}
int64_t WrapAdd(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}

constexpr int64_t kMaxWindowsPerChunk = 140;

}  // namespace

int64_t CurrentWindow(int64_t t, int64_t r) {
  // Go's % truncates toward zero like C++'s, so negative t maps as in Thanos.
  return WrapAdd(WrapSub(t, t % r), r - 1);
}

int64_t TargetChunkCount(int64_t mint, int64_t maxt, int64_t in_res, int64_t out_res, uint64_t count) {
  const int64_t span = WrapSub(maxt, mint);
  // Integer division first, as Thanos does.
  const double max_samples = static_cast<double>(span / out_res);
  // An empty range gives +Inf (or NaN for count 0); Go's "f > 1" clamps only the former.
  double fullness = static_cast<double>(count) / (static_cast<double>(span) / static_cast<double>(in_res));
  if (fullness > 1) fullness = 1;
  const double expected = max_samples * fullness;
  // Go converts with int(); in C++ converting NaN or an out-of-range double is undefined, so
  // such values (only reachable with inverted or absurd ranges) count as no windows.
  int64_t exp_samples = 1;
  if (expected >= 0 && expected < 9.0e18) exp_samples = static_cast<int64_t>(expected) + 1;
  // The smallest x with exp_samples/x <= 140, i.e. exp_samples < 141*x; Thanos counts x up
  // one by one to the same result.
  return exp_samples / (kMaxWindowsPerChunk + 1) + 1;
}

}  // namespace meridian::compact::downsample
