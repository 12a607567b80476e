#include "common/logging.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace meridian {

Status SetupLogging(const std::string& level, const std::string& format) {
  spdlog::level::level_enum lvl;
  if (level == "debug") {
    lvl = spdlog::level::debug;
  } else if (level == "info") {
    lvl = spdlog::level::info;
  } else if (level == "warn") {
    lvl = spdlog::level::warn;
  } else if (level == "error") {
    lvl = spdlog::level::err;
  } else {
    return BadData("unrecognized log level \"" + level + "\" (debug, info, warn, error)");
  }
  // Logs go to stderr so stdout stays clean for command output (promql format, tools).
  auto logger = spdlog::stderr_logger_mt("meridian");
  if (format == "logfmt") {
    logger->set_pattern("ts=%Y-%m-%dT%H:%M:%S.%eZ level=%l msg=\"%v\"", spdlog::pattern_time_type::utc);
  } else if (format == "json") {
    logger->set_pattern(R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","msg":"%v"})", spdlog::pattern_time_type::utc);
  } else {
    spdlog::drop("meridian");
    return BadData("unrecognized log format \"" + format + "\" (logfmt, json)");
  }
  logger->set_level(lvl);
  spdlog::set_default_logger(logger);
  return Status::Ok();
}

}  // namespace meridian
