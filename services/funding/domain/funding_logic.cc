#include "services/funding/domain/funding_logic.h"

#include <algorithm>

#include "absl/algorithm/container.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "common/api/period.h"
#include "common/api/proto_date.h"
#include "common/api/request_id.h"
#include "common/api/resource_name.h"
#include "common/status/status.h"
#include "common/util/text.h"
#include "common/util/date.h"
#include "common/util/uuid.h"

namespace lnob::funding {
namespace {

// The registry's one definition of escaping poverty (its table transition_groups).
constexpr char kEscapedGroup[] = "ESCAPED";

}  // namespace

// ---- allocations and disbursements ----

absl::Status FundingLogic::SetAllocation(const C& c, const v1::SetAllocationRequest& req, v1::Allocation* out) {
  if (auto st = api::ValidateRequestId(req.request_id()); !st.ok()) return st;
  const auto& a = req.allocation();
  LNOB_RETURN_IF_ERROR(CheckYear(a.year(), "allocation.year"));
  LNOB_ASSIGN_OR_RETURN(Catalogue cat, s_.LoadCatalogue());
  LNOB_RETURN_IF_ERROR(s_.CheckNode(cat, a.node_code(), a.year(), "allocation.node_code"));
  if (!cat.sources.count(a.source())) return InvalidField("allocation.source", "unknown funding source");
  if (a.amount_vnd() < 0) return InvalidField("allocation.amount_vnd", "must not be negative");
  LNOB_RETURN_IF_ERROR(CheckTextLength(req.reason(), "reason", 1000));
  LNOB_RETURN_IF_ERROR(s_.ResolveUnit(a.unit_code(), a.year(), "allocation.unit_code").status());
  LNOB_RETURN_IF_ERROR(s_.RequireScope(c.principal, a.unit_code(), a.year(), "allocation.unit_code"));
  LNOB_ASSIGN_OR_RETURN(*out, s_.ledger->SetAllocation(a, req.reason(), req.etag(), c.principal.subject,
                                                    api::IdempotencyKeyFor(req, "SetAllocation", c.principal.subject)));
  return absl::OkStatus();
}

template <typename Req>
absl::StatusOr<AllocationQuery> FundingLogic::MoneyQuery(const C& c, const Req& req) {
  LNOB_RETURN_IF_ERROR(CheckYear(req.year(), "year"));
  AllocationQuery q;
  q.year = req.year();
  LNOB_ASSIGN_OR_RETURN(q.units, s_.ScopeFilter(c.principal, req.unit_code(), req.year(), "unit_code"));
  if (!req.node_code().empty()) {
    LNOB_ASSIGN_OR_RETURN(auto nodes, s_.catalogue->Subtree(req.node_code(), absl::CivilDay(req.year(), 12, 31)));
    q.nodes = std::move(nodes);
  }
  q.source = req.source();
  return q;
}

absl::Status FundingLogic::ListAllocations(const C& c, const v1::ListAllocationsRequest& req,
                                           v1::ListAllocationsResponse* out) {
  LNOB_ASSIGN_OR_RETURN(AllocationQuery q, MoneyQuery(c, req));
  LNOB_ASSIGN_OR_RETURN(
      auto rows,
      api::FetchPage<v1::Allocation>(
          s_.tokens, req,
          [&](const std::string& after, int limit) {
            q.after_id = after;
            q.limit = limit;
            return s_.ledger->ListAllocations(q);
          },
          [](const v1::Allocation& a) { return api::IdOf(a.name()); }, out->mutable_next_page_token()));
  for (auto& a : rows) *out->add_allocations() = std::move(a);
  return absl::OkStatus();
}

absl::StatusOr<v1::Allocation> FundingLogic::VisibleAllocation(const C& c, const std::string& name) {
  LNOB_ASSIGN_OR_RETURN(std::string id, api::ParseUuidId(name, "allocations", "name"));
  auto a = s_.ledger->GetAllocation(id);
  if (!a.ok()) return a.status().code() == absl::StatusCode::kNotFound ? api::NotFound(name) : a.status();
  LNOB_ASSIGN_OR_RETURN(bool ok, s_.InScope(c.principal, a->unit_code(), a->year()));
  if (!ok) return api::NotFound(name);
  return *a;
}

absl::Status FundingLogic::GetAllocation(const C& c, const v1::GetAllocationRequest& req, v1::Allocation* out) {
  LNOB_ASSIGN_OR_RETURN(*out, VisibleAllocation(c, req.name()));
  return absl::OkStatus();
}

absl::Status FundingLogic::ListAllocationRevisions(const C& c, const v1::ListAllocationRevisionsRequest& req,
                                                   v1::ListAllocationRevisionsResponse* out) {
  LNOB_ASSIGN_OR_RETURN(v1::Allocation a, VisibleAllocation(c, req.name()));
  LNOB_ASSIGN_OR_RETURN(auto revs, s_.ledger->ListRevisions(api::IdOf(a.name())));
  LNOB_ASSIGN_OR_RETURN(auto page, api::PageOf(s_.tokens, req, std::move(revs), out->mutable_next_page_token()));
  for (auto& r : page) *out->add_revisions() = std::move(r);
  return absl::OkStatus();
}

absl::Status FundingLogic::RecordDisbursement(const C& c, const v1::RecordDisbursementRequest& req,
                                              v1::Disbursement* out) {
  if (auto st = api::ValidateRequestId(req.request_id()); !st.ok()) return st;
  const auto& d = req.disbursement();
  LNOB_RETURN_IF_ERROR(CheckYear(d.year(), "disbursement.year"));
  LNOB_ASSIGN_OR_RETURN(Catalogue cat, s_.LoadCatalogue());
  LNOB_RETURN_IF_ERROR(s_.CheckNode(cat, d.node_code(), d.year(), "disbursement.node_code"));
  if (!cat.sources.count(d.source())) return InvalidField("disbursement.source", "unknown funding source");
  if (d.amount_vnd() <= 0) return InvalidField("disbursement.amount_vnd", "must be positive");
  LNOB_RETURN_IF_ERROR(CheckTextLength(d.note(), "disbursement.note", 1000));
  LNOB_ASSIGN_OR_RETURN(absl::CivilDay date, api::FromProtoDate(d.date(), "disbursement.date"));
  if (date.year() < d.year() || date.year() > d.year() + 1) {
    return InvalidField("disbursement.date", "must fall in the allocation's year or the next (carry-over)");
  }
  if (date > s_.Today()) return InvalidField("disbursement.date", "must not be in the future");
  if (!d.support_line().empty()) {
    LNOB_ASSIGN_OR_RETURN(v1::SupportLine line, s_.VisibleLine(c, d.support_line(), "disbursement.support_line"));
    LNOB_RETURN_IF_ERROR(NotHeld(line, "disbursement.support_line"));
  }
  LNOB_RETURN_IF_ERROR(s_.ResolveUnit(d.unit_code(), d.year(), "disbursement.unit_code").status());
  LNOB_RETURN_IF_ERROR(s_.RequireScope(c.principal, d.unit_code(), d.year(), "disbursement.unit_code"));
  LNOB_ASSIGN_OR_RETURN(*out, s_.ledger->RecordDisbursement(d, c.principal.subject, api::IdempotencyKeyFor(req, "RecordDisbursement", c.principal.subject)));
  return absl::OkStatus();
}

absl::Status FundingLogic::ListDisbursements(const C& c, const v1::ListDisbursementsRequest& req,
                                             v1::ListDisbursementsResponse* out) {
  LNOB_ASSIGN_OR_RETURN(AllocationQuery q, MoneyQuery(c, req));
  LNOB_ASSIGN_OR_RETURN(
      auto rows,
      api::FetchPage<v1::Disbursement>(
          s_.tokens, req,
          [&](const std::string& after, int limit) {
            q.after_id = after;
            q.limit = limit;
            return s_.ledger->ListDisbursements(q);
          },
          [](const v1::Disbursement& d) { return api::IdOf(d.name()); }, out->mutable_next_page_token()));
  for (auto& d : rows) *out->add_disbursements() = std::move(d);
  return absl::OkStatus();
}

// ---- plans ----

absl::Status FundingLogic::ValidatePlanLines(Catalogue& cat,
                                             const google::protobuf::RepeatedPtrField<v1::PlanLine>& lines, int year,
                                             const std::string& prefix) {
  std::set<std::pair<std::string, std::string>> seen;
  for (int i = 0; i < lines.size(); ++i) {
    const auto& l = lines[i];
    const std::string p = absl::StrCat(prefix, "[", i, "].");
    LNOB_RETURN_IF_ERROR(s_.CheckNode(cat, l.node_code(), year, p + "node_code"));
    if (!cat.sources.count(l.source())) return InvalidField(p + "source", "unknown funding source");
    if (l.amount_vnd() <= 0) return InvalidField(p + "amount_vnd", "must be positive");
    if (l.households() < 0) return InvalidField(p + "households", "must not be negative");
    if (!seen.insert({l.node_code(), l.source()}).second) {
      return InvalidField(p + "source", "the plan already has a line for this node and source");
    }
  }
  return absl::OkStatus();
}

absl::Status FundingLogic::CreatePlan(const C& c, const v1::CreatePlanRequest& req, v1::Plan* out) {
  if (auto st = api::ValidateRequestId(req.request_id()); !st.ok()) return st;
  const auto& p = req.plan();
  LNOB_RETURN_IF_ERROR(CheckYear(p.year(), "plan.year"));
  LNOB_ASSIGN_OR_RETURN(UnitInfo unit, s_.ResolveUnit(p.unit_code(), p.year(), "plan.unit_code"));
  // Which levels make plans in the year is data (plan_levels): districts until the district
  // level ended on 1 July 2025, communes from then on; 2025 has both.
  LNOB_ASSIGN_OR_RETURN(PlanLevelRule levels, s_.ledger->PlanLevels(p.year()));
  const std::string level = unit.level == 2 ? "district" : unit.level == 3 ? "commune" : "";
  if (!absl::c_linear_search(levels.allowed, level)) {
    return InvalidField("plan.unit_code", absl::StrCat("plans for ", p.year(), " are made per ",
                                                       absl::StrJoin(levels.allowed, " or "), " (", levels.legal_doc, ")"));
  }
  LNOB_RETURN_IF_ERROR(s_.RequireScope(c.principal, p.unit_code(), p.year(), "plan.unit_code"));
  LNOB_ASSIGN_OR_RETURN(Catalogue cat, s_.LoadCatalogue());
  LNOB_RETURN_IF_ERROR(ValidatePlanLines(cat, p.lines(), p.year(), "plan.lines"));
  LNOB_ASSIGN_OR_RETURN(*out, s_.ledger->CreatePlan(p, c.principal.subject, api::IdempotencyKeyFor(req, "CreatePlan", c.principal.subject)));
  return absl::OkStatus();
}

absl::StatusOr<v1::Plan> FundingLogic::VisiblePlan(const C& c, const std::string& name) {
  LNOB_ASSIGN_OR_RETURN(std::string id, api::ParseUuidId(name, "plans", "name"));
  auto p = s_.ledger->GetPlan(id);
  if (!p.ok()) return p.status().code() == absl::StatusCode::kNotFound ? api::NotFound(name) : p.status();
  LNOB_ASSIGN_OR_RETURN(bool ok, s_.InScope(c.principal, p->unit_code(), p->year()));
  if (!ok) return api::NotFound(name);
  return *p;
}

absl::Status FundingLogic::GetPlan(const C& c, const v1::GetPlanRequest& req, v1::Plan* out) {
  LNOB_ASSIGN_OR_RETURN(*out, VisiblePlan(c, req.name()));
  return absl::OkStatus();
}

absl::Status FundingLogic::ListPlans(const C& c, const v1::ListPlansRequest& req, v1::ListPlansResponse* out) {
  LNOB_RETURN_IF_ERROR(CheckYear(req.year(), "year"));
  PlanQuery q;
  q.year = req.year();
  LNOB_ASSIGN_OR_RETURN(q.units, s_.ScopeFilter(c.principal, req.unit_code(), req.year(), "unit_code"));
  if (req.state() != v1::PLAN_STATE_UNSPECIFIED) {
    if (!v1::PlanState_IsValid(req.state())) return InvalidField("state", "unknown state");
    q.state = v1::PlanState_Name(req.state());
  }
  LNOB_ASSIGN_OR_RETURN(
      auto rows, api::FetchPage<v1::Plan>(
                     s_.tokens, req,
                     [&](const std::string& after, int limit) {
                       q.after_id = after;
                       q.limit = limit;
                       return s_.ledger->ListPlans(q);
                     },
                     [](const v1::Plan& p) { return api::IdOf(p.name()); }, out->mutable_next_page_token()));
  for (auto& p : rows) *out->add_plans() = std::move(p);
  return absl::OkStatus();
}

absl::Status FundingLogic::UpdatePlanLines(const C& c, const v1::UpdatePlanLinesRequest& req, v1::Plan* out) {
  for (int i = 0; i < req.update_mask().paths_size(); ++i) {
    if (req.update_mask().paths(i) != "lines") {
      return InvalidField(absl::StrCat("update_mask.paths[", i, "]"), "only \"lines\" can be updated here");
    }
  }
  LNOB_ASSIGN_OR_RETURN(v1::Plan p, VisiblePlan(c, req.name()));
  LNOB_ASSIGN_OR_RETURN(Catalogue cat, s_.LoadCatalogue());
  LNOB_RETURN_IF_ERROR(ValidatePlanLines(cat, req.lines(), p.year(), "lines"));
  LNOB_ASSIGN_OR_RETURN(*out, s_.ledger->UpdatePlanLines(p.name().substr(6), {req.lines().begin(), req.lines().end()},
                                                      req.etag(), c.principal.subject));
  return absl::OkStatus();
}

template <typename Req>

absl::Status FundingLogic::PlanAction(const C& c, const Req& req, const std::set<std::string>& from,
                                      const std::string& to, v1::Plan* out) {
  LNOB_RETURN_IF_ERROR(CheckTextLength(req.comments(), "comments", 2000));
  LNOB_ASSIGN_OR_RETURN(v1::Plan p, VisiblePlan(c, req.name()));
  LNOB_ASSIGN_OR_RETURN(*out, s_.ledger->ChangePlanState(p.name().substr(6), req.etag(), from, to, req.comments(),
                                                      c.principal.subject));
  return absl::OkStatus();
}

absl::Status FundingLogic::SubmitPlan(const C& c, const v1::SubmitPlanRequest& req, v1::Plan* out) {
  return PlanAction(c, req, {"DRAFT", "RETURNED"}, "SUBMITTED", out);
}
absl::Status FundingLogic::ReviewPlan(const C& c, const v1::ReviewPlanRequest& req, v1::Plan* out) {
  return PlanAction(c, req, {"SUBMITTED"}, "UNDER_REVIEW", out);
}
absl::Status FundingLogic::ApprovePlan(const C& c, const v1::ApprovePlanRequest& req, v1::Plan* out) {
  return PlanAction(c, req, {"UNDER_REVIEW"}, "APPROVED", out);
}
absl::Status FundingLogic::ReturnPlan(const C& c, const v1::ReturnPlanRequest& req, v1::Plan* out) {
  if (req.comments().empty()) return InvalidField("comments", "required when returning a plan");
  return PlanAction(c, req, {"SUBMITTED", "UNDER_REVIEW"}, "RETURNED", out);
}

absl::Status FundingLogic::ConsolidatePlans(const C& c, const v1::ConsolidatePlansRequest& req,
                                            v1::ConsolidatePlansResponse* out) {
  LNOB_RETURN_IF_ERROR(CheckYear(req.year(), "year"));
  // Province-level figures: only for callers whose scope is the whole province.
  if (!c.principal.scope.whole_province()) {
    return WithReason(absl::PermissionDeniedError("consolidation needs a province-wide scope"), "OUT_OF_SCOPE");
  }
  LNOB_ASSIGN_OR_RETURN(*out, s_.ledger->Consolidate(req.year()));
  return absl::OkStatus();
}

// ---- reports ----

namespace {
void Finish(v1::DisbursementReportRow* r) {
  r->set_disbursement_rate(r->allocated_vnd() > 0
                               ? static_cast<double>(r->disbursed_vnd()) / static_cast<double>(r->allocated_vnd())
                               : 0.0);
}
}  // namespace

absl::Status FundingLogic::GetDisbursementReport(const C& c, const v1::GetDisbursementReportRequest& req,
                                                 v1::DisbursementReport* out) {
  common::v1::Period period = req.period();
  if (period.type() == common::v1::Period::TYPE_UNSPECIFIED) {
    LNOB_RETURN_IF_ERROR(CheckYear(req.year(), "year"));
    period.set_type(common::v1::Period::YEAR);
    period.set_year(req.year());
  } else if (req.year() != 0) {
    return InvalidField("period", "give year or period, not both");
  }
  LNOB_ASSIGN_OR_RETURN(api::DayRange days, api::ResolvePeriod(period, "period"));
  LNOB_RETURN_IF_ERROR(CheckYear(period.year(), "period.year"));
  ReportQuery q;
  q.year = period.year();
  if (!days.whole_year) {
    q.first = FormatDate(days.first);
    q.last = FormatDate(days.last);
  }
  for (int i = 0; i < req.group_by_size(); ++i) {
    switch (req.group_by(i)) {
      case v1::BY_SOURCE: q.by_source = true; break;
      case v1::BY_PROGRAMME: q.by_programme = true; break;
      case v1::BY_NODE: q.by_node = true; break;
      case v1::BY_UNIT: q.by_unit = true; break;
      default: return InvalidField(absl::StrCat("group_by[", i, "]"), "unknown dimension");
    }
  }
  if (req.group_by_size() == 0) q.by_source = true;
  LNOB_ASSIGN_OR_RETURN(q.units, s_.ScopeFilter(c.principal, req.unit_code(), q.year, "unit_code"));
  LNOB_ASSIGN_OR_RETURN(auto rows, s_.ledger->DisbursementReport(q));
  out->set_year(q.year);
  *out->mutable_period() = period;
  v1::DisbursementReportRow* total = out->mutable_total();
  for (auto& r : rows) {
    Finish(&r);
    total->set_planned_vnd(total->planned_vnd() + r.planned_vnd());
    total->set_allocated_vnd(total->allocated_vnd() + r.allocated_vnd());
    total->set_disbursed_vnd(total->disbursed_vnd() + r.disbursed_vnd());
    total->set_supported_vnd(total->supported_vnd() + r.supported_vnd());
    total->set_held_vnd(total->held_vnd() + r.held_vnd());
    total->set_recovered_vnd(total->recovered_vnd() + r.recovered_vnd());
    total->set_net_vnd(total->net_vnd() + r.net_vnd());
    *out->add_rows() = std::move(r);
  }
  Finish(total);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<v1::DisbursementReportRow>> FundingLogic::DisbursementBySource(int year) {
  ReportQuery q;
  q.year = year;
  q.by_source = true;
  LNOB_ASSIGN_OR_RETURN(auto rows, s_.ledger->DisbursementReport(q));
  for (auto& r : rows) Finish(&r);
  return rows;
}

absl::Status FundingLogic::GetHouseholdSupport(const C& c, const v1::GetHouseholdSupportRequest& req,
                                               v1::HouseholdSupport* out) {
  LNOB_ASSIGN_OR_RETURN(std::string id, api::ParseUuidId(req.household(), "households", "household"));
  LNOB_ASSIGN_OR_RETURN(auto facts, s_.registry->Facts(c, {{id, s_.Today()}}));
  if (facts.empty() || !facts[0].found) return api::NotFound(req.household());
  out->set_household(req.household());
  SupportQuery q;
  q.household_id = id;
  q.limit = 1000;
  LNOB_ASSIGN_OR_RETURN(auto lines, s_.support->ListSupportLines(q));
  for (auto& l : lines) *out->add_lines() = std::move(l);
  LNOB_ASSIGN_OR_RETURN(SupportTotals t, s_.ledger->SupportFor({id}, 0));
  out->set_total_vnd(t.amount);
  for (const auto& [source, amount] : t.by_source) {
    auto* s = out->add_by_source();
    s->set_source(source);
    s->set_amount_vnd(amount);
  }
  return absl::OkStatus();
}

absl::Status FundingLogic::GetCostPerEscapedHousehold(const C& c, const v1::GetCostPerEscapedHouseholdRequest& req,
                                                      v1::CostPerEscapedHousehold* out) {
  LNOB_RETURN_IF_ERROR(CheckYear(req.year(), "year"));
  // The registry decides who escaped (and applies the caller's scope and unit to it).
  LNOB_ASSIGN_OR_RETURN(auto escaped,
                        s_.registry->TransitionHouseholds(c, req.year(), req.unit_code(), kEscapedGroup));
  out->set_year(req.year());
  out->set_escaped_households(static_cast<int64_t>(escaped.size()));
  LNOB_ASSIGN_OR_RETURN(SupportTotals t, s_.ledger->SupportFor(escaped, req.year()));
  out->set_supported_escaped_households(t.households);
  out->set_support_to_escaped_vnd(t.amount);
  if (!escaped.empty()) out->set_cost_per_escaped_household_vnd(t.amount / static_cast<int64_t>(escaped.size()));
  for (const auto& [source, amount] : t.by_source) {
    auto* s = out->add_by_source();
    s->set_source(source);
    s->set_amount_vnd(amount);
  }
  return absl::OkStatus();
}

absl::Status FundingLogic::GetProgrammeProgress(const C& c, const v1::GetProgrammeProgressRequest& req,
                                                v1::ProgrammeProgress* out) {
  LNOB_RETURN_IF_ERROR(CheckYear(req.year(), "year"));
  const std::string programme = req.programme_code().empty() ? kDefaultProgramme : req.programme_code();
  LNOB_RETURN_IF_ERROR(s_.catalogue->GetNode(programme, absl::CivilDay(req.year(), 12, 31)).status());
  LNOB_ASSIGN_OR_RETURN(auto cohort, s_.ledger->ProgrammeCohort(programme, req.year()));
  out->set_year(req.year());
  out->set_programme_code(programme);
  LNOB_ASSIGN_OR_RETURN(int64_t target, s_.ledger->ProgrammeTarget(programme, req.year()));
  out->set_target_households(target);
  // Year-end facts from the registry, in batches; households outside the caller's scope
  // come back not found and are left out of every figure.
  std::vector<std::pair<std::string, absl::CivilDay>> batch;
  std::vector<int64_t> amounts;
  auto flush = [&]() -> absl::Status {
    if (batch.empty()) return absl::OkStatus();
    LNOB_ASSIGN_OR_RETURN(auto facts, s_.registry->Facts(c, batch));
    for (size_t i = 0; i < facts.size(); ++i) {
      if (!facts[i].found) continue;
      out->set_cohort_households(out->cohort_households() + 1);
      out->set_support_vnd(out->support_vnd() + amounts[i]);
      if (facts[i].escaped) out->set_escaped_by_year_end(out->escaped_by_year_end() + 1);
    }
    batch.clear();
    amounts.clear();
    return absl::OkStatus();
  };
  for (const auto& [hid, amount] : cohort) {
    batch.emplace_back(hid, absl::CivilDay(req.year(), 12, 31));
    amounts.push_back(amount);
    if (batch.size() == 1000) LNOB_RETURN_IF_ERROR(flush());
  }
  return flush();
}

}  // namespace lnob::funding
