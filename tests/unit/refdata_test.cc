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

#include "services/registry/domain/unit_graph.h"

namespace lnob::registry {
namespace {

TEST(UnitGraph, OldAndNewGeography) {
  auto b = BuildRefData(EmbeddedRefData());
  ASSERT_TRUE(b.ok());
  UnitGraph g(b->units, b->lineage);
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
  EXPECT_EQ(g.Find("25270", y2026)->unit_type, "phường");
  EXPECT_EQ(g.Find("25270", absl::CivilDay(2026, 4, 29))->unit_type, "xã");
}

}  // namespace
}  // namespace lnob::registry
