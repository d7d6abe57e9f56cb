#include "services/awards/api/business_metrics.h"

#include "absl/strings/str_cat.h"
#include "common/status/status.h"
#include "common/util/date.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"

namespace lnob::awards {

BusinessMetrics::BusinessMetrics(AwardsLogic* logic, prometheus::Registry& registry, const Clock& clock)
    : logic_(logic), clock_(clock) {
  nominations_ = &prometheus::BuildGauge()
                      .Name("lnob_awards_nominations")
                      .Help("Nominations of last year's and this year's rounds by state, province-wide")
                      .Register(registry);
  decided_ = &prometheus::BuildGauge()
                  .Name("lnob_awards_decided")
                  .Help("Awards decided this calendar year and not revoked, by form, province-wide")
                  .Register(registry);
  honoured_ = &prometheus::BuildGauge()
                   .Name("lnob_awards_honoured")
                   .Help("Awards decided this calendar year to women, ethnic-minority people and households")
                   .Register(registry);
  revoked_ = &prometheus::BuildGauge()
                 .Name("lnob_awards_revoked")
                 .Help("Awards revoked this calendar year, province-wide")
                 .Register(registry);
}

BusinessMetrics::~BusinessMetrics() { tasks_.clear(); }

absl::Status BusinessMetrics::Refresh() {
  const int year = static_cast<int>(Today(clock_.Now()).year());
  for (int y : {year - 1, year}) {
    LNOB_ASSIGN_OR_RETURN(v1::Statistics s, logic_->ProvinceStatistics(y));
    // Every state gets a value, so a state that empties reads 0 rather than its last count.
    for (int i = v1::NominationState_MIN + 1; i <= v1::NominationState_MAX; ++i) {
      const std::string state = v1::NominationState_Name(static_cast<v1::NominationState>(i));
      auto it = s.nominations_by_state().find(state);
      nominations_->Add({{"year", absl::StrCat(y)}, {"state", state}})
          .Set(it == s.nominations_by_state().end() ? 0.0 : static_cast<double>(it->second));
    }
    if (y != year) continue;
    for (const auto& f : s.by_form()) decided_->Add({{"form", f.form_code()}}).Set(static_cast<double>(f.decided()));
    honoured_->Add({{"recipient", "women"}}).Set(static_cast<double>(s.women()));
    honoured_->Add({{"recipient", "ethnic_minority_people"}}).Set(static_cast<double>(s.ethnic_minority_individuals()));
    honoured_->Add({{"recipient", "ethnic_minority_households"}})
        .Set(static_cast<double>(s.ethnic_minority_households()));
    revoked_->Add({}).Set(static_cast<double>(s.revoked()));
  }
  return absl::OkStatus();
}

void BusinessMetrics::Start(absl::Duration interval) {
  tasks_.push_back(RefreshEvery(clock_, interval, [this] { return Refresh(); }));
}

}  // namespace lnob::awards
