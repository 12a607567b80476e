// Fuzzes ParseExpr (it must never crash or hang) and the printer round trip: whatever parses
// must print to text that parses again to an equal tree and prints identically.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "promql/parser/parse.h"
#include "promql/parser/printer.h"

namespace {

[[noreturn]] void Fail(const char* what, const std::string& input, const std::string& a,
                       const std::string& b) {
  std::fprintf(stderr, "%s\ninput:  %s\nfirst:  %s\nsecond: %s\n", what, input.c_str(), a.c_str(),
               b.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace meridian::promql;
  if (size > 4096) return 0;
  std::string input(reinterpret_cast<const char*>(data), size);
  // Alternate between Prometheus's defaults and everything enabled.
  ParseOptions opts = (size % 2 == 0) ? ParseOptions::AllEnabled() : ParseOptions{};
  ParseResult r = ParseExpr(input, opts);
  if (!r.ok()) {
    (void)r.ErrorString();
    return 0;
  }
  std::string printed = ToString(*r.expr);
  ParseResult r2 = ParseExpr(printed, ParseOptions::AllEnabled());
  if (!r2.ok()) Fail("printed form does not parse", input, printed, r2.ErrorString());
  std::string printed2 = ToString(*r2.expr);
  if (printed2 != printed) Fail("printing is not stable", input, printed, printed2);
  if (!Equal(*r.expr, *r2.expr)) Fail("round trip changed the tree", input, printed, printed2);
  auto clone = r.expr->Clone();
  if (!Equal(*clone, *r.expr)) Fail("clone differs", input, printed, ToString(*clone));
  return 0;
}
