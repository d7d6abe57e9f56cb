#ifndef LNOB_TOOLS_LNOBCTL_ARGS_H_
#define LNOB_TOOLS_LNOBCTL_ARGS_H_

// Command arguments of lnobctl: --flag=value, falling back to LNOB_<FLAG> in the environment.

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>

namespace lnob::ctl {

using Args = std::map<std::string, std::string>;

inline std::string Get(const Args& a, const std::string& k, const std::string& def = "") {
  auto it = a.find(k);
  if (it != a.end()) return it->second;
  std::string env = "LNOB_";
  for (char c : k) env += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (const char* v = std::getenv(env.c_str())) return v;
  return def;
}

inline int Fail(const std::string& msg) {
  std::fprintf(stderr, "lnobctl: %s\n", msg.c_str());
  return 1;
}

}  // namespace lnob::ctl

#endif  // LNOB_TOOLS_LNOBCTL_ARGS_H_
