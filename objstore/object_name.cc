#include "objstore/object_name.h"

namespace meridian::objstore {

StatusOr<std::string> CleanObjectName(std::string_view name) {
  if (name.find('\0') != std::string_view::npos) {
    return BadData("object name contains a NUL byte");
  }
  std::string out;
  out.reserve(name.size());
  size_t pos = 0;
  while (pos <= name.size()) {
    size_t end = name.find('/', pos);
    if (end == std::string_view::npos) end = name.size();
    std::string_view seg = name.substr(pos, end - pos);
    if (seg == "..") {
      return BadData("object name \"" + std::string(name) +
                     "\" contains a \"..\" segment (path traversal is not allowed)");
    }
    if (!seg.empty() && seg != ".") {
      if (!out.empty()) out += '/';
      out += seg;
    }
    pos = end + 1;
  }
  return out;
}

}  // namespace meridian::objstore
