// Household registry through HouseholdLogic and the PostgreSQL stores.

#include <map>
#include <set>
#include <thread>

#include <pqxx/pqxx>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/db/migrate.h"
#include "common/db/pool.h"
#include "common/status/status.h"
#include "common/util/uuid.h"
#include "embedded/lnob_registry_migrations.h"
#include "embedded/lnob_registry_data.h"
#include "common/api/resource_name.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/registry/store/pg_audit_chain.h"
#include "services/registry/domain/household_logic.h"
#include "services/registry/domain/unit_directory.h"
#include "services/registry/store/pg_household_store.h"
#include "services/registry/store/pg_reference_store.h"
#include "tests/support/dates.h"
#include "tests/support/service_test.h"
#include "tests/integration/household_fixture.h"

namespace lnob::registry {
namespace {

using ::lnob::testing::Day;

TEST_F(HouseholdTest, CreateValidatesAndNamesFields) {
  v1::CreateHouseholdRequest req;
  req.mutable_household()->set_commune_code("25195");
  auto m = Person("Điểu Thị Bé", v1::HEAD, "99", "079A00001234");
  *req.mutable_household()->add_members() = m;
  v1::Household out;
  absl::Status st = logic_->CreateHousehold(admin_, req, &out);
  ASSERT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  std::set<std::string> fields;
  for (const auto& v : GetFieldViolations(st)) fields.insert(v.field);
  EXPECT_TRUE(fields.count("household.members[0].ethnicity_code"));
  EXPECT_TRUE(fields.count("household.members[0].citizen_id"));
  // Citizen ID inconsistent with the birth year
  req.mutable_household()->mutable_members(0)->set_ethnicity_code("16");
  req.mutable_household()->mutable_members(0)->set_citizen_id("070099001234");  // born 1999, but 1980 given
  st = logic_->CreateHousehold(admin_, req, &out);
  EXPECT_EQ(GetFieldViolations(st).at(0).field, "household.members[0].citizen_id");
  // Commune that does not exist today (pre-reform code, registered now)
  req.mutable_household()->mutable_members(0)->set_citizen_id("070080001234");
  req.mutable_household()->set_commune_code("25198");
  st = logic_->CreateHousehold(admin_, req, &out);
  EXPECT_EQ(GetFieldViolations(st).at(0).field, "household.commune_code");
  req.mutable_household()->set_commune_code("25195");
  st = logic_->CreateHousehold(admin_, req, &out);
  ASSERT_TRUE(st.ok()) << st;
  EXPECT_EQ(out.area_type(), v1::AREA_TYPE_URBAN);  // a phường
  EXPECT_EQ(out.head_ethnicity_code(), "16");
  EXPECT_EQ(out.members(0).citizen_id(), "070080001234");
}

TEST_F(HouseholdTest, DuplicateCitizenIdNamesTheOtherHouseholdOnlyInScope) {
  v1::Household first = Create("26359", {Person("Nguyễn Văn A", v1::HEAD, "01", "075080000001")});
  v1::CreateHouseholdRequest req;
  req.mutable_household()->set_commune_code("25195");
  *req.mutable_household()->add_members() = Person("Nguyễn Văn A", v1::HEAD, "01", "075080000001");
  v1::Household out;
  absl::Status st = logic_->CreateHousehold(admin_, req, &out);
  EXPECT_EQ(st.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_TRUE(absl::StrContains(st.message(), first.name()));
  auto audits = [&] { return Count("SELECT count(*) FROM registry.pii_audit"); };
  const int64_t before = audits();
  st = logic_->CreateHousehold(officer_, req, &out);  // 26359 is outside the officer's scope
  EXPECT_EQ(st.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_FALSE(absl::StrContains(st.message(), first.name()));
  EXPECT_EQ(audits(), before + 1);  // what the officer learned is recorded

  // AddMember checks the etag before the citizen ID: a stale write reveals nothing.
  v1::Household mine = Create("25195", {Person("Điểu Văn K", v1::HEAD, "16")});
  const int64_t after_create = audits();  // the administrator's own read is audited too
  v1::AddMemberRequest add;
  add.set_parent(mine.name());
  *add.mutable_member() = Person("Nguyễn Văn A", v1::CHILD, "01", "075080000001");
  add.set_etag("W/\"999\"");
  st = logic_->AddMember(officer_, add, &out);
  EXPECT_EQ(st.code(), absl::StatusCode::kAborted) << st;
  EXPECT_EQ(audits(), after_create);
  add.set_etag(mine.etag());
  st = logic_->AddMember(officer_, add, &out);
  EXPECT_EQ(st.code(), absl::StatusCode::kAlreadyExists) << st;
  EXPECT_EQ(audits(), after_create + 1);
}

TEST_F(HouseholdTest, AreaScopeHidesOtherCommunesExactlyLikeMissingOnes) {
  v1::Household mine = Create("25195", {Person("Điểu Văn K", v1::HEAD, "16")});
  v1::Household other = Create("26359", {Person("Trần Văn B", v1::HEAD)});
  v1::GetHouseholdRequest get;
  v1::Household out;
  get.set_name(other.name());
  absl::Status hidden = logic_->GetHousehold(officer_, get, &out);
  get.set_name("households/" + NewUuidV7(absl::Now()));
  absl::Status missing = logic_->GetHousehold(officer_, get, &out);
  EXPECT_EQ(hidden.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(GetReason(hidden), GetReason(missing));
  // Writing to it is refused the same way.
  v1::UpdateHouseholdRequest up;
  up.mutable_household()->set_name(other.name());
  up.mutable_household()->set_address("x");
  up.mutable_update_mask()->add_paths("address");
  EXPECT_EQ(logic_->UpdateHousehold(officer_, up, &out).code(), absl::StatusCode::kNotFound);
  // Creating in another commune is refused.
  v1::CreateHouseholdRequest create;
  create.mutable_household()->set_commune_code("26359");
  *create.mutable_household()->add_members() = Person("Lê Thị C", v1::HEAD, "01", "", v1::FEMALE);
  EXPECT_EQ(logic_->CreateHousehold(officer_, create, &out).code(), absl::StatusCode::kPermissionDenied);
  // Lists only show the officer's commune.
  v1::ListHouseholdsRequest list;
  v1::ListHouseholdsResponse resp;
  ASSERT_TRUE(logic_->ListHouseholds(officer_, list, &resp).ok());
  ASSERT_EQ(resp.households_size(), 1);
  EXPECT_EQ(resp.households(0).name(), mine.name());
  // A filter wider than the scope (the district around it) is narrowed to the scope; one
  // with nothing in the scope is refused, naming the field (scope::AreaScope::CheckFilter).
  list.mutable_as_of()->set_year(2024);
  list.mutable_as_of()->set_month(6);
  list.mutable_as_of()->set_day(1);
  list.set_unit_code("689");
  v1::ListHouseholdsResponse narrowed, refused;
  ASSERT_TRUE(logic_->ListHouseholds(officer_, list, &narrowed).ok());
  ASSERT_EQ(narrowed.households_size(), 1);
  EXPECT_EQ(narrowed.households(0).name(), mine.name());
  list.set_unit_code("739");
  absl::Status outside = logic_->ListHouseholds(officer_, list, &refused);
  EXPECT_EQ(outside.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(GetReason(outside), "OUT_OF_SCOPE");
  EXPECT_NE(outside.message().find("unit_code"), absl::string_view::npos);
}

TEST_F(HouseholdTest, PersonalDataIsMaskedWithoutPermissionAndAuditedWithIt) {
  v1::Household h = Create("25195", {Person("Điểu Thị Lan", v1::HEAD, "16", "070180001234", v1::FEMALE)});
  v1::GetHouseholdRequest get;
  get.set_name(h.name());
  v1::Household masked;
  ASSERT_TRUE(logic_->GetHousehold(officer_, get, &masked).ok());
  EXPECT_TRUE(masked.members(0).masked());
  EXPECT_EQ(masked.members(0).citizen_id(), "");
  EXPECT_EQ(masked.members(0).birth_date().day(), 0);
  EXPECT_EQ(masked.members(0).full_name(), "Đ. T. L.");
  pqxx::connection c(db_->admin_url());
  auto audits = [&] {
    pqxx::nontransaction n(c);
    return n.exec("SELECT count(*) FROM registry.pii_audit")[0][0].as<int>();
  };
  const int before = audits();
  v1::Household full;
  ASSERT_TRUE(logic_->GetHousehold(admin_, get, &full).ok());
  EXPECT_EQ(full.members(0).citizen_id(), "070180001234");
  EXPECT_EQ(audits(), before + 1);
  // The service role cannot rewrite the audit trail: its grant refuses (not only the trigger),
  // also after bootstrap ran again (it re-grants DML on every table of the schema).
  auto service_delete = [&]() -> std::string {
    pqxx::connection svc(db_->service_url());
    pqxx::work w(svc);
    try {
      w.exec("DELETE FROM registry.pii_audit");
    } catch (const pqxx::insufficient_privilege& e) {
      return e.what();
    }
    return "allowed";
  };
  EXPECT_TRUE(absl::StrContains(service_delete(), "permission denied for table pii_audit")) << service_delete();
  ASSERT_TRUE(db::Bootstrap({db_->admin_url(), "registry", db_->owner_role(), "", db_->service_role(), ""}).ok());
  EXPECT_TRUE(absl::StrContains(service_delete(), "permission denied for table pii_audit")) << service_delete();
  // The owner holds every privilege: there the trigger refuses.
  pqxx::connection owner(db_->owner_url());
  pqxx::work ow(owner);
  try {
    ow.exec("DELETE FROM registry.pii_audit");
    ADD_FAILURE() << "the owner deleted audit rows";
  } catch (const pqxx::sql_error& e) {
    EXPECT_TRUE(absl::StrContains(e.what(), "append-only")) << e.what();
  }
}

TEST_F(HouseholdTest, ProvinceRolesStateAPurposeAndTheAuditKeepsIt) {
  v1::Household h = Create("25195", {Person("Điểu Thị Lan", v1::HEAD, "16", "070180001234", v1::FEMALE)});
  v1::GetHouseholdRequest get;
  get.set_name(h.name());
  v1::Household out;
  server::Call province = CallAs("province-officer", {"registry.*"});
  province.principal.roles = {"PROVINCE_OFFICER"};  // roles.json purpose_roles
  absl::Status no_purpose = logic_->GetHousehold(province, get, &out);
  EXPECT_EQ(no_purpose.code(), absl::StatusCode::kPermissionDenied) << no_purpose;
  EXPECT_EQ(GetReason(no_purpose), "PURPOSE_REQUIRED");
  province.purpose = "verify 2025 review of household";
  ASSERT_TRUE(logic_->GetHousehold(province, get, &out).ok());
  EXPECT_EQ(out.members(0).citizen_id(), "070180001234");
  EXPECT_EQ(Count("SELECT count(*) FROM registry.pii_audit WHERE actor = 'province-officer'"
                  " AND purpose = 'verify 2025 review of household'"),
            1);
  // A commune officer (no purpose role) reads without one; the chain covers both rows.
  ASSERT_TRUE(logic_->GetHousehold(admin_, get, &out).ok());
  auto chain = VerifyPiiAuditChain(pool_.get());
  ASSERT_TRUE(chain.ok());
  EXPECT_EQ(chain->problem, "");
}

// Brief §1.2: the area (and so the income line) follows residence. Thị trấn Lộc Ninh (25270,
// urban) became Xã Lộc Ninh on 1 July 2025 (NQ 1662/NQ-UBTVQH15); Xã Thanh Bình (25354, rural)
// joined Phường Bình Long (25326). Income 1,800,000 with 4 deprivations is poor on the
// 2022–2025 urban line (2,000,000) and not poor on the rural one (1,500,000).
TEST_F(HouseholdTest, TheAreaFollowsTheUnitInForceOnTheReviewDateBrief1_2) {
  v1::Household town = Create("25270", {Person("Nguyễn Văn A", v1::HEAD)});
  v1::Review before = Review(town.name(), 2024, 1'800'000, 4);
  EXPECT_EQ(before.area_type(), v1::AREA_TYPE_URBAN);
  EXPECT_EQ(before.computed_class(), v1::POOR);
  v1::Review after = Review(town.name(), 2025, 1'800'000, 4);
  EXPECT_EQ(after.area_type(), v1::AREA_TYPE_RURAL);
  EXPECT_NE(after.computed_class(), v1::POOR);
  // Read today (28 Dec 2025) the household is rural, and it can be updated without an override.
  v1::GetHouseholdRequest get;
  get.set_name(town.name());
  v1::Household now;
  ASSERT_TRUE(logic_->GetHousehold(admin_, get, &now).ok());
  EXPECT_EQ(now.area_type(), v1::AREA_TYPE_RURAL);
  v1::UpdateHouseholdRequest up;
  up.mutable_household()->set_name(town.name());
  up.mutable_household()->set_address("Tổ 3");
  up.mutable_household()->set_etag(now.etag());
  up.mutable_update_mask()->add_paths("address");
  v1::Household updated;
  absl::Status st = logic_->UpdateHousehold(admin_, up, &updated);
  ASSERT_TRUE(st.ok()) << st;
  EXPECT_EQ(updated.area_type(), v1::AREA_TYPE_RURAL);
  // The other way: a rural commune merged into a ward is scored urban after the reform.
  v1::Household village = Create("25354", {Person("Trần Văn B", v1::HEAD)});
  EXPECT_EQ(Review(village.name(), 2024, 1'800'000, 4).area_type(), v1::AREA_TYPE_RURAL);
  v1::Review merged = Review(village.name(), 2025, 1'800'000, 4);
  EXPECT_EQ(merged.area_type(), v1::AREA_TYPE_URBAN);
  EXPECT_EQ(merged.computed_class(), v1::POOR);
  // An explicit override with a reason still decides.
  up.mutable_household()->set_etag(updated.etag());
  up.mutable_household()->set_area_type(v1::AREA_TYPE_URBAN);
  up.mutable_household()->set_area_type_override_reason("lives in the town centre (QĐ 12/UBND)");
  up.mutable_update_mask()->Clear();
  up.mutable_update_mask()->add_paths("area_type");
  up.mutable_update_mask()->add_paths("area_type_override_reason");
  ASSERT_TRUE(logic_->UpdateHousehold(admin_, up, &updated).ok());
  EXPECT_EQ(Review(town.name(), 2025, 1'800'000, 4).area_type(), v1::AREA_TYPE_URBAN);
}

// Brief §2.2 (QĐ 24/2021): the periodic round in the last months of a year produces the next
// year's lists, and those lists are scored on the standard of their year: a late-2021 review on
// the 2022–2025 standard (it used to fail with NO_STANDARD), a late-2026 one on the 2027 lines
// (2,200,000 rural, NĐ 351/2025).
TEST_F(HouseholdTest, TheStandardFollowsTheListYearTheReviewProducesBrief2_2) {
  v1::Household h = Create("25195", {Person("Nguyễn Văn A", v1::HEAD)});
  v1::Review first = Review(h.name(), 2021, 1'400'000, 3);
  EXPECT_EQ(first.list_year(), 2022);
  EXPECT_EQ(first.standard_id(), "PS_2022_2025");
  EXPECT_EQ(first.computed_class(), v1::POOR);
  clock_.Set(absl::FromCivil(absl::CivilSecond(2026, 11, 20, 9, 0, 0), absl::UTCTimeZone()));
  // 2,100,000: above the 2022–2025 rural line (1,500,000), at or below the 2027 one.
  v1::Review round = Review(h.name(), 2026, 2'100'000, 3);
  EXPECT_EQ(round.list_year(), 2027);
  EXPECT_EQ(round.standard_id(), "PS_2027_2030");
  EXPECT_EQ(round.computed_class(), v1::POOR);
  // An ongoing review during 2026 changes the 2026 lists: the 2022–2025 lines still apply.
  v1::Review ongoing = Review(h.name(), 2026, 2'100'000, 3, v1::ONGOING);
  EXPECT_EQ(ongoing.list_year(), 2026);
  EXPECT_EQ(ongoing.standard_id(), "PS_2022_2025");
  EXPECT_NE(ongoing.computed_class(), v1::POOR);
  // A list year the review cannot produce is refused, naming the field.
  v1::CreateReviewRequest bad;
  bad.set_parent(h.name());
  bad.mutable_review()->set_kind(v1::PERIODIC);
  *bad.mutable_review()->mutable_review_date() = Day(2026, 10, 15);
  bad.mutable_review()->set_list_year(2029);
  for (int i = 1; i <= 12; ++i) bad.mutable_review()->add_indicators()->set_code(absl::StrFormat("D%02d", i));
  v1::Review out;
  absl::Status st = logic_->CreateReview(admin_, bad, &out);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(st.message()), ::testing::HasSubstr("review.list_year"));
}

// KH 47's area targets: communes leave the difficult status. A region-II commune is still
// difficult (it used to count as already out), and a commune merged away in the 2025 reform
// did not leave anything: its classification ended with it.
TEST_F(HouseholdTest, AreaTargetsCountRegionIIAndNeverCountAMergedCommuneAsOut) {
  auto classify_area = [&](const std::string& unit, v1::RegionClass region) {
    v1::AreaClassification ac;
    ac.set_unit_code(unit);
    ac.set_region(region);
    *ac.mutable_valid_from() = Day(2021, 6, 4);
    ac.set_legal_doc("QĐ 861/QĐ-TTg");
    ASSERT_TRUE(refs_->CreateAreaClassification(ac, "test", {}).ok());
  };
  classify_area("25195", v1::REGION_II);   // Phường Bình Phước, in force today
  classify_area("25288", v1::REGION_III);  // Xã Lộc Thuận, merged into Xã Lộc Ninh on 1 July 2025
  v1::CreateTargetRequest create;
  auto* t = create.mutable_target();
  t->set_id("AREA_TEST");
  t->set_kind(v1::MovementTarget::AREA_LEAVES_DIFFICULT_STATUS);
  t->set_year_from(2025);
  t->set_year_to(2025);
  t->add_unit_codes("25195");
  t->add_unit_codes("25288");
  t->set_legal_doc("KH 47/KH-BDT");
  v1::MovementTarget created;
  ASSERT_TRUE(logic_->CreateTarget(admin_, create, &created).ok());
  EXPECT_EQ(created.difficult_regions_size(), 3);  // region II, region III, villages by default
  v1::GetTargetProgressRequest tp;
  tp.set_name("targets/AREA_TEST");
  v1::TargetProgress progress;
  ASSERT_TRUE(logic_->GetTargetProgress(admin_, tp, &progress).ok());
  ASSERT_EQ(progress.years_size(), 1);
  EXPECT_EQ(progress.years(0).achieved(), 0);
  EXPECT_THAT(progress.units_still_difficult(), ::testing::ElementsAre("25195"));
  EXPECT_THAT(progress.units_merged_away(), ::testing::ElementsAre("25288"));
  // A target that only aims at region III treats the region-II commune as out.
  t->set_id("AREA_TEST_III");
  t->add_difficult_regions(v1::REGION_III);
  ASSERT_TRUE(logic_->CreateTarget(admin_, create, &created).ok());
  tp.set_name("targets/AREA_TEST_III");
  progress.Clear();
  ASSERT_TRUE(logic_->GetTargetProgress(admin_, tp, &progress).ok());
  EXPECT_EQ(progress.years(0).achieved(), 1);
}

// Brief §1.4: the 2027-2030 set keeps telecom use (D11 in both sets) and adds waste treatment;
// a code never means two indicators across standards.
TEST_F(HouseholdTest, AnIndicatorCodeMeansOneThingAcrossStandardsBrief1_4) {
  pqxx::connection c(db_->admin_url());
  pqxx::nontransaction n(c);
  auto name = [&](const std::string& standard, const std::string& code) {
    auto r = n.exec_params("SELECT name FROM registry.deprivation_indicators WHERE standard_id = $1 AND code = $2",
                           standard, code);
    return r.empty() ? std::string() : r[0][0].as<std::string>();
  };
  EXPECT_EQ(name("PS_2022_2025", "D11"), name("PS_2027_2030", "D11"));
  EXPECT_EQ(name("PS_2027_2030", "D11"), "Use of telecom services");
  EXPECT_EQ(name("PS_2027_2030", "D13"), "Waste treatment");
  EXPECT_EQ(name("PS_2027_2030", "D12"), "");
  EXPECT_EQ(name("PS_2022_2025", "D13"), "");
  EXPECT_EQ(Count("SELECT count(*) FROM registry.deprivation_indicators d1 JOIN registry.deprivation_indicators d2"
                  " ON d1.code = d2.code AND d1.standard_id < d2.standard_id AND d1.name <> d2.name"),
            0);
}

// One village never exists under two spellings: free text is stored NFC on every path.
TEST_F(HouseholdTest, FreeTextIsStoredNfcAndLengthLimited) {
  const std::string nfd_village = "Tho\xcc\x82n Ba\xcc\x80u Sen";  // "Thôn Bàu Sen", decomposed
  const std::string nfc_village = "Th\xc3\xb4n B\xc3\xa0u Sen";
  v1::CreateHouseholdRequest req;
  req.mutable_household()->set_commune_code("25195");
  req.mutable_household()->set_village(nfd_village);
  *req.mutable_household()->add_members() = Person("Nguyễn Văn A", v1::HEAD);
  v1::Household out;
  ASSERT_TRUE(logic_->CreateHousehold(admin_, req, &out).ok());
  v1::GetHouseholdRequest get;
  get.set_name(out.name());
  v1::Household read;
  ASSERT_TRUE(logic_->GetHousehold(admin_, get, &read).ok());
  EXPECT_EQ(read.village(), nfc_village);
  EXPECT_EQ(Count("SELECT count(*) FROM registry.households WHERE village IS NOT NFC NORMALIZED"), 0);
  v1::UpdateHouseholdRequest up;
  up.mutable_household()->set_name(out.name());
  up.mutable_household()->set_etag(read.etag());
  up.mutable_household()->set_address(std::string(501, 'x'));
  up.mutable_update_mask()->add_paths("address");
  absl::Status st = logic_->UpdateHousehold(admin_, up, &out);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(GetFieldViolations(st).at(0).field, "household.address");
}


// (PROVENANCE.md): they must not switch a household's area until an operator confirms them.
TEST(UnitGraphArea, UnconfirmedVersionsNeverSwitchTheArea) {
  scope::UnitTables t;
  t.units.push_back({"25270", "commune", "75", absl::CivilDay(2025, 7, 1), absl::CivilDay(2026, 4, 29), "RURAL", true});
  t.units.push_back({"25270", "commune", "75", absl::CivilDay(2026, 4, 30), std::nullopt, "URBAN", false});
  scope::UnitGraph g(t);
  EXPECT_EQ(g.AreaTypeOn("25270", absl::CivilDay(2026, 10, 1)), "RURAL");
  t.units.back().confirmed = true;
  EXPECT_EQ(scope::UnitGraph(t).AreaTypeOn("25270", absl::CivilDay(2026, 10, 1)), "URBAN");
}

TEST_F(HouseholdTest, EachSensitiveCategoryNeedsItsOwnPermissionAndTheAuditNamesWhatWasRead) {
  v1::Member head = Person("Điểu Thị Lan", v1::HEAD, "16", "070180001234", v1::FEMALE);
  head.set_disability(true);
  v1::Household h = Create("25195", {head});
  Classify(h.name(), 2024, 1'200'000, 4);
  auto count = [&](const std::string& where) {
    return Count("SELECT count(*) FROM registry.pii_audit WHERE " + where);
  };
  v1::GetHouseholdRequest get;
  get.set_name(h.name());
  // A reviewer (roles.json REVIEWER: income and evidence, nothing else) sees no ethnicity or
  // disability, and a household read that disclosed nothing writes no audit row.
  const server::Call reviewer = CallAs("reviewer", {"registry.households.read", "registry.personal_data.income"});
  const int before = count("true");
  v1::Household seen;
  ASSERT_TRUE(logic_->GetHousehold(reviewer, get, &seen).ok());
  EXPECT_EQ(seen.head_ethnicity_code(), "");
  EXPECT_EQ(seen.members(0).ethnicity_code(), "");
  EXPECT_FALSE(seen.members(0).disability());
  EXPECT_THAT(seen.members(0).masked_fields(), ::testing::Contains("disability"));
  EXPECT_EQ(count("true"), before);
  // ...while the review's income is its to read, and that read is audited as "income".
  v1::ListReviewsRequest lr;
  lr.set_parent(h.name());
  v1::ListReviewsResponse reviews;
  ASSERT_TRUE(logic_->ListReviews(reviewer, lr, &reviews).ok());
  ASSERT_EQ(reviews.reviews_size(), 1);
  EXPECT_EQ(reviews.reviews(0).income_per_capita_vnd(), 1'200'000);
  EXPECT_EQ(count("actor = 'reviewer' AND categories = 'income'"), 1);
  // Filtering on the head's ethnicity would reveal it: refused, naming the field.
  v1::ListHouseholdsRequest by_ethnicity;
  by_ethnicity.set_head_ethnicity_code("16");
  v1::ListHouseholdsResponse none;
  absl::Status refused = logic_->ListHouseholds(reviewer, by_ethnicity, &none);
  EXPECT_EQ(refused.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(std::string(refused.message()), ::testing::HasSubstr("head_ethnicity_code"));
  // Funding's facts carry the head's ethnicity only with that permission.
  v1::BatchGetHouseholdFactsRequest fq;
  fq.add_queries()->set_household(h.name());
  v1::BatchGetHouseholdFactsResponse facts;
  ASSERT_TRUE(logic_->BatchGetHouseholdFacts(reviewer, fq, &facts).ok());
  EXPECT_FALSE(facts.facts(0).ethnic_minority());
  const server::Call funding = CallAs("service:funding", {"registry.households.read", "registry.personal_data.ethnicity"});
  facts.Clear();
  ASSERT_TRUE(logic_->BatchGetHouseholdFacts(funding, fq, &facts).ok());
  EXPECT_TRUE(facts.facts(0).ethnic_minority());
  EXPECT_EQ(count("actor = 'service:funding' AND categories = 'ethnicity'"), 1);
  // Everything unmasked: one row naming every category the read disclosed.
  const std::string all = "actor = 'admin' AND categories = 'ethnicity,health,identity'";
  const int admin_rows = count(all);
  ASSERT_TRUE(logic_->GetHousehold(admin_, get, &seen).ok());
  EXPECT_EQ(count(all), admin_rows + 1);
  EXPECT_TRUE(seen.members(0).disability());
  // A row written before the categories existed (NULL) still verifies.
  {
    pqxx::connection svc(db_->service_url());
    pqxx::work w(svc);
    w.exec("INSERT INTO registry.pii_audit (actor, method, request_id, household_ids, purpose)"
           " VALUES ('old', 'GetHousehold', '', '{}', '')");
    w.commit();
  }
  auto chain = VerifyPiiAuditChain(pool_.get());
  ASSERT_TRUE(chain.ok());
  EXPECT_EQ(chain->problem, "");
}

TEST_F(HouseholdTest, TheAuditIsAHashChainAndVerifyNamesATamperedRow) {
  v1::Household h = Create("25195", {Person("Điểu Thị Lan", v1::HEAD, "16", "070180001234", v1::FEMALE)});
  v1::GetHouseholdRequest get;
  get.set_name(h.name());
  v1::Household full;
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(logic_->GetHousehold(admin_, get, &full).ok());  // 3 audited reads
  auto ok = VerifyPiiAuditChain(pool_.get());
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->problem, "");
  EXPECT_GE(ok->rows, 3);
  const std::string head = absl::StrCat(ok->head_seq, ":", ok->head_hash);
  EXPECT_EQ(VerifyPiiAuditChain(pool_.get(), head)->problem, "");
  // A superuser rewrites one row behind the triggers' back: verify names it.
  pqxx::connection admin(db_->admin_url());
  {
    pqxx::work w(admin);
    w.exec("SET LOCAL session_replication_role = replica");
    w.exec("UPDATE registry.pii_audit SET actor = 'nobody' WHERE chain_seq = 2");
    w.commit();
  }
  std::string id;
  {
    pqxx::nontransaction n(admin);
    id = n.exec("SELECT id FROM registry.pii_audit WHERE chain_seq = 2")[0][0].c_str();
  }
  auto bad = VerifyPiiAuditChain(pool_.get());
  ASSERT_TRUE(bad.ok());
  EXPECT_TRUE(absl::StrContains(bad->problem, absl::StrCat("pii_audit id ", id, " (chain_seq 2) was altered")))
      << bad->problem;
  EXPECT_EQ(bad->rows, 1);
  // Recomputing every hash after the change hides it from the chain alone, not from a head
  // recorded before.
  {
    pqxx::work w(admin);
    w.exec("SET LOCAL session_replication_role = replica");
    w.exec("UPDATE registry.pii_audit SET prev_hash = '', row_hash = '' WHERE chain_seq >= 2");
    for (const auto& r : w.exec("SELECT chain_seq FROM registry.pii_audit WHERE chain_seq >= 2 ORDER BY chain_seq")) {
      w.exec_params(
          "UPDATE registry.pii_audit a SET prev_hash = p.row_hash,"
          " row_hash = encode(sha256(convert_to(registry.pii_audit_chain_text(p.row_hash, a.chain_seq, a.at, a.actor,"
          " a.method, a.request_id, a.household_ids, a.purpose, a.categories), 'UTF8')), 'hex')"
          " FROM registry.pii_audit p WHERE p.chain_seq = a.chain_seq - 1 AND a.chain_seq = $1",
          r[0].as<int64_t>());
    }
    w.commit();
  }
  EXPECT_EQ(VerifyPiiAuditChain(pool_.get())->problem, "");
  EXPECT_TRUE(absl::StrContains(VerifyPiiAuditChain(pool_.get(), head)->problem, "rewritten since"));
  EXPECT_EQ(VerifyPiiAuditChain(pool_.get(), "x:y").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(HouseholdTest, SearchIgnoresDiacriticsAndApostropheVariants) {
  Create("25195", {Person("Nguyễn Văn A", v1::HEAD)});
  Create("25195", {Person("Điểu K'Lanh", v1::HEAD, "16")});
  Create("25195", {Person("Trần Thị Hoà", v1::HEAD, "01", "", v1::FEMALE)});
  auto search = [&](const std::string& q) {
    v1::ListHouseholdsRequest req;
    req.set_name_query(q);
    v1::ListHouseholdsResponse resp;
    EXPECT_TRUE(logic_->ListHouseholds(admin_, req, &resp).ok());
    return resp.households_size();
  };
  EXPECT_EQ(search("nguyen van a"), 1);
  EXPECT_EQ(search("NGUYEN"), 1);
  // Without the personal-data permission names are masked, and so is the search by name.
  v1::ListHouseholdsRequest masked;
  masked.set_name_query("nguyen van a");
  v1::ListHouseholdsResponse none;
  absl::Status refused = logic_->ListHouseholds(officer_, masked, &none);
  EXPECT_EQ(refused.code(), absl::StatusCode::kPermissionDenied) << refused;
  EXPECT_EQ(GetReason(refused), "PERSONAL_DATA_REQUIRED");
  EXPECT_EQ(none.households_size(), 0);
  EXPECT_EQ(search("dieu k'lanh"), 1);
  EXPECT_EQ(search("Dieu K’Lanh"), 1);  // typographic apostrophe
  EXPECT_EQ(search("klanh"), 1);
  EXPECT_EQ(search("hoa"), 1);
  EXPECT_EQ(search("xyz"), 0);
  // LIKE's wildcards in a query are plain characters: they match no name here.
  EXPECT_EQ(search("%"), 0);
  EXPECT_EQ(search("_"), 0);
  EXPECT_EQ(search("ng_yen"), 0);
}

TEST_F(HouseholdTest, ReviewWorkflowRefusesIllegalTransitions) {
  // Brief §2.3: survey (SUBMITTED) -> public posting (step 4) -> recognition (step 6).
  v1::Household h = Create("25195", {Person("Điểu Văn M", v1::HEAD, "16")});
  v1::Review r = Review(h.name(), 2025, 1400000, 4);
  EXPECT_EQ(r.state(), v1::DRAFT);
  EXPECT_EQ(r.computed_class(), v1::POOR);
  EXPECT_EQ(r.standard_id(), "PS_2022_2025");
  v1::Review out;
  // DRAFT cannot be approved or posted directly.
  v1::ApproveReviewRequest ap;
  ap.set_name(r.name());
  ap.set_decision_number("QĐ 1/UBND");
  *ap.mutable_decision_date() = Day(2025, 12, 20);
  EXPECT_EQ(logic_->ApproveReview(admin_, ap, &out).code(), absl::StatusCode::kFailedPrecondition);
  v1::PostReviewRequest post;
  post.set_name(r.name());
  *post.mutable_posted_on() = Day(2025, 12, 16);
  EXPECT_EQ(logic_->PostReview(admin_, post, &out).code(), absl::StatusCode::kFailedPrecondition);
  v1::SubmitReviewRequest sub;
  sub.set_name(r.name());
  ASSERT_TRUE(logic_->SubmitReview(admin_, sub, &out).ok());
  EXPECT_EQ(logic_->SubmitReview(admin_, sub, &out).code(), absl::StatusCode::kFailedPrecondition);
  // A submitted review is not recognised before its list is posted (step 4 before step 6).
  absl::Status unposted = logic_->ApproveReview(checker_, ap, &out);
  EXPECT_EQ(unposted.code(), absl::StatusCode::kFailedPrecondition) << unposted;
  EXPECT_EQ(GetReason(unposted), "ILLEGAL_TRANSITION");
  v1::PostReviewRequest early = post;
  *early.mutable_posted_on() = Day(2025, 10, 14);
  EXPECT_EQ(GetFieldViolations(logic_->PostReview(admin_, early, &out)).at(0).field, "posted_on");
  ASSERT_TRUE(logic_->PostReview(admin_, post, &out).ok());
  EXPECT_EQ(out.state(), v1::POSTED);
  EXPECT_EQ(out.posted_on().day(), 16);
  // Approval needs a decision number; only approval changes the official classification.
  v1::GetHouseholdRequest get;
  get.set_name(h.name());
  v1::Household before;
  ASSERT_TRUE(logic_->GetHousehold(admin_, get, &before).ok());
  EXPECT_EQ(before.classification(), v1::HOUSEHOLD_CLASS_UNSPECIFIED);
  v1::ApproveReviewRequest bad = ap;
  bad.clear_decision_number();
  EXPECT_EQ(GetFieldViolations(logic_->ApproveReview(admin_, bad, &out)).at(0).field, "decision_number");
  bad = ap;
  *bad.mutable_decision_date() = Day(2025, 12, 15);
  EXPECT_EQ(GetFieldViolations(logic_->ApproveReview(checker_, bad, &out)).at(0).field, "decision_date");
  // After 30 June 2025 the district consultation is no longer a step (review_steps): refused.
  bad = ap;
  *bad.mutable_consulted_on() = Day(2025, 12, 18);
  bad.set_consultation_document("12/UBND");
  EXPECT_EQ(GetFieldViolations(logic_->ApproveReview(checker_, bad, &out)).at(0).field, "consulted_on");
  // Maker-checker, in the database: the submitter cannot approve, whatever its roles.
  absl::Status self = logic_->ApproveReview(admin_, ap, &out);
  EXPECT_EQ(self.code(), absl::StatusCode::kPermissionDenied) << self;
  EXPECT_EQ(GetReason(self), "SELF_APPROVAL");
  ASSERT_TRUE(logic_->ApproveReview(checker_, ap, &out).ok());
  EXPECT_EQ(out.state(), v1::APPROVED);
  EXPECT_EQ(out.posted_on().day(), 16);
  v1::Household after;
  ASSERT_TRUE(logic_->GetHousehold(admin_, get, &after).ok());
  EXPECT_EQ(after.classification(), v1::POOR);
  EXPECT_EQ(logic_->ApproveReview(checker_, ap, &out).code(), absl::StatusCode::kFailedPrecondition);
  v1::RejectReviewRequest rej;
  rej.set_name(r.name());
  rej.set_reason("late");
  EXPECT_EQ(logic_->RejectReview(admin_, rej, &out).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(logic_->PostReview(admin_, post, &out).code(), absl::StatusCode::kFailedPrecondition);
  // A submitted or posted review can be rejected (a complaint upheld at posting), and then
  // nothing more.
  for (bool posted : {false, true}) {
    v1::Review second = Review(h.name(), 2025, 2500000, 0);
    sub.set_name(second.name());
    ASSERT_TRUE(logic_->SubmitReview(admin_, sub, &out).ok());
    if (posted) {
      post.set_name(second.name());
      ASSERT_TRUE(logic_->PostReview(admin_, post, &out).ok());
    }
    rej.set_name(second.name());
    rej.set_reason("khiếu nại được chấp nhận");
    ASSERT_TRUE(logic_->RejectReview(admin_, rej, &out).ok());
    EXPECT_EQ(out.state(), v1::REJECTED);
    EXPECT_EQ(logic_->SubmitReview(admin_, sub, &out).code(), absl::StatusCode::kFailedPrecondition);
  }
  ASSERT_TRUE(logic_->GetHousehold(admin_, get, &after).ok());
  EXPECT_EQ(after.classification(), v1::POOR);  // the rejected reviews changed nothing
}

TEST_F(HouseholdTest, DistrictConsultationBeforeRecognitionUntilTheReform) {
  // Brief §2.3 step 5 / §2.5: the district chair is consulted before the commune chair
  // recognises the lists, until 30 June 2025 (table review_steps).
  v1::Household h = Create("25195", {Person("Điểu Thị Q", v1::HEAD, "16")});
  v1::Review r = Review(h.name(), 2024, 1400000, 4);
  v1::Review out;
  v1::SubmitReviewRequest sub;
  sub.set_name(r.name());
  ASSERT_TRUE(logic_->SubmitReview(admin_, sub, &out).ok());
  v1::PostReviewRequest post;
  post.set_name(r.name());
  *post.mutable_posted_on() = Day(2024, 12, 10);
  ASSERT_TRUE(logic_->PostReview(admin_, post, &out).ok());
  v1::ApproveReviewRequest ap;
  ap.set_name(r.name());
  ap.set_decision_number("QĐ 7/UBND");
  *ap.mutable_decision_date() = Day(2024, 12, 20);
  EXPECT_EQ(GetFieldViolations(logic_->ApproveReview(checker_, ap, &out)).at(0).field, "consulted_on");
  *ap.mutable_consulted_on() = Day(2024, 12, 9);  // before the posting
  ap.set_consultation_document("88/UBND-LĐTBXH");
  EXPECT_EQ(GetFieldViolations(logic_->ApproveReview(checker_, ap, &out)).at(0).field, "consulted_on");
  *ap.mutable_consulted_on() = Day(2024, 12, 17);
  ap.clear_consultation_document();
  EXPECT_EQ(GetFieldViolations(logic_->ApproveReview(checker_, ap, &out)).at(0).field, "consultation_document");
  ap.set_consultation_document("88/UBND-LĐTBXH");
  ASSERT_TRUE(logic_->ApproveReview(checker_, ap, &out).ok());
  EXPECT_EQ(out.state(), v1::APPROVED);
  EXPECT_EQ(out.consulted_on().day(), 17);
  EXPECT_EQ(out.consultation_document(), "88/UBND-LĐTBXH");
}

TEST_F(HouseholdTest, OngoingReviewsAreHeldMonthlyFromTheFifteenth) {
  // Brief §2.2: REVIEW_ONGOING "monthly, from the 15th of each month" (table review_windows).
  v1::Household h = Create("25195", {Person("Điểu Văn R", v1::HEAD, "16")});
  v1::CreateReviewRequest req;
  req.set_parent(h.name());
  req.mutable_review()->set_kind(v1::ONGOING);
  req.mutable_review()->set_income_per_capita_vnd(1000000);
  for (int i = 1; i <= 12; ++i) req.mutable_review()->add_indicators()->set_code(absl::StrFormat("D%02d", i));
  v1::Review out;
  *req.mutable_review()->mutable_review_date() = Day(2025, 4, 14);
  absl::Status early = logic_->CreateReview(admin_, req, &out);
  ASSERT_EQ(GetFieldViolations(early).size(), 1u) << early;
  EXPECT_EQ(GetFieldViolations(early).at(0).field, "review.review_date");
  EXPECT_NE(GetFieldViolations(early).at(0).description.find("from day 15"), std::string::npos);
  *req.mutable_review()->mutable_review_date() = Day(2025, 4, 15);
  EXPECT_TRUE(logic_->CreateReview(admin_, req, &out).ok());
  *req.mutable_review()->mutable_review_date() = Day(2025, 4, 30);
  EXPECT_TRUE(logic_->CreateReview(admin_, req, &out).ok());
  // Before QĐ 24/2021 took effect (1 Sep 2021) no window is in force: past lists are loaded
  // as a baseline instead.
  req.mutable_review()->set_kind(v1::PERIODIC);
  *req.mutable_review()->mutable_review_date() = Day(2020, 10, 15);
  EXPECT_EQ(GetFieldViolations(logic_->CreateReview(admin_, req, &out)).at(0).field, "review.review_date");
}

TEST_F(HouseholdTest, ReviewsAreValidatedAgainstTheStandardAndTheWindow) {
  v1::Household h = Create("25195", {Person("Điểu Văn N", v1::HEAD, "16")});
  v1::CreateReviewRequest req;
  req.set_parent(h.name());
  req.mutable_review()->set_kind(v1::PERIODIC);
  *req.mutable_review()->mutable_review_date() = Day(2025, 3, 16);  // outside 1 Sep - 14 Dec
  req.mutable_review()->set_income_per_capita_vnd(1000000);
  for (int i = 1; i <= 12; ++i) req.mutable_review()->add_indicators()->set_code(absl::StrFormat("D%02d", i));
  v1::Review out;
  EXPECT_EQ(GetFieldViolations(logic_->CreateReview(admin_, req, &out)).at(0).field, "review.review_date");
  req.mutable_review()->set_kind(v1::ONGOING);
  ASSERT_TRUE(logic_->CreateReview(admin_, req, &out).ok());
  EXPECT_EQ(out.computed_class(), v1::NEAR_POOR);  // urban, 0 deprivations
  req.mutable_review()->mutable_indicators(3)->set_code("D99");
  EXPECT_EQ(GetFieldViolations(logic_->CreateReview(admin_, req, &out)).at(0).field, "review.indicators[3].code");
  req.mutable_review()->mutable_indicators()->RemoveLast();
  req.mutable_review()->mutable_indicators(3)->set_code("D04");
  EXPECT_EQ(GetFieldViolations(logic_->CreateReview(admin_, req, &out)).at(0).field, "review.indicators");
}

TEST_F(HouseholdTest, ProxyScoreReplacesIncomeWhereACutOffIsConfigured) {
  v1::Household h = Create("26359", {Person("Điểu Văn P", v1::HEAD, "22")});  // a xã: rural, cut-off 140
  v1::CreateReviewRequest req;
  req.set_parent(h.name());
  req.mutable_review()->set_kind(v1::ONGOING);
  *req.mutable_review()->mutable_review_date() = Day(2025, 5, 16);
  req.mutable_review()->set_income_per_capita_vnd(9000000);  // ignored when a score is given
  req.mutable_review()->set_proxy_score(120);
  for (int i = 1; i <= 12; ++i) {
    auto* ind = req.mutable_review()->add_indicators();
    ind->set_code(absl::StrFormat("D%02d", i));
    ind->set_deprived(i <= 3);
  }
  v1::Review out;
  ASSERT_TRUE(logic_->CreateReview(admin_, req, &out).ok());
  EXPECT_EQ(out.computed_class(), v1::POOR);
  EXPECT_EQ(out.proxy_score(), 120);
  // Brief §2.3: the B1 cut-offs are UNCONFIRMED; the review says so, and keeps saying so when read.
  EXPECT_THAT(out.caveats(), ::testing::ElementsAre("PROXY_SCORE_CUTOFF_UNCONFIRMED"));
  v1::GetReviewRequest get;
  get.set_name(out.name());
  v1::Review read;
  ASSERT_TRUE(logic_->GetReview(admin_, get, &read).ok());
  EXPECT_THAT(read.caveats(), ::testing::ElementsAre("PROXY_SCORE_CUTOFF_UNCONFIRMED"));
  req.mutable_review()->set_proxy_score(141);
  ASSERT_TRUE(logic_->CreateReview(admin_, req, &out).ok());
  EXPECT_EQ(out.computed_class(), v1::NOT_POOR);
  // Scored on income, nothing unconfirmed to report.
  req.mutable_review()->clear_proxy_score();
  req.mutable_review()->set_income_per_capita_vnd(1'000'000);
  ASSERT_TRUE(logic_->CreateReview(admin_, req, &out).ok());
  EXPECT_TRUE(out.caveats().empty());
}

TEST_F(HouseholdTest, TransitionsOverMultiYearHistoriesTellRePoorFromNewPoor) {
  // h1: poor 2022, escaped 2023, poor again 2024 -> RE_POOR in 2024
  // h2: not poor 2022, 2023, poor 2024 -> NEW_POOR in 2024
  // h3: poor 2023, near-poor 2024 -> POOR_TO_NEAR_POOR in 2024 (EM head)
  // h4: near-poor 2023, poor 2024 -> NEAR_POOR_TO_POOR
  auto h1 = Create("25195", {Person("A", v1::HEAD, "16")});
  auto h2 = Create("25195", {Person("B", v1::HEAD)});
  auto h3 = Create("25195", {Person("C", v1::HEAD, "16")});
  auto h4 = Create("25195", {Person("D", v1::HEAD)});
  Classify(h1.name(), 2022, 1000000, 4);
  Classify(h1.name(), 2023, 5000000, 0);
  Classify(h1.name(), 2024, 1000000, 5);
  Classify(h2.name(), 2022, 5000000, 0);
  Classify(h2.name(), 2023, 5000000, 0);
  Classify(h2.name(), 2024, 1000000, 3);
  Classify(h3.name(), 2023, 1000000, 3);
  Classify(h3.name(), 2024, 1000000, 1);
  Classify(h4.name(), 2023, 1900000, 1);
  Classify(h4.name(), 2024, 1900000, 3);
  v1::ListTransitionsRequest req;
  req.set_year(2024);
  v1::ListTransitionsResponse resp;
  ASSERT_TRUE(logic_->ListTransitions(admin_, req, &resp).ok());
  std::map<std::string, int64_t> counts, em;
  for (const auto& c : resp.counts()) {
    counts[v1::TransitionCategory_Name(c.category())] = c.households();
    em[v1::TransitionCategory_Name(c.category())] = c.ethnic_minority_households();
  }
  EXPECT_EQ(counts["RE_POOR"], 1);
  EXPECT_EQ(counts["NEW_POOR"], 1);
  EXPECT_EQ(counts["POOR_TO_NEAR_POOR"], 1);
  EXPECT_EQ(em["POOR_TO_NEAR_POOR"], 1);
  EXPECT_EQ(counts["NEAR_POOR_TO_POOR"], 1);
  req.set_category(v1::RE_POOR);
  resp.Clear();
  ASSERT_TRUE(logic_->ListTransitions(admin_, req, &resp).ok());
  ASSERT_EQ(resp.households_size(), 1);
  EXPECT_EQ(resp.households(0), h1.name());
  // One definition of "escaped" (table transition_groups, group ESCAPED): poor to near-poor
  // counts, as in the movement target and funding's reports.
  req.clear_category();
  req.set_group("ESCAPED");
  resp.Clear();
  ASSERT_TRUE(logic_->ListTransitions(admin_, req, &resp).ok());
  EXPECT_THAT(resp.households(), ::testing::ElementsAre(h3.name()));
  v1::BatchGetHouseholdFactsRequest fq;
  fq.add_queries()->set_household(h3.name());
  *fq.mutable_queries(0)->mutable_date() = Day(2024, 12, 31);
  v1::BatchGetHouseholdFactsResponse facts;
  ASSERT_TRUE(logic_->BatchGetHouseholdFacts(admin_, fq, &facts).ok());
  EXPECT_TRUE(facts.facts(0).escaped());
  // The change feed's cursor read before the facts: the reviews above are behind it.
  EXPECT_GT(facts.cursor(), 0);
  req.set_group("NOT_A_GROUP");
  EXPECT_EQ(logic_->ListTransitions(admin_, req, &resp).code(), absl::StatusCode::kInvalidArgument);
  req.set_group("");
  // 2023: h1 escaped; h3 and h4 recorded for the first time: baselines, not flows
  v1::ListTransitionsRequest y2023;
  y2023.set_year(2023);
  resp.Clear();
  ASSERT_TRUE(logic_->ListTransitions(admin_, y2023, &resp).ok());
  counts.clear();
  for (const auto& c : resp.counts()) counts[v1::TransitionCategory_Name(c.category())] = c.households();
  EXPECT_EQ(counts["ESCAPED_POOR"], 1);
  EXPECT_EQ(counts["NEW_POOR"], 0);
  EXPECT_EQ(counts["BASELINE_POOR"], 1);
  EXPECT_EQ(counts["BASELINE_NEAR_POOR"], 1);
  // As-of classification
  v1::GetClassificationRequest asof;
  asof.set_name(h1.name());
  *asof.mutable_as_of() = Day(2023, 6, 1);
  v1::ClassificationRecord rec;
  ASSERT_TRUE(logic_->GetClassification(admin_, asof, &rec).ok());
  EXPECT_EQ(rec.classification(), v1::POOR);
  *asof.mutable_as_of() = Day(2024, 6, 1);
  ASSERT_TRUE(logic_->GetClassification(admin_, asof, &rec).ok());
  EXPECT_EQ(rec.classification(), v1::NOT_POOR);
  // Statistics for 2024 by EM vs Kinh, whole data set and per child of the province.
  v1::GetStatisticsRequest sreq;
  sreq.set_year(2024);
  v1::Statistics stats;
  ASSERT_TRUE(logic_->GetStatistics(admin_, sreq, &stats).ok());
  std::map<std::string, int64_t> poor;
  for (const auto& r : stats.rows()) {
    if (r.classification() == v1::POOR) poor[r.ethnic_group()] += r.households();
  }
  EXPECT_EQ(poor["EM"], 1);    // h1
  EXPECT_EQ(poor["KINH"], 2);  // h2, h4
  // Target progress: EM poor households escaping in 2024 = h3
  v1::GetTargetProgressRequest tp;
  tp.set_name("targets/EM_POOR_ESCAPE_1000");
  tp.set_year(2024);
  v1::TargetProgress progress;
  ASSERT_TRUE(logic_->GetTargetProgress(admin_, tp, &progress).ok());
  ASSERT_EQ(progress.years_size(), 1);
  EXPECT_EQ(progress.years(0).achieved(), 1);
  EXPECT_FALSE(progress.years(0).met());
  // By quarter (brief §8): the escape falls in exactly one quarter of 2024, against the year's
  // threshold; a YEAR period answers as the year.
  tp.clear_year();
  int64_t by_quarter = 0;
  for (int q = 1; q <= 4; ++q) {
    tp.mutable_period()->set_type(common::v1::Period::QUARTER);
    tp.mutable_period()->set_year(2024);
    tp.mutable_period()->set_index(q);
    progress.Clear();
    ASSERT_TRUE(logic_->GetTargetProgress(admin_, tp, &progress).ok());
    ASSERT_EQ(progress.years_size(), 1);
    EXPECT_EQ(progress.years(0).threshold(), 1000);
    EXPECT_EQ(progress.period().index(), q);
    by_quarter += progress.years(0).achieved();
  }
  EXPECT_EQ(by_quarter, 1);
  tp.mutable_period()->set_type(common::v1::Period::YEAR);
  progress.Clear();
  ASSERT_TRUE(logic_->GetTargetProgress(admin_, tp, &progress).ok());
  EXPECT_EQ(progress.years(0).achieved(), 1);
  tp.set_year(2024);
  EXPECT_EQ(GetFieldViolations(logic_->GetTargetProgress(admin_, tp, &progress)).at(0).field, "period");
  // The statistics rows equal a direct count over the year snapshots.
  pqxx::connection c(db_->admin_url());
  pqxx::nontransaction n(c);
  EXPECT_EQ(n.exec("SELECT count(*) FROM registry.household_years WHERE year = 2024 AND class_end = 'POOR'")[0][0].as<int>(), 3);
}

TEST_F(HouseholdTest, StatisticsRollUpOnOldAndNewGeography) {
  // Registered in 2021 in old commune 25198 (Đồng Xoài city, district 689), which became 25195.
  v1::CreateHouseholdRequest req;
  req.mutable_household()->set_commune_code("25198");
  *req.mutable_household()->mutable_registered_on() = Day(2021, 3, 1);
  *req.mutable_household()->add_members() = Person("E", v1::HEAD, "16");
  v1::Household h;
  ASSERT_TRUE(logic_->CreateHousehold(admin_, req, &h).ok());
  Classify(h.name(), 2023, 1000000, 4);
  v1::GetStatisticsRequest old_geo;
  old_geo.set_year(2023);
  old_geo.set_unit_code("70");
  old_geo.set_by_child_unit(true);
  *old_geo.mutable_as_of() = Day(2023, 12, 31);
  v1::Statistics stats;
  ASSERT_TRUE(logic_->GetStatistics(admin_, old_geo, &stats).ok());
  ASSERT_EQ(stats.rows_size(), 1);
  EXPECT_EQ(stats.rows(0).unit_code(), "689");  // the old district
  v1::GetStatisticsRequest new_geo;
  new_geo.set_year(2023);
  new_geo.set_unit_code("75");
  new_geo.set_by_child_unit(true);
  *new_geo.mutable_as_of() = Day(2025, 12, 1);
  stats.Clear();
  ASSERT_TRUE(logic_->GetStatistics(admin_, new_geo, &stats).ok());
  ASSERT_EQ(stats.rows_size(), 1);
  EXPECT_EQ(stats.rows(0).unit_code(), "25195");  // its successor commune
}

TEST_F(HouseholdTest, MoveSplitAndMergeKeepHistory) {
  v1::Household h = Create("25195", {Person("Head", v1::HEAD, "16"), Person("Son", v1::CHILD, "16"),
                                     Person("Daughter", v1::CHILD, "16", "", v1::FEMALE)});
  v1::MoveHouseholdRequest mv;
  mv.set_name(h.name());
  mv.set_commune_code("26359");
  mv.set_etag(h.etag());
  v1::Household moved;
  ASSERT_TRUE(logic_->MoveHousehold(admin_, mv, &moved).ok());
  EXPECT_EQ(moved.commune_code(), "26359");
  EXPECT_EQ(logic_->MoveHousehold(admin_, mv, &moved).code(), absl::StatusCode::kAborted);  // stale etag

  v1::SplitHouseholdRequest sp;
  sp.set_name(h.name());
  sp.add_member_names(moved.members(1).name());
  v1::SplitHouseholdResponse split;
  ASSERT_TRUE(logic_->SplitHousehold(admin_, sp, &split).ok());
  EXPECT_EQ(split.created().members_size(), 1);
  EXPECT_EQ(split.created().members(0).relation(), v1::HEAD);
  int active = 0;
  for (const auto& m : split.original().members()) active += m.active();
  EXPECT_EQ(active, 2);

  v1::MergeHouseholdsRequest mg;
  mg.set_name(h.name());
  mg.set_source(split.created().name());
  v1::Household merged;
  ASSERT_TRUE(logic_->MergeHouseholds(admin_, mg, &merged).ok());
  active = 0;
  for (const auto& m : merged.members()) active += m.active();
  EXPECT_EQ(active, 3);
  v1::GetHouseholdRequest get;
  get.set_name(split.created().name());
  v1::Household closed;
  ASSERT_TRUE(logic_->GetHousehold(admin_, get, &closed).ok());
  EXPECT_EQ(closed.status(), v1::HOUSEHOLD_MERGED);
  v1::ListHouseholdEventsRequest ev;
  ev.set_name(h.name());
  v1::ListHouseholdEventsResponse events;
  ASSERT_TRUE(logic_->ListHouseholdEvents(admin_, ev, &events).ok());
  std::vector<std::string> kinds;
  for (const auto& e : events.events()) kinds.push_back(e.kind());
  EXPECT_EQ(kinds, (std::vector<std::string>{"CREATED", "MOVED", "SPLIT_TO", "MERGED_FROM"}));
  // The change feed names the other household of a split and a merge, so that the funding
  // ledger keeps the history a household came from (brief §3.5).
  auto feed = store_->ReadFeed(0, 1000);
  ASSERT_TRUE(feed.ok()) << feed.status();
  std::map<std::string, std::string> related;
  for (const auto& e : *feed) {
    if (e.kind() == "HOUSEHOLD_SPLIT" || e.kind() == "HOUSEHOLD_MERGED") related[e.kind()] = e.related_household();
  }
  EXPECT_EQ(related["HOUSEHOLD_SPLIT"], h.name());
  EXPECT_EQ(related["HOUSEHOLD_MERGED"], h.name());
}

TEST_F(HouseholdTest, ChangeFeedResumesFromACursorWithoutGapsOrDuplicates) {
  std::vector<std::string> names;
  for (int i = 0; i < 6; ++i) names.push_back(Create("25195", {Person("P", v1::HEAD)}).name());
  // Approvals from several threads at once.
  std::vector<std::thread> threads;
  for (int i = 0; i < 6; ++i) {
    threads.emplace_back([&, i] { Classify(names[i], 2025, 1000000, 3); });
  }
  for (auto& t : threads) t.join();
  std::vector<int64_t> cursors;
  auto read = [&](int64_t from, int max) {
    int got = 0;
    v1::WatchChangesRequest req;
    req.set_from_cursor(from);
    server::FunctionWriter<v1::ChangeEvent> sink(
        [&](const v1::ChangeEvent& e) {
          cursors.push_back(e.cursor());
          return ++got < max;
        },
        [&] { return got >= max; });
    absl::Status st = logic_->WatchChanges(admin_, req, sink);
    EXPECT_TRUE(st.ok()) << st;
  };
  read(0, 3);
  read(cursors.back(), 3);
  ASSERT_EQ(cursors.size(), 6u);
  for (size_t i = 1; i < cursors.size(); ++i) EXPECT_EQ(cursors[i], cursors[i - 1] + 1);
}

}  // namespace
}  // namespace lnob::registry

namespace lnob::registry {
namespace {

TEST_F(ImportTest, BadRowsAreReportedWithRowAndFieldAndGoodRowsCommit) {
  std::vector<v1::HouseholdRecord> rows;
  for (int i = 0; i < 2500; ++i) {
    rows.push_back(Record(absl::StrCat("X-", i), "25195", absl::StrFormat("070180%06d", i), i % 2 == 0));
  }
  rows[10].mutable_household()->set_commune_code("99999");                      // line 12
  rows[20].mutable_household()->mutable_members(0)->set_citizen_id("070180000021");  // duplicate of row 21's
  rows[30].mutable_reviews(0)->clear_decision_number();                          // line 32
  auto resp = Import(NewUuidV7(absl::Now()), rows);
  EXPECT_EQ(resp.rows_received(), 2500);
  EXPECT_EQ(resp.rows_committed(), 2497);
  EXPECT_EQ(resp.rows_failed(), 3);
  std::map<int64_t, std::string> errors;
  for (const auto& e : resp.errors()) errors[e.row_number()] = e.field();
  EXPECT_EQ(errors[12], "record.household.commune_code");
  EXPECT_EQ(errors[32], "record.reviews[0].decision_number");
  // Of the two rows sharing a citizen ID, the later one (line 23) is refused.
  EXPECT_EQ(errors[23], "record.household.members[0].citizen_id");
  EXPECT_EQ(errors.count(22), 0u);
  EXPECT_EQ(Count("SELECT count(*) FROM registry.households"), 2497);
  // Statistics maintained by the bulk path equal a recount from the year snapshots.
  EXPECT_EQ(Count("SELECT coalesce(sum(households), 0) FROM registry.stats_agg WHERE year = 2024 AND class_end = 'POOR'"),
            Count("SELECT count(*) FROM registry.household_years WHERE year = 2024 AND class_end = 'POOR'"));
  EXPECT_EQ(Count("SELECT count(*) FROM registry.household_years WHERE year = 2024 AND class_end = 'POOR'"), 1248);  // 1250 reviewed, lines 12 and 32 refused
  // An imported list is a baseline: none of its poor households is "phát sinh nghèo".
  EXPECT_EQ(Count("SELECT count(*) FROM registry.household_years WHERE transition = 'NEW_POOR'"), 0);
  EXPECT_EQ(Count("SELECT coalesce(sum(households), 0) FROM registry.stats_agg WHERE transition = 'NEW_POOR'"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM registry.household_years WHERE year = 2024 AND transition = 'BASELINE_POOR'"),
            1248);
}

TEST_F(ImportTest, AnInterruptedImportFinishesOnResendWithoutDuplicates) {
  std::vector<v1::HouseholdRecord> rows;
  for (int i = 0; i < 3200; ++i) rows.push_back(Record(absl::StrCat("Y-", i), "25195", "", i % 3 == 0));
  const std::string id = NewUuidV7(absl::Now());
  auto first = Import(id, rows, 2100);  // the client goes away after 2100 rows
  EXPECT_EQ(first.rows_committed(), 2100);
  auto second = Import(id, rows);
  EXPECT_EQ(second.rows_already_done(), 2100);
  EXPECT_EQ(second.rows_committed(), 1100);
  EXPECT_EQ(Count("SELECT count(*) FROM registry.households"), 3200);
  EXPECT_EQ(Count("SELECT count(DISTINCT external_id) FROM registry.households"), 3200);
  auto third = Import(id, rows);
  EXPECT_EQ(third.rows_committed(), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM registry.households"), 3200);
  // The import id belongs to its first caller: another subject cannot resume (or probe) it.
  server::Call other = admin_;
  other.principal.subject = "someone-else";
  absl::Status taken;
  Import(id, rows, SIZE_MAX, &taken, &other);
  EXPECT_EQ(taken.code(), absl::StatusCode::kAlreadyExists) << taken;
  EXPECT_EQ(GetReason(taken), "REQUEST_ID_TAKEN");
}

TEST_F(ImportTest, ImportedFreeTextIsStoredNfcToo) {
  // COPY bypasses the SQL of the single-row path: the table's trigger normalises.
  std::vector<v1::HouseholdRecord> rows = {Record("NFC-1", "25195", "", true)};
  rows[0].mutable_household()->set_village("Tho\xcc\x82n Ba\xcc\x80u Sen");
  auto resp = Import(NewUuidV7(absl::Now()), rows);
  EXPECT_EQ(resp.rows_committed(), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM registry.households WHERE village = 'Th\xc3\xb4n B\xc3\xa0u Sen'"), 1);
}

TEST_F(ImportTest, ABaselineListIsLoadedAsRecognisedAndNeverCountsAsNewPoorBrief1_1) {
  // Brief §1.1: 2021 kept the 2016-2020 standard (QĐ 59/2015), which the registry does not
  // score. The 2021 list is loaded with its recognised class as a baseline; the 2022 list
  // (the periodic round of late 2021, on the new standard) is scored.
  std::vector<v1::HouseholdRecord> rows = {Record("BASE-1", "25195", "", false)};
  auto* base = rows[0].add_reviews();
  base->set_kind(v1::PERIODIC);
  *base->mutable_review_date() = Day(2020, 11, 16);
  base->set_list_year(2021);
  base->set_baseline_class(v1::POOR);
  base->set_decision_number("88/QĐ-UBND");
  *base->mutable_decision_date() = Day(2020, 12, 20);
  auto* next = rows[0].add_reviews();
  next->set_kind(v1::PERIODIC);
  *next->mutable_review_date() = Day(2021, 10, 15);
  next->set_income_per_capita_vnd(2'500'000);  // above the urban line: escapes
  for (int i = 1; i <= 12; ++i) next->add_indicators()->set_code(absl::StrFormat("D%02d", i));
  next->set_decision_number("120/QĐ-UBND");
  *next->mutable_decision_date() = Day(2021, 12, 20);
  // The same list without its class cannot be scored: refused, naming the field.
  std::vector<v1::HouseholdRecord> unscored = rows;
  unscored[0].set_external_id("BASE-2");
  unscored[0].mutable_household()->mutable_members(0)->set_citizen_id("");
  unscored[0].mutable_reviews(0)->clear_baseline_class();
  auto refused = Import(NewUuidV7(absl::Now()), unscored);
  ASSERT_EQ(refused.errors_size(), 1);
  EXPECT_NE(refused.errors(0).message().find("PS_2016_2020"), std::string::npos) << refused.errors(0).message();
  auto resp = Import(NewUuidV7(absl::Now()), rows);
  ASSERT_EQ(resp.rows_committed(), 1) << (resp.errors_size() ? resp.errors(0).message() : "");
  v1::ListHouseholdsRequest find;
  find.set_name_query("Thị BASE-1");
  v1::ListHouseholdsResponse found;
  ASSERT_TRUE(logic_->ListHouseholds(admin_, find, &found).ok());
  ASSERT_EQ(found.households_size(), 1);
  v1::ListReviewsRequest lr;
  lr.set_parent(found.households(0).name());
  v1::ListReviewsResponse reviews;
  ASSERT_TRUE(logic_->ListReviews(admin_, lr, &reviews).ok());
  ASSERT_EQ(reviews.reviews_size(), 2);
  for (const auto& r : reviews.reviews()) {
    if (r.list_year() == 2021) {
      EXPECT_EQ(r.standard_id(), "PS_2016_2020");
      EXPECT_EQ(r.computed_class(), v1::POOR);
      EXPECT_EQ(r.indicators_size(), 0);
      EXPECT_THAT(r.caveats(), ::testing::ElementsAre("BASELINE_NOT_RESCORED"));
    } else {
      EXPECT_EQ(r.standard_id(), "PS_2022_2025");
      EXPECT_TRUE(r.caveats().empty());
    }
  }
  // 2020: the baseline, never NEW_POOR; 2021: escaped.
  for (int year : {2020, 2021}) {
    v1::ListTransitionsRequest tr;
    tr.set_year(year);
    tr.set_unit_code("25195");
    v1::ListTransitionsResponse counts;
    ASSERT_TRUE(logic_->ListTransitions(admin_, tr, &counts).ok());
    std::map<std::string, int64_t> by;
    for (const auto& c : counts.counts()) by[v1::TransitionCategory_Name(c.category())] = c.households();
    EXPECT_EQ(by.count("NEW_POOR") ? by["NEW_POOR"] : 0, 0) << year;
    EXPECT_EQ(by[year == 2020 ? "BASELINE_POOR" : "ESCAPED_POOR"], 1) << year;
  }
  // A review cannot be scored under PS_2016_2020, nor be a baseline outside an import.
  v1::CreateReviewRequest req;
  req.set_parent(found.households(0).name());
  req.mutable_review()->set_kind(v1::PERIODIC);
  req.mutable_review()->set_list_year(2021);
  *req.mutable_review()->mutable_review_date() = Day(2021, 9, 15);
  for (int i = 1; i <= 12; ++i) req.mutable_review()->add_indicators()->set_code(absl::StrFormat("D%02d", i));
  v1::Review out;
  EXPECT_EQ(GetReason(logic_->CreateReview(admin_, req, &out)), "STANDARD_NOT_SCORED");
  req.mutable_review()->set_baseline_class(v1::POOR);
  EXPECT_EQ(GetFieldViolations(logic_->CreateReview(admin_, req, &out)).at(0).field, "review.baseline_class");
}

TEST_F(ImportTest, ExportRoundTripsAndMasksWithoutPermission) {
  std::vector<v1::HouseholdRecord> rows;
  for (int i = 0; i < 5; ++i) rows.push_back(Record(absl::StrCat("Z-", i), "25195", absl::StrFormat("070180%06d", i), true));
  Import(NewUuidV7(absl::Now()), rows);
  std::vector<v1::HouseholdRecord> out;
  int sent_before_audit = 0;
  server::FunctionWriter<v1::HouseholdRecord> collect([&](const v1::HouseholdRecord& r) {
    // Every unmasked record leaves only after the audit row that names it was written.
    if (!r.household().members(0).masked() &&
        Count(absl::StrCat("SELECT count(*) FROM registry.pii_audit WHERE '", api::IdOf(r.household().name()),
                           "'::uuid = ANY(household_ids)")) == 0) {
      ++sent_before_audit;
    }
    out.push_back(r);
    return true;
  });
  v1::ExportHouseholdsRequest req;
  req.set_include_reviews(true);
  ASSERT_TRUE(logic_->ExportHouseholds(admin_, req, collect).ok());
  ASSERT_EQ(out.size(), 5u);
  EXPECT_EQ(sent_before_audit, 0);
  EXPECT_EQ(out[0].reviews_size(), 1);
  EXPECT_EQ(out[0].household().members(0).citizen_id().size(), 12u);
  out.clear();
  ASSERT_TRUE(logic_->ExportHouseholds(officer_, req, collect).ok());
  ASSERT_EQ(out.size(), 5u);
  EXPECT_TRUE(out[0].household().members(0).masked());
  EXPECT_EQ(out[0].household().members(0).citizen_id(), "");
}

}  // namespace
}  // namespace lnob::registry

#include "prometheus/registry.h"
#include "prometheus/text_serializer.h"
#include "services/registry/api/business_metrics.h"

namespace lnob::registry {
namespace {

TEST_F(HouseholdTest, BusinessGaugesAreDistrictLevelAndMatchTheStatistics) {
  v1::CreateHouseholdRequest req;
  req.mutable_household()->set_commune_code("25198");  // Đồng Xoài (689) before the reform
  *req.mutable_household()->mutable_registered_on() = Day(2021, 3, 1);
  *req.mutable_household()->add_members() = Person("G", v1::HEAD, "22");
  v1::Household h;
  ASSERT_TRUE(logic_->CreateHousehold(admin_, req, &h).ok());
  Classify(h.name(), 2024, 1000000, 4);
  Classify(h.name(), 2025, 3000000, 0);  // escapes in 2025
  prometheus::Registry registry;
  BusinessMetrics metrics(logic_.get(), registry, clock_);
  ASSERT_TRUE(metrics.Refresh().ok());
  const std::string text = prometheus::TextSerializer().Serialize(registry.Collect());
  EXPECT_TRUE(absl::StrContains(text, "lnob_households{classification=\"MIDDLE_INCOME\",district=\"689\"} 1")) << text;
  EXPECT_TRUE(absl::StrContains(text, "lnob_em_households_escaped_poverty_total{year=\"2025\"} 1")) << text;
  EXPECT_TRUE(absl::StrContains(text, "lnob_movement_target{target=\"EM_POOR_ESCAPE_1000\"} 1000")) << text;
  EXPECT_FALSE(absl::StrContains(text, "25198"));  // never per commune
}

}  // namespace
}  // namespace lnob::registry

namespace lnob::registry {
namespace {

// Every household RPC answers an out-of-scope household exactly like a missing one.
TEST_F(HouseholdTest, EveryHouseholdRpcHidesOutOfScopeHouseholds) {
  v1::Household other = Create("26359", {Person("Trần Văn B", v1::HEAD), Person("Con", v1::CHILD)});
  v1::Review review = Review(other.name(), 2025, 1000000, 4);
  const std::string missing = "households/" + NewUuidV7(absl::Now());
  const std::string missing_review = missing + "/reviews/" + NewUuidV7(absl::Now());
  std::vector<std::pair<std::string, std::function<absl::Status(const std::string&, const std::string&)>>> calls = {
      {"GetHousehold", [&](const std::string& h, const std::string&) { v1::GetHouseholdRequest r; r.set_name(h); v1::Household o; return logic_->GetHousehold(officer_, r, &o); }},
      {"UpdateHousehold", [&](const std::string& h, const std::string&) { v1::UpdateHouseholdRequest r; r.mutable_household()->set_name(h); r.mutable_update_mask()->add_paths("address"); v1::Household o; return logic_->UpdateHousehold(officer_, r, &o); }},
      {"AddMember", [&](const std::string& h, const std::string&) { v1::AddMemberRequest r; r.set_parent(h); *r.mutable_member() = Person("X", v1::CHILD); v1::Household o; return logic_->AddMember(officer_, r, &o); }},
      {"RemoveMember", [&](const std::string& h, const std::string&) { v1::RemoveMemberRequest r; r.set_name(h + "/members/" + NewUuidV7(absl::Now())); r.set_reason("x"); v1::Household o; return logic_->RemoveMember(officer_, r, &o); }},
      {"MoveHousehold", [&](const std::string& h, const std::string&) { v1::MoveHouseholdRequest r; r.set_name(h); r.set_commune_code("25195"); v1::Household o; return logic_->MoveHousehold(officer_, r, &o); }},
      {"SplitHousehold", [&](const std::string& h, const std::string&) { v1::SplitHouseholdRequest r; r.set_name(h); r.add_member_names(h + "/members/" + NewUuidV7(absl::Now())); v1::SplitHouseholdResponse o; return logic_->SplitHousehold(officer_, r, &o); }},
      {"ListHouseholdEvents", [&](const std::string& h, const std::string&) { v1::ListHouseholdEventsRequest r; r.set_name(h); v1::ListHouseholdEventsResponse o; return logic_->ListHouseholdEvents(officer_, r, &o); }},
      {"CreateReview", [&](const std::string& h, const std::string&) { v1::CreateReviewRequest r; r.set_parent(h); v1::Review o; return logic_->CreateReview(officer_, r, &o); }},
      {"ListReviews", [&](const std::string& h, const std::string&) { v1::ListReviewsRequest r; r.set_parent(h); v1::ListReviewsResponse o; return logic_->ListReviews(officer_, r, &o); }},
      {"GetReview", [&](const std::string&, const std::string& rv) { v1::GetReviewRequest r; r.set_name(rv); v1::Review o; return logic_->GetReview(officer_, r, &o); }},
      {"SubmitReview", [&](const std::string&, const std::string& rv) { v1::SubmitReviewRequest r; r.set_name(rv); v1::Review o; return logic_->SubmitReview(officer_, r, &o); }},
      {"ApproveReview", [&](const std::string&, const std::string& rv) { v1::ApproveReviewRequest r; r.set_name(rv); r.set_decision_number("1"); *r.mutable_decision_date() = Day(2025, 12, 20); v1::Review o; return logic_->ApproveReview(officer_, r, &o); }},
      {"RejectReview", [&](const std::string&, const std::string& rv) { v1::RejectReviewRequest r; r.set_name(rv); r.set_reason("x"); v1::Review o; return logic_->RejectReview(officer_, r, &o); }},
      {"PostReview", [&](const std::string&, const std::string& rv) { v1::PostReviewRequest r; r.set_name(rv); *r.mutable_posted_on() = Day(2025, 12, 21); v1::Review o; return logic_->PostReview(officer_, r, &o); }},
      {"GetClassification", [&](const std::string& h, const std::string&) { v1::GetClassificationRequest r; r.set_name(h); v1::ClassificationRecord o; return logic_->GetClassification(officer_, r, &o); }},
  };
  for (auto& [name, call] : calls) {
    absl::Status hidden = call(other.name(), review.name());
    absl::Status absent = call(missing, missing_review);
    EXPECT_EQ(hidden.code(), absl::StatusCode::kNotFound) << name << ": " << hidden;
    EXPECT_EQ(absent.code(), absl::StatusCode::kNotFound) << name << ": " << absent;
    EXPECT_EQ(GetReason(hidden), GetReason(absent)) << name;  // same shape: only the asked name differs
  }
  // Merging with it, and the aggregate views, do not reveal it either.
  v1::Household mine = Create("25195", {Person("Mine", v1::HEAD)});
  v1::MergeHouseholdsRequest mg;
  mg.set_name(mine.name());
  mg.set_source(other.name());
  v1::Household o;
  EXPECT_EQ(logic_->MergeHouseholds(officer_, mg, &o).code(), absl::StatusCode::kNotFound);
  v1::ListTransitionsRequest tr;
  tr.set_year(2025);
  v1::ListTransitionsResponse tresp;
  ASSERT_TRUE(logic_->ListTransitions(officer_, tr, &tresp).ok());
  EXPECT_EQ(tresp.counts_size(), 0);
}

}  // namespace
}  // namespace lnob::registry

namespace lnob::registry {
namespace {

TEST_F(HouseholdTest, ReplayedCreateWithACitizenIdReturnsTheStoredResponse) {
  v1::CreateHouseholdRequest req;
  req.set_request_id("9b2f0c1e-6d3a-4f6b-8a55-1c2d3e4f5a6b");
  req.mutable_household()->set_commune_code("25195");
  *req.mutable_household()->add_members() = Person("Nguyễn Văn R", v1::HEAD, "01", "075080000777");
  v1::Household first, second;
  ASSERT_TRUE(logic_->CreateHousehold(admin_, req, &first).ok());
  absl::Status st = logic_->CreateHousehold(admin_, req, &second);
  ASSERT_TRUE(st.ok()) << st;
  EXPECT_EQ(first.name(), second.name());
}

TEST_F(HouseholdTest, SplitKeepsStatisticsMergeRemovesTheClosedHouseholdAndClosedOnesStayClosed) {
  v1::Household h = Create("25195", {Person("Head", v1::HEAD, "22"), Person("Son", v1::CHILD, "22")});
  Classify(h.name(), 2024, 1000000, 4);  // POOR from Dec 2024
  v1::GetHouseholdRequest get;
  get.set_name(h.name());
  ASSERT_TRUE(logic_->GetHousehold(admin_, get, &h).ok());
  v1::SplitHouseholdRequest sp;
  sp.set_name(h.name());
  sp.add_member_names(h.members(1).name());
  v1::SplitHouseholdResponse split;
  ASSERT_TRUE(logic_->SplitHousehold(admin_, sp, &split).ok());
  auto poor_2025 = [&] {
    pqxx::connection c(db_->admin_url());
    pqxx::nontransaction n(c);
    return n.exec("SELECT coalesce(sum(households), 0) FROM registry.stats_agg WHERE year = 2025 AND class_end = 'POOR'")[0][0].as<int>();
  };
  EXPECT_EQ(poor_2025(), 2);  // the split-off household is still poor, not a newcomer
  v1::GetClassificationRequest gc;
  gc.set_name(split.created().name());
  v1::ClassificationRecord rec;
  ASSERT_TRUE(logic_->GetClassification(admin_, gc, &rec).ok());
  EXPECT_EQ(rec.classification(), v1::POOR);
  v1::MergeHouseholdsRequest mg;
  mg.set_name(h.name());
  mg.set_source(split.created().name());
  v1::Household merged;
  ASSERT_TRUE(logic_->MergeHouseholds(admin_, mg, &merged).ok());
  EXPECT_EQ(poor_2025(), 1);
  v1::AddMemberRequest add;
  add.set_parent(split.created().name());
  *add.mutable_member() = Person("Late", v1::CHILD);
  v1::Household out;
  EXPECT_EQ(logic_->AddMember(admin_, add, &out).code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(HouseholdTest, UnreviewedHouseholdsRollIntoTheNewYear) {
  v1::Household h = Create("25195", {Person("Head", v1::HEAD, "22")});
  Classify(h.name(), 2025, 1000000, 4);  // POOR from Dec 2025
  clock_.Set(absl::FromCivil(absl::CivilSecond(2026, 2, 1, 9, 0, 0), absl::UTCTimeZone()));
  auto rolled = logic_->RollForwardYears();
  ASSERT_TRUE(rolled.ok()) << rolled.status();
  EXPECT_EQ(*rolled, 1);
  EXPECT_EQ(*logic_->RollForwardYears(), 0);  // idempotent
  v1::ListTransitionsRequest tr;
  tr.set_year(2026);
  v1::ListTransitionsResponse resp;
  ASSERT_TRUE(logic_->ListTransitions(admin_, tr, &resp).ok());
  ASSERT_EQ(resp.counts_size(), 1);
  EXPECT_EQ(resp.counts(0).category(), v1::POOR_REMAINING);
  EXPECT_EQ(resp.counts(0).ethnic_minority_households(), 1);
}

}  // namespace
}  // namespace lnob::registry
