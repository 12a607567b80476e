// Every function: its arity limits and argument types are enforced as upstream declares them.

#include <gtest/gtest.h>

#include "promql/parser/functions.h"
#include "test_util.h"

namespace meridian::promql {
namespace {

using testing::Err;

// An argument expression of the given type.
std::string ArgOf(ValueType t) {
  switch (t) {
    case ValueType::kScalar: return "1";
    case ValueType::kVector: return "{a=\"b\"}";
    case ValueType::kMatrix: return "x[5m]";
    case ValueType::kString: return "\"s\"";
    default: return "1";
  }
}

// A value of a different type than t, to provoke a type error.
ValueType Other(ValueType t) {
  return t == ValueType::kString ? ValueType::kScalar : ValueType::kString;
}

std::string CallOf(const Function& f, size_t n, int wrong_index = -1) {
  std::string q(f.name);
  q += "(";
  for (size_t i = 0; i < n; ++i) {
    if (i > 0) q += ", ";
    ValueType t = f.ArgType(i);
    q += ArgOf(static_cast<int>(i) == wrong_index ? Other(t) : t);
  }
  return q + ")";
}

TEST(Functions, TableShape) {
  EXPECT_GE(AllFunctions().size(), 90u);
  EXPECT_EQ(FindFunction("rate")->arg_types, std::vector<ValueType>{ValueType::kMatrix});
  EXPECT_EQ(FindFunction("label_join")->variadic, -1);
  EXPECT_TRUE(FindFunction("info")->experimental);
  EXPECT_TRUE(FindFunction("double_exponential_smoothing")->experimental);
  EXPECT_FALSE(FindFunction("histogram_quantile")->experimental);
  EXPECT_EQ(FindFunction("time")->return_type, ValueType::kScalar);
  EXPECT_EQ(FindFunction("holt_winters"), nullptr);  // removed in 3.x
  EXPECT_EQ(FindFunction("Rate"), nullptr);
}

TEST(Functions, ArityAndTypesOfEveryFunction) {
  for (const Function* f : AllFunctions()) {
    SCOPED_TRACE(std::string(f->name));
    std::string fname = "\"" + std::string(f->name) + "\"";
    // info's second argument must be a label-only selector; covered in parser_test.
    size_t min = f->MinArgs();
    EXPECT_EQ(Err(CallOf(*f, min)), "OK") << CallOf(*f, min);
    if (f->MaxArgs() > static_cast<int>(min)) {
      EXPECT_EQ(Err(CallOf(*f, f->MaxArgs())), "OK") << CallOf(*f, f->MaxArgs());
    }
    if (f->variadic < 0) {
      EXPECT_EQ(Err(CallOf(*f, min + 5)), "OK");
    }
    if (min > 0) {
      std::string want = f->variadic == 0 ? "expected " + std::to_string(min) + " argument(s)"
                                          : "expected at least " + std::to_string(min) + " argument(s)";
      EXPECT_NE(Err(CallOf(*f, min - 1)).find(want + " in call to " + fname), std::string::npos)
          << Err(CallOf(*f, min - 1));
    }
    if (f->MaxArgs() >= 0) {
      std::string got = Err(CallOf(*f, f->MaxArgs() + 1));
      std::string want = f->variadic == 0 ? "expected " + std::to_string(f->MaxArgs()) + " argument(s)"
                                          : "expected at most " + std::to_string(f->MaxArgs()) + " argument(s)";
      EXPECT_NE(got.find(want), std::string::npos) << got;
    }
    for (size_t i = 0; i < min; ++i) {
      if (f->name == "info" && i == 1) continue;
      std::string got = Err(CallOf(*f, min, static_cast<int>(i)));
      std::string want = "expected type " + std::string(DocumentedType(f->ArgType(i))) +
                         " in call to function " + fname;
      EXPECT_NE(got.find(want), std::string::npos) << CallOf(*f, min, static_cast<int>(i)) << " -> " << got;
    }
  }
}

TEST(Functions, ReturnTypes) {
  auto r = testing::ParseAll("scalar(x)");
  EXPECT_EQ(r.expr->type(), ValueType::kScalar);
  r = testing::ParseAll("rate(x[1m])");
  EXPECT_EQ(r.expr->type(), ValueType::kVector);
  EXPECT_EQ(Err("rate(x)"), "1:6: parse error: expected type range vector in call to function \"rate\", got instant vector");
  EXPECT_EQ(Err("abs(x[1m])"), "1:5: parse error: expected type instant vector in call to function \"abs\", got range vector");
  EXPECT_EQ(Err("time(1)"), "1:1: parse error: expected 0 argument(s) in call to \"time\", got 1");
  EXPECT_EQ(Err("round(x, 1, 2)"), "1:1: parse error: expected at most 2 argument(s) in call to \"round\", got 3");
  EXPECT_EQ(Err("label_join(x)"), "1:1: parse error: expected at least 3 argument(s) in call to \"label_join\", got 1");
}

}  // namespace
}  // namespace meridian::promql
