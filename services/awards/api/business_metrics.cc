#include "services/awards/api/business_metrics.h"

#include "absl/strings/str_cat.h"
#include "common/status/status.h"
#include "common/util/date.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"

namespace lnob::awards {

BusinessMetrics::BusinessMetrics(AwardsLogic* logic, prometheus::Registry& registry, const Clock& clock)
    : logic_(logic), clock_(clock), gauges_(registry, clock) {
  nominations_ = &gauges_.Add("lnob_awards_nominations",
                              "Nominations of the last three years' rounds (year) by state, province-wide");
  decided_ = &gauges_.Add("lnob_awards_decided",
                          "Awards decided in the year and not revoked since, by form, province-wide");
  honoured_ = &gauges_.Add("lnob_awards_honoured",
                           "Awards decided in the year to women, ethnic-minority people and households");
  revoked_ = &gauges_.Add("lnob_awards_revoked", "Awards revoked in the year, province-wide");
}

absl::Status BusinessMetrics::Refresh() {
  const int year = static_cast<int>(Today(clock_.Now()).year());
  // The last three years: a round is reviewed and decided in the year after its own.
  for (int y = year - 2; y <= year; ++y) {
    LNOB_ASSIGN_OR_RETURN(v1::Statistics s, logic_->ProvinceStatistics(y));
    const std::string label = absl::StrCat(y);
    // Every state gets a value, so a state that empties reads 0 rather than its last count.
    for (int i = v1::NominationState_MIN + 1; i <= v1::NominationState_MAX; ++i) {
      const std::string state = v1::NominationState_Name(static_cast<v1::NominationState>(i));
      auto it = s.nominations_by_state().find(state);
      nominations_->Add({{"year", label}, {"state", state}})
          .Set(it == s.nominations_by_state().end() ? 0.0 : static_cast<double>(it->second));
    }
    for (const auto& f : s.by_form()) {
      decided_->Add({{"year", label}, {"form", f.form_code()}}).Set(static_cast<double>(f.decided()));
    }
    honoured_->Add({{"year", label}, {"recipient", "women"}}).Set(static_cast<double>(s.women()));
    honoured_->Add({{"year", label}, {"recipient", "ethnic_minority_people"}})
        .Set(static_cast<double>(s.ethnic_minority_individuals()));
    honoured_->Add({{"year", label}, {"recipient", "ethnic_minority_households"}})
        .Set(static_cast<double>(s.ethnic_minority_households()));
    revoked_->Add({{"year", label}}).Set(static_cast<double>(s.revoked()));
  }
  return absl::OkStatus();
}

void BusinessMetrics::Start(absl::Duration interval) {
  gauges_.Start(interval, [this] { return Refresh(); });
}

}  // namespace lnob::awards
