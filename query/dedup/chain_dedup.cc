#include "query/dedup/chain_dedup.h"

namespace meridian::query {

void ChainDedup(const std::vector<ReplicaSamples>& replicas, std::vector<int64_t>* ts, std::vector<double>* vs) {
  std::vector<size_t> pos(replicas.size(), 0);
  for (;;) {
    size_t best = replicas.size();
    for (size_t i = 0; i < replicas.size(); ++i) {
      if (pos[i] >= replicas[i].ts.size()) continue;
      if (best == replicas.size() || replicas[i].ts[pos[i]] < replicas[best].ts[pos[best]]) best = i;
    }
    if (best == replicas.size()) return;
    const int64_t t = replicas[best].ts[pos[best]];
    ts->push_back(t);
    vs->push_back(replicas[best].vs[pos[best]]);
    for (size_t i = 0; i < replicas.size(); ++i) {
      while (pos[i] < replicas[i].ts.size() && replicas[i].ts[pos[i]] <= t) ++pos[i];
    }
  }
}

}  // namespace meridian::query
