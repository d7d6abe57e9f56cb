// The one area-scope rule (common/scope/area_scope.h) on a province that went through the
// 2025 reform: districts abolished, communes merged, the province merged into another.

#include "common/scope/area_scope.h"

#include "absl/strings/match.h"
#include "common/status/status.h"
#include "gtest/gtest.h"
#include "tests/support/fake_unit_directory.h"

namespace lnob::scope {
namespace {

constexpr absl::CivilDay kLastOld(2025, 6, 30), kFirstNew(2025, 7, 1);

// Province 70 with districts 689 (communes 25195, 25198) and 688 (commune 25216) until
// 30 June 2025; from 1 July 2025 province 75 with commune 25199 (25195 + 25198 merged) and
// commune 25217 (25216 renamed).
UnitTables Reform() {
  UnitTables t;
  t.units = {
      {"70", "province", "", std::nullopt, kLastOld},
      {"689", "district", "70", std::nullopt, kLastOld},
      {"688", "district", "70", std::nullopt, kLastOld},
      {"25195", "commune", "689", std::nullopt, kLastOld},
      {"25198", "commune", "689", std::nullopt, kLastOld},
      {"25216", "commune", "688", std::nullopt, kLastOld},
      {"75", "province", ""},
      {"25199", "commune", "75", kFirstNew, std::nullopt},
      {"25217", "commune", "75", kFirstNew, std::nullopt},
  };
  t.lineage = {{"25195", "25199", kFirstNew}, {"25198", "25199", kFirstNew},
               {"25216", "25217", kFirstNew}, {"70", "75", kFirstNew}};
  return t;
}

class AreaScopeTest : public ::testing::Test {
 protected:
  auth::Principal Scoped(std::vector<std::string> units) {
    auth::Principal p;
    p.subject = "officer";
    p.scope.unit_codes = std::move(units);
    return p;
  }
  std::set<std::string> Covered(std::vector<std::string> units, absl::CivilDay day) {
    auto c = scope_.Covered(Scoped(std::move(units)), day);
    EXPECT_TRUE(c.ok()) << c.status();
    EXPECT_TRUE(c.ok() && c->has_value());
    return c.ok() && c->has_value() ? **c : std::set<std::string>{};
  }

  FakeClock clock_{absl::FromCivil(absl::CivilSecond(2026, 12, 5, 9, 0, 0), absl::UTCTimeZone())};
  testing::FakeUnitDirectory units_{Reform()};
  AreaScope scope_{&units_, clock_};
};

TEST_F(AreaScopeTest, APre2025DistrictCoversItsCommunesAndTheirSuccessors) {
  // After the reform: the district's own communes (households registered under old codes)
  // and the commune they merged into.
  EXPECT_EQ(Covered({"689"}, absl::CivilDay(2026, 12, 5)),
            (std::set<std::string>{"689", "25195", "25198", "25199"}));
  // Before it: the same territory.
  EXPECT_EQ(Covered({"689"}, absl::CivilDay(2024, 3, 1)),
            (std::set<std::string>{"689", "25195", "25198", "25199"}));
  // The other district's commune is never covered.
  EXPECT_FALSE(Covered({"689"}, absl::CivilDay(2026, 12, 5)).count("25217"));
}

TEST_F(AreaScopeTest, APost2025CommuneCoversItsPredecessors) {
  EXPECT_EQ(Covered({"25199"}, absl::CivilDay(2026, 12, 5)), (std::set<std::string>{"25195", "25198", "25199"}));
  // Asked about a date before it existed: its first day's geography.
  EXPECT_EQ(Covered({"25199"}, absl::CivilDay(2024, 3, 1)), (std::set<std::string>{"25195", "25198", "25199"}));
}

TEST_F(AreaScopeTest, ProvincesAcrossTheMerger) {
  const auto old_province = Covered({"70"}, absl::CivilDay(2026, 12, 5));
  for (const char* c : {"689", "688", "25195", "25198", "25216", "25199", "25217"}) {
    EXPECT_TRUE(old_province.count(c)) << c;
  }
  EXPECT_FALSE(old_province.count("75")) << "only communes carry over through the lineage";
  const auto new_province = Covered({"75"}, absl::CivilDay(2026, 12, 5));
  for (const char* c : {"75", "25195", "25198", "25216", "25199", "25217"}) {
    EXPECT_TRUE(new_province.count(c)) << c;
  }
}

TEST_F(AreaScopeTest, UnknownScopeUnitsCoverNothingAndNoScopeIsTheProvince) {
  EXPECT_TRUE(Covered({"99999"}, absl::CivilDay(2026, 12, 5)).empty());
  auth::Principal province;
  auto all = scope_.Covered(province, absl::CivilDay(2026, 12, 5));
  ASSERT_TRUE(all.ok());
  EXPECT_FALSE(all->has_value());
  EXPECT_TRUE(*scope_.Covers(province, "25217", absl::CivilDay(2026, 12, 5)));
}

TEST_F(AreaScopeTest, OneErrorRule) {
  const auth::Principal p = Scoped({"689"});
  const absl::CivilDay day(2026, 12, 5);
  EXPECT_TRUE(scope_.CheckResource(p, "25199", day, "plans/x").ok());
  absl::Status hidden = scope_.CheckResource(p, "25217", day, "plans/x");
  EXPECT_EQ(hidden.code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(absl::StrContains(hidden.message(), "plans/x")) << hidden;
  absl::Status denied = scope_.CheckFilter(p, "25217", day, "unit_code");
  EXPECT_EQ(denied.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(GetReason(denied).value_or(""), "OUT_OF_SCOPE");
  EXPECT_TRUE(absl::StartsWith(denied.message(), "unit_code 25217")) << denied;
}

TEST_F(AreaScopeTest, AnUnreachableDirectoryIsUnavailableUntilFirstLoadedThenTheLastGraphServes) {
  units_.set_available(false);
  EXPECT_EQ(scope_.Covers(Scoped({"689"}), "25195", absl::CivilDay(2026, 12, 5)).status().code(),
            absl::StatusCode::kUnavailable);
  units_.set_available(true);
  EXPECT_TRUE(*scope_.Covers(Scoped({"689"}), "25195", absl::CivilDay(2026, 12, 5)));
  // Loaded once, a directory outage (even past the refresh interval) keeps the last graph.
  units_.set_available(false);
  clock_.Advance(absl::Minutes(6));
  auto still = scope_.Covers(Scoped({"689"}), "25195", absl::CivilDay(2026, 12, 5));
  ASSERT_TRUE(still.ok()) << still.status();
  EXPECT_TRUE(*still);
}

TEST(UnitGraphTest, ChildrenAndTheProvinceOnEitherGeography) {
  const UnitGraph g(Reform());
  EXPECT_EQ(g.ChildrenOf("70", kLastOld), (std::vector<std::string>{"688", "689"}));
  EXPECT_EQ(g.ChildrenOf("689", kLastOld), (std::vector<std::string>{"25195", "25198"}));
  EXPECT_EQ(g.ChildrenOf("75", kFirstNew), (std::vector<std::string>{"25199", "25217"}));
  EXPECT_TRUE(g.ChildrenOf("25199", kFirstNew).empty());
  // Up from a commune (a retired code through its successor) to the unit with no parent.
  EXPECT_EQ(g.Top("25195", kLastOld), "70");
  EXPECT_EQ(g.Top("25195", kFirstNew), "75");
  EXPECT_EQ(g.Top("688", kLastOld), "70");
}

}  // namespace
}  // namespace lnob::scope
