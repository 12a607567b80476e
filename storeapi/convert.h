#pragma once
// Conversions between the StoreAPI wire messages and Meridian's own types. Chunk encodings
// are mapped explicitly: StoreAPI XOR=0, on-disk chunkenc XOR=1, remote-read XOR=1.

#include <google/protobuf/repeated_field.h>

#include <bitset>
#include <string>

#include "model/labels.h"
#include "model/matcher.h"
#include "model/status.h"
#include "storage/chunk.h"
#include "storeapi/select_request.h"
#include "storage/select_hints.h"
#include "thanos/storepb/rpc.pb.h"

namespace meridian::storeapi {

StatusOr<Matchers> MatchersFromProto(const google::protobuf::RepeatedPtrField<thanos::LabelMatcher>& in);
void MatchersToProto(const Matchers& in, google::protobuf::RepeatedPtrField<thanos::LabelMatcher>* out);

Labels LabelsFromProto(const google::protobuf::RepeatedPtrField<thanos::Label>& in);
void LabelsToProto(const Labels& in, google::protobuf::RepeatedPtrField<thanos::Label>* out);

// A raw chunk travels in AggrChunk.raw; an aggregate (downsampled) chunk has no single
// StoreAPI encoding, it travels split into the count/sum/min/max/counter fields.
StatusOr<storage::ChunkEncoding> EncodingFromProto(thanos::Chunk::Encoding e);
StatusOr<thanos::Chunk::Encoding> EncodingToProto(storage::ChunkEncoding e);

// An AggrChunk as a storage::Chunk (copies the bytes once). With `raw` set, that chunk (the
// aggregate fields are then ignored: Thanos never sends both). Without it, the present
// aggregate fields are reassembled into the on-disk aggregate body (kAggregate), byte for byte
// what the store read from its block. BadData when neither is set or a sub-chunk is unusable.
StatusOr<storage::Chunk> ChunkFromProto(const thanos::AggrChunk& in);
// The same, taking over the message's bytes instead of copying them.
StatusOr<storage::Chunk> ChunkFromProto(thanos::AggrChunk&& in);
// SeriesRequest.aggregates as a set (AggregateSet: storeapi/select_request.h).
AggregateSet AggregatesFromProto(const google::protobuf::RepeatedField<int>& in);

// A raw chunk fills `raw` whatever `wanted` says. A kAggregate chunk fills exactly the
// count/sum/min/max/counter fields in `wanted`, as Thanos's store-gateway does (populateChunk):
// a wanted aggregate the chunk lacks is BadData "aggregate <name> does not exist". A malformed
// aggregate body is a Corrupt error. On error `out` is unchanged.
Status ChunkToProto(const storage::Chunk& in, const AggregateSet& wanted, thanos::AggrChunk* out);

// The aggregates Meridian's querier asks for: the ones `read` decodes (count and sum for the
// averages, one aggregate otherwise), appended to `out` (SeriesRequest.aggregates). Thanos's
// querier chooses by function name instead (aggrsFromFunc), which reads COUNT for
// count_over_time and COUNTER for resets (DOWNSAMPLING.md section 5).
void AggregatesForReadToProto(storage::AggregateRead read, google::protobuf::RepeatedField<int>* out);

// Engine hints -> StoreAPI query hints (what Thanos's querier sends in query_hints).
void HintsToProto(const storage::SelectHints& in, thanos::QueryHints* out);
storage::SelectHints HintsFromProto(const thanos::SeriesRequest& req);

// A Series request entering or leaving the process. From the wire, the matchers are compiled
// (an invalid regex fails) and the aggregates asked for are kept; to the wire, a request
// from this process asks for the aggregates its hints read.
StatusOr<SelectRequest> SelectRequestFromProto(const thanos::SeriesRequest& req);
thanos::SeriesRequest SelectRequestToProto(const SelectRequest& req);

}  // namespace meridian::storeapi
