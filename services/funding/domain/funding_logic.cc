#include "services/funding/domain/funding_logic.h"

#include <algorithm>
#include <future>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "common/api/resource_name.h"
#include "common/api/proto_date.h"
#include "common/api/request_id.h"
#include "common/status/status.h"
#include "common/util/date.h"
#include "common/util/uuid.h"

namespace lnob::funding {
namespace {

// Sources, contents and node placements change rarely (by migration or the catalogue RPCs,
// which clear this process's copy at once); other replicas see a change within this time.
constexpr absl::Duration kCatalogueTtl = absl::Seconds(30);
constexpr int kImportBatch = 2000;
constexpr size_t kMaxRowErrors = 1000;

absl::Status CheckYear(int year, absl::string_view field) {
  if (year < 2000 || year > 2100) return InvalidField(field, "must be a year 2000-2100");
  return absl::OkStatus();
}

bool Escaped(const std::string& transition) {
  // Leaving poverty, as the registry counts it for the movement target.
  return transition == "ESCAPED_POOR" || transition == "POOR_TO_NEAR_POOR";
}

}  // namespace

// ---- scope and reference helpers ----

absl::CivilDay FundingLogic::Today() const { return lnob::Today(clock_.Now()); }

absl::StatusOr<UnitInfo> FundingLogic::ResolveUnit(const std::string& code, int year, const std::string& field) {
  if (code.empty()) return InvalidField(field, "required");
  LNOB_ASSIGN_OR_RETURN(auto graph, scope_->Graph());
  for (absl::CivilDay d : {absl::CivilDay(year, 1, 1), absl::CivilDay(year, 12, 31)}) {
    if (const scope::UnitVersion* u = graph->Find(code, d)) {
      return UnitInfo{u->code, u->parent_code, u->level == "province" ? 1 : u->level == "district" ? 2 : 3};
    }
  }
  return InvalidField(field, absl::StrCat("no admin unit ", code, " in force in ", year));
}

// Year-bound resources (allocations, plans, support lines) are scoped on 31 December of
// their year; scope::AreaScope carries a scope across the 2025 reform both ways.
absl::StatusOr<bool> FundingLogic::InScope(const auth::Principal& p, const std::string& unit, int year) {
  return scope_->Covers(p, unit, absl::CivilDay(year, 12, 31));
}

absl::Status FundingLogic::RequireScope(const auth::Principal& p, const std::string& unit, int year,
                                        const std::string& field) {
  return scope_->CheckFilter(p, unit, absl::CivilDay(year, 12, 31), field);
}

absl::StatusOr<UnitFilter> FundingLogic::ScopeFilter(const auth::Principal& p, const std::string& unit, int year,
                                                     const std::string& field) {
  if (unit.empty() && p.scope.whole_province()) return UnitFilter{};
  const absl::CivilDay day(year, 12, 31);
  std::set<std::string> codes;
  if (unit.empty()) {
    LNOB_ASSIGN_OR_RETURN(auto covered, scope_->Covered(p, day));
    codes = *std::move(covered);
  } else {
    LNOB_RETURN_IF_ERROR(ResolveUnit(unit, year, field).status());
    LNOB_RETURN_IF_ERROR(RequireScope(p, unit, year, field));
    LNOB_ASSIGN_OR_RETURN(codes, scope_->CoveredBy({unit}, day));
  }
  return UnitFilter(std::vector<std::string>(codes.begin(), codes.end()));
}

absl::StatusOr<FundingLogic::Catalogue> FundingLogic::LoadCatalogue() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (catalogue_ && clock_.Now() - catalogue_loaded_ < kCatalogueTtl) return *catalogue_;
  }
  Catalogue cat;
  LNOB_ASSIGN_OR_RETURN(auto sources, store_->ListSources());
  for (const auto& s : sources) cat.sources.insert(s.code());
  LNOB_ASSIGN_OR_RETURN(cat.contents, store_->ListContents());
  std::lock_guard<std::mutex> lock(mu_);
  catalogue_ = std::make_shared<Catalogue>(cat);
  catalogue_loaded_ = clock_.Now();
  return cat;
}

void FundingLogic::ForgetCatalogue() {
  std::lock_guard<std::mutex> lock(mu_);
  catalogue_.reset();
}

absl::Status FundingLogic::CheckNode(Catalogue& cat, const std::string& code, int year, const std::string& field) {
  if (code.empty()) return InvalidField(field, "required");
  auto it = cat.nodes_by_year.find(year);
  if (it == cat.nodes_by_year.end()) {
    std::set<std::string> codes;
    std::string after;
    while (true) {
      LNOB_ASSIGN_OR_RETURN(auto page, store_->ListNodes(absl::CivilDay(year, 12, 31), "", after, 1000));
      for (const auto& n : page) codes.insert(n.code());
      if (page.size() < 1000) break;
      after = page.back().code();
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (catalogue_) catalogue_->nodes_by_year.emplace(year, codes);
    }
    it = cat.nodes_by_year.emplace(year, std::move(codes)).first;
  }
  if (!it->second.count(code)) {
    return InvalidField(field, absl::StrCat("no programme node ", code, " in the catalogue on 31 Dec ", year));
  }
  return absl::OkStatus();
}

// ---- catalogue ----

absl::Status FundingLogic::ListProgrammeNodes(const C& c, const v1::ListProgrammeNodesRequest& req,
                                              v1::ListProgrammeNodesResponse* out) {
  LNOB_ASSIGN_OR_RETURN(absl::CivilDay as_of, api::FromProtoDateOr(req.as_of(), "as_of", Today()));
  LNOB_ASSIGN_OR_RETURN(
      auto nodes,
      api::FetchPage<v1::ProgrammeNode>(
          tokens_, req,
          [&](const std::string& after, int limit) { return store_->ListNodes(as_of, req.parent_code(), after, limit); },
          [](const v1::ProgrammeNode& n) { return n.code(); }, out->mutable_next_page_token()));
  for (auto& n : nodes) *out->add_nodes() = std::move(n);
  return absl::OkStatus();
}

absl::Status FundingLogic::GetProgrammeNode(const C& c, const v1::GetProgrammeNodeRequest& req,
                                            v1::ProgrammeNode* out) {
  absl::string_view code = req.name();
  if (!absl::ConsumePrefix(&code, "programmeNodes/") || code.empty()) {
    return InvalidField("name", "must be programmeNodes/{code}");
  }
  LNOB_ASSIGN_OR_RETURN(absl::CivilDay as_of, api::FromProtoDateOr(req.as_of(), "as_of", Today()));
  LNOB_ASSIGN_OR_RETURN(*out, store_->GetNode(std::string(code), as_of));
  return absl::OkStatus();
}

absl::Status FundingLogic::CreateProgrammeNode(const C& c, const v1::CreateProgrammeNodeRequest& req,
                                               v1::ProgrammeNode* out) {
  const auto& n = req.node();
  Violations v;
  const bool code_ok = n.code().size() >= 2 && n.code().size() <= 64 &&
                       std::all_of(n.code().begin(), n.code().end(), [](char ch) {
                         return (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '.';
                       });
  if (!code_ok) v.Add("node.code", "2-64 characters of A-Z, 0-9, '_' and '.'");
  if (n.kind() == v1::NODE_KIND_UNSPECIFIED || !v1::NodeKind_IsValid(n.kind())) v.Add("node.kind", "required");
  if (n.kind() == v1::PROGRAMME && !n.parent_code().empty()) v.Add("node.parent_code", "a programme has no parent");
  if (n.kind() != v1::PROGRAMME && n.parent_code().empty()) v.Add("node.parent_code", "required below a programme");
  if (n.display_name().empty()) v.Add("node.display_name", "required");
  if (n.legal_doc().empty()) v.Add("node.legal_doc", "required: the document that creates the node");
  LNOB_RETURN_IF_ERROR(v.Status());
  LNOB_ASSIGN_OR_RETURN(absl::CivilDay from, api::FromProtoDateOr(n.valid_from(), "node.valid_from", Today()));
  LNOB_ASSIGN_OR_RETURN(*out, store_->CreateNode(n, from, c.principal.subject));
  ForgetCatalogue();
  return absl::OkStatus();
}

absl::Status FundingLogic::ReparentProgrammeNode(const C& c, const v1::ReparentProgrammeNodeRequest& req,
                                                 v1::ProgrammeNode* out) {
  absl::string_view code = req.name();
  if (!absl::ConsumePrefix(&code, "programmeNodes/") || code.empty()) {
    return InvalidField("name", "must be programmeNodes/{code}");
  }
  if (req.new_parent_code().empty()) return InvalidField("new_parent_code", "required");
  if (req.legal_doc().empty()) return InvalidField("legal_doc", "required: the document that moves the node");
  LNOB_ASSIGN_OR_RETURN(absl::CivilDay from, api::FromProtoDate(req.effective_date(), "effective_date"));
  LNOB_ASSIGN_OR_RETURN(*out, store_->ReparentNode(std::string(code), req.new_parent_code(), from, req.legal_doc()));
  ForgetCatalogue();
  return absl::OkStatus();
}

absl::Status FundingLogic::ListFundingSources(const C& c, const v1::ListFundingSourcesRequest& req,
                                              v1::ListFundingSourcesResponse* out) {
  LNOB_ASSIGN_OR_RETURN(auto sources, store_->ListSources());
  for (auto& s : sources) *out->add_sources() = std::move(s);
  return absl::OkStatus();
}

// ---- allocations and disbursements ----

absl::Status FundingLogic::SetAllocation(const C& c, const v1::SetAllocationRequest& req, v1::Allocation* out) {
  if (auto st = api::ValidateRequestId(req.request_id()); !st.ok()) return st;
  const auto& a = req.allocation();
  LNOB_RETURN_IF_ERROR(CheckYear(a.year(), "allocation.year"));
  LNOB_ASSIGN_OR_RETURN(Catalogue cat, LoadCatalogue());
  LNOB_RETURN_IF_ERROR(CheckNode(cat, a.node_code(), a.year(), "allocation.node_code"));
  if (!cat.sources.count(a.source())) return InvalidField("allocation.source", "unknown funding source");
  if (a.amount_vnd() < 0) return InvalidField("allocation.amount_vnd", "must not be negative");
  LNOB_RETURN_IF_ERROR(ResolveUnit(a.unit_code(), a.year(), "allocation.unit_code").status());
  LNOB_RETURN_IF_ERROR(RequireScope(c.principal, a.unit_code(), a.year(), "allocation.unit_code"));
  LNOB_ASSIGN_OR_RETURN(*out, store_->SetAllocation(a, req.reason(), req.etag(), c.principal.subject,
                                                    api::IdempotencyKeyFor(req, "SetAllocation")));
  return absl::OkStatus();
}

template <typename Req>
absl::StatusOr<AllocationQuery> FundingLogic::MoneyQuery(const C& c, const Req& req) {
  LNOB_RETURN_IF_ERROR(CheckYear(req.year(), "year"));
  AllocationQuery q;
  q.year = req.year();
  LNOB_ASSIGN_OR_RETURN(q.units, ScopeFilter(c.principal, req.unit_code(), req.year(), "unit_code"));
  if (!req.node_code().empty()) {
    LNOB_ASSIGN_OR_RETURN(auto nodes, store_->Subtree(req.node_code(), absl::CivilDay(req.year(), 12, 31)));
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
          tokens_, req,
          [&](const std::string& after, int limit) {
            q.after_id = after;
            q.limit = limit;
            return store_->ListAllocations(q);
          },
          [](const v1::Allocation& a) { return api::IdOf(a.name()); }, out->mutable_next_page_token()));
  for (auto& a : rows) *out->add_allocations() = std::move(a);
  return absl::OkStatus();
}

absl::Status FundingLogic::ListAllocationRevisions(const C& c, const v1::ListAllocationRevisionsRequest& req,
                                                   v1::ListAllocationRevisionsResponse* out) {
  LNOB_ASSIGN_OR_RETURN(std::string id, api::ParseUuidId(req.name(), "allocations", "name"));
  auto a = store_->GetAllocation(id);
  if (!a.ok()) return a.status().code() == absl::StatusCode::kNotFound ? api::NotFound(req.name()) : a.status();
  LNOB_ASSIGN_OR_RETURN(bool ok, InScope(c.principal, a->unit_code(), a->year()));
  if (!ok) return api::NotFound(req.name());
  LNOB_ASSIGN_OR_RETURN(auto revs, store_->ListRevisions(id));
  for (auto& r : revs) *out->add_revisions() = std::move(r);
  return absl::OkStatus();
}

absl::Status FundingLogic::RecordDisbursement(const C& c, const v1::RecordDisbursementRequest& req,
                                              v1::Disbursement* out) {
  if (auto st = api::ValidateRequestId(req.request_id()); !st.ok()) return st;
  const auto& d = req.disbursement();
  LNOB_RETURN_IF_ERROR(CheckYear(d.year(), "disbursement.year"));
  LNOB_ASSIGN_OR_RETURN(Catalogue cat, LoadCatalogue());
  LNOB_RETURN_IF_ERROR(CheckNode(cat, d.node_code(), d.year(), "disbursement.node_code"));
  if (!cat.sources.count(d.source())) return InvalidField("disbursement.source", "unknown funding source");
  if (d.amount_vnd() <= 0) return InvalidField("disbursement.amount_vnd", "must be positive");
  LNOB_ASSIGN_OR_RETURN(absl::CivilDay date, api::FromProtoDate(d.date(), "disbursement.date"));
  if (date.year() < d.year() || date.year() > d.year() + 1) {
    return InvalidField("disbursement.date", "must fall in the allocation's year or the next (carry-over)");
  }
  if (date > Today()) return InvalidField("disbursement.date", "must not be in the future");
  if (!d.support_line().empty()) {
    LNOB_RETURN_IF_ERROR(VisibleLine(c, d.support_line(), "disbursement.support_line").status());
  }
  LNOB_RETURN_IF_ERROR(ResolveUnit(d.unit_code(), d.year(), "disbursement.unit_code").status());
  LNOB_RETURN_IF_ERROR(RequireScope(c.principal, d.unit_code(), d.year(), "disbursement.unit_code"));
  LNOB_ASSIGN_OR_RETURN(*out, store_->RecordDisbursement(d, c.principal.subject, api::IdempotencyKeyFor(req, "RecordDisbursement")));
  return absl::OkStatus();
}

absl::Status FundingLogic::ListDisbursements(const C& c, const v1::ListDisbursementsRequest& req,
                                             v1::ListDisbursementsResponse* out) {
  LNOB_ASSIGN_OR_RETURN(AllocationQuery q, MoneyQuery(c, req));
  LNOB_ASSIGN_OR_RETURN(
      auto rows,
      api::FetchPage<v1::Disbursement>(
          tokens_, req,
          [&](const std::string& after, int limit) {
            q.after_id = after;
            q.limit = limit;
            return store_->ListDisbursements(q);
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
    LNOB_RETURN_IF_ERROR(CheckNode(cat, l.node_code(), year, p + "node_code"));
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
  LNOB_ASSIGN_OR_RETURN(UnitInfo unit, ResolveUnit(p.unit_code(), p.year(), "plan.unit_code"));
  // Local plans are made per district until the district level ends on 1 July 2025 and
  // per commune from then on; 2025 has both.
  const bool district_ok = p.year() <= 2025, commune_ok = p.year() >= 2025;
  if (!((unit.level == 2 && district_ok) || (unit.level == 3 && commune_ok))) {
    return InvalidField("plan.unit_code", p.year() <= 2024   ? "plans before 2025 are made per district"
                                          : p.year() >= 2026 ? "plans from 2026 are made per commune"
                                                             : "must be a district or a commune");
  }
  LNOB_RETURN_IF_ERROR(RequireScope(c.principal, p.unit_code(), p.year(), "plan.unit_code"));
  LNOB_ASSIGN_OR_RETURN(Catalogue cat, LoadCatalogue());
  LNOB_RETURN_IF_ERROR(ValidatePlanLines(cat, p.lines(), p.year(), "plan.lines"));
  LNOB_ASSIGN_OR_RETURN(*out, store_->CreatePlan(p, c.principal.subject, api::IdempotencyKeyFor(req, "CreatePlan")));
  return absl::OkStatus();
}

absl::StatusOr<v1::Plan> FundingLogic::VisiblePlan(const C& c, const std::string& name) {
  LNOB_ASSIGN_OR_RETURN(std::string id, api::ParseUuidId(name, "plans", "name"));
  auto p = store_->GetPlan(id);
  if (!p.ok()) return p.status().code() == absl::StatusCode::kNotFound ? api::NotFound(name) : p.status();
  LNOB_ASSIGN_OR_RETURN(bool ok, InScope(c.principal, p->unit_code(), p->year()));
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
  LNOB_ASSIGN_OR_RETURN(q.units, ScopeFilter(c.principal, req.unit_code(), req.year(), "unit_code"));
  if (req.state() != v1::PLAN_STATE_UNSPECIFIED) {
    if (!v1::PlanState_IsValid(req.state())) return InvalidField("state", "unknown state");
    q.state = v1::PlanState_Name(req.state());
  }
  LNOB_ASSIGN_OR_RETURN(
      auto rows, api::FetchPage<v1::Plan>(
                     tokens_, req,
                     [&](const std::string& after, int limit) {
                       q.after_id = after;
                       q.limit = limit;
                       return store_->ListPlans(q);
                     },
                     [](const v1::Plan& p) { return api::IdOf(p.name()); }, out->mutable_next_page_token()));
  for (auto& p : rows) *out->add_plans() = std::move(p);
  return absl::OkStatus();
}

absl::Status FundingLogic::UpdatePlanLines(const C& c, const v1::UpdatePlanLinesRequest& req, v1::Plan* out) {
  LNOB_ASSIGN_OR_RETURN(v1::Plan p, VisiblePlan(c, req.name()));
  LNOB_ASSIGN_OR_RETURN(Catalogue cat, LoadCatalogue());
  LNOB_RETURN_IF_ERROR(ValidatePlanLines(cat, req.lines(), p.year(), "lines"));
  LNOB_ASSIGN_OR_RETURN(*out, store_->UpdatePlanLines(p.name().substr(6), {req.lines().begin(), req.lines().end()},
                                                      req.etag(), c.principal.subject));
  return absl::OkStatus();
}

absl::Status FundingLogic::PlanAction(const C& c, const v1::PlanActionRequest& req, const std::set<std::string>& from,
                                      const std::string& to, v1::Plan* out) {
  LNOB_ASSIGN_OR_RETURN(v1::Plan p, VisiblePlan(c, req.name()));
  LNOB_ASSIGN_OR_RETURN(*out, store_->ChangePlanState(p.name().substr(6), req.etag(), from, to, req.comments(),
                                                      c.principal.subject));
  return absl::OkStatus();
}

absl::Status FundingLogic::SubmitPlan(const C& c, const v1::PlanActionRequest& req, v1::Plan* out) {
  return PlanAction(c, req, {"DRAFT", "RETURNED"}, "SUBMITTED", out);
}
absl::Status FundingLogic::ReviewPlan(const C& c, const v1::PlanActionRequest& req, v1::Plan* out) {
  return PlanAction(c, req, {"SUBMITTED"}, "UNDER_REVIEW", out);
}
absl::Status FundingLogic::ApprovePlan(const C& c, const v1::PlanActionRequest& req, v1::Plan* out) {
  return PlanAction(c, req, {"UNDER_REVIEW"}, "APPROVED", out);
}
absl::Status FundingLogic::ReturnPlan(const C& c, const v1::PlanActionRequest& req, v1::Plan* out) {
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
  LNOB_ASSIGN_OR_RETURN(*out, store_->Consolidate(req.year()));
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
  LNOB_RETURN_IF_ERROR(CheckYear(req.year(), "year"));
  ReportQuery q;
  q.year = req.year();
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
  LNOB_ASSIGN_OR_RETURN(q.units, ScopeFilter(c.principal, req.unit_code(), req.year(), "unit_code"));
  LNOB_ASSIGN_OR_RETURN(auto rows, store_->DisbursementReport(q));
  out->set_year(req.year());
  v1::DisbursementReportRow* total = out->mutable_total();
  for (auto& r : rows) {
    Finish(&r);
    total->set_planned_vnd(total->planned_vnd() + r.planned_vnd());
    total->set_allocated_vnd(total->allocated_vnd() + r.allocated_vnd());
    total->set_disbursed_vnd(total->disbursed_vnd() + r.disbursed_vnd());
    total->set_supported_vnd(total->supported_vnd() + r.supported_vnd());
    *out->add_rows() = std::move(r);
  }
  Finish(total);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<v1::DisbursementReportRow>> FundingLogic::DisbursementBySource(int year) {
  ReportQuery q;
  q.year = year;
  q.by_source = true;
  LNOB_ASSIGN_OR_RETURN(auto rows, store_->DisbursementReport(q));
  for (auto& r : rows) Finish(&r);
  return rows;
}

absl::Status FundingLogic::GetHouseholdSupport(const C& c, const v1::GetHouseholdSupportRequest& req,
                                               v1::HouseholdSupport* out) {
  LNOB_ASSIGN_OR_RETURN(std::string id, api::ParseUuidId(req.household(), "households", "household"));
  LNOB_ASSIGN_OR_RETURN(auto facts, registry_->Facts(c, {{id, Today()}}));
  if (facts.empty() || !facts[0].found) return api::NotFound(req.household());
  out->set_household(req.household());
  SupportQuery q;
  q.household_id = id;
  q.limit = 1000;
  LNOB_ASSIGN_OR_RETURN(auto lines, store_->ListSupportLines(q));
  for (auto& l : lines) *out->add_lines() = std::move(l);
  LNOB_ASSIGN_OR_RETURN(SupportTotals t, store_->SupportFor({id}, 0));
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
                        registry_->TransitionHouseholds(c, req.year(), req.unit_code(), {"ESCAPED_POOR"}));
  out->set_year(req.year());
  out->set_escaped_households(static_cast<int64_t>(escaped.size()));
  LNOB_ASSIGN_OR_RETURN(SupportTotals t, store_->SupportFor(escaped, req.year()));
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
  LNOB_RETURN_IF_ERROR(store_->GetNode(programme, absl::CivilDay(req.year(), 12, 31)).status());
  LNOB_ASSIGN_OR_RETURN(auto cohort, store_->ProgrammeCohort(programme, req.year()));
  out->set_year(req.year());
  out->set_programme_code(programme);
  LNOB_ASSIGN_OR_RETURN(int64_t target, store_->ProgrammeTarget(programme, req.year()));
  out->set_target_households(target);
  // Year-end facts from the registry, in batches; households outside the caller's scope
  // come back not found and are left out of every figure.
  std::vector<std::pair<std::string, absl::CivilDay>> batch;
  std::vector<int64_t> amounts;
  auto flush = [&]() -> absl::Status {
    if (batch.empty()) return absl::OkStatus();
    LNOB_ASSIGN_OR_RETURN(auto facts, registry_->Facts(c, batch));
    for (size_t i = 0; i < facts.size(); ++i) {
      if (!facts[i].found) continue;
      out->set_cohort_households(out->cohort_households() + 1);
      out->set_support_vnd(out->support_vnd() + amounts[i]);
      if (Escaped(facts[i].transition)) out->set_escaped_by_year_end(out->escaped_by_year_end() + 1);
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

// ---- support ledger ----

absl::Status FundingLogic::PrepareLine(Catalogue& cat, v1::SupportLine* l, const std::string& prefix) {
  LNOB_ASSIGN_OR_RETURN(std::string hid, api::ParseUuidId(l->household(), "households", prefix + "household"));
  if (!cat.contents.count(l->content())) return InvalidField(prefix + "content", "unknown support content");
  LNOB_ASSIGN_OR_RETURN(absl::CivilDay date, api::FromProtoDate(l->date(), prefix + "date"));
  if (date.year() < 2000 || date.year() > 2100) return InvalidField(prefix + "date", "must be in 2000-2100");
  if (l->quantity() == 0) l->set_quantity(1);
  if (!(l->quantity() > 0) || l->quantity() > 1e9) return InvalidField(prefix + "quantity", "must be positive");
  if (l->amount_vnd() <= 0) return InvalidField(prefix + "amount_vnd", "must be positive");
  if (l->shares_size() == 0) return InvalidField(prefix + "shares", "at least one funding share is required");
  if (l->external_id().size() > 64) return InvalidField(prefix + "external_id", "at most 64 characters");
  if (l->unit_of_measure().size() > 32) return InvalidField(prefix + "unit_of_measure", "at most 32 characters");
  if (l->state() == v1::SUPPORT_STATE_UNSPECIFIED) l->set_state(v1::PLANNED);
  if (l->state() != v1::PLANNED && l->state() != v1::DELIVERED) {
    return InvalidField(prefix + "state", "a new line is PLANNED or DELIVERED");
  }
  int64_t sum = 0;
  std::set<std::pair<std::string, std::string>> seen;
  for (int i = 0; i < l->shares_size(); ++i) {
    const auto& s = l->shares(i);
    const std::string p = absl::StrCat(prefix, "shares[", i, "].");
    LNOB_RETURN_IF_ERROR(CheckNode(cat, s.node_code(), date.year(), p + "node_code"));
    if (!cat.sources.count(s.source())) return InvalidField(p + "source", "unknown funding source");
    if (s.amount_vnd() <= 0) return InvalidField(p + "amount_vnd", "must be positive");
    if (!seen.insert({s.node_code(), s.source()}).second) {
      return InvalidField(p + "source", "repeats another share's node and source");
    }
    if (__builtin_add_overflow(sum, s.amount_vnd(), &sum)) return InvalidField(p + "amount_vnd", "too large");
  }
  if (sum != l->amount_vnd()) {
    return InvalidField(prefix + "shares",
                        absl::StrCat("shares sum to ", sum, " VND but amount_vnd is ", l->amount_vnd(), " VND"));
  }
  l->set_household("households/" + hid);
  l->set_year(static_cast<int32_t>(date.year()));
  l->set_name("supportLines/" + NewUuidV7(clock_.Now()));
  return absl::OkStatus();
}

namespace {
void AttachFacts(const HouseholdFact& f, v1::SupportLine* l) {
  registry::v1::HouseholdClass cls = registry::v1::HOUSEHOLD_CLASS_UNSPECIFIED;
  registry::v1::HouseholdClass_Parse(f.classification, &cls);
  l->set_classification(cls);
  l->set_commune_code(f.commune_code);
  l->set_ethnic_minority(f.ethnic_minority);
}
}  // namespace

absl::Status FundingLogic::CreateSupportLine(const C& c, const v1::CreateSupportLineRequest& req,
                                             v1::SupportLine* out) {
  if (auto st = api::ValidateRequestId(req.request_id()); !st.ok()) return st;
  v1::SupportLine line = req.line();
  LNOB_ASSIGN_OR_RETURN(Catalogue cat, LoadCatalogue());
  LNOB_RETURN_IF_ERROR(PrepareLine(cat, &line, "line."));
  const absl::CivilDay date(line.date().year(), line.date().month(), line.date().day());
  // The registry decides whether the caller may see the household; nothing is written
  // when it cannot be asked.
  LNOB_ASSIGN_OR_RETURN(auto facts, registry_->Facts(c, {{line.household().substr(11), date}}));
  if (facts.empty() || !facts[0].found) {
    return WithReason(absl::NotFoundError(absl::StrCat("line.household: ", req.line().household(), " not found")),
                      "HOUSEHOLD_NOT_FOUND");
  }
  AttachFacts(facts[0], &line);
  auto created = store_->CreateSupportLine(line, c.principal.subject, api::IdempotencyKeyFor(req, "CreateSupportLine"));
  if (created.status().code() == absl::StatusCode::kAlreadyExists && GetReason(created.status()) == "ONE_POLICY") {
    LNOB_ASSIGN_OR_RETURN(auto existing, store_->ExistingPolicy(line.household().substr(11), line.content(), line.year()));
    return WithReason(
        absl::FailedPreconditionError(absl::StrCat(
            "one policy per household, content and year: supportLines/", existing.value_or("?"), " already gives ",
            line.content(), " to this household in ", line.year(),
            "; to integrate programmes, cancel it and record one line with each programme as a share")),
        "DOUBLE_FUNDING");
  }
  LNOB_ASSIGN_OR_RETURN(*out, std::move(created));
  return absl::OkStatus();
}

absl::StatusOr<v1::SupportLine> FundingLogic::VisibleLine(const C& c, const std::string& name,
                                                          const std::string& field) {
  LNOB_ASSIGN_OR_RETURN(std::string id, api::ParseUuidId(name, "supportLines", field));
  auto l = store_->GetSupportLine(id);
  if (!l.ok()) return l.status().code() == absl::StatusCode::kNotFound ? api::NotFound(name) : l.status();
  LNOB_ASSIGN_OR_RETURN(bool ok, InScope(c.principal, l->commune_code(), l->year()));
  if (!ok) return api::NotFound(name);
  return *l;
}

absl::Status FundingLogic::GetSupportLine(const C& c, const v1::GetSupportLineRequest& req, v1::SupportLine* out) {
  LNOB_ASSIGN_OR_RETURN(*out, VisibleLine(c, req.name(), "name"));
  return absl::OkStatus();
}

absl::Status FundingLogic::ListSupportLines(const C& c, const v1::ListSupportLinesRequest& req,
                                            v1::ListSupportLinesResponse* out) {
  SupportQuery q;
  if (!req.household().empty()) {
    LNOB_ASSIGN_OR_RETURN(q.household_id, api::ParseUuidId(req.household(), "households", "household"));
  }
  if (req.year() != 0) LNOB_RETURN_IF_ERROR(CheckYear(req.year(), "year"));
  q.year = req.year();
  q.content = req.content();
  q.review_flag_only = req.review_flag_only();
  const int scope_year = req.year() != 0 ? req.year() : static_cast<int>(Today().year());
  LNOB_ASSIGN_OR_RETURN(q.communes, ScopeFilter(c.principal, req.commune_code(), scope_year, "commune_code"));
  LNOB_ASSIGN_OR_RETURN(
      auto rows, api::FetchPage<v1::SupportLine>(
                     tokens_, req,
                     [&](const std::string& after, int limit) {
                       q.after_id = after;
                       q.limit = limit;
                       return store_->ListSupportLines(q);
                     },
                     [](const v1::SupportLine& l) { return api::IdOf(l.name()); }, out->mutable_next_page_token()));
  for (auto& l : rows) *out->add_lines() = std::move(l);
  return absl::OkStatus();
}

absl::Status FundingLogic::LineAction(const C& c, const v1::SupportLineActionRequest& req, const std::string& action,
                                      v1::SupportLine* out) {
  LNOB_ASSIGN_OR_RETURN(v1::SupportLine l, VisibleLine(c, req.name(), "name"));
  LNOB_ASSIGN_OR_RETURN(*out, store_->ChangeSupportLine(l.name().substr(13), req.etag(), action, req.reason(),
                                                        c.principal.subject));
  return absl::OkStatus();
}

absl::Status FundingLogic::DeliverSupportLine(const C& c, const v1::SupportLineActionRequest& req,
                                              v1::SupportLine* out) {
  return LineAction(c, req, "DELIVER", out);
}
absl::Status FundingLogic::CancelSupportLine(const C& c, const v1::SupportLineActionRequest& req,
                                             v1::SupportLine* out) {
  if (req.reason().empty()) return InvalidField("reason", "required when cancelling a line");
  return LineAction(c, req, "CANCEL", out);
}
absl::Status FundingLogic::ClearReviewFlag(const C& c, const v1::SupportLineActionRequest& req,
                                           v1::SupportLine* out) {
  return LineAction(c, req, "CLEAR_FLAG", out);
}

absl::Status FundingLogic::ImportSupportLines(const C& c,
                                              server::MessageReader<v1::ImportSupportLinesRequest>& in,
                                              v1::ImportSupportLinesResponse* out) {
  LNOB_ASSIGN_OR_RETURN(Catalogue cat, LoadCatalogue());
  std::string import_id;
  std::vector<ImportRow> batch;
  auto error = [&](int64_t row, std::string field, std::string message) {
    out->set_rows_failed(out->rows_failed() + 1);
    if (out->errors_size() < static_cast<int>(kMaxRowErrors)) {
      auto* e = out->add_errors();
      e->set_row_number(row);
      e->set_field(std::move(field));
      e->set_message(std::move(message));
    }
  };
  std::future<absl::StatusOr<ImportOutcome>> writing;
  auto settle = [&]() -> absl::Status {
    if (!writing.valid()) return absl::OkStatus();
    auto outcome = writing.get();
    LNOB_RETURN_IF_ERROR(outcome.status());
    out->set_rows_committed(out->rows_committed() + outcome->committed);
    out->set_rows_already_done(out->rows_already_done() + outcome->already_done);
    for (auto& e : outcome->errors) error(e.row_number(), e.field(), e.message());
    return absl::OkStatus();
  };
  // Whatever happens, no write is left running when the call returns.
  struct Drain {
    std::future<absl::StatusOr<ImportOutcome>>& f;
    ~Drain() {
      if (f.valid()) f.wait();
    }
  } drain{writing};
  auto flush = [&]() -> absl::Status {
    if (batch.empty()) return absl::OkStatus();
    std::vector<std::pair<std::string, absl::CivilDay>> queries;
    for (const auto& r : batch) {
      queries.emplace_back(r.line.household().substr(11),
                           absl::CivilDay(r.line.date().year(), r.line.date().month(), r.line.date().day()));
    }
    // Facts in chunks of the registry's batch limit; a registry failure ends the import
    // with everything committed so far kept (the import id resumes it).
    std::vector<HouseholdFact> facts;
    for (size_t i = 0; i < queries.size(); i += 1000) {
      std::vector<std::pair<std::string, absl::CivilDay>> part(
          queries.begin() + i, queries.begin() + std::min(queries.size(), i + 1000));
      LNOB_ASSIGN_OR_RETURN(auto got, registry_->Facts(c, part));
      facts.insert(facts.end(), got.begin(), got.end());
    }
    std::vector<ImportRow> rows;
    for (size_t i = 0; i < batch.size(); ++i) {
      if (!facts[i].found) {
        error(batch[i].row_number, "household", absl::StrCat(batch[i].line.household(), " not found"));
        continue;
      }
      AttachFacts(facts[i], &batch[i].line);
      rows.push_back(std::move(batch[i]));
    }
    batch.clear();
    // The previous batch's write ran while this one was read and checked with the registry;
    // batches still commit one after the other, so each sees the ones before it.
    LNOB_RETURN_IF_ERROR(settle());
    writing = std::async(std::launch::async, [this, &import_id, actor = c.principal.subject,
                                              rows = std::move(rows)]() mutable {
      auto outcome = store_->ImportBatch(import_id, actor, rows);
      if (outcome.status().code() == absl::StatusCode::kAlreadyExists) {
        // A concurrent writer took a household x content x year between the check and the
        // COPY; the retry sees it and reports the row.
        outcome = store_->ImportBatch(import_id, actor, std::move(rows));
      }
      return outcome;
    });
    return absl::OkStatus();
  };
  v1::ImportSupportLinesRequest msg;
  int64_t last_row = 0;
  while (in.Read(&msg)) {
    if (import_id.empty()) {
      if (!IsUuid(msg.import_id())) return InvalidField("import_id", "the first message must carry a UUID import_id");
      import_id = msg.import_id();
      out->set_import_id(import_id);
    } else if (!msg.import_id().empty() && msg.import_id() != import_id) {
      return InvalidField("import_id", "must not change within one import");
    }
    if (!msg.has_line()) continue;
    out->set_rows_received(out->rows_received() + 1);
    if (msg.row_number() <= last_row) {
      return InvalidField("row_number", absl::StrCat("must increase (", msg.row_number(), " after ", last_row, ")"));
    }
    last_row = msg.row_number();
    ImportRow row{msg.row_number(), std::move(*msg.mutable_line())};
    if (auto st = PrepareLine(cat, &row.line, ""); !st.ok()) {
      auto v = GetFieldViolations(st);
      error(row.row_number, v.empty() ? "" : v[0].field, v.empty() ? std::string(st.message()) : v[0].description);
      continue;
    }
    batch.push_back(std::move(row));
    if (batch.size() >= kImportBatch) LNOB_RETURN_IF_ERROR(flush());
  }
  if (import_id.empty()) return InvalidField("import_id", "the stream carried no message");
  LNOB_RETURN_IF_ERROR(flush());
  return settle();
}

}  // namespace lnob::funding
