// A standard not yet in force applied to the registry's households as their latest approved
// reviews describe them: the classes each would have (or the range its unknown inputs allow),
// against an expectation worked out by hand from the brief's lines; nothing written; the
// caller's area.

#include <pqxx/pqxx>

#include <map>
#include <set>
#include <tuple>

#include "common/api/resource_name.h"
#include "services/registry/domain/reference_logic.h"
#include "tests/integration/household_fixture.h"

namespace lnob::registry {
namespace {

class SimulationScanTest : public HouseholdTest {
 protected:
  // Every table of the registry's schema with its row count.
  std::map<std::string, int64_t> RowCounts() {
    std::map<std::string, int64_t> out;
    pqxx::connection conn(db_->admin_url());
    pqxx::nontransaction tx(conn);
    for (const auto& t : tx.exec("SELECT tablename FROM pg_tables WHERE schemaname = 'registry'")) {
      const std::string name = t[0].as<std::string>();
      out[name] = tx.exec1("SELECT count(*) FROM registry." + tx.quote_name(name))[0].as<int64_t>();
    }
    return out;
  }

  HouseholdLogic::SimulationSpec Spec2027() {
    auto standards = refs_->ListStandards();
    EXPECT_TRUE(standards.ok());
    HouseholdLogic::SimulationSpec spec;
    for (const auto& rule : StandardRulesFrom(*standards)) {
      if (rule.id == "PS_2027_2030") spec.standard = rule;
    }
    spec.as_of = absl::CivilDay(2025, 12, 31);
    spec.geography = absl::CivilDay(2025, 12, 31);
    return spec;
  }

  std::string Household(const std::string& commune, const std::string& name) {
    return Create(commune, {Person(name, v1::HEAD, "22", "", v1::FEMALE)}).name();
  }
};

using Transition = std::tuple<std::string, std::string, std::string>;  // from, worst, best

TEST_F(SimulationScanTest, TheDecree351StandardAppliedToThe2025ListsWithTheRangesItsUnknownsAllow) {
  // Ward 25195 (urban). The 2025 reviews make the 2026 lists under NĐ 07/2021 (urban line
  // 2,000,000, cap 3,000,000, D01–D12); NĐ 351/2025 has the urban line 2,800,000, no cap given,
  // and D13 (waste) that no 2025 review assessed.
  const std::string a = Household("25195", "Thị A"), b = Household("25195", "Thị B"),
                    c = Household("25195", "Thị C"), d = Household("25195", "Thị D"),
                    e = Household("25195", "Thị E"), f = Household("25216", "Thị F");
  Classify(a, 2025, 2000000, 3);  // at the old line, 3 deprived: POOR, and POOR under the new
  Classify(b, 2025, 2500000, 3);  // middle income, now under the new line: enters poverty
  Classify(c, 2025, 2500000, 2);  // middle income, under the new line with 2: D13 decides
  Classify(d, 2025, 3500000, 0);  // not poor; above the new line with no cap: middle or not
  // e: never classified: nothing is known.
  Classify(f, 2025, 1000000, 4);  // another ward: poor either way
  const auto before = RowCounts();
  HouseholdLogic::SimulationResult out;
  absl::Status st = logic_->Simulate(admin_, Spec2027(), &out);
  ASSERT_TRUE(st.ok()) << st;
  EXPECT_EQ(out.households, 6);
  EXPECT_EQ(out.exact, 3);  // a, b, f
  std::map<Transition, int64_t> got;
  for (const auto& cell : out.cells) got[{cell.from, cell.worst, cell.best}] += cell.households;
  const std::map<Transition, int64_t> want = {
      {{"POOR", "POOR", "POOR"}, 2},                            // a, f
      {{"MIDDLE_INCOME", "POOR", "POOR"}, 1},                   // b
      {{"MIDDLE_INCOME", "POOR", "NEAR_POOR"}, 1},              // c
      {{"NOT_POOR", "MIDDLE_INCOME", "NOT_POOR"}, 1},           // d
      {{"UNCLASSIFIED", "POOR", "NOT_POOR"}, 1},                // e
  };
  EXPECT_EQ(got, want);
  EXPECT_EQ(out.unknown["D13"], 2);                 // c, and e's every indicator
  EXPECT_EQ(out.unknown["middle_income_cap"], 1);   // d
  EXPECT_EQ(out.unknown["income"], 1);              // e
  EXPECT_EQ(std::set<std::string>(out.changing.begin(), out.changing.end()),
            (std::set<std::string>{api::IdOf(b), api::IdOf(c), api::IdOf(d), api::IdOf(e)}));
  for (const auto& cell : out.cells) {
    EXPECT_EQ(cell.area, "URBAN");
    EXPECT_EQ(cell.head_sex, "FEMALE");
    EXPECT_EQ(cell.ethnic_group, "EM");
  }
  EXPECT_GT(out.cursor, 0);
  // A simulation writes nothing: every table of the registry has the rows it had.
  EXPECT_EQ(RowCounts(), before);
  // By child unit (the 2025 province's communes): every household placed, each under a unit.
  auto by_unit = Spec2027();
  by_unit.unit_code = "75";
  by_unit.by_child_unit = true;
  ASSERT_TRUE(logic_->Simulate(admin_, by_unit, &out).ok());
  int64_t placed = 0;
  for (const auto& cell : out.cells) {
    EXPECT_FALSE(cell.unit.empty());
    placed += cell.households;
  }
  EXPECT_EQ(placed, 6);
}

TEST_F(SimulationScanTest, AnOfficerSimulatesOnlyTheirCommunes) {
  Classify(Household("25195", "Thị G"), 2025, 2500000, 3);
  Classify(Household("25216", "Thị H"), 2025, 2500000, 3);
  HouseholdLogic::SimulationResult out;
  ASSERT_TRUE(logic_->Simulate(officer_, Spec2027(), &out).ok());
  EXPECT_EQ(out.households, 1);  // the officer's ward only
  auto other = Spec2027();
  other.unit_code = "25216";  // another ward, on the geography it existed in
  other.geography = absl::CivilDay(2024, 12, 31);
  EXPECT_EQ(logic_->Simulate(officer_, other, &out).code(), absl::StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace lnob::registry
