#include "services/inspection/api/business_metrics.h"

#include "common/status/status.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"

namespace lnob::inspection {

BusinessMetrics::BusinessMetrics(InspectionLogic* logic, prometheus::Registry& registry, const Clock& clock)
    : logic_(logic), clock_(clock), gauges_(registry, clock) {
  overdue_ = &gauges_.Add("lnob_inspection_recommendations_overdue",
                          "Recommendations past their deadline and not done, province-wide");
  recommendations_ = &gauges_.Add("lnob_inspection_recommendations",
                                  "Recommendations by status (open: not done), province-wide");
  holds_ = &gauges_.Add("lnob_inspection_holds_active",
                        "Findings whose hold on support lines is active, province-wide");
  money_ = &gauges_.Add("lnob_inspection_money_vnd",
                        "Money to recover under financial recommendations: required and recovered (VND)");
}

absl::Status BusinessMetrics::Refresh() {
  LNOB_ASSIGN_OR_RETURN(v1::Statistics s, logic_->ProvinceStatistics());
  overdue_->Add({}).Set(static_cast<double>(s.recommendations_overdue()));
  recommendations_->Add({{"status", "done"}}).Set(static_cast<double>(s.recommendations_done()));
  recommendations_->Add({{"status", "open"}}).Set(static_cast<double>(s.recommendations() - s.recommendations_done()));
  holds_->Add({}).Set(static_cast<double>(s.holds_active()));
  money_->Add({{"kind", "required"}}).Set(static_cast<double>(s.required_vnd()));
  money_->Add({{"kind", "recovered"}}).Set(static_cast<double>(s.recovered_vnd()));
  return absl::OkStatus();
}

void BusinessMetrics::Start(absl::Duration interval) {
  gauges_.Start(interval, [this] { return Refresh(); });
}

}  // namespace lnob::inspection
