#pragma once
// Process-wide allocator settings, applied once at start by `meridian` and by the tests and
// benchmarks that stand for it.
//
// Every server command decodes on one thread what reader and gRPC threads allocated; with
// glibc's default of up to 8 arenas per core each request could leave its peak behind in
// another arena (the querier's VmRSS grew ~30 MiB per query over 10,000 series, to 300 MiB
// after ten; the 50-client load test peaks at 450 MB instead of 150 MB at equal throughput).
// Two arenas keep the resident size near one request's peak. MALLOC_ARENA_MAX in the
// environment still wins.

namespace meridian {

void ConfigureAllocator();

}  // namespace meridian
