// `meridian tools`: operator utilities (demo data, bucket inspection).

#include <chrono>
#include <iostream>
#include <memory>

#include "cmd/meridian/commands.h"
#include "cmd/meridian/flags.h"
#include "common/logging.h"
#include "model/duration.h"
#include "objstore/config.h"
#include "compact/markers.h"
#include "storeapi/gateway/bucket_tools.h"
#include "tsdb/ulid.h"
#include "storeapi/gateway/demo_data.h"

namespace meridian::cli {

namespace {
struct GenDemoFlags {
  LogFlags log;
  ObjstoreFlags objstore;
  uint64_t seed = 1;
  int64_t max_time_ms = 0;
  std::string duration = "24h";
  std::string scrape_interval = "15s";
  std::vector<std::string> clusters = {"eu-west-1", "us-east-1", "ap-south-1"};
  std::vector<std::string> replicas = {"a", "b"};
  int nodes_per_cluster = 3;
};

struct BucketFlags {
  LogFlags log;
  ObjstoreFlags objstore;
};

struct MarkFlags {
  LogFlags log;
  ObjstoreFlags objstore;
  std::vector<std::string> ids;
  std::string marker;
  std::string details;
  bool remove = false;
};

StatusOr<std::unique_ptr<objstore::Bucket>> OpenBucket(const ObjstoreFlags& f) {
  auto yaml = objstore::ResolveObjstoreConfig(f.config_file, f.config);
  if (!yaml.ok()) return yaml.status();
  if (yaml->empty()) return BadData("one of --objstore.config-file or --objstore.config is required");
  return objstore::NewBucketFromConfig(*yaml);
}

int Fail(const std::string& cmd, const Status& s) {
  std::cerr << "meridian tools " << cmd << ": " << s.message() << "\n";
  return 1;
}

int RunGenDemo(const GenDemoFlags& f) {
  if (Status s = SetupLogging(f.log.level, f.log.format); !s.ok()) return Fail("gen-demo", s);
  auto bucket = OpenBucket(f.objstore);
  if (!bucket.ok()) return Fail("gen-demo", bucket.status());
  storeapi::gateway::DemoOptions o;
  o.seed = f.seed;
  o.end_ms = f.max_time_ms;
  auto d = ParseDurationMs(f.duration);
  auto si = ParseDurationMs(f.scrape_interval);
  if (!d || !si) return Fail("gen-demo", BadData("bad --duration or --scrape-interval"));
  o.duration_ms = *d;
  o.scrape_interval_ms = *si;
  o.clusters = f.clusters;
  o.replicas = f.replicas;
  o.nodes_per_cluster = f.nodes_per_cluster;
  auto start = std::chrono::steady_clock::now();
  auto sum = storeapi::gateway::GenerateDemoData(**bucket, o);
  if (!sum.ok()) return Fail("gen-demo", sum.status());
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  std::cout << "wrote " << sum->blocks << " blocks (" << sum->series << " series over all blocks, " << sum->samples
            << " samples, " << sum->bytes << " bytes) covering [" << sum->min_time << ", " << sum->max_time
            << ") ms to " << (*bucket)->Name() << " in " << ms << " ms\n";
  return 0;
}

// Thanos's `tools bucket mark`: writes (or with --remove deletes) a marker on each block.
int RunMark(const MarkFlags& f) {
  if (Status s = SetupLogging(f.log.level, f.log.format); !s.ok()) return Fail("bucket mark", s);
  auto bucket = OpenBucket(f.objstore);
  if (!bucket.ok()) return Fail("bucket mark", bucket.status());
  compact::MarkerKind kind;
  if (f.marker == "deletion-mark.json") {
    kind = compact::MarkerKind::kDeletion;
  } else if (f.marker == "no-compact-mark.json") {
    kind = compact::MarkerKind::kNoCompact;
  } else if (f.marker == "no-downsample-mark.json") {
    kind = compact::MarkerKind::kNoDownsample;
  } else {
    return Fail("bucket mark", BadData("--marker must be deletion-mark.json, no-compact-mark.json or no-downsample-mark.json"));
  }
  int failed = 0;
  for (const auto& raw : f.ids) {
    auto id = tsdb::Ulid::Parse(raw);
    if (!id.ok()) return Fail("bucket mark", id.status().Wrap("--id " + raw));
    if (f.remove) {
      Status s = (*bucket)->Delete(compact::MarkerObjectName(*id, kind));
      if (!s.ok()) {
        std::cerr << "block " << raw << ": " << s.message() << "\n";
        ++failed;
      } else {
        std::cout << "block " << raw << ": " << f.marker << " removed\n";
      }
      continue;
    }
    auto exists = (*bucket)->Exists(raw + "/meta.json");
    if (!exists.ok() || !*exists) {
      std::cerr << "block " << raw << ": not found in " << (*bucket)->Name() << "\n";
      ++failed;
      continue;
    }
    compact::Marker m;
    m.kind = kind;
    m.id = *id;
    m.details = f.details;
    m.reason = kind == compact::MarkerKind::kDeletion ? "" : std::string(compact::kReasonManual);
    m.time_s = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    auto written = compact::WriteMarkerIfAbsent(**bucket, m);
    if (!written.ok()) {
      std::cerr << "block " << raw << ": " << written.status().message() << "\n";
      ++failed;
    } else {
      std::cout << "block " << raw << ": " << (*written ? "marked with " : "already has ") << f.marker << "\n";
    }
  }
  return failed == 0 ? 0 : 1;
}

int RunBucket(const BucketFlags& f, const std::string& what) {
  if (Status s = SetupLogging(f.log.level, f.log.format); !s.ok()) return Fail("bucket " + what, s);
  auto bucket = OpenBucket(f.objstore);
  if (!bucket.ok()) return Fail("bucket " + what, bucket.status());
  auto blocks = storeapi::gateway::ListBlocks(**bucket);
  if (!blocks.ok()) return Fail("bucket " + what, blocks.status());
  if (what == "ls") {
    storeapi::gateway::PrintBlockList(*blocks, std::cout);
    return 0;
  }
  if (what == "inspect") {
    storeapi::gateway::PrintBlockInspect(*blocks, std::cout);
    return 0;
  }
  int bad = 0;
  for (const auto& b : *blocks) {
    auto problems = storeapi::gateway::VerifyBlock(**bucket, b);
    if (problems.empty()) {
      std::cout << "block " << b.ulid << ": ok\n";
      continue;
    }
    ++bad;
    for (const auto& p : problems) std::cout << "block " << b.ulid << ": " << p << "\n";
  }
  std::cout << blocks->size() << " blocks verified, " << bad << " with problems\n";
  return bad == 0 ? 0 : 1;
}
}  // namespace

void AddToolsCommand(CLI::App& app, int* exit_code) {
  CLI::App* tools = app.add_subcommand("tools", "Utilities for operating Meridian.");
  tools->require_subcommand(1);

  auto gen = std::make_shared<GenDemoFlags>();
  CLI::App* gen_demo = tools->add_subcommand(
      "gen-demo", "Writes a realistic demo data set of TSDB blocks into a bucket.");
  AddLogFlags(*gen_demo, gen->log);
  AddObjstoreFlags(*gen_demo, gen->objstore);
  gen_demo->add_option("--seed", gen->seed, "Seed of the generated data; the same seed and --max-time give identical blocks.")
      ->capture_default_str();
  gen_demo->add_option("--max-time", gen->max_time_ms,
                       "End of the data in ms since the epoch; 0 = now.")
      ->capture_default_str();
  gen_demo->add_option("--duration", gen->duration, "How much data to generate.")
      ->capture_default_str()
      ->check(DurationValidator());
  gen_demo->add_option("--scrape-interval", gen->scrape_interval, "Interval between samples.")
      ->capture_default_str()
      ->check(DurationValidator());
  gen_demo->add_option("--clusters", gen->clusters, "Clusters (external label `cluster`), comma-separated.")
      ->delimiter(',')->capture_default_str();
  gen_demo->add_option("--replicas", gen->replicas, "Replicas per cluster (external label `replica`), comma-separated.")
      ->delimiter(',')->capture_default_str();
  gen_demo->add_option("--nodes-per-cluster", gen->nodes_per_cluster,
                       "Nodes per cluster; each adds about 60 series (node, pods and their HTTP metrics).")
      ->capture_default_str()->check(CLI::PositiveNumber);
  gen_demo->callback([gen, exit_code] { *exit_code = RunGenDemo(*gen); });

  CLI::App* bucket = tools->add_subcommand("bucket", "Inspects the blocks of a bucket.");
  bucket->require_subcommand(1);
  const std::pair<const char*, const char*> subs[] = {
      {"ls", "Lists the blocks: ULID, time range, resolution, source, sizes, external labels."},
      {"inspect", "Lists the blocks with their meta.json statistics."},
      {"verify", "Checks every block (checksums, index, chunk references); exits non-zero on problems."}};
  for (auto [name, help] : subs) {
    auto bf = std::make_shared<BucketFlags>();
    CLI::App* sub = bucket->add_subcommand(name, help);
    AddLogFlags(*sub, bf->log);
    AddObjstoreFlags(*sub, bf->objstore);
    std::string what = name;
    sub->callback([bf, what, exit_code] { *exit_code = RunBucket(*bf, what); });
  }
  auto mf = std::make_shared<MarkFlags>();
  CLI::App* mark = bucket->add_subcommand("mark", "Mark blocks for deletion, no-compaction or no-downsampling (or remove such marks).");
  AddLogFlags(*mark, mf->log);
  AddObjstoreFlags(*mark, mf->objstore);
  mark->add_option("--id", mf->ids, "ID (ULID) of the blocks to be marked (repeated flag).")->required();
  mark->add_option("--marker", mf->marker, "Marker to be put: deletion-mark.json, no-compact-mark.json or no-downsample-mark.json.")->required();
  mark->add_option("--details", mf->details, "Human readable details to be put into marker.");
  mark->add_flag("--remove", mf->remove, "Remove the marker instead of adding it.");
  mark->callback([mf, exit_code] { *exit_code = RunMark(*mf); });
}

}  // namespace meridian::cli
