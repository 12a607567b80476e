#pragma once
// Parser for Prometheus's PromQL test-script language (promql/promqltest/test.go upstream):
// `load`, `load_with_nhcb`, `clear`, `eval instant|range ...` with `expect ...` lines and
// expected results. Expressions are kept as text; the runner parses them with the PromQL
// parser. Series lines (`metric{a="b"} 1+2x3 _ stale {{schema:0 sum:1 count:1}}`) are parsed
// here by a small hand-written parser, independent of the PromQL parser library.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "model/histogram.h"
#include "model/labels.h"
#include "model/status.h"

namespace meridian::promqltest {

// One position of a value sequence: a float, a native histogram, or nothing (`_`).
struct SequenceValue {
  bool omitted = false;
  double value = 0;  // StaleNaN for `stale`
  std::shared_ptr<const FloatHistogram> histogram;  // set for histogram values

  bool is_histogram() const { return histogram != nullptr; }
};

// `metric{labels} values...` as written in load blocks and expected results.
struct SeriesLine {
  Labels labels;
  std::vector<SequenceValue> values;
};

// Parses one series line. Value forms: N, -N, +N, Inf/NaN (any case, signed), durations
// (`1m` = 60), hex/octal integers, `a+bxN` / `a-bxN` (N+1 values), `axN` (N+1 copies),
// `_`, `_xN` (N omitted), `stale`, `{{...}}`, `{{...}}xN`, `{{...}}+{{...}}xN`,
// `{{...}}-{{...}}xN`.
StatusOr<SeriesLine> ParseSeriesLine(std::string_view line);

// Start-timestamp offsets of an `@st` line (start_timestamps.test): values are offsets in ms
// relative to each sample's timestamp; omitted positions carry no start timestamp.
StatusOr<std::vector<SequenceValue>> ParseStartTimestampSequence(std::string_view text);

struct LoadSeries {
  Labels labels;
  std::vector<SequenceValue> values;     // sample i is at i * interval
  std::vector<SequenceValue> st_values;  // from a preceding `metric@st` line; empty if none
  int line = 0;
};

struct LoadCommand {
  int64_t interval_ms = 0;
  bool with_nhcb = false;  // load_with_nhcb: also convert classic histograms to NHCB
  // Series in first-definition order; a series defined twice keeps its last definition
  // (upstream keys the definitions by label hash).
  std::vector<LoadSeries> series;
  std::vector<SequenceValue> default_st_values;  // from a standalone `@st` line, cycled
};

struct ClearCommand {};

enum class ExpectKind { kFail, kWarn, kNoWarn, kInfo, kNoInfo, kOrdered };

// `expect <kind> [msg|regex: <text>]`.
struct ExpectLine {
  enum class Match { kAny, kMessage, kRegex };
  ExpectKind kind = ExpectKind::kFail;
  Match match = Match::kAny;
  std::string text;  // trimmed message or RE2-compatible pattern
  int line = 0;
};

struct ExpectedSeries {
  Labels labels;
  std::vector<SequenceValue> values;
  int line = 0;
  // Position in the expected output, counted as upstream does (expect lines excluded); used
  // for ordered comparisons.
  int position = 0;
};

struct EvalCommand {
  std::string expr;
  int line = 0;
  bool is_range = false;
  int64_t start_ms = 0;  // instant queries: start == end == the evaluation time
  int64_t end_ms = 0;
  int64_t step_ms = 0;

  // From the legacy `eval_fail` / `eval_warn` / `eval_info` / `eval_ordered` forms.
  bool fail = false;
  bool warn = false;
  bool info = false;
  bool ordered = false;
  // Legacy `expected_fail_message <text>` / `expected_fail_regexp <re>` after eval_fail.
  std::optional<std::string> expected_fail_message;
  std::optional<std::string> expected_fail_regexp;

  std::vector<ExpectLine> expects;

  // `expect string "<s>"`: the query returns this string.
  std::optional<std::string> expected_string;
  // `expect range vector from <a> to <b> step <s>`: an instant query at `b` whose result is a
  // range vector with these sample timestamps.
  bool expect_range_vector = false;
  int64_t range_vector_start_ms = 0;
  int64_t range_vector_end_ms = 0;
  int64_t range_vector_step_ms = 0;
  // Upstream skips the extra instant-as-range re-run for string and range-vector results.
  bool exclude_from_range_query = false;

  // A bare number line: the query returns this scalar.
  std::optional<double> expected_scalar;
  std::vector<ExpectedSeries> expected;

  // True if any expect line (or legacy flag) says the query must fail.
  bool ExpectsFailure() const;
  // The expect lines of one kind.
  std::vector<const ExpectLine*> ExpectsOf(ExpectKind kind) const;
};

struct Command {
  int line = 0;  // 1-based line of the command keyword
  std::variant<LoadCommand, ClearCommand, EvalCommand> body;
};

// Parses a whole script. Errors name the 1-based line: "line 12: ...".
StatusOr<std::vector<Command>> ParseScript(std::string_view text);

// Reads and parses a file; errors are prefixed with the path.
StatusOr<std::vector<Command>> ParseScriptFile(const std::string& path);

}  // namespace meridian::promqltest
