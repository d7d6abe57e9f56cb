#include "services/registry/domain/household_rules.h"

#include "gtest/gtest.h"

namespace lnob::registry {
namespace {

TEST(CitizenId, StructureBirthYearAndSex) {
  const absl::CivilDay b1980(1980, 5, 17), b2005(2005, 1, 1);
  EXPECT_TRUE(ValidateCitizenId("070080001234", b1980, false, "f").ok());
  EXPECT_TRUE(ValidateCitizenId("070180001234", b1980, true, "f").ok());
  EXPECT_TRUE(ValidateCitizenId("070205001234", b2005, false, "f").ok());
  EXPECT_TRUE(ValidateCitizenId("070305001234", b2005, true, "f").ok());
  EXPECT_FALSE(ValidateCitizenId("070080001234", b1980, true, "f").ok());   // sex digit
  EXPECT_FALSE(ValidateCitizenId("070081001234", b1980, false, "f").ok());  // year digits
  EXPECT_FALSE(ValidateCitizenId("070280001234", b1980, false, "f").ok());  // century
  EXPECT_FALSE(ValidateCitizenId("000080001234", std::nullopt, std::nullopt, "f").ok());  // province 000
  EXPECT_FALSE(ValidateCitizenId("097080001234", std::nullopt, std::nullopt, "f").ok());
  EXPECT_FALSE(ValidateCitizenId("07008000123", std::nullopt, std::nullopt, "f").ok());
  EXPECT_FALSE(ValidateCitizenId("07008000123x", std::nullopt, std::nullopt, "f").ok());
  EXPECT_TRUE(ValidateCitizenId("079999001234", std::nullopt, std::nullopt, "f").ok());
}

TEST(ReviewWorkflow, OnlyTheDocumentedTransitions) {
  const char* states[] = {"DRAFT", "SUBMITTED", "APPROVED", "POSTED", "REJECTED"};
  int allowed = 0;
  for (const char* a : states) {
    for (const char* b : states) allowed += ReviewTransitionAllowed(a, b);
  }
  EXPECT_EQ(allowed, 5);
  EXPECT_TRUE(ReviewTransitionAllowed("DRAFT", "SUBMITTED"));
  EXPECT_TRUE(ReviewTransitionAllowed("SUBMITTED", "REJECTED"));
  EXPECT_FALSE(ReviewTransitionAllowed("DRAFT", "APPROVED"));
  EXPECT_FALSE(ReviewTransitionAllowed("REJECTED", "SUBMITTED"));
}

TEST(Transitions, CategoryTable) {
  EXPECT_EQ(TransitionCategoryFor("POOR", "POOR", false), "POOR_REMAINING");
  EXPECT_EQ(TransitionCategoryFor("POOR", "NEAR_POOR", false), "POOR_TO_NEAR_POOR");
  EXPECT_EQ(TransitionCategoryFor("POOR", "NOT_POOR", false), "ESCAPED_POOR");
  EXPECT_EQ(TransitionCategoryFor("POOR", "MIDDLE_INCOME", false), "ESCAPED_POOR");
  EXPECT_EQ(TransitionCategoryFor("NEAR_POOR", "NOT_POOR", false), "ESCAPED_NEAR_POOR");
  EXPECT_EQ(TransitionCategoryFor("NOT_POOR", "POOR", true), "RE_POOR");
  EXPECT_EQ(TransitionCategoryFor("NOT_POOR", "POOR", false), "NEW_POOR");
  // A first recorded classification is a baseline, never phát sinh nghèo (issue: an imported
  // baseline list must not inflate NEW_POOR).
  EXPECT_EQ(TransitionCategoryFor("", "POOR", false), "BASELINE_POOR");
  EXPECT_EQ(TransitionCategoryFor("", "NEAR_POOR", false), "BASELINE_NEAR_POOR");
  EXPECT_EQ(TransitionCategoryFor("", "NOT_POOR", false), "");
  EXPECT_EQ(TransitionCategoryFor("MIDDLE_INCOME", "NEAR_POOR", true), "NEW_NEAR_POOR");
  EXPECT_EQ(TransitionCategoryFor("NEAR_POOR", "POOR", true), "NEAR_POOR_TO_POOR");
  EXPECT_EQ(TransitionCategoryFor("NOT_POOR", "NOT_POOR", true), "");
}

TEST(YearSnapshots, MultiYearHistory) {
  // poor from Dec 2022, not poor from Dec 2023, poor again from Dec 2024
  std::vector<HistoryEntry> h = {{absl::CivilDay(2024, 12, 20), "POOR"},
                                 {absl::CivilDay(2022, 12, 20), "POOR"},
                                 {absl::CivilDay(2023, 12, 20), "NOT_POOR"}};
  auto s = YearSnapshots(h, 2025);
  ASSERT_EQ(s.size(), 4u);
  EXPECT_EQ(s[0].year, 2022);
  EXPECT_EQ(s[0].transition, "BASELINE_POOR");
  EXPECT_EQ(s[1].transition, "ESCAPED_POOR");
  EXPECT_EQ(s[2].transition, "RE_POOR");
  EXPECT_EQ(s[3].transition, "POOR_REMAINING");
  EXPECT_EQ(ClassificationOn(h, absl::CivilDay(2023, 1, 1)), "POOR");
  EXPECT_EQ(ClassificationOn(h, absl::CivilDay(2022, 12, 19)), "");
}

TEST(ReviewWindow, InclusiveAndWrapping) {
  EXPECT_TRUE(InWindow(absl::CivilDay(2025, 9, 1), "09-01", "12-14"));
  EXPECT_TRUE(InWindow(absl::CivilDay(2025, 12, 14), "09-01", "12-14"));
  EXPECT_FALSE(InWindow(absl::CivilDay(2025, 12, 15), "09-01", "12-14"));
  EXPECT_FALSE(InWindow(absl::CivilDay(2025, 8, 31), "09-01", "12-14"));
  EXPECT_TRUE(InWindow(absl::CivilDay(2026, 1, 5), "12-01", "01-31"));
}

TEST(ReviewProcedure, WindowsAndStepsAreEffectiveDatedBrief2_2And2_3) {
  std::vector<ReviewWindowRule> windows = {
      {"PERIODIC", absl::CivilDay(2021, 9, 1), std::nullopt, false, "09-01", "12-14", "QĐ 24/2021", true},
      {"ONGOING", absl::CivilDay(2021, 9, 1), std::nullopt, true, "15", "END", "QĐ 24/2021", false}};
  EXPECT_EQ(WindowInForce(windows, "PERIODIC", absl::CivilDay(2021, 8, 31)), nullptr);
  const ReviewWindowRule* ongoing = WindowInForce(windows, "ONGOING", absl::CivilDay(2025, 2, 28));
  ASSERT_NE(ongoing, nullptr);
  EXPECT_TRUE(InReviewWindow(*ongoing, absl::CivilDay(2025, 2, 28)));  // "END": the month's last day
  EXPECT_TRUE(InReviewWindow(*ongoing, absl::CivilDay(2025, 2, 15)));
  EXPECT_FALSE(InReviewWindow(*ongoing, absl::CivilDay(2025, 3, 14)));
  EXPECT_EQ(DescribeWindow(*ongoing), "from day 15 to the end of every month");
  std::vector<ProcedureStep> steps = {
      {"DISTRICT_CONSULTATION", absl::CivilDay(2021, 9, 1), absl::CivilDay(2025, 6, 30), "district chair", "QĐ 24/2021"}};
  EXPECT_NE(StepInForce(steps, "DISTRICT_CONSULTATION", absl::CivilDay(2025, 6, 30)), nullptr);
  EXPECT_EQ(StepInForce(steps, "DISTRICT_CONSULTATION", absl::CivilDay(2025, 7, 1)), nullptr);
}

TEST(ReviewProcedure, WorkingDaysSkipWeekends) {
  // Friday 5 Dec 2025 + 3 working days = Wednesday 10 Dec; + 3 calendar days = Monday 8 Dec.
  EXPECT_EQ(AddDays(absl::CivilDay(2025, 12, 5), 3, true), absl::CivilDay(2025, 12, 10));
  EXPECT_EQ(AddDays(absl::CivilDay(2025, 12, 5), 3, false), absl::CivilDay(2025, 12, 8));
  EXPECT_EQ(AddDays(absl::CivilDay(2025, 12, 6), 1, true), absl::CivilDay(2025, 12, 8));  // Saturday -> Monday
}

TEST(ReviewWorkflow, PostingComesBeforeRecognitionBrief2_3) {
  EXPECT_TRUE(ReviewTransitionAllowed("SUBMITTED", "POSTED"));
  EXPECT_TRUE(ReviewTransitionAllowed("POSTED", "APPROVED"));
  EXPECT_TRUE(ReviewTransitionAllowed("POSTED", "REJECTED"));
  EXPECT_FALSE(ReviewTransitionAllowed("SUBMITTED", "APPROVED"));
  EXPECT_FALSE(ReviewTransitionAllowed("APPROVED", "POSTED"));
}

}  // namespace
}  // namespace lnob::registry
