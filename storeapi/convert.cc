#include "storeapi/convert.h"

namespace meridian::storeapi {

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

StatusOr<storage::Chunk> RawChunkFromProto(const thanos::AggrChunk& in) {
  if (!in.has_raw()) {
    return BadData("series chunk without a raw chunk (downsampled data is not readable yet)");
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

Status ChunkToProto(const storage::Chunk& in, thanos::AggrChunk* out) {
  auto enc = EncodingToProto(in.encoding);
  if (!enc.ok()) return enc.status();
  out->set_min_time(in.min_time);
  out->set_max_time(in.max_time);
  auto* raw = out->mutable_raw();
  raw->set_type(*enc);
  raw->set_data(std::string(in.bytes()));
  return Status::Ok();
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
