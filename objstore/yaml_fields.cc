#include "objstore/yaml_fields.h"

#include <cerrno>
#include <cstdlib>
#include <set>

#include "model/duration.h"

namespace meridian::objstore {

std::string YamlLine(const YAML::Node& n) {
  const YAML::Mark m = n.Mark();
  if (m.line < 0) return "line ?";
  return "line " + std::to_string(m.line + 1);
}

StrictFields::StrictFields(const YAML::Node& node, std::string type_name, bool strict)
    : node_(node), type_name_(std::move(type_name)), strict_(strict) {}

Status StrictFields::Bad(const YAML::Node& at, const std::string& what) const {
  return BadData(YamlLine(at) + ": " + what);
}

Status StrictFields::Check(std::initializer_list<std::string_view> known) const {
  if (!node_.IsDefined() || node_.IsNull()) return Status::Ok();
  if (!node_.IsMap()) return Bad(node_, "expected a mapping for " + type_name_);
  std::set<std::string> seen;
  for (const auto& kv : node_) {
    if (!kv.first.IsScalar()) return Bad(kv.first, "non-string key in " + type_name_);
    const std::string key = kv.first.Scalar();
    if (!seen.insert(key).second) {
      return Bad(kv.first, "key \"" + key + "\" already set in " + type_name_);
    }
    if (!strict_) continue;
    bool ok = false;
    for (std::string_view k : known) ok = ok || k == key;
    if (!ok) return Bad(kv.first, "field " + key + " not found in type " + type_name_);
  }
  return Status::Ok();
}

YAML::Node StrictFields::Find(std::string_view key) const {
  if (!node_.IsDefined() || !node_.IsMap()) return YAML::Node();
  for (const auto& kv : node_) {
    if (kv.first.IsScalar() && kv.first.Scalar() == key) return kv.second;
  }
  return YAML::Node();
}

YAML::Node StrictFields::Sub(std::string_view key) const { return Find(key); }

StatusOr<std::string> StrictFields::Scalar(std::string_view key, const YAML::Node& v,
                                           const char* kind) const {
  if (!v.IsScalar()) {
    return Bad(v, "field " + std::string(key) + " of " + type_name_ + " must be " + kind);
  }
  return v.Scalar();
}

Status StrictFields::String(std::string_view key, std::string* out) const {
  YAML::Node v = Find(key);
  if (!v.IsDefined() || v.IsNull()) return Status::Ok();
  auto s = Scalar(key, v, "a string");
  if (!s.ok()) return s.status();
  *out = *s;
  return Status::Ok();
}

Status StrictFields::Bool(std::string_view key, bool* out) const {
  YAML::Node v = Find(key);
  if (!v.IsDefined() || v.IsNull()) return Status::Ok();
  auto s = Scalar(key, v, "a boolean");
  if (!s.ok()) return s.status();
  // YAML 1.1 booleans, as Go's yaml.v2 reads them.
  static const std::set<std::string> kTrue = {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON", "y", "Y"};
  static const std::set<std::string> kFalse = {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF", "n", "N"};
  if (kTrue.count(*s)) {
    *out = true;
  } else if (kFalse.count(*s)) {
    *out = false;
  } else {
    return Bad(v, "cannot unmarshal \"" + *s + "\" into bool (field " + std::string(key) + " of " + type_name_ + ")");
  }
  return Status::Ok();
}

Status StrictFields::Int(std::string_view key, int64_t* out) const {
  YAML::Node v = Find(key);
  if (!v.IsDefined() || v.IsNull()) return Status::Ok();
  auto s = Scalar(key, v, "an integer");
  if (!s.ok()) return s.status();
  errno = 0;
  char* end = nullptr;
  long long x = std::strtoll(s->c_str(), &end, 10);
  if (s->empty() || *end != '\0' || errno != 0) {
    return Bad(v, "cannot unmarshal \"" + *s + "\" into int (field " + std::string(key) + " of " + type_name_ + ")");
  }
  *out = x;
  return Status::Ok();
}

Status StrictFields::Uint(std::string_view key, uint64_t* out) const {
  YAML::Node v = Find(key);
  if (!v.IsDefined() || v.IsNull()) return Status::Ok();
  auto s = Scalar(key, v, "an unsigned integer");
  if (!s.ok()) return s.status();
  errno = 0;
  char* end = nullptr;
  unsigned long long x = std::strtoull(s->c_str(), &end, 10);
  if (s->empty() || (*s)[0] == '-' || *end != '\0' || errno != 0) {
    return Bad(v, "cannot unmarshal \"" + *s + "\" into uint (field " + std::string(key) + " of " + type_name_ + ")");
  }
  *out = x;
  return Status::Ok();
}

Status StrictFields::Duration(std::string_view key, int64_t* out_ms) const {
  YAML::Node v = Find(key);
  if (!v.IsDefined() || v.IsNull()) return Status::Ok();
  auto s = Scalar(key, v, "a duration");
  if (!s.ok()) return s.status();
  auto ms = ParseDurationMs(*s);
  if (!ms) {
    return Bad(v, "not a valid duration string: \"" + *s + "\" (field " + std::string(key) + " of " + type_name_ + ")");
  }
  *out_ms = *ms;
  return Status::Ok();
}

Status StrictFields::StringMap(std::string_view key, std::map<std::string, std::string>* out) const {
  YAML::Node v = Find(key);
  if (!v.IsDefined() || v.IsNull()) return Status::Ok();
  if (!v.IsMap()) return Bad(v, "field " + std::string(key) + " of " + type_name_ + " must be a mapping");
  for (const auto& kv : v) {
    if (!kv.first.IsScalar() || !(kv.second.IsScalar() || kv.second.IsNull())) {
      return Bad(kv.first, "field " + std::string(key) + " of " + type_name_ + " must map strings to strings");
    }
    (*out)[kv.first.Scalar()] = kv.second.IsNull() ? "" : kv.second.Scalar();
  }
  return Status::Ok();
}

}  // namespace meridian::objstore
