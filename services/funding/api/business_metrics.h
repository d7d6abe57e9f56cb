#ifndef LNOB_SERVICES_FUNDING_API_BUSINESS_METRICS_H_
#define LNOB_SERVICES_FUNDING_API_BUSINESS_METRICS_H_

// Funding gauges for the movement dashboard and the change-feed alert, with bounded labels:
//   lnob_disbursement_ratio{source}                 disbursed / allocated, province, this year
//   lnob_allocated_vnd{source}, lnob_disbursed_vnd{source}
//   lnob_change_feed_lag_seconds{consumer,feed}     how far the registry (and inspection) feed
//                                                   consumers are behind

#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/metrics/gauge_set.h"
#include "common/util/periodic.h"
#include "common/util/clock.h"
#include "services/funding/domain/feed_consumer.h"
#include "services/funding/domain/funding_logic.h"

namespace lnob::funding {

class BusinessMetrics {
 public:
  // inspection: the follower of inspection's feed, when funding follows it.
  BusinessMetrics(FundingLogic* logic, const FeedConsumer* feed, prometheus::Registry& registry, const Clock& clock,
                  const InspectionFollower* inspection = nullptr);
  absl::Status Refresh();
  void Start(absl::Duration interval);

 private:
  FundingLogic* logic_;
  const FeedConsumer* feed_;
  const InspectionFollower* inspection_;
  const Clock& clock_;
  prometheus::Family<prometheus::Gauge>* ratio_;
  prometheus::Family<prometheus::Gauge>* allocated_;
  prometheus::Family<prometheus::Gauge>* disbursed_;
  prometheus::Gauge* lag_;
  prometheus::Gauge* inspection_lag_;
  metrics::GaugeSet gauges_;
  std::vector<std::unique_ptr<PeriodicTask>> tasks_;  // the feed lags, every 200 ms
};

}  // namespace lnob::funding

#endif  // LNOB_SERVICES_FUNDING_API_BUSINESS_METRICS_H_
