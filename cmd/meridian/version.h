#pragma once

#include <string>

namespace meridian::cli {

// "meridian, version X (branch: ..., revision: ...)" in the shape Prometheus tools print.
std::string VersionString();

}  // namespace meridian::cli
