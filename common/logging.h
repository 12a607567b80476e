#pragma once
// Process-wide logging set from Thanos's --log.level / --log.format flags.

#include <string>

#include "model/status.h"

namespace meridian {

// level: debug, info, warn, error. format: logfmt (default, as Thanos) or json.
Status SetupLogging(const std::string& level, const std::string& format);

}  // namespace meridian
