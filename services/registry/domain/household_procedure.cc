// HouseholdLogic: the review procedure around the reviews (brief §2.2-2.5, QĐ 24/2021/QĐ-TTg):
// Form 01 requests, the commune's periodic round and its recognised lists.

#include "absl/strings/str_cat.h"
#include "common/api/page_token.h"
#include "common/api/proto_date.h"
#include "common/api/request_id.h"
#include "common/api/resource_name.h"
#include "common/status/status.h"
#include "common/util/date.h"
#include "common/util/text.h"
#include "common/util/uuid.h"
#include "services/registry/domain/household_internal.h"
#include "services/registry/domain/household_logic.h"

namespace lnob::registry {
namespace {

absl::StatusOr<std::optional<absl::CivilDay>> OptionalDate(const google::type::Date& d, const std::string& field) {
  if (!api::IsSet(d)) return std::optional<absl::CivilDay>();
  LNOB_ASSIGN_OR_RETURN(absl::CivilDay day, api::FromProtoDate(d, field));
  return std::optional<absl::CivilDay>(day);
}

}  // namespace

void HouseholdLogic::MarkOverdue(v1::ReviewApplication* a, absl::CivilDay on) const {
  a->set_overdue(a->state() == v1::APPLICATION_OPEN && Civil(a->deadline()) < on);
}

absl::Status HouseholdLogic::CreateApplication(const C& c, const v1::CreateApplicationRequest& req,
                                               v1::ReviewApplication* out) {
  LNOB_ASSIGN_OR_RETURN(std::string hid, HouseholdId(req.parent(), "parent"));
  LNOB_RETURN_IF_ERROR(api::ValidateRequestId(req.request_id()));
  v1::ReviewApplication a = req.application();
  Violations v;
  if (a.purpose() == v1::APPLICATION_PURPOSE_UNSPECIFIED || !v1::ApplicationPurpose_IsValid(a.purpose())) {
    v.Add("application.purpose", "ADD_TO_LIST, EXIT_LIST or REEXAMINE is required");
  }
  auto filed = api::FromProtoDate(a.filed_on(), "application.filed_on");
  if (!filed.ok()) v.Add("application.filed_on", "is required (a full date)");
  else if (*filed > Today()) v.Add("application.filed_on", "must not be in the future");
  if (a.reason().empty()) v.Add("application.reason", "is required (the household's request in its words)");
  else if (Utf8Chars(a.reason()) > 1000) v.Add("application.reason", "at most 1000 characters");
  LNOB_RETURN_IF_ERROR(v.Status());
  LNOB_ASSIGN_OR_RETURN(v1::Household h, Visible(c, hid));
  if (h.status() != v1::HOUSEHOLD_ACTIVE) {
    return WithReason(absl::FailedPreconditionError("the household is closed"), "HOUSEHOLD_CLOSED");
  }
  LNOB_ASSIGN_OR_RETURN(auto refs, Refs());
  const HouseholdStore::ApplicationRule* rule =
      InForceOn(refs->procedure.application_rules, *filed, [](const HouseholdStore::ApplicationRule&) { return true; });
  if (rule == nullptr) {
    return WithReason(absl::FailedPreconditionError(absl::StrCat("application.filed_on: no answer period is in force on ",
                                                                 FormatDate(*filed), " (table application_rules)")),
                      "NO_PROCEDURE");
  }
  a.clear_state();
  a.clear_review();
  a.clear_refusal_reason();
  a.clear_closed_on();
  a.clear_caveats();
  a.set_name(absl::StrCat("households/", hid, "/applications/", NewUuidV7(clock_.Now())));
  a.set_commune_code(h.commune_code());
  *a.mutable_deadline() = api::ToProtoDate(AddDays(*filed, rule->answer_days, rule->working_days));
  if (!rule->confirmed) a.add_caveats("ANSWER_PERIOD_UNCONFIRMED");
  if (rule->working_days) a.add_caveats("HOLIDAYS_NOT_COUNTED");
  const IdempotencyKey key = api::IdempotencyKeyFor(req, "CreateApplication", c.principal.subject);
  LNOB_ASSIGN_OR_RETURN(*out, store_->CreateApplication(hid, a, c.principal.subject, key));
  MarkOverdue(out, Today());
  return Present(c, {out});
}

absl::Status HouseholdLogic::ListApplications(const C& c, const v1::ListApplicationsRequest& req,
                                              v1::ListApplicationsResponse* out) {
  HouseholdStore::ApplicationFilter f;
  if (req.state() != v1::APPLICATION_STATE_UNSPECIFIED) {
    if (!v1::ApplicationState_IsValid(req.state())) return InvalidField("state", "unknown state");
    f.state = v1::ApplicationState_Name(req.state());
  }
  LNOB_ASSIGN_OR_RETURN(f.overdue_on, OptionalDate(req.overdue_on(), "overdue_on"));
  LNOB_ASSIGN_OR_RETURN(f.communes, CommuneFilter(c, req.unit_code(), Today()));
  LNOB_ASSIGN_OR_RETURN(auto rows, api::FetchPage<v1::ReviewApplication>(
                                        tokens_, req,
                                        [&](const std::string& after, int limit) {
                                          f.after_id = after;
                                          f.limit = limit;
                                          return store_->ListApplications(f);
                                        },
                                        [](const v1::ReviewApplication& a) { return api::IdOf(a.name()); },
                                        out->mutable_next_page_token()));
  std::vector<google::protobuf::Message*> ptrs;
  for (auto& a : rows) {
    v1::ReviewApplication* added = out->add_applications();
    *added = std::move(a);
    MarkOverdue(added, f.overdue_on.value_or(Today()));
    ptrs.push_back(added);
  }
  return Present(c, ptrs);
}

absl::Status HouseholdLogic::RefuseApplication(const C& c, const v1::RefuseApplicationRequest& req,
                                               v1::ReviewApplication* out) {
  LNOB_ASSIGN_OR_RETURN(auto ids, ChildIds(req.name(), "applications", "name"));
  Violations v;
  if (req.reason().empty()) v.Add("reason", "is required: the answer the household receives");
  else if (Utf8Chars(req.reason()) > 1000) v.Add("reason", "at most 1000 characters");
  auto refused = api::FromProtoDateOr(req.refused_on(), "refused_on", Today());
  if (!refused.ok()) v.Add("refused_on", "must be a full date");
  else if (*refused > Today()) v.Add("refused_on", "must not be in the future");
  LNOB_RETURN_IF_ERROR(v.Status());
  LNOB_RETURN_IF_ERROR(Visible(c, ids.first).status());
  LNOB_ASSIGN_OR_RETURN(*out, store_->RefuseApplication(ids.first, ids.second, req.etag(), req.reason(), *refused,
                                                        c.principal.subject));
  MarkOverdue(out, Today());
  return Present(c, {out});
}

absl::StatusOr<v1::ReviewRound> HouseholdLogic::VisibleRound(const C& c, const std::string& name,
                                                             const std::string& field) {
  LNOB_ASSIGN_OR_RETURN(std::string id, api::ParseUuidId(name, "reviewRounds", field));
  auto round = store_->GetRound(id);
  if (!round.ok()) return round.status();
  LNOB_ASSIGN_OR_RETURN(bool in_scope, InScope(c.principal, round->commune_code()));
  if (!in_scope) return api::NotFound("reviewRounds/" + id);
  return round;
}

absl::Status HouseholdLogic::OpenReviewRound(const C& c, const v1::OpenReviewRoundRequest& req, v1::ReviewRound* out) {
  LNOB_RETURN_IF_ERROR(api::ValidateRequestId(req.request_id()));
  v1::ReviewRound r = req.round();
  Violations v;
  if (r.commune_code().empty()) v.Add("round.commune_code", "is required");
  auto opened = api::FromProtoDate(r.opened_on(), "round.opened_on");
  if (!opened.ok()) v.Add("round.opened_on", "is required (a full date)");
  else if (*opened > Today()) v.Add("round.opened_on", "must not be in the future");
  LNOB_RETURN_IF_ERROR(v.Status());
  const int year = static_cast<int>(opened->year());
  if (r.list_year() == 0) r.set_list_year(year + 1);
  if (r.list_year() != year && r.list_year() != year + 1) {
    return InvalidField("round.list_year", absl::StrCat("must be ", year, " or ", year + 1, " for a round opened on ",
                                                        FormatDate(*opened)));
  }
  LNOB_ASSIGN_OR_RETURN(auto refs, Refs());
  const ReviewWindowRule* window = WindowInForce(refs->procedure.windows, "PERIODIC", *opened);
  if (window == nullptr || !InReviewWindow(*window, *opened)) {
    return InvalidField("round.opened_on", window == nullptr
                                               ? absl::StrCat("no PERIODIC review window is in force on ", FormatDate(*opened))
                                               : absl::StrCat("the periodic round is held ", DescribeWindow(*window), " (",
                                                              window->legal_doc, ")"));
  }
  LNOB_ASSIGN_OR_RETURN(auto graph, Graph());
  const scope::UnitVersion* unit = graph->Find(r.commune_code(), *opened);
  if (unit == nullptr || unit->level != "commune") {
    return InvalidField("round.commune_code", absl::StrCat("'", r.commune_code(), "' is not a commune on ",
                                                           FormatDate(*opened)));
  }
  LNOB_ASSIGN_OR_RETURN(bool in_scope, InScope(c.principal, r.commune_code()));
  if (!in_scope) return scope::AreaScope::FilterOutOfScope("round.commune_code", r.commune_code());
  r.set_name("reviewRounds/" + NewUuidV7(clock_.Now()));
  const IdempotencyKey key = api::IdempotencyKeyFor(req, "OpenReviewRound", c.principal.subject);
  LNOB_ASSIGN_OR_RETURN(*out, store_->OpenRound(r, c.principal.subject, key));
  return absl::OkStatus();
}

absl::Status HouseholdLogic::GetReviewRound(const C& c, const v1::GetReviewRoundRequest& req, v1::ReviewRound* out) {
  LNOB_ASSIGN_OR_RETURN(*out, VisibleRound(c, req.name(), "name"));
  return absl::OkStatus();
}

absl::Status HouseholdLogic::ListRoundHouseholds(const C& c, const v1::ListRoundHouseholdsRequest& req,
                                                 v1::ListRoundHouseholdsResponse* out) {
  LNOB_ASSIGN_OR_RETURN(v1::ReviewRound round, VisibleRound(c, req.name(), "name"));
  const std::string id = api::IdOf(round.name());
  LNOB_ASSIGN_OR_RETURN(auto rows, api::FetchPage<v1::DueHousehold>(
                                        tokens_, req,
                                        [&](const std::string& after, int limit) {
                                          return store_->RoundHouseholds(id, after, limit);
                                        },
                                        [](const v1::DueHousehold& d) { return api::IdOf(d.household()); },
                                        out->mutable_next_page_token()));
  for (auto& d : rows) *out->add_households() = std::move(d);
  return absl::OkStatus();
}

absl::Status HouseholdLogic::HoldVillageMeeting(const C& c, const v1::HoldVillageMeetingRequest& req,
                                                  v1::ReviewRound* out) {
  Violations v;
  auto held = api::FromProtoDate(req.held_on(), "held_on");
  if (!held.ok()) v.Add("held_on", "is required (a full date)");
  else if (*held > Today()) v.Add("held_on", "must not be in the future");
  if (req.attendees() <= 0) v.Add("attendees", "must be positive (the households represented)");
  if (Utf8Chars(req.note()) > 2000) v.Add("note", "at most 2000 characters");
  LNOB_RETURN_IF_ERROR(v.Status());
  LNOB_ASSIGN_OR_RETURN(v1::ReviewRound round, VisibleRound(c, req.name(), "name"));
  HouseholdStore::RoundStep step{"ROUND_MEETING_HELD", *held, req.attendees(), req.note()};
  LNOB_ASSIGN_OR_RETURN(*out, store_->AdvanceRound(api::IdOf(round.name()), req.etag(), step, c.principal.subject));
  return absl::OkStatus();
}

absl::Status HouseholdLogic::PostRoundLists(const C& c, const v1::PostRoundListsRequest& req, v1::ReviewRound* out) {
  LNOB_ASSIGN_OR_RETURN(absl::CivilDay posted, api::FromProtoDate(req.posted_on(), "posted_on"));
  if (posted > Today()) return InvalidField("posted_on", "must not be in the future");
  LNOB_ASSIGN_OR_RETURN(v1::ReviewRound round, VisibleRound(c, req.name(), "name"));
  HouseholdStore::RoundStep step{"ROUND_POSTED", posted};
  LNOB_ASSIGN_OR_RETURN(*out, store_->AdvanceRound(api::IdOf(round.name()), req.etag(), step, c.principal.subject));
  return absl::OkStatus();
}

absl::Status HouseholdLogic::RecognizeRound(const C& c, const v1::RecognizeRoundRequest& req, v1::RecognisedList* out) {
  Violations v;
  if (req.decision_number().empty()) v.Add("decision_number", "is required (the commune chair's decision)");
  else if (Utf8Chars(req.decision_number()) > 100) v.Add("decision_number", "at most 100 characters");
  auto dd = api::FromProtoDate(req.decision_date(), "decision_date");
  if (!dd.ok()) v.Add("decision_date", "is required (a full date)");
  else if (*dd > Today()) v.Add("decision_date", "must not be in the future");
  auto consulted = OptionalDate(req.consulted_on(), "consulted_on");
  if (!consulted.ok()) v.Add("consulted_on", "must be a full date");
  LNOB_RETURN_IF_ERROR(v.Status());
  LNOB_ASSIGN_OR_RETURN(v1::ReviewRound round, VisibleRound(c, req.name(), "name"));
  LNOB_ASSIGN_OR_RETURN(auto refs, Refs());
  const absl::CivilDay posted = api::IsSet(round.posted_on()) ? Civil(round.posted_on()) : *dd;
  if (*dd < posted) return InvalidField("decision_date", absl::StrCat("must not be before the posting (", FormatDate(posted), ")"));
  ReviewChange decision{"APPROVED", req.decision_number(), *dd};
  LNOB_RETURN_IF_ERROR(CheckConsultation(refs->procedure.steps, posted, *dd, *consulted, req.consultation_document(), "",
                                         &decision));
  LNOB_ASSIGN_OR_RETURN(*out, store_->RecognizeRound(api::IdOf(round.name()), req.etag(), decision,
                                                     c.principal.subject, LastYear()));
  return absl::OkStatus();
}

absl::Status HouseholdLogic::GetRecognisedList(const C& c, const v1::GetRecognisedListRequest& req,
                                               v1::RecognisedList* out) {
  if (req.version() < 0) return InvalidField("version", "must not be negative (0: the latest)");
  LNOB_ASSIGN_OR_RETURN(v1::ReviewRound round, VisibleRound(c, req.name(), "name"));
  LNOB_ASSIGN_OR_RETURN(*out, store_->GetRecognisedList(api::IdOf(round.name()), req.version()));
  return absl::OkStatus();
}

absl::Status HouseholdLogic::PrepareProcedureLinks(const C& c, const v1::Household& h, v1::Review* r) {
  if (!r->application().empty()) {
    LNOB_ASSIGN_OR_RETURN(auto ids, ChildIds(r->application(), "applications", "review.application"));
    if (ids.first != api::IdOf(h.name())) {
      return InvalidField("review.application", "must be a request of the reviewed household");
    }
  }
  if (r->round().empty()) return absl::OkStatus();
  LNOB_ASSIGN_OR_RETURN(v1::ReviewRound round, VisibleRound(c, r->round(), "review.round"));
  Violations v;
  if (r->kind() != v1::PERIODIC) v.Add("review.kind", "a review in a periodic round is PERIODIC");
  if (r->list_year() == 0) r->set_list_year(round.list_year());
  if (r->list_year() != round.list_year()) v.Add("review.list_year", absl::StrCat("the round produces the ", round.list_year(), " lists"));
  if (round.commune_code() != h.commune_code()) v.Add("review.round", "the round is another commune's");
  if (api::IsSet(r->review_date()) && Civil(r->review_date()) < Civil(round.opened_on())) {
    v.Add("review.review_date", "must not be before the round opened");
  }
  return v.Status();
}

}  // namespace lnob::registry
