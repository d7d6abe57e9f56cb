#ifndef LNOB_COMMON_UTIL_DEADLINE_H_
#define LNOB_COMMON_UTIL_DEADLINE_H_

// The deadline of the call this thread serves, so that layers which do not see the call (the
// connection pool) can bound their work by it. Set by the server glue (Serve) for the
// handler's duration; InfiniteFuture() on threads that serve no call.

#include "absl/time/time.h"

namespace lnob {

absl::Time CurrentDeadline();

class ScopedDeadline {
 public:
  explicit ScopedDeadline(absl::Time deadline);
  ~ScopedDeadline();
  ScopedDeadline(const ScopedDeadline&) = delete;
  ScopedDeadline& operator=(const ScopedDeadline&) = delete;

 private:
  absl::Time previous_;
};

}  // namespace lnob

#endif  // LNOB_COMMON_UTIL_DEADLINE_H_
