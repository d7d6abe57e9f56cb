#ifndef LNOB_SERVICES_REGISTRY_API_BUSINESS_METRICS_H_
#define LNOB_SERVICES_REGISTRY_API_BUSINESS_METRICS_H_

// Movement gauges for the dashboards, with bounded label cardinality (district and province
// level, never per household), refreshed from the maintained aggregates.
//   lnob_households{district, classification}          households at the end of this year
//   lnob_em_households_escaped_poverty_total{year}      EM poor households out of poverty
//   lnob_movement_target{target}                        the yearly threshold of each target
//   lnob_simulation_entering_poverty{commune, case}     the newest simulation's households not
//                                                       poor now and poor under its standard
//                                                       (case "certain" or "possible"); per
//                                                       commune, as the communes plan with it

#include <memory>
#include <vector>

#include "absl/time/time.h"
#include "common/metrics/gauge_set.h"
#include "common/util/periodic.h"
#include "services/registry/domain/household_logic.h"
#include "services/registry/domain/simulation_logic.h"

namespace lnob::registry {

class BusinessMetrics {
 public:
  // `simulations` may be null (no simulation gauge).
  BusinessMetrics(HouseholdLogic* logic, prometheus::Registry& registry, const Clock& clock,
                  SimulationLogic* simulations = nullptr);
  absl::Status Refresh();
  void Start(absl::Duration interval);  // refreshes in a background thread until destroyed

 private:
  absl::Status RefreshSimulation();

  HouseholdLogic* logic_;
  SimulationLogic* simulations_;
  const Clock& clock_;
  prometheus::Family<prometheus::Gauge>* households_;
  prometheus::Family<prometheus::Gauge>* escaped_;
  prometheus::Family<prometheus::Gauge>* targets_;
  prometheus::Family<prometheus::Gauge>* entering_;
  std::vector<prometheus::Gauge*> entering_shown_;  // removed when the newest simulation drops a commune
  metrics::GaugeSet gauges_;  // last: its refresh stops first
};

}  // namespace lnob::registry

#endif  // LNOB_SERVICES_REGISTRY_API_BUSINESS_METRICS_H_
