#include "tsdb/chunkenc/aggr.h"

#include "tsdb/chunkenc/xor.h"

namespace meridian::chunkenc {

namespace {

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

std::string EncodingName(uint8_t enc) {
  switch (enc) {
    case kAggrSubChunkXOR: return "XOR";
    case kAggrSubChunkHistogram: return "histogram";
    case kAggrSubChunkFloatHistogram: return "float histogram";
    default: return "unknown (" + std::to_string(enc) + ")";
  }
}

}  // namespace

const char* AggrTypeName(AggrType t) {
  switch (t) {
    case AggrType::kCount: return "count";
    case AggrType::kSum: return "sum";
    case AggrType::kMin: return "min";
    case AggrType::kMax: return "max";
    case AggrType::kCounter: return "counter";
  }
  return "unknown";
}

StatusOr<AggrParts> ParseAggrChunk(std::string_view body) {
  AggrParts parts;
  for (AggrType t : kAllAggrTypes) {
    const std::string name = AggrTypeName(t);
    auto len = ReadUvarint(&body);
    if (!len) return CorruptError("aggregate chunk: bad length of the " + name + " entry");
    if (*len == 0) continue;
    // Written so that a huge length cannot wrap the comparison around.
    if (body.size() < 1 || body.size() - 1 < *len) {
      return CorruptError("aggregate chunk: " + name + " entry of " + std::to_string(*len) +
                          " bytes runs past the end (" + std::to_string(body.size()) + " left)");
    }
    parts[t] = AggrSubChunk{static_cast<uint8_t>(body[0]), std::string(body.substr(1, *len))};
    body.remove_prefix(1 + *len);
  }
  if (!body.empty()) {
    return CorruptError("aggregate chunk: " + std::to_string(body.size()) + " bytes after the five entries");
  }
  return parts;
}

std::string EncodeAggrChunk(const AggrParts& parts) {
  std::string out;
  for (const auto& p : parts.entries) {
    if (!p || p->data.empty()) {
      PutUvarint(0, &out);
      continue;
    }
    PutUvarint(p->data.size(), &out);
    out.push_back(static_cast<char>(p->encoding));
    out.append(p->data);
  }
  return out;
}

Status DecodeAggrSubChunk(const AggrSubChunk& sub, std::vector<int64_t>* ts, std::vector<double>* vs) {
  switch (sub.encoding) {
    case kAggrSubChunkXOR: return DecodeXor(sub.data, ts, vs);
    case kAggrSubChunkHistogram:
    case kAggrSubChunkFloatHistogram:
      return ExecutionError("aggregate sub-chunk of encoding " + EncodingName(sub.encoding) +
                            ": native histograms are not supported yet");
    default: return CorruptError("aggregate sub-chunk of " + EncodingName(sub.encoding) + " encoding");
  }
}

}  // namespace meridian::chunkenc
