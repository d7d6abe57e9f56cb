#include "services/inspection/api/business_metrics.h"

#include "common/status/status.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"

namespace lnob::inspection {

BusinessMetrics::BusinessMetrics(InspectionLogic* logic, prometheus::Registry& registry, const Clock& clock)
    : logic_(logic), clock_(clock) {
  overdue_ = &prometheus::BuildGauge()
                  .Name("lnob_inspection_recommendations_overdue")
                  .Help("Recommendations past their deadline and not done, province-wide")
                  .Register(registry);
  recommendations_ = &prometheus::BuildGauge()
                          .Name("lnob_inspection_recommendations")
                          .Help("Recommendations by status (open: not done), province-wide")
                          .Register(registry);
  holds_ = &prometheus::BuildGauge()
                .Name("lnob_inspection_holds_active")
                .Help("Findings whose hold on support lines is active, province-wide")
                .Register(registry);
  money_ = &prometheus::BuildGauge()
                .Name("lnob_inspection_money_vnd")
                .Help("Money to recover under financial recommendations: required and recovered (VND)")
                .Register(registry);
}

BusinessMetrics::~BusinessMetrics() { tasks_.clear(); }

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
  tasks_.push_back(RefreshEvery(clock_, interval, [this] { return Refresh(); }));
}

}  // namespace lnob::inspection
