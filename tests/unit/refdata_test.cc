#include "services/registry/domain/refdata.h"

#include <map>
#include <set>

#include "embedded/lnob_registry_data.h"
#include "gtest/gtest.h"

namespace lnob::registry {
namespace {

TEST(RefData, BuildsVersionsAndLineageFromTheShippedFiles) {
  auto b = BuildRefData(EmbeddedRefData());
  ASSERT_TRUE(b.ok()) << b.status();
  // 123 Bình Phước + 171 old Đồng Nai + 96 new Đồng Nai + 11 renamed versions in 2026
  EXPECT_EQ(b->units.size(), 401u);
  // 273 from the 2025 lineage, 11 renames in 2026, 22 districts abolished
  EXPECT_EQ(b->lineage.size(), 306u);
  EXPECT_EQ(b->ethnic_groups.size(), 54u);
  std::map<std::string, int> kinds;
  for (const auto& e : b->lineage) kinds[e.kind]++;
  EXPECT_EQ(kinds["abolished"], 22);
  EXPECT_EQ(kinds["renamed"], 11);
  EXPECT_EQ(kinds["split"], 2);  // Xuân Tâm
  EXPECT_EQ(kinds["unchanged"], 7);
  // Lộc Ninh: xã from 2025-07-01 to 2026-04-29, then phường (UNCONFIRMED)
  int loc_ninh = 0;
  for (const auto& u : b->units) {
    if (u.code != "25270" || !u.valid_from) continue;
    ++loc_ninh;
    if (u.unit_type == "phường") {
      EXPECT_EQ(*u.valid_from, absl::CivilDay(2026, 4, 30));
      EXPECT_FALSE(u.confirmed);
    } else {
      EXPECT_EQ(u.unit_type, "xã");
      EXPECT_EQ(*u.valid_to, absl::CivilDay(2026, 4, 29));
    }
  }
  EXPECT_EQ(loc_ninh, 2);
}

TEST(RefData, CsvErrorsNameFileAndLine) {
  auto r = ParseCsv("x.csv", "a,b\n1,2\n3\n", 2);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("x.csv line 3"), std::string::npos);
  std::vector<EmbeddedFile> missing = {{"ethnic_groups.csv", "code,name,other_names\n"}};
  EXPECT_EQ(BuildRefData(missing).status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace lnob::registry

#include "common/scope/area_scope.h"
#include "services/registry/domain/unit_directory.h"
#include "tests/support/fake_unit_directory.h"

namespace lnob::registry {
namespace {

TEST(UnitGraph, OldAndNewGeography) {
  auto b = BuildRefData(EmbeddedRefData());
  ASSERT_TRUE(b.ok());
  scope::UnitGraph g(ToScopeTables(b->units, b->lineage));
  const absl::CivilDay y2023(2023, 6, 1), y2026(2026, 6, 1);
  EXPECT_EQ(g.UnitOn("25198", y2023), "25198");
  EXPECT_EQ(g.UnitOn("25198", y2026), "25195");
  EXPECT_EQ(g.UnitOn("26449", y2026), "26359");  // split: the lowest successor code
  EXPECT_TRUE(g.Within("25198", "689", y2023));
  EXPECT_TRUE(g.Within("25198", "70", y2023));
  EXPECT_FALSE(g.Within("25198", "75", y2023));
  EXPECT_TRUE(g.Within("25195", "75", y2026));
  EXPECT_EQ(g.CommunesUnder("689", y2023).size(), 8u);  // Đồng Xoài: 8 communes before 2025
  // On the new geography, 25195 holds its own old code and five merged old communes.
  auto under = g.CommunesUnder("25195", y2026);
  EXPECT_EQ(under, (std::vector<std::string>{"25195", "25198", "25201", "25204", "25205", "25213"}));
  // Every new unit reuses the code of one of its old units: 270 distinct commune codes.
  EXPECT_EQ(g.CommunesUnder("", y2026).size(), 270u);
  // 25270 was a township (xã-level town) until the reform and a ward after: two versions.
  ASSERT_NE(g.Find("25270", y2026), nullptr);
  ASSERT_NE(g.Find("25270", absl::CivilDay(2026, 4, 29)), nullptr);
  EXPECT_NE(g.Find("25270", y2026), g.Find("25270", absl::CivilDay(2026, 4, 29)));
}

// The scope rule on the real 2025 reform of Bình Phước: a token scoped to the former city
// Đồng Xoài (district 689, abolished on 1 July 2025) still covers its 8 old communes and
// covers the new communes they were merged into; a token in a new commune's code covers the
// old communes merged into it.
TEST(AreaScope, RealReformBothWays) {
  auto b = BuildRefData(EmbeddedRefData());
  ASSERT_TRUE(b.ok());
  testing::FakeUnitDirectory units(ToScopeTables(b->units, b->lineage));
  FakeClock clock(absl::FromCivil(absl::CivilSecond(2026, 12, 5, 0, 0, 0), absl::UTCTimeZone()));
  scope::AreaScope scope(&units, clock);
  auth::Principal dong_xoai;
  dong_xoai.scope.unit_codes = {"689"};
  auto graph = scope.Graph();
  ASSERT_TRUE(graph.ok());
  for (const auto& old_commune : (*graph)->CommunesUnder("689", absl::CivilDay(2024, 1, 1))) {
    EXPECT_TRUE(*scope.Covers(dong_xoai, old_commune, absl::CivilDay(2026, 12, 5))) << old_commune;
    const std::string now = (*graph)->UnitOn(old_commune, absl::CivilDay(2026, 12, 5));
    EXPECT_TRUE(*scope.Covers(dong_xoai, now, absl::CivilDay(2026, 12, 5))) << old_commune << " -> " << now;
  }
  auth::Principal ward;
  ward.scope.unit_codes = {"25195"};
  for (const char* merged : {"25198", "25201", "25204", "25205", "25213"}) {
    EXPECT_TRUE(*scope.Covers(ward, merged, absl::CivilDay(2026, 12, 5))) << merged;
    EXPECT_TRUE(*scope.Covers(ward, merged, absl::CivilDay(2023, 6, 1))) << merged;
  }
  EXPECT_FALSE(*scope.Covers(ward, "25216", absl::CivilDay(2026, 12, 5)));
}

}  // namespace
}  // namespace lnob::registry
