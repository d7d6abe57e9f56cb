#include "services/campaigns/api/business_metrics.h"

#include "common/util/date.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"

namespace lnob::campaigns {

BusinessMetrics::BusinessMetrics(CampaignsLogic* logic, prometheus::Registry& registry, const Clock& clock)
    : logic_(logic), clock_(clock), gauges_(registry, clock) {
  uncovered_ = &gauges_.Add("lnob_villages_without_activity",
                            "Register villages with no communication activity this quarter, province-wide");
  villages_ = &gauges_.Add("lnob_villages_registered",
                           "Register villages in force at the end of this quarter, province-wide");
  attendances_ = &gauges_.Add("lnob_campaign_attendances",
                              "Attendances of this year's activities by language used (not unique people)");
  persons_ = &gauges_.Add("lnob_prestigious_persons",
                          "Prestigious persons active this year, reached by an activity or information or not");
}

absl::Status BusinessMetrics::Refresh() {
  server::Call system;
  system.principal.subject = "system:metrics";
  system.principal.grants = {"campaigns.read"};
  system.method = "BusinessMetrics";
  const absl::CivilDay today = Today(clock_.Now());
  const int year = static_cast<int>(today.year());
  v1::GetCoverageRequest cov_req;
  cov_req.mutable_period()->set_type(common::v1::Period::QUARTER);
  cov_req.mutable_period()->set_year(year);
  cov_req.mutable_period()->set_index((today.month() - 1) / 3 + 1);
  v1::Coverage cov;
  LNOB_RETURN_IF_ERROR(logic_->GetCoverage(system, cov_req, &cov));
  const int64_t hard_uncovered = cov.especially_difficult_without_activity();
  uncovered_->Add({{"especially_difficult", "true"}}).Set(static_cast<double>(hard_uncovered));
  uncovered_->Add({{"especially_difficult", "false"}})
      .Set(static_cast<double>(cov.villages_without_activity_size() - hard_uncovered));
  villages_->Add({{"especially_difficult", "true"}}).Set(static_cast<double>(cov.especially_difficult_villages()));
  villages_->Add({{"especially_difficult", "false"}})
      .Set(static_cast<double>(cov.villages() - cov.especially_difficult_villages()));
  v1::GetReachRequest reach_req;
  reach_req.mutable_period()->set_type(common::v1::Period::YEAR);
  reach_req.mutable_period()->set_year(year);
  reach_req.add_group_by(v1::BY_LANGUAGE);
  v1::Reach reach;
  LNOB_RETURN_IF_ERROR(logic_->GetReach(system, reach_req, &reach));
  for (const auto& r : reach.rows()) {
    attendances_->Add({{"language", r.code()}}).Set(static_cast<double>(r.attendances()));
  }
  v1::GetPersonCoverageRequest p_req;
  p_req.set_year(year);
  v1::PersonCoverage persons;
  LNOB_RETURN_IF_ERROR(logic_->GetPersonCoverage(system, p_req, &persons));
  persons_->Add({{"reached", "true"}}).Set(static_cast<double>(persons.reached()));
  persons_->Add({{"reached", "false"}}).Set(static_cast<double>(persons.active_persons() - persons.reached()));
  return absl::OkStatus();
}

void BusinessMetrics::Start(absl::Duration interval) {
  gauges_.Start(interval, [this] { return Refresh(); });
}

}  // namespace lnob::campaigns
