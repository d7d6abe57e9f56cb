#ifndef LNOB_COMMON_UTIL_PERIODIC_H_
#define LNOB_COMMON_UTIL_PERIODIC_H_

// Background work on a period of the injected clock (gauges refreshed, health probed), so a
// test with a FakeClock decides when it runs. One thread per task; Stop() (or destruction)
// wakes it at once and joins it.

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/util/clock.h"

namespace lnob {

class PeriodicTask {
 public:
  // Runs fn at once (or, with run_at_once false, after the first interval), then whenever
  // `interval` has passed on `clock` since the last run. The clock is looked at every `tick`
  // of real time.
  PeriodicTask(const Clock& clock, absl::Duration interval, std::function<void()> fn,
               absl::Duration tick = absl::Milliseconds(100), bool run_at_once = true);
  ~PeriodicTask();
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;

  void Stop();
  int runs() const;  // how many times fn ran (tests)

 private:
  const Clock& clock_;
  const absl::Duration interval_, tick_;
  std::function<void()> fn_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  int runs_ = 0;
  std::thread thread_;
};

// A service's dashboard gauges: `refresh` every `interval`, a failure logged (the gauges keep
// their last values) rather than fatal.
std::unique_ptr<PeriodicTask> RefreshEvery(const Clock& clock, absl::Duration interval,
                                           std::function<absl::Status()> refresh);

}  // namespace lnob

#endif  // LNOB_COMMON_UTIL_PERIODIC_H_
