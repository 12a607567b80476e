#include "tsdb/postings_for_matchers.h"

#include <algorithm>

namespace meridian::tsdb {
namespace {

using index::PostingsPtr;

// Series whose value of m.name() satisfies `accept` (a series lacking the label never does).
PostingsPtr PostingsWhere(const index::IndexReader& ix, const Matcher& m, bool want_match) {
  const bool positive_regex = m.type() == MatchType::kRegexp;
  const bool negative_regex = m.type() == MatchType::kNotRegexp;
  // Direct lookups when the accepted values are known literally.
  if (want_match && m.type() == MatchType::kEqual) return ix.Postings(m.name(), m.value());
  if (!want_match && m.type() == MatchType::kNotEqual) return ix.Postings(m.name(), m.value());
  if (!m.SetMatches().empty() &&
      ((want_match && positive_regex) || (!want_match && negative_regex))) {
    std::vector<std::string> values = m.SetMatches();
    std::sort(values.begin(), values.end());
    values.erase(std::unique(values.begin(), values.end()), values.end());
    return ix.PostingsForValues(m.name(), values);
  }
  return ix.PostingsMatching(m.name(),
                             [&](std::string_view v) { return m.Matches(v) == want_match; });
}

}  // namespace

index::PostingsPtr PostingsForMatchers(const index::IndexReader& ix, const Matchers& matchers) {
  std::vector<PostingsPtr> its;
  std::vector<PostingsPtr> nots;
  for (const auto& m : matchers) {
    if (!m) continue;
    if (m->type() == MatchType::kRegexp && m->value() == ".*") continue;  // accepts everything
    if (m->MatchesEmpty()) {
      nots.push_back(PostingsWhere(ix, *m, /*want_match=*/false));
    } else {
      its.push_back(PostingsWhere(ix, *m, /*want_match=*/true));
    }
  }
  if (its.empty()) its.push_back(ix.AllPostings());
  PostingsPtr p = index::Intersect(std::move(its));
  for (auto& n : nots) p = index::Without(std::move(p), std::move(n));
  return p;
}

}  // namespace meridian::tsdb
