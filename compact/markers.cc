#include "compact/markers.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <spdlog/spdlog.h>

namespace meridian::compact {

std::string_view MarkerFilename(MarkerKind kind) {
  switch (kind) {
    case MarkerKind::kDeletion: return "deletion-mark.json";
    case MarkerKind::kNoCompact: return "no-compact-mark.json";
    case MarkerKind::kNoDownsample: return "no-downsample-mark.json";
  }
  return "";
}

std::string_view MarkerLabel(MarkerKind kind) {
  switch (kind) {
    case MarkerKind::kDeletion: return "deletion";
    case MarkerKind::kNoCompact: return "no-compact";
    case MarkerKind::kNoDownsample: return "no-downsample";
  }
  return "";
}

namespace {
const char* TimeKey(MarkerKind kind) {
  switch (kind) {
    case MarkerKind::kDeletion: return "deletion_time";
    case MarkerKind::kNoCompact: return "no_compact_time";
    case MarkerKind::kNoDownsample: return "no_downsample_time";
  }
  return "";
}
}  // namespace

std::string SerializeMarker(const Marker& m) {
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  w.StartObject();
  const std::string id = m.id.ToString();
  w.Key("id");
  w.String(id.data(), static_cast<rapidjson::SizeType>(id.size()));
  w.Key("version");
  w.Int(m.version);
  if (!m.details.empty()) {  // omitempty
    w.Key("details");
    w.String(m.details.data(), static_cast<rapidjson::SizeType>(m.details.size()));
  }
  w.Key(TimeKey(m.kind));
  w.Int64(m.time_s);
  if (m.kind != MarkerKind::kDeletion) {
    w.Key("reason");
    w.String(m.reason.data(), static_cast<rapidjson::SizeType>(m.reason.size()));
  }
  w.EndObject();
  return std::string(sb.GetString(), sb.GetSize());
}

StatusOr<Marker> ParseMarker(MarkerKind kind, std::string_view json) {
  const std::string what(MarkerFilename(kind));
  rapidjson::Document d;
  d.Parse(json.data(), json.size());
  if (d.HasParseError() || !d.IsObject()) return CorruptError(what + ": not a JSON object");
  Marker m;
  m.kind = kind;
  auto id = d.FindMember("id");
  if (id == d.MemberEnd() || !id->value.IsString()) return CorruptError(what + ": id is missing");
  auto ulid = tsdb::Ulid::Parse(std::string_view(id->value.GetString(), id->value.GetStringLength()));
  if (!ulid.ok()) return ulid.status().Wrap(what + ": id");
  m.id = *ulid;
  auto version = d.FindMember("version");
  if (version == d.MemberEnd() || !version->value.IsInt() || version->value.GetInt() != 1) {
    return CorruptError(what + ": unexpected version (only 1 is read)");
  }
  auto details = d.FindMember("details");
  if (details != d.MemberEnd() && details->value.IsString()) {
    m.details.assign(details->value.GetString(), details->value.GetStringLength());
  }
  auto t = d.FindMember(TimeKey(kind));
  if (t != d.MemberEnd() && t->value.IsInt64()) m.time_s = t->value.GetInt64();
  auto reason = d.FindMember("reason");
  if (reason != d.MemberEnd() && reason->value.IsString()) {
    m.reason.assign(reason->value.GetString(), reason->value.GetStringLength());
  }
  return m;
}

std::string MarkerObjectName(const tsdb::Ulid& id, MarkerKind kind) {
  return id.ToString() + "/" + std::string(MarkerFilename(kind));
}

StatusOr<bool> WriteMarkerIfAbsent(objstore::Bucket& bucket, const Marker& m) {
  const std::string name = MarkerObjectName(m.id, m.kind);
  auto exists = bucket.Exists(name);
  if (!exists.ok()) return exists.status();
  if (*exists) return false;
  if (Status s = bucket.Upload(name, SerializeMarker(m)); !s.ok()) return s;
  return true;
}

StatusOr<std::optional<Marker>> ReadMarker(objstore::Bucket& bucket, const tsdb::Ulid& id,
                                           MarkerKind kind) {
  auto raw = bucket.Get(MarkerObjectName(id, kind));
  if (!raw.ok()) {
    if (objstore::IsObjNotFound(raw.status())) return std::optional<Marker>();
    return raw.status();
  }
  auto m = ParseMarker(kind, *raw);
  if (!m.ok()) {
    spdlog::warn("block {}: ignoring unreadable {}: {}", id.ToString(), MarkerFilename(kind),
                 m.status().message());
    return std::optional<Marker>();
  }
  return std::optional<Marker>(std::move(*m));
}

}  // namespace meridian::compact
