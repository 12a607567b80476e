#pragma once

#include <string>

namespace meridian::cli {

// "meridian, version X (branch: ..., revision: ...)" in the shape Prometheus tools print.
std::string VersionString();
std::string Version();      // "0.1.0"
std::string GitRevision();  // short commit hash at build time, "unknown" outside git

}  // namespace meridian::cli
