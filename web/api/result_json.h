#pragma once
// The `resultType` and `result` members of a query response, as Prometheus writes them:
// vectors as {"metric":{...},"value":[t,"v"]}, matrices with "values", scalars and strings as
// [t,"v"]. Series order is the engine's.

#include <cstdint>

#include "promql/engine/result.h"
#include "web/api/json_writer.h"

namespace meridian::web {

// Writes the two members into the object `w` is in. With limit > 0, vectors and matrices are
// cut to `limit` series and *truncated says so.
void WriteQueryResult(const promql::engine::QueryResult& res, int64_t limit, JsonWriter* w, bool* truncated);

}  // namespace meridian::web
