#ifndef LNOB_SERVICES_REGISTRY_API_BUSINESS_METRICS_H_
#define LNOB_SERVICES_REGISTRY_API_BUSINESS_METRICS_H_

// Movement gauges for the dashboards, with bounded label cardinality (district and province
// level only, never per household or commune), refreshed from the maintained aggregates.
//   lnob_households{district, classification}          households at the end of this year
//   lnob_em_households_escaped_poverty_total{year}      EM poor households out of poverty
//   lnob_movement_target{target}                        the yearly threshold of each target

#include <memory>
#include <vector>

#include "absl/time/time.h"
#include "common/metrics/gauge_set.h"
#include "common/util/periodic.h"
#include "services/registry/domain/household_logic.h"

namespace lnob::registry {

class BusinessMetrics {
 public:
  BusinessMetrics(HouseholdLogic* logic, prometheus::Registry& registry, const Clock& clock);
  absl::Status Refresh();
  void Start(absl::Duration interval);  // refreshes in a background thread until destroyed

 private:
  HouseholdLogic* logic_;
  const Clock& clock_;
  prometheus::Family<prometheus::Gauge>* households_;
  prometheus::Family<prometheus::Gauge>* escaped_;
  prometheus::Family<prometheus::Gauge>* targets_;
  metrics::GaugeSet gauges_;  // last: its refresh stops first
};

}  // namespace lnob::registry

#endif  // LNOB_SERVICES_REGISTRY_API_BUSINESS_METRICS_H_
