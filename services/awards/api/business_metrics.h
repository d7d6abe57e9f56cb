#ifndef LNOB_SERVICES_AWARDS_API_BUSINESS_METRICS_H_
#define LNOB_SERVICES_AWARDS_API_BUSINESS_METRICS_H_

// Awards gauges for the movement dashboard, province-wide, for the last three years:
//   lnob_awards_nominations{year,state}   nominations of the year's round by state
//   lnob_awards_decided{year,form}        awards decided in the year (not revoked since), by form
//   lnob_awards_honoured{year,recipient}  of them: women, ethnic-minority people and households
//   lnob_awards_revoked{year}             awards revoked in the year

#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/util/clock.h"
#include "common/metrics/gauge_set.h"
#include "common/util/periodic.h"
#include "services/awards/domain/awards_logic.h"

namespace lnob::awards {

class BusinessMetrics {
 public:
  BusinessMetrics(AwardsLogic* logic, prometheus::Registry& registry, const Clock& clock);
  absl::Status Refresh();
  void Start(absl::Duration interval);

 private:
  AwardsLogic* logic_;
  const Clock& clock_;
  prometheus::Family<prometheus::Gauge>* nominations_;
  prometheus::Family<prometheus::Gauge>* decided_;
  prometheus::Family<prometheus::Gauge>* honoured_;
  prometheus::Family<prometheus::Gauge>* revoked_;
  metrics::GaugeSet gauges_;  // last: its refresh stops first
};

}  // namespace lnob::awards

#endif  // LNOB_SERVICES_AWARDS_API_BUSINESS_METRICS_H_
