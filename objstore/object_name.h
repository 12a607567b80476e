#pragma once
// Object names as keys on a local filesystem: one place decides which names are acceptable so
// that no name can reach outside the bucket's directory.

#include <string>
#include <string_view>

#include "model/status.h"

namespace meridian::objstore {

// Normalises `name` to "seg/seg/seg": empty and "." segments are dropped, a trailing '/' is
// ignored. A ".." segment or a NUL byte is rejected with kBadData (path traversal). The result
// is empty only for the bucket root, which callers that need an object reject themselves.
StatusOr<std::string> CleanObjectName(std::string_view name);

}  // namespace meridian::objstore
