// Awards, first layer, against its real schema: award forms as data with their deciding
// authority by date, movements, registrations (one per subject and year, in the movement's
// period, in the caller's area).

#include <memory>
#include <set>

#include "absl/strings/match.h"
#include "common/api/resource_name.h"
#include "common/db/pool.h"
#include "common/status/status.h"
#include "tests/services/awards/awards_fixture.h"

namespace lnob::awards {
namespace {

TEST_F(AwardsTest, AwardFormsAreDataWithTheirAuthorityByDate) {
  v1::ListAwardFormsResponse forms;
  ASSERT_TRUE(logic_->ListAwardForms(officer_, v1::ListAwardFormsRequest(), &forms).ok());
  const v1::AwardForm* cstd = nullptr;
  for (const auto& f : forms.forms()) {
    if (f.code() == "TITLE_CSTD_BASE") cstd = &f;
  }
  ASSERT_NE(cstd, nullptr);
  EXPECT_TRUE(cstd->title());
  EXPECT_DOUBLE_EQ(cstd->quota_share(), 0.15);
  EXPECT_FALSE(cstd->quota_confirmed());  // UNCONFIRMED in the brief: said so
  bool district_until_june_2025 = false;
  for (const auto& a : cstd->authorities()) {
    if (a.level() == "DISTRICT_CHAIR") district_until_june_2025 = api::ProtoDateText(a.valid_to()) == "2025-06-30";
  }
  EXPECT_TRUE(district_until_june_2025);
  EXPECT_EQ(forms.forms_size(), 9);
}

TEST_F(AwardsTest, MovementsAndRegistrationsAreCheckedAndOncePerSubjectAndYear) {
  v1::Movement m = Movement();
  EXPECT_TRUE(absl::StartsWith(m.name(), "movements/"));
  ASSERT_EQ(m.targets_size(), 1);
  EXPECT_EQ(m.targets(0).value(), 1000);
  EXPECT_EQ(m.parent_plans_size(), 2);
  v1::Registration r;
  ASSERT_TRUE(logic_->CreateRegistration(commune_, Registration(m.name(), "Điểu Lanh", 2024), &r).ok());
  EXPECT_EQ(r.year(), 2024);
  // The same person (spelt without diacritics) again in the same year: refused by the database.
  v1::Registration again;
  EXPECT_EQ(logic_->CreateRegistration(commune_, Registration(m.name(), "dieu lanh", 2024), &again).code(),
            absl::StatusCode::kAlreadyExists);
  // Next year is another registration.
  ASSERT_TRUE(logic_->CreateRegistration(commune_, Registration(m.name(), "Điểu Lanh", 2025), &again).ok());
  // Outside the movement's period, outside the caller's area, without targets: each named.
  EXPECT_TRUE(Fields(logic_->CreateRegistration(commune_, Registration(m.name(), "X", 2026), &again))
                  .count("registration.year"));
  EXPECT_EQ(logic_->CreateRegistration(commune_, Registration(m.name(), "Y", 2024, "25216"), &again).code(),
            absl::StatusCode::kPermissionDenied);
  auto bare = Registration(m.name(), "Z", 2024);
  bare.mutable_registration()->clear_targets();
  EXPECT_TRUE(Fields(logic_->CreateRegistration(commune_, bare, &again)).count("registration.targets"));
  // The commune officer lists its own; the province sees everything.
  v1::ListRegistrationsRequest list;
  list.set_movement(m.name());
  v1::ListRegistrationsResponse mine, all;
  ASSERT_TRUE(logic_->CreateRegistration(officer_, Registration(m.name(), "Thị Hoa", 2024, "25216"), &again).ok());
  ASSERT_TRUE(logic_->ListRegistrations(commune_, list, &mine).ok());
  ASSERT_TRUE(logic_->ListRegistrations(officer_, list, &all).ok());
  EXPECT_EQ(mine.registrations_size(), 2);
  EXPECT_EQ(all.registrations_size(), 3);
  list.set_year(2025);
  all.Clear();
  ASSERT_TRUE(logic_->ListRegistrations(officer_, list, &all).ok());
  EXPECT_EQ(all.registrations_size(), 1);
  // The database keeps a registration in its movement's period, whatever writes.
  EXPECT_ANY_THROW(Exec(absl::StrCat(
      "INSERT INTO awards.registrations (id, movement_id, year, subject_kind, subject_name, subject_key, unit_code,"
      " registered_date, targets, creator) VALUES (gen_random_uuid(), '", api::IdOf(m.name()),
      "', 2030, 'INDIVIDUAL', 'x', 'x', '25195', '2030-01-01', '[{\"description\":\"d\"}]', 'sql')")));
}

TEST_F(AwardsTest, BadMovementsNameTheFieldAndMovementsAreListedByTheYearsTheyRun) {
  v1::CreateMovementRequest req;
  req.mutable_movement()->set_owner_unit("70");
  v1::Movement out;
  absl::Status st = logic_->CreateMovement(officer_, req, &out);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  for (const char* f : {"movement.number", "movement.title", "movement.launched_by", "movement.launched_date",
                        "movement.period_from", "movement.period_to"}) {
    EXPECT_TRUE(Fields(st).count(f)) << f << " " << st;
  }
  v1::Movement m = Movement();
  v1::ListMovementsRequest list;
  list.set_year(2024);
  v1::ListMovementsResponse listed;
  ASSERT_TRUE(logic_->ListMovements(officer_, list, &listed).ok());
  ASSERT_EQ(listed.movements_size(), 1);
  list.set_year(2026);
  listed.Clear();
  ASSERT_TRUE(logic_->ListMovements(officer_, list, &listed).ok());
  EXPECT_EQ(listed.movements_size(), 0);
  v1::GetMovementRequest get;
  get.set_name(m.name());
  v1::Movement got;
  ASSERT_TRUE(logic_->GetMovement(commune_, get, &got).ok());
  EXPECT_EQ(got.SerializeAsString(), m.SerializeAsString());
}

TEST_F(AwardsTest, InitiativesAreRecognisedOnceAppliedAndFoundByAuthor) {
  v1::CreateInitiativeRequest req;
  auto* i = req.mutable_initiative();
  i->set_title("Phát thanh song ngữ Việt – X'tiêng tại ấp");
  i->add_authors("Điểu Lanh");
  i->add_authors("Thị Hoa");
  i->set_unit_code("25195");
  i->set_scope(v1::BASE);
  *i->mutable_applied_from() = Day(2024, 2, 1);
  i->set_decision_number("12/QĐ-UBND");
  *i->mutable_decision_date() = Day(2024, 11, 20);
  i->set_recognised_by("Chủ tịch UBND xã");
  i->set_benefit("Người dân ấp nghe được chính sách bằng tiếng mẹ đẻ");
  v1::Initiative made;
  ASSERT_TRUE(logic_->CreateInitiative(commune_, req, &made).ok());
  EXPECT_EQ(made.authors_size(), 2);
  // Recognised before it was applied: refused, naming the field; another area: refused.
  auto early = req;
  *early.mutable_initiative()->mutable_decision_date() = Day(2024, 1, 15);
  v1::Initiative out;
  EXPECT_TRUE(Fields(logic_->CreateInitiative(commune_, early, &out)).count("initiative.decision_date"));
  auto elsewhere = req;
  elsewhere.mutable_initiative()->set_unit_code("25216");
  EXPECT_EQ(logic_->CreateInitiative(commune_, elsewhere, &out).code(), absl::StatusCode::kPermissionDenied);
  // The same decision does not recognise the same initiative twice.
  EXPECT_EQ(logic_->CreateInitiative(commune_, req, &out).code(), absl::StatusCode::kAlreadyExists);
  // Found by an author, spelt without diacritics; by year; not by another commune.
  v1::ListInitiativesRequest list;
  list.set_author("dieu lanh");
  v1::ListInitiativesResponse found;
  ASSERT_TRUE(logic_->ListInitiatives(officer_, list, &found).ok());
  ASSERT_EQ(found.initiatives_size(), 1);
  EXPECT_EQ(found.initiatives(0).name(), made.name());
  list.set_year(2023);
  found.Clear();
  ASSERT_TRUE(logic_->ListInitiatives(officer_, list, &found).ok());
  EXPECT_EQ(found.initiatives_size(), 0);
  found.Clear();
  ASSERT_TRUE(logic_->ListInitiatives(CallAs("other", {"awards.read"}, {"25216"}), v1::ListInitiativesRequest(), &found)
                  .ok());
  EXPECT_EQ(found.initiatives_size(), 0);
}

TEST_F(AwardsTest, AdvancedExamplesAreReplicatedAfterTheyAreDiscovered) {
  v1::Movement m = Movement();
  v1::CreateAdvancedExampleRequest req;
  auto* e = req.mutable_example();
  e->set_subject_kind(v1::HOUSEHOLD);
  e->set_subject_name("Hộ ông Điểu Lanh");
  e->set_field("giảm nghèo");
  e->set_unit_code("25195");
  e->set_description("Thoát nghèo bằng nuôi bò sinh sản, hướng dẫn 5 hộ khác cùng làm");
  e->set_discovered_by("Ban Dân tộc tỉnh");
  *e->mutable_discovered_date() = Day(2024, 6, 1);
  e->add_evidence("Biên bản khảo sát 3/BB");
  auto* a = e->add_replication();
  *a->mutable_date() = Day(2024, 9, 15);
  a->set_description("Hội nghị biểu dương và chia sẻ kinh nghiệm tại xã");
  e->set_movement(m.name());
  v1::AdvancedExample made;
  ASSERT_TRUE(logic_->CreateAdvancedExample(commune_, req, &made).ok());
  EXPECT_EQ(made.replication_size(), 1);
  EXPECT_EQ(made.movement(), m.name());
  EXPECT_EQ(made.evidence(0), "Biên bản khảo sát 3/BB");
  auto early = req;
  *early.mutable_example()->mutable_replication(0)->mutable_date() = Day(2024, 5, 1);
  v1::AdvancedExample out;
  EXPECT_TRUE(Fields(logic_->CreateAdvancedExample(commune_, early, &out)).count("example.replication[0].date"));
  auto elsewhere = req;
  elsewhere.mutable_example()->set_unit_code("25216");
  EXPECT_EQ(logic_->CreateAdvancedExample(commune_, elsewhere, &out).code(), absl::StatusCode::kPermissionDenied);
  v1::ListAdvancedExamplesRequest list;
  list.set_year(2024);
  v1::ListAdvancedExamplesResponse found;
  ASSERT_TRUE(logic_->ListAdvancedExamples(officer_, list, &found).ok());
  ASSERT_EQ(found.examples_size(), 1);
  EXPECT_EQ(found.examples(0).SerializeAsString(), made.SerializeAsString());
}

}  // namespace
}  // namespace lnob::awards
