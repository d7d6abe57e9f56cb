#ifndef LNOB_COMMON_METRICS_GAUGE_SET_H_
#define LNOB_COMMON_METRICS_GAUGE_SET_H_

// A service's dashboard gauges: families registered by name, recomputed by one refresh
// function at an interval once the server serves. Every service's BusinessMetrics holds one.

#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/util/clock.h"
#include "common/util/periodic.h"

namespace prometheus {
class Registry;
class Gauge;
template <typename T>
class Family;
}  // namespace prometheus

namespace lnob::metrics {

class GaugeSet {
 public:
  GaugeSet(prometheus::Registry& registry, const Clock& clock) : registry_(registry), clock_(clock) {}
  ~GaugeSet() { task_.reset(); }  // the refresh stops before what it fills goes
  GaugeSet(const GaugeSet&) = delete;
  GaugeSet& operator=(const GaugeSet&) = delete;

  prometheus::Family<prometheus::Gauge>& Add(const std::string& name, const std::string& help);
  // `refresh` every `interval` in a background thread, a failure logged (the gauges keep their
  // last values); until destroyed.
  void Start(absl::Duration interval, std::function<absl::Status()> refresh) {
    task_ = RefreshEvery(clock_, interval, std::move(refresh));
  }

 private:
  prometheus::Registry& registry_;
  const Clock& clock_;
  std::unique_ptr<PeriodicTask> task_;
};

}  // namespace lnob::metrics

#endif  // LNOB_COMMON_METRICS_GAUGE_SET_H_
