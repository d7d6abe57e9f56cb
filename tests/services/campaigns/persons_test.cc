// The register of prestigious persons (QĐ 12/2018/QĐ-TTg as amended by QĐ 28/2023/QĐ-TTg)
// against its real schema: validation naming every field, the recognising authority as dated
// data, personal data masked and audited, the status history, support events with their
// configurable amounts, their part in activities, and who was not reached in a year.

#include <set>
#include <string>

#include <pqxx/pqxx>

#include "common/api/resource_name.h"
#include "common/status/status.h"
#include "common/util/uuid.h"
#include "gtest/gtest.h"
#include "tests/services/campaigns/campaigns_fixture.h"

namespace lnob::campaigns {
namespace {

using Person = v1::PrestigiousPerson;

class PersonsTest : public CampaignsTest {
 protected:
  static std::string Uuid() { return NewUuidV7(absl::Now()); }

  static v1::CreatePersonRequest Elder(const std::string& request_id = "") {
    v1::CreatePersonRequest req;
    req.set_request_id(request_id.empty() ? Uuid() : request_id);
    Person* p = req.mutable_person();
    p->set_full_name("Điểu Lộc");
    p->set_birth_year(1956);
    p->set_sex(Person::MALE);
    p->set_ethnic_group("22");
    p->set_citizen_id("070056000123");
    p->set_commune_code("25216");
    p->set_village("Sóc Bom Bo");
    p->set_source_group("VILLAGE_ELDER");
    p->mutable_recognition()->set_number("215/QĐ-UBND");
    *p->mutable_recognition()->mutable_date() = Day(2024, 3, 1);
    p->mutable_recognition()->set_authority("DISTRICT_PC_CHAIR");
    return req;
  }

  Person Create(v1::CreatePersonRequest req) {
    Person out;
    absl::Status st = logic_->CreatePerson(officer_, req, &out);
    EXPECT_TRUE(st.ok()) << st;
    return out;
  }

  absl::Status SetStatus(const Person& p, Person::Status status, const google::type::Date& day, Person* out,
                         const std::string& successor = "", const std::string& request_id = "") {
    v1::SetPersonStatusRequest req;
    req.set_name(p.name());
    req.set_status(status);
    *req.mutable_effective_date() = day;
    req.set_reason("moved away from the village");
    req.set_decision_number("88/QĐ-UBND");
    req.set_replaced_by(successor);
    req.set_etag(p.etag());
    req.set_request_id(request_id.empty() ? Uuid() : request_id);
    return logic_->SetPersonStatus(officer_, req, out);
  }

  absl::Status SetStatusAs(const server::Call& call, const Person& p, Person* out) {
    v1::SetPersonStatusRequest req;
    req.set_name(p.name());
    req.set_status(Person::DECEASED);
    *req.mutable_effective_date() = Day(2025, 5, 1);
    req.set_reason("died");
    req.set_etag(p.etag());
    req.set_request_id(Uuid());
    return logic_->SetPersonStatus(call, req, out);
  }
};

TEST_F(PersonsTest, RegistrationValidatesEveryFieldAndTheAuthorityInForceOnTheDecisionsDate) {
  Person p = Create(Elder());
  EXPECT_EQ(p.status(), Person::ACTIVE);
  EXPECT_EQ(p.village_ref(), "villages/0190c0de-0000-7000-8000-00000000b0b0");
  ASSERT_EQ(p.history_size(), 1);
  EXPECT_EQ(p.history(0).status(), Person::ACTIVE);
  EXPECT_EQ(p.term_start().year(), 2024);  // the decision's date by default

  v1::CreatePersonRequest bad;
  bad.set_request_id("not-a-uuid");
  Person* b = bad.mutable_person();
  b->set_birth_year(1850);
  b->set_ethnic_group("55");
  b->set_citizen_id("12ab");
  b->set_commune_code("252");
  b->set_source_group("SHAMAN");
  *b->mutable_term_end() = Day(2020, 1, 1);
  Person out;
  EXPECT_EQ(Fields(logic_->CreatePerson(officer_, bad, &out)),
            (std::set<std::string>{"person.full_name", "person.birth_year", "person.sex", "person.ethnic_group",
                                   "person.citizen_id", "person.commune_code", "person.source_group",
                                   "person.recognition.number", "person.recognition.date", "request_id"}));

  // The district chair recognised until 30 June 2025; after that, not any more.
  auto late = Elder();
  late.mutable_person()->set_citizen_id("070056000999");
  *late.mutable_person()->mutable_recognition()->mutable_date() = Day(2025, 8, 1);
  absl::Status st = logic_->CreatePerson(officer_, late, &out);
  EXPECT_EQ(Fields(st), (std::set<std::string>{"person.recognition.authority"}));
  EXPECT_NE(st.ToString().find("COMMUNE_PC_CHAIR"), std::string::npos) << st;
  late.mutable_person()->mutable_recognition()->set_authority("COMMUNE_PC_CHAIR");
  late.set_request_id(Uuid());
  EXPECT_TRUE(logic_->CreatePerson(officer_, late, &out).ok());

  // A village outside the register, and a commune merged away before the decision.
  auto elsewhere = Elder();
  elsewhere.mutable_person()->set_citizen_id("");
  elsewhere.mutable_person()->set_village("Sóc Lạ");
  EXPECT_EQ(Fields(logic_->CreatePerson(officer_, elsewhere, &out)), (std::set<std::string>{"person.village"}));
  elsewhere.mutable_person()->set_village("");
  elsewhere.mutable_person()->set_commune_code("25288");
  *elsewhere.mutable_person()->mutable_recognition()->mutable_date() = Day(2025, 9, 1);
  elsewhere.mutable_person()->mutable_recognition()->set_authority("COMMUNE_PC_CHAIR");
  st = logic_->CreatePerson(officer_, elsewhere, &out);
  EXPECT_EQ(Fields(st), (std::set<std::string>{"person.commune_code"}));
  EXPECT_NE(st.ToString().find("25216"), std::string::npos) << st;

  // One citizen is registered once; the same request replays.
  auto again = Elder();
  EXPECT_EQ(logic_->CreatePerson(officer_, again, &out).code(), absl::StatusCode::kAlreadyExists);
  const std::string rid = Uuid();
  auto first = Elder(rid);
  first.mutable_person()->set_citizen_id("070056000555");
  Person a, b2;
  ASSERT_TRUE(logic_->CreatePerson(officer_, first, &a).ok());
  ASSERT_TRUE(logic_->CreatePerson(officer_, first, &b2).ok());
  EXPECT_EQ(a.name(), b2.name());
  EXPECT_EQ(Count("SELECT count(*) FROM campaigns.persons"), 3);
}

TEST_F(PersonsTest, NamesCitizenIdsAndEthnicityAreMaskedUnlessGrantedAndEveryUnmaskedReadIsAudited) {
  Person p = Create(Elder());
  const int64_t audited = Count("SELECT count(*) FROM campaigns.pii_audit");
  EXPECT_GE(audited, 1);  // the creator read it back unmasked
  server::Call reader = CallAs("reader", {"campaigns.read"});
  Person seen;
  v1::GetPersonRequest get;
  get.set_name(p.name());
  ASSERT_TRUE(logic_->GetPerson(reader, get, &seen).ok());
  EXPECT_EQ(seen.full_name(), "Đ. L.");
  EXPECT_EQ(seen.citizen_id(), "");
  EXPECT_EQ(seen.ethnic_group(), "");
  EXPECT_TRUE(seen.masked());
  EXPECT_EQ(std::set<std::string>(seen.masked_fields().begin(), seen.masked_fields().end()),
            (std::set<std::string>{"full_name", "citizen_id", "ethnic_group"}));
  EXPECT_EQ(Count("SELECT count(*) FROM campaigns.pii_audit"), audited);  // nothing disclosed

  server::Call officer = CallAs("officer", {"campaigns.read", "campaigns.personal_data.read"});
  officer.purpose = "Tết visit list";
  ASSERT_TRUE(logic_->GetPerson(officer, get, &seen).ok());
  EXPECT_EQ(seen.full_name(), "Điểu Lộc");
  EXPECT_EQ(seen.citizen_id(), "070056000123");
  EXPECT_EQ(seen.ethnic_group(), "");
  EXPECT_EQ(Count("SELECT count(*) FROM campaigns.pii_audit WHERE actor = 'officer' AND purpose = 'Tết visit list'"
                  " AND categories = 'identity' AND person_ids = ARRAY['" + api::IdOf(p.name()) + "']::uuid[]"),
            1);
  // Filtering by ethnicity would reveal it.
  v1::ListPersonsRequest by_group;
  by_group.set_ethnic_group("22");
  v1::ListPersonsResponse listed;
  EXPECT_EQ(logic_->ListPersons(officer, by_group, &listed).code(), absl::StatusCode::kPermissionDenied);
  // The audit trail is append-only and chained.
  EXPECT_THROW(Exec("UPDATE campaigns.pii_audit SET actor = 'x'"), pqxx::sql_error);
  EXPECT_EQ(Count("SELECT count(*) FROM campaigns.pii_audit a JOIN campaigns.pii_audit b"
                  " ON b.chain_seq = a.chain_seq + 1 WHERE b.prev_hash <> a.row_hash"),
            0);
}

TEST_F(PersonsTest, StatusChangesKeepTheirHistoryNeedTheEtagAndEndAtDeath) {
  Person p = Create(Elder());
  auto successor_req = Elder();
  successor_req.mutable_person()->set_full_name("Thị Hoa");
  successor_req.mutable_person()->set_sex(Person::FEMALE);
  successor_req.mutable_person()->set_citizen_id("070186000321");
  Person successor = Create(successor_req);
  Person out;

  v1::SetPersonStatusRequest bad;
  bad.set_name(p.name());
  bad.set_status(Person::REMOVED);
  bad.set_replaced_by(successor.name());
  EXPECT_EQ(Fields(logic_->SetPersonStatus(officer_, bad, &out)),
            (std::set<std::string>{"effective_date", "reason", "decision_number", "replaced_by", "etag"}));
  // A stale etag is refused; REPLACED needs an active successor other than the person.
  Person stale = p;
  stale.set_etag("\"v9\"");
  EXPECT_EQ(SetStatus(stale, Person::REMOVED, Day(2025, 1, 10), &out).code(), absl::StatusCode::kAborted);
  EXPECT_EQ(Fields(SetStatus(p, Person::REPLACED, Day(2025, 1, 10), &out, p.name())),
            (std::set<std::string>{"replaced_by"}));
  // Replaced, then reinstated: the history keeps both, oldest first; a retry replays.
  const std::string rid = Uuid();
  ASSERT_TRUE(SetStatus(p, Person::REPLACED, Day(2025, 1, 10), &out, successor.name(), rid).ok());
  EXPECT_EQ(out.status(), Person::REPLACED);
  Person replay;
  ASSERT_TRUE(SetStatus(p, Person::REPLACED, Day(2025, 1, 10), &replay, successor.name(), rid).ok());
  EXPECT_EQ(replay.etag(), out.etag());
  EXPECT_EQ(SetStatus(out, Person::REPLACED, Day(2025, 2, 1), &replay, successor.name()).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Fields(SetStatus(out, Person::ACTIVE, Day(2024, 12, 1), &replay)), (std::set<std::string>{"effective_date"}));
  Person back;
  ASSERT_TRUE(SetStatus(out, Person::ACTIVE, Day(2025, 6, 1), &back).ok());
  Person dead;
  ASSERT_TRUE(SetStatus(back, Person::DECEASED, Day(2026, 2, 3), &dead).ok());
  EXPECT_EQ(SetStatus(dead, Person::ACTIVE, Day(2026, 3, 1), &out).code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_EQ(dead.history_size(), 4);
  EXPECT_EQ(dead.history(1).status(), Person::REPLACED);
  EXPECT_EQ(dead.history(1).replaced_by(), successor.name());
  EXPECT_EQ(dead.history(2).status(), Person::ACTIVE);
  EXPECT_EQ(dead.history(3).status(), Person::DECEASED);
  EXPECT_EQ(dead.history(3).decision_number(), "88/QĐ-UBND");

  // The database keeps the row and its history together, and the history append-only.
  EXPECT_THROW(Exec("UPDATE campaigns.persons SET status = 'ACTIVE'"), pqxx::sql_error);
  EXPECT_THROW(Exec("DELETE FROM campaigns.person_status_history"), pqxx::sql_error);
}

TEST_F(PersonsTest, SupportEventsTakeTheStandardAmountInForceOnTheirDate) {
  Person p = Create(Elder());
  v1::ListSupportEventTypesResponse types;
  ASSERT_TRUE(logic_->ListSupportEventTypes(officer_, {}, &types).ok());
  std::set<std::string> codes;
  for (const auto& t : types.types()) codes.insert(t.code());
  EXPECT_EQ(codes, (std::set<std::string>{"TET_GIFT", "SICK_VISIT", "CONDOLENCE", "TRAINING", "INFO", "COMMENDATION"}));

  auto event = [&](const google::type::Date& day, int64_t amount) {
    v1::RecordSupportEventRequest req;
    req.set_request_id(Uuid());
    auto* e = req.mutable_support_event();
    e->set_person(p.name());
    e->set_event_type("TET_GIFT");
    *e->mutable_event_date() = day;
    e->set_amount_vnd(amount);
    e->set_source("LOCAL_ADDITIONAL");
    return req;
  };
  v1::SupportEvent out;
  ASSERT_TRUE(logic_->RecordSupportEvent(officer_, event(Day(2025, 1, 20), 0), &out).ok());
  EXPECT_EQ(out.amount_vnd(), 500000);
  EXPECT_EQ(out.commune_code(), "25216");
  // The province sets its own amount from 2026; earlier events keep theirs.
  v1::SetSupportEventAmountRequest set;
  set.set_name("supportEventTypes/TET_GIFT");
  set.set_amount_vnd(800000);
  *set.mutable_valid_from() = Day(2026, 1, 1);
  set.set_basis("KH 12/KH-UBND 2026");
  set.set_request_id(Uuid());
  v1::SupportEventType type;
  ASSERT_TRUE(logic_->SetSupportEventAmount(officer_, set, &type).ok());
  EXPECT_EQ(type.standard_amount_vnd(), 800000);
  EXPECT_FALSE(type.unconfirmed());
  ASSERT_TRUE(logic_->RecordSupportEvent(officer_, event(Day(2026, 2, 10), 0), &out).ok());
  EXPECT_EQ(out.amount_vnd(), 800000);
  ASSERT_TRUE(logic_->RecordSupportEvent(officer_, event(Day(2025, 1, 21), 0), &out).ok());
  EXPECT_EQ(out.amount_vnd(), 500000);
  ASSERT_TRUE(logic_->RecordSupportEvent(officer_, event(Day(2025, 1, 22), 300000), &out).ok());
  EXPECT_EQ(out.amount_vnd(), 300000);
  set.set_name("supportEventTypes/BONUS");
  set.set_request_id(Uuid());
  EXPECT_EQ(logic_->SetSupportEventAmount(officer_, set, &type).code(), absl::StatusCode::kNotFound);

  // Before the recognition, or a type that does not exist: refused, naming the field.
  EXPECT_EQ(Fields(logic_->RecordSupportEvent(officer_, event(Day(2023, 1, 20), 0), &out)),
            (std::set<std::string>{"support_event.event_date"}));
  auto unknown = event(Day(2025, 1, 20), -5);
  unknown.mutable_support_event()->set_event_type("BONUS");
  unknown.mutable_support_event()->set_source("");
  EXPECT_EQ(Fields(logic_->RecordSupportEvent(officer_, unknown, &out)),
            (std::set<std::string>{"support_event.event_type", "support_event.amount_vnd"}));
  v1::ListSupportEventsRequest list;
  list.set_person(p.name());
  list.set_year(2025);
  v1::ListSupportEventsResponse events;
  ASSERT_TRUE(logic_->ListSupportEvents(officer_, list, &events).ok());
  EXPECT_EQ(events.support_events_size(), 3);
}

TEST_F(PersonsTest, ACommuneOfficerSeesOnlyItsCommunesPersons) {
  Person p = Create(Elder());
  server::Call other = CallAs("other-commune", {"campaigns.*"}, {"25195"});
  v1::GetPersonRequest get;
  get.set_name(p.name());
  Person out;
  EXPECT_EQ(logic_->GetPerson(other, get, &out).code(), absl::StatusCode::kNotFound);
  v1::ListPersonsResponse listed;
  ASSERT_TRUE(logic_->ListPersons(other, {}, &listed).ok());
  EXPECT_EQ(listed.persons_size(), 0);
  ASSERT_TRUE(logic_->ListPersons(commune_, {}, &listed).ok());
  EXPECT_EQ(listed.persons_size(), 1);
  Person changed;
  EXPECT_EQ(SetStatusAs(other, p, &changed).code(), absl::StatusCode::kNotFound);
  auto elsewhere = Elder();
  elsewhere.mutable_person()->set_citizen_id("");
  EXPECT_EQ(logic_->CreatePerson(other, elsewhere, &out).code(), absl::StatusCode::kPermissionDenied);
}

TEST_F(PersonsTest, PersonsInActivitiesAndTheYearsUnreachedPersons) {
  Person reached = Create(Elder());
  auto informed_req = Elder();
  informed_req.mutable_person()->set_citizen_id("070056000124");
  Person informed = Create(informed_req);
  auto silent_req = Elder();
  silent_req.mutable_person()->set_citizen_id("070056000125");
  Person silent = Create(silent_req);
  auto gone_req = Elder();
  gone_req.mutable_person()->set_citizen_id("070056000126");
  Person gone = Create(gone_req);
  Person out;
  ASSERT_TRUE(SetStatus(gone, Person::DECEASED, Day(2024, 11, 2), &out).ok());

  v1::Campaign c = Campaign();
  auto act = Activity(c.name());
  auto* role = act.mutable_activity()->add_persons();
  role->set_person(reached.name());
  role->set_role(v1::ActivityPerson::SPEAKER);
  act.set_request_id(Uuid());
  v1::Activity a;
  ASSERT_TRUE(logic_->CreateActivity(officer_, act, &a).ok());
  ASSERT_EQ(a.persons_size(), 1);
  EXPECT_EQ(a.persons(0).role(), v1::ActivityPerson::SPEAKER);
  // A person who had died by then, twice the same person, or no role: refused, naming each.
  auto wrong = Activity(c.name());
  wrong.set_request_id(Uuid());
  auto* dead = wrong.mutable_activity()->add_persons();
  dead->set_person(gone.name());
  dead->set_role(v1::ActivityPerson::PARTICIPANT);
  EXPECT_EQ(Fields(logic_->CreateActivity(officer_, wrong, &a)), (std::set<std::string>{"activity.persons[0].person"}));
  auto* twice = wrong.mutable_activity()->add_persons();
  twice->set_person(gone.name());
  EXPECT_EQ(Fields(logic_->CreateActivity(officer_, wrong, &a)),
            (std::set<std::string>{"activity.persons[1].person", "activity.persons[1].role"}));

  v1::RecordSupportEventRequest info;
  info.set_request_id(Uuid());
  info.mutable_support_event()->set_person(informed.name());
  info.mutable_support_event()->set_event_type("INFO");
  *info.mutable_support_event()->mutable_event_date() = Day(2025, 5, 5);
  v1::SupportEvent e;
  ASSERT_TRUE(logic_->RecordSupportEvent(officer_, info, &e).ok());
  EXPECT_EQ(e.amount_vnd(), 0);  // no standard amount for information

  v1::GetPersonCoverageRequest req;
  req.set_year(2025);
  v1::PersonCoverage cov;
  ASSERT_TRUE(logic_->GetPersonCoverage(officer_, req, &cov).ok());
  EXPECT_EQ(cov.active_persons(), 3);  // the deceased one is not counted
  EXPECT_EQ(cov.reached(), 2);
  ASSERT_EQ(cov.not_reached_size(), 1);
  EXPECT_EQ(cov.not_reached(0), silent.name());
  req.set_year(2026);
  cov.Clear();
  ASSERT_TRUE(logic_->GetPersonCoverage(officer_, req, &cov).ok());
  EXPECT_EQ(cov.reached(), 0);
  EXPECT_EQ(cov.not_reached_size(), 3);
}

TEST_F(PersonsTest, AreaTermAndMoneyRulesHoldForPersonsAndTheirEvents) {
  Person p = Create(Elder());
  // Paid at the standard amount: the source is required; a large amount is taken whole.
  v1::RecordSupportEventRequest gift;
  gift.set_request_id(Uuid());
  gift.mutable_support_event()->set_person(p.name());
  gift.mutable_support_event()->set_event_type("TET_GIFT");
  *gift.mutable_support_event()->mutable_event_date() = Day(2025, 1, 20);
  v1::SupportEvent e;
  EXPECT_EQ(Fields(logic_->RecordSupportEvent(officer_, gift, &e)), (std::set<std::string>{"support_event.source"}));
  gift.mutable_support_event()->set_source("LOCAL_ADDITIONAL");
  gift.mutable_support_event()->set_amount_vnd(3000000000);
  ASSERT_TRUE(logic_->RecordSupportEvent(officer_, gift, &e).ok());
  EXPECT_EQ(e.amount_vnd(), 3000000000);
  // Another commune's officer cannot list this person in its activity: it reads as missing.
  server::Call other = CallAs("other-commune", {"campaigns.*"}, {"25195"});
  auto act = Activity("");
  act.mutable_activity()->set_commune_code("25195");
  act.mutable_activity()->set_village("");
  auto* role = act.mutable_activity()->add_persons();
  role->set_person(p.name());
  role->set_role(v1::ActivityPerson::PARTICIPANT);
  v1::Activity a;
  absl::Status st = logic_->CreateActivity(other, act, &a);
  EXPECT_EQ(Fields(st), (std::set<std::string>{"activity.persons[0].person"}));
  EXPECT_NE(st.ToString().find("no such person"), std::string::npos) << st;
  // A term that ended is the end of being a prestigious person, status aside.
  auto ended = Elder();
  ended.mutable_person()->set_citizen_id("070056000777");
  *ended.mutable_person()->mutable_term_end() = Day(2024, 12, 31);
  Person q = Create(ended);
  v1::GetPersonCoverageRequest cov_req;
  cov_req.set_year(2025);
  v1::PersonCoverage cov;
  ASSERT_TRUE(logic_->GetPersonCoverage(officer_, cov_req, &cov).ok());
  EXPECT_EQ(cov.active_persons(), 1);
  gift.set_request_id(Uuid());
  gift.mutable_support_event()->set_person(q.name());
  EXPECT_EQ(Fields(logic_->RecordSupportEvent(officer_, gift, &e)), (std::set<std::string>{"support_event.event_date"}));
}

}  // namespace
}  // namespace lnob::campaigns
