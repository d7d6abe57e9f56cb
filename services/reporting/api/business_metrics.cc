#include "services/reporting/api/business_metrics.h"

#include "common/status/status.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"

namespace lnob::reporting {

BusinessMetrics::BusinessMetrics(ReportingLogic* logic, prometheus::Registry& registry, const Clock& clock)
    : logic_(logic), clock_(clock) {
  overdue_ = &prometheus::BuildGauge()
                  .Name("lnob_reporting_overdue_reports")
                  .Help("Reports due in the last 365 days whose period has no locked report of the province")
                  .Register(registry);
  next_due_ = &prometheus::BuildGauge()
                   .Name("lnob_reporting_days_to_next_due")
                   .Help("Days to the definition's next due date not yet met by a locked report")
                   .Register(registry);
}

BusinessMetrics::~BusinessMetrics() { tasks_.clear(); }

absl::Status BusinessMetrics::Refresh() {
  LNOB_ASSIGN_OR_RETURN(auto d, logic_->ProvinceDeadlines());
  for (const auto& [code, n] : d.overdue) overdue_->Add({{"definition", code}}).Set(n);
  for (const auto& [code, days] : d.days_to_next_due) next_due_->Add({{"definition", code}}).Set(days);
  return absl::OkStatus();
}

void BusinessMetrics::Start(absl::Duration interval) {
  tasks_.push_back(RefreshEvery(clock_, interval, [this] { return Refresh(); }));
}

}  // namespace lnob::reporting
