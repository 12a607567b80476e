#include "storeapi/sidecar/shipper.h"

#include <rapidjson/document.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <spdlog/spdlog.h>

#include "storeapi/sidecar/sidecar_metrics.h"
#include "tsdb/block_meta.h"
#include "tsdb/ulid.h"

namespace meridian::storeapi::sidecar {

namespace fs = std::filesystem;

StatusOr<ShipperState> ParseShipperState(std::string_view json) {
  rapidjson::Document d;
  d.Parse(json.data(), json.size());
  if (d.HasParseError() || !d.IsObject()) return CorruptError("shipper state is not a JSON object");
  ShipperState st;
  if (!d.HasMember("version") || !d["version"].IsInt()) return CorruptError("shipper state has no version");
  st.version = d["version"].GetInt();
  if (st.version != 1) return CorruptError("unexpected shipper state version " + std::to_string(st.version));
  if (d.HasMember("uploaded") && !d["uploaded"].IsNull()) {
    if (!d["uploaded"].IsArray()) return CorruptError("shipper state: uploaded is not an array");
    for (const auto& u : d["uploaded"].GetArray()) {
      if (!u.IsString() || !tsdb::Ulid::Parse(u.GetString()).ok()) {
        return CorruptError("shipper state: uploaded holds something that is not a ULID");
      }
      st.uploaded.emplace_back(u.GetString(), u.GetStringLength());
    }
  }
  return st;
}

std::string SerializeShipperState(const ShipperState& state) {
  rapidjson::StringBuffer buf;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> w(buf);
  w.SetIndent('\t', 1);  // as Go's json.MarshalIndent(v, "", "\t")
  w.StartObject();
  w.Key("version");
  w.Int(state.version);
  w.Key("uploaded");
  w.StartArray();
  for (const auto& u : state.uploaded) w.String(u.data(), static_cast<rapidjson::SizeType>(u.size()));
  w.EndArray();
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize()) + "\n";
}

StatusOr<ShipperState> ReadShipperState(const std::string& tsdb_path) {
  fs::path p = fs::path(tsdb_path) / kShipperStateFile;
  std::ifstream in(p, std::ios::binary);
  if (!in) {
    std::error_code ec;
    if (!fs::exists(p, ec)) return ShipperState{};
    return InternalError("read " + p.string() + ": cannot open");
  }
  std::stringstream ss;
  ss << in.rdbuf();
  auto st = ParseShipperState(ss.str());
  if (!st.ok()) return st.status().Wrap(p.string());
  return st;
}

Status WriteShipperState(const std::string& tsdb_path, const ShipperState& state) {
  fs::path p = fs::path(tsdb_path) / kShipperStateFile;
  fs::path tmp = p.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return InternalError("write " + tmp.string() + ": cannot open");
    out << SerializeShipperState(state);
    out.flush();
    if (!out) return InternalError("write " + tmp.string() + ": write failed");
  }
  std::error_code ec;
  fs::rename(tmp, p, ec);
  if (ec) return InternalError("rename " + tmp.string() + ": " + ec.message());
  return Status::Ok();
}

Shipper::Shipper(std::shared_ptr<objstore::Bucket> bucket, ShipperOptions opts)
    : bucket_(std::move(bucket)), opts_(std::move(opts)) {}

StatusOr<SyncResult> Shipper::Sync() {
  std::lock_guard<std::mutex> lock(sync_mu_);
  auto& metrics = SidecarMetrics::Get();
  metrics.ShipperDirSync();
  auto state = ReadShipperState(opts_.tsdb_path);
  if (!state.ok()) {
    // As Thanos: a broken state file is not fatal; at worst blocks are checked against the
    // bucket again (and found there).
    spdlog::warn("msg=\"failed to read shipper meta file, starting over\" err=\"{}\"", state.status().message());
    state = ShipperState{};
  }
  Labels labels = opts_.labels ? opts_.labels() : Labels();
  if (labels.empty()) {
    metrics.ShipperDirSyncFailure();
    return UnavailableError("not uploading as no external labels are configured yet - is Prometheus healthy/reachable?");
  }

  std::set<std::string> uploaded(state->uploaded.begin(), state->uploaded.end());
  struct Candidate {
    int64_t min_time;
    std::string ulid;
    std::string dir;
  };
  std::vector<Candidate> todo;
  std::error_code ec;
  fs::directory_iterator it(opts_.tsdb_path, ec);
  if (ec) {
    metrics.ShipperDirSyncFailure();
    return UnavailableError("read dir " + opts_.tsdb_path + ": " + ec.message());
  }
  for (const auto& e : it) {
    std::string name = e.path().filename().string();
    if (!e.is_directory(ec) || !tsdb::Ulid::Parse(name).ok()) continue;
    if (uploaded.count(name)) continue;
    auto meta = tsdb::ReadBlockMetaFile(e.path().string());
    // No meta.json yet: Prometheus is still writing the block (it renames it into place,
    // but a copy made by other tools may not be).
    if (!meta.ok()) continue;
    if (meta->compaction.level > 1 && !opts_.upload_compacted) continue;
    todo.push_back({meta->min_time, name, e.path().string()});
  }
  std::sort(todo.begin(), todo.end(), [](const auto& a, const auto& b) {
    return a.min_time != b.min_time ? a.min_time < b.min_time : a.ulid < b.ulid;
  });

  SyncResult result;
  Status first;
  for (const auto& c : todo) {
    // Already in the bucket (an earlier run uploaded it but died before recording it).
    auto exists = bucket_->Exists(c.ulid + "/" + std::string(tsdb::kMetaFilename));
    Status s = exists.ok() ? Status::Ok() : exists.status();
    if (s.ok() && !*exists) {
      s = UploadBlock(c.dir, c.ulid, labels);
      if (s.ok()) {
        ++result.uploaded;
        metrics.ShipperUpload();
        spdlog::info("msg=\"upload new block\" id={}", c.ulid);
      }
    }
    if (!s.ok()) {
      ++result.failed;
      metrics.ShipperUploadFailure();
      spdlog::error("msg=\"shipping failed\" block={} err=\"{}\"", c.ulid, s.message());
      if (first.ok()) first = s.Wrap("upload block " + c.ulid);
      continue;
    }
    state->uploaded.push_back(c.ulid);
    if (Status w = WriteShipperState(opts_.tsdb_path, *state); !w.ok()) {
      spdlog::warn("msg=\"updating meta file failed\" err=\"{}\"", w.message());
      if (first.ok()) first = w;
    }
  }
  if (!first.ok()) {
    metrics.ShipperDirSyncFailure();
    return first;
  }
  return result;
}

Status Shipper::UploadBlock(const std::string& block_dir, const std::string& ulid, const Labels& labels) {
  auto meta = tsdb::ReadBlockMetaFile(block_dir);
  if (!meta.ok()) return meta.status();

  // The data files, relative to the block: chunk segments, index, tombstones.
  std::vector<std::string> files;
  std::error_code ec;
  fs::path chunks = fs::path(block_dir) / "chunks";
  for (const auto& e : fs::directory_iterator(chunks, ec)) {
    if (e.is_regular_file(ec)) files.push_back("chunks/" + e.path().filename().string());
  }
  if (ec) return CorruptError("block " + ulid + ": read chunks dir: " + ec.message());
  std::sort(files.begin(), files.end());
  if (files.empty()) return CorruptError("block " + ulid + ": no chunk files");
  if (!fs::is_regular_file(fs::path(block_dir) / "index", ec)) return CorruptError("block " + ulid + ": no index");
  files.push_back("index");
  if (fs::is_regular_file(fs::path(block_dir) / "tombstones", ec)) files.push_back("tombstones");

  tsdb::ThanosMeta thanos;
  thanos.labels = labels;
  thanos.downsample_resolution = 0;
  thanos.source = opts_.source;
  for (const auto& f : files) {
    auto size = fs::file_size(fs::path(block_dir) / f, ec);
    if (ec) return InternalError("block " + ulid + ": stat " + f + ": " + ec.message());
    thanos.files.push_back({f, static_cast<int64_t>(size)});
    if (f.rfind("chunks/", 0) == 0) thanos.segment_files.push_back(f.substr(7));
  }
  thanos.files.push_back({std::string(tsdb::kMetaFilename), 0});
  std::sort(thanos.files.begin(), thanos.files.end(),
            [](const auto& a, const auto& b) { return a.rel_path < b.rel_path; });
  meta->thanos = std::move(thanos);

  for (const auto& f : files) {
    if (Status s = bucket_->UploadFile(ulid + "/" + f, (fs::path(block_dir) / f).string()); !s.ok()) {
      return s.Wrap("upload " + f);
    }
  }
  return bucket_->Upload(ulid + "/" + std::string(tsdb::kMetaFilename), tsdb::SerializeBlockMeta(*meta))
      .Wrap("upload meta.json");
}

}  // namespace meridian::storeapi::sidecar
