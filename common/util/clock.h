#ifndef LNOB_COMMON_UTIL_CLOCK_H_
#define LNOB_COMMON_UTIL_CLOCK_H_

#include <atomic>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace lnob {

// Time source boundary; tests inject FakeClock.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
};

class RealClock : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
  static const Clock& Get() {
    static const RealClock clock;
    return clock;
  }
};

class FakeClock : public Clock {
 public:
  explicit FakeClock(absl::Time t) : nanos_(absl::ToUnixNanos(t)) {}
  absl::Time Now() const override { return absl::FromUnixNanos(nanos_.load()); }
  void Set(absl::Time t) { nanos_ = absl::ToUnixNanos(t); }
  void Advance(absl::Duration d) { nanos_ += absl::ToInt64Nanoseconds(d); }

 private:
  std::atomic<int64_t> nanos_;
};

}  // namespace lnob

#endif  // LNOB_COMMON_UTIL_CLOCK_H_
