#include "services/reporting/domain/reporting_logic.h"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/api/period.h"
#include "common/api/proto_date.h"
#include "common/api/resource_name.h"
#include "common/status/status.h"

namespace lnob::reporting {
namespace {

using Period = common::v1::Period;

// The periods of a type in a year.
std::vector<Period> PeriodsOf(Period::Type type, int year) {
  const int n = type == Period::MONTH ? 12 : type == Period::QUARTER ? 4 : type == Period::HALF_YEAR ? 2 : 1;
  std::vector<Period> out;
  for (int i = 1; i <= n; ++i) {
    Period p;
    p.set_type(type);
    p.set_year(year);
    if (type != Period::YEAR) p.set_index(i);
    out.push_back(p);
  }
  return out;
}

bool InForceDuring(const v1::ReportDefinition& d, int year) {
  const absl::CivilDay first(year, 1, 1), last(year, 12, 31);
  if (api::ProtoDay(d.valid_from()) > last) return false;
  return !api::IsSet(d.valid_to()) || api::ProtoDay(d.valid_to()) >= first;
}

}  // namespace

absl::Status ReportingLogic::ListReportDefinitions(const C&, const v1::ListReportDefinitionsRequest& req,
                                                   v1::ListReportDefinitionsResponse* out) {
  LNOB_ASSIGN_OR_RETURN(auto all, store_->ListDefinitions());
  std::vector<v1::ReportDefinition> shown;
  for (size_t i = 0; i < all.size(); ++i) {
    // Ordered by code then version: the latest is the last of its code.
    const bool latest = i + 1 == all.size() || all[i + 1].code() != all[i].code();
    if (req.all_versions() || latest) shown.push_back(std::move(all[i]));
  }
  LNOB_ASSIGN_OR_RETURN(auto page, api::PageOf(tokens_, req, std::move(shown), out->mutable_next_page_token()));
  for (auto& d : page) *out->add_definitions() = std::move(d);
  return absl::OkStatus();
}

absl::Status ReportingLogic::GetReportDefinition(const C&, const v1::GetReportDefinitionRequest& req,
                                                 v1::ReportDefinition* out) {
  const std::string kPrefix = "reportDefinitions/";
  if (req.name().rfind(kPrefix, 0) != 0 || req.name().size() == kPrefix.size()) {
    return InvalidField("name", "must be reportDefinitions/{code}");
  }
  if (req.version() < 0) return InvalidField("version", "must be a version number (default: the latest)");
  const std::string code = req.name().substr(kPrefix.size());
  LNOB_ASSIGN_OR_RETURN(auto all, store_->ListDefinitions());
  const v1::ReportDefinition* found = nullptr;
  for (const auto& d : all) {
    if (d.code() == code && (req.version() == 0 || d.version() == req.version())) found = &d;
  }
  if (found == nullptr) {
    return api::NotFound(req.version() == 0 ? req.name() : absl::StrCat(req.name(), " version ", req.version()));
  }
  *out = *found;
  return absl::OkStatus();
}

absl::Status ReportingLogic::GetReportCalendar(const C&, const v1::GetReportCalendarRequest& req,
                                               v1::ReportCalendar* out) {
  if (req.year() < 2000 || req.year() > 2100) return InvalidField("year", "is required, 2000-2100");
  LNOB_ASSIGN_OR_RETURN(auto all, store_->ListDefinitions());
  // Each code's latest version in force during the year.
  std::map<std::string, const v1::ReportDefinition*> current;
  for (const auto& d : all) {
    if (InForceDuring(d, req.year())) current[d.code()] = &d;
  }
  out->set_year(req.year());
  std::vector<v1::DueReport> due;
  for (const auto& [code, d] : current) {
    for (const auto& rule : d->due_rules()) {
      for (const auto& p : PeriodsOf(rule.period_type(), req.year())) {
        LNOB_ASSIGN_OR_RETURN(api::DayRange days, api::ResolvePeriod(p, "period"));
        const absl::CivilDay day = rule.kind() == "FIXED_DATE"
                                       ? absl::CivilDay(req.year() + rule.year_offset(), rule.month(), rule.day())
                                       : days.last + rule.days();
        v1::DueReport r;
        r.set_definition(d->name());
        r.set_version(d->version());
        *r.mutable_period() = p;
        *r.mutable_due_date() = api::ToProtoDate(day);
        r.set_rule(rule.description());
        r.set_confirmed(rule.confirmed());
        due.push_back(std::move(r));
      }
    }
  }
  std::stable_sort(due.begin(), due.end(), [](const v1::DueReport& a, const v1::DueReport& b) {
    return api::ProtoDay(a.due_date()) < api::ProtoDay(b.due_date());
  });
  for (auto& r : due) *out->add_due() = std::move(r);
  return absl::OkStatus();
}

}  // namespace lnob::reporting
