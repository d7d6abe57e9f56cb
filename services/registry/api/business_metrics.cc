#include "services/registry/api/business_metrics.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "common/status/status.h"
#include "common/util/date.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"

namespace lnob::registry {

BusinessMetrics::BusinessMetrics(HouseholdLogic* logic, prometheus::Registry& registry, const Clock& clock,
                                 SimulationLogic* simulations)
    : logic_(logic), simulations_(simulations), clock_(clock), gauges_(registry, clock) {
  households_ = &gauges_.Add("lnob_households",
                             "Households by district (pre-2025 geography) and official classification "
                             "at the end of the current year");
  escaped_ = &gauges_.Add("lnob_em_households_escaped_poverty_total",
                          "Ethnic-minority poor households out of poverty in the year "
                          "(ESCAPED_POOR + POOR_TO_NEAR_POOR)");
  targets_ = &gauges_.Add("lnob_movement_target", "Yearly threshold of each movement target");
  entering_ = &gauges_.Add("lnob_simulation_entering_poverty",
                           "Households not poor now and poor under the newest simulation's standard, by commune "
                           "(case: certain = in the best case too, possible = in the worst case)");
}

absl::Status BusinessMetrics::RefreshSimulation() {
  if (simulations_ == nullptr) return absl::OkStatus();
  LNOB_ASSIGN_OR_RETURN(auto latest, simulations_->Latest());
  std::vector<prometheus::Gauge*> shown;
  if (latest) {
    for (const auto& c : latest->by_commune()) {
      auto& certain = entering_->Add({{"commune", c.unit_code()}, {"case", "certain"}});
      certain.Set(static_cast<double>(c.entering_poverty_best()));
      auto& possible = entering_->Add({{"commune", c.unit_code()}, {"case", "possible"}});
      possible.Set(static_cast<double>(c.entering_poverty_worst()));
      shown.push_back(&certain);
      shown.push_back(&possible);
    }
  }
  for (auto* g : entering_shown_) {
    if (std::find(shown.begin(), shown.end(), g) == shown.end()) entering_->Remove(g);
  }
  entering_shown_ = std::move(shown);
  return absl::OkStatus();
}

absl::Status BusinessMetrics::Refresh() {
  server::Call system;
  system.principal.subject = "system:metrics";
  system.principal.grants = {"registry.statistics.read"};
  system.method = "BusinessMetrics";
  const int year = static_cast<int>(Today(clock_.Now()).year());
  // A new year starts from last year's classifications before anything is counted in it.
  if (auto rolled = logic_->RollForwardYears(); !rolled.ok()) return rolled.status();
  v1::GetStatisticsRequest req;
  req.set_year(year);
  req.set_unit_code("70");  // the province's districts as the 2021-2025 movement knew them
  req.set_by_child_unit(true);
  req.mutable_as_of()->set_year(2025);
  req.mutable_as_of()->set_month(6);
  req.mutable_as_of()->set_day(30);
  v1::Statistics stats;
  LNOB_RETURN_IF_ERROR(logic_->GetStatistics(system, req, &stats));
  std::map<std::pair<std::string, std::string>, int64_t> sums;
  for (const auto& r : stats.rows()) sums[{r.unit_code(), v1::HouseholdClass_Name(r.classification())}] += r.households();
  for (const auto& [key, n] : sums) {
    households_->Add({{"district", key.first}, {"classification", key.second}}).Set(static_cast<double>(n));
  }
  v1::ListTargetsResponse targets;
  LNOB_RETURN_IF_ERROR(logic_->ListTargets(system, {}, &targets));
  for (const auto& t : targets.targets()) {
    if (t.kind() != v1::MovementTarget::EM_POOR_ESCAPES_PER_YEAR) continue;
    targets_->Add({{"target", t.id()}}).Set(static_cast<double>(t.threshold()));
    v1::GetTargetProgressRequest preq;
    preq.set_name(t.name());
    v1::TargetProgress progress;
    LNOB_RETURN_IF_ERROR(logic_->GetTargetProgress(system, preq, &progress));
    for (const auto& y : progress.years()) {
      escaped_->Add({{"year", absl::StrCat(y.year())}}).Set(static_cast<double>(y.achieved()));
    }
  }
  return RefreshSimulation();
}

void BusinessMetrics::Start(absl::Duration interval) {
  gauges_.Start(interval, [this] { return Refresh(); });
}

}  // namespace lnob::registry
