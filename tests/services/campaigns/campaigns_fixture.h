#ifndef LNOB_TESTS_SERVICES_CAMPAIGNS_CAMPAIGNS_FIXTURE_H_
#define LNOB_TESTS_SERVICES_CAMPAIGNS_CAMPAIGNS_FIXTURE_H_

// The campaigns logic on a fresh database of its own schema, with the registry's units and
// village register faked in memory (a small province with one commune merged in 2025).

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "common/status/status.h"
#include "embedded/lnob_campaigns_migrations.h"
#include "gtest/gtest.h"
#include "services/campaigns/domain/campaigns_logic.h"
#include "services/campaigns/store/pg_campaigns_store.h"
#include "services/campaigns/store/pg_persons_store.h"
#include "tests/support/dates.h"
#include "tests/support/fake_unit_directory.h"
#include "tests/support/service_test.h"

namespace lnob::campaigns {

using ::lnob::testing::Day;

// The registry's village register in memory: commune -> village name -> villages/{uuid}
// (names compared as given; the registry itself ignores diacritics and case).
class FakePlaces : public RegistryPlaces {
 public:
  absl::StatusOr<VillageMatch> FindVillage(const std::string& commune, absl::CivilDay,
                                           const std::string& name) override {
    if (!available) return absl::UnavailableError("registry down");
    VillageMatch m;
    auto it = villages.find(commune);
    if (it == villages.end()) return m;
    m.registered = true;
    if (auto v = it->second.find(name); v != it->second.end()) {
      m.village = v->second;
      m.name = name;
    }
    return m;
  }
  absl::StatusOr<std::vector<RegisteredVillage>> VillagesOf(const std::vector<std::string>& communes,
                                                           absl::CivilDay) override {
    if (!available) return absl::UnavailableError("registry down");
    std::vector<RegisteredVillage> out;
    for (const auto& commune : communes) {
      auto it = villages.find(commune);
      if (it == villages.end()) continue;
      for (const auto& [name, ref] : it->second) out.push_back({ref, name, commune});
    }
    return out;
  }
  absl::StatusOr<std::vector<RegisteredVillage>> AllVillages() override {
    if (!available) return absl::UnavailableError("registry down");
    ++all_villages_calls;
    std::vector<RegisteredVillage> out;
    for (const auto& [commune, names] : villages) {
      for (const auto& [name, ref] : names) out.push_back({ref, name, commune});
    }
    return out;
  }
  absl::StatusOr<std::set<std::string>> DifficultVillages(absl::CivilDay) override { return difficult; }
  absl::StatusOr<Population> PopulationOf(const std::string& unit, const common::v1::Period&) override {
    if (!available) return absl::UnavailableError("registry down");
    asked_population_of = unit;
    return population;
  }
  Population population{1000, 600};
  std::string asked_population_of;
  int all_villages_calls = 0;
  std::map<std::string, std::map<std::string, std::string>> villages = {
      {"25216",
       {{"Sóc Bom Bo", "villages/0190c0de-0000-7000-8000-00000000b0b0"},
        {"Sóc Bù Lạch", "villages/0190c0de-0000-7000-8000-00000000b1b1"}}}};
  std::set<std::string> difficult = {"villages/0190c0de-0000-7000-8000-00000000b1b1"};
  bool available = true;
};

// Funding's catalogue in memory (a few of its real codes).
class FakeCatalogue : public FundingCatalogue {
 public:
  absl::StatusOr<CatalogueCodes> Codes() override {
    ++calls;
    if (!available) return absl::UnavailableError("funding down");
    return codes;
  }
  CatalogueCodes codes{{"NTP_EM", "NTP_EM.P10", "NTP_EM.P1"}, {"CENTRAL_RECURRENT", "LOCAL_ADDITIONAL"}};
  bool available = true;
  int calls = 0;
};

class CampaignsTest : public testing::ServiceTest {
 protected:
  void SetUp() override {
    OpenDatabase("campaigns", EmbeddedMigrations());
    store_ = NewPgCampaignsStore(pool_.get());
    persons_ = NewPgPersonsStore(pool_.get());
    logic_ = std::make_unique<CampaignsLogic>(store_.get(), persons_.get(), &scope_, &places_, &catalogue_,
                                              api::PageTokenCodec("test-secret-0123456789"), RealClock::Get());
    officer_ = CallAs("province-officer", {"campaigns.*"});
    commune_ = CallAs("commune-officer", {"campaigns.*"}, {"25216"});
  }

  v1::Campaign Campaign() {
    v1::CreateCampaignRequest req;
    auto* c = req.mutable_campaign();
    c->set_title("Tuyên truyền Chương trình 1719 năm 2025");
    c->add_topics("NTP_1719");
    c->add_topics("POVERTY");
    *c->mutable_start_date() = Day(2025, 3, 1);
    *c->mutable_end_date() = Day(2025, 11, 30);
    c->add_target_units("25216");
    c->set_programme_node("NTP_EM.P10");
    auto* b = c->add_planned_budget();
    b->set_source("CENTRAL_RECURRENT");
    b->set_node_code("NTP_EM.P10");
    b->set_amount_vnd(120000000);
    c->set_owner_unit("70");
    v1::Campaign out;
    absl::Status st = logic_->CreateCampaign(officer_, req, &out);
    EXPECT_TRUE(st.ok()) << st;
    return out;
  }

  v1::CreateActivityRequest Activity(const std::string& campaign) {
    v1::CreateActivityRequest req;
    auto* a = req.mutable_activity();
    a->set_campaign(campaign);
    a->set_activity_type("LOUDSPEAKER_RADIO");
    a->add_topics("NTP_1719");
    *a->mutable_start_date() = Day(2025, 4, 10);
    a->set_commune_code("25216");
    a->set_village("Sóc Bom Bo");
    a->set_sessions(3);
    a->set_participants_total(120);
    a->set_participants_ethnic_minority(90);
    a->set_participants_women(50);
    a->set_participants_prestigious(4);
    auto* e = a->add_by_ethnic_group();
    e->set_code("22");  // Xtiêng
    e->set_participants(80);
    auto* l = a->add_by_language();
    l->set_code("STIENG");
    l->set_participants(70);
    l = a->add_by_language();
    l->set_code("VI");
    l->set_participants(50);
    auto* s = a->add_spent();
    s->set_source("CENTRAL_RECURRENT");
    s->set_node_code("NTP_EM.P10");
    s->set_amount_vnd(3500000);
    a->set_outcome("Phát thanh song ngữ");
    return req;
  }

  std::set<std::string> Fields(const absl::Status& st) {
    std::set<std::string> out;
    for (const auto& f : GetFieldViolations(st)) out.insert(f.field);
    return out;
  }

  // The small province, plus commune 25288 of district 688 that was merged into 25216 on
  // 1 July 2025 (the reform's kind of lineage).
  static scope::UnitTables Units() {
    scope::UnitTables t = lnob::testing::FakeUnitDirectory::SmallProvince();
    scope::UnitVersion old{"25288", "commune", "688"};
    old.valid_to = absl::CivilDay(2025, 6, 30);
    t.units.push_back(old);
    t.lineage.push_back({"25288", "25216", absl::CivilDay(2025, 7, 1)});
    return t;
  }
  lnob::testing::FakeUnitDirectory units_{Units()};
  FakePlaces places_;
  FakeCatalogue catalogue_;
  scope::AreaScope scope_{&units_, RealClock::Get()};
  std::unique_ptr<CampaignsStore> store_;
  std::unique_ptr<PersonsStore> persons_;
  std::unique_ptr<CampaignsLogic> logic_;
  server::Call officer_, commune_;
};

}  // namespace lnob::campaigns

#endif  // LNOB_TESTS_SERVICES_CAMPAIGNS_CAMPAIGNS_FIXTURE_H_
