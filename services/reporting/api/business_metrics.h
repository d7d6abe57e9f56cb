#ifndef LNOB_SERVICES_REPORTING_API_BUSINESS_METRICS_H_
#define LNOB_SERVICES_REPORTING_API_BUSINESS_METRICS_H_

// Reporting gauges for the dashboards and the overdue alert:
//   lnob_reporting_overdue_reports{definition}  reports due in the last 365 days whose period has
//                                               no locked report of the province
//   lnob_reporting_days_to_next_due{definition} days to the next due date not yet met

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/util/clock.h"
#include "common/metrics/gauge_set.h"
#include "common/util/periodic.h"
#include "services/reporting/domain/reporting_logic.h"

namespace lnob::reporting {

class BusinessMetrics {
 public:
  BusinessMetrics(ReportingLogic* logic, prometheus::Registry& registry, const Clock& clock);
  absl::Status Refresh();
  void Start(absl::Duration interval);

 private:
  ReportingLogic* logic_;
  const Clock& clock_;
  prometheus::Family<prometheus::Gauge>* overdue_;
  prometheus::Family<prometheus::Gauge>* next_due_;
  std::map<std::string, prometheus::Gauge*> next_due_series_;  // by definition, as last set
  metrics::GaugeSet gauges_;  // last: its refresh stops first
};

}  // namespace lnob::reporting

#endif  // LNOB_SERVICES_REPORTING_API_BUSINESS_METRICS_H_
