// Decoding speed of XOR chunks shaped like real scrapes: 120 samples per chunk, 15 s interval
// with millisecond jitter, a mix of counters (mostly small increments) and gauges.

#include <benchmark/benchmark.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "tsdb/chunkenc/xor.h"

namespace {

using meridian::chunkenc::DecodeXor;
using meridian::chunkenc::XorEncoder;
using meridian::chunkenc::XorIterator;

constexpr int kChunks = 1000;
constexpr int kSamplesPerChunk = 120;

// Series shapes. Prometheus aligns scrape timestamps that are within 2 ms of the interval
// (--scrape.timestamp-tolerance), so most series have a constant 15 s step; some keep their
// millisecond jitter (targets slower than the tolerance).
enum Kind {
  kBusyCounter = 0,      // requests_total: grows by 0..49 each scrape, aligned timestamps
  kIdleCounter = 1,      // errors_total: mostly unchanged, aligned
  kIntGauge = 2,         // goroutines / queue length: small integer changes, aligned
  kFloatGauge = 3,       // a ratio with full-precision noise, jittered timestamps
  kJitteredCounter = 4,  // busy counter with jittered timestamps
  kNumKinds = 5,
};

// only_kind -1 mixes all kinds round-robin.
std::vector<std::string> MakeChunks(int only_kind = -1) {
  std::mt19937_64 rng(1);
  std::vector<std::string> chunks;
  const int64_t t0 = 1700000000000;
  for (int c = 0; c < kChunks; ++c) {
    XorEncoder enc;
    const int kind = only_kind >= 0 ? only_kind : c % kNumKinds;
    const bool jitter = kind == kFloatGauge || kind == kJitteredCounter;
    int64_t t = t0 + static_cast<int64_t>(rng() % 15000);
    double v = static_cast<double>(rng() % 100000);
    for (int i = 0; i < kSamplesPerChunk; ++i) {
      t += 15000;
      const int64_t ts = jitter ? t + static_cast<int64_t>(rng() % 11) - 5 : t;
      switch (kind) {
        case kBusyCounter:
        case kJitteredCounter:
          v += static_cast<double>(rng() % 50);
          break;
        case kIdleCounter:
          if (rng() % 4 == 0) v += 1;
          break;
        case kIntGauge:
          v = 100 + static_cast<double>(rng() % 20);
          break;
        default:
          v = 0.5 + 0.4 * std::sin(i / 10.0) + static_cast<double>(rng() % 1000) / 1e6;
          break;
      }
      enc.Append(ts, v);
    }
    chunks.push_back(enc.Finish());
  }
  return chunks;
}

void BM_DecodeXorBulk(benchmark::State& state) {
  const auto chunks = MakeChunks(static_cast<int>(state.range(0)));
  std::vector<int64_t> ts;
  std::vector<double> vs;
  ts.reserve(kSamplesPerChunk);
  vs.reserve(kSamplesPerChunk);
  int64_t n = 0;
  size_t bytes = 0;
  for (const auto& c : chunks) bytes += c.size();
  for (auto _ : state) {
    for (const auto& c : chunks) {
      ts.clear();
      vs.clear();
      if (!DecodeXor(c, &ts, &vs).ok()) state.SkipWithError("decode failed");
      benchmark::DoNotOptimize(ts.data());
      benchmark::DoNotOptimize(vs.data());
    }
    n += static_cast<int64_t>(chunks.size()) * kSamplesPerChunk;
  }
  state.counters["samples/s"] = benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsRate);
  state.counters["bytes/sample"] = static_cast<double>(bytes) / (kChunks * kSamplesPerChunk);
}
// Arg: -1 = mix of all kinds, otherwise one Kind.
BENCHMARK(BM_DecodeXorBulk)->Arg(-1)->Arg(0)->Arg(1)->Arg(2)->Arg(3)->Arg(4);

void BM_DecodeXorIterator(benchmark::State& state) {
  const auto chunks = MakeChunks();
  int64_t n = 0;
  for (auto _ : state) {
    double sum = 0;
    for (const auto& c : chunks) {
      XorIterator it(c);
      while (it.Next()) sum += it.v();
    }
    benchmark::DoNotOptimize(sum);
    n += static_cast<int64_t>(chunks.size()) * kSamplesPerChunk;
  }
  state.counters["samples/s"] = benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_DecodeXorIterator);

void BM_EncodeXor(benchmark::State& state) {
  std::mt19937_64 rng(2);
  std::vector<double> vs(kSamplesPerChunk);
  double v = 0;
  for (auto& x : vs) x = (v += static_cast<double>(rng() % 50));
  int64_t n = 0;
  for (auto _ : state) {
    XorEncoder enc;
    int64_t t = 1700000000000;
    for (int i = 0; i < kSamplesPerChunk; ++i) enc.Append(t += 15000, vs[i]);
    benchmark::DoNotOptimize(enc.bytes().data());
    n += kSamplesPerChunk;
  }
  state.counters["samples/s"] = benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_EncodeXor);

}  // namespace
