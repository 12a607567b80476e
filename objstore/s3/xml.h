#pragma once
// Just enough XML for S3 responses (ListBucketResult, Error): elements, text, the predefined
// and numeric entities, CDATA, comments and the prolog. Attributes are skipped, namespaces are
// not interpreted. Malformed input gives kCorrupt, never a crash.

#include <string>
#include <string_view>
#include <vector>

#include "model/status.h"

namespace meridian::objstore::s3 {

struct XmlElement {
  std::string name;
  std::string text;  // Concatenated character data directly inside this element, decoded.
  std::vector<XmlElement> children;

  // First child with this name, or nullptr.
  const XmlElement* Child(std::string_view child_name) const;
  // Text of the first child with this name, or "" when there is none.
  std::string ChildText(std::string_view child_name) const;
};

// Parses a document with one root element.
StatusOr<XmlElement> ParseXml(std::string_view doc);

}  // namespace meridian::objstore::s3
