#pragma once
// Reading Thanos-style YAML config structs with yaml-cpp. Thanos decodes most of them with
// yaml.UnmarshalStrict, which rejects unknown and duplicate keys; StrictFields does the same
// and names the line, so a typo in a config fails loudly instead of being ignored.

#include <cstdint>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>

#include <yaml-cpp/yaml.h>

#include "model/status.h"

namespace meridian::objstore {

class StrictFields {
 public:
  // `node` must be a map or null (null: every field keeps its default). `type_name` appears in
  // errors, e.g. "s3.Config". With strict=false unknown keys are ignored (yaml.Unmarshal).
  StrictFields(const YAML::Node& node, std::string type_name, bool strict = true);

  // Checks the node's shape and keys against `known`. Call before reading fields.
  Status Check(std::initializer_list<std::string_view> known) const;

  // Each getter leaves `out` untouched when the key is absent or null.
  Status String(std::string_view key, std::string* out) const;
  Status Bool(std::string_view key, bool* out) const;
  Status Int(std::string_view key, int64_t* out) const;
  Status Uint(std::string_view key, uint64_t* out) const;
  // Prometheus duration ("90s", "2m") in milliseconds.
  Status Duration(std::string_view key, int64_t* out_ms) const;
  Status StringMap(std::string_view key, std::map<std::string, std::string>* out) const;
  // The sub-node for a nested struct (may be undefined/null).
  YAML::Node Sub(std::string_view key) const;

 private:
  YAML::Node Find(std::string_view key) const;
  Status Bad(const YAML::Node& at, const std::string& what) const;
  StatusOr<std::string> Scalar(std::string_view key, const YAML::Node& v, const char* kind) const;

  YAML::Node node_;
  std::string type_name_;
  bool strict_;
};

// "line N" (1-based) for errors that point into the config.
std::string YamlLine(const YAML::Node& n);

}  // namespace meridian::objstore
