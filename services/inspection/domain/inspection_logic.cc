#include "services/inspection/domain/inspection_logic.h"

#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/api/proto_date.h"
#include "common/api/request_id.h"
#include "common/api/resource_name.h"
#include "common/status/status.h"
#include "common/util/date.h"
#include "common/util/text.h"

namespace lnob::inspection {
namespace {

bool ValidUnitCode(const std::string& s) {
  if (s.size() < 2 || s.size() > 5) return false;
  return std::all_of(s.begin(), s.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
}

}  // namespace

std::string PublishedText(const v1::Conclusion& con) {
  // Decree 43/2023: published in full except protected secrets. Every occurrence of every
  // passage is found in the original text; overlapping ranges merge; each range is replaced
  // once by the reason of the passage that starts it.
  const std::string& text = con.text();
  std::vector<std::pair<std::pair<size_t, size_t>, std::string>> ranges;  // [begin, end) -> reason
  for (const auto& p : con.protected_passages()) {
    if (p.text().empty()) continue;
    for (size_t at = text.find(p.text()); at != std::string::npos; at = text.find(p.text(), at + 1)) {
      ranges.push_back({{at, at + p.text().size()}, p.reason()});
    }
  }
  std::sort(ranges.begin(), ranges.end());
  std::string out;
  size_t pos = 0;
  for (size_t i = 0; i < ranges.size();) {
    const size_t begin = ranges[i].first.first;
    size_t end = ranges[i].first.second;
    const std::string& reason = ranges[i].second;
    for (++i; i < ranges.size() && ranges[i].first.first < end; ++i) end = std::max(end, ranges[i].first.second);
    out.append(text, pos, begin - pos);
    absl::StrAppend(&out, "[", reason, "]");
    pos = end;
  }
  out.append(text, pos, std::string::npos);
  return out;
}

absl::StatusOr<absl::CivilDay> RequiredDay(const google::type::Date& d, const std::string& field,
                                           std::optional<absl::CivilDay> not_after) {
  if (!api::IsSet(d)) return InvalidField(field, "is required");
  LNOB_ASSIGN_OR_RETURN(absl::CivilDay day, api::FromProtoDate(d, field));
  if (not_after && day > *not_after) return InvalidField(field, "must not be in the future");
  return day;
}

absl::CivilDay InspectionLogic::Today() const { return lnob::Today(clock_.Now()); }

absl::StatusOr<Units> InspectionLogic::ScopeUnits(const C& c) {
  LNOB_ASSIGN_OR_RETURN(auto covered, scope_->Covered(c.principal, Today()));
  if (!covered) return Units();
  return Units(std::vector<std::string>(covered->begin(), covered->end()));
}

absl::StatusOr<Units> InspectionLogic::FilterUnits(const C& c, const std::string& unit_code, absl::CivilDay day,
                                                   const std::string& field) {
  if (unit_code.empty()) return ScopeUnits(c);
  LNOB_ASSIGN_OR_RETURN(auto graph, scope_->Graph());
  if (!graph->Known(unit_code)) return InvalidField(field, "must be a unit code of the registry (ListAdminUnits)");
  LNOB_ASSIGN_OR_RETURN(auto covered, scope_->Covered(c.principal, Today()));
  std::vector<std::string> out;
  for (auto& code : graph->UnitsUnder(unit_code, day)) {
    if (!covered || covered->count(code)) out.push_back(std::move(code));
  }
  if (covered && out.empty()) return scope::AreaScope::FilterOutOfScope(field, unit_code);
  return Units(std::move(out));
}

absl::Status InspectionLogic::CheckSubjects(const C& c, const google::protobuf::RepeatedPtrField<v1::Subject>& subjects,
                                            const std::string& field) {
  if (subjects.empty()) return InvalidField(field, "at least one subject is required");
  LNOB_ASSIGN_OR_RETURN(auto graph, scope_->Graph());
  Violations v;
  std::set<std::pair<std::string, std::string>> seen;
  for (int i = 0; i < subjects.size(); ++i) {
    const auto& s = subjects[i];
    const std::string f = absl::StrCat(field, "[", i, "]");
    if (!ValidUnitCode(s.unit_code()) || !graph->Known(s.unit_code())) {
      v.Add(f + ".unit_code", "must be a unit code of the registry (ListAdminUnits)");
      continue;
    }
    if (Utf8Chars(s.organisation()) > 200) v.Add(f + ".organisation", "must be at most 200 characters");
    if (!seen.insert({s.unit_code(), FoldName(s.organisation())}).second) v.Add(f, "is listed twice");
  }
  LNOB_RETURN_IF_ERROR(v.Status());
  for (int i = 0; i < subjects.size(); ++i) {
    LNOB_RETURN_IF_ERROR(scope_->CheckFilter(c.principal, subjects[i].unit_code(), Today(),
                                             absl::StrCat(field, "[", i, "].unit_code")));
  }
  return absl::OkStatus();
}

absl::Status InspectionLogic::CheckVisible(const C& c, const std::vector<std::string>& units,
                                           const std::string& name) {
  if (c.principal.scope.whole_province()) return absl::OkStatus();
  for (const auto& u : units) {
    LNOB_ASSIGN_OR_RETURN(bool ok, scope_->Covers(c.principal, u, Today()));
    if (ok) return absl::OkStatus();
  }
  return api::NotFound(name);
}

// ---- Reference data ------------------------------------------------------------------------------

absl::Status InspectionLogic::ListAgencies(const C&, const v1::ListAgenciesRequest& req,
                                           v1::ListAgenciesResponse* out) {
  LNOB_ASSIGN_OR_RETURN(auto all, store_->ListAgencies());
  LNOB_ASSIGN_OR_RETURN(auto page, api::PageOf(tokens_, req, std::move(all), out->mutable_next_page_token()));
  for (auto& a : page) *out->add_agencies() = std::move(a);
  return absl::OkStatus();
}

absl::Status InspectionLogic::ListRules(const C&, const v1::ListRulesRequest& req, v1::ListRulesResponse* out) {
  LNOB_ASSIGN_OR_RETURN(auto all, store_->ListRules());
  LNOB_ASSIGN_OR_RETURN(auto page, api::PageOf(tokens_, req, std::move(all), out->mutable_next_page_token()));
  for (auto& r : page) *out->add_rules() = std::move(r);
  return absl::OkStatus();
}

// ---- Plans ---------------------------------------------------------------------------------------

absl::Status InspectionLogic::CreatePlan(const C& c, const v1::CreatePlanRequest& req, v1::Plan* out) {
  v1::Plan p = req.plan();
  Violations v;
  if (!api::ValidateRequestId(req.request_id()).ok()) v.Add("request_id", "must be a UUID");
  if (p.agency_code().empty()) v.Add("plan.agency_code", "is required (ListAgencies)");
  if (p.year() < 2000 || p.year() > 2100) v.Add("plan.year", "is required (2000-2100)");
  if (p.number().empty() || Utf8Chars(p.number()) > 100) v.Add("plan.number", "is required, at most 100 characters");
  if (!api::IsSet(p.issued_date())) v.Add("plan.issued_date", "is required");
  if (p.items().empty()) v.Add("plan.items", "at least one item is required");
  if (p.items_size() > 500) v.Add("plan.items", "at most 500 items");
  LNOB_RETURN_IF_ERROR(v.Status());
  LNOB_ASSIGN_OR_RETURN(auto agencies, store_->ListAgencies());
  const v1::Agency* agency = nullptr;
  for (const auto& a : agencies) {
    if (a.code() == p.agency_code()) agency = &a;
  }
  if (agency == nullptr) return InvalidField("plan.agency_code", "is not an agency of ListAgencies");
  LNOB_RETURN_IF_ERROR(api::FromProtoDate(p.issued_date(), "plan.issued_date").status());
  for (int i = 0; i < p.items_size(); ++i) {
    auto* item = p.mutable_items(i);
    const std::string f = absl::StrCat("plan.items[", i, "]");
    item->set_number(i + 1);
    item->clear_overlaps();
    if (item->kind() == v1::KIND_UNSPECIFIED || !v1::Kind_IsValid(item->kind())) {
      v.Add(f + ".kind", "is required (INSPECTION or CHECK)");
    }
    if (item->scope().empty() || Utf8Chars(item->scope()) > 1000) v.Add(f + ".scope", "is required, at most 1,000 characters");
    auto pf = RequiredDay(item->period_from(), f + ".period_from");
    auto pt = RequiredDay(item->period_to(), f + ".period_to");
    auto ps = RequiredDay(item->planned_start(), f + ".planned_start");
    auto pe = RequiredDay(item->planned_end(), f + ".planned_end");
    for (const auto* s : {&pf, &pt, &ps, &pe}) {
      if (!s->ok()) {
        for (const auto& fv : GetFieldViolations(s->status())) v.Add(fv.field, fv.description);
      }
    }
    if (pf.ok() && pt.ok() && *pt < *pf) v.Add(f + ".period_to", "must not be before period_from");
    if (ps.ok() && pe.ok() && *pe < *ps) v.Add(f + ".planned_end", "must not be before planned_start");
    if (ps.ok() && ps->year() != p.year()) v.Add(f + ".planned_start", "must be in the plan's year");
    if (pe.ok() && pe->year() != p.year()) v.Add(f + ".planned_end", "must be in the plan's year");
    if (Utf8Chars(item->overlap_reason()) > 1000) v.Add(f + ".overlap_reason", "must be at most 1,000 characters");
  }
  LNOB_RETURN_IF_ERROR(v.Status());
  // The kinds the agency may run in the plan's year.
  for (int i = 0; i < p.items_size(); ++i) {
    const auto& item = p.items(i);
    const absl::CivilDay start = api::ProtoDay(item.planned_start());
    bool allowed = false;
    for (const auto& r : agency->rules()) {
      if (r.kind() != item.kind()) continue;
      if (api::ProtoDay(r.valid_from()) <= start && (!api::IsSet(r.valid_to()) || api::ProtoDay(r.valid_to()) >= start)) {
        allowed = true;
      }
    }
    if (!allowed) {
      return InvalidField(absl::StrCat("plan.items[", i, "].kind"),
                          absl::StrCat(p.agency_code(), " may not run a ", v1::Kind_Name(item.kind()), " on ",
                                       api::ProtoDateText(item.planned_start()), " (ListAgencies)"));
    }
    LNOB_RETURN_IF_ERROR(CheckSubjects(c, item.subjects(), absl::StrCat("plan.items[", i, "].subjects")));
  }
  // Overlaps with what is already recorded, and between the plan's own items.
  for (int i = 0; i < p.items_size(); ++i) {
    auto* item = p.mutable_items(i);
    for (int j = 0; j < i; ++j) {
      const auto& other = p.items(j);
      const bool periods = api::ProtoDay(other.period_from()) <= api::ProtoDay(item->period_to()) &&
                           api::ProtoDay(item->period_from()) <= api::ProtoDay(other.period_to());
      if (!periods || !item->overlap_reason().empty()) continue;
      for (const auto& a : item->subjects()) {
        for (const auto& b : other.subjects()) {
          const std::string ka = FoldName(a.organisation()), kb = FoldName(b.organisation());
          if (a.unit_code() == b.unit_code() && (ka == kb || ka.empty() || kb.empty())) {
            return WithReason(absl::FailedPreconditionError(absl::StrCat(
                                  "plan.items[", i, "]: the subject ", a.unit_code(), " overlaps plan.items[", j,
                                  "] of the same plan; give overlap_reason to go ahead")),
                              "OVERLAP");
          }
        }
      }
    }
  }
  LNOB_ASSIGN_OR_RETURN(*out, store_->CreatePlan(p, c.principal.subject,
                                                 api::IdempotencyKeyFor(req, "CreatePlan", c.principal.subject)));
  return absl::OkStatus();
}

absl::Status InspectionLogic::GetPlan(const C& c, const v1::GetPlanRequest& req, v1::Plan* out) {
  LNOB_ASSIGN_OR_RETURN(std::string id, api::ParseUuidId(req.name(), "inspectionPlans", "name"));
  LNOB_ASSIGN_OR_RETURN(*out, store_->GetPlan(id));
  std::vector<std::string> units;
  for (const auto& item : out->items()) {
    for (const auto& s : item.subjects()) units.push_back(s.unit_code());
  }
  return CheckVisible(c, units, req.name());
}

absl::Status InspectionLogic::ListPlans(const C& c, const v1::ListPlansRequest& req, v1::ListPlansResponse* out) {
  if (req.year() != 0 && (req.year() < 2000 || req.year() > 2100)) return InvalidField("year", "must be 2000-2100");
  LNOB_ASSIGN_OR_RETURN(Units units, ScopeUnits(c));
  LNOB_ASSIGN_OR_RETURN(auto rows, api::FetchPage<v1::Plan>(
                                       tokens_, req,
                                       [&](const std::string& after, int limit) {
                                         return store_->ListPlans(req.year(), req.agency_code(), units, after, limit);
                                       },
                                       [](const v1::Plan& p) { return api::IdOf(p.name()); },
                                       out->mutable_next_page_token()));
  for (auto& p : rows) *out->add_plans() = std::move(p);
  return absl::OkStatus();
}

// ---- Inspections and their workflow ----------------------------------------------------------------

absl::Status InspectionLogic::CreateInspection(const C& c, const v1::CreateInspectionRequest& req,
                                               v1::Inspection* out) {
  v1::Inspection in = req.inspection();
  Violations v;
  if (!api::ValidateRequestId(req.request_id()).ok()) v.Add("request_id", "must be a UUID");
  if (in.kind() == v1::KIND_UNSPECIFIED || !v1::Kind_IsValid(in.kind())) {
    v.Add("inspection.kind", "is required (INSPECTION or CHECK)");
  }
  if (in.agency_code().empty()) v.Add("inspection.agency_code", "is required (ListAgencies)");
  if (in.decision_number().empty() || Utf8Chars(in.decision_number()) > 100) {
    v.Add("inspection.decision_number", "is required, at most 100 characters");
  }
  auto decided = RequiredDay(in.decision_date(), "inspection.decision_date", Today());
  if (!decided.ok()) v.Add("inspection.decision_date", std::string(decided.status().message()));
  if (in.origin() == v1::ORIGIN_UNSPECIFIED || !v1::Origin_IsValid(in.origin())) {
    v.Add("inspection.origin", "is required (PLANNED or AD_HOC)");
  }
  if (in.origin() == v1::PLANNED && in.plan_item().empty()) v.Add("inspection.plan_item", "is required for a planned one");
  if (in.origin() == v1::AD_HOC && !in.plan_item().empty()) v.Add("inspection.plan_item", "must be empty for an ad hoc one");
  for (const auto& [value, field] : {std::pair{in.decider(), "inspection.decider"}, {in.leader(), "inspection.leader"}}) {
    if (value.empty() || Utf8Chars(value) > 200) v.Add(field, "is required, at most 200 characters");
  }
  if (in.members_size() > 50) v.Add("inspection.members", "at most 50 members");
  for (int i = 0; i < in.members_size(); ++i) {
    if (in.members(i).empty() || Utf8Chars(in.members(i)) > 200) {
      v.Add(absl::StrCat("inspection.members[", i, "]"), "must be 1-200 characters");
    }
  }
  if (in.duration_days() < 1 || in.duration_days() > 365) v.Add("inspection.duration_days", "must be 1-365");
  if (in.scope().empty() || Utf8Chars(in.scope()) > 1000) v.Add("inspection.scope", "is required, at most 1,000 characters");
  auto pf = RequiredDay(in.period_from(), "inspection.period_from");
  auto pt = RequiredDay(in.period_to(), "inspection.period_to");
  if (!pf.ok()) v.Add("inspection.period_from", std::string(pf.status().message()));
  if (!pt.ok()) v.Add("inspection.period_to", std::string(pt.status().message()));
  if (pf.ok() && pt.ok() && *pt < *pf) v.Add("inspection.period_to", "must not be before period_from");
  if (Utf8Chars(in.overlap_reason()) > 1000) v.Add("inspection.overlap_reason", "must be at most 1,000 characters");
  LNOB_RETURN_IF_ERROR(v.Status());
  if (in.decider() == in.leader()) {
    return InvalidField("inspection.leader", "must not be the decider, who signs the conclusion");
  }
  for (int i = 0; i < in.members_size(); ++i) {
    // The team drafts the conclusion and the decider signs it: one person cannot be both.
    if (in.members(i) == in.decider() || in.members(i) == in.leader()) {
      return InvalidField(absl::StrCat("inspection.members[", i, "]"), "must be neither the decider nor the leader");
    }
  }
  LNOB_ASSIGN_OR_RETURN(auto agencies, store_->ListAgencies());
  bool known = false, allowed = false;
  for (const auto& a : agencies) {
    if (a.code() != in.agency_code()) continue;
    known = true;
    for (const auto& r : a.rules()) {
      if (r.kind() == in.kind() && api::ProtoDay(r.valid_from()) <= *decided &&
          (!api::IsSet(r.valid_to()) || api::ProtoDay(r.valid_to()) >= *decided)) {
        allowed = true;
      }
    }
  }
  if (!known) return InvalidField("inspection.agency_code", "is not an agency of ListAgencies");
  if (!allowed) {
    return InvalidField("inspection.kind", absl::StrCat(in.agency_code(), " may not run a ", v1::Kind_Name(in.kind()),
                                                        " on ", FormatDate(*decided),
                                                        " (ListAgencies; Law 84/2025 from 1 July 2025)"));
  }
  if (in.origin() == v1::PLANNED) {
    std::vector<std::string> parts = absl::StrSplit(in.plan_item(), '/');
    int number = 0;
    if (parts.size() != 4 || parts[0] != "inspectionPlans" || parts[2] != "items" ||
        !absl::SimpleAtoi(parts[3], &number)) {
      return InvalidField("inspection.plan_item", "must be inspectionPlans/{uuid}/items/{n}");
    }
    LNOB_ASSIGN_OR_RETURN(std::string plan_id,
                          api::ParseUuidId(absl::StrCat(parts[0], "/", parts[1]), "inspectionPlans", "inspection.plan_item"));
    auto item = store_->GetPlanItem(plan_id, number);
    if (!item.ok()) {
      return item.status().code() == absl::StatusCode::kNotFound
                 ? InvalidField("inspection.plan_item", "no such plan item")
                 : item.status();
    }
    if (item->second != in.agency_code()) {
      return InvalidField("inspection.plan_item", "belongs to another agency's plan");
    }
    if (item->first.kind() != in.kind()) return InvalidField("inspection.kind", "differs from the plan item's kind");
    in.set_plan_item(absl::StrCat("inspectionPlans/", plan_id, "/items/", number));
  }
  LNOB_RETURN_IF_ERROR(CheckSubjects(c, in.subjects(), "inspection.subjects"));
  in.clear_overlaps();
  LNOB_ASSIGN_OR_RETURN(*out, store_->CreateInspection(
                                  in, c.principal.subject,
                                  api::IdempotencyKeyFor(req, "CreateInspection", c.principal.subject)));
  return absl::OkStatus();
}

absl::StatusOr<v1::Inspection> InspectionLogic::VisibleInspection(const C& c, const std::string& name,
                                                                  const std::string& field) {
  LNOB_ASSIGN_OR_RETURN(std::string id, api::ParseUuidId(name, "inspections", field));
  auto in = store_->GetInspection(id);
  if (!in.ok()) return in.status().code() == absl::StatusCode::kNotFound ? api::NotFound(name) : in.status();
  std::vector<std::string> units;
  for (const auto& s : in->subjects()) units.push_back(s.unit_code());
  LNOB_RETURN_IF_ERROR(CheckVisible(c, units, name));
  return *in;
}

absl::Status InspectionLogic::GetInspection(const C& c, const v1::GetInspectionRequest& req, v1::Inspection* out) {
  LNOB_ASSIGN_OR_RETURN(*out, VisibleInspection(c, req.name(), "name"));
  return absl::OkStatus();
}

absl::Status InspectionLogic::ListInspections(const C& c, const v1::ListInspectionsRequest& req,
                                              v1::ListInspectionsResponse* out) {
  InspectionQuery q;
  if (req.year() != 0 && (req.year() < 2000 || req.year() > 2100)) return InvalidField("year", "must be 2000-2100");
  q.year = req.year();
  if (!v1::Kind_IsValid(req.kind())) return InvalidField("kind", "is not a kind (INSPECTION or CHECK)");
  if (!v1::State_IsValid(req.state())) return InvalidField("state", "is not a state");
  if (req.kind() != v1::KIND_UNSPECIFIED) q.kind = v1::Kind_Name(req.kind());
  if (req.state() != v1::STATE_UNSPECIFIED) q.state = v1::State_Name(req.state());
  q.agency = req.agency_code();
  q.open_only = req.open_only();
  LNOB_ASSIGN_OR_RETURN(q.units, FilterUnits(c, req.unit_code(), Today(), "unit_code"));
  LNOB_ASSIGN_OR_RETURN(auto rows, api::FetchPage<v1::Inspection>(
                                       tokens_, req,
                                       [&](const std::string& after, int limit) {
                                         q.after_id = after;
                                         q.limit = limit;
                                         return store_->ListInspections(q);
                                       },
                                       [](const v1::Inspection& i) { return api::IdOf(i.name()); },
                                       out->mutable_next_page_token()));
  for (auto& i : rows) *out->add_inspections() = std::move(i);
  return absl::OkStatus();
}

absl::Status InspectionLogic::AdvanceInspection(const C& c, const v1::AdvanceInspectionRequest& req,
                                                v1::Inspection* out) {
  if (req.to() == v1::APPRAISED) return InvalidField("to", "the appraisal is AppraiseConclusion");
  return Step(c, req, out);
}

absl::Status InspectionLogic::AppraiseConclusion(const C& c, const v1::AppraiseConclusionRequest& req,
                                                 v1::Inspection* out) {
  v1::AdvanceInspectionRequest step;
  step.set_name(req.name());
  step.set_etag(req.etag());
  step.set_to(v1::APPRAISED);
  *step.mutable_date() = req.date();
  step.set_appraisal_opinion(req.opinion());
  return Step(c, step, out);
}

absl::Status InspectionLogic::Step(const C& c, const v1::AdvanceInspectionRequest& req, v1::Inspection* out) {
  LNOB_ASSIGN_OR_RETURN(v1::Inspection cur, VisibleInspection(c, req.name(), "name"));
  Violations v;
  if (req.etag().empty()) v.Add("etag", "is required (read the inspection first)");
  if (req.to() == v1::STATE_UNSPECIFIED || req.to() == v1::DECIDED || !v1::State_IsValid(req.to())) {
    v.Add("to", "is required: the state to move to");
  }
  auto day = RequiredDay(req.date(), "date", Today());
  if (!day.ok()) v.Add("date", std::string(day.status().message()));
  if (day.ok() && cur.steps_size() > 0 && *day < api::ProtoDay(cur.steps(cur.steps_size() - 1).date())) {
    const auto& prev = cur.steps(cur.steps_size() - 1);
    v.Add("date", absl::StrCat("must not be before the previous step (", v1::State_Name(prev.state()), " on ",
                               api::ProtoDateText(prev.date()), ")"));
  }
  if (Utf8Chars(req.note()) > 2000) v.Add("note", "must be at most 2,000 characters");
  LNOB_RETURN_IF_ERROR(v.Status());
  if (req.to() == cur.state()) {
    return WithReason(absl::FailedPreconditionError(absl::StrCat("to: the inspection is ", v1::State_Name(cur.state()),
                                                                 " already")),
                      "ILLEGAL_TRANSITION");
  }
  const std::string& me = c.principal.subject;
  const bool on_team = me == cur.leader() || std::find(cur.members().begin(), cur.members().end(), me) != cur.members().end();
  Advance a{.id = api::IdOf(req.name()), .etag = req.etag(), .to = v1::State_Name(req.to()), .day = FormatDate(*day),
            .actor = me, .note = req.note()};
  switch (req.to()) {
    case v1::ANNOUNCED:
      if (!on_team) return WithReason(absl::PermissionDeniedError("only the team announces the decision"), "NOT_ON_TEAM");
      for (int i = 0; i < req.data_requests_size(); ++i) {
        const auto& d = req.data_requests(i);
        const std::string f = absl::StrCat("data_requests[", i, "]");
        if (d.addressee().empty() || Utf8Chars(d.addressee()) > 200) v.Add(f + ".addressee", "is required, at most 200 characters");
        if (d.description().empty() || Utf8Chars(d.description()) > 2000) v.Add(f + ".description", "is required, at most 2,000 characters");
        auto rd = RequiredDay(d.requested_date(), f + ".requested_date");
        auto dd = RequiredDay(d.due_date(), f + ".due_date");
        if (!rd.ok()) v.Add(f + ".requested_date", std::string(rd.status().message()));
        if (!dd.ok()) v.Add(f + ".due_date", std::string(dd.status().message()));
        if (rd.ok() && dd.ok() && *dd < *rd) v.Add(f + ".due_date", "must not be before requested_date");
      }
      break;
    case v1::REPORTED:
      if (!on_team) return WithReason(absl::PermissionDeniedError("only the team submits its report"), "NOT_ON_TEAM");
      if (req.report_summary().empty() || Utf8Chars(req.report_summary()) > 8000) {
        v.Add("report_summary", "is required, at most 8,000 characters");
      }
      break;
    case v1::DRAFTED: {
      if (!on_team) return WithReason(absl::PermissionDeniedError("only the team drafts the conclusion"), "NOT_ON_TEAM");
      if (req.conclusion_text().empty() || Utf8Chars(req.conclusion_text()) > 100000) {
        v.Add("conclusion_text", "is required, at most 100,000 characters");
      }
      for (int i = 0; i < req.protected_passages_size(); ++i) {
        const auto& p = req.protected_passages(i);
        const std::string f = absl::StrCat("protected_passages[", i, "]");
        if (p.text().empty() || !absl::StrContains(req.conclusion_text(), p.text())) {
          v.Add(f + ".text", "must be a passage of conclusion_text, verbatim");
        }
        if (p.reason() != "STATE_SECRET" && p.reason() != "BANK_SECRET" && p.reason() != "BUSINESS_SECRET") {
          v.Add(f + ".reason", "must be STATE_SECRET, BANK_SECRET or BUSINESS_SECRET (Decree 43/2023)");
        }
      }
      break;
    }
    case v1::APPRAISED:
      if (!c.principal.Can(kAppraisePermission)) {
        return WithReason(absl::PermissionDeniedError(absl::StrCat("appraisal needs the permission ", kAppraisePermission)),
                          "PERMISSION_DENIED");
      }
      if (on_team || me == cur.decider()) {
        return WithReason(absl::PermissionDeniedError("the appraiser is neither on the team nor the decider"),
                          "SELF_APPROVAL");
      }
      if (req.appraisal_opinion().empty() || Utf8Chars(req.appraisal_opinion()) > 8000) {
        v.Add("opinion", "is required, at most 8,000 characters");
      }
      break;
    case v1::CONCLUDED: {
      if (me != cur.decider()) {
        return WithReason(absl::PermissionDeniedError(
                              "only the decider signs the conclusion (Law 11/2022 Art. 78)"),
                          "NOT_DECIDER");
      }
      if (req.conclusion_number().empty() || Utf8Chars(req.conclusion_number()) > 100) {
        v.Add("conclusion_number", "is required, at most 100 characters");
      }
      if (Utf8Chars(req.late_reason()) > 1000) v.Add("late_reason", "must be at most 1,000 characters");
      if (api::IsSet(cur.signing_due()) && *day > api::ProtoDay(cur.signing_due()) && req.late_reason().empty()) {
        v.Add("late_reason", absl::StrCat("is required: the conclusion was due by ",
                                          api::ProtoDateText(cur.signing_due()), " (SIGNING_DAYS)"));
      }
      if (cur.state() == v1::DRAFTED) {
        // Law 84/2025: drafts from 1 July 2025 are appraised first (rule APPRAISAL_REQUIRED).
        LNOB_ASSIGN_OR_RETURN(v1::Conclusion con, store_->GetConclusion(a.id));
        LNOB_ASSIGN_OR_RETURN(int required, store_->RuleValue("APPRAISAL_REQUIRED", api::ProtoDateText(con.draft_date())));
        if (required == 1) {
          return WithReason(absl::FailedPreconditionError(absl::StrCat(
                                "to: a draft of ", api::ProtoDateText(con.draft_date()),
                                " is appraised (AppraiseConclusion) before it is signed (APPRAISAL_REQUIRED)")),
                            "APPRAISAL_REQUIRED");
        }
      }
      break;
    }
    case v1::PUBLISHED: {
      if (!on_team && me != cur.decider()) {
        return WithReason(absl::PermissionDeniedError("the team or the decider publishes the conclusion"), "NOT_ON_TEAM");
      }
      if (req.portal_url().empty() || Utf8Chars(req.portal_url()) > 500) v.Add("portal_url", "is required, at most 500 characters");
      LNOB_ASSIGN_OR_RETURN(v1::Conclusion con, store_->GetConclusion(a.id));
      a.published_text = PublishedText(con);
      break;
    }
    case v1::WITHDRAWN:
      if (!on_team && me != cur.decider()) {
        return WithReason(absl::PermissionDeniedError("the team or the decider withdraws the publication"), "NOT_ON_TEAM");
      }
      if (req.reason().empty() || Utf8Chars(req.reason()) > 1000) v.Add("reason", "is required, at most 1,000 characters");
      break;
    default:
      v.Add("to", "is not a state an inspection moves to");
  }
  LNOB_RETURN_IF_ERROR(v.Status());
  LNOB_ASSIGN_OR_RETURN(*out, store_->AdvanceInspection(a, req));
  return absl::OkStatus();
}

absl::Status InspectionLogic::GetConclusion(const C& c, const v1::GetConclusionRequest& req, v1::Conclusion* out) {
  if (!absl::EndsWith(req.name(), "/conclusion")) return InvalidField("name", "must be inspections/{uuid}/conclusion");
  const std::string inspection = req.name().substr(0, req.name().size() - std::string("/conclusion").size());
  auto cur = VisibleInspection(c, inspection, "name");
  // Published conclusions are readable by every officer, whatever their area.
  if (!cur.ok() && cur.status().code() == absl::StatusCode::kNotFound) {
    LNOB_ASSIGN_OR_RETURN(std::string id, api::ParseUuidId(inspection, "inspections", "name"));
    auto any = store_->GetInspection(id);
    if (!any.ok() || (any->state() != v1::PUBLISHED && any->state() != v1::WITHDRAWN)) return api::NotFound(req.name());
    cur = std::move(any);
  }
  LNOB_RETURN_IF_ERROR(cur.status());
  auto con = store_->GetConclusion(api::IdOf(inspection));
  if (!con.ok()) return con.status().code() == absl::StatusCode::kNotFound ? api::NotFound(req.name()) : con.status();
  *out = std::move(*con);
  const std::string& me = c.principal.subject;
  const bool insider = me == cur->leader() || me == cur->decider() || me == out->appraiser() ||
                       std::find(cur->members().begin(), cur->members().end(), me) != cur->members().end() ||
                       c.principal.Can(kAppraisePermission);
  if (!insider) {
    // Drafts are confidential to the team, the decider and the appraiser (and so are the
    // protected passages, published or not).
    out->clear_text();
    out->clear_protected_passages();
    out->clear_appraisal_opinion();
    out->set_confidential(true);
  }
  return absl::OkStatus();
}

absl::Status InspectionLogic::WatchChanges(const C& c, const v1::WatchChangesRequest& req,
                                           server::MessageWriter<v1::ChangeEvent>& sink) {
  if (req.from_cursor() < 0) return InvalidField("from_cursor", "must not be negative");
  LNOB_ASSIGN_OR_RETURN(auto scope, scope_->Covered(c.principal, Today()));
  return StreamFeed(feed_, req.from_cursor(), sink,
                    [&](int64_t after, int limit) { return store_->ReadFeed(after, limit); },
                    [&](const v1::ChangeEvent& e) {
                      return !scope || e.commune_code().empty() || scope->count(e.commune_code()) > 0;
                    });
}

}  // namespace lnob::inspection
