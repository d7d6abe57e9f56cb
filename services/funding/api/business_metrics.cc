#include "services/funding/api/business_metrics.h"

#include "common/util/date.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"

namespace lnob::funding {

BusinessMetrics::BusinessMetrics(FundingLogic* logic, const FeedConsumer* feed, prometheus::Registry& registry,
                                 const Clock& clock, const InspectionFollower* inspection)
    : logic_(logic), feed_(feed), inspection_(inspection), clock_(clock), gauges_(registry, clock) {
  ratio_ = &gauges_.Add("lnob_disbursement_ratio",
                        "Disbursed / allocated funds of the current year, province-wide, by funding source");
  allocated_ = &gauges_.Add("lnob_allocated_vnd",
                            "Funds allocated for the current year, province-wide, by funding source (VND)");
  disbursed_ = &gauges_.Add("lnob_disbursed_vnd",
                            "Funds disbursed against the current year's allocations, by funding source (VND)");
  auto& lags = gauges_.Add("lnob_change_feed_lag_seconds",
                           "How far a change-feed consumer is behind the feed it reads");
  lag_ = &lags.Add({{"consumer", "funding"}, {"feed", "registry"}});
  inspection_lag_ = inspection_ != nullptr ? &lags.Add({{"consumer", "funding"}, {"feed", "inspection"}}) : nullptr;
}

absl::Status BusinessMetrics::Refresh() {
  if (feed_ != nullptr) lag_->Set(feed_->LagSeconds());
  const int year = static_cast<int>(Today(clock_.Now()).year());
  auto rows = logic_->DisbursementBySource(year);
  if (!rows.ok()) return rows.status();
  for (const auto& r : *rows) {
    if (r.allocated_vnd() == 0) continue;
    ratio_->Add({{"source", r.source()}}).Set(r.disbursement_rate());
    allocated_->Add({{"source", r.source()}}).Set(static_cast<double>(r.allocated_vnd()));
    disbursed_->Add({{"source", r.source()}}).Set(static_cast<double>(r.disbursed_vnd()));
  }
  return absl::OkStatus();
}

void BusinessMetrics::Start(absl::Duration interval) {
  if (feed_ != nullptr) {
    tasks_.push_back(std::make_unique<PeriodicTask>(clock_, absl::Milliseconds(200), [this] {
      lag_->Set(feed_->LagSeconds());
      if (inspection_ != nullptr) inspection_lag_->Set(inspection_->LagSeconds());
    }));
  }
  gauges_.Start(interval, [this] { return Refresh(); });
}

}  // namespace lnob::funding
