// The review procedure of QĐ 24/2021/QĐ-TTg (brief §2.2-2.5) over a real database: Form 01
// requests with deadlines and the overdue list, and a commune's periodic round from its due list
// to the frozen recognised list and a correction.

#include <map>
#include <string>

#include "common/api/resource_name.h"
#include "gmock/gmock.h"
#include "tests/integration/household_fixture.h"

namespace lnob::registry {
namespace {

class ReviewProcedureTest : public HouseholdTest {
 protected:
  v1::ReviewApplication Apply(const v1::Household& h, v1::ApplicationPurpose purpose, absl::CivilDay filed) {
    v1::CreateApplicationRequest req;
    req.set_parent(h.name());
    req.mutable_application()->set_purpose(purpose);
    *req.mutable_application()->mutable_filed_on() = Day(filed.year(), filed.month(), filed.day());
    req.mutable_application()->set_reason("Gia đình có người ốm nặng, mất thu nhập");
    v1::ReviewApplication out;
    absl::Status st = logic_->CreateApplication(admin_, req, &out);
    EXPECT_TRUE(st.ok()) << st;
    return out;
  }

  absl::Status RoundReview(const v1::Household& h, const std::string& round, int64_t income, int deprived,
                           v1::Review* out, const std::string& application = "") {
    v1::CreateReviewRequest req;
    req.set_parent(h.name());
    auto* r = req.mutable_review();
    r->set_kind(v1::PERIODIC);
    r->set_round(round);
    r->set_application(application);
    *r->mutable_review_date() = Day(2025, 10, 15);
    r->set_income_per_capita_vnd(income);
    for (int i = 1; i <= 12; ++i) {
      auto* ind = r->add_indicators();
      ind->set_code(absl::StrFormat("D%02d", i));
      ind->set_deprived(i <= deprived);
    }
    return logic_->CreateReview(admin_, req, out);
  }

  void Submit(const v1::Review& r) {
    v1::SubmitReviewRequest sub;
    sub.set_name(r.name());
    v1::Review out;
    ASSERT_TRUE(logic_->SubmitReview(admin_, sub, &out).ok());
  }

  v1::ReviewRound Round(const std::string& name) {
    v1::GetReviewRoundRequest req;
    req.set_name(name);
    v1::ReviewRound out;
    EXPECT_TRUE(logic_->GetReviewRound(admin_, req, &out).ok());
    return out;
  }
};

TEST_F(ReviewProcedureTest, Form01RequestsHaveADeadlineAnOverdueListAndEndInAReviewOrARefusal) {
  // Brief §2.2: a household asks to be added, to exit or to be re-examined (Form 01).
  v1::Household h = Create("25195", {Person("Điểu Văn Đơn", v1::HEAD, "16")});
  v1::CreateApplicationRequest bad;
  bad.set_parent(h.name());
  v1::ReviewApplication out;
  std::set<std::string> fields;
  for (const auto& f : GetFieldViolations(logic_->CreateApplication(admin_, bad, &out))) fields.insert(f.field);
  EXPECT_EQ(fields, (std::set<std::string>{"application.purpose", "application.filed_on", "application.reason"}));

  // Friday 3 Oct 2025 + 7 working days (application_rules, unconfirmed) = Tuesday 14 Oct.
  v1::ReviewApplication a = Apply(h, v1::REEXAMINE, absl::CivilDay(2025, 10, 3));
  EXPECT_EQ(a.state(), v1::APPLICATION_OPEN);
  EXPECT_EQ(std::make_tuple(a.deadline().month(), a.deadline().day()), std::make_tuple(10, 14));
  EXPECT_THAT(a.caveats(), ::testing::ElementsAre("ANSWER_PERIOD_UNCONFIRMED", "HOLIDAYS_NOT_COUNTED"));
  EXPECT_TRUE(a.overdue());  // today (28 Dec 2025) it is past its deadline
  EXPECT_EQ(a.commune_code(), "25195");
  v1::ReviewApplication b = Apply(h, v1::ADD_TO_LIST, absl::CivilDay(2025, 12, 22));

  v1::ListApplicationsRequest list;
  list.set_unit_code("25195");
  *list.mutable_overdue_on() = Day(2025, 12, 1);
  v1::ListApplicationsResponse page;
  ASSERT_TRUE(logic_->ListApplications(admin_, list, &page).ok());
  ASSERT_EQ(page.applications_size(), 1);
  EXPECT_EQ(page.applications(0).name(), a.name());
  EXPECT_TRUE(page.applications(0).overdue());

  // The request's reason describes the household: masked without the evidence permission.
  v1::ListApplicationsRequest all;
  all.set_unit_code("25195");
  page.Clear();
  ASSERT_TRUE(logic_->ListApplications(officer_, all, &page).ok());
  ASSERT_EQ(page.applications_size(), 2);
  EXPECT_EQ(page.applications(0).reason(), "");
  EXPECT_THAT(page.applications(0).masked_fields(), ::testing::Contains("reason"));

  // A reasoned refusal closes it; a review naming a request closes it too.
  v1::RefuseApplicationRequest refuse;
  refuse.set_name(a.name());
  *refuse.mutable_refused_on() = Day(2025, 12, 23);
  EXPECT_EQ(GetFieldViolations(logic_->RefuseApplication(checker_, refuse, &out)).at(0).field, "reason");
  refuse.set_reason("Thu nhập đã được xác minh tại cuộc họp thôn");
  ASSERT_TRUE(logic_->RefuseApplication(checker_, refuse, &out).ok());
  EXPECT_EQ(out.state(), v1::APPLICATION_REFUSED);
  EXPECT_FALSE(out.overdue());
  EXPECT_EQ(logic_->RefuseApplication(checker_, refuse, &out).code(), absl::StatusCode::kFailedPrecondition);

  v1::CreateReviewRequest review;
  review.set_parent(h.name());
  review.mutable_review()->set_kind(v1::ONGOING);
  review.mutable_review()->set_application(b.name());
  *review.mutable_review()->mutable_review_date() = Day(2025, 12, 22);
  review.mutable_review()->set_income_per_capita_vnd(1'000'000);
  for (int i = 1; i <= 12; ++i) review.mutable_review()->add_indicators()->set_code(absl::StrFormat("D%02d", i));
  v1::Review r;
  ASSERT_TRUE(logic_->CreateReview(admin_, review, &r).ok());
  EXPECT_EQ(r.application(), b.name());
  list.clear_overdue_on();
  list.set_state(v1::APPLICATION_REVIEWED);
  page.Clear();
  ASSERT_TRUE(logic_->ListApplications(admin_, list, &page).ok());
  ASSERT_EQ(page.applications_size(), 1);
  EXPECT_EQ(page.applications(0).review(), r.name());
  // A request answers once.
  review.set_request_id("");
  EXPECT_EQ(GetReason(logic_->CreateReview(admin_, review, &r)), "APPLICATION_CLOSED");
}

TEST_F(ReviewProcedureTest, APeriodicRoundFromTheDueListToTheFrozenRecognisedListBrief2_3) {
  // The 2024 lists of Phường Bình Phước: one poor and one near-poor household (recognised
  // 20 Dec 2024); one never classified that asks to be added; one not poor that did not ask.
  v1::Household poor = Create("25195", {Person("Điểu Văn Nghèo", v1::HEAD, "16")});
  v1::Household near = Create("25195", {Person("Điểu Thị Cận", v1::HEAD, "16")});
  v1::Household asks = Create("25195", {Person("Thị Xin", v1::HEAD, "16")});
  v1::Household other = Create("25195", {Person("Nguyễn Văn Khá", v1::HEAD)});
  Classify(poor.name(), 2024, 1'400'000, 4);
  Classify(near.name(), 2024, 1'400'000, 1);
  v1::ReviewApplication asked = Apply(asks, v1::ADD_TO_LIST, absl::CivilDay(2025, 8, 20));

  // Step 1: the due list, drawn up on the opening day (QĐ 24/2021 Art. 3).
  v1::OpenReviewRoundRequest open;
  open.mutable_round()->set_commune_code("25195");
  *open.mutable_round()->mutable_opened_on() = Day(2025, 8, 25);
  v1::ReviewRound round;
  EXPECT_EQ(GetFieldViolations(logic_->OpenReviewRound(admin_, open, &round)).at(0).field, "round.opened_on");
  *open.mutable_round()->mutable_opened_on() = Day(2025, 9, 5);
  ASSERT_TRUE(logic_->OpenReviewRound(admin_, open, &round).ok());
  EXPECT_EQ(round.list_year(), 2026);
  EXPECT_EQ(round.state(), v1::ROUND_OPEN);
  EXPECT_EQ(round.counts().due(), 3);
  EXPECT_EQ(round.counts().without_review(), 3);
  v1::ReviewRound again;
  EXPECT_EQ(GetReason(logic_->OpenReviewRound(admin_, open, &again)), "ROUND_EXISTS");
  // A request filed while the round runs puts the household on its due list.
  v1::Household late = Create("25195", {Person("Thị Muộn", v1::HEAD, "16")});
  v1::ReviewApplication late_asked = Apply(late, v1::ADD_TO_LIST, absl::CivilDay(2025, 9, 10));
  v1::ListRoundHouseholdsRequest due_req;
  due_req.set_name(round.name());
  v1::ListRoundHouseholdsResponse due;
  ASSERT_TRUE(logic_->ListRoundHouseholds(admin_, due_req, &due).ok());
  std::map<std::string, v1::DueReason> reasons;
  for (const auto& d : due.households()) reasons[d.household()] = d.reason();
  EXPECT_EQ(reasons, (std::map<std::string, v1::DueReason>{{poor.name(), v1::ON_POOR_LIST},
                                                          {near.name(), v1::ON_NEAR_POOR_LIST},
                                                          {asks.name(), v1::APPLIED},
                                                          {late.name(), v1::APPLIED}}));

  // Step 2: the survey. A household not due cannot be reviewed in the round.
  v1::Review r_poor, r_near, r_asks, r_late, r_other;
  EXPECT_EQ(GetReason(RoundReview(other, round.name(), 1'000'000, 4, &r_other)), "NOT_DUE");
  ASSERT_TRUE(RoundReview(poor, round.name(), 3'000'000, 0, &r_poor).ok());  // escapes
  ASSERT_TRUE(RoundReview(near, round.name(), 1'400'000, 1, &r_near).ok());  // stays near-poor
  ASSERT_TRUE(RoundReview(asks, round.name(), 1'000'000, 4, &r_asks, asked.name()).ok());
  EXPECT_EQ(r_poor.list_year(), 2026);
  EXPECT_EQ(r_poor.round(), round.name());

  // Step 3: the village meeting agrees results only when every due household has one.
  v1::HoldVillageMeetingRequest meeting;
  meeting.set_name(round.name());
  *meeting.mutable_held_on() = Day(2025, 11, 20);
  meeting.set_attendees(46);
  meeting.set_note("Thống nhất kết quả rà soát");
  v1::ReviewRound advanced;
  Submit(r_poor);
  Submit(r_near);
  Submit(r_asks);
  EXPECT_EQ(GetReason(logic_->HoldVillageMeeting(admin_, meeting, &advanced)), "ROUND_INCOMPLETE");
  ASSERT_TRUE(RoundReview(late, round.name(), 1'000'000, 4, &r_late, late_asked.name()).ok());
  Submit(r_late);
  ASSERT_TRUE(logic_->HoldVillageMeeting(admin_, meeting, &advanced).ok());
  EXPECT_EQ(advanced.state(), v1::ROUND_MEETING_HELD);
  EXPECT_EQ(RoundReview(other, round.name(), 1'000'000, 4, &r_other).code(), absl::StatusCode::kFailedPrecondition);

  // Step 4: public posting, for the whole list; the chair cannot recognise before it.
  v1::RecognizeRoundRequest recognise;
  recognise.set_name(round.name());
  recognise.set_decision_number("215/QĐ-UBND");
  *recognise.mutable_decision_date() = Day(2025, 12, 5);
  v1::RecognisedList list;
  EXPECT_EQ(GetReason(logic_->RecognizeRound(checker_, recognise, &list)), "ILLEGAL_TRANSITION");
  v1::PostReviewRequest one;
  one.set_name(r_poor.name());
  *one.mutable_posted_on() = Day(2025, 11, 25);
  v1::Review single;
  EXPECT_EQ(GetReason(logic_->PostReview(admin_, one, &single)), "ROUND_STEP");
  v1::PostRoundListsRequest post;
  post.set_name(round.name());
  *post.mutable_posted_on() = Day(2025, 11, 25);
  ASSERT_TRUE(logic_->PostRoundLists(admin_, post, &advanced).ok());
  EXPECT_EQ(advanced.state(), v1::ROUND_POSTED);
  EXPECT_EQ(advanced.counts().posted(), 4);
  // A complaint upheld during the posting: the near-poor household's review is rejected and it
  // keeps its class.
  v1::RejectReviewRequest reject;
  reject.set_name(r_near.name());
  reject.set_reason("Khiếu nại: thu nhập tính thiếu");
  ASSERT_TRUE(logic_->RejectReview(checker_, reject, &single).ok());
  // A round's review is recognised with the round, not alone.
  v1::ApproveReviewRequest alone;
  alone.set_name(r_poor.name());
  alone.set_decision_number("1/QĐ-UBND");
  *alone.mutable_decision_date() = Day(2025, 12, 5);
  EXPECT_EQ(GetReason(logic_->ApproveReview(checker_, alone, &single)), "ROUND_STEP");

  // Step 5 no longer exists after 30 June 2025; step 6: recognition by the commune chair, not
  // by whoever submitted the reviews (maker-checker).
  v1::RecognizeRoundRequest consulted = recognise;
  *consulted.mutable_consulted_on() = Day(2025, 12, 1);
  consulted.set_consultation_document("9/UBND");
  EXPECT_EQ(GetFieldViolations(logic_->RecognizeRound(checker_, consulted, &list)).at(0).field, "consulted_on");
  EXPECT_EQ(GetReason(logic_->RecognizeRound(admin_, recognise, &list)), "SELF_APPROVAL");
  ASSERT_TRUE(logic_->RecognizeRound(checker_, recognise, &list).ok());
  EXPECT_EQ(list.version(), 1);
  EXPECT_EQ(list.decision_number(), "215/QĐ-UBND");
  std::map<std::string, std::pair<v1::HouseholdClass, std::string>> entries;
  for (const auto& e : list.entries()) entries[e.household()] = {e.classification(), e.category()};
  EXPECT_EQ(entries[poor.name()].second, "ESCAPED_POOR");
  EXPECT_EQ(entries[near.name()], std::make_pair(v1::NEAR_POOR, std::string("NEAR_POOR_REMAINING")));
  EXPECT_EQ(entries[asks.name()], std::make_pair(v1::POOR, std::string("BASELINE_POOR")));
  EXPECT_EQ(list.by_classification().at("POOR"), 2);
  EXPECT_EQ(Round(round.name()).state(), v1::ROUND_RECOGNISED);
  v1::GetHouseholdRequest get;
  get.set_name(poor.name());
  v1::Household now;
  ASSERT_TRUE(logic_->GetHousehold(admin_, get, &now).ok());
  EXPECT_NE(now.classification(), v1::POOR);  // the decision is in force

  // A correction is a new dated decision and a new version; version 1 never changes.
  v1::Review fix;
  ASSERT_TRUE(RoundReview(near, round.name(), 1'000'000, 4, &fix).ok());
  Submit(fix);
  one.set_name(fix.name());
  *one.mutable_posted_on() = Day(2025, 12, 8);
  ASSERT_TRUE(logic_->PostReview(admin_, one, &single).ok());
  recognise.set_decision_number("230/QĐ-UBND");
  *recognise.mutable_decision_date() = Day(2025, 12, 12);
  ASSERT_TRUE(logic_->RecognizeRound(checker_, recognise, &list).ok());
  EXPECT_EQ(list.version(), 2);
  ASSERT_EQ(list.versions_size(), 2);
  EXPECT_EQ(list.versions(1).changed_entries(), 1);
  for (const auto& e : list.entries()) {
    EXPECT_EQ(e.changed(), e.household() == near.name()) << e.household();
    if (e.household() == near.name()) {
      EXPECT_EQ(e.category(), "NEAR_POOR_TO_POOR");
    }
  }
  EXPECT_EQ(GetReason(logic_->RecognizeRound(checker_, recognise, &list)), "NOTHING_TO_RECOGNISE");
  v1::GetRecognisedListRequest first;
  first.set_name(round.name());
  first.set_version(1);
  ASSERT_TRUE(logic_->GetRecognisedList(admin_, first, &list).ok());
  EXPECT_EQ(list.decision_number(), "215/QĐ-UBND");
  for (const auto& e : list.entries()) {
    if (e.household() == near.name()) {
      EXPECT_EQ(e.classification(), v1::NEAR_POOR);
    }
  }
  // Version 1 shows that a later decision changed the near-poor household's class.
  EXPECT_THAT(list.changed_later(), ::testing::ElementsAre(near.name()));

  // Another commune's officer sees no round here, exactly as if it did not exist.
  server::Call elsewhere = CallAs("elsewhere", {"*"}, {"25210"});
  v1::ReviewRound hidden;
  v1::GetReviewRoundRequest get_round;
  get_round.set_name(round.name());
  EXPECT_EQ(logic_->GetReviewRound(elsewhere, get_round, &hidden).code(), absl::StatusCode::kNotFound);
}

TEST_F(ReviewProcedureTest, StatisticsAnswerForMonthsQuartersAndHalfYearsWithRatesBrief8) {
  // Brief §8: reports are monthly, quarterly, 6-monthly and annual, with rates.
  auto decide = [&](const v1::Household& h, int64_t income, int deprived, absl::CivilDay reviewed,
                    absl::CivilDay decided) {
    v1::CreateReviewRequest req;
    req.set_parent(h.name());
    req.mutable_review()->set_kind(v1::ONGOING);
    *req.mutable_review()->mutable_review_date() = Day(reviewed.year(), reviewed.month(), reviewed.day());
    req.mutable_review()->set_income_per_capita_vnd(income);
    for (int i = 1; i <= 12; ++i) {
      auto* ind = req.mutable_review()->add_indicators();
      ind->set_code(absl::StrFormat("D%02d", i));
      ind->set_deprived(i <= deprived);
    }
    v1::Review r;
    ASSERT_TRUE(logic_->CreateReview(admin_, req, &r).ok());
    Submit(r);
    v1::PostReviewRequest post;
    post.set_name(r.name());
    *post.mutable_posted_on() = Day(decided.year(), decided.month(), decided.day());
    ASSERT_TRUE(logic_->PostReview(admin_, post, &r).ok());
    v1::ApproveReviewRequest ap;
    ap.set_name(r.name());
    ap.set_decision_number("5/QĐ-UBND");
    *ap.mutable_decision_date() = post.posted_on();
    if (decided < absl::CivilDay(2025, 7, 1)) {
      *ap.mutable_consulted_on() = post.posted_on();
      ap.set_consultation_document("3/UBND");
    }
    absl::Status st = logic_->ApproveReview(checker_, ap, &r);
    ASSERT_TRUE(st.ok()) << st;
  };
  v1::Household since_2024 = Create("25195", {Person("Điểu Văn Một", v1::HEAD, "16")});
  v1::Household since_may = Create("25195", {Person("Điểu Văn Hai", v1::HEAD, "16")});
  Create("25195", {Person("Nguyễn Văn Ba", v1::HEAD)});  // registered, never poor: a denominator
  Classify(since_2024.name(), 2024, 1'400'000, 4);
  decide(since_may, 1'000'000, 4, absl::CivilDay(2025, 4, 15), absl::CivilDay(2025, 5, 20));
  decide(since_2024, 3'000'000, 0, absl::CivilDay(2025, 7, 15), absl::CivilDay(2025, 8, 20));

  auto stats = [&](common::v1::Period::Type type, int index) {
    v1::GetStatisticsRequest req;
    req.set_unit_code("25195");
    req.mutable_period()->set_type(type);
    req.mutable_period()->set_year(2025);
    req.mutable_period()->set_index(index);
    v1::Statistics out;
    absl::Status st = logic_->GetStatistics(admin_, req, &out);
    EXPECT_TRUE(st.ok()) << st;
    std::map<std::string, int64_t> flows;
    for (const auto& t : out.transitions()) flows[v1::TransitionCategory_Name(t.category())] = t.households();
    return std::make_pair(out, flows);
  };
  using P = common::v1::Period;
  // First half: both poor on 30 June; the May household is a baseline, the other remains.
  auto [h1, h1_flows] = stats(P::HALF_YEAR, 1);
  EXPECT_EQ(h1_flows, (std::map<std::string, int64_t>{{"BASELINE_POOR", 1}, {"POOR_REMAINING", 1}}));
  ASSERT_EQ(h1.totals_size(), 1);
  EXPECT_EQ(h1.totals(0).households_registered(), 3);
  EXPECT_EQ(h1.totals(0).poor(), 2);
  EXPECT_NEAR(h1.totals(0).poverty_rate_percent(), 66.67, 0.01);
  EXPECT_EQ(h1.denominator(), "REGISTERED_HOUSEHOLDS");
  // Third quarter and August: one escape; July: none.
  EXPECT_EQ(stats(P::QUARTER, 3).second, (std::map<std::string, int64_t>{{"ESCAPED_POOR", 1}, {"POOR_REMAINING", 1}}));
  EXPECT_EQ(stats(P::MONTH, 8).second.at("ESCAPED_POOR"), 1);
  EXPECT_EQ(stats(P::MONTH, 7).second.count("ESCAPED_POOR"), 0u);
  EXPECT_NEAR(stats(P::QUARTER, 3).first.totals(0).poverty_rate_percent(), 33.33, 0.01);
  // The year agrees with its yearly snapshot path.
  auto [year, year_flows] = stats(P::YEAR, 0);
  EXPECT_EQ(year_flows.at("ESCAPED_POOR"), 1);
  EXPECT_EQ(year_flows.at("BASELINE_POOR"), 1);
  // The households behind a period's flow (ListTransitions with a period).
  auto escaped_in = [&](P::Type type, int index) {
    v1::ListTransitionsRequest req;
    req.set_unit_code("25195");
    req.mutable_period()->set_type(type);
    req.mutable_period()->set_year(2025);
    req.mutable_period()->set_index(index);
    req.set_group("ESCAPED");
    v1::ListTransitionsResponse resp;
    absl::Status st = logic_->ListTransitions(admin_, req, &resp);
    EXPECT_TRUE(st.ok()) << st;
    return std::vector<std::string>(resp.households().begin(), resp.households().end());
  };
  EXPECT_EQ(escaped_in(P::QUARTER, 3), std::vector<std::string>{since_2024.name()});
  EXPECT_EQ(escaped_in(P::MONTH, 8), std::vector<std::string>{since_2024.name()});
  EXPECT_TRUE(escaped_in(P::MONTH, 7).empty());
  EXPECT_TRUE(escaped_in(P::HALF_YEAR, 1).empty());
  // A household merged away leaves the denominators (registered_agg, kept by trigger).
  v1::Household absorbed = Create("25195", {Person("Nguyễn Thị Bốn", v1::HEAD)});
  EXPECT_EQ(stats(P::YEAR, 0).first.totals(0).households_registered(), 4);
  v1::MergeHouseholdsRequest merge;
  merge.set_name(since_may.name());
  merge.set_source(absorbed.name());
  *merge.mutable_effective_date() = Day(2025, 12, 1);
  v1::Household merged;
  absl::Status merged_st = logic_->MergeHouseholds(admin_, merge, &merged);
  ASSERT_TRUE(merged_st.ok()) << merged_st;
  EXPECT_EQ(stats(P::YEAR, 0).first.totals(0).households_registered(), 3);
  // A period that does not exist names its field.
  v1::GetStatisticsRequest bad;
  bad.mutable_period()->set_type(P::QUARTER);
  bad.mutable_period()->set_year(2025);
  bad.mutable_period()->set_index(5);
  v1::Statistics out;
  EXPECT_EQ(GetFieldViolations(logic_->GetStatistics(admin_, bad, &out)).at(0).field, "period.index");
}

TEST_F(ReviewProcedureTest, FactsCarryTheAreaClassificationsOfTheCommuneAndTheVillageBrief3_1) {
  // What funding's eligibility rules need: "Kinh poor households in especially difficult
  // communes or villages" (QĐ 1719 beneficiaries).
  v1::CreateHouseholdRequest create;
  create.mutable_household()->set_commune_code("25195");
  create.mutable_household()->set_village("Sóc Bom Bo");
  *create.mutable_household()->mutable_registered_on() = Day(2021, 3, 1);
  *create.mutable_household()->add_members() = Person("Nguyễn Văn Sáu", v1::HEAD);
  v1::Household h;
  ASSERT_TRUE(logic_->CreateHousehold(admin_, create, &h).ok());
  v1::Household elsewhere = Create("25195", {Person("Nguyễn Văn Bảy", v1::HEAD)});
  v1::AreaClassification village;
  village.set_unit_code("25195");
  village.set_village_name("Sóc Bom Bo");
  village.set_region(v1::ESPECIALLY_DIFFICULT_VILLAGE);
  *village.mutable_valid_from() = Day(2021, 6, 4);
  *village.mutable_valid_to() = Day(2025, 12, 31);
  village.set_legal_doc("QĐ 612/QĐ-UBDT (illustrative)");
  village.set_illustrative(true);
  ASSERT_TRUE(refs_->CreateAreaClassification(village, "admin", {}).ok());
  v1::BatchGetHouseholdFactsRequest fq;
  for (const auto* x : {&h, &elsewhere}) {
    auto* q = fq.add_queries();
    q->set_household(x->name());
    *q->mutable_date() = Day(2025, 5, 1);
  }
  auto* later = fq.add_queries();
  later->set_household(h.name());
  *later->mutable_date() = Day(2026, 5, 1);
  v1::BatchGetHouseholdFactsResponse facts;
  ASSERT_TRUE(logic_->BatchGetHouseholdFacts(admin_, fq, &facts).ok());
  ASSERT_EQ(facts.facts_size(), 3);
  EXPECT_THAT(facts.facts(0).region_classes(), ::testing::ElementsAre(v1::ESPECIALLY_DIFFICULT_VILLAGE));
  EXPECT_TRUE(facts.facts(1).region_classes().empty());  // another village of the same commune
  EXPECT_TRUE(facts.facts(2).region_classes().empty());  // after the classification ended
}

}  // namespace
}  // namespace lnob::registry
