#pragma once
// The PromQL function table (Prometheus 3.x promql/parser/functions.go): names, argument
// types, optional/variadic arguments, return type and whether the function is experimental.

#include <string_view>
#include <vector>

#include "promql/parser/value_type.h"

namespace meridian::promql {

struct Function {
  std::string_view name;
  std::vector<ValueType> arg_types;
  // 0: exactly arg_types.size() arguments. N > 0: the last arg type may appear from 0 to N
  // times (so between size()-1 and size()-1+N arguments). -1: the last one repeats without
  // limit (at least size()-1 arguments).
  int variadic = 0;
  ValueType return_type = ValueType::kVector;
  bool experimental = false;

  size_t MinArgs() const { return variadic == 0 ? arg_types.size() : arg_types.size() - 1; }
  // -1 when unlimited.
  int MaxArgs() const {
    if (variadic == 0) return static_cast<int>(arg_types.size());
    if (variadic < 0) return -1;
    return static_cast<int>(arg_types.size()) - 1 + variadic;
  }
  // Expected type of argument i (the last declared type repeats for variadic functions).
  ValueType ArgType(size_t i) const {
    if (arg_types.empty()) return ValueType::kNone;
    return i < arg_types.size() ? arg_types[i] : arg_types.back();
  }
};

// nullptr when unknown. Names are case-sensitive as upstream.
const Function* FindFunction(std::string_view name);
// All functions, sorted by name.
const std::vector<const Function*>& AllFunctions();

}  // namespace meridian::promql
