// Prestigious persons and village elders (QĐ 12/2018/QĐ-TTg as amended by QĐ 28/2023/QĐ-TTg):
// the register, status changes, support events, and their coverage.

#include <set>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/api/page_token.h"
#include "common/api/proto_date.h"
#include "common/api/request_id.h"
#include "common/api/resource_name.h"
#include "common/status/status.h"
#include "common/util/date.h"
#include "common/util/text.h"
#include "common/util/uuid.h"
#include "embedded/lnob_campaigns_policy.h"
#include "services/campaigns/domain/campaigns_logic.h"

namespace lnob::campaigns {
namespace {

using Person = v1::PrestigiousPerson;

bool Digits(const std::string& s, size_t n) {
  if (s.size() != n) return false;
  for (char ch : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(ch))) return false;
  }
  return true;
}

bool EthnicCode(const std::string& s) { return Digits(s, 2) && std::stoi(s) >= 1 && std::stoi(s) <= 54; }

std::string Text(absl::CivilDay d) { return FormatDate(d); }

}  // namespace

const privacy::PersonalDataPolicy& DefaultPersonalDataPolicy() {
  static const privacy::PersonalDataPolicy* p =
      privacy::PersonalDataPolicy::OrDie(EmbeddedPolicy().at(0).content, "lnob.campaigns.v1", "persons");
  return *p;
}

absl::Status CampaignsLogic::Present(const C& c, absl::Span<google::protobuf::Message* const> msgs) {
  privacy::Disclosure d = privacy_.Apply(c.principal, msgs);
  if (d.empty()) return absl::OkStatus();
  LNOB_RETURN_IF_ERROR(privacy::RequirePurpose(c.principal, c.purpose));
  return persons_->AuditPersonalDataRead(c.principal.subject, c.method, c.purpose, c.request_id, d.subject_ids,
                                         d.categories);
}

absl::Status CampaignsLogic::ListPersonSourceGroups(const C&, const v1::ListPersonSourceGroupsRequest& req,
                                                    v1::ListPersonSourceGroupsResponse* out) {
  LNOB_ASSIGN_OR_RETURN(auto all, persons_->ListSourceGroups());
  LNOB_ASSIGN_OR_RETURN(auto page, api::PageOf(tokens_, req, std::move(all), out->mutable_next_page_token()));
  for (auto& g : page) *out->add_source_groups() = std::move(g);
  return absl::OkStatus();
}

absl::Status CampaignsLogic::ListRecognitionAuthorities(const C&, const v1::ListRecognitionAuthoritiesRequest& req,
                                                        v1::ListRecognitionAuthoritiesResponse* out) {
  LNOB_ASSIGN_OR_RETURN(auto all, persons_->ListAuthorities());
  LNOB_ASSIGN_OR_RETURN(auto page, api::PageOf(tokens_, req, std::move(all), out->mutable_next_page_token()));
  for (auto& a : page) *out->add_authorities() = std::move(a);
  return absl::OkStatus();
}

absl::Status CampaignsLogic::ListSupportEventTypes(const C&, const v1::ListSupportEventTypesRequest& req,
                                                   v1::ListSupportEventTypesResponse* out) {
  LNOB_ASSIGN_OR_RETURN(auto all, persons_->ListSupportEventTypes(Text(Today())));
  LNOB_ASSIGN_OR_RETURN(auto page, api::PageOf(tokens_, req, std::move(all), out->mutable_next_page_token()));
  for (auto& t : page) *out->add_types() = std::move(t);
  return absl::OkStatus();
}

absl::Status CampaignsLogic::SetSupportEventAmount(const C& c, const v1::SetSupportEventAmountRequest& req,
                                                   v1::SupportEventType* out) {
  Violations v;
  const std::string code = absl::StartsWith(req.name(), "supportEventTypes/") ? api::IdOf(req.name()) : "";
  if (code.empty()) v.Add("name", "must be supportEventTypes/{code}");
  if (req.amount_vnd() < 0) v.Add("amount_vnd", "must be integer VND >= 0");
  std::optional<absl::CivilDay> from;
  if (!api::IsSet(req.valid_from())) {
    v.Add("valid_from", "is required: the date the amount applies from");
  } else if (auto d = api::FromProtoDate(req.valid_from(), "valid_from"); d.ok()) {
    from = *d;
  } else {
    v.Add("valid_from", "must be a full date");
  }
  if (req.basis().empty() || Utf8Chars(req.basis()) > 500) {
    v.Add("basis", "is required: the decision or plan that sets the amount (at most 500 characters)");
  }
  if (!api::ValidateRequestId(req.request_id()).ok()) v.Add("request_id", "must be a UUID");
  LNOB_RETURN_IF_ERROR(v.Status());
  LNOB_ASSIGN_OR_RETURN(*out, persons_->SetSupportEventAmount(
                                  code, req.amount_vnd(), Text(*from), req.basis(), c.principal.subject,
                                  api::IdempotencyKeyFor(req, "SetSupportEventAmount", c.principal.subject)));
  return absl::OkStatus();
}

absl::Status CampaignsLogic::CreatePerson(const C& c, const v1::CreatePersonRequest& req, Person* out) {
  Person p = req.person();
  Violations v;
  const std::string name(absl::StripAsciiWhitespace(p.full_name()));
  if (name.empty() || Utf8Chars(name) > 200) v.Add("person.full_name", "is required (at most 200 characters)");
  p.set_full_name(name);
  const int this_year = static_cast<int>(Today().year());
  if (p.birth_year() < 1900 || p.birth_year() > this_year) {
    v.Add("person.birth_year", absl::StrCat("must be a year from 1900 to ", this_year));
  }
  if (p.sex() != Person::MALE && p.sex() != Person::FEMALE) v.Add("person.sex", "is required: MALE or FEMALE");
  if (!EthnicCode(p.ethnic_group())) {
    v.Add("person.ethnic_group", "must be an ethnic group code 01-54 (the registry's ListEthnicGroups)");
  }
  if (!p.citizen_id().empty() && !Digits(p.citizen_id(), 12)) v.Add("person.citizen_id", "must be 12 digits");
  if (!Digits(p.commune_code(), 5)) v.Add("person.commune_code", "is required: a 5-digit commune code");
  if (Utf8Chars(p.village()) > 200) v.Add("person.village", "at most 200 characters");
  LNOB_ASSIGN_OR_RETURN(auto groups, persons_->ListSourceGroups());
  bool known_group = false;
  for (const auto& g : groups) known_group |= g.code() == p.source_group();
  if (!known_group) v.Add("person.source_group", "must be a code of ListPersonSourceGroups (e.g. VILLAGE_ELDER)");
  const auto& rec = p.recognition();
  if (rec.number().empty() || Utf8Chars(rec.number()) > 100) {
    v.Add("person.recognition.number", "is required: the recognising decision's number (at most 100 characters)");
  }
  std::optional<absl::CivilDay> decided;
  if (!api::IsSet(rec.date())) {
    v.Add("person.recognition.date", "is required");
  } else if (auto d = api::FromProtoDate(rec.date(), "person.recognition.date"); !d.ok()) {
    v.Add("person.recognition.date", "must be a full date");
  } else if (*d > Today()) {
    v.Add("person.recognition.date", "must not be in the future");
  } else {
    decided = *d;
  }
  if (decided) {
    LNOB_ASSIGN_OR_RETURN(auto authorities, persons_->ListAuthorities());
    std::string in_force;
    bool ok = false;
    for (const auto& a : authorities) {
      const absl::CivilDay from(a.valid_from().year(), a.valid_from().month(), a.valid_from().day());
      const bool open = !api::IsSet(a.valid_to());
      const absl::CivilDay to = open ? absl::CivilDay(9999, 12, 31)
                                     : api::ProtoDay(a.valid_to());
      if (*decided < from || *decided > to) continue;
      absl::StrAppend(&in_force, in_force.empty() ? "" : ", ", a.code());
      ok |= a.code() == rec.authority();
    }
    if (!ok) {
      v.Add("person.recognition.authority",
            absl::StrCat("must be an authority recognising prestigious persons on the decision's date (",
                         in_force.empty() ? "none is recorded" : in_force, "; ListRecognitionAuthorities)"));
    }
  }
  std::optional<absl::CivilDay> term_start = decided;
  if (api::IsSet(p.term_start())) {
    if (auto d = api::FromProtoDate(p.term_start(), "person.term_start"); d.ok()) {
      term_start = *d;
      if (decided && *d < *decided) v.Add("person.term_start", "must not be before the decision's date");
      if (*d > Today()) v.Add("person.term_start", "must not be in the future");
    } else {
      v.Add("person.term_start", "must be a full date");
    }
  }
  if (api::IsSet(p.term_end())) {
    auto d = api::FromProtoDate(p.term_end(), "person.term_end");
    if (!d.ok()) {
      v.Add("person.term_end", "must be a full date");
    } else if (term_start && *d < *term_start) {
      v.Add("person.term_end", "must not be before term_start");
    }
  }
  if (!api::ValidateRequestId(req.request_id()).ok()) v.Add("request_id", "must be a UUID");
  LNOB_RETURN_IF_ERROR(v.Status());
  LNOB_RETURN_IF_ERROR(ResolvePlace(p.commune_code(), *decided, "person.", p.mutable_village(), p.mutable_village_ref()));
  LNOB_RETURN_IF_ERROR(scope_->CheckFilter(c.principal, p.commune_code(), *decided, "person.commune_code"));
  *p.mutable_term_start() = api::ToProtoDate(*term_start);
  p.set_name("persons/" + NewUuidV7(clock_.Now()));
  auto created = persons_->CreatePerson(p, c.principal.subject,
                                        api::IdempotencyKeyFor(req, "CreatePerson", c.principal.subject));
  if (!created.ok()) {
    if (created.status().code() == absl::StatusCode::kAlreadyExists) {
      return WithReason(absl::AlreadyExistsError("person.citizen_id: a person with this citizen ID is registered"),
                        "PERSON_EXISTS");
    }
    return created.status();
  }
  *out = *std::move(created);
  return Present(c, {out});
}

absl::StatusOr<Person> CampaignsLogic::VisiblePerson(const C& c, const std::string& name, const std::string& field) {
  LNOB_ASSIGN_OR_RETURN(std::string id, api::ParseUuidId(name, "persons", field));
  LNOB_ASSIGN_OR_RETURN(Person p, persons_->GetPerson(id));
  // Outside the caller's scope reads exactly like a missing person.
  LNOB_RETURN_IF_ERROR(scope_->CheckResource(c.principal, p.commune_code(), Today(), name));
  return p;
}

absl::Status CampaignsLogic::GetPerson(const C& c, const v1::GetPersonRequest& req, Person* out) {
  LNOB_ASSIGN_OR_RETURN(*out, VisiblePerson(c, req.name(), "name"));
  return Present(c, {out});
}

absl::Status CampaignsLogic::ListPersons(const C& c, const v1::ListPersonsRequest& req, v1::ListPersonsResponse* out) {
  LNOB_RETURN_IF_ERROR(privacy_.CheckFilters(c.principal, req));
  PersonQuery q;
  if (!req.commune_code().empty() && !Digits(req.commune_code(), 5)) {
    return InvalidField("commune_code", "must be a 5-digit commune code");
  }
  q.commune = req.commune_code();
  if (!Person::Status_IsValid(req.status())) return InvalidField("status", "unknown status");
  if (req.status() != Person::STATUS_UNSPECIFIED) q.status = Person::Status_Name(req.status());
  if (!req.ethnic_group().empty() && !EthnicCode(req.ethnic_group())) {
    return InvalidField("ethnic_group", "must be an ethnic group code 01-54");
  }
  q.ethnic_group = req.ethnic_group();
  LNOB_ASSIGN_OR_RETURN(auto covered, scope_->CoveredCommunes(c.principal, Today()));
  if (covered) q.communes = std::vector<std::string>(covered->begin(), covered->end());
  LNOB_ASSIGN_OR_RETURN(auto rows, api::FetchPage<Person>(
                                       tokens_, req,
                                       [&](const std::string& after, int limit) {
                                         q.after_id = after;
                                         q.limit = limit;
                                         return persons_->ListPersons(q);
                                       },
                                       [](const Person& x) { return api::IdOf(x.name()); },
                                       out->mutable_next_page_token()));
  std::vector<google::protobuf::Message*> msgs;
  for (auto& x : rows) {
    *out->add_persons() = std::move(x);
    msgs.push_back(out->mutable_persons(out->persons_size() - 1));
  }
  return Present(c, msgs);
}

absl::Status CampaignsLogic::SetPersonStatus(const C& c, const v1::SetPersonStatusRequest& req, Person* out) {
  Violations v;
  if (req.status() == Person::STATUS_UNSPECIFIED || !Person::Status_IsValid(req.status())) {
    v.Add("status", "is required: ACTIVE, REMOVED, REPLACED or DECEASED");
  }
  std::optional<absl::CivilDay> day;
  if (!api::IsSet(req.effective_date())) {
    v.Add("effective_date", "is required");
  } else if (auto d = api::FromProtoDate(req.effective_date(), "effective_date"); !d.ok()) {
    v.Add("effective_date", "must be a full date");
  } else if (*d > Today()) {
    v.Add("effective_date", "must not be in the future");
  } else {
    day = *d;
  }
  if (req.reason().empty() || Utf8Chars(req.reason()) > 1000) v.Add("reason", "is required (at most 1,000 characters)");
  const bool by_decision = req.status() == Person::REMOVED || req.status() == Person::REPLACED;
  if (by_decision && req.decision_number().empty()) {
    v.Add("decision_number", "is required: removal and replacement are decided by the recognising authority");
  }
  if (Utf8Chars(req.decision_number()) > 100) v.Add("decision_number", "at most 100 characters");
  if (req.status() == Person::REPLACED && req.replaced_by().empty()) {
    v.Add("replaced_by", "is required for REPLACED: the successor (persons/{uuid})");
  }
  if (req.status() != Person::REPLACED && !req.replaced_by().empty()) v.Add("replaced_by", "only for REPLACED");
  if (req.etag().empty()) v.Add("etag", "is required: the person's etag (re-read it first)");
  if (!api::ValidateRequestId(req.request_id()).ok()) v.Add("request_id", "must be a UUID");
  LNOB_RETURN_IF_ERROR(v.Status());
  LNOB_ASSIGN_OR_RETURN(Person p, VisiblePerson(c, req.name(), "name"));
  LNOB_RETURN_IF_ERROR(scope_->CheckFilter(c.principal, p.commune_code(), Today(), "name"));
  v1::PersonStatusChange change;
  change.set_status(req.status());
  *change.mutable_effective_date() = req.effective_date();
  change.set_reason(req.reason());
  change.set_decision_number(req.decision_number());
  change.set_actor(c.principal.subject);
  change.set_replaced_by(req.replaced_by());
  // Checked against the person as locked for the change, after a replay of the same request
  // has had its chance to return the first answer.
  auto check = [&](const Person& now) -> absl::Status {
    const absl::CivilDay last(now.status_date().year(), now.status_date().month(), now.status_date().day());
    if (*day < last) {
      return InvalidField("effective_date", absl::StrCat("must not be before the last change (", Text(last), ")"));
    }
    if (now.status() == req.status()) {
      return WithReason(absl::FailedPreconditionError(
                            absl::StrCat("status: the person is already ", Person::Status_Name(req.status()))),
                        "STATUS_UNCHANGED");
    }
    if (now.status() == Person::DECEASED) {
      return WithReason(absl::FailedPreconditionError("status: a deceased person's status does not change"),
                        "PERSON_DECEASED");
    }
    if (req.status() != Person::REPLACED) return absl::OkStatus();
    LNOB_ASSIGN_OR_RETURN(std::string successor_id, api::ParseUuidId(req.replaced_by(), "persons", "replaced_by"));
    if (req.replaced_by() == req.name()) return InvalidField("replaced_by", "must be another person");
    LNOB_ASSIGN_OR_RETURN(auto states, persons_->PersonsOn({successor_id}, Text(*day)));
    auto it = states.find(successor_id);
    if (it == states.end() || it->second.status != "ACTIVE" ||
        !scope_->CheckResource(c.principal, it->second.commune_code, Today(), req.replaced_by()).ok()) {
      return InvalidField("replaced_by", "must be a registered person of the caller's area ACTIVE on effective_date");
    }
    return absl::OkStatus();
  };
  LNOB_ASSIGN_OR_RETURN(*out, persons_->SetPersonStatus(
                                  api::IdOf(req.name()), req.etag(), change,
                                  api::IdempotencyKeyFor(req, "SetPersonStatus", c.principal.subject), check));
  return Present(c, {out});
}

absl::Status CampaignsLogic::RecordSupportEvent(const C& c, const v1::RecordSupportEventRequest& req,
                                                v1::SupportEvent* out) {
  v1::SupportEvent e = req.support_event();
  Violations v;
  LNOB_ASSIGN_OR_RETURN(auto types, persons_->ListSupportEventTypes(Text(Today())));
  bool known = false;
  for (const auto& t : types) known |= t.code() == e.event_type();
  if (!known) v.Add("support_event.event_type", "must be a code of ListSupportEventTypes (e.g. TET_GIFT)");
  std::optional<absl::CivilDay> day;
  if (!api::IsSet(e.event_date())) {
    v.Add("support_event.event_date", "is required");
  } else if (auto d = api::FromProtoDate(e.event_date(), "support_event.event_date"); !d.ok()) {
    v.Add("support_event.event_date", "must be a full date");
  } else if (*d > Today()) {
    v.Add("support_event.event_date", "must not be in the future");
  } else {
    day = *d;
  }
  if (e.amount_vnd() < 0) v.Add("support_event.amount_vnd", "must be integer VND >= 0");
  if (e.amount_vnd() > 0 && e.source().empty()) {
    v.Add("support_event.source", "is required when money was spent (a funding source code)");
  }
  if (e.source().size() > 100) v.Add("support_event.source", "at most 100 characters");
  if (e.node_code().size() > 100) v.Add("support_event.node_code", "at most 100 characters");
  if (Utf8Chars(e.note()) > 1000) v.Add("support_event.note", "at most 1,000 characters");
  if (!e.source().empty() || !e.node_code().empty()) {
    LNOB_ASSIGN_OR_RETURN(CatalogueCodes catalogue, funding_->Codes());
    if (!e.source().empty() && !catalogue.sources.count(e.source())) {
      v.Add("support_event.source", "must be a funding source of funding's ListFundingSources (e.g. LOCAL_ADDITIONAL)");
    }
    if (!e.node_code().empty() && !catalogue.nodes.count(e.node_code())) {
      v.Add("support_event.node_code", "must be a programme node of funding's ListProgrammeNodes");
    }
  }
  if (!api::ValidateRequestId(req.request_id()).ok()) v.Add("request_id", "must be a UUID");
  LNOB_RETURN_IF_ERROR(v.Status());
  auto person = VisiblePerson(c, e.person(), "support_event.person");
  if (!person.ok()) {
    return person.status().code() == absl::StatusCode::kNotFound
               ? InvalidField("support_event.person", "no such person in the caller's area")
               : person.status();
  }
  LNOB_RETURN_IF_ERROR(scope_->CheckFilter(c.principal, person->commune_code(), Today(), "support_event.person"));
  LNOB_ASSIGN_OR_RETURN(auto states, persons_->PersonsOn({api::IdOf(e.person())}, Text(*day)));
  if (states[api::IdOf(e.person())].status != "ACTIVE") {
    return InvalidField("support_event.event_date", "the person is not an ACTIVE prestigious person on that date");
  }
  // No amount given: the type's standard amount on the event's date (the store looks it up);
  // money paid out names its source either way.
  if (e.amount_vnd() == 0 && e.source().empty()) {
    LNOB_ASSIGN_OR_RETURN(auto on_day, persons_->ListSupportEventTypes(Text(*day)));
    for (const auto& t : on_day) {
      if (t.code() == e.event_type() && t.standard_amount_vnd() > 0) {
        return InvalidField("support_event.source",
                            absl::StrCat("is required: the standard amount of ", t.code(), " on that date is ",
                                         t.standard_amount_vnd(), " VND (a funding source code)"));
      }
    }
  }
  const bool standard = e.amount_vnd() == 0;
  if (standard) e.set_amount_vnd(-1);
  e.set_name("supportEvents/" + NewUuidV7(clock_.Now()));
  LNOB_ASSIGN_OR_RETURN(*out, persons_->RecordSupportEvent(
                                  e, c.principal.subject,
                                  api::IdempotencyKeyFor(req, "RecordSupportEvent", c.principal.subject)));
  return absl::OkStatus();
}

absl::Status CampaignsLogic::GetSupportEvent(const C& c, const v1::GetSupportEventRequest& req,
                                             v1::SupportEvent* out) {
  SupportEventQuery q;
  LNOB_ASSIGN_OR_RETURN(q.id, api::ParseUuidId(req.name(), "supportEvents", "name"));
  LNOB_ASSIGN_OR_RETURN(auto covered, scope_->CoveredCommunes(c.principal, Today()));
  if (covered) q.communes = std::vector<std::string>(covered->begin(), covered->end());
  q.limit = 1;
  LNOB_ASSIGN_OR_RETURN(auto rows, persons_->ListSupportEvents(q));
  // Out of scope reads as missing.
  if (rows.empty()) return api::NotFound(req.name());
  *out = std::move(rows.front());
  return absl::OkStatus();
}

absl::Status CampaignsLogic::ListSupportEvents(const C& c, const v1::ListSupportEventsRequest& req,
                                               v1::ListSupportEventsResponse* out) {
  SupportEventQuery q;
  if (!req.person().empty()) {
    LNOB_ASSIGN_OR_RETURN(q.person_id, api::ParseUuidId(req.person(), "persons", "person"));
  }
  if (req.year() != 0 && (req.year() < 2000 || req.year() > 2100)) return InvalidField("year", "must be 2000-2100");
  q.year = req.year();
  LNOB_ASSIGN_OR_RETURN(auto covered, scope_->CoveredCommunes(c.principal, Today()));
  if (covered) q.communes = std::vector<std::string>(covered->begin(), covered->end());
  LNOB_ASSIGN_OR_RETURN(auto rows, api::FetchPage<v1::SupportEvent>(
                                       tokens_, req,
                                       [&](const std::string& after, int limit) {
                                         q.after_id = after;
                                         q.limit = limit;
                                         return persons_->ListSupportEvents(q);
                                       },
                                       [](const v1::SupportEvent& x) { return api::IdOf(x.name()); },
                                       out->mutable_next_page_token()));
  for (auto& x : rows) *out->add_support_events() = std::move(x);
  return absl::OkStatus();
}

absl::Status CampaignsLogic::GetPersonCoverage(const C& c, const v1::GetPersonCoverageRequest& req,
                                               v1::PersonCoverage* out) {
  if (req.year() < 2000 || req.year() > 2100) return InvalidField("year", "is required (2000-2100)");
  const absl::CivilDay first(req.year(), 1, 1), last(req.year(), 12, 31);
  LNOB_ASSIGN_OR_RETURN(auto communes, CommunesFor(c, req.unit_code(), last, "unit_code"));
  LNOB_ASSIGN_OR_RETURN(auto cov, persons_->PersonCoverage(Text(first), Text(last), communes));
  out->set_year(req.year());
  out->set_active_persons(static_cast<int64_t>(cov.active.size()));
  out->set_reached(static_cast<int64_t>(cov.reached.size()));
  for (const auto& id : cov.active) {
    if (!cov.reached.count(id)) out->add_not_reached("persons/" + id);
  }
  return absl::OkStatus();
}

absl::Status CampaignsLogic::CheckActivityPersons(const C& c, const v1::Activity& a) {
  if (a.persons().empty()) return absl::OkStatus();
  Violations v;
  if (a.persons_size() > a.participants_total()) {
    v.Add("activity.persons", absl::StrCat("lists ", a.persons_size(), " persons, more than participants_total ",
                                           a.participants_total()));
  }
  std::vector<std::string> ids;
  std::set<std::string> seen;
  for (int i = 0; i < a.persons_size(); ++i) {
    const std::string at = absl::StrCat("activity.persons[", i, "]");
    const auto& p = a.persons(i);
    if (p.role() == v1::ActivityPerson::ROLE_UNSPECIFIED || !v1::ActivityPerson::Role_IsValid(p.role())) {
      v.Add(at + ".role", "is required: ORGANISER, SPEAKER or PARTICIPANT");
    }
    auto id = api::ParseUuidId(p.person(), "persons", at + ".person");
    if (!id.ok()) {
      v.Add(at + ".person", "must be persons/{uuid}");
      continue;
    }
    if (!seen.insert(*id).second) v.Add(at + ".person", "appears twice");
    ids.push_back(*id);
  }
  LNOB_RETURN_IF_ERROR(v.Status());
  LNOB_ASSIGN_OR_RETURN(absl::CivilDay day, api::FromProtoDate(a.start_date(), "activity.start_date"));
  LNOB_ASSIGN_OR_RETURN(auto states, persons_->PersonsOn(ids, Text(day)));
  for (int i = 0; i < a.persons_size(); ++i) {
    auto it = states.find(ids[i]);
    // A person outside the caller's area reads as missing, like everywhere else.
    if (it != states.end() &&
        !scope_->CheckResource(c.principal, it->second.commune_code, Today(), a.persons(i).person()).ok()) {
      it = states.end();
    }
    if (it == states.end() || it->second.status != "ACTIVE") {
      v.Add(absl::StrCat("activity.persons[", i, "].person"),
            it == states.end() ? "no such person" : "is not an ACTIVE prestigious person on start_date");
    }
  }
  return v.Status();
}

}  // namespace lnob::campaigns
