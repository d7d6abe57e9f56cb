// A unit's report rolled up from its child units' locked reports, by the definition's rules.

#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "common/api/proto_date.h"
#include "common/api/proto_json.h"
#include "common/api/request_id.h"
#include "common/api/resource_name.h"
#include "common/status/status.h"
#include "services/reporting/domain/owner_messages.h"
#include "services/reporting/domain/reporting_logic.h"

namespace lnob::reporting {

absl::Status ReportingLogic::RollUpReport(const C& c, const v1::RollUpReportRequest& req, v1::Report* out) {
  if (!api::ValidateRequestId(req.request_id()).ok()) return InvalidField("request_id", "must be a UUID");
  v1::Report r;
  r.set_definition(req.definition());
  *r.mutable_period() = req.period();
  r.set_unit_code(req.unit_code());
  *r.mutable_geography() = req.geography();
  LNOB_ASSIGN_OR_RETURN(v1::ReportDefinition d, Resolve(c, &r, "request"));
  const db::IdempotencyKey key = api::IdempotencyKeyFor(req, "RollUpReport", c.principal.subject);
  LNOB_ASSIGN_OR_RETURN(bool replayed, store_->Replay(key, out));
  if (replayed) return absl::OkStatus();
  // The unit's direct children on the report's geography, each with its locked report.
  LNOB_ASSIGN_OR_RETURN(auto graph, scope_->Graph());
  const absl::CivilDay geo = api::ProtoDay(r.geography());
  const std::vector<std::string> children = graph->ChildrenOf(r.unit_code(), geo);
  if (children.empty()) {
    return InvalidField("unit_code", absl::StrCat(r.unit_code(), " has no child units on ", api::ProtoDateText(r.geography()),
                                                  ": its report is composed from the owners"));
  }
  ReportKey k{.code = d.code(), .period = r.period(), .unit_code = "",
              .geography = api::ProtoDateText(r.geography()), .source = ""};
  LNOB_ASSIGN_OR_RETURN(auto locked, store_->LatestLocked(k, d.version(), children));
  std::vector<std::string> missing;
  for (const auto& child : children) {
    if (!locked.count(child)) missing.push_back(child);
  }
  if (!missing.empty()) {
    return WithReason(absl::FailedPreconditionError(absl::StrCat(
                          "a roll-up needs a locked report (", d.code(), " version ", d.version(), ", this period and "
                          "geography) of every child unit; none for: ", absl::StrJoin(missing, ", "))),
                      "CHILD_REPORTS_MISSING");
  }
  // Rolling up again amends the roll-up: its next revision (a draft is replaced, a locked one
  // stays; one in approval is returned first).
  ReportKey own{.code = d.code(), .period = r.period(), .unit_code = r.unit_code(),
                .geography = api::ProtoDateText(r.geography()), .source = "ROLL_UP"};
  LNOB_ASSIGN_OR_RETURN(auto prior, store_->FindLatest(own));
  std::string previous_id;
  if (prior) {
    if (prior->state() == "SUBMITTED" || prior->state() == "APPROVED") {
      return WithReason(absl::FailedPreconditionError(absl::StrCat(prior->name(), " is ", prior->state(),
                                                                   ": it is returned to draft before it is rolled up again")),
                        "IN_APPROVAL");
    }
    previous_id = api::IdOf(prior->name());
    r.set_amendment_reason("rolled up again from the child units' latest locked reports");
  }
  std::map<std::string, std::string> mode;
  for (const auto& rule : d.roll_up()) mode[rule.indicator()] = rule.mode();
  auto owner_read = [&](const std::string& code) { return mode[code] != "SUM"; };
  // Not additive: read from the owner for the parent unit, as a composition would.
  v1::Report owned = r;
  LNOB_RETURN_IF_ERROR(Compose(c, d, &owned, nullptr, owner_read));
  std::map<std::string, const v1::ReportInput*> from_owner;
  for (const auto& in : owned.inputs()) from_owner[in.indicator()] = &in;
  LNOB_ASSIGN_OR_RETURN(auto ratios, store_->RollUpRatios());
  std::vector<std::string> child_names;
  for (const auto& child : children) child_names.push_back(locked.at(child).name());
  r.set_source("ROLL_UP");
  for (const auto& n : child_names) r.add_rolled_up_from(n);
  for (const auto& section : d.sections()) {
    for (const auto& ind : section.indicators()) {
      if (!internal::IndicatorApplies(ind.first_year(), ind.last_year(), r.period().year())) continue;
      if (owner_read(ind.code())) {
        *r.add_inputs() = *from_owner.at(ind.code());
        continue;
      }
      std::vector<std::pair<std::string, std::string>> values;
      for (const auto& child : children) {
        for (const auto& in : locked.at(child).inputs()) {
          if (in.indicator() == ind.code()) values.emplace_back(child, in.value_json());
        }
      }
      const auto* field = internal::SelectedField(ind.method(), ind.select());
      if (field == nullptr) return absl::InternalError(absl::StrCat(ind.code(), ": no field ", ind.select()));
      const bool by_child = absl::StrContains(ind.params_json(), "\"by_child_unit\"");
      auto sum = internal::SumValues(field, values, by_child, ratios);
      if (!sum.ok()) return absl::Status(sum.status().code(), absl::StrCat(ind.code(), ": ", sum.status().message()));
      v1::ReportInput* in = r.add_inputs();
      in->set_section(section.code());
      in->set_indicator(ind.code());
      in->set_label(ind.label());
      in->set_owner(ind.owner());
      in->set_method(ind.method());
      in->set_request_json(absl::StrCat("{\"roll_up_of\":[\"", absl::StrJoin(child_names, "\",\""), "\"]}"));
      in->set_value_json(*sum);
      *in->mutable_read_time() = api::ToProtoTimestamp(clock_.Now());
      in->set_unit_of_measure(ind.unit_of_measure());
      in->set_confirmed(ind.confirmed());
      in->set_source("ROLL_UP");
    }
  }
  LNOB_ASSIGN_OR_RETURN(*out, store_->CreateReport(r, c.principal.subject, previous_id, key));
  AddDiff(out);
  return absl::OkStatus();
}

}  // namespace lnob::reporting
