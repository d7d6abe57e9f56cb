#ifndef LNOB_SERVICES_CAMPAIGNS_API_BUSINESS_METRICS_H_
#define LNOB_SERVICES_CAMPAIGNS_API_BUSINESS_METRICS_H_

// Campaigns gauges for the movement dashboard, province-wide, with bounded labels:
//   lnob_villages_without_activity{especially_difficult}  register villages with no activity
//                                                         this quarter ("true"/"false")
//   lnob_villages_registered{especially_difficult}        register villages in force
//   lnob_campaign_attendances{language}                   attendances this year by language
//                                                         ("" = not broken down)
//   lnob_prestigious_persons{reached}                     active this year, reached or not

#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/util/clock.h"
#include "common/metrics/gauge_set.h"
#include "common/util/periodic.h"
#include "services/campaigns/domain/campaigns_logic.h"

namespace lnob::campaigns {

class BusinessMetrics {
 public:
  BusinessMetrics(CampaignsLogic* logic, prometheus::Registry& registry, const Clock& clock);
  absl::Status Refresh();
  void Start(absl::Duration interval);

 private:
  CampaignsLogic* logic_;
  const Clock& clock_;
  prometheus::Family<prometheus::Gauge>* uncovered_;
  prometheus::Family<prometheus::Gauge>* villages_;
  prometheus::Family<prometheus::Gauge>* attendances_;
  prometheus::Family<prometheus::Gauge>* persons_;
  metrics::GaugeSet gauges_;  // last: its refresh stops first
};

}  // namespace lnob::campaigns

#endif  // LNOB_SERVICES_CAMPAIGNS_API_BUSINESS_METRICS_H_
