#ifndef LNOB_SERVICES_INSPECTION_API_BUSINESS_METRICS_H_
#define LNOB_SERVICES_INSPECTION_API_BUSINESS_METRICS_H_

// Inspection gauges for the movement dashboard and the overdue alert, province-wide:
//   lnob_inspection_recommendations_overdue     recommendations past their deadline, not done
//   lnob_inspection_recommendations{status}     recommendations by status (open, done)
//   lnob_inspection_holds_active                findings holding support lines in funding
//   lnob_inspection_money_vnd{kind}             required and recovered money (kind)

#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/util/clock.h"
#include "common/metrics/gauge_set.h"
#include "common/util/periodic.h"
#include "services/inspection/domain/inspection_logic.h"

namespace lnob::inspection {

class BusinessMetrics {
 public:
  BusinessMetrics(InspectionLogic* logic, prometheus::Registry& registry, const Clock& clock);
  absl::Status Refresh();
  void Start(absl::Duration interval);

 private:
  InspectionLogic* logic_;
  const Clock& clock_;
  prometheus::Family<prometheus::Gauge>* overdue_;
  prometheus::Family<prometheus::Gauge>* recommendations_;
  prometheus::Family<prometheus::Gauge>* holds_;
  prometheus::Family<prometheus::Gauge>* money_;
  metrics::GaugeSet gauges_;  // last: its refresh stops first
};

}  // namespace lnob::inspection

#endif  // LNOB_SERVICES_INSPECTION_API_BUSINESS_METRICS_H_
