#ifndef LNOB_COMMON_UTIL_EMBEDDED_H_
#define LNOB_COMMON_UTIL_EMBEDDED_H_

#include <string>

namespace lnob {

// A data file compiled into the binary (see cmake/embed.cmake).
struct EmbeddedFile {
  std::string name;
  std::string content;
};

}  // namespace lnob

#endif  // LNOB_COMMON_UTIL_EMBEDDED_H_
