#include "services/reporting/api/business_metrics.h"

#include <map>
#include <string>

#include "common/status/status.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"

namespace lnob::reporting {

BusinessMetrics::BusinessMetrics(ReportingLogic* logic, prometheus::Registry& registry, const Clock& clock)
    : logic_(logic), clock_(clock), gauges_(registry, clock) {
  overdue_ = &gauges_.Add("lnob_reporting_overdue_reports",
                          "Reports due in the last 365 days whose period has no locked report of the province");
  next_due_ = &gauges_.Add("lnob_reporting_days_to_next_due",
                           "Days to the definition's next due date not yet met by a locked report");
}

absl::Status BusinessMetrics::Refresh() {
  LNOB_ASSIGN_OR_RETURN(auto d, logic_->ProvinceDeadlines());
  for (const auto& [code, n] : d.overdue) overdue_->Add({{"definition", code}}).Set(n);
  // A definition with nothing due any more loses its series rather than keeping its last value.
  std::map<std::string, prometheus::Gauge*> next;
  for (const auto& [code, days] : d.days_to_next_due) {
    prometheus::Gauge& g = next_due_->Add({{"definition", code}});
    g.Set(days);
    next[code] = &g;
  }
  for (const auto& [code, g] : next_due_series_) {
    if (!next.count(code)) next_due_->Remove(g);
  }
  next_due_series_ = std::move(next);
  return absl::OkStatus();
}

void BusinessMetrics::Start(absl::Duration interval) {
  gauges_.Start(interval, [this] { return Refresh(); });
}

}  // namespace lnob::reporting
