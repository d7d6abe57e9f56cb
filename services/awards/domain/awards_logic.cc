#include "services/awards/domain/awards_logic.h"

#include <set>
#include <tuple>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/api/proto_date.h"
#include "common/api/request_id.h"
#include "common/api/resource_name.h"
#include "common/status/status.h"
#include "common/util/date.h"
#include "common/util/text.h"

namespace lnob::awards {
namespace {

// Targets: at least `min` (0 or 1), each with a description and a value >= 0.
void CheckTargets(const google::protobuf::RepeatedPtrField<v1::Target>& targets, const std::string& field, int min,
                  Violations& v) {
  if (targets.size() < min) v.Add(field, "at least one target is required");
  if (targets.size() > 100) v.Add(field, "at most 100 targets");
  for (int i = 0; i < targets.size(); ++i) {
    const auto& t = targets[i];
    const std::string f = absl::StrCat(field, "[", i, "]");
    if (t.description().empty() || Utf8Chars(t.description()) > 500) {
      v.Add(f + ".description", "is required, at most 500 characters");
    }
    if (!(t.value() >= 0)) v.Add(f + ".value", "must be a number >= 0");
    if (Utf8Chars(t.code()) > 60) v.Add(f + ".code", "must be at most 60 characters");
    if (Utf8Chars(t.unit_of_measure()) > 60) v.Add(f + ".unit_of_measure", "must be at most 60 characters");
  }
}

}  // namespace

absl::CivilDay AwardsLogic::Today() const { return lnob::Today(clock_.Now()); }

absl::StatusOr<Units> AwardsLogic::UnitsFor(const C& c, const std::string& unit_code, const std::string& field) {
  LNOB_ASSIGN_OR_RETURN(auto covered, scope_->Covered(c.principal, Today()));
  if (unit_code.empty()) {
    if (!covered) return Units();
    return Units(std::vector<std::string>(covered->begin(), covered->end()));
  }
  LNOB_ASSIGN_OR_RETURN(auto graph, scope_->Graph());
  if (!graph->Known(unit_code)) return InvalidField(field, "must be a unit code of the registry (ListAdminUnits)");
  std::vector<std::string> units;
  for (auto& u : graph->UnitsUnder(unit_code, Today())) {
    if (!covered || covered->count(u)) units.push_back(std::move(u));
  }
  if (covered && units.empty()) return scope::AreaScope::FilterOutOfScope(field, unit_code);
  return Units(std::move(units));
}

absl::Status AwardsLogic::ListAwardForms(const C&, const v1::ListAwardFormsRequest& req,
                                         v1::ListAwardFormsResponse* out) {
  LNOB_ASSIGN_OR_RETURN(auto all, store_->ListAwardForms());
  LNOB_ASSIGN_OR_RETURN(auto page, api::PageOf(tokens_, req, std::move(all), out->mutable_next_page_token()));
  for (auto& f : page) *out->add_forms() = std::move(f);
  return absl::OkStatus();
}

absl::Status AwardsLogic::CreateMovement(const C& c, const v1::CreateMovementRequest& req, v1::Movement* out) {
  const v1::Movement& m = req.movement();
  Violations v;
  if (!api::ValidateRequestId(req.request_id()).ok()) v.Add("request_id", "must be a UUID");
  if (m.number().empty() || Utf8Chars(m.number()) > 100) v.Add("movement.number", "is required, at most 100 characters");
  if (m.title().empty() || Utf8Chars(m.title()) > 500) v.Add("movement.title", "is required, at most 500 characters");
  if (m.launched_by().empty() || Utf8Chars(m.launched_by()) > 200) {
    v.Add("movement.launched_by", "is required, at most 200 characters");
  }
  for (int i = 0; i < m.parent_plans_size(); ++i) {
    if (m.parent_plans(i).empty() || Utf8Chars(m.parent_plans(i)) > 100) {
      v.Add(absl::StrCat("movement.parent_plans[", i, "]"), "must be 1-100 characters");
    }
  }
  auto launched = api::IsSet(m.launched_date()) ? api::FromProtoDate(m.launched_date(), "movement.launched_date")
                                                : InvalidField("movement.launched_date", "is required");
  auto from = api::IsSet(m.period_from()) ? api::FromProtoDate(m.period_from(), "movement.period_from")
                                          : InvalidField("movement.period_from", "is required");
  auto to = api::IsSet(m.period_to()) ? api::FromProtoDate(m.period_to(), "movement.period_to")
                                      : InvalidField("movement.period_to", "is required");
  for (const auto* d : {&launched, &from, &to}) {
    for (const auto& fv : GetFieldViolations(d->status())) v.Add(fv.field, fv.description);
  }
  if (launched.ok() && *launched > Today()) v.Add("movement.launched_date", "must not be in the future");
  if (from.ok() && to.ok() && *to < *from) v.Add("movement.period_to", "must not be before period_from");
  CheckTargets(m.targets(), "movement.targets", 0, v);
  LNOB_RETURN_IF_ERROR(v.Status());
  LNOB_ASSIGN_OR_RETURN(auto graph, scope_->Graph());
  if (!graph->Known(m.owner_unit())) {
    return InvalidField("movement.owner_unit", "must be a unit code of the registry (ListAdminUnits)");
  }
  LNOB_RETURN_IF_ERROR(scope_->CheckFilter(c.principal, m.owner_unit(), Today(), "movement.owner_unit"));
  LNOB_ASSIGN_OR_RETURN(*out, store_->CreateMovement(m, c.principal.subject,
                                                     api::IdempotencyKeyFor(req, "CreateMovement", c.principal.subject)));
  return absl::OkStatus();
}

absl::Status AwardsLogic::GetMovement(const C&, const v1::GetMovementRequest& req, v1::Movement* out) {
  // Movements are province-wide plans: every officer reads them.
  LNOB_ASSIGN_OR_RETURN(std::string id, api::ParseUuidId(req.name(), "movements", "name"));
  LNOB_ASSIGN_OR_RETURN(*out, store_->GetMovement(id));
  return absl::OkStatus();
}

absl::Status AwardsLogic::ListMovements(const C&, const v1::ListMovementsRequest& req,
                                        v1::ListMovementsResponse* out) {
  if (req.year() != 0 && (req.year() < 2000 || req.year() > 2100)) return InvalidField("year", "must be 2000-2100");
  LNOB_ASSIGN_OR_RETURN(auto rows, api::FetchPage<v1::Movement>(
                                       tokens_, req,
                                       [&](const std::string& after, int limit) {
                                         return store_->ListMovements(req.year(), after, limit);
                                       },
                                       [](const v1::Movement& m) { return api::IdOf(m.name()); },
                                       out->mutable_next_page_token()));
  for (auto& m : rows) *out->add_movements() = std::move(m);
  return absl::OkStatus();
}

absl::Status AwardsLogic::CreateRegistration(const C& c, const v1::CreateRegistrationRequest& req,
                                             v1::Registration* out) {
  v1::Registration r = req.registration();
  Violations v;
  if (!api::ValidateRequestId(req.request_id()).ok()) v.Add("request_id", "must be a UUID");
  if (r.movement().empty()) v.Add("registration.movement", "is required");
  if (r.subject_kind() == v1::RECIPIENT_KIND_UNSPECIFIED || !v1::RecipientKind_IsValid(r.subject_kind())) {
    v.Add("registration.subject_kind", "is required (INDIVIDUAL, COLLECTIVE or HOUSEHOLD)");
  }
  if (r.subject_name().empty() || Utf8Chars(r.subject_name()) > 200) {
    v.Add("registration.subject_name", "is required, at most 200 characters");
  }
  if (!r.household().empty()) {
    if (r.subject_kind() != v1::HOUSEHOLD) v.Add("registration.household", "names a household: subject_kind HOUSEHOLD");
    if (!api::ParseUuidId(r.household(), "households", "registration.household").ok()) {
      v.Add("registration.household", "must be households/{uuid}");
    }
  }
  auto day = api::IsSet(r.registered_date()) ? api::FromProtoDate(r.registered_date(), "registration.registered_date")
                                             : InvalidField("registration.registered_date", "is required");
  for (const auto& fv : GetFieldViolations(day.status())) v.Add(fv.field, fv.description);
  if (day.ok() && *day > Today()) v.Add("registration.registered_date", "must not be in the future");
  CheckTargets(r.targets(), "registration.targets", 1, v);
  LNOB_RETURN_IF_ERROR(v.Status());
  LNOB_ASSIGN_OR_RETURN(std::string movement_id, api::ParseUuidId(r.movement(), "movements", "registration.movement"));
  auto m = store_->GetMovement(movement_id);
  if (!m.ok()) {
    return m.status().code() == absl::StatusCode::kNotFound ? InvalidField("registration.movement", "no such movement")
                                                            : m.status();
  }
  r.set_movement(m->name());
  if (r.year() == 0) r.set_year(static_cast<int32_t>(day->year()));
  if (r.year() < m->period_from().year() || r.year() > m->period_to().year()) {
    return InvalidField("registration.year", absl::StrCat("must be in the movement's period (",
                                                          m->period_from().year(), "-", m->period_to().year(), ")"));
  }
  LNOB_ASSIGN_OR_RETURN(auto graph, scope_->Graph());
  if (!graph->Known(r.unit_code())) {
    return InvalidField("registration.unit_code", "must be a unit code of the registry (ListAdminUnits)");
  }
  LNOB_RETURN_IF_ERROR(scope_->CheckFilter(c.principal, r.unit_code(), Today(), "registration.unit_code"));
  const std::string& me = c.principal.subject;
  LNOB_ASSIGN_OR_RETURN(*out, store_->CreateRegistration(r, FoldName(r.subject_name()), me,
                                                         api::IdempotencyKeyFor(req, "CreateRegistration", me)));
  return absl::OkStatus();
}

absl::Status AwardsLogic::ListRegistrations(const C& c, const v1::ListRegistrationsRequest& req,
                                            v1::ListRegistrationsResponse* out) {
  RegistrationQuery q;
  if (req.movement().empty()) return InvalidField("movement", "is required");
  LNOB_ASSIGN_OR_RETURN(q.movement_id, api::ParseUuidId(req.movement(), "movements", "movement"));
  if (req.year() != 0 && (req.year() < 2000 || req.year() > 2100)) return InvalidField("year", "must be 2000-2100");
  q.year = req.year();
  LNOB_ASSIGN_OR_RETURN(q.units, UnitsFor(c, req.unit_code(), "unit_code"));
  LNOB_ASSIGN_OR_RETURN(auto rows, api::FetchPage<v1::Registration>(
                                       tokens_, req,
                                       [&](const std::string& after, int limit) {
                                         q.after_id = after;
                                         q.limit = limit;
                                         return store_->ListRegistrations(q);
                                       },
                                       [](const v1::Registration& x) { return api::IdOf(x.name()); },
                                       out->mutable_next_page_token()));
  for (auto& x : rows) *out->add_registrations() = std::move(x);
  return absl::OkStatus();
}

absl::Status AwardsLogic::RecordSelfEvaluation(const C& c, const v1::RecordSelfEvaluationRequest& req,
                                               v1::Registration* out) {
  const v1::SelfEvaluation& e = req.evaluation();
  Violations v;
  if (!api::ValidateRequestId(req.request_id()).ok()) v.Add("request_id", "must be a UUID");
  if (e.point() == v1::EVALUATION_POINT_UNSPECIFIED || !v1::EvaluationPoint_IsValid(e.point())) {
    v.Add("evaluation.point", "is required (MID_YEAR or YEAR_END)");
  }
  auto day = api::IsSet(e.date()) ? api::FromProtoDate(e.date(), "evaluation.date")
                                  : InvalidField("evaluation.date", "is required");
  for (const auto& fv : GetFieldViolations(day.status())) v.Add(fv.field, fv.description);
  if (day.ok() && *day > Today()) v.Add("evaluation.date", "must not be in the future");
  if (!v1::TaskRating_IsValid(e.task_rating())) v.Add("evaluation.task_rating", "is not a rating");
  if (e.point() == v1::YEAR_END && e.task_rating() == v1::TASK_RATING_UNSPECIFIED) {
    v.Add("evaluation.task_rating", "is required at YEAR_END (EXCELLENT, GOOD, COMPLETED or NOT_COMPLETED)");
  }
  if (e.annual_tasks().empty() || Utf8Chars(e.annual_tasks()) > 4000) {
    v.Add("evaluation.annual_tasks", "is required (the year's professional tasks), at most 4,000 characters");
  }
  if (Utf8Chars(e.summary()) > 4000) v.Add("evaluation.summary", "must be at most 4,000 characters");
  LNOB_RETURN_IF_ERROR(v.Status());
  LNOB_ASSIGN_OR_RETURN(std::string id, api::ParseUuidId(req.registration(), "registrations", "registration"));
  LNOB_ASSIGN_OR_RETURN(v1::Registration r, store_->GetRegistration(id));
  LNOB_RETURN_IF_ERROR(scope_->CheckResource(c.principal, r.unit_code(), Today(), r.name()));
  // The windows of the two points in the registration's year (the database checks them too).
  const int y = r.year();
  const bool mid = e.point() == v1::MID_YEAR;
  const absl::CivilDay from = mid ? absl::CivilDay(y, 6, 1) : absl::CivilDay(y, 11, 1);
  const absl::CivilDay to = mid ? absl::CivilDay(y, 12, 31) : absl::CivilDay(y + 1, 3, 31);
  if (*day < from || *day > to) {
    v.Add("evaluation.date", absl::StrCat("a ", mid ? "mid-year" : "year-end", " evaluation of ", y, " is dated from ",
                                          FormatDate(from), " to ", FormatDate(to)));
  }
  for (const auto& other : r.evaluations()) {
    if (other.point() == e.point()) continue;
    const absl::CivilDay d = api::ProtoDay(other.date());
    if ((mid && *day > d) || (!mid && *day < d)) {
      v.Add("evaluation.date", "the year-end evaluation is not dated before the mid-year one");
    }
  }
  std::set<int> seen;
  for (int i = 0; i < e.results_size(); ++i) {
    const auto& t = e.results(i);
    const std::string f = absl::StrCat("evaluation.results[", i, "]");
    if (t.target() < 0 || t.target() >= r.targets_size()) {
      v.Add(f + ".target", absl::StrCat("must be the index of a registered target (0-", r.targets_size() - 1, ")"));
    } else if (!seen.insert(t.target()).second) {
      v.Add(f + ".target", "is evaluated twice");
    }
    if (!(t.achieved() >= 0) || t.achieved() > 1e15) v.Add(f + ".achieved", "must be a number >= 0");
    if (Utf8Chars(t.note()) > 500) v.Add(f + ".note", "must be at most 500 characters");
  }
  LNOB_RETURN_IF_ERROR(v.Status());
  const std::string& me = c.principal.subject;
  LNOB_ASSIGN_OR_RETURN(*out, store_->RecordSelfEvaluation(id, e, me,
                                                           api::IdempotencyKeyFor(req, "RecordSelfEvaluation", me)));
  return absl::OkStatus();
}

absl::Status AwardsLogic::CreateInitiative(const C& c, const v1::CreateInitiativeRequest& req, v1::Initiative* out) {
  const v1::Initiative& i = req.initiative();
  Violations v;
  if (!api::ValidateRequestId(req.request_id()).ok()) v.Add("request_id", "must be a UUID");
  if (i.title().empty() || Utf8Chars(i.title()) > 500) v.Add("initiative.title", "is required, at most 500 characters");
  if (i.authors().empty() || i.authors_size() > 50) v.Add("initiative.authors", "1-50 authors");
  std::vector<std::string> keys;
  for (int k = 0; k < i.authors_size(); ++k) {
    if (i.authors(k).empty() || Utf8Chars(i.authors(k)) > 200) {
      v.Add(absl::StrCat("initiative.authors[", k, "]"), "must be 1-200 characters");
    }
    keys.push_back(FoldName(i.authors(k)));
  }
  if (i.scope() == v1::INITIATIVE_SCOPE_UNSPECIFIED || !v1::InitiativeScope_IsValid(i.scope())) {
    v.Add("initiative.scope", "is required (BASE, PROVINCIAL or NATIONAL)");
  }
  if (i.decision_number().empty() || Utf8Chars(i.decision_number()) > 100) {
    v.Add("initiative.decision_number", "is required: the recognising decision, at most 100 characters");
  }
  if (i.recognised_by().empty() || Utf8Chars(i.recognised_by()) > 200) {
    v.Add("initiative.recognised_by", "is required, at most 200 characters");
  }
  if (i.benefit().empty() || Utf8Chars(i.benefit()) > 4000) v.Add("initiative.benefit", "is required, at most 4,000 characters");
  auto applied = api::IsSet(i.applied_from()) ? api::FromProtoDate(i.applied_from(), "initiative.applied_from")
                                              : InvalidField("initiative.applied_from", "is required: applied at the grassroots since");
  auto decided = api::IsSet(i.decision_date()) ? api::FromProtoDate(i.decision_date(), "initiative.decision_date")
                                               : InvalidField("initiative.decision_date", "is required");
  for (const auto* d : {&applied, &decided}) {
    for (const auto& fv : GetFieldViolations(d->status())) v.Add(fv.field, fv.description);
  }
  if (decided.ok() && *decided > Today()) v.Add("initiative.decision_date", "must not be in the future");
  // Law 06/2022 Art. 3(4): an initiative is recognised after it has been applied.
  if (applied.ok() && decided.ok() && *decided < *applied) {
    v.Add("initiative.decision_date", "must not be before applied_from (it is recognised once applied)");
  }
  LNOB_RETURN_IF_ERROR(v.Status());
  LNOB_ASSIGN_OR_RETURN(auto graph, scope_->Graph());
  if (!graph->Known(i.unit_code())) {
    return InvalidField("initiative.unit_code", "must be a unit code of the registry (ListAdminUnits)");
  }
  LNOB_RETURN_IF_ERROR(scope_->CheckFilter(c.principal, i.unit_code(), Today(), "initiative.unit_code"));
  const std::string& me = c.principal.subject;
  LNOB_ASSIGN_OR_RETURN(*out, store_->CreateInitiative(i, keys, me, api::IdempotencyKeyFor(req, "CreateInitiative", me)));
  return absl::OkStatus();
}

absl::Status AwardsLogic::ListInitiatives(const C& c, const v1::ListInitiativesRequest& req,
                                          v1::ListInitiativesResponse* out) {
  InitiativeQuery q;
  if (req.year() != 0 && (req.year() < 2000 || req.year() > 2100)) return InvalidField("year", "must be 2000-2100");
  q.year = req.year();
  q.author_key = FoldName(req.author());
  LNOB_ASSIGN_OR_RETURN(q.units, UnitsFor(c, req.unit_code(), "unit_code"));
  LNOB_ASSIGN_OR_RETURN(auto rows, api::FetchPage<v1::Initiative>(
                                       tokens_, req,
                                       [&](const std::string& after, int limit) {
                                         q.after_id = after;
                                         q.limit = limit;
                                         return store_->ListInitiatives(q);
                                       },
                                       [](const v1::Initiative& x) { return api::IdOf(x.name()); },
                                       out->mutable_next_page_token()));
  for (auto& x : rows) *out->add_initiatives() = std::move(x);
  return absl::OkStatus();
}

absl::Status AwardsLogic::CreateAdvancedExample(const C& c, const v1::CreateAdvancedExampleRequest& req,
                                                v1::AdvancedExample* out) {
  v1::AdvancedExample e = req.example();
  Violations v;
  if (!api::ValidateRequestId(req.request_id()).ok()) v.Add("request_id", "must be a UUID");
  if (e.subject_kind() == v1::RECIPIENT_KIND_UNSPECIFIED || !v1::RecipientKind_IsValid(e.subject_kind())) {
    v.Add("example.subject_kind", "is required (INDIVIDUAL, COLLECTIVE or HOUSEHOLD)");
  }
  for (const auto& [value, field, max] :
       {std::tuple{e.subject_name(), "example.subject_name", 200}, {e.field(), "example.field", 200},
        {e.description(), "example.description", 4000}, {e.discovered_by(), "example.discovered_by", 200}}) {
    if (value.empty() || Utf8Chars(value) > static_cast<size_t>(max)) {
      v.Add(field, absl::StrCat("is required, at most ", max, " characters"));
    }
  }
  if (!e.household().empty() && (e.subject_kind() != v1::HOUSEHOLD ||
                                  !api::ParseUuidId(e.household(), "households", "example.household").ok())) {
    v.Add("example.household", "must be households/{uuid}, for a HOUSEHOLD subject");
  }
  auto found = api::IsSet(e.discovered_date()) ? api::FromProtoDate(e.discovered_date(), "example.discovered_date")
                                               : InvalidField("example.discovered_date", "is required");
  for (const auto& fv : GetFieldViolations(found.status())) v.Add(fv.field, fv.description);
  if (found.ok() && *found > Today()) v.Add("example.discovered_date", "must not be in the future");
  if (e.evidence_size() > 50) v.Add("example.evidence", "at most 50 references");
  for (int i = 0; i < e.evidence_size(); ++i) {
    if (e.evidence(i).empty() || Utf8Chars(e.evidence(i)) > 500) {
      v.Add(absl::StrCat("example.evidence[", i, "]"), "must be 1-500 characters");
    }
  }
  for (int i = 0; i < e.replication_size(); ++i) {
    const auto& a = e.replication(i);
    const std::string f = absl::StrCat("example.replication[", i, "]");
    if (a.description().empty() || Utf8Chars(a.description()) > 1000) {
      v.Add(f + ".description", "is required, at most 1,000 characters");
    }
    auto d = api::IsSet(a.date()) ? api::FromProtoDate(a.date(), f + ".date") : InvalidField(f + ".date", "is required");
    for (const auto& fv : GetFieldViolations(d.status())) v.Add(fv.field, fv.description);
    // Replicated after it was discovered.
    if (d.ok() && found.ok() && *d < *found) v.Add(f + ".date", "must not be before discovered_date");
  }
  LNOB_RETURN_IF_ERROR(v.Status());
  if (!e.movement().empty()) {
    LNOB_ASSIGN_OR_RETURN(std::string id, api::ParseUuidId(e.movement(), "movements", "example.movement"));
    auto m = store_->GetMovement(id);
    if (!m.ok()) {
      return m.status().code() == absl::StatusCode::kNotFound ? InvalidField("example.movement", "no such movement")
                                                              : m.status();
    }
    e.set_movement(m->name());
  }
  LNOB_ASSIGN_OR_RETURN(auto graph, scope_->Graph());
  if (!graph->Known(e.unit_code())) {
    return InvalidField("example.unit_code", "must be a unit code of the registry (ListAdminUnits)");
  }
  LNOB_RETURN_IF_ERROR(scope_->CheckFilter(c.principal, e.unit_code(), Today(), "example.unit_code"));
  // Linked awards: decided, for the same kind of subject, in the example's area.
  if (e.linked_awards_size() > 20) return InvalidField("example.linked_awards", "at most 20");
  if (!e.linked_awards().empty()) {
    LNOB_ASSIGN_OR_RETURN(auto area, scope_->CoveredBy({e.unit_code()}, Today()));
    std::set<std::string> seen;
    for (int i = 0; i < e.linked_awards_size(); ++i) {
      const std::string f = absl::StrCat("example.linked_awards[", i, "]");
      LNOB_ASSIGN_OR_RETURN(std::string id, api::ParseUuidId(e.linked_awards(i), "nominations", f));
      auto n = store_->GetNomination(id);
      if (!n.ok() && n.status().code() != absl::StatusCode::kNotFound) return n.status();
      if (!n.ok() || !scope_->CheckResource(c.principal, n->unit_code(), Today(), n->name()).ok()) {
        return InvalidField(f, "no such nomination (or outside your area)");
      }
      if (n->state() != v1::DECIDED) return InvalidField(f, "must be a decided award (not revoked)");
      if (n->subject_kind() != e.subject_kind()) return InvalidField(f, "is an award to another kind of subject");
      if (!area.count(n->unit_code())) return InvalidField(f, "is an award outside the example's area");
      if (!seen.insert(n->name()).second) return InvalidField(f, "is linked twice");
      e.set_linked_awards(i, n->name());
    }
  }
  const std::string& me = c.principal.subject;
  LNOB_ASSIGN_OR_RETURN(*out, store_->CreateAdvancedExample(e, me, api::IdempotencyKeyFor(req, "CreateAdvancedExample", me)));
  return absl::OkStatus();
}

absl::Status AwardsLogic::ListAdvancedExamples(const C& c, const v1::ListAdvancedExamplesRequest& req,
                                               v1::ListAdvancedExamplesResponse* out) {
  if (req.year() != 0 && (req.year() < 2000 || req.year() > 2100)) return InvalidField("year", "must be 2000-2100");
  LNOB_ASSIGN_OR_RETURN(Units units, UnitsFor(c, req.unit_code(), "unit_code"));
  LNOB_ASSIGN_OR_RETURN(auto rows, api::FetchPage<v1::AdvancedExample>(
                                       tokens_, req,
                                       [&](const std::string& after, int limit) {
                                         return store_->ListAdvancedExamples(units, req.year(), after, limit);
                                       },
                                       [](const v1::AdvancedExample& x) { return api::IdOf(x.name()); },
                                       out->mutable_next_page_token()));
  for (auto& x : rows) *out->add_examples() = std::move(x);
  return absl::OkStatus();
}

}  // namespace lnob::awards
