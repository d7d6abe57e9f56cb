// Registry reference data through ReferenceLogic and the PostgreSQL store.

#include <set>
#include <thread>

#include "common/db/pool.h"
#include "common/status/status.h"
#include "embedded/lnob_registry_migrations.h"
#include "embedded/lnob_registry_data.h"
#include "gmock/gmock.h"
#include "common/util/uuid.h"
#include "gtest/gtest.h"
#include "services/registry/domain/reference_logic.h"
#include "services/registry/domain/unit_directory.h"
#include "services/registry/store/pg_reference_store.h"
#include "tests/support/dates.h"
#include "tests/support/service_test.h"

namespace lnob::registry {
namespace {

using ::lnob::testing::Day;

std::set<std::string> Codes(const google::protobuf::RepeatedPtrField<v1::AdminUnit>& units) {
  std::set<std::string> out;
  for (const auto& u : units) out.insert(u.code());
  return out;
}

class ReferenceTest : public testing::ServiceTest {
 protected:
  void SetUp() override {
    OpenDatabase("registry", EmbeddedMigrations());
    store_ = NewPgReferenceStore(pool_.get());
    auto bundle = BuildRefData(EmbeddedRefData());
    ASSERT_TRUE(bundle.ok());
    auto rep = store_->Load(*bundle, "test");
    ASSERT_TRUE(rep.ok()) << rep.status();
    ASSERT_EQ(rep->units_inserted, 401);
    units_ = std::make_unique<LocalUnitDirectory>(store_.get());
    scope_ = std::make_unique<scope::AreaScope>(units_.get(), clock_);
    logic_ = std::make_unique<ReferenceLogic>(store_.get(), scope_.get(),
                                              api::PageTokenCodec("test-secret-0123456789"), clock_);
    admin_.principal.subject = "admin";
    admin_.principal.roles = {"PROVINCE_ADMIN"};
  }

  v1::CreateAreaClassificationRequest NewClassification(const std::string& unit) {
    v1::CreateAreaClassificationRequest req;
    auto* ac = req.mutable_area_classification();
    ac->set_unit_code(unit);
    ac->set_region(v1::REGION_III);
    *ac->mutable_valid_from() = Day(2021, 6, 4);
    *ac->mutable_valid_to() = Day(2025, 6, 30);
    ac->set_legal_doc("QĐ 861/QĐ-TTg");
    ac->set_illustrative(true);
    return req;
  }

  FakeClock clock_{absl::FromCivil(absl::CivilSecond(2026, 11, 26, 10, 0, 0), absl::UTCTimeZone())};
  std::unique_ptr<ReferenceStore> store_;
  std::unique_ptr<LocalUnitDirectory> units_;
  std::unique_ptr<scope::AreaScope> scope_;
  std::unique_ptr<ReferenceLogic> logic_;
  server::Call admin_;
};

TEST_F(ReferenceTest, LoadingTheSameFilesAgainIsANoOp) {
  auto rep = store_->Load(*BuildRefData(EmbeddedRefData()), "again");
  ASSERT_TRUE(rep.ok());
  EXPECT_TRUE(rep->unchanged);
  v1::ListReferenceDataChangesResponse changes;
  v1::ListReferenceDataChangesRequest req;
  req.set_dataset("admin_units+ethnic_groups");
  ASSERT_TRUE(logic_->ListReferenceDataChanges(admin_, req, &changes).ok());
  ASSERT_EQ(changes.changes_size(), 1);
  EXPECT_EQ(changes.changes(0).actor(), "test");
}

TEST_F(ReferenceTest, DistrictLevelExistsIn2023ButNotIn2026) {
  v1::ListAdminUnitsRequest req;
  req.set_parent_code("70");
  *req.mutable_as_of() = Day(2023, 6, 1);
  v1::ListAdminUnitsResponse resp;
  ASSERT_TRUE(logic_->ListAdminUnits(admin_, req, &resp).ok());
  EXPECT_EQ(resp.admin_units_size(), 11);
  for (const auto& u : resp.admin_units()) EXPECT_EQ(u.level(), v1::UNIT_LEVEL_DISTRICT);

  v1::ListAdminUnitsRequest districts;
  districts.set_level(v1::UNIT_LEVEL_DISTRICT);
  *districts.mutable_as_of() = Day(2026, 1, 1);
  v1::ListAdminUnitsResponse none;
  ASSERT_TRUE(logic_->ListAdminUnits(admin_, districts, &none).ok());
  EXPECT_EQ(none.admin_units_size(), 0);

  v1::ListAdminUnitsRequest communes;
  communes.set_parent_code("75");
  *communes.mutable_as_of() = Day(2026, 1, 1);
  v1::ListAdminUnitsResponse post;
  ASSERT_TRUE(logic_->ListAdminUnits(admin_, communes, &post).ok());
  EXPECT_EQ(post.admin_units_size(), 95);

  // Province 70 existed in 2023, not in 2026; code 75 is old Đồng Nai in 2023.
  v1::GetAdminUnitRequest get;
  get.set_name("adminUnits/70");
  *get.mutable_as_of() = Day(2026, 1, 1);
  v1::AdminUnit unit;
  EXPECT_EQ(logic_->GetAdminUnit(admin_, get, &unit).code(), absl::StatusCode::kNotFound);
  *get.mutable_as_of() = Day(2023, 1, 1);
  ASSERT_TRUE(logic_->GetAdminUnit(admin_, get, &unit).ok());
  EXPECT_EQ(unit.display_name(), "Tỉnh Bình Phước");
}

TEST_F(ReferenceTest, OldCommuneResolvesToItsSuccessorAndBack) {
  v1::TraceAdminUnitRequest req;
  req.set_name("adminUnits/25198");  // Phường Tân Đồng, Đồng Xoài (pre-2025)
  req.set_direction(v1::TraceAdminUnitRequest::SUCCESSORS);
  *req.mutable_as_of() = Day(2026, 1, 1);
  v1::TraceAdminUnitResponse succ;
  ASSERT_TRUE(logic_->TraceAdminUnit(admin_, req, &succ).ok());
  EXPECT_EQ(Codes(succ.units()), std::set<std::string>{"25195"});
  EXPECT_EQ(succ.units(0).display_name(), "Phường Bình Phước");
  EXPECT_FALSE(succ.unchanged());

  v1::TraceAdminUnitRequest back;
  back.set_name("adminUnits/25195");
  back.set_direction(v1::TraceAdminUnitRequest::PREDECESSORS);
  *back.mutable_as_of() = Day(2026, 1, 1);
  v1::TraceAdminUnitResponse pred;
  ASSERT_TRUE(logic_->TraceAdminUnit(admin_, back, &pred).ok());
  EXPECT_EQ(Codes(pred.units()),
            (std::set<std::string>{"25195", "25198", "25201", "25204", "25205", "25213"}));
  for (const auto& u : pred.units()) EXPECT_EQ(u.valid_to().year(), 2025);

  // Before the reform the old code is its own answer.
  *req.mutable_as_of() = Day(2024, 1, 1);
  v1::TraceAdminUnitResponse before;
  ASSERT_TRUE(logic_->TraceAdminUnit(admin_, req, &before).ok());
  EXPECT_TRUE(before.unchanged());

  // The split commune Xuân Tâm has two successors; an abolished district has none.
  req.set_name("adminUnits/26449");
  *req.mutable_as_of() = Day(2026, 1, 1);
  v1::TraceAdminUnitResponse split;
  ASSERT_TRUE(logic_->TraceAdminUnit(admin_, req, &split).ok());
  EXPECT_EQ(Codes(split.units()), (std::set<std::string>{"26359", "26446"}));
  req.set_name("adminUnits/696");
  v1::TraceAdminUnitResponse abolished;
  ASSERT_TRUE(logic_->TraceAdminUnit(admin_, req, &abolished).ok());
  EXPECT_EQ(abolished.units_size(), 0);
  ASSERT_EQ(abolished.events_size(), 1);
  EXPECT_EQ(abolished.events(0).kind(), v1::ABOLISHED);

  // The 2026 rename (UNCONFIRMED) keeps the code and is walked through backwards.
  back.set_name("adminUnits/25270");
  v1::TraceAdminUnitResponse renamed;
  ASSERT_TRUE(logic_->TraceAdminUnit(admin_, back, &renamed).ok());
  EXPECT_GE(renamed.units_size(), 2);
  EXPECT_TRUE(Codes(renamed.units()).count("25270"));
}

TEST_F(ReferenceTest, ContainmentFollowsTheGeographyOfTheDate) {
  v1::CheckContainmentRequest req;
  req.set_unit("adminUnits/25198");
  req.set_ancestor("adminUnits/689");
  *req.mutable_as_of() = Day(2023, 1, 1);
  v1::CheckContainmentResponse resp;
  ASSERT_TRUE(logic_->CheckContainment(admin_, req, &resp).ok());
  EXPECT_TRUE(resp.contained());
  req.set_ancestor("adminUnits/70");
  ASSERT_TRUE(logic_->CheckContainment(admin_, req, &resp).ok());
  EXPECT_TRUE(resp.contained());
  req.set_ancestor("adminUnits/696");
  ASSERT_TRUE(logic_->CheckContainment(admin_, req, &resp).ok());
  EXPECT_FALSE(resp.contained());
  req.set_unit("adminUnits/25195");
  req.set_ancestor("adminUnits/75");
  *req.mutable_as_of() = Day(2026, 1, 1);
  ASSERT_TRUE(logic_->CheckContainment(admin_, req, &resp).ok());
  EXPECT_TRUE(resp.contained());
  req.set_unit("bad");
  absl::Status st = logic_->CheckContainment(admin_, req, &resp);
  EXPECT_EQ(GetFieldViolations(st).at(0).field, "unit");
}

TEST_F(ReferenceTest, PageTokensPaginateAndRejectTamperingAndOtherQueries) {
  v1::ListAdminUnitsRequest req;
  req.set_parent_code("75");
  *req.mutable_as_of() = Day(2026, 1, 1);
  req.set_page_size(10);
  std::set<std::string> seen;
  int pages = 0;
  std::string first_token;
  while (true) {
    v1::ListAdminUnitsResponse resp;
    ASSERT_TRUE(logic_->ListAdminUnits(admin_, req, &resp).ok());
    for (const auto& u : resp.admin_units()) EXPECT_TRUE(seen.insert(u.code()).second);
    ++pages;
    if (resp.next_page_token().empty()) break;
    if (first_token.empty()) first_token = resp.next_page_token();
    req.set_page_token(resp.next_page_token());
  }
  EXPECT_EQ(seen.size(), 95u);
  EXPECT_EQ(pages, 10);

  v1::ListAdminUnitsRequest other = req;
  other.set_page_token(first_token);
  other.set_parent_code("70");  // another filter
  v1::ListAdminUnitsResponse resp;
  absl::Status st = logic_->ListAdminUnits(admin_, other, &resp);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(GetFieldViolations(st).at(0).field, "page_token");

  std::string tampered = first_token;
  tampered.back() = tampered.back() == 'A' ? 'B' : 'A';
  other = req;
  other.set_page_token(tampered);
  EXPECT_EQ(logic_->ListAdminUnits(admin_, other, &resp).code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(ReferenceTest, IdempotentCreateReplaysAndRefusesADifferentRequest) {
  auto req = NewClassification("25195");
  *req.mutable_area_classification()->mutable_valid_from() = Day(2025, 7, 1);
  req.mutable_area_classification()->clear_valid_to();
  req.set_request_id("123e4567-e89b-12d3-a456-426614174000");
  v1::AreaClassification first, second, third;
  ASSERT_TRUE(logic_->CreateAreaClassification(admin_, req, &first).ok());
  ASSERT_TRUE(logic_->CreateAreaClassification(admin_, req, &second).ok());
  EXPECT_EQ(first.name(), second.name());
  EXPECT_EQ(first.etag(), second.etag());
  v1::ListAreaClassificationsResponse list;
  ASSERT_TRUE(logic_->ListAreaClassifications(admin_, {}, &list).ok());
  EXPECT_EQ(list.area_classifications_size(), 1);

  req.mutable_area_classification()->set_note("different");
  absl::Status st = logic_->CreateAreaClassification(admin_, req, &third);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(GetFieldViolations(st).at(0).field, "request_id");

  // Concurrent duplicates: exactly one row whatever the interleaving.
  auto concurrent = NewClassification("25213");
  *concurrent.mutable_area_classification()->mutable_valid_from() = Day(2021, 6, 4);
  concurrent.set_request_id("223e4567-e89b-12d3-a456-426614174000");
  std::vector<std::thread> threads;
  std::vector<absl::Status> results(4);
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      v1::AreaClassification out;
      results[i] = logic_->CreateAreaClassification(admin_, concurrent, &out);
    });
  }
  for (auto& t : threads) t.join();
  int ok = 0;
  for (const auto& r : results) ok += r.ok();
  EXPECT_GE(ok, 1);
  v1::ListAreaClassificationsRequest by_unit;
  by_unit.set_unit_code("25213");
  v1::ListAreaClassificationsResponse rows;
  ASSERT_TRUE(logic_->ListAreaClassifications(admin_, by_unit, &rows).ok());
  EXPECT_EQ(rows.area_classifications_size(), 1);
}

TEST_F(ReferenceTest, EtagGuardsUpdatesAndHistoryKeepsEveryVersion) {
  v1::AreaClassification created, updated;
  ASSERT_TRUE(logic_->CreateAreaClassification(admin_, NewClassification("25198"), &created).ok());
  v1::UpdateAreaClassificationRequest up;
  *up.mutable_area_classification() = created;
  up.mutable_area_classification()->set_note("ended by QĐ 612 review");
  up.mutable_update_mask()->add_paths("note");
  ASSERT_TRUE(logic_->UpdateAreaClassification(admin_, up, &updated).ok());
  EXPECT_NE(updated.etag(), created.etag());
  EXPECT_EQ(updated.note(), "ended by QĐ 612 review");
  // Same (now stale) etag again -> ABORTED, nothing changes.
  up.mutable_area_classification()->set_note("lost update");
  EXPECT_EQ(logic_->UpdateAreaClassification(admin_, up, &updated).code(), absl::StatusCode::kAborted);
  up.mutable_update_mask()->Clear();
  up.mutable_update_mask()->add_paths("region");
  EXPECT_EQ(GetFieldViolations(logic_->UpdateAreaClassification(admin_, up, &updated)).at(0).field,
            "update_mask");
  pqxx::connection c(db_->admin_url());
  pqxx::nontransaction n(c);
  EXPECT_EQ(n.exec("SELECT count(*) FROM registry.area_classification_history")[0][0].as<int>(), 2);
  EXPECT_EQ(n.exec("SELECT note FROM registry.area_classifications")[0][0].as<std::string>(),
            "ended by QĐ 612 review");
}

TEST_F(ReferenceTest, OverlappingClassificationsOfOneCommuneAreRefusedByTheDatabase) {
  v1::AreaClassification out;
  ASSERT_TRUE(logic_->CreateAreaClassification(admin_, NewClassification("25198"), &out).ok());
  auto overlap = NewClassification("25198");
  overlap.mutable_area_classification()->set_region(v1::REGION_II);
  *overlap.mutable_area_classification()->mutable_valid_from() = Day(2024, 1, 1);
  EXPECT_EQ(logic_->CreateAreaClassification(admin_, overlap, &out).code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(ReferenceTest, AreaScopeFiltersReadsAndRefusesWrites) {
  v1::AreaClassification out;
  ASSERT_TRUE(logic_->CreateAreaClassification(admin_, NewClassification("25198"), &out).ok());
  const std::string in_scope = out.name();
  auto other = NewClassification("25270");  // Lộc Ninh district, not Đồng Xoài
  ASSERT_TRUE(logic_->CreateAreaClassification(admin_, other, &out).ok());
  const std::string out_of_scope = out.name();

  server::Call officer;
  officer.principal.subject = "dong-xoai-officer";
  officer.principal.roles = {"PROVINCE_OFFICER"};
  officer.principal.scope.unit_codes = {"689"};  // Thành phố Đồng Xoài (pre-2025)
  v1::ListAreaClassificationsRequest req;
  *req.mutable_as_of() = Day(2023, 1, 1);
  v1::ListAreaClassificationsResponse list;
  ASSERT_TRUE(logic_->ListAreaClassifications(officer, req, &list).ok());
  ASSERT_EQ(list.area_classifications_size(), 1);
  EXPECT_EQ(list.area_classifications(0).name(), in_scope);

  v1::GetAreaClassificationRequest get;
  get.set_name(out_of_scope);
  EXPECT_EQ(logic_->GetAreaClassification(officer, get, &out).code(), absl::StatusCode::kNotFound);
  auto write = NewClassification("25288");
  EXPECT_EQ(logic_->CreateAreaClassification(officer, write, &out).code(),
            absl::StatusCode::kPermissionDenied);
}

TEST_F(ReferenceTest, ClassifyUsesTheStandardInForceAndTheUnitsAreaType) {
  v1::ClassifyProfileRequest req;
  req.set_unit_code("25198");  // a phường before the reform: urban
  *req.mutable_date() = Day(2024, 12, 1);
  req.set_income_per_capita_vnd(1800000);
  req.add_deprived_indicators("D01");
  req.add_deprived_indicators("D04");
  req.add_deprived_indicators("D09");
  v1::ClassifyProfileResponse resp;
  ASSERT_TRUE(logic_->ClassifyProfile(admin_, req, &resp).ok());
  EXPECT_EQ(resp.classification(), v1::POOR);
  EXPECT_EQ(resp.area_type(), v1::AREA_TYPE_URBAN);
  EXPECT_EQ(resp.standard_id(), "PS_2022_2025");

  req.set_unit_code("");
  req.set_area_type(v1::AREA_TYPE_RURAL);
  req.set_income_per_capita_vnd(2000000);
  *req.mutable_date() = Day(2026, 12, 31);
  ASSERT_TRUE(logic_->ClassifyProfile(admin_, req, &resp).ok());
  EXPECT_EQ(resp.classification(), v1::MIDDLE_INCOME);
  *req.mutable_date() = Day(2027, 1, 1);
  ASSERT_TRUE(logic_->ClassifyProfile(admin_, req, &resp).ok());
  EXPECT_EQ(resp.classification(), v1::POOR);
  EXPECT_EQ(resp.standard_id(), "PS_2027_2030");
  EXPECT_EQ(resp.income_line_vnd(), 2200000);

  req.add_deprived_indicators("D99");
  absl::Status st = logic_->ClassifyProfile(admin_, req, &resp);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(GetFieldViolations(st).at(0).field, "deprived_indicators[3]");
  // 2021 kept the 2016-2020 standard (brief §1.1), whose rule the registry does not score.
  *req.mutable_date() = Day(2021, 5, 1);
  req.clear_deprived_indicators();
  absl::Status old = logic_->ClassifyProfile(admin_, req, &resp);
  EXPECT_EQ(old.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(GetReason(old), "STANDARD_NOT_SCORED");
  *req.mutable_date() = Day(2015, 5, 1);
  EXPECT_EQ(GetReason(logic_->ClassifyProfile(admin_, req, &resp)), "NO_STANDARD");
}

TEST_F(ReferenceTest, EthnicGroupsAndStandardsAreData) {
  v1::ListEthnicGroupsResponse groups;
  ASSERT_TRUE(logic_->ListEthnicGroups(admin_, {}, &groups).ok());
  ASSERT_EQ(groups.ethnic_groups_size(), 54);
  EXPECT_EQ(groups.ethnic_groups(3).name(), "Mường");     // 04 in the 2008 list
  EXPECT_EQ(groups.ethnic_groups(3).code_1979(), "06");  // 06 in the 1979 list
  EXPECT_TRUE(groups.next_page_token().empty());
  // Paged like every list: 54 groups in pages of 20, in the same order.
  v1::ListEthnicGroupsRequest paged;
  paged.set_page_size(20);
  int seen = 0, pages = 0;
  do {
    v1::ListEthnicGroupsResponse page;
    ASSERT_TRUE(logic_->ListEthnicGroups(admin_, paged, &page).ok());
    for (const auto& g : page.ethnic_groups()) EXPECT_EQ(g.code(), groups.ethnic_groups(seen++).code());
    paged.set_page_token(page.next_page_token());
    ++pages;
  } while (!paged.page_token().empty());
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen, 54);
  v1::ListPovertyStandardsRequest req;
  *req.mutable_as_of() = Day(2026, 6, 1);
  v1::ListPovertyStandardsResponse standards;
  ASSERT_TRUE(logic_->ListPovertyStandards(admin_, req, &standards).ok());
  ASSERT_EQ(standards.poverty_standards_size(), 1);
  EXPECT_EQ(standards.poverty_standards(0).indicators_size(), 12);
  EXPECT_EQ(standards.poverty_standards(0).lines_size(), 2);
}

TEST_F(ReferenceTest, VillagesAreAnEffectiveDatedRegisterWithRenamesAndMergesBrief4_3) {
  // Villages are where especially-difficult villages, campaigns and addresses live: created,
  // renamed and merged with lineage, read as of any date; one name per commune at a time.
  auto create = [&](const std::string& name, bool synthetic = false) {
    v1::CreateVillageRequest req;
    req.set_request_id(NewUuidV7(absl::Now()));
    req.mutable_village()->set_commune_code("25195");
    req.mutable_village()->set_display_name(name);
    *req.mutable_village()->mutable_valid_from() = Day(2021, 1, 1);
    req.mutable_village()->set_legal_doc("danh sách thôn của UBND xã");
    req.mutable_village()->set_synthetic(synthetic);
    v1::Village out;
    absl::Status st = logic_->CreateVillage(admin_, req, &out);
    return std::make_pair(st, out);
  };
  v1::CreateVillageRequest bad;
  bad.mutable_village()->set_commune_code("70");
  v1::Village out;
  std::set<std::string> fields;
  for (const auto& f : GetFieldViolations(logic_->CreateVillage(admin_, bad, &out))) fields.insert(f.field);
  EXPECT_EQ(fields, (std::set<std::string>{"village.display_name", "village.legal_doc", "village.valid_from"}));
  auto [st1, one] = create("Thôn 1");
  ASSERT_TRUE(st1.ok()) << st1;
  auto [st2, two] = create("Thôn 2", true);
  ASSERT_TRUE(st2.ok()) << st2;
  EXPECT_TRUE(two.synthetic());
  // The same name, spelled without diacritics, is the same village.
  EXPECT_EQ(GetReason(create("thon 1").first), "VILLAGE_EXISTS");
  // Rename on 1 Jan 2024: the old version ends the day before and points to the new one.
  v1::RenameVillageRequest rename;
  rename.set_name(one.name());
  rename.set_new_display_name("Thôn Tân Lập");
  *rename.mutable_effective_date() = Day(2024, 1, 1);
  rename.set_legal_doc("NQ 12/NQ-HĐND");
  v1::Village renamed;
  ASSERT_TRUE(logic_->RenameVillage(admin_, rename, &renamed).ok());
  EXPECT_THAT(renamed.predecessors(), ::testing::ElementsAre(one.name()));
  // Merge the renamed village and Thôn 2 on 1 Jul 2025.
  v1::MergeVillagesRequest merge;
  merge.add_villages(renamed.name());
  merge.add_villages(two.name());
  merge.set_display_name("Thôn Tân Lập");  // the name a merged village may keep
  *merge.mutable_effective_date() = Day(2025, 7, 1);
  merge.set_legal_doc("NQ 30/NQ-HĐND");
  v1::Village merged;
  absl::Status ms = logic_->MergeVillages(admin_, merge, &merged);
  ASSERT_TRUE(ms.ok()) << ms;
  EXPECT_EQ(merged.predecessors_size(), 2);
  // A village no longer in force cannot be merged again.
  EXPECT_EQ(GetReason(logic_->MergeVillages(admin_, merge, &merged)), "NOT_IN_FORCE");
  auto names_on = [&](absl::CivilDay day) {
    v1::ListVillagesRequest list;
    list.set_commune_code("25195");
    *list.mutable_as_of() = Day(day.year(), day.month(), day.day());
    v1::ListVillagesResponse resp;
    EXPECT_TRUE(logic_->ListVillages(admin_, list, &resp).ok());
    std::set<std::string> names;
    for (const auto& v : resp.villages()) names.insert(v.display_name());
    return names;
  };
  EXPECT_EQ(names_on(absl::CivilDay(2023, 6, 1)), (std::set<std::string>{"Thôn 1", "Thôn 2"}));
  EXPECT_EQ(names_on(absl::CivilDay(2024, 6, 1)), (std::set<std::string>{"Thôn Tân Lập", "Thôn 2"}));
  EXPECT_EQ(names_on(absl::CivilDay(2025, 7, 1)), (std::set<std::string>{"Thôn Tân Lập"}));
  v1::ListVillagesRequest all;
  all.set_all_periods(true);
  all.set_name_query("tan lap");
  v1::ListVillagesResponse found;
  ASSERT_TRUE(logic_->ListVillages(admin_, all, &found).ok());
  ASSERT_EQ(found.villages_size(), 2);
  for (const auto& v : found.villages()) {
    if (v.name() == renamed.name()) {
      EXPECT_EQ(v.successor(), merged.name());
      EXPECT_EQ(v.valid_to().year(), 2025);
    }
  }
  // exact_name: the whole name, ignoring diacritics and case ("tan" is only a part of it).
  all.set_exact_name(true);
  all.set_name_query("THON TAN LAP");
  found.Clear();
  ASSERT_TRUE(logic_->ListVillages(admin_, all, &found).ok());
  EXPECT_EQ(found.villages_size(), 2);
  all.set_name_query("tan");
  found.Clear();
  ASSERT_TRUE(logic_->ListVillages(admin_, all, &found).ok());
  EXPECT_EQ(found.villages_size(), 0);
}

}  // namespace
}  // namespace lnob::registry
