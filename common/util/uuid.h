#ifndef LNOB_COMMON_UTIL_UUID_H_
#define LNOB_COMMON_UTIL_UUID_H_

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace lnob {

// RFC 9562 UUIDv7: 48-bit Unix milliseconds then random bits. Time-ordered keys keep B-tree
// inserts local, which matters for bulk loads.
std::string NewUuidV7(absl::Time now);
bool IsUuid(absl::string_view s);

}  // namespace lnob

#endif  // LNOB_COMMON_UTIL_UUID_H_
