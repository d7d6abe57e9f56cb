// Findings, recommendations, recoveries and the questions they answer (part of
// InspectionLogic; see inspection_logic.h).

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/api/period.h"
#include "common/api/proto_date.h"
#include "common/api/request_id.h"
#include "common/api/resource_name.h"
#include "common/status/status.h"
#include "common/util/date.h"
#include "common/util/text.h"
#include "services/inspection/domain/inspection_logic.h"

namespace lnob::inspection {
namespace {

// The owner collection each kind names.
const char* CollectionOf(v1::ReferenceKind k) {
  switch (k) {
    case v1::SUPPORT_LINE:
    case v1::SUPPORT_SHARE:
      return "supportLines";
    case v1::FUNDING_PLAN:
      return "plans";
    case v1::ALLOCATION:
      return "allocations";
    case v1::HOUSEHOLD:
      return "households";
    case v1::REVIEW:
      return "reviews";
    case v1::ACTIVITY:
      return "activities";
    case v1::SUPPORT_EVENT:
      return "supportEvents";
    default:
      return "";
  }
}

std::string FetchKind(v1::ReferenceKind k) {
  return k == v1::SUPPORT_SHARE ? kSupportLine : v1::ReferenceKind_Name(k);
}

// The registry's facts of a household or review (ethnicity, classification, income) are
// personal data (Decree 13/2023): they are shown only to callers the registry would show
// them to; others see that they were withheld.
void RedactFacts(const server::Call& c, v1::Finding* f) {
  const bool personal = c.principal.Can("registry.personal_data.read") &&
                        c.principal.Can("registry.personal_data.ethnicity") &&
                        c.principal.Can("registry.personal_data.income");
  if (personal) return;
  for (auto& r : *f->mutable_references()) {
    if (r.kind() == v1::HOUSEHOLD || r.kind() == v1::REVIEW) {
      r.clear_facts_json();
      r.set_facts_withheld(true);
    }
  }
}

void AddMoney(std::map<std::pair<std::string, std::string>, int64_t>& acc, const std::string& source,
              const std::string& node, int64_t amount) {
  if (amount > 0) acc[{source, node}] += amount;
}

}  // namespace

absl::Status InspectionLogic::ResolveReferences(const C& c, v1::Finding* f) {
  if (f->references_size() > kMaxReferences) {
    return InvalidField("finding.references", absl::StrCat("at most ", kMaxReferences, " references"));
  }
  // Validate the names first; then one owner call per kind for all its records.
  Violations v;
  std::map<std::string, std::vector<int>> by_kind;  // fetch kind -> reference indexes
  std::set<std::tuple<int, std::string, std::string, std::string>> seen;
  for (int i = 0; i < f->references_size(); ++i) {
    auto* r = f->mutable_references(i);
    const std::string field = absl::StrCat("finding.references[", i, "]");
    const char* collection = CollectionOf(r->kind());
    if (*collection == '\0') {
      v.Add(field + ".kind", "is required (ReferenceKind)");
      continue;
    }
    if (r->kind() == v1::REVIEW) {
      // households/{uuid}/reviews/{uuid}, the registry's name of a review.
      const auto at = r->resource().find("/reviews/");
      auto h = api::ParseUuidId(r->resource().substr(0, at), "households", field + ".resource");
      auto rv = at == std::string::npos ? h
                                         : api::ParseUuidId(r->resource().substr(at + 1), "reviews", field + ".resource");
      if (at == std::string::npos || !h.ok() || !rv.ok()) {
        v.Add(field + ".resource", "must be households/{uuid}/reviews/{uuid}");
        continue;
      }
      r->set_resource(absl::StrCat("households/", *h, "/reviews/", *rv));
    } else {
      auto id = api::ParseUuidId(r->resource(), collection, field + ".resource");
      if (!id.ok()) {
        v.Add(field + ".resource", absl::StrCat("must be ", collection, "/{uuid}"));
        continue;
      }
      r->set_resource(absl::StrCat(collection, "/", *id));
    }
    if (r->kind() == v1::SUPPORT_SHARE && (r->node_code().empty() || r->source().empty())) {
      v.Add(field, "a share is named by node_code and source");
    }
    if (r->kind() != v1::SUPPORT_SHARE && (!r->node_code().empty() || !r->source().empty())) {
      v.Add(field, "node_code and source name a share (kind SUPPORT_SHARE)");
    }
    const bool money = r->kind() == v1::SUPPORT_LINE || r->kind() == v1::SUPPORT_SHARE || r->kind() == v1::SUPPORT_EVENT;
    if (r->amount_vnd() < 0 || (!money && r->amount_vnd() != 0)) {
      v.Add(field + ".amount_vnd", money ? "must not be negative" : "is only for support lines, shares and events");
    }
    if (!seen.insert({r->kind(), r->resource(), r->node_code(), r->source()}).second) v.Add(field, "is listed twice");
    by_kind[FetchKind(r->kind())].push_back(i);
  }
  LNOB_RETURN_IF_ERROR(v.Status());
  const absl::CivilDay as_of = api::ProtoDay(f->date());
  std::map<std::pair<std::string, std::string>, int64_t> money;
  int64_t misused = 0;
  const auto now = api::ToProtoTimestamp(clock_.Now());
  for (const auto& [kind, indexes] : by_kind) {
    std::vector<std::string> resources;
    // A line cited whole and by a share is fetched once.
    std::map<std::string, size_t> slot;
    for (int i : indexes) {
      const auto& res = f->references(i).resource();
      if (slot.emplace(res, resources.size()).second) resources.push_back(res);
    }
    LNOB_ASSIGN_OR_RETURN(auto records, owners_->Fetch(c, kind, resources, as_of));
    if (records.size() != resources.size()) return absl::InternalError("an owner returned a short answer");
    for (int i : indexes) {
      auto* r = f->mutable_references(i);
      const std::string field = absl::StrCat("finding.references[", i, "]");
      const OwnerRecord& rec = records[slot[r->resource()]];
      // Missing and out of the caller's scope read alike (the owner decides).
      if (!rec.found) {
        v.Add(field + ".resource", absl::StrCat(r->resource(), " was not found by its owner (or is outside your area)"));
        continue;
      }
      r->set_commune_code(rec.commune_code);
      if (rec.dated) *r->mutable_record_date() = api::ToProtoDate(rec.date);
      r->set_facts_json(rec.facts_json);
      *r->mutable_fetched_time() = now;
      r->clear_money();
      if (r->kind() == v1::SUPPORT_SHARE) {
        const ShareFact* share = nullptr;
        for (const auto& s : rec.shares) {
          if (s.node_code == r->node_code() && s.source == r->source()) share = &s;
        }
        if (share == nullptr) {
          v.Add(field, absl::StrCat(r->resource(), " has no share of node ", r->node_code(), " and source ", r->source()));
          continue;
        }
        if (r->amount_vnd() == 0) r->set_amount_vnd(share->amount_vnd);
        if (r->amount_vnd() > share->amount_vnd) {
          v.Add(field + ".amount_vnd", absl::StrCat("must not exceed the share's ", share->amount_vnd, " VND"));
          continue;
        }
        auto* m = r->add_money();
        m->set_source(share->source);
        m->set_node_code(share->node_code);
        m->set_amount_vnd(r->amount_vnd());
      } else if (r->kind() == v1::SUPPORT_LINE || r->kind() == v1::SUPPORT_EVENT) {
        if (r->amount_vnd() == 0) r->set_amount_vnd(rec.amount_vnd);
        if (r->amount_vnd() > rec.amount_vnd) {
          v.Add(field + ".amount_vnd", absl::StrCat("must not exceed the record's ", rec.amount_vnd, " VND"));
          continue;
        }
        if (r->amount_vnd() < rec.amount_vnd && rec.shares.size() > 1) {
          v.Add(field + ".amount_vnd", "a part of a line with several shares: cite the share (SUPPORT_SHARE) instead");
          continue;
        }
        for (const auto& s : rec.shares) {
          // Whole record: every share; part of a single-share record: that share.
          const int64_t amount = r->amount_vnd() == rec.amount_vnd ? s.amount_vnd : r->amount_vnd();
          if (amount <= 0) continue;
          auto* m = r->add_money();
          m->set_source(s.source);
          m->set_node_code(s.node_code);
          m->set_amount_vnd(amount);
        }
      }
      for (const auto& m : r->money()) {
        AddMoney(money, m.source(), m.node_code(), m.amount_vnd());
        misused += m.amount_vnd();
      }
    }
  }
  LNOB_RETURN_IF_ERROR(v.Status());
  // A line cited whole and by one of its shares would count the share twice.
  std::set<std::string> whole;
  for (const auto& r : f->references()) {
    if (r.kind() == v1::SUPPORT_LINE) whole.insert(r.resource());
  }
  for (int i = 0; i < f->references_size(); ++i) {
    const auto& r = f->references(i);
    if (r.kind() == v1::SUPPORT_SHARE && whole.count(r.resource())) {
      return InvalidField(absl::StrCat("finding.references[", i, "]"),
                          "cites a share of a line the finding already cites whole");
    }
  }
  f->clear_to_recover();
  for (const auto& [key, amount] : money) {
    auto* m = f->add_to_recover();
    m->set_source(key.first);
    m->set_node_code(key.second);
    m->set_amount_vnd(amount);
  }
  f->set_misused_vnd(misused);
  f->set_to_recover_vnd(misused);
  return absl::OkStatus();
}

absl::Status InspectionLogic::CreateFinding(const C& c, const v1::CreateFindingRequest& req, v1::Finding* out) {
  v1::Finding f = req.finding();
  Violations v;
  if (!api::ValidateRequestId(req.request_id()).ok()) v.Add("request_id", "must be a UUID");
  if (f.inspection().empty()) v.Add("finding.inspection", "is required");
  LNOB_ASSIGN_OR_RETURN(auto categories, store_->Categories());
  if (!categories.count(f.category())) v.Add("finding.category", "must be a finding category (see docs/inspection.md)");
  if (f.severity() == v1::SEVERITY_UNSPECIFIED || !v1::Severity_IsValid(f.severity())) {
    v.Add("finding.severity", "is required (MINOR, MODERATE, SERIOUS)");
  }
  if (f.description().empty() || Utf8Chars(f.description()) > 4000) {
    v.Add("finding.description", "is required, at most 4,000 characters");
  }
  if (!api::IsSet(f.date())) {
    v.Add("finding.date", "is required");
  } else {
    auto d = api::FromProtoDate(f.date(), "finding.date");
    if (!d.ok()) v.Add("finding.date", "is not a valid date");
    else if (*d > Today()) v.Add("finding.date", "must not be in the future");
  }
  LNOB_RETURN_IF_ERROR(v.Status());
  LNOB_ASSIGN_OR_RETURN(v1::Inspection in, VisibleInspection(c, f.inspection(), "finding.inspection"));
  f.set_inspection(in.name());
  const std::string& me = c.principal.subject;
  if (me != in.leader() && std::find(in.members().begin(), in.members().end(), me) == in.members().end()) {
    return WithReason(absl::PermissionDeniedError("only the team records findings"), "NOT_ON_TEAM");
  }
  // The finding's unit: given (under one of the subjects), or the only subject's.
  LNOB_ASSIGN_OR_RETURN(auto graph, scope_->Graph());
  if (f.unit_code().empty()) {
    if (in.subjects_size() != 1) return InvalidField("finding.unit_code", "is required when the inspection has several subjects");
    f.set_unit_code(in.subjects(0).unit_code());
  } else {
    bool under = false;
    for (const auto& s : in.subjects()) {
      if (graph->Within(f.unit_code(), s.unit_code(), api::ProtoDay(f.date())) || f.unit_code() == s.unit_code()) {
        under = true;
      }
    }
    if (!under) return InvalidField("finding.unit_code", "must be a subject of the inspection or a unit under one");
    LNOB_RETURN_IF_ERROR(scope_->CheckFilter(c.principal, f.unit_code(), Today(), "finding.unit_code"));
  }
  if (f.hold()) {
    bool lines = false;
    for (const auto& r : f.references()) lines |= r.kind() == v1::SUPPORT_LINE || r.kind() == v1::SUPPORT_SHARE;
    if (!lines) return InvalidField("finding.hold", "holds support lines: cite at least one (SUPPORT_LINE or SUPPORT_SHARE)");
  }
  LNOB_RETURN_IF_ERROR(ResolveReferences(c, &f));
  // A finding speaks of its own unit: every record it cites lies in it (or, for an allocation
  // or plan of a wider unit, contains it).
  for (int i = 0; i < f.references_size(); ++i) {
    const auto& r = f.references(i);
    const absl::CivilDay on = api::ProtoDay(f.date());
    if (r.commune_code().empty() || r.commune_code() == f.unit_code() ||
        graph->Within(r.commune_code(), f.unit_code(), on) || graph->Within(f.unit_code(), r.commune_code(), on)) {
      continue;
    }
    return InvalidField(absl::StrCat("finding.references[", i, "].resource"),
                        absl::StrCat(r.resource(), " is in ", r.commune_code(), ", not under the finding's unit ",
                                     f.unit_code()));
  }
  LNOB_ASSIGN_OR_RETURN(*out, store_->CreateFinding(f, me, api::IdempotencyKeyFor(req, "CreateFinding", me)));
  RedactFacts(c, out);
  return absl::OkStatus();
}

absl::StatusOr<v1::Finding> InspectionLogic::VisibleFinding(const C& c, const std::string& name,
                                                            const std::string& field) {
  LNOB_ASSIGN_OR_RETURN(std::string id, api::ParseUuidId(name, "findings", field));
  auto f = store_->GetFinding(id);
  if (!f.ok()) return f.status().code() == absl::StatusCode::kNotFound ? api::NotFound(name) : f.status();
  LNOB_RETURN_IF_ERROR(CheckVisible(c, {f->unit_code()}, name));
  return *f;
}

absl::Status InspectionLogic::GetFinding(const C& c, const v1::GetFindingRequest& req, v1::Finding* out) {
  LNOB_ASSIGN_OR_RETURN(*out, VisibleFinding(c, req.name(), "name"));
  RedactFacts(c, out);
  return absl::OkStatus();
}

absl::Status InspectionLogic::ListFindings(const C& c, const v1::ListFindingsRequest& req,
                                           v1::ListFindingsResponse* out) {
  FindingQuery q;
  if (!req.inspection().empty()) {
    LNOB_ASSIGN_OR_RETURN(q.inspection_id, api::ParseUuidId(req.inspection(), "inspections", "inspection"));
  }
  q.category = req.category();
  q.resource = req.resource();
  q.open_serious_only = req.open_serious_only();
  LNOB_ASSIGN_OR_RETURN(q.units, FilterUnits(c, req.unit_code(), Today(), "unit_code"));
  LNOB_ASSIGN_OR_RETURN(auto rows, api::FetchPage<v1::Finding>(
                                       tokens_, req,
                                       [&](const std::string& after, int limit) {
                                         q.after_id = after;
                                         q.limit = limit;
                                         return store_->ListFindings(q);
                                       },
                                       [](const v1::Finding& f) { return api::IdOf(f.name()); },
                                       out->mutable_next_page_token()));
  for (auto& f : rows) {
    RedactFacts(c, &f);
    *out->add_findings() = std::move(f);
  }
  return absl::OkStatus();
}

absl::Status InspectionLogic::LiftHold(const C& c, const v1::LiftHoldRequest& req, v1::Finding* out) {
  LNOB_ASSIGN_OR_RETURN(v1::Finding f, VisibleFinding(c, req.name(), "name"));
  Violations v;
  if (req.etag().empty()) v.Add("etag", "is required (read the finding first)");
  if (req.reason().empty() || Utf8Chars(req.reason()) > 1000) v.Add("reason", "is required, at most 1,000 characters");
  LNOB_RETURN_IF_ERROR(v.Status());
  if (!f.hold_active()) {
    return WithReason(absl::FailedPreconditionError(absl::StrCat(req.name(), " holds nothing")), "NO_HOLD");
  }
  // Only the people who placed it (the team) or the decider lift a hold: an officer of the
  // body inspected must not release its own lines.
  LNOB_ASSIGN_OR_RETURN(v1::Inspection in, VisibleInspection(c, f.inspection(), "name"));
  const std::string& me = c.principal.subject;
  if (me != in.leader() && me != in.decider() &&
      std::find(in.members().begin(), in.members().end(), me) == in.members().end()) {
    return WithReason(absl::PermissionDeniedError("only the team or the decider lifts a hold"), "NOT_ON_TEAM");
  }
  LNOB_ASSIGN_OR_RETURN(*out, store_->LiftHold(api::IdOf(req.name()), req.etag(), req.reason()));
  RedactFacts(c, out);
  return absl::OkStatus();
}

// ---- Recommendations and recoveries ------------------------------------------------------------------

absl::Status InspectionLogic::CreateRecommendation(const C& c, const v1::CreateRecommendationRequest& req,
                                                   v1::Recommendation* out) {
  v1::Recommendation r = req.recommendation();
  Violations v;
  if (!api::ValidateRequestId(req.request_id()).ok()) v.Add("request_id", "must be a UUID");
  if (r.inspection().empty()) v.Add("recommendation.inspection", "is required");
  if (r.kind() == v1::RECOMMENDATION_KIND_UNSPECIFIED || !v1::RecommendationKind_IsValid(r.kind())) {
    v.Add("recommendation.kind", "is required (ADMINISTRATIVE, DISCIPLINARY, FINANCIAL, POLICY)");
  }
  if (r.kind() == v1::FINANCIAL && r.finding().empty()) {
    v.Add("recommendation.finding", "is required for a FINANCIAL one: the money comes from its references");
  }
  if (r.description().empty() || Utf8Chars(r.description()) > 4000) {
    v.Add("recommendation.description", "is required, at most 4,000 characters");
  }
  if (r.owner_unit().empty()) v.Add("recommendation.owner_unit", "is required");
  if (!api::IsSet(r.deadline())) v.Add("recommendation.deadline", "is required");
  else if (!api::FromProtoDate(r.deadline(), "recommendation.deadline").ok()) v.Add("recommendation.deadline", "is not a valid date");
  LNOB_RETURN_IF_ERROR(v.Status());
  LNOB_ASSIGN_OR_RETURN(v1::Inspection in, VisibleInspection(c, r.inspection(), "recommendation.inspection"));
  r.set_inspection(in.name());
  LNOB_ASSIGN_OR_RETURN(auto graph, scope_->Graph());
  if (!graph->Known(r.owner_unit())) {
    return InvalidField("recommendation.owner_unit", "must be a unit code of the registry (ListAdminUnits)");
  }
  LNOB_RETURN_IF_ERROR(scope_->CheckFilter(c.principal, r.owner_unit(), Today(), "recommendation.owner_unit"));
  if (!r.finding().empty()) {
    LNOB_ASSIGN_OR_RETURN(v1::Finding f, VisibleFinding(c, r.finding(), "recommendation.finding"));
    if (f.inspection() != in.name()) return InvalidField("recommendation.finding", "belongs to another inspection");
    if (r.kind() == v1::FINANCIAL && f.to_recover_vnd() == 0) {
      return InvalidField("recommendation.finding", "has no money to recover (cite support lines, shares or events)");
    }
    r.set_finding(f.name());
  }
  const std::string& me = c.principal.subject;
  if (me != in.leader() && me != in.decider() &&
      std::find(in.members().begin(), in.members().end(), me) == in.members().end()) {
    return WithReason(absl::PermissionDeniedError("only the team or the decider makes recommendations"), "NOT_ON_TEAM");
  }
  LNOB_ASSIGN_OR_RETURN(*out, store_->CreateRecommendation(r, me, api::IdempotencyKeyFor(req, "CreateRecommendation", me)));
  return absl::OkStatus();
}

absl::StatusOr<v1::Recommendation> InspectionLogic::VisibleRecommendation(const C& c, const std::string& name,
                                                                          const std::string& field) {
  LNOB_ASSIGN_OR_RETURN(std::string id, api::ParseUuidId(name, "recommendations", field));
  auto r = store_->GetRecommendation(id, FormatDate(Today()));
  if (!r.ok()) return r.status().code() == absl::StatusCode::kNotFound ? api::NotFound(name) : r.status();
  LNOB_RETURN_IF_ERROR(CheckVisible(c, {r->owner_unit()}, name));
  return *r;
}

absl::Status InspectionLogic::GetRecommendation(const C& c, const v1::GetRecommendationRequest& req,
                                                v1::Recommendation* out) {
  LNOB_ASSIGN_OR_RETURN(*out, VisibleRecommendation(c, req.name(), "name"));
  return absl::OkStatus();
}

absl::Status InspectionLogic::ListRecommendations(const C& c, const v1::ListRecommendationsRequest& req,
                                                  v1::ListRecommendationsResponse* out) {
  RecommendationQuery q;
  if (!req.inspection().empty()) {
    LNOB_ASSIGN_OR_RETURN(q.inspection_id, api::ParseUuidId(req.inspection(), "inspections", "inspection"));
  }
  if (!v1::RecommendationStatus_IsValid(req.status())) return InvalidField("status", "is not a status");
  if (req.status() != v1::RECOMMENDATION_STATUS_UNSPECIFIED) q.status = v1::RecommendationStatus_Name(req.status());
  q.overdue_only = req.overdue_only();
  q.today = FormatDate(Today());
  LNOB_ASSIGN_OR_RETURN(q.units, FilterUnits(c, req.owner_unit(), Today(), "owner_unit"));
  LNOB_ASSIGN_OR_RETURN(auto rows, api::FetchPage<v1::Recommendation>(
                                       tokens_, req,
                                       [&](const std::string& after, int limit) {
                                         q.after_id = after;
                                         q.limit = limit;
                                         return store_->ListRecommendations(q);
                                       },
                                       [&](const v1::Recommendation& r) {
                                         // The overdue list is ordered by deadline, then id.
                                         return q.overdue_only ? absl::StrCat(api::ProtoDateText(r.deadline()), "|",
                                                                              api::IdOf(r.name()))
                                                               : api::IdOf(r.name());
                                       },
                                       out->mutable_next_page_token()));
  for (auto& r : rows) *out->add_recommendations() = std::move(r);
  return absl::OkStatus();
}

absl::Status InspectionLogic::RecordFollowUp(const C& c, const v1::RecordFollowUpRequest& req,
                                             v1::Recommendation* out) {
  LNOB_ASSIGN_OR_RETURN(v1::Recommendation r, VisibleRecommendation(c, req.recommendation(), "recommendation"));
  const auto& f = req.follow_up();
  Violations v;
  if (!api::ValidateRequestId(req.request_id()).ok()) v.Add("request_id", "must be a UUID");
  if (req.etag().empty()) v.Add("etag", "is required (read the recommendation first)");
  auto day = RequiredDay(f.date(), "follow_up.date", Today());
  if (!day.ok()) v.Add("follow_up.date", std::string(day.status().message()));
  if (f.status() == v1::RECOMMENDATION_STATUS_UNSPECIFIED || !v1::RecommendationStatus_IsValid(f.status())) {
    v.Add("follow_up.status", "is required (OPEN, IN_PROGRESS, DONE)");
  }
  if (f.evidence().empty() || Utf8Chars(f.evidence()) > 1000) v.Add("follow_up.evidence", "is required, at most 1,000 characters");
  if (Utf8Chars(f.note()) > 2000) v.Add("follow_up.note", "must be at most 2,000 characters");
  LNOB_RETURN_IF_ERROR(v.Status());
  if (f.status() == v1::DONE && r.kind() == v1::FINANCIAL) {
    // Each source and node in full: money over-recovered for one does not make up for another.
    for (const auto& need : r.required()) {
      int64_t got = 0;
      for (const auto& m : r.recovered()) {
        if (m.source() == need.source() && m.node_code() == need.node_code()) got = m.amount_vnd();
      }
      if (got < need.amount_vnd()) {
        return WithReason(absl::FailedPreconditionError(absl::StrCat(
                              "follow_up.status: a financial recommendation is done once everything required is "
                              "recovered; ", need.source(), " / ", need.node_code(), " has ", got, " of ",
                              need.amount_vnd(), " VND")),
                          "NOT_RECOVERED");
      }
    }
  }
  const std::string& me = c.principal.subject;
  LNOB_ASSIGN_OR_RETURN(*out, store_->RecordFollowUp(api::IdOf(r.name()), req.etag(), f, me, FormatDate(Today()),
                                                     api::IdempotencyKeyFor(req, "RecordFollowUp", me)));
  return absl::OkStatus();
}

absl::Status InspectionLogic::RecordRecovery(const C& c, const v1::RecordRecoveryRequest& req, v1::Recovery* out) {
  v1::Recovery r = req.recovery();
  Violations v;
  if (!api::ValidateRequestId(req.request_id()).ok()) v.Add("request_id", "must be a UUID");
  if (r.recommendation().empty()) v.Add("recovery.recommendation", "is required");
  auto day = RequiredDay(r.date(), "recovery.date", Today());
  if (!day.ok()) v.Add("recovery.date", std::string(day.status().message()));
  if (r.amount_vnd() <= 0) v.Add("recovery.amount_vnd", "must be a positive amount of VND");
  if (r.document().empty() || Utf8Chars(r.document()) > 500) v.Add("recovery.document", "is required, at most 500 characters");
  if (Utf8Chars(r.over_recovery_reason()) > 1000) v.Add("recovery.over_recovery_reason", "must be at most 1,000 characters");
  LNOB_RETURN_IF_ERROR(v.Status());
  LNOB_ASSIGN_OR_RETURN(v1::Recommendation rec, VisibleRecommendation(c, r.recommendation(), "recovery.recommendation"));
  if (rec.kind() != v1::FINANCIAL) return InvalidField("recovery.recommendation", "is not a FINANCIAL recommendation");
  r.set_recommendation(rec.name());
  // Source and node default to the recommendation's only one.
  if (r.source().empty() && r.node_code().empty() && rec.required_size() == 1) {
    r.set_source(rec.required(0).source());
    r.set_node_code(rec.required(0).node_code());
  }
  bool required = false;
  for (const auto& m : rec.required()) required |= m.source() == r.source() && m.node_code() == r.node_code();
  if (!required) {
    return InvalidField("recovery.source", absl::StrCat("nothing is to be recovered for source ", r.source(), " and node ",
                                                        r.node_code(), " under ", rec.name()));
  }
  // What was recovered so far is checked where the recovery is written (a retry of this
  // request is answered from the first one, not measured again).
  const std::string& me = c.principal.subject;
  LNOB_ASSIGN_OR_RETURN(*out, store_->RecordRecovery(r, me, api::IdempotencyKeyFor(req, "RecordRecovery", me)));
  return absl::OkStatus();
}

absl::Status InspectionLogic::ListRecoveries(const C& c, const v1::ListRecoveriesRequest& req,
                                             v1::ListRecoveriesResponse* out) {
  if (req.recommendation().empty()) return InvalidField("recommendation", "is required");
  LNOB_ASSIGN_OR_RETURN(v1::Recommendation rec, VisibleRecommendation(c, req.recommendation(), "recommendation"));
  LNOB_ASSIGN_OR_RETURN(auto rows, api::FetchPage<v1::Recovery>(
                                       tokens_, req,
                                       [&](const std::string& after, int limit) -> absl::StatusOr<std::vector<v1::Recovery>> {
                                         int64_t after_id = 0;
                                         if (!after.empty() && !absl::SimpleAtoi(after, &after_id)) {
                                           return InvalidField("page_token", "is invalid");
                                         }
                                         return store_->ListRecoveries(api::IdOf(rec.name()), after_id, limit);
                                       },
                                       [](const v1::Recovery& r) { return api::IdOf(r.name()); },
                                       out->mutable_next_page_token()));
  for (auto& r : rows) *out->add_recoveries() = std::move(r);
  return absl::OkStatus();
}

// ---- Questions -------------------------------------------------------------------------------------

absl::Status InspectionLogic::GetFindingsReport(const C& c, const v1::GetFindingsReportRequest& req,
                                                v1::FindingsReport* out) {
  if (req.period().type() == common::v1::Period::TYPE_UNSPECIFIED) return InvalidField("period", "is required");
  LNOB_ASSIGN_OR_RETURN(api::DayRange days, api::ResolvePeriod(req.period(), "period"));
  LNOB_ASSIGN_OR_RETURN(absl::CivilDay as_of, api::FromProtoDateOr(req.as_of(), "as_of", days.last));
  bool by_node = false, by_unit = false, by_category = false, by_severity = false;
  for (int d : req.group_by()) {
    if (!v1::FindingsDimension_IsValid(d) || d == v1::FINDINGS_DIMENSION_UNSPECIFIED) {
      return InvalidField("group_by", "BY_NODE, BY_UNIT, BY_CATEGORY or BY_SEVERITY");
    }
    by_node |= d == v1::BY_NODE;
    by_unit |= d == v1::BY_UNIT;
    by_category |= d == v1::BY_CATEGORY;
    by_severity |= d == v1::BY_SEVERITY;
  }
  if (req.group_by().empty()) by_category = true;
  LNOB_ASSIGN_OR_RETURN(Units units, FilterUnits(c, req.unit_code(), as_of, "unit_code"));
  LNOB_ASSIGN_OR_RETURN(auto rows, store_->FindingsReport(FormatDate(days.first), FormatDate(days.last), units, by_node,
                                                          by_unit, by_category, by_severity));
  LNOB_ASSIGN_OR_RETURN(auto graph, scope_->Graph());
  // BY_UNIT on as_of's geography: an old code counts for the unit it continued as.
  std::map<std::tuple<std::string, std::string, std::string, std::string>, std::pair<int64_t, int64_t>> merged;
  for (const auto& r : rows) {
    const std::string unit = by_unit ? graph->UnitOn(r.unit_code, as_of) : "";
    auto& acc = merged[{r.node_code, unit, r.category, r.severity}];
    acc.first += r.findings;
    acc.second += r.to_recover_vnd;
  }
  for (const auto& [key, acc] : merged) {
    auto* row = out->add_rows();
    row->set_node_code(std::get<0>(key));
    row->set_unit_code(std::get<1>(key));
    row->set_category(std::get<2>(key));
    v1::Severity sev = v1::SEVERITY_UNSPECIFIED;
    if (!std::get<3>(key).empty()) v1::Severity_Parse(std::get<3>(key), &sev);
    row->set_severity(sev);
    row->set_findings(acc.first);
    row->set_to_recover_vnd(acc.second);
  }
  // The distinct totals: a finding touching two nodes is one finding.
  LNOB_ASSIGN_OR_RETURN(auto totals, store_->FindingsReport(FormatDate(days.first), FormatDate(days.last), units, false,
                                                            false, false, false));
  for (const auto& t : totals) {
    out->set_findings(out->findings() + t.findings);
    out->set_to_recover_vnd(out->to_recover_vnd() + t.to_recover_vnd);
  }
  return absl::OkStatus();
}

absl::Status InspectionLogic::ListFlaggedRecords(const C& c, const v1::ListFlaggedRecordsRequest& req,
                                                 v1::ListFlaggedRecordsResponse* out) {
  FlaggedQuery q;
  if (!v1::ReferenceKind_IsValid(req.kind())) return InvalidField("kind", "is not a reference kind");
  if (req.kind() != v1::REFERENCE_KIND_UNSPECIFIED) q.kind = v1::ReferenceKind_Name(req.kind());
  q.open_serious_only = req.open_serious_only();
  LNOB_ASSIGN_OR_RETURN(q.communes, FilterUnits(c, req.unit_code(), Today(), "unit_code"));
  LNOB_ASSIGN_OR_RETURN(auto rows, api::FetchPage<v1::FlaggedRecord>(
                                       tokens_, req,
                                       [&](const std::string& after, int limit) {
                                         q.after = after;
                                         q.limit = limit;
                                         return store_->ListFlaggedRecords(q);
                                       },
                                       [](const v1::FlaggedRecord& r) {
                                         return absl::StrCat(v1::ReferenceKind_Name(r.kind()), "|", r.resource());
                                       },
                                       out->mutable_next_page_token()));
  for (auto& r : rows) *out->add_records() = std::move(r);
  return absl::OkStatus();
}

absl::Status InspectionLogic::GetStatistics(const C& c, const v1::GetStatisticsRequest& req, v1::Statistics* out) {
  if (req.period().type() == common::v1::Period::TYPE_UNSPECIFIED) return InvalidField("period", "is required");
  LNOB_ASSIGN_OR_RETURN(api::DayRange days, api::ResolvePeriod(req.period(), "period"));
  LNOB_ASSIGN_OR_RETURN(Units units, FilterUnits(c, req.unit_code(), days.last, "unit_code"));
  // Read before the figures: every change at or before it is in them.
  LNOB_ASSIGN_OR_RETURN(int64_t cursor, store_->FeedHead());
  LNOB_ASSIGN_OR_RETURN(*out, store_->Statistics(FormatDate(days.first), FormatDate(days.last), units,
                                                 FormatDate(Today())));
  out->set_cursor(cursor);
  return absl::OkStatus();
}

absl::StatusOr<v1::Statistics> InspectionLogic::ProvinceStatistics() {
  return store_->Statistics("1900-01-01", "9999-12-31", Units(), FormatDate(Today()));
}

}  // namespace lnob::inspection
