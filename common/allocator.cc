#include "common/allocator.h"

#include <malloc.h>

#include <cstdlib>

namespace meridian {

void ConfigureAllocator() {
  if (std::getenv("MALLOC_ARENA_MAX") != nullptr) return;
  mallopt(M_ARENA_MAX, 2);
}

}  // namespace meridian
