#include "query/store_selection.h"

namespace meridian::query {

bool LabelSetsMatch(const std::vector<Labels>& label_sets, const Matchers& matchers) {
  if (label_sets.empty()) return true;
  for (const auto& set : label_sets) {
    bool ok = true;
    for (const auto& m : matchers) {
      if (set.Has(m->name()) && !m->Matches(set.Get(m->name()))) {
        ok = false;
        break;
      }
    }
    if (ok) return true;
  }
  return false;
}

bool StoreMatches(const StoreEndpoint& store, int64_t mint, int64_t maxt, const Matchers& matchers) {
  if (store.max_time < mint || store.min_time > maxt) return false;
  return LabelSetsMatch(store.label_sets, matchers);
}

}  // namespace meridian::query
