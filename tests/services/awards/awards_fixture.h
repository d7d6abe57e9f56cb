#ifndef LNOB_TESTS_SERVICES_AWARDS_AWARDS_FIXTURE_H_
#define LNOB_TESTS_SERVICES_AWARDS_AWARDS_FIXTURE_H_

// The awards logic and store against a real PostgreSQL, with the registry's units and the
// owners of evidence faked.

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status/status.h"
#include "embedded/lnob_awards_migrations.h"
#include "gtest/gtest.h"
#include "services/awards/domain/awards_logic.h"
#include "services/awards/domain/evidence_owners.h"
#include "services/awards/store/pg_awards_store.h"
#include "tests/support/dates.h"
#include "tests/support/fake_unit_directory.h"
#include "tests/support/service_test.h"

namespace lnob::awards {

using ::lnob::testing::Day;

// The owners of evidence in memory: what each record says, each owner's cursor, what
// inspection says about units, and an owner that can be made to fail.
class FakeEvidenceOwners : public EvidenceOwners {
 public:
  struct Household {
    std::string commune;
    std::string classification = "POOR";
    bool escaped = false;
    bool ethnic_minority = true;
  };
  struct Activity {
    std::string commune;
    int64_t participants = 0;
  };

  absl::StatusOr<std::vector<OwnerRecord>> Households(const server::Call&, const std::vector<std::string>& names,
                                                      absl::CivilDay as_of, OwnerRead* read) override {
    if (down == "registry") return absl::UnavailableError("registry: unavailable");
    household_reads += static_cast<int>(names.size());
    *read = {.owner = "registry", .cursor = registry_cursor, .read_time = absl::Now()};
    std::vector<OwnerRecord> out;
    for (const auto& n : names) {
      OwnerRecord r;
      auto it = households.find(n);
      if (it != households.end()) {
        r.found = true;
        r.commune_code = it->second.commune;
        r.escaped = it->second.escaped;
        r.ethnic_minority = it->second.ethnic_minority;
        r.facts_json = absl::StrCat("{\"household\":\"", n, "\",\"commune_code\":\"", it->second.commune,
                                    "\",\"classification\":\"", it->second.classification, "\",\"escaped\":",
                                    it->second.escaped ? "true" : "false", ",\"date\":\"", absl::FormatCivilTime(as_of),
                                    "\"}");
      }
      out.push_back(std::move(r));
    }
    return out;
  }
  absl::StatusOr<std::vector<OwnerRecord>> Activities(const server::Call&, const std::vector<std::string>& names,
                                                      OwnerRead* read) override {
    if (down == "campaigns") return absl::UnavailableError("campaigns: unavailable");
    *read = {.owner = "campaigns", .cursor = campaigns_cursor, .read_time = absl::Now()};
    std::vector<OwnerRecord> out;
    for (const auto& n : names) {
      OwnerRecord r;
      auto it = activities.find(n);
      if (it != activities.end()) {
        r.found = true;
        r.commune_code = it->second.commune;
        r.participants = it->second.participants;
        r.facts_json = absl::StrCat("{\"name\":\"", n, "\",\"participants_total\":", it->second.participants, "}");
      }
      out.push_back(std::move(r));
    }
    return out;
  }
  absl::StatusOr<std::string> Statistic(const server::Call&, AreaStatistic which, const std::string& unit_code,
                                        int year, OwnerRead* read) override {
    const char* owner = which == AreaStatistic::kPoverty        ? "registry"
                        : which == AreaStatistic::kDisbursement ? "funding"
                                                                : "inspection";
    if (down == owner) return absl::UnavailableError(absl::StrCat(owner, ": unavailable"));
    *read = {.owner = owner, .cursor = which == AreaStatistic::kPoverty ? registry_cursor : 0, .read_time = absl::Now()};
    return absl::StrCat("{\"unit_code\":\"", unit_code, "\",\"year\":", year, ",\"escaped\":", area_escaped, "}");
  }
  absl::StatusOr<Integrity> IntegrityOf(const server::Call&, const std::string& unit_code) override {
    if (down == "inspection") return absl::UnavailableError("inspection: unavailable");
    auto it = integrity.find(unit_code);
    return it == integrity.end() ? Integrity{} : it->second;
  }

  std::map<std::string, Household> households;
  std::map<std::string, Activity> activities;
  std::map<std::string, Integrity> integrity;
  int64_t registry_cursor = 10;
  int64_t campaigns_cursor = 20;
  int64_t area_escaped = 7;
  std::string down;
  int household_reads = 0;
};

class AwardsTest : public testing::ServiceTest {
 protected:
  void SetUp() override {
    OpenDatabase("awards", EmbeddedMigrations());
    store_ = NewPgAwardsStore(pool_.get());
    logic_ = std::make_unique<AwardsLogic>(store_.get(), &owners_, &scope_,
                                           api::PageTokenCodec("test-secret-0123456789"), RealClock::Get());
    officer_ = CallAs("officer-1", {"awards.*"});
    commune_ = CallAs("commune-officer", {"awards.*"}, {"25195"});
  }

  v1::Movement Movement() {
    v1::CreateMovementRequest req;
    auto* m = req.mutable_movement();
    m->set_number("KH 47/KH-BDT");
    m->set_title("Vì người nghèo – Không để ai bị bỏ lại phía sau");
    *m->mutable_launched_date() = Day(2022, 9, 29);
    m->set_launched_by("Trưởng Ban Dân tộc tỉnh");
    m->add_parent_plans("KH 263/KH-UBND");
    m->add_parent_plans("QĐ 666/QĐ-TTg");
    *m->mutable_period_from() = Day(2022, 9, 29);
    *m->mutable_period_to() = Day(2025, 12, 31);
    m->set_owner_unit("70");
    auto* t = m->add_targets();
    t->set_code("EM_HOUSEHOLDS_ESCAPED");
    t->set_description("Hộ nghèo dân tộc thiểu số thoát nghèo");
    t->set_value(1000);
    t->set_unit_of_measure("hộ");
    v1::Movement out;
    absl::Status st = logic_->CreateMovement(officer_, req, &out);
    EXPECT_TRUE(st.ok()) << st;
    return out;
  }

  v1::CreateRegistrationRequest Registration(const std::string& movement, const std::string& name, int year,
                                             const std::string& unit = "25195") {
    v1::CreateRegistrationRequest req;
    auto* r = req.mutable_registration();
    r->set_movement(movement);
    r->set_year(year);
    r->set_subject_kind(v1::INDIVIDUAL);
    r->set_subject_name(name);
    r->set_unit_code(unit);
    *r->mutable_registered_date() = Day(year, 1, 20);
    auto* t = r->add_targets();
    t->set_description("Vận động 5 hộ thoát nghèo");
    t->set_value(5);
    return req;
  }

  std::set<std::string> Fields(const absl::Status& st) {
    std::set<std::string> out;
    for (const auto& f : GetFieldViolations(st)) out.insert(f.field);
    return out;
  }

  FakeEvidenceOwners owners_;
  lnob::testing::FakeUnitDirectory units_;
  scope::AreaScope scope_{&units_, RealClock::Get()};
  std::unique_ptr<AwardsStore> store_;
  std::unique_ptr<AwardsLogic> logic_;
  server::Call officer_, commune_;
};


}  // namespace lnob::awards

#endif  // LNOB_TESTS_SERVICES_AWARDS_AWARDS_FIXTURE_H_
