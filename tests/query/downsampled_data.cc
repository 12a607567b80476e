#include "tests/query/downsampled_data.h"

#include <cmath>
#include <filesystem>
#include <memory>
#include <random>

#include "compact/block_downsampler.h"
#include "objstore/filesystem/filesystem_bucket.h"
#include "storeapi/gateway/block_upload.h"
#include "tsdb/block_reader.h"
#include "tsdb/block_writer.h"

namespace meridian::testing {

namespace {

constexpr int kCounters = 4;
constexpr int kGauges = 4;
constexpr int kLevels = 3;
constexpr int kSlots = 3;
constexpr int64_t kPodLife = 6 * kDsHour;

// Scrape times in [mint, maxt), leaving out [skip_from, skip_to).
std::vector<int64_t> ScrapeTimes(int64_t mint, int64_t maxt, int64_t skip_from, int64_t skip_to) {
  std::vector<int64_t> out;
  int64_t first = (mint - kDsT0) / kDsMinute * kDsMinute + kDsT0 + kDsScrapeOffset;
  if (first < mint) first += kDsMinute;
  for (int64_t t = first; t < maxt; t += kDsMinute) {
    if (t >= skip_from && t < skip_to) continue;
    out.push_back(t);
  }
  return out;
}

void Keep(GeneratedSeries* s, int64_t t, double v, int64_t skip_from, int64_t skip_to) {
  if (t >= skip_from && t < skip_to) return;
  s->ts.push_back(t);
  s->vs.push_back(v);
}

Status Upload(const std::string& bucket_dir, const std::string& block_dir) {
  auto bucket = objstore::FilesystemBucket::Open(bucket_dir);
  if (!bucket.ok()) return bucket.status();
  return storeapi::gateway::UploadBlock(**bucket, block_dir);
}

}  // namespace

std::vector<GeneratedSeries> GenerateFleet(int64_t mint, int64_t maxt, uint64_t seed, double counter_offset,
                                           int64_t skip_from, int64_t skip_to) {
  std::vector<GeneratedSeries> out;
  // Every scrape of the whole range is generated, skipped or not, so a replica with a gap
  // sees the same values as one without around it.
  const std::vector<int64_t> times = ScrapeTimes(mint, maxt, 0, 0);
  std::mt19937_64 rng(seed);
  for (int k = 0; k < kCounters; ++k) {
    GeneratedSeries s;
    s.labels = Labels{{"__name__", "http_requests_total"}, {"instance", "i" + std::to_string(k)}};
    const double base = 20.0 + 20.0 * k;
    // i1 and i3 restart every 3 and 4.5 days, at times unrelated to any window.
    const int64_t restart = k == 1 ? 3 * kDsDay + 1'234'567 : k == 3 ? 4 * kDsDay + 12 * kDsHour + 7'654'321 : 0;
    double value = 0;
    int64_t last_restart_index = 0;
    for (int64_t t : times) {
      const double phase = 2 * M_PI * static_cast<double>((t - kDsT0) % kDsDay) / static_cast<double>(kDsDay);
      std::poisson_distribution<int64_t> requests(base * (1 + 0.3 * std::sin(phase)) * 60);
      const int64_t n = requests(rng);
      if (restart > 0 && (t - kDsT0) / restart != last_restart_index) {
        last_restart_index = (t - kDsT0) / restart;
        value = 0;
      }
      value += static_cast<double>(n);
      Keep(&s, t, value + counter_offset, skip_from, skip_to);
    }
    out.push_back(std::move(s));
  }
  for (int k = 0; k < kGauges; ++k) {
    GeneratedSeries s;
    s.labels = Labels{{"__name__", "queue_depth"}, {"instance", "i" + std::to_string(k)}};
    std::uniform_int_distribution<int> step(-3, 3);
    int value = 50;
    for (int64_t t : times) {
      value = std::clamp(value + step(rng), 0, 100);
      Keep(&s, t, value, skip_from, skip_to);
    }
    out.push_back(std::move(s));
  }
  for (int k = 0; k < kLevels; ++k) {
    GeneratedSeries s;
    s.labels = Labels{{"__name__", "level"}, {"instance", "i" + std::to_string(k)}};
    for (int64_t t : times) Keep(&s, t, k + 1, skip_from, skip_to);
    out.push_back(std::move(s));
  }
  for (int slot = 0; slot < kSlots; ++slot) {
    // Pod j of a slot lives [T0 + j*6h + slot*2h, +6h), so a new pod starts every 2 hours.
    for (int64_t j = -1;; ++j) {
      const int64_t born = kDsT0 + j * kPodLife + slot * 2 * kDsHour;
      if (born >= maxt) break;
      if (born + kPodLife <= mint) continue;
      GeneratedSeries s;
      s.labels = Labels{{"__name__", "pod_up"},
                        {"pod", "s" + std::to_string(slot) + "-" + std::to_string(j + 1)},
                        {"slot", "s" + std::to_string(slot)}};
      for (int64_t t : times) {
        if (t >= born && t < born + kPodLife) Keep(&s, t, 1, skip_from, skip_to);
      }
      if (!s.ts.empty()) out.push_back(std::move(s));
    }
  }
  // Scraped irregularly (in odd hours only 2 of each 5 minutes), so windows hold different
  // numbers of samples and an unweighted mean of window means is not the mean.
  GeneratedSeries sparse;
  sparse.labels = Labels{{"__name__", "sparse_gauge"}};
  for (int64_t t : times) {
    const int64_t minute = (t - kDsT0) / kDsMinute;
    if ((minute / 60) % 2 == 1 && minute % 5 >= 2) continue;
    Keep(&sparse, t, static_cast<double>(minute % 7), skip_from, skip_to);
  }
  out.push_back(std::move(sparse));
  GeneratedSeries batch;
  batch.labels = Labels{{"__name__", "batch_last_success"}, {"job", "batch"}};
  for (int64_t t : times) {
    if (t < kDsBatchEnd) Keep(&batch, t, static_cast<double>(t / 1000), skip_from, skip_to);
  }
  if (!batch.ts.empty()) out.push_back(std::move(batch));
  return out;
}

StatusOr<WrittenBlocks> WriteResolutions(const std::string& bucket_dir, const Labels& external,
                                         const std::vector<GeneratedSeries>& series, int64_t mint, int64_t maxt,
                                         int64_t raw_from) {
  const std::string scratch = bucket_dir + "-scratch";
  std::error_code ec;
  std::filesystem::create_directories(bucket_dir, ec);
  std::filesystem::create_directories(scratch, ec);
  auto write_raw = [&](int64_t from) -> StatusOr<tsdb::BlockMeta> {
    tsdb::BlockWriterOptions o;
    tsdb::ThanosMeta tm;
    tm.labels = external;
    tm.source = "sidecar";
    o.thanos = tm;
    o.min_time = from;
    o.max_time = maxt;
    tsdb::BlockWriter w(o);
    for (const auto& s : series) {
      std::vector<int64_t> ts;
      std::vector<double> vs;
      for (size_t i = 0; i < s.ts.size(); ++i) {
        if (s.ts[i] < from || s.ts[i] >= maxt) continue;
        ts.push_back(s.ts[i]);
        vs.push_back(s.vs[i]);
      }
      if (Status st = w.AddSeries(s.labels, ts, vs); !st.ok()) return st.Wrap(s.labels.ToString());
    }
    return w.Write(scratch);
  };
  WrittenBlocks out;
  auto raw = write_raw(mint);
  if (!raw.ok()) return raw.status();
  const std::string raw_dir = scratch + "/" + raw->ulid.ToString();
  auto raw_reader = tsdb::BlockReader::Open(raw_dir);
  if (!raw_reader.ok()) return raw_reader.status();
  auto five = compact::DownsampleBlock(**raw_reader, scratch, 5 * kDsMinute);
  if (!five.ok()) return five.status();
  if (!*five) return InternalError("downsampling to 5m wrote no block");
  const std::string five_dir = scratch + "/" + (*five)->ulid.ToString();
  auto five_reader = tsdb::BlockReader::Open(five_dir);
  if (!five_reader.ok()) return five_reader.status();
  auto hour = compact::DownsampleBlock(**five_reader, scratch, kDsHour);
  if (!hour.ok()) return hour.status();
  if (!*hour) return InternalError("downsampling to 1h wrote no block");
  const std::string hour_dir = scratch + "/" + (*hour)->ulid.ToString();
  if (Status s = Upload(bucket_dir, five_dir); !s.ok()) return s;
  if (Status s = Upload(bucket_dir, hour_dir); !s.ok()) return s;
  out.res5m = (*five)->ulid.ToString();
  out.res1h = (*hour)->ulid.ToString();
  if (raw_from <= mint) {
    if (Status s = Upload(bucket_dir, raw_dir); !s.ok()) return s;
    out.raw = raw->ulid.ToString();
  } else if (raw_from < maxt) {
    auto recent = write_raw(raw_from);
    if (!recent.ok()) return recent.status();
    const std::string recent_dir = scratch + "/" + recent->ulid.ToString();
    if (Status s = Upload(bucket_dir, recent_dir); !s.ok()) return s;
    out.raw = recent->ulid.ToString();
  }
  std::filesystem::remove_all(scratch, ec);
  return out;
}

}  // namespace meridian::testing
