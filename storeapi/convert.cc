#include "storeapi/convert.h"

#include <array>
#include <optional>
#include <string_view>

#include "tsdb/chunkenc/aggr.h"

namespace meridian::storeapi {

namespace {

// Thanos's AggrChunk body (tsdb/chunkenc/aggr.h) keeps five sub-chunks in AggrType order; the
// wire keeps the same five as separate AggrChunk fields, so both directions go through the one
// parsed form, chunkenc::AggrParts.
constexpr size_t kAggregateCount = chunkenc::kAggrTypeCount;
constexpr std::array<const char*, kAggregateCount> kAggregateNames = {"count", "sum", "min", "max", "counter"};

// On-disk chunkenc numbers of the sub-chunks.
constexpr uint8_t kDiskXOR = chunkenc::kAggrSubChunkXOR;
constexpr uint8_t kDiskHistogram = chunkenc::kAggrSubChunkHistogram;
constexpr uint8_t kDiskFloatHistogram = chunkenc::kAggrSubChunkFloatHistogram;

// ParseAggrChunk is strict where Thanos's reader is lenient (trailing bytes are an error), so a
// pass-through can be rebuilt byte for byte.
StatusOr<chunkenc::AggrParts> ParseAggregateBody(std::string_view body) {
  auto parts = chunkenc::ParseAggrChunk(body);
  if (!parts.ok()) return parts.status();
  // Thanos fails a Series call that asks for an aggregate the chunk lacks; one that lacks all
  // of them cannot answer any request.
  bool any = false;
  for (const auto& e : parts->entries) any = any || e.has_value();
  if (!any) return CorruptError("aggregate chunk: all five entries are absent");
  return parts;
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
  chunkenc::AggrParts parts;
  const auto wire = WireAggregates(in);
  for (size_t i = 0; i < kAggregateCount; ++i) {
    if (wire[i] == nullptr) continue;
    const std::string name = kAggregateNames[i];
    // A zero length is the body's "absent" marker, so an empty sub-chunk cannot be stored.
    if (wire[i]->data().empty()) return BadData("aggregate " + name + " sub-chunk has no data");
    auto enc = SubChunkEncodingFromProto(wire[i]->type());
    if (!enc.ok()) return enc.status().Wrap("aggregate " + name);
    parts.entries[i] = chunkenc::AggrSubChunk{*enc, wire[i]->data()};
  }
  storage::Chunk c;
  c.min_time = in.min_time();
  c.max_time = in.max_time();
  c.encoding = storage::ChunkEncoding::kAggregate;
  c.data = std::make_shared<const std::string>(chunkenc::EncodeAggrChunk(parts));
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
    if (!parts->entries[i]) return BadData(std::string("aggregate ") + kAggregateNames[i] + " does not exist");
    auto enc = SubChunkEncodingToProto(parts->entries[i]->encoding);
    if (!enc.ok()) return enc.status().Wrap(std::string("aggregate chunk: ") + kAggregateNames[i]);
    encodings[i] = *enc;
  }
  out->set_min_time(in.min_time);
  out->set_max_time(in.max_time);
  for (size_t i = 0; i < kAggregateCount; ++i) {
    if (!wanted[i]) continue;
    thanos::Chunk* wire = MutableWireAggregate(out, i);
    wire->set_type(encodings[i]);
    wire->set_data(parts->entries[i]->data);
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

namespace {

// A raw chunk of the wire with its bytes already taken (copied or moved) into `data`.
StatusOr<storage::Chunk> RawChunkFromProto(const thanos::AggrChunk& in, std::shared_ptr<const std::string> data) {
  auto enc = EncodingFromProto(in.raw().type());
  if (!enc.ok()) return enc.status();
  storage::Chunk c;
  c.min_time = in.min_time();
  c.max_time = in.max_time();
  c.encoding = *enc;
  c.data = std::move(data);
  return c;
}

}  // namespace

StatusOr<storage::Chunk> ChunkFromProto(const thanos::AggrChunk& in) {
  if (!in.has_raw()) {
    if (!in.has_count() && !in.has_sum() && !in.has_min() && !in.has_max() && !in.has_counter()) {
      return BadData("series chunk with neither raw nor aggregate data");
    }
    return AggregateChunkFromProto(in);
  }
  return RawChunkFromProto(in, std::make_shared<const std::string>(in.raw().data()));
}

StatusOr<storage::Chunk> ChunkFromProto(thanos::AggrChunk&& in) {
  if (!in.has_raw()) return ChunkFromProto(static_cast<const thanos::AggrChunk&>(in));
  // The received bytes become the chunk's: the message is not read again.
  auto data = std::make_shared<const std::string>(std::move(*in.mutable_raw()->mutable_data()));
  return RawChunkFromProto(in, std::move(data));
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

void AggregatesForReadToProto(storage::AggregateRead read, google::protobuf::RepeatedField<int>* out) {
  switch (read) {
    case storage::AggregateRead::kAverage:
    case storage::AggregateRead::kWindowAverage:
      out->Add(thanos::COUNT);
      out->Add(thanos::SUM);
      return;
    case storage::AggregateRead::kCount: out->Add(thanos::COUNT); return;
    case storage::AggregateRead::kSum: out->Add(thanos::SUM); return;
    case storage::AggregateRead::kMin: out->Add(thanos::MIN); return;
    case storage::AggregateRead::kMax: out->Add(thanos::MAX); return;
    case storage::AggregateRead::kCounter: out->Add(thanos::COUNTER); return;
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
  h.fill_resolution_ms = req.fill_resolution_window();
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

StatusOr<SelectRequest> SelectRequestFromProto(const thanos::SeriesRequest& req) {
  auto matchers = MatchersFromProto(req.matchers());
  if (!matchers.ok()) return matchers.status();
  SelectRequest out;
  out.min_time = req.min_time();
  out.max_time = req.max_time();
  out.matchers = std::move(*matchers);
  out.hints = HintsFromProto(req);
  out.aggregates = AggregatesFromProto(req.aggregates());
  out.without_replica_labels.assign(req.without_replica_labels().begin(), req.without_replica_labels().end());
  out.limit = req.limit();
  out.abort_on_store_error = req.partial_response_strategy() == thanos::ABORT || req.partial_response_disabled();
  return out;
}

thanos::SeriesRequest SelectRequestToProto(const SelectRequest& in) {
  thanos::SeriesRequest req;
  req.set_min_time(in.min_time);
  req.set_max_time(in.max_time);
  MatchersToProto(in.matchers, req.mutable_matchers());
  req.set_max_resolution_window(in.hints.max_resolution_ms);
  req.set_fill_resolution_window(in.hints.fill_resolution_ms);
  req.set_partial_response_strategy(in.abort_on_store_error ? thanos::ABORT : thanos::WARN);
  req.set_partial_response_disabled(in.abort_on_store_error);
  req.set_skip_chunks(in.hints.labels_only);
  if (in.aggregates) {
    for (size_t i = 0; i < in.aggregates->size(); ++i) {
      if (in.aggregates->test(i)) req.add_aggregates(static_cast<thanos::Aggr>(thanos::COUNT + i));
    }
  } else {
    // Stores send only the requested sub-chunks of downsampled chunks: the ones the engine
    // will decode.
    AggregatesForReadToProto(in.hints.aggregate, req.mutable_aggregates());
  }
  HintsToProto(in.hints, req.mutable_query_hints());
  for (const auto& l : in.without_replica_labels) req.add_without_replica_labels(l);
  req.set_limit(in.limit);
  return req;
}

}  // namespace meridian::storeapi
