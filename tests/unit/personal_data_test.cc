// The Decree 13 per-field policy (services/registry/policy/personal_data.json): what each
// permission unmasks, how masked fields read, what the audit is told, and that a policy naming
// a field that does not exist is refused instead of leaving that field unmasked.

#include "services/registry/domain/personal_data.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/status/status.h"
#include "lnob/registry/v1/households.pb.h"

namespace lnob::registry {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

auth::Principal With(std::vector<std::string> grants) {
  auth::Principal p;
  p.subject = "test";
  p.grants = std::move(grants);
  return p;
}

v1::Household SampleHousehold() {
  v1::Household h;
  h.set_name("households/11111111-1111-4111-8111-111111111111");
  h.set_head_ethnicity_code("39");
  v1::Member* m = h.add_members();
  m->set_name(h.name() + "/members/22222222-2222-4222-8222-222222222222");
  m->set_full_name("Điểu Thị Lan");
  m->set_citizen_id("070185000123");
  m->mutable_birth_date()->set_year(1985);
  m->mutable_birth_date()->set_month(5);
  m->mutable_birth_date()->set_day(6);
  m->set_ethnicity_code("39");
  m->set_disability(true);
  m->set_health_insurance(false);
  return h;
}

v1::Review SampleReview() {
  v1::Review r;
  r.set_name("households/11111111-1111-4111-8111-111111111111/reviews/33333333-3333-4333-8333-333333333333");
  r.set_income_per_capita_vnd(1200000);
  r.set_proxy_score(41);
  auto* a = r.add_indicators();
  a->set_code("D01");
  a->set_deprived(true);
  a->set_evidence("roof of tarpaulin");
  return r;
}

TEST(PersonalDataPolicy, ShippedPolicyLoadsWithItsFiveCategories) {
  std::vector<std::string> names;
  for (const auto& c : DefaultPersonalDataPolicy().categories()) {
    names.push_back(c.name);
    EXPECT_FALSE(c.basis.empty()) << c.name;
  }
  EXPECT_THAT(names, UnorderedElementsAre("identity", "ethnicity", "health", "income", "evidence"));
}

TEST(PersonalDataPolicy, NoPermissionMasksEveryCategoryAndSaysSo) {
  v1::Household h = SampleHousehold();
  Disclosure d = DefaultPersonalDataPolicy().Apply(With({"registry.households.read"}), {&h});
  EXPECT_TRUE(d.empty());
  const v1::Member& m = h.members(0);
  EXPECT_EQ(m.full_name(), "Đ. T. L.");
  EXPECT_EQ(m.citizen_id(), "");
  EXPECT_EQ(m.birth_date().year(), 1985);
  EXPECT_EQ(m.birth_date().month(), 0);
  EXPECT_EQ(m.ethnicity_code(), "");
  EXPECT_FALSE(m.disability());
  EXPECT_TRUE(m.masked());
  // health_insurance was false already: it is still listed, or "absent" would mean "false".
  EXPECT_THAT(m.masked_fields(), UnorderedElementsAre("full_name", "birth_date", "citizen_id", "ethnicity_code",
                                                      "disability", "health_insurance"));
  EXPECT_EQ(h.head_ethnicity_code(), "");
  EXPECT_THAT(h.masked_fields(), ElementsAre("head_ethnicity_code"));
}

TEST(PersonalDataPolicy, EachPermissionUnmasksOnlyItsCategory) {
  v1::Household h = SampleHousehold();
  Disclosure d = DefaultPersonalDataPolicy().Apply(With({"registry.personal_data.ethnicity"}), {&h});
  EXPECT_EQ(h.head_ethnicity_code(), "39");
  EXPECT_EQ(h.members(0).ethnicity_code(), "39");
  EXPECT_EQ(h.members(0).citizen_id(), "");
  EXPECT_FALSE(h.members(0).disability());
  EXPECT_THAT(d.categories, ElementsAre("ethnicity"));
  EXPECT_THAT(d.subject_ids, ElementsAre("11111111-1111-4111-8111-111111111111"));
  EXPECT_THAT(h.masked_fields(), IsEmpty());

  v1::Household all = SampleHousehold();
  d = DefaultPersonalDataPolicy().Apply(With({"registry.personal_data.*"}), {&all});
  EXPECT_EQ(all.members(0).full_name(), "Điểu Thị Lan");
  EXPECT_TRUE(all.members(0).disability());
  EXPECT_FALSE(all.members(0).masked());
  EXPECT_THAT(all.members(0).masked_fields(), IsEmpty());
  EXPECT_THAT(d.categories, ElementsAre("ethnicity", "health", "identity"));
}

TEST(PersonalDataPolicy, ReviewIncomeAndNotesAreTheirOwnCategories) {
  v1::Review r = SampleReview();
  Disclosure d = DefaultPersonalDataPolicy().Apply(With({"registry.personal_data.income"}), {&r});
  EXPECT_EQ(r.income_per_capita_vnd(), 1200000);
  EXPECT_EQ(r.proxy_score(), 41);
  EXPECT_EQ(r.indicators(0).evidence(), "");
  EXPECT_TRUE(r.indicators(0).deprived());  // the assessment itself is the classification's basis
  EXPECT_THAT(r.masked_fields(), ElementsAre("indicators.evidence"));
  EXPECT_THAT(d.categories, ElementsAre("income"));

  v1::Review none = SampleReview();
  d = DefaultPersonalDataPolicy().Apply(With({}), {&none});
  EXPECT_EQ(none.income_per_capita_vnd(), 0);
  EXPECT_FALSE(none.has_proxy_score());
  EXPECT_THAT(none.masked_fields(), UnorderedElementsAre("income_per_capita_vnd", "proxy_score", "indicators.evidence"));
  EXPECT_TRUE(d.empty());
}

TEST(PersonalDataPolicy, NestedRecordsAuditEveryHouseholdOnce) {
  v1::HouseholdRecord a, b;
  *a.mutable_household() = SampleHousehold();
  *a.add_reviews() = SampleReview();
  *b.mutable_household() = SampleHousehold();
  b.mutable_household()->set_name("households/44444444-4444-4444-8444-444444444444");
  Disclosure d = DefaultPersonalDataPolicy().Apply(With({"*"}), {&a, &b});
  EXPECT_THAT(d.subject_ids,
              ElementsAre("11111111-1111-4111-8111-111111111111", "44444444-4444-4444-8444-444444444444"));
  EXPECT_THAT(d.categories, ElementsAre("ethnicity", "evidence", "health", "identity", "income"));
}

TEST(PersonalDataPolicy, FactsForFundingCarryEthnicityOnlyWithItsPermission) {
  v1::BatchGetHouseholdFactsResponse out;
  auto* f = out.add_facts();
  f->set_household("households/11111111-1111-4111-8111-111111111111");
  f->set_head_ethnicity_code("39");
  f->set_ethnic_minority(true);
  DefaultPersonalDataPolicy().Apply(With({"registry.households.read"}), {&out});
  EXPECT_FALSE(f->ethnic_minority());
  EXPECT_THAT(f->masked_fields(), UnorderedElementsAre("head_ethnicity_code", "ethnic_minority"));
}

TEST(PersonalDataPolicy, FiltersThatRevealACategoryNeedIt) {
  const auto& policy = DefaultPersonalDataPolicy();
  v1::ListHouseholdsRequest req;
  req.set_head_ethnicity_code("39");
  absl::Status st = policy.CheckFilters(With({"registry.personal_data.read"}), req);
  EXPECT_EQ(st.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(std::string(st.message()), ::testing::HasSubstr("head_ethnicity_code"));
  EXPECT_EQ(GetReason(st), "PERSONAL_DATA_REQUIRED");
  EXPECT_TRUE(policy.CheckFilters(With({"registry.personal_data.ethnicity"}), req).ok());
  req.Clear();
  req.set_name_query("Lan");
  EXPECT_EQ(policy.CheckFilters(With({"registry.personal_data.ethnicity"}), req).code(),
            absl::StatusCode::kPermissionDenied);
  req.Clear();
  EXPECT_TRUE(policy.CheckFilters(With({}), req).ok());
}

TEST(PersonalDataPolicy, AWrongPolicyIsRefusedNotIgnored) {
  auto load = [](const std::string& fields) {
    return PersonalDataPolicy::FromJson(
        R"({"categories": {"x": {"permission": "p", "basis": "b", "fields": {)" + fields + "}}}}", "lnob.registry.v1",
        "households");
  };
  EXPECT_TRUE(load(R"("Member.citizen_id": "CLEAR")").ok());
  EXPECT_THAT(std::string(load(R"("Member.citizen_idd": "CLEAR")").status().message()),
              ::testing::HasSubstr("no field citizen_idd"));
  EXPECT_THAT(std::string(load(R"("Membre.citizen_id": "CLEAR")").status().message()),
              ::testing::HasSubstr("no message Membre"));
  EXPECT_FALSE(load(R"("Member.citizen_id": "HASH")").ok());
  EXPECT_FALSE(load(R"("Member.disability": "INITIALS")").ok());
  EXPECT_FALSE(load(R"("Member.full_name": "YEAR_ONLY")").ok());
  EXPECT_FALSE(PersonalDataPolicy::FromJson(R"({"categories": {"x": {"basis": "b", "fields": {"Member.sex": "CLEAR"}}}})",
                                            "lnob.registry.v1", "households")
                   .ok());
  EXPECT_FALSE(PersonalDataPolicy::FromJson(
                   R"({"categories": {"x": {"permission": "p", "basis": "b", "fields": {"Member.sex": "CLEAR"}},
                                      "y": {"permission": "q", "basis": "b", "fields": {"Member.sex": "CLEAR"}}}})",
                   "lnob.registry.v1", "households")
                   .ok());
}

}  // namespace
}  // namespace lnob::registry
