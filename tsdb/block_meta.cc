#include "tsdb/block_meta.h"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace meridian::tsdb {
namespace {

using rapidjson::Value;

// Typed field access that reports the JSON path of the first mismatch instead of asserting.
class Fields {
 public:
  explicit Fields(std::string* err) : err_(err) {}

  const Value* Member(const Value& obj, const char* key, const std::string& path) {
    auto it = obj.FindMember(key);
    if (it == obj.MemberEnd() || it->value.IsNull()) return nullptr;
    (void)path;
    return &it->value;
  }
  bool Int64(const Value& obj, const char* key, const std::string& path, int64_t* out,
             bool required) {
    const Value* v = Member(obj, key, path);
    if (!v) return Missing(path + key, required);
    if (!v->IsInt64()) return Fail(path + key + " must be an integer");
    *out = v->GetInt64();
    return true;
  }
  bool Uint64(const Value& obj, const char* key, const std::string& path, uint64_t* out) {
    const Value* v = Member(obj, key, path);
    if (!v) return true;
    if (!v->IsUint64()) return Fail(path + key + " must be a non-negative integer");
    *out = v->GetUint64();
    return true;
  }
  bool String(const Value& obj, const char* key, const std::string& path, std::string* out,
              bool required) {
    const Value* v = Member(obj, key, path);
    if (!v) return Missing(path + key, required);
    if (!v->IsString()) return Fail(path + key + " must be a string");
    out->assign(v->GetString(), v->GetStringLength());
    return true;
  }
  bool Bool(const Value& obj, const char* key, const std::string& path, bool* out) {
    const Value* v = Member(obj, key, path);
    if (!v) return true;
    if (!v->IsBool()) return Fail(path + key + " must be a boolean");
    *out = v->GetBool();
    return true;
  }
  bool UlidField(const Value& v, const std::string& path, Ulid* out) {
    if (!v.IsString()) return Fail(path + " must be a ULID string");
    auto u = Ulid::Parse(std::string_view(v.GetString(), v.GetStringLength()));
    if (!u.ok()) return Fail(path + ": " + u.status().message());
    *out = *u;
    return true;
  }
  bool Fail(std::string msg) {
    if (err_->empty()) *err_ = std::move(msg);
    return false;
  }

 private:
  bool Missing(const std::string& what, bool required) {
    return required ? Fail(what + " is missing") : true;
  }
  std::string* err_;
};

bool ParseThanos(const Value& t, Fields& f, ThanosMeta* out) {
  if (!t.IsObject()) return f.Fail("thanos must be an object");
  int64_t version = 1;
  if (!f.Int64(t, "version", "thanos.", &version, false)) return false;
  if (version != 0 && version != 1) {
    return f.Fail("unexpected meta file Thanos section version " + std::to_string(version));
  }
  out->version = 1;
  if (const Value* l = f.Member(t, "labels", "thanos.")) {
    if (!l->IsObject()) return f.Fail("thanos.labels must be an object");
    std::vector<Label> ls;
    for (auto it = l->MemberBegin(); it != l->MemberEnd(); ++it) {
      if (!it->value.IsString()) return f.Fail("thanos.labels values must be strings");
      ls.push_back({std::string(it->name.GetString(), it->name.GetStringLength()),
                    std::string(it->value.GetString(), it->value.GetStringLength())});
    }
    out->labels = Labels::FromUnsorted(std::move(ls));
  }
  if (const Value* d = f.Member(t, "downsample", "thanos.")) {
    if (!d->IsObject()) return f.Fail("thanos.downsample must be an object");
    if (!f.Int64(*d, "resolution", "thanos.downsample.", &out->downsample_resolution, false)) {
      return false;
    }
  }
  if (!f.String(t, "source", "thanos.", &out->source, false)) return false;
  if (const Value* s = f.Member(t, "segment_files", "thanos.")) {
    if (!s->IsArray()) return f.Fail("thanos.segment_files must be an array");
    for (const Value& e : s->GetArray()) {
      if (!e.IsString()) return f.Fail("thanos.segment_files entries must be strings");
      out->segment_files.emplace_back(e.GetString(), e.GetStringLength());
    }
  }
  if (const Value* fs = f.Member(t, "files", "thanos.")) {
    if (!fs->IsArray()) return f.Fail("thanos.files must be an array");
    for (const Value& e : fs->GetArray()) {
      if (!e.IsObject()) return f.Fail("thanos.files entries must be objects");
      ThanosFile file;
      if (!f.String(e, "rel_path", "thanos.files[].", &file.rel_path, true)) return false;
      if (!f.Int64(e, "size_bytes", "thanos.files[].", &file.size_bytes, false)) return false;
      out->files.push_back(std::move(file));
    }
  }
  if (const Value* is = f.Member(t, "index_stats", "thanos.")) {
    if (!is->IsObject()) return f.Fail("thanos.index_stats must be an object");
    ThanosIndexStats stats;
    if (!f.Int64(*is, "series_max_size", "thanos.index_stats.", &stats.series_max_size, false) ||
        !f.Int64(*is, "chunk_max_size", "thanos.index_stats.", &stats.chunk_max_size, false)) {
      return false;
    }
    out->index_stats = stats;
  }
  return true;
}

bool ParseCompaction(const Value& c, Fields& f, BlockCompaction* out) {
  if (!c.IsObject()) return f.Fail("compaction must be an object");
  int64_t level = 0;
  if (!f.Int64(c, "level", "compaction.", &level, false)) return false;
  out->level = static_cast<int>(level);
  if (const Value* s = f.Member(c, "sources", "compaction.")) {
    if (!s->IsArray()) return f.Fail("compaction.sources must be an array");
    for (const Value& e : s->GetArray()) {
      Ulid u;
      if (!f.UlidField(e, "compaction.sources[]", &u)) return false;
      out->sources.push_back(u);
    }
  }
  if (const Value* p = f.Member(c, "parents", "compaction.")) {
    if (!p->IsArray()) return f.Fail("compaction.parents must be an array");
    for (const Value& e : p->GetArray()) {
      if (!e.IsObject()) return f.Fail("compaction.parents entries must be objects");
      BlockParent parent;
      auto u = e.FindMember("ulid");
      if (u == e.MemberEnd()) return f.Fail("compaction.parents[].ulid is missing");
      if (!f.UlidField(u->value, "compaction.parents[].ulid", &parent.ulid)) return false;
      if (!f.Int64(e, "minTime", "compaction.parents[].", &parent.min_time, true) ||
          !f.Int64(e, "maxTime", "compaction.parents[].", &parent.max_time, true)) {
        return false;
      }
      out->parents.push_back(parent);
    }
  }
  return f.Bool(c, "deletable", "compaction.", &out->deletable) &&
         f.Bool(c, "failed", "compaction.", &out->failed);
}

template <typename W>
void WriteString(W& w, std::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

}  // namespace

StatusOr<BlockMeta> ParseBlockMeta(std::string_view json) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError()) {
    return CorruptError(std::string("meta.json: invalid JSON at offset ") +
                        std::to_string(doc.GetErrorOffset()) + ": " +
                        rapidjson::GetParseError_En(doc.GetParseError()));
  }
  if (!doc.IsObject()) return CorruptError("meta.json: top level must be an object");
  std::string err;
  Fields f(&err);
  BlockMeta m;
  int64_t version = 0;
  auto u = doc.FindMember("ulid");
  bool ok = u != doc.MemberEnd() ? f.UlidField(u->value, "ulid", &m.ulid)
                                 : f.Fail("ulid is missing");
  ok = ok && f.Int64(doc, "minTime", "", &m.min_time, true) &&
       f.Int64(doc, "maxTime", "", &m.max_time, true) &&
       f.Int64(doc, "version", "", &version, true);
  if (ok) {
    if (const Value* s = f.Member(doc, "stats", "")) {
      ok = s->IsObject() ? (f.Uint64(*s, "numSamples", "stats.", &m.stats.num_samples) &&
                            f.Uint64(*s, "numSeries", "stats.", &m.stats.num_series) &&
                            f.Uint64(*s, "numChunks", "stats.", &m.stats.num_chunks) &&
                            f.Uint64(*s, "numTombstones", "stats.", &m.stats.num_tombstones))
                         : f.Fail("stats must be an object");
    }
  }
  if (ok) {
    if (const Value* c = f.Member(doc, "compaction", "")) ok = ParseCompaction(*c, f, &m.compaction);
  }
  if (ok) {
    if (const Value* t = f.Member(doc, "thanos", "")) {
      ThanosMeta tm;
      ok = ParseThanos(*t, f, &tm);
      if (ok) m.thanos = std::move(tm);
    }
  }
  if (!ok) return CorruptError("meta.json: " + err);
  if (version != 1) {
    return CorruptError("meta.json: unexpected meta file version " + std::to_string(version));
  }
  m.version = 1;
  return m;
}

std::string SerializeBlockMeta(const BlockMeta& m) {
  rapidjson::StringBuffer sb;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> w(sb);
  w.SetIndent('\t', 1);
  w.StartObject();
  w.Key("ulid");
  WriteString(w, m.ulid.ToString());
  w.Key("minTime");
  w.Int64(m.min_time);
  w.Key("maxTime");
  w.Int64(m.max_time);
  w.Key("stats");
  w.StartObject();
  w.Key("numSamples");
  w.Uint64(m.stats.num_samples);
  w.Key("numSeries");
  w.Uint64(m.stats.num_series);
  w.Key("numChunks");
  w.Uint64(m.stats.num_chunks);
  if (m.stats.num_tombstones > 0) {
    w.Key("numTombstones");
    w.Uint64(m.stats.num_tombstones);
  }
  w.EndObject();
  w.Key("compaction");
  w.StartObject();
  w.Key("level");
  w.Int(m.compaction.level);
  w.Key("sources");
  w.StartArray();
  for (const Ulid& s : m.compaction.sources) WriteString(w, s.ToString());
  w.EndArray();
  if (m.compaction.deletable) {
    w.Key("deletable");
    w.Bool(true);
  }
  if (!m.compaction.parents.empty()) {
    w.Key("parents");
    w.StartArray();
    for (const BlockParent& p : m.compaction.parents) {
      w.StartObject();
      w.Key("ulid");
      WriteString(w, p.ulid.ToString());
      w.Key("minTime");
      w.Int64(p.min_time);
      w.Key("maxTime");
      w.Int64(p.max_time);
      w.EndObject();
    }
    w.EndArray();
  }
  if (m.compaction.failed) {
    w.Key("failed");
    w.Bool(true);
  }
  w.EndObject();
  w.Key("version");
  w.Int(m.version);
  if (m.thanos) {
    const ThanosMeta& t = *m.thanos;
    w.Key("thanos");
    w.StartObject();
    w.Key("labels");
    w.StartObject();
    for (const Label& l : t.labels) {
      WriteString(w, l.name);
      WriteString(w, l.value);
    }
    w.EndObject();
    w.Key("downsample");
    w.StartObject();
    w.Key("resolution");
    w.Int64(t.downsample_resolution);
    w.EndObject();
    w.Key("source");
    WriteString(w, t.source);
    if (!t.segment_files.empty()) {
      w.Key("segment_files");
      w.StartArray();
      for (const auto& s : t.segment_files) WriteString(w, s);
      w.EndArray();
    }
    if (!t.files.empty()) {
      w.Key("files");
      w.StartArray();
      for (const ThanosFile& file : t.files) {
        w.StartObject();
        w.Key("rel_path");
        WriteString(w, file.rel_path);
        if (file.size_bytes != 0) {
          w.Key("size_bytes");
          w.Int64(file.size_bytes);
        }
        w.EndObject();
      }
      w.EndArray();
    }
    if (t.index_stats) {
      w.Key("index_stats");
      w.StartObject();
      if (t.index_stats->series_max_size != 0) {
        w.Key("series_max_size");
        w.Int64(t.index_stats->series_max_size);
      }
      if (t.index_stats->chunk_max_size != 0) {
        w.Key("chunk_max_size");
        w.Int64(t.index_stats->chunk_max_size);
      }
      w.EndObject();
    }
    w.EndObject();
  }
  w.EndObject();
  std::string out(sb.GetString(), sb.GetSize());
  out.push_back('\n');
  return out;
}

StatusOr<BlockMeta> ReadBlockMetaFile(const std::string& block_dir) {
  std::string path = block_dir + "/" + std::string(kMetaFilename);
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError("open " + path + ": cannot read file");
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseBlockMeta(ss.str());
}

Status WriteBlockMetaFile(const std::string& block_dir, const BlockMeta& meta) {
  std::string path = block_dir + "/" + std::string(kMetaFilename);
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return UnavailableError("create " + tmp + ": cannot open for writing");
    out << SerializeBlockMeta(meta);
    out.flush();
    if (!out) return UnavailableError("write " + tmp + ": write failed");
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return UnavailableError("rename " + tmp + ": " + ec.message());
  return Status::Ok();
}

}  // namespace meridian::tsdb
