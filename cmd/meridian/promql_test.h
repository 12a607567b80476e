#pragma once
// `meridian promql test FILE...`: runs PromQL test scripts against the engine.

#include <string>
#include <vector>

namespace meridian {

// Returns the process exit code: 0 when every eval passed or was skipped, 1 otherwise.
int RunPromqlTest(const std::vector<std::string>& files);

}  // namespace meridian
