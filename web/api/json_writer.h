#pragma once
// JSON as Prometheus's API writes it (json-iterator in standard-library mode plus
// util/jsonutil): strings escaped like Go (<, >, & as \u003c..., invalid UTF-8 as \ufffd),
// sample values as strings, timestamps as seconds with exactly three decimals when the
// millisecond part is non-zero. Built on RapidJSON's Writer, feeding it pre-escaped raw text
// where Go's rules differ from RapidJSON's.

#include <cstdint>
#include <string>
#include <string_view>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "model/labels.h"

namespace meridian::web {

class JsonWriter {
 public:
  JsonWriter() : writer_(buffer_) {}

  void StartObject() { writer_.StartObject(); }
  void EndObject() { writer_.EndObject(); }
  void StartArray() { writer_.StartArray(); }
  void EndArray() { writer_.EndArray(); }
  void Key(std::string_view k);
  void String(std::string_view s);
  void Bool(bool b) { writer_.Bool(b); }
  void Null() { writer_.Null(); }
  void Int64(int64_t v) { writer_.Int64(v); }
  // Seconds since the epoch: "1435781451.050", "1435781451", "-0.500".
  void Timestamp(int64_t ms);
  // A sample value: a JSON string in jsonutil's float format ("1", "0.5", "1e-07", "+Inf").
  void SampleValue(double v);
  // A scalar result's value as promql.Scalar marshals itself: strconv's 'f' format with the
  // shortest round-trip digits, never an exponent ("0.00000015", "1000000000000000000000").
  void ScalarValue(double v);
  // A float64 field as encoding/json writes numbers (stats timings). Non-finite values
  // cannot be represented and are written as null.
  void GoFloat(double v);
  // {"name":"value",...} in label order.
  void LabelsObject(const Labels& labels);
  // Pre-rendered JSON for a value position.
  void RawJson(std::string_view json);

  const std::string_view Output() const { return {buffer_.GetString(), buffer_.GetSize()}; }
  std::string Take() const { return std::string(Output()); }

 private:
  rapidjson::StringBuffer buffer_;
  rapidjson::Writer<rapidjson::StringBuffer> writer_;
  std::string scratch_;  // reused per value to avoid an allocation each
};

// Go's JSON string literal for s, quotes included.
std::string GoJsonQuote(std::string_view s);
// Timestamp text without the writer (tests and callers building raw JSON).
std::string FormatTimestampJSON(int64_t ms);
// encoding/json's float64 text.
std::string FormatGoJSONFloat(double v);

}  // namespace meridian::web
