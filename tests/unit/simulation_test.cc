// A household's class under a simulated standard, with the range its unknown inputs allow.
// Vectors from the brief (§1.2–1.4): the lines and caps of NĐ 07/2021 (2022–2026) and NĐ
// 351/2025 (2027–2030, caps not given), a household exactly at each line and cap, and inputs a
// 2022–2025 review did not record.

#include "services/registry/domain/simulation.h"

#include "gtest/gtest.h"

namespace lnob::registry {
namespace {

// As the registry's migrations seed them (002, 004, 015): D01–D12 until 2026; D01–D11 and D13
// from 2027; proxy cut-offs 140/175 for 2022–2025 only.
StandardRule Standard2022() {
  StandardRule s;
  s.id = "PS_2022_2025";
  s.rural = {1500000, 2250000, 140, false};
  s.urban = {2000000, 3000000, 175, false};
  for (int i = 1; i <= 12; ++i) s.indicator_codes.insert(i < 10 ? "D0" + std::to_string(i) : "D" + std::to_string(i));
  return s;
}
StandardRule Standard2027() {
  StandardRule s;
  s.id = "PS_2027_2030";
  s.rural = {2200000, std::nullopt, std::nullopt, false};
  s.urban = {2800000, std::nullopt, std::nullopt, false};
  for (int i = 1; i <= 11; ++i) s.indicator_codes.insert(i < 10 ? "D0" + std::to_string(i) : "D" + std::to_string(i));
  s.indicator_codes.insert("D13");
  return s;
}

// A 2022–2025 review: every indicator of that set assessed, these deprived.
ReviewFacts Reviewed(AreaType area, int64_t income, std::set<std::string> deprived) {
  ReviewFacts f;
  f.area = area;
  f.income_per_capita_vnd = income;
  f.assessed = Standard2022().indicator_codes;
  f.deprived = std::move(deprived);
  return f;
}

std::string Name(const ClassRange& r) {
  return r.exact() ? HouseholdClassName(r.best)
                   : std::string(HouseholdClassName(r.worst)) + ".." + HouseholdClassName(r.best);
}

const std::set<std::string> kThree = {"D01", "D04", "D09"};

TEST(SimulationTest, AHouseholdAtEachLineAndCapUnderBothStandards) {
  const auto a = Standard2022(), b = Standard2027();
  struct Case {
    AreaType area;
    int64_t income;
    const char* under_2022;
    const char* under_2027;
  } cases[] = {
      // Rural: line 1,500,000 then 2,200,000; cap 2,250,000 then unknown.
      {AreaType::kRural, 1500000, "POOR", "POOR"},
      {AreaType::kRural, 1500001, "MIDDLE_INCOME", "POOR"},
      {AreaType::kRural, 2200000, "MIDDLE_INCOME", "POOR"},
      {AreaType::kRural, 2200001, "MIDDLE_INCOME", "MIDDLE_INCOME..NOT_POOR"},
      {AreaType::kRural, 2250000, "MIDDLE_INCOME", "MIDDLE_INCOME..NOT_POOR"},
      {AreaType::kRural, 2250001, "NOT_POOR", "MIDDLE_INCOME..NOT_POOR"},
      // Urban: line 2,000,000 then 2,800,000; cap 3,000,000 then unknown.
      {AreaType::kUrban, 2000000, "POOR", "POOR"},
      {AreaType::kUrban, 2000001, "MIDDLE_INCOME", "POOR"},
      {AreaType::kUrban, 2800000, "MIDDLE_INCOME", "POOR"},
      {AreaType::kUrban, 3000000, "MIDDLE_INCOME", "MIDDLE_INCOME..NOT_POOR"},
      {AreaType::kUrban, 3000001, "NOT_POOR", "MIDDLE_INCOME..NOT_POOR"},
  };
  for (const auto& c : cases) {
    // Three deprivations that both sets count: the class turns on income alone.
    const ReviewFacts f = Reviewed(c.area, c.income, kThree);
    EXPECT_EQ(Name(ClassifyRange(f, a)), c.under_2022) << c.income;
    EXPECT_EQ(Name(ClassifyRange(f, b)), c.under_2027) << c.income;
  }
  // Above the 2027 line with no cap, the range says why.
  const ClassRange r = ClassifyRange(Reviewed(AreaType::kRural, 2250000, kThree), b);
  EXPECT_EQ(r.unknown, std::vector<std::string>{"middle_income_cap"});
  EXPECT_TRUE(ClassifyRange(Reviewed(AreaType::kRural, 2250000, kThree), a).unknown.empty());
}

TEST(SimulationTest, AClassThatTurnsOnAnIndicatorTheReviewDidNotRecordIsARangeNotAGuess) {
  const auto b = Standard2027();
  // Two deprivations both sets count, under the 2027 line: the third could be waste treatment
  // (D13), which a 2022–2025 review never assessed.
  const ReviewFacts f = Reviewed(AreaType::kRural, 1800000, {"D01", "D04"});
  const ClassRange r = ClassifyRange(f, b);
  EXPECT_EQ(r.worst, HouseholdClass::kPoor);
  EXPECT_EQ(r.best, HouseholdClass::kNearPoor);
  EXPECT_EQ(r.unknown, std::vector<std::string>{"D13"});
  // D12 (means of information access) is gone from the 2027 set: deprived there counts for nothing.
  const ClassRange dropped = ClassifyRange(Reviewed(AreaType::kRural, 1800000, {"D01", "D04", "D12"}), b);
  EXPECT_EQ(Name(dropped), "POOR..NEAR_POOR");
  // With three deprivations the 2027 set counts, D13 cannot change the class: not listed.
  const ClassRange sure = ClassifyRange(Reviewed(AreaType::kRural, 1800000, kThree), b);
  EXPECT_TRUE(sure.exact());
  EXPECT_TRUE(sure.unknown.empty());
  // One deprivation: even D13 deprived makes two, NEAR_POOR either way.
  EXPECT_EQ(Name(ClassifyRange(Reviewed(AreaType::kRural, 1800000, {"D01"}), b)), "NEAR_POOR");
}

TEST(SimulationTest, AnIncomeKnownOnlyAsAProxyScoreOrNotAtAll) {
  const auto a = Standard2022(), b = Standard2027();
  ReviewFacts proxy = Reviewed(AreaType::kRural, 0, kThree);
  proxy.income_per_capita_vnd.reset();
  proxy.proxy_score = 130;  // at or below the 2022–2025 rural cut-off (140)
  EXPECT_EQ(Name(ClassifyRange(proxy, a)), "POOR");
  // 2027 gives no cut-off: the score says nothing about the new line.
  ClassRange r = ClassifyRange(proxy, b);
  EXPECT_EQ(Name(r), "POOR..NOT_POOR");
  EXPECT_EQ(r.unknown, std::vector<std::string>{"income"});
  // Above the cut-off: above the line, middle income or not cannot be told from a score.
  proxy.proxy_score = 150;
  r = ClassifyRange(proxy, a);
  EXPECT_EQ(Name(r), "MIDDLE_INCOME..NOT_POOR");
  EXPECT_EQ(r.unknown, std::vector<std::string>{"income"});
  // An imported baseline list: no income, no indicator.
  ReviewFacts baseline;
  baseline.area = AreaType::kUrban;
  r = ClassifyRange(baseline, b);
  EXPECT_EQ(Name(r), "POOR..NOT_POOR");
  ASSERT_EQ(r.unknown.size(), 1u + 12u);
  EXPECT_EQ(r.unknown.front(), "income");
  EXPECT_EQ(r.unknown.back(), "D13");
}

TEST(SimulationTest, RankOrdersClassesFromPoorest) {
  EXPECT_LT(Rank(HouseholdClass::kPoor), Rank(HouseholdClass::kNearPoor));
  EXPECT_LT(Rank(HouseholdClass::kNearPoor), Rank(HouseholdClass::kMiddleIncome));
  EXPECT_LT(Rank(HouseholdClass::kMiddleIncome), Rank(HouseholdClass::kNotPoor));
}

}  // namespace
TEST(SimulationTest, AssessmentsAreReadWhateverTheEvidenceSays) {
  ReviewFacts f;
  ReadAssessmentsJson(
      R"([{"code": "D01", "deprived": true, "evidence": "mái tôn \"dột\", {vách} [đất]: true"},)"
      R"( {"code": "D02", "deprived": false, "evidence": "\\"}, {"evidence": "no code", "deprived": true},)"
      R"( {"code": "D03", "note": {"deprived": true, "code": "X"}, "deprived": true}])",
      &f);
  EXPECT_EQ(f.assessed, (std::set<std::string>{"D01", "D02", "D03"}));
  EXPECT_EQ(f.deprived, (std::set<std::string>{"D01", "D03"}));
  ReviewFacts none;
  ReadAssessmentsJson("[]", &none);
  ReadAssessmentsJson("not json", &none);
  EXPECT_TRUE(none.assessed.empty());
}

}  // namespace lnob::registry
