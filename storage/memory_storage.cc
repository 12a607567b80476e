#include "storage/memory_storage.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <optional>
#include <set>

#include "tsdb/chunkenc/xor.h"

namespace meridian::storage {

namespace {

// Meridian-private histogram chunk: u16 sample count, then per sample the timestamp and the
// histogram fields as little-endian fixed-width values. Only MemoryStorage reads it back; it
// is replaced once real histogram chunks exist.
void PutU64(std::string* out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>(v >> (8 * i)));
}
void PutF64(std::string* out, double v) { PutU64(out, std::bit_cast<uint64_t>(v)); }
void PutFloats(std::string* out, const std::vector<double>& v) {
  PutU64(out, v.size());
  for (double d : v) PutF64(out, d);
}

class ByteReader {
 public:
  explicit ByteReader(std::string_view s) : s_(s) {}
  bool U64(uint64_t* v) {
    if (s_.size() - pos_ < 8) return false;
    *v = 0;
    for (int i = 0; i < 8; ++i) *v |= static_cast<uint64_t>(static_cast<uint8_t>(s_[pos_ + i])) << (8 * i);
    pos_ += 8;
    return true;
  }
  bool F64(double* v) {
    uint64_t u;
    if (!U64(&u)) return false;
    *v = std::bit_cast<double>(u);
    return true;
  }
  bool Floats(std::vector<double>* v) {
    uint64_t n;
    if (!U64(&n) || n > (s_.size() - pos_) / 8) return false;
    v->resize(n);
    for (auto& d : *v) F64(&d);
    return true;
  }
  bool Skip(size_t n) {
    if (s_.size() - pos_ < n) return false;
    pos_ += n;
    return true;
  }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

void AppendHistogramRecord(std::string* out, int64_t t, const FloatHistogram& h) {
  PutU64(out, static_cast<uint64_t>(t));
  PutU64(out, static_cast<uint64_t>(static_cast<int64_t>(h.schema)));
  PutF64(out, h.count);
  PutF64(out, h.sum);
  PutF64(out, h.zero_threshold);
  PutF64(out, h.zero_count);
  PutFloats(out, h.custom_values);
  PutU64(out, static_cast<uint64_t>(static_cast<int64_t>(h.positive_offset)));
  PutFloats(out, h.positive_buckets);
  PutU64(out, static_cast<uint64_t>(static_cast<int64_t>(h.negative_offset)));
  PutFloats(out, h.negative_buckets);
  PutU64(out, static_cast<uint64_t>(h.counter_reset_hint));
}

bool ReadHistogramRecord(ByteReader* r, int64_t* t, FloatHistogram* h) {
  uint64_t u;
  if (!r->U64(&u)) return false;
  *t = static_cast<int64_t>(u);
  if (!r->U64(&u)) return false;
  h->schema = static_cast<int32_t>(static_cast<int64_t>(u));
  if (!r->F64(&h->count) || !r->F64(&h->sum) || !r->F64(&h->zero_threshold) ||
      !r->F64(&h->zero_count) || !r->Floats(&h->custom_values))
    return false;
  if (!r->U64(&u)) return false;
  h->positive_offset = static_cast<int32_t>(static_cast<int64_t>(u));
  if (!r->Floats(&h->positive_buckets) || !r->U64(&u)) return false;
  h->negative_offset = static_cast<int32_t>(static_cast<int64_t>(u));
  if (!r->Floats(&h->negative_buckets) || !r->U64(&u) || u > 3) return false;
  h->counter_reset_hint = static_cast<CounterResetHint>(u);
  return true;
}

struct Sample {
  int64_t t = 0;
  double v = 0;
  std::shared_ptr<const FloatHistogram> h;
};

bool SameSample(const Sample& a, const Sample& b) {
  if ((a.h == nullptr) != (b.h == nullptr)) return false;
  if (a.h) return *a.h == *b.h;
  return std::bit_cast<uint64_t>(a.v) == std::bit_cast<uint64_t>(b.v);
}

}  // namespace

// Sealed chunks plus an open head chunk (floats in an XOR encoder, histograms as records).
struct MemoryStorage::StoredSeries {
  Labels labels;
  std::vector<Chunk> sealed;
  bool head_is_histogram = false;
  chunkenc::XorEncoder head_xor;
  std::string head_hist;  // records without the count header
  int head_count = 0;
  int64_t head_min = 0;
  int64_t head_max = 0;
  bool has_samples = false;
  int64_t last_t = 0;

  void SealHead() {
    if (head_count == 0) return;
    Chunk c;
    c.min_time = head_min;
    c.max_time = head_max;
    if (head_is_histogram) {
      c.encoding = ChunkEncoding::kFloatHistogram;
      c.data = std::make_shared<const std::string>(HistogramChunkBytes());
      head_hist.clear();
    } else {
      c.encoding = ChunkEncoding::kXOR;
      c.data = std::make_shared<const std::string>(head_xor.Finish());
    }
    sealed.push_back(std::move(c));
    head_count = 0;
  }

  std::string HistogramChunkBytes() const {
    std::string out;
    out.push_back(static_cast<char>(head_count >> 8));
    out.push_back(static_cast<char>(head_count & 0xff));
    out += head_hist;
    return out;
  }

  // The head as a chunk, for readers (a copy, so appends after the read do not race).
  std::optional<Chunk> HeadChunk() const {
    if (head_count == 0) return std::nullopt;
    Chunk c;
    c.min_time = head_min;
    c.max_time = head_max;
    c.encoding = head_is_histogram ? ChunkEncoding::kFloatHistogram : ChunkEncoding::kXOR;
    c.data = std::make_shared<const std::string>(head_is_histogram ? HistogramChunkBytes()
                                                                   : std::string(head_xor.bytes()));
    return c;
  }

  // In-order append; the caller checked t > last_t.
  void AppendInOrder(const Sample& s) {
    const bool is_hist = s.h != nullptr;
    if (head_count == kSamplesPerChunk || (head_count > 0 && head_is_histogram != is_hist)) SealHead();
    if (head_count == 0) {
      head_is_histogram = is_hist;
      head_min = s.t;
    }
    if (is_hist) {
      AppendHistogramRecord(&head_hist, s.t, *s.h);
    } else {
      head_xor.Append(s.t, s.v);
    }
    ++head_count;
    head_max = s.t;
    last_t = s.t;
    has_samples = true;
  }

  // Every sample, decoded (for the rare out-of-order rebuild).
  Status AllSamples(std::vector<Sample>* out) const {
    std::vector<Chunk> chunks = sealed;
    if (auto h = HeadChunk()) chunks.push_back(*h);
    for (const Chunk& c : chunks) {
      if (c.encoding == ChunkEncoding::kXOR) {
        std::vector<int64_t> ts;
        std::vector<double> vs;
        if (Status st = chunkenc::DecodeXor(c.bytes(), &ts, &vs); !st.ok()) return st;
        for (size_t i = 0; i < ts.size(); ++i) out->push_back({ts[i], vs[i], nullptr});
      } else {
        ByteReader r(c.bytes());
        if (!r.Skip(2)) return CorruptError("histogram chunk too short");
        const int n = (static_cast<uint8_t>(c.bytes()[0]) << 8) | static_cast<uint8_t>(c.bytes()[1]);
        for (int i = 0; i < n; ++i) {
          auto h = std::make_shared<FloatHistogram>();
          int64_t t;
          if (!ReadHistogramRecord(&r, &t, h.get())) return CorruptError("histogram chunk truncated");
          out->push_back({t, 0, std::move(h)});
        }
      }
    }
    return Status::Ok();
  }

  Status Append(const Sample& s) {
    if (!has_samples || s.t > last_t) {
      AppendInOrder(s);
      return Status::Ok();
    }
    std::vector<Sample> all;
    if (Status st = AllSamples(&all); !st.ok()) return st;
    auto it = std::lower_bound(all.begin(), all.end(), s.t,
                               [](const Sample& a, int64_t t) { return a.t < t; });
    if (it != all.end() && it->t == s.t) {
      if (SameSample(*it, s)) return Status::Ok();
      return BadData("duplicate sample for timestamp " + std::to_string(s.t) + " in series " +
                     labels.ToString());
    }
    all.insert(it, s);
    sealed.clear();
    head_xor = chunkenc::XorEncoder();
    head_hist.clear();
    head_count = 0;
    has_samples = false;
    for (const Sample& x : all) AppendInOrder(x);
    return Status::Ok();
  }
};

namespace {

class VectorSeriesSet : public SeriesSet {
 public:
  explicit VectorSeriesSet(std::vector<Series> series) : series_(std::move(series)) {}
  bool Next() override {
    if (next_ >= series_.size()) return false;
    cur_ = next_++;
    return true;
  }
  Series& At() override { return series_[cur_]; }
  Status status() const override { return Status::Ok(); }

 private:
  std::vector<Series> series_;
  size_t next_ = 0;
  size_t cur_ = 0;
};

bool MatchesAll(const Labels& labels, const Matchers& matchers) {
  for (const auto& m : matchers) {
    if (m && !m->Matches(labels.Get(m->name()))) return false;
  }
  return true;
}

}  // namespace

class MemoryQuerier : public Querier {
 public:
  MemoryQuerier(std::mutex* mu,
                const std::map<Labels, std::unique_ptr<MemoryStorage::StoredSeries>>* series,
                int64_t mint, int64_t maxt)
      : mu_(mu), series_(series), mint_(mint), maxt_(maxt) {}

  std::unique_ptr<SeriesSet> Select(bool /*sorted: always sorted*/, const SelectHints& hints,
                                    const Matchers& matchers) override {
    int64_t mint = mint_, maxt = maxt_;
    if (hints.start_ms != 0 || hints.end_ms != 0) {
      mint = std::max(mint, hints.start_ms);
      maxt = std::min(maxt, hints.end_ms);
    }
    std::vector<Series> out;
    std::lock_guard<std::mutex> lock(*mu_);
    for (const auto& [labels, s] : *series_) {
      if (!MatchesAll(labels, matchers)) continue;
      Series series;
      series.labels = labels;
      bool any = false;
      auto consider = [&](const Chunk& c) {
        if (c.max_time < mint || c.min_time > maxt) return;
        any = true;
        if (!hints.labels_only) series.chunks.push_back(c);
      };
      for (const Chunk& c : s->sealed) consider(c);
      if (auto h = s->HeadChunk()) consider(*h);
      if (any) out.push_back(std::move(series));
    }
    return std::make_unique<VectorSeriesSet>(std::move(out));
  }

  StatusOr<std::vector<std::string>> LabelNames(const Matchers& matchers) override {
    std::set<std::string> names;
    ForEachInRange(matchers, [&](const Labels& l) {
      for (const Label& x : l) names.insert(x.name);
    });
    return std::vector<std::string>(names.begin(), names.end());
  }

  StatusOr<std::vector<std::string>> LabelValues(const std::string& name,
                                                 const Matchers& matchers) override {
    std::set<std::string> values;
    ForEachInRange(matchers, [&](const Labels& l) {
      std::string_view v = l.Get(name);
      if (!v.empty()) values.insert(std::string(v));
    });
    return std::vector<std::string>(values.begin(), values.end());
  }

 private:
  template <typename F>
  void ForEachInRange(const Matchers& matchers, F&& f) {
    std::lock_guard<std::mutex> lock(*mu_);
    for (const auto& [labels, s] : *series_) {
      if (!MatchesAll(labels, matchers) || !s->has_samples) continue;
      bool in_range = false;
      for (const Chunk& c : s->sealed) in_range |= c.max_time >= mint_ && c.min_time <= maxt_;
      if (s->head_count > 0) in_range |= s->head_max >= mint_ && s->head_min <= maxt_;
      if (in_range) f(labels);
    }
  }

  std::mutex* mu_;
  const std::map<Labels, std::unique_ptr<MemoryStorage::StoredSeries>>* series_;
  int64_t mint_;
  int64_t maxt_;
};

MemoryStorage::MemoryStorage() = default;
MemoryStorage::~MemoryStorage() = default;

namespace {
// Prometheus treats an empty label value as an absent label; stored series never carry one.
Labels WithoutEmpty(const Labels& labels) {
  bool any = false;
  for (const Label& l : labels) any |= l.value.empty();
  if (!any) return labels;
  std::vector<Label> kept;
  for (const Label& l : labels) {
    if (!l.value.empty()) kept.push_back(l);
  }
  return Labels::FromSorted(std::move(kept));
}
}  // namespace

MemoryStorage::StoredSeries* MemoryStorage::GetOrCreate(const Labels& raw) {
  const Labels labels = WithoutEmpty(raw);
  auto it = series_.find(labels);
  if (it != series_.end()) return it->second.get();
  auto s = std::make_unique<StoredSeries>();
  s->labels = labels;
  return series_.emplace(labels, std::move(s)).first->second.get();
}

Status MemoryStorage::Append(const Labels& labels, int64_t t, double v) {
  if (WithoutEmpty(labels).empty()) return BadData("cannot append a series without labels");
  std::lock_guard<std::mutex> lock(mu_);
  return GetOrCreate(labels)->Append({t, v, nullptr});
}

Status MemoryStorage::AppendHistogram(const Labels& labels, int64_t t, const FloatHistogram& h) {
  if (WithoutEmpty(labels).empty()) return BadData("cannot append a series without labels");
  std::lock_guard<std::mutex> lock(mu_);
  return GetOrCreate(labels)->Append({t, 0, std::make_shared<const FloatHistogram>(h)});
}

void MemoryStorage::Clear() {
  std::lock_guard<std::mutex> lock(mu_);
  series_.clear();
}

size_t MemoryStorage::NumSeries() const {
  std::lock_guard<std::mutex> lock(mu_);
  return series_.size();
}

std::unique_ptr<Querier> MemoryStorage::NewQuerier(int64_t mint, int64_t maxt) {
  return std::make_unique<MemoryQuerier>(&mu_, &series_, mint, maxt);
}

}  // namespace meridian::storage
