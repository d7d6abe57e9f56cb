#ifndef LNOB_COMMON_UTIL_SHA256_H_
#define LNOB_COMMON_UTIL_SHA256_H_

#include <string>

#include "absl/strings/string_view.h"

namespace lnob {

// SHA-256 of `data`, as 64 lowercase hex digits.
std::string Sha256Hex(absl::string_view data);

}  // namespace lnob

#endif  // LNOB_COMMON_UTIL_SHA256_H_
