#include "services/registry/domain/classifier.h"

#include "gtest/gtest.h"

namespace lnob::registry {
namespace {

// Mirrors services/registry/migrations/002_poverty_standards.sql.
std::vector<StandardRule> Standards() {
  StandardRule a;
  a.id = "PS_2022_2025";
  a.valid_from = absl::CivilDay(2022, 1, 1);
  a.valid_to = absl::CivilDay(2026, 12, 31);
  a.rural = {1500000, 2250000};
  a.urban = {2000000, 3000000};
  StandardRule b;
  b.id = "PS_2027_2030";
  b.valid_from = absl::CivilDay(2027, 1, 1);
  b.valid_to = absl::CivilDay(2030, 12, 31);
  b.rural = {2200000, std::nullopt};
  b.urban = {2800000, std::nullopt};
  return {a, b};
}

struct Vector {
  absl::CivilDay date;
  AreaType area;
  int64_t income;
  int deprivations;
  HouseholdClass want;
};

class ClassifierVectors : public ::testing::TestWithParam<Vector> {};

TEST_P(ClassifierVectors, Classifies) {
  const auto standards = Standards();
  const Vector& v = GetParam();
  const StandardRule* s = StandardInForce(standards, v.date);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(HouseholdClassName(Classify(v.income, v.deprivations, v.area, *s)),
            std::string(HouseholdClassName(v.want)))
      << absl::FormatCivilTime(v.date) << " income " << v.income << " deprivations " << v.deprivations;
}

constexpr auto R = AreaType::kRural;
constexpr auto U = AreaType::kUrban;
constexpr auto kPoor = HouseholdClass::kPoor;
constexpr auto kNear = HouseholdClass::kNearPoor;
constexpr auto kMid = HouseholdClass::kMiddleIncome;
constexpr auto kNot = HouseholdClass::kNotPoor;
const absl::CivilDay k2025(2025, 10, 1);
const absl::CivilDay kLast2026(2026, 12, 31);
const absl::CivilDay kFirst2027(2027, 1, 1);

INSTANTIATE_TEST_SUITE_P(
    Boundaries, ClassifierVectors,
    ::testing::Values(
        // exactly at the rural line, 3 vs 2 deprivations
        Vector{k2025, R, 1500000, 3, kPoor}, Vector{k2025, R, 1500000, 2, kNear},
        // near-poor includes 0 deprivations
        Vector{k2025, R, 1500000, 0, kNear}, Vector{k2025, R, 0, 12, kPoor},
        // one đồng above the line: middle income whatever the deprivations
        Vector{k2025, R, 1500001, 3, kMid}, Vector{k2025, R, 2250000, 5, kMid},
        Vector{k2025, R, 2250001, 0, kNot},
        // urban lines
        Vector{k2025, U, 2000000, 3, kPoor}, Vector{k2025, U, 2000000, 2, kNear},
        Vector{k2025, U, 2000001, 3, kMid}, Vector{k2025, U, 3000000, 0, kMid},
        Vector{k2025, U, 3000001, 0, kNot},
        // rural income that is poor in the city but not in the countryside
        Vector{k2025, R, 1800000, 4, kMid}, Vector{k2025, U, 1800000, 4, kPoor},
        // the 2022-2025 standard still applies on 31/12/2026 (NĐ 351/2025)
        Vector{kLast2026, R, 2000000, 3, kMid}, Vector{kLast2026, U, 2800000, 3, kMid},
        // from 01/01/2027 the new lines apply; middle cap unknown -> NOT_POOR above the line
        Vector{kFirst2027, R, 2000000, 3, kPoor}, Vector{kFirst2027, R, 2200000, 2, kNear},
        Vector{kFirst2027, R, 2200001, 3, kNot}, Vector{kFirst2027, U, 2800000, 3, kPoor},
        Vector{kFirst2027, U, 2800001, 0, kNot}));

TEST(ProxyScore, CutOffStandsForTheIncomeLine) {
  auto standards = Standards();
  standards[0].rural.proxy_score_cutoff = 140;
  standards[0].urban.proxy_score_cutoff = 175;
  const auto& s = standards[0];
  EXPECT_EQ(ClassifyByProxyScore(140, 3, R, s), kPoor);
  EXPECT_EQ(ClassifyByProxyScore(140, 2, R, s), kNear);
  EXPECT_EQ(ClassifyByProxyScore(141, 5, R, s), kNot);
  EXPECT_EQ(ClassifyByProxyScore(175, 3, U, s), kPoor);
  EXPECT_EQ(ClassifyByProxyScore(176, 3, U, s), kNot);
  EXPECT_EQ(ClassifyByProxyScore(10, 5, R, standards[1]), kNot);  // no cut-off configured
}

TEST(StandardInForce, NoneBefore2022) {
  const auto standards = Standards();
  EXPECT_EQ(StandardInForce(standards, absl::CivilDay(2021, 12, 31)), nullptr);
  EXPECT_EQ(StandardInForce(standards, absl::CivilDay(2022, 1, 1))->id, "PS_2022_2025");
  EXPECT_EQ(StandardInForce(standards, absl::CivilDay(2031, 1, 1)), nullptr);
}

}  // namespace
}  // namespace lnob::registry
