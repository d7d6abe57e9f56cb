#ifndef LNOB_BENCH_BENCH_UTIL_H_
#define LNOB_BENCH_BENCH_UTIL_H_

// What the load generators share: --name=value arguments and percentiles.

#include <algorithm>
#include <string>
#include <vector>

namespace lnob::bench {

// --name=value, "true" for a bare --name, else def.
inline std::string Arg(int argc, char** argv, const std::string& name, const std::string& def) {
  const std::string prefix = "--" + name + "=";
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--" + name) return "true";
    if (a.rfind(prefix, 0) == 0) return a.substr(prefix.size());
  }
  return def;
}

inline double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))];
}

}  // namespace lnob::bench

#endif  // LNOB_BENCH_BENCH_UTIL_H_
