// Villages (brief §4.3, seed plan's 25 especially-difficult villages): households linked to the
// register, statistics by village, village-level area classifications and targets naming villages.

#include <map>
#include <set>
#include <string>

#include "common/api/resource_name.h"
#include "common/util/uuid.h"
#include "gtest/gtest.h"
#include "services/registry/domain/reference_logic.h"
#include "tests/integration/household_fixture.h"

namespace lnob::registry {
namespace {

class VillageTest : public ImportTest {
 protected:
  void SetUp() override {
    ImportTest::SetUp();
    refs_logic_ = std::make_unique<ReferenceLogic>(refs_.get(), scope_.get(),
                                                   api::PageTokenCodec("test-secret-0123456789"), clock_);
  }

  v1::Village Village(const std::string& commune, const std::string& name) {
    v1::CreateVillageRequest req;
    req.set_request_id(NewUuidV7(absl::Now()));
    req.mutable_village()->set_commune_code(commune);
    req.mutable_village()->set_display_name(name);
    *req.mutable_village()->mutable_valid_from() = Day(2021, 1, 1);
    req.mutable_village()->set_legal_doc("QĐ 12/QĐ-UBND (test)");
    v1::Village out;
    absl::Status st = refs_logic_->CreateVillage(admin_, req, &out);
    EXPECT_TRUE(st.ok()) << st;
    return out;
  }

  absl::Status CreateIn(const std::string& commune, const std::string& village, v1::Household* out) {
    v1::CreateHouseholdRequest req;
    req.mutable_household()->set_commune_code(commune);
    req.mutable_household()->set_village(village);
    *req.mutable_household()->mutable_registered_on() = Day(2021, 3, 1);
    *req.mutable_household()->add_members() = Person("Điểu Thị " + village, v1::HEAD, "16", "", v1::FEMALE);
    return logic_->CreateHousehold(admin_, req, out);
  }

  std::unique_ptr<ReferenceLogic> refs_logic_;
};

TEST_F(VillageTest, HouseholdsLinkToTheCommunesRegisterAndUnknownVillagesAreRefusedBrief4_3) {
  // Before the commune has a register, the village is free text, unlinked.
  v1::Household free_text;
  ASSERT_TRUE(CreateIn("25195", "Tổ 7", &free_text).ok());
  EXPECT_TRUE(free_text.village_ref().empty());

  v1::Village tan_lap = Village("25195", "Ấp Tân Lập");
  v1::Village suoi_da = Village("25195", "Ấp Suối Đá");
  // Matched without diacritics or case, stored in the register's spelling, linked.
  v1::Household h;
  ASSERT_TRUE(CreateIn("25195", "ap tan lap", &h).ok());
  EXPECT_EQ(h.village(), "Ấp Tân Lập");
  EXPECT_EQ(h.village_ref(), tan_lap.name());
  // A village the register does not have is refused, naming the field and the register.
  v1::Household bad;
  absl::Status st = CreateIn("25195", "Ấp Không Có", &bad);
  ASSERT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << st;
  EXPECT_EQ(GetFieldViolations(st).at(0).field, "household.village");
  EXPECT_NE(std::string(st.message()).find("Ấp Suối Đá"), std::string::npos) << st;
  // Moving within the commune's register relinks.
  v1::UpdateHouseholdRequest up;
  up.mutable_household()->set_name(h.name());
  up.mutable_household()->set_village("Ấp Suối Đá");
  up.mutable_household()->set_etag(h.etag());
  up.mutable_update_mask()->add_paths("village");
  v1::Household moved;
  ASSERT_TRUE(logic_->UpdateHousehold(admin_, up, &moved).ok());
  EXPECT_EQ(moved.village_ref(), suoi_da.name());
  up.mutable_household()->set_village("Ấp Nowhere");
  up.mutable_household()->set_etag(moved.etag());
  EXPECT_EQ(GetFieldViolations(logic_->UpdateHousehold(admin_, up, &moved)).at(0).field, "household.village");
  // The database refuses an unregistered village on any write path, not only the service's.
  std::string error;
  try {
    Exec("SET search_path = registry, public; UPDATE households SET village = 'Ấp Bịa' WHERE id = '" +
         api::IdOf(h.name()) + "'");
  } catch (const std::exception& e) {
    error = e.what();
  }
  EXPECT_NE(error.find("is not in the register of commune 25195"), std::string::npos) << error;

  // An import refuses the row (and commits the others), naming the field.
  std::vector<v1::HouseholdRecord> rows = {Record("V-1", "25195", "", false), Record("V-2", "25195", "", false)};
  rows[0].mutable_household()->set_village("Ấp Suối Đá");
  rows[1].mutable_household()->set_village("Ấp Ma");
  auto resp = Import(NewUuidV7(absl::Now()), rows);
  EXPECT_EQ(resp.rows_committed(), 1);
  ASSERT_EQ(resp.errors_size(), 1);
  EXPECT_EQ(resp.errors(0).row_number(), 3);
  EXPECT_EQ(resp.errors(0).field(), "record.household.village");
  EXPECT_EQ(Count("SELECT count(*) FROM registry.households WHERE village_id = '" + api::IdOf(suoi_da.name()) + "'"), 2);
}

TEST_F(VillageTest, StatisticsByVillageFollowMergesAndCountUnlinkedHouseholdsApartBrief8) {
  v1::Village a = Village("25195", "Ấp A");
  v1::Village b = Village("25195", "Ấp B");
  v1::Village c = Village("25195", "Ấp C");
  v1::Household in_a, in_b, in_c, in_c2;
  ASSERT_TRUE(CreateIn("25195", "Ấp A", &in_a).ok());
  ASSERT_TRUE(CreateIn("25195", "Ấp B", &in_b).ok());
  ASSERT_TRUE(CreateIn("25195", "Ấp C", &in_c).ok());
  ASSERT_TRUE(CreateIn("25195", "Ấp C", &in_c2).ok());
  Exec("SET search_path = registry, public; UPDATE households SET village_id = NULL, village = '' WHERE id = '" + api::IdOf(in_c2.name()) + "'");
  Classify(in_a.name(), 2023, 900000, 4);  // poor in the 2024 list
  Classify(in_b.name(), 2023, 900000, 4);
  Classify(in_c.name(), 2023, 5000000, 0);
  // A and B merge on 1 March 2024 into "Ấp A-B".
  v1::MergeVillagesRequest merge;
  merge.add_villages(a.name());
  merge.add_villages(b.name());
  merge.set_display_name("Ấp A-B");
  *merge.mutable_effective_date() = Day(2024, 3, 1);
  merge.set_legal_doc("NQ 5/NQ-HĐND (test)");
  v1::Village ab;
  ASSERT_TRUE(refs_logic_->MergeVillages(admin_, merge, &ab).ok());

  auto stats = [&](int year) {
    v1::GetStatisticsRequest req;
    req.set_year(year);
    req.set_unit_code("25195");
    req.set_by_village(true);
    v1::Statistics out;
    absl::Status st = logic_->GetStatistics(admin_, req, &out);
    EXPECT_TRUE(st.ok()) << st;
    std::map<std::string, std::pair<int64_t, int64_t>> by;  // village name (or "-") -> registered, poor
    for (const auto& t : out.totals()) {
      EXPECT_EQ(t.unit_code(), "25195");
      by[t.village().empty() ? "-" : t.village_name()] = {t.households_registered(), t.poor()};
    }
    return by;
  };
  // 2024: the merged village holds both poor households; C's household is not poor; the
  // unlinked household stands apart.
  auto y2024 = stats(2024);
  EXPECT_EQ(y2024["Ấp A-B"], std::make_pair(int64_t{2}, int64_t{2}));
  EXPECT_EQ(y2024["Ấp C"], std::make_pair(int64_t{1}, int64_t{0}));
  EXPECT_EQ(y2024["-"], std::make_pair(int64_t{1}, int64_t{0}));
  EXPECT_EQ(y2024.count("Ấp A"), 0u);
  // 2023 (before the merge): A and B apart.
  auto y2023 = stats(2023);
  EXPECT_EQ(y2023["Ấp A"].first, 1);
  EXPECT_EQ(y2023["Ấp B"].first, 1);
  // A poor household with no working capacity is counted apart for social assistance (brief
  // §2.4), by village and for the commune, in a year and in a quarter.
  v1::UpdateHouseholdRequest up;
  v1::Household current;
  {
    v1::GetHouseholdRequest get;
    get.set_name(in_a.name());
    ASSERT_TRUE(logic_->GetHousehold(admin_, get, &current).ok());
  }
  up.mutable_household()->set_name(in_a.name());
  up.mutable_household()->set_no_labor_capacity(true);
  up.mutable_household()->set_etag(current.etag());
  up.mutable_update_mask()->add_paths("no_labor_capacity");
  ASSERT_TRUE(logic_->UpdateHousehold(admin_, up, &current).ok());
  for (bool by_village : {true, false}) {
    for (bool quarter : {false, true}) {
      v1::GetStatisticsRequest req;
      if (quarter) {
        req.mutable_period()->set_type(common::v1::Period::QUARTER);
        req.mutable_period()->set_year(2024);
        req.mutable_period()->set_index(2);
      } else {
        req.set_year(2024);
      }
      req.set_unit_code("25195");
      req.set_by_village(by_village);
      v1::Statistics out;
      ASSERT_TRUE(logic_->GetStatistics(admin_, req, &out).ok());
      int64_t flagged = 0;
      for (const auto& t : out.totals()) {
        flagged += t.poor_without_labor_capacity();
        if (by_village && t.village_name() == "Ấp A-B") {
          EXPECT_EQ(t.poor_without_labor_capacity(), 1);
        }
      }
      EXPECT_EQ(flagged, 1) << by_village << quarter;
    }
  }
  // by_village needs a commune.
  v1::GetStatisticsRequest wrong;
  wrong.set_year(2024);
  wrong.set_unit_code("689");
  wrong.set_by_village(true);
  v1::Statistics out;
  EXPECT_EQ(GetFieldViolations(logic_->GetStatistics(admin_, wrong, &out)).at(0).field, "unit_code");
}

TEST_F(VillageTest, EspeciallyDifficultVillagesAndTargetsNameTheRegistersVillagesBrief4_3) {
  v1::Village a = Village("25195", "Bon Bu Dốt");
  v1::Village b = Village("25195", "Bon Bu Lạch");
  v1::Village c = Village("25195", "Bon Đăk Ơ");
  v1::Village d = Village("25195", "Bon Sơn");
  auto classify = [&](const std::string& village, const std::string& name, google::type::Date from,
                      google::type::Date to, absl::Status* st) {
    v1::CreateAreaClassificationRequest req;
    req.set_request_id(NewUuidV7(absl::Now()));
    auto* ac = req.mutable_area_classification();
    ac->set_unit_code("25195");
    ac->set_village(village);
    ac->set_village_name(name);
    ac->set_region(v1::ESPECIALLY_DIFFICULT_VILLAGE);
    *ac->mutable_valid_from() = from;
    *ac->mutable_valid_to() = to;
    ac->set_legal_doc("QĐ 612/QĐ-UBDT");
    v1::AreaClassification out;
    *st = refs_logic_->CreateAreaClassification(admin_, req, &out);
    return out;
  };
  const google::type::Date from = Day(2021, 6, 4), to = Day(2025, 6, 30);
  absl::Status st;
  v1::AreaClassification ac_a = classify(a.name(), "", from, to, &st);
  ASSERT_TRUE(st.ok()) << st;
  EXPECT_EQ(ac_a.village_name(), "Bon Bu Dốt");  // taken from the register
  v1::AreaClassification ac_b = classify("", "bon bu lach", from, to, &st);
  ASSERT_TRUE(st.ok()) << st;
  EXPECT_EQ(ac_b.village(), b.name());  // a bare name in a registered commune is linked
  classify("", "Bon Không Có", from, to, &st);
  EXPECT_EQ(GetFieldViolations(st).at(0).field, "area_classification.village_name");
  classify(c.name(), "", from, to, &st);
  ASSERT_TRUE(st.ok()) << st;

  // A household of village a gets the village's class in its facts (eligibility, brief §3.1).
  v1::Household h;
  ASSERT_TRUE(CreateIn("25195", "Bon Bu Dốt", &h).ok());
  v1::BatchGetHouseholdFactsRequest fr;
  auto* q = fr.add_queries();
  q->set_household(h.name());
  *q->mutable_date() = Day(2024, 6, 1);
  v1::BatchGetHouseholdFactsResponse facts;
  ASSERT_TRUE(logic_->BatchGetHouseholdFacts(admin_, fr, &facts).ok());
  ASSERT_EQ(facts.facts_size(), 1);
  std::set<int> classes(facts.facts(0).region_classes().begin(), facts.facts(0).region_classes().end());
  EXPECT_EQ(classes.count(v1::ESPECIALLY_DIFFICULT_VILLAGE), 1u);

  // 1 Jan 2025: b merges with d (merged away is not leaving the status); c is renamed, and its
  // new name is classified again from 1 July 2025.
  v1::MergeVillagesRequest merge;
  merge.add_villages(b.name());
  merge.add_villages(d.name());
  merge.set_display_name("Bon Sơn");
  *merge.mutable_effective_date() = Day(2025, 1, 1);
  merge.set_legal_doc("NQ (test)");
  v1::Village bd;
  ASSERT_TRUE(refs_logic_->MergeVillages(admin_, merge, &bd).ok());
  v1::RenameVillageRequest rename;
  rename.set_name(c.name());
  rename.set_new_display_name("Bon Đăk Ơ Mới");
  *rename.mutable_effective_date() = Day(2025, 1, 1);
  rename.set_legal_doc("NQ (test)");
  v1::Village renamed;
  ASSERT_TRUE(refs_logic_->RenameVillage(admin_, rename, &renamed).ok());
  classify(renamed.name(), "", Day(2025, 7, 1), google::type::Date(), &st);
  ASSERT_TRUE(st.ok()) << st;

  v1::CreateTargetRequest tr;
  tr.set_request_id(NewUuidV7(absl::Now()));
  auto* t = tr.mutable_target();
  t->set_id("VILLAGES_OUT_2025");
  t->set_kind(v1::MovementTarget::AREA_LEAVES_DIFFICULT_STATUS);
  t->set_year_from(2025);
  t->set_year_to(2025);
  t->set_legal_doc("KH 47/KH-BDT");
  t->add_villages(a.name());
  t->add_villages(b.name());
  t->add_villages(c.name());
  v1::MovementTarget created;
  ASSERT_TRUE(logic_->CreateTarget(admin_, tr, &created).ok());
  tr.set_request_id(NewUuidV7(absl::Now()));
  t->set_id("BAD_VILLAGES");
  t->add_villages("villages/0190a000-0000-7000-8000-000000000000");
  EXPECT_EQ(GetFieldViolations(logic_->CreateTarget(admin_, tr, &created)).at(0).field, "target.villages[3]");

  v1::GetTargetProgressRequest pr;
  pr.set_name("targets/VILLAGES_OUT_2025");
  v1::TargetProgress progress;
  ASSERT_TRUE(logic_->GetTargetProgress(admin_, pr, &progress).ok());
  ASSERT_EQ(progress.years_size(), 1);
  // a left the status (its classification ended mid-2025); b was merged away; c, followed
  // through its rename, is still classified at the end of 2025.
  EXPECT_EQ(progress.years(0).threshold(), 3);
  EXPECT_EQ(progress.years(0).achieved(), 1);
  EXPECT_FALSE(progress.years(0).met());
  EXPECT_EQ(std::vector<std::string>(progress.villages_merged_away().begin(), progress.villages_merged_away().end()),
            std::vector<std::string>{b.name()});
  EXPECT_EQ(std::vector<std::string>(progress.villages_still_difficult().begin(), progress.villages_still_difficult().end()),
            std::vector<std::string>{c.name()});
}

}  // namespace
}  // namespace lnob::registry
