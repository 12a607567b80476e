#include "storeapi/convert.h"

#include <array>
#include <optional>
#include <string_view>

namespace meridian::storeapi {

namespace {

// Thanos's AggrChunk body (pkg/compact/downsample/aggr.go): five entries in AggrType order,
// each uvarint(len(data)) followed, when len > 0, by one on-disk encoding byte and len data
// bytes; a zero length marks an absent aggregate. The wire keeps the same five sub-chunks as
// separate AggrChunk fields, so both directions go through this one parsed form.
constexpr size_t kAggregateCount = 5;
constexpr std::array<const char*, kAggregateCount> kAggregateNames = {"count", "sum", "min", "max", "counter"};

// On-disk chunkenc numbers of the sub-chunks (tsdb/chunks/chunk_format.h holds the same
// values; storeapi does not link the tsdb library).
constexpr uint8_t kDiskXOR = 1;
constexpr uint8_t kDiskHistogram = 2;
constexpr uint8_t kDiskFloatHistogram = 3;

struct SubChunk {
  uint8_t disk_encoding = 0;
  std::string_view data;
};

using AggregateParts = std::array<std::optional<SubChunk>, kAggregateCount>;

// Go's binary.Uvarint: at most 10 bytes, the 10th may only carry the top bit.
std::optional<uint64_t> ReadUvarint(std::string_view* in) {
  uint64_t v = 0;
  for (size_t i = 0; i < in->size() && i < 10; ++i) {
    const auto b = static_cast<uint8_t>((*in)[i]);
    if (i == 9 && b > 1) return std::nullopt;
    v |= static_cast<uint64_t>(b & 0x7f) << (7 * i);
    if (b < 0x80) {
      in->remove_prefix(i + 1);
      return v;
    }
  }
  return std::nullopt;
}

void PutUvarint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

// Strict where Thanos's reader is lenient (it ignores trailing bytes): the body must hold
// exactly five entries, so a pass-through can be rebuilt byte for byte (given minimal length
// varints, which is all Thanos writes).
StatusOr<AggregateParts> ParseAggregateBody(std::string_view body) {
  AggregateParts parts;
  bool any = false;
  for (size_t i = 0; i < kAggregateCount; ++i) {
    const std::string name = kAggregateNames[i];
    auto len = ReadUvarint(&body);
    if (!len) return CorruptError("aggregate chunk: bad length of the " + name + " entry");
    if (*len == 0) continue;
    if (body.size() < 1 || body.size() - 1 < *len) {
      return CorruptError("aggregate chunk: " + name + " entry of " + std::to_string(*len) +
                          " bytes runs past the end (" + std::to_string(body.size()) + " left)");
    }
    parts[i] = SubChunk{static_cast<uint8_t>(body[0]), body.substr(1, *len)};
    body.remove_prefix(1 + *len);
    any = true;
  }
  if (!body.empty()) {
    return CorruptError("aggregate chunk: " + std::to_string(body.size()) + " bytes after the five entries");
  }
  // Thanos fails a Series call that asks for an aggregate the chunk lacks; one that lacks all
  // of them cannot answer any request.
  if (!any) return CorruptError("aggregate chunk: all five entries are absent");
  return parts;
}

std::string EncodeAggregateBody(const AggregateParts& parts) {
  std::string out;
  for (const auto& p : parts) {
    if (!p) {
      PutUvarint(0, &out);
      continue;
    }
    PutUvarint(p->data.size(), &out);
    out.push_back(static_cast<char>(p->disk_encoding));
    out.append(p->data);
  }
  return out;
}

StatusOr<thanos::Chunk::Encoding> SubChunkEncodingToProto(uint8_t disk) {
  switch (disk) {
    case kDiskXOR: return thanos::Chunk::XOR;
    case kDiskHistogram: return thanos::Chunk::HISTOGRAM;
    case kDiskFloatHistogram: return thanos::Chunk::FLOAT_HISTOGRAM;
    default: return CorruptError("unknown sub-chunk encoding " + std::to_string(disk));
  }
}

StatusOr<uint8_t> SubChunkEncodingFromProto(thanos::Chunk::Encoding wire) {
  switch (wire) {
    case thanos::Chunk::XOR: return kDiskXOR;
    case thanos::Chunk::HISTOGRAM: return kDiskHistogram;
    case thanos::Chunk::FLOAT_HISTOGRAM: return kDiskFloatHistogram;
    default: return BadData("unknown StoreAPI chunk encoding " + std::to_string(wire));
  }
}

// The AggrChunk fields in AggrType order.
std::array<const thanos::Chunk*, kAggregateCount> WireAggregates(const thanos::AggrChunk& c) {
  return {c.has_count() ? &c.count() : nullptr, c.has_sum() ? &c.sum() : nullptr,
          c.has_min() ? &c.min() : nullptr, c.has_max() ? &c.max() : nullptr,
          c.has_counter() ? &c.counter() : nullptr};
}

// mutable_x() marks field x present, so only the entries that exist may be touched.
thanos::Chunk* MutableWireAggregate(thanos::AggrChunk* c, size_t index) {
  switch (index) {
    case 0: return c->mutable_count();
    case 1: return c->mutable_sum();
    case 2: return c->mutable_min();
    case 3: return c->mutable_max();
    default: return c->mutable_counter();
  }
}

StatusOr<storage::Chunk> AggregateChunkFromProto(const thanos::AggrChunk& in) {
  AggregateParts parts;
  const auto wire = WireAggregates(in);
  for (size_t i = 0; i < kAggregateCount; ++i) {
    if (wire[i] == nullptr) continue;
    const std::string name = kAggregateNames[i];
    // A zero length is the body's "absent" marker, so an empty sub-chunk cannot be stored.
    if (wire[i]->data().empty()) return BadData("aggregate " + name + " sub-chunk has no data");
    auto enc = SubChunkEncodingFromProto(wire[i]->type());
    if (!enc.ok()) return enc.status().Wrap("aggregate " + name);
    parts[i] = SubChunk{*enc, wire[i]->data()};
  }
  storage::Chunk c;
  c.min_time = in.min_time();
  c.max_time = in.max_time();
  c.encoding = storage::ChunkEncoding::kAggregate;
  c.data = std::make_shared<const std::string>(EncodeAggregateBody(parts));
  return c;
}

Status AggregateChunkToProto(const storage::Chunk& in, const AggregateSet& wanted, thanos::AggrChunk* out) {
  auto parts = ParseAggregateBody(in.bytes());
  if (!parts.ok()) return parts.status();
  // Validate every wanted entry before touching `out`, so a bad chunk leaves it unchanged.
  // Entries not asked for are not sent, so (as in Thanos) they are not checked either.
  std::array<thanos::Chunk::Encoding, kAggregateCount> encodings{};
  for (size_t i = 0; i < kAggregateCount; ++i) {
    if (!wanted[i]) continue;
    // Thanos's text (downsample.AggrType's String() names), so clients matching it still do.
    if (!(*parts)[i]) return BadData(std::string("aggregate ") + kAggregateNames[i] + " does not exist");
    auto enc = SubChunkEncodingToProto((*parts)[i]->disk_encoding);
    if (!enc.ok()) return enc.status().Wrap(std::string("aggregate chunk: ") + kAggregateNames[i]);
    encodings[i] = *enc;
  }
  out->set_min_time(in.min_time);
  out->set_max_time(in.max_time);
  for (size_t i = 0; i < kAggregateCount; ++i) {
    if (!wanted[i]) continue;
    thanos::Chunk* wire = MutableWireAggregate(out, i);
    wire->set_type(encodings[i]);
    wire->set_data(std::string((*parts)[i]->data));
  }
  return Status::Ok();
}

}  // namespace

StatusOr<Matchers> MatchersFromProto(const google::protobuf::RepeatedPtrField<thanos::LabelMatcher>& in) {
  Matchers out;
  out.reserve(in.size());
  for (const auto& m : in) {
    MatchType type;
    switch (m.type()) {
      case thanos::LabelMatcher::EQ: type = MatchType::kEqual; break;
      case thanos::LabelMatcher::NEQ: type = MatchType::kNotEqual; break;
      case thanos::LabelMatcher::RE: type = MatchType::kRegexp; break;
      case thanos::LabelMatcher::NRE: type = MatchType::kNotRegexp; break;
      default: return BadData("unknown label matcher type " + std::to_string(m.type()));
    }
    std::string err;
    auto matcher = Matcher::Make(type, m.name(), m.value(), &err);
    if (!matcher) return BadData("matcher " + m.name() + ": " + err);
    out.push_back(std::move(matcher));
  }
  return out;
}

void MatchersToProto(const Matchers& in, google::protobuf::RepeatedPtrField<thanos::LabelMatcher>* out) {
  for (const auto& m : in) {
    auto* p = out->Add();
    switch (m->type()) {
      case MatchType::kEqual: p->set_type(thanos::LabelMatcher::EQ); break;
      case MatchType::kNotEqual: p->set_type(thanos::LabelMatcher::NEQ); break;
      case MatchType::kRegexp: p->set_type(thanos::LabelMatcher::RE); break;
      case MatchType::kNotRegexp: p->set_type(thanos::LabelMatcher::NRE); break;
    }
    p->set_name(m->name());
    p->set_value(m->value());
  }
}

Labels LabelsFromProto(const google::protobuf::RepeatedPtrField<thanos::Label>& in) {
  std::vector<Label> out;
  out.reserve(in.size());
  for (const auto& l : in) out.push_back({l.name(), l.value()});
  // Stores send sorted labels; FromUnsorted keeps us safe against one that does not.
  return Labels::FromUnsorted(std::move(out));
}

void LabelsToProto(const Labels& in, google::protobuf::RepeatedPtrField<thanos::Label>* out) {
  out->Reserve(static_cast<int>(in.size()));
  for (const auto& l : in) {
    auto* p = out->Add();
    p->set_name(l.name);
    p->set_value(l.value);
  }
}

StatusOr<storage::ChunkEncoding> EncodingFromProto(thanos::Chunk::Encoding e) {
  switch (e) {
    case thanos::Chunk::XOR: return storage::ChunkEncoding::kXOR;
    case thanos::Chunk::HISTOGRAM: return storage::ChunkEncoding::kHistogram;
    case thanos::Chunk::FLOAT_HISTOGRAM: return storage::ChunkEncoding::kFloatHistogram;
    default: return BadData("unknown StoreAPI chunk encoding " + std::to_string(e));
  }
}

StatusOr<thanos::Chunk::Encoding> EncodingToProto(storage::ChunkEncoding e) {
  switch (e) {
    case storage::ChunkEncoding::kXOR: return thanos::Chunk::XOR;
    case storage::ChunkEncoding::kHistogram: return thanos::Chunk::HISTOGRAM;
    case storage::ChunkEncoding::kFloatHistogram: return thanos::Chunk::FLOAT_HISTOGRAM;
    case storage::ChunkEncoding::kAggregate: break;
  }
  return InternalError("aggregate chunks travel as AggrChunk sub-chunks, not as one raw chunk");
}

StatusOr<storage::Chunk> ChunkFromProto(const thanos::AggrChunk& in) {
  if (!in.has_raw()) {
    if (!in.has_count() && !in.has_sum() && !in.has_min() && !in.has_max() && !in.has_counter()) {
      return BadData("series chunk with neither raw nor aggregate data");
    }
    return AggregateChunkFromProto(in);
  }
  auto enc = EncodingFromProto(in.raw().type());
  if (!enc.ok()) return enc.status();
  storage::Chunk c;
  c.min_time = in.min_time();
  c.max_time = in.max_time();
  c.encoding = *enc;
  c.data = std::make_shared<const std::string>(in.raw().data());
  return c;
}

AggregateSet AggregatesFromProto(const google::protobuf::RepeatedField<int>& in) {
  AggregateSet out;
  for (int a : in) {
    // RAW (0) and values this build does not know select no aggregate sub-chunk; Thanos's
    // populateChunk skips them the same way.
    if (a >= thanos::COUNT && a <= thanos::COUNTER) out.set(static_cast<size_t>(a - thanos::COUNT));
  }
  return out;
}

Status ChunkToProto(const storage::Chunk& in, const AggregateSet& wanted, thanos::AggrChunk* out) {
  if (in.encoding == storage::ChunkEncoding::kAggregate) return AggregateChunkToProto(in, wanted, out);
  auto enc = EncodingToProto(in.encoding);
  if (!enc.ok()) return enc.status();
  out->set_min_time(in.min_time);
  out->set_max_time(in.max_time);
  auto* raw = out->mutable_raw();
  raw->set_type(*enc);
  raw->set_data(std::string(in.bytes()));
  return Status::Ok();
}

void AggregatesForFuncToProto(const std::string& func, google::protobuf::RepeatedField<int>* out) {
  auto is = [&](std::string_view name) {
    return func == name || func.starts_with(std::string(name) + "_");
  };
  if (is("min")) {
    out->Add(thanos::MIN);
  } else if (is("max")) {
    out->Add(thanos::MAX);
  } else if (is("count")) {
    out->Add(thanos::COUNT);
  } else if (func.starts_with("sum_")) {  // plain "sum" wants the samples: the default below
    out->Add(thanos::SUM);
  } else if (func == "increase" || func == "rate" || func == "irate" || func == "resets") {
    out->Add(thanos::COUNTER);
  } else {
    out->Add(thanos::COUNT);
    out->Add(thanos::SUM);
  }
}

void HintsToProto(const storage::SelectHints& in, thanos::QueryHints* out) {
  out->set_step_millis(in.step_ms);
  if (!in.func.empty()) out->mutable_func()->set_name(in.func);
  if (!in.grouping.empty() || in.by) {
    out->mutable_grouping()->set_by(in.by);
    for (const auto& g : in.grouping) out->mutable_grouping()->add_labels(g);
  }
  if (in.range_ms > 0) out->mutable_range()->set_millis(in.range_ms);
}

storage::SelectHints HintsFromProto(const thanos::SeriesRequest& req) {
  storage::SelectHints h;
  h.start_ms = req.min_time();
  h.end_ms = req.max_time();
  h.labels_only = req.skip_chunks();
  h.max_resolution_ms = req.max_resolution_window();
  if (req.has_query_hints()) {
    const auto& q = req.query_hints();
    h.step_ms = q.step_millis();
    h.func = q.func().name();
    h.range_ms = q.range().millis();
    h.by = q.grouping().by();
    h.grouping.assign(q.grouping().labels().begin(), q.grouping().labels().end());
  } else {
    // Older clients send the deprecated top-level fields.
    h.step_ms = req.step();
    h.range_ms = req.range();
  }
  return h;
}

}  // namespace meridian::storeapi
