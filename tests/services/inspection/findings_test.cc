// Findings with references validated and frozen by their owners, holds on the feed,
// recommendations, recoveries and the overdue list, the questions they answer.

#include "absl/strings/match.h"
#include "tests/services/inspection/inspection_fixture.h"

namespace lnob::inspection {
namespace {

class FindingsTest : public InspectionTest {
 protected:
  void SetUp() override {
    InspectionTest::SetUp();
    line_a_ = owners_.AddLine("25216", {{"NTP_EM.P1", "CENTRAL_INVESTMENT", 40000000}}, 1);
    line_b_ = owners_.AddLine("25216", {{"NTP_EM.P1", "CENTRAL_INVESTMENT", 30000000},
                                        {"NTP_EM.P1", "LOCAL_ADDITIONAL", 10000000}}, 2);
    line_far_ = owners_.AddLine("25195", {{"NTP_EM.P1", "CENTRAL_INVESTMENT", 5000000}}, 3);
    OwnerRecord h;
    h.found = true;
    h.commune_code = "25216";
    h.facts_json = "{\"classification\":\"POOR\"}";
    owners_.records[household_] = h;
    in_ = Announced();
  }

  v1::Finding Record(std::vector<v1::Reference> refs, bool hold = false, const server::Call* c = nullptr) {
    v1::Finding out;
    absl::Status st = logic_->CreateFinding(c ? *c : leader_, FindingOn(in_, std::move(refs), hold), &out);
    EXPECT_TRUE(st.ok()) << st;
    return out;
  }

  // Drafts, signs and returns the inspection concluded (follow-up may start).
  void Conclude() {
    ASSERT_TRUE(Advance(leader_, &in_, v1::REPORTED, Day(2024, 3, 25)).ok());
    ASSERT_TRUE(Advance(leader_, &in_, v1::DRAFTED, Day(2024, 3, 26)).ok());
  }
  void Sign() { ASSERT_TRUE(Advance(director_, &in_, v1::CONCLUDED, Day(2024, 4, 2)).ok()); }

  v1::Recommendation Financial(const v1::Finding& f, google::type::Date deadline) {
    v1::CreateRecommendationRequest req;
    auto* r = req.mutable_recommendation();
    r->set_inspection(in_.name());
    r->set_finding(f.name());
    r->set_kind(v1::FINANCIAL);
    r->set_description("Thu hồi số tiền hỗ trợ sai đối tượng về ngân sách");
    r->set_owner_unit("25216");
    *r->mutable_deadline() = deadline;
    v1::Recommendation out;
    absl::Status st = logic_->CreateRecommendation(leader_, req, &out);
    EXPECT_TRUE(st.ok()) << st;
    return out;
  }

  absl::Status Recover(const v1::Recommendation& r, int64_t amount, const std::string& source,
                       const std::string& over_reason = "", v1::Recovery* out = nullptr) {
    v1::RecordRecoveryRequest req;
    auto* x = req.mutable_recovery();
    x->set_recommendation(r.name());
    *x->mutable_date() = Day(2024, 5, 10);
    x->set_amount_vnd(amount);
    x->set_source(source);
    x->set_node_code("NTP_EM.P1");
    x->set_document("Giấy nộp tiền 15/GNT");
    x->set_over_recovery_reason(over_reason);
    v1::Recovery got;
    return logic_->RecordRecovery(leader_, req, out ? out : &got);
  }

  std::string line_a_, line_b_, line_far_;
  const std::string household_ = "households/0190c0de-0000-7000-8000-0000000000aa";
  v1::Inspection in_;
};

TEST_F(FindingsTest, MoneyIsComputedFromTheCitedLinesAndSharesAndFrozen) {
  v1::Finding f = Record({Ref(v1::SUPPORT_LINE, line_a_), Ref(v1::SUPPORT_SHARE, line_b_, "NTP_EM.P1", "LOCAL_ADDITIONAL"),
                          Ref(v1::HOUSEHOLD, household_)});
  EXPECT_EQ(f.to_recover_vnd(), 50000000);
  ASSERT_EQ(f.to_recover_size(), 2);
  EXPECT_EQ(f.to_recover(0).source(), "CENTRAL_INVESTMENT");
  EXPECT_EQ(f.to_recover(0).amount_vnd(), 40000000);
  EXPECT_EQ(f.to_recover(1).source(), "LOCAL_ADDITIONAL");
  EXPECT_EQ(f.to_recover(1).amount_vnd(), 10000000);
  ASSERT_EQ(f.references_size(), 3);
  EXPECT_EQ(f.references(0).commune_code(), "25216");
  EXPECT_TRUE(absl::StrContains(f.references(0).facts_json(), "40000000")) << f.references(0).facts_json();
  // The household's facts are personal data: withheld from a caller without the registry's
  // personal-data permissions, shown to one with them.
  EXPECT_TRUE(f.references(2).facts_withheld());
  EXPECT_TRUE(f.references(2).facts_json().empty());
  EXPECT_FALSE(f.references(0).facts_withheld());
  auto privileged = CallAs("auditor", {"inspection.read", "registry.personal_data.*"});
  v1::GetFindingRequest show;
  show.set_name(f.name());
  v1::Finding shown;
  ASSERT_TRUE(logic_->GetFinding(privileged, show, &shown).ok());
  EXPECT_TRUE(absl::StrContains(shown.references(2).facts_json(), "POOR"));
  EXPECT_TRUE(f.open());  // no recommendation yet: open
  // The owner's record changes later; the finding keeps what it relied on.
  owners_.records[line_a_].amount_vnd = 1;
  owners_.records[line_a_].facts_json = "{\"changed\":true}";
  v1::GetFindingRequest get;
  get.set_name(f.name());
  v1::Finding again;
  ASSERT_TRUE(logic_->GetFinding(leader_, get, &again).ok());
  EXPECT_TRUE(absl::StrContains(again.references(0).facts_json(), "40000000"));
  // The references are append-only for the service itself.
  EXPECT_ANY_THROW(ExecAsService("UPDATE finding_refs SET amount_vnd = 0"));
}

TEST_F(FindingsTest, ReferencesTheOwnerDoesNotShowAreRefusedAndNothingIsWritten) {
  v1::Finding out;
  const std::string missing = "supportLines/0190c0de-0000-7000-8000-00000000ffff";
  absl::Status st = logic_->CreateFinding(leader_, FindingOn(in_, {Ref(v1::SUPPORT_LINE, line_a_),
                                                                  Ref(v1::SUPPORT_LINE, missing)}), &out);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << st;
  EXPECT_TRUE(Fields(st).count("finding.references[1].resource")) << st;
  // A record of another commune than the finding's unit is refused, naming it.
  st = logic_->CreateFinding(leader_, FindingOn(in_, {Ref(v1::SUPPORT_LINE, line_far_)}), &out);
  EXPECT_TRUE(Fields(st).count("finding.references[0].resource")) << st;
  // An unknown severity is named, not passed to the database.
  auto bad = FindingOn(in_, {});
  bad.mutable_finding()->set_severity(static_cast<v1::Severity>(9));
  EXPECT_TRUE(Fields(logic_->CreateFinding(leader_, bad, &out)).count("finding.severity"));
  // Outside the caller's scope reads as missing: a team member scoped to 25216 cites a 25195 line.
  auto scoped = CallAs("leader-1", {"inspection.*"}, {"25216"});
  st = logic_->CreateFinding(scoped, FindingOn(in_, {Ref(v1::SUPPORT_LINE, line_far_)}), &out);
  EXPECT_TRUE(Fields(st).count("finding.references[0].resource")) << st;
  // Part of a line with two shares: cite the share.
  st = logic_->CreateFinding(leader_, FindingOn(in_, {Ref(v1::SUPPORT_LINE, line_b_, "", "", 5000000)}), &out);
  EXPECT_TRUE(Fields(st).count("finding.references[0].amount_vnd")) << st;
  // More than the share.
  st = logic_->CreateFinding(
      leader_, FindingOn(in_, {Ref(v1::SUPPORT_SHARE, line_b_, "NTP_EM.P1", "LOCAL_ADDITIONAL", 10000001)}), &out);
  EXPECT_TRUE(Fields(st).count("finding.references[0].amount_vnd")) << st;
  // An owner that cannot answer: UNAVAILABLE, not an unchecked reference.
  owners_.down.insert(kHousehold);
  st = logic_->CreateFinding(leader_, FindingOn(in_, {Ref(v1::HOUSEHOLD, household_)}), &out);
  EXPECT_EQ(st.code(), absl::StatusCode::kUnavailable) << st;
  EXPECT_EQ(Count("SELECT count(*) FROM inspection.findings"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM inspection.finding_refs"), 0);
  // Only the team records findings; not before the announcement.
  owners_.down.clear();
  st = logic_->CreateFinding(director_, FindingOn(in_, {Ref(v1::HOUSEHOLD, household_)}), &out);
  EXPECT_EQ(st.code(), absl::StatusCode::kPermissionDenied) << st;
  v1::Inspection fresh = Create(Decision("DEPARTMENT", v1::CHECK, Day(2024, 3, 1), "25195"));
  st = logic_->CreateFinding(leader_, FindingOn(fresh, {}), &out);
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition) << st;
}

TEST_F(FindingsTest, AThousandLinesAreValidatedInOneOwnerCall) {
  std::vector<v1::Reference> refs;
  for (int i = 0; i < 1000; ++i) {
    refs.push_back(Ref(v1::SUPPORT_LINE, owners_.AddLine("25216", {{"NTP_EM.P1", "CENTRAL_INVESTMENT", 1000}}, 100 + i)));
  }
  v1::Finding f = Record(refs, /*hold=*/true);
  EXPECT_EQ(owners_.calls[kSupportLine], 1);
  EXPECT_EQ(owners_.asked[kSupportLine], 1000);
  EXPECT_EQ(f.references_size(), 1000);
  EXPECT_EQ(f.to_recover_vnd(), 1000000);
  EXPECT_EQ(Count("SELECT count(*) FROM inspection.change_feed WHERE kind = 'HOLD_PLACED'"), 1000);
}

TEST_F(FindingsTest, AHoldIsPlacedAndLiftedOnTheFeed) {
  v1::Finding f = Record({Ref(v1::SUPPORT_LINE, line_a_), Ref(v1::SUPPORT_SHARE, line_b_, "NTP_EM.P1", "LOCAL_ADDITIONAL"),
                          Ref(v1::HOUSEHOLD, household_)},
                         /*hold=*/true);
  EXPECT_TRUE(f.hold_active());
  auto events = store_->ReadFeed(0, 100);
  ASSERT_TRUE(events.ok());
  std::vector<std::string> held;
  for (const auto& e : *events) {
    if (e.kind() == "HOLD_PLACED") held.push_back(e.support_line());
  }
  EXPECT_EQ(held, (std::vector<std::string>{line_a_, line_b_}));
  v1::LiftHoldRequest lift;
  lift.set_name(f.name());
  lift.set_etag(f.etag());
  v1::Finding lifted;
  EXPECT_TRUE(Fields(logic_->LiftHold(leader_, lift, &lifted)).count("reason"));
  lift.set_reason("Hộ đã được xác minh đủ điều kiện");
  // Not by someone outside the team, whatever their permissions.
  EXPECT_EQ(logic_->LiftHold(CallAs("officer-of-the-commune", {"inspection.*"}), lift, &lifted).code(),
            absl::StatusCode::kPermissionDenied);
  ASSERT_TRUE(logic_->LiftHold(leader_, lift, &lifted).ok());
  EXPECT_FALSE(lifted.hold_active());
  EXPECT_EQ(Count("SELECT count(*) FROM inspection.change_feed WHERE kind = 'HOLD_LIFTED'"), 2);
  // Once lifted, a hold is not placed again by an update.
  EXPECT_ANY_THROW(ExecAsService("UPDATE findings SET hold_active = true"));
  EXPECT_EQ(GetReason(logic_->LiftHold(leader_, lift, &lifted)), "NO_HOLD");
}

TEST_F(FindingsTest, RecoveriesNeverExceedWhatIsRequiredUnlessSaidSo) {
  v1::Finding f = Record({Ref(v1::SUPPORT_LINE, line_b_)});
  Conclude();
  v1::Recommendation r = Financial(f, Day(2024, 6, 30));
  ASSERT_EQ(r.required_size(), 2);
  EXPECT_EQ(r.required_vnd(), 40000000);
  // Follow-up and recovery start once the conclusion is signed.
  EXPECT_EQ(Recover(r, 1000000, "CENTRAL_INVESTMENT").code(), absl::StatusCode::kFailedPrecondition);
  Sign();
  ASSERT_TRUE(Recover(r, 20000000, "CENTRAL_INVESTMENT").ok());
  absl::Status st = Recover(r, 10000001, "CENTRAL_INVESTMENT");
  EXPECT_EQ(GetReason(st), "OVER_RECOVERY") << st;
  EXPECT_TRUE(Fields(Recover(r, 1, "STATE_BUDGET")).count("recovery.source"));
  // The database refuses it too.
  EXPECT_ANY_THROW(ExecAsService(absl::StrCat(
      "INSERT INTO recoveries (recommendation_id, day, amount_vnd, source, node_code, document, creator) VALUES ('",
      api::IdOf(r.name()), "', '2024-05-11', 10000001, 'CENTRAL_INVESTMENT', 'NTP_EM.P1', 'x', 'sql')")));
  v1::Recovery over;
  ASSERT_TRUE(Recover(r, 10000001, "CENTRAL_INVESTMENT", "nộp thừa, chờ hoàn trả", &over).ok());
  EXPECT_EQ(over.over_recovery_reason(), "nộp thừa, chờ hoàn trả");
  // A retried recovery is answered from the first, not measured again against the total.
  v1::RecordRecoveryRequest retry;
  retry.set_request_id("0190c0de-0000-7000-8000-0000000000ee");
  retry.mutable_recovery()->set_recommendation(r.name());
  *retry.mutable_recovery()->mutable_date() = Day(2024, 5, 12);
  retry.mutable_recovery()->set_amount_vnd(9999999);
  retry.mutable_recovery()->set_source("CENTRAL_INVESTMENT");
  retry.mutable_recovery()->set_node_code("NTP_EM.P1");
  retry.mutable_recovery()->set_document("GNT 16");
  retry.mutable_recovery()->set_over_recovery_reason("nộp thừa");
  v1::Recovery first, again;
  ASSERT_TRUE(logic_->RecordRecovery(leader_, retry, &first).ok());
  retry.mutable_recovery()->clear_over_recovery_reason();
  retry.mutable_recovery()->set_over_recovery_reason("nộp thừa");
  ASSERT_TRUE(logic_->RecordRecovery(leader_, retry, &again).ok());
  EXPECT_EQ(first.name(), again.name());
  // A second financial recommendation on the same finding would require the money twice.
  {
    v1::CreateRecommendationRequest dup;
    auto* x = dup.mutable_recommendation();
    x->set_inspection(in_.name());
    x->set_finding(f.name());
    x->set_kind(v1::FINANCIAL);
    x->set_description("again");
    x->set_owner_unit("25216");
    *x->mutable_deadline() = Day(2024, 6, 30);
    v1::Recommendation out;
    EXPECT_EQ(logic_->CreateRecommendation(leader_, dup, &out).code(), absl::StatusCode::kAlreadyExists);
  }
  // Done only once everything required is recovered.
  v1::GetRecommendationRequest get;
  get.set_name(r.name());
  ASSERT_TRUE(logic_->GetRecommendation(leader_, get, &r).ok());
  // CENTRAL_INVESTMENT: 40,000,000 recovered of 30,000,000; LOCAL_ADDITIONAL: 0 of 10,000,000.
  // The totals match, but each source is recovered in full before it is done.
  EXPECT_EQ(r.recovered_vnd(), 40000000);
  EXPECT_EQ(r.required_vnd(), 40000000);
  v1::RecordFollowUpRequest fu;
  fu.set_recommendation(r.name());
  fu.set_etag(r.etag());
  *fu.mutable_follow_up()->mutable_date() = Day(2024, 6, 1);
  fu.mutable_follow_up()->set_status(v1::DONE);
  fu.mutable_follow_up()->set_evidence("Biên bản kiểm tra 02/BB");
  EXPECT_EQ(GetReason(logic_->RecordFollowUp(leader_, fu, &r)), "NOT_RECOVERED");
  ASSERT_TRUE(Recover(r, 10000000, "LOCAL_ADDITIONAL").ok());
  ASSERT_TRUE(logic_->GetRecommendation(leader_, get, &r).ok());
  fu.set_etag(r.etag());
  ASSERT_TRUE(logic_->RecordFollowUp(leader_, fu, &r).ok());
  EXPECT_EQ(r.status(), v1::DONE);
  EXPECT_EQ(Count("SELECT count(*) FROM inspection.change_feed WHERE kind = 'RECOVERY_RECORDED'"), 4);
  EXPECT_EQ(Count("SELECT sum(amount_vnd) FROM inspection.change_feed WHERE kind = 'RECOVERY_RECORDED'"), 50000000);
}

TEST_F(FindingsTest, OverdueRecommendationsAreListedAndCounted) {
  v1::Finding f = Record({Ref(v1::SUPPORT_LINE, line_a_)});
  Conclude();
  v1::Recommendation late = Financial(f, Day(2024, 6, 30));
  v1::CreateRecommendationRequest req;
  auto* r = req.mutable_recommendation();
  r->set_inspection(in_.name());
  r->set_kind(v1::ADMINISTRATIVE);
  r->set_description("Niêm yết công khai danh sách hộ được hỗ trợ");
  r->set_owner_unit("25216");
  *r->mutable_deadline() = Day(2099, 1, 1);
  v1::Recommendation future;
  ASSERT_TRUE(logic_->CreateRecommendation(leader_, req, &future).ok());
  Sign();
  v1::ListRecommendationsRequest list;
  list.set_overdue_only(true);
  v1::ListRecommendationsResponse resp;
  ASSERT_TRUE(logic_->ListRecommendations(leader_, list, &resp).ok());
  ASSERT_EQ(resp.recommendations_size(), 1);
  EXPECT_EQ(resp.recommendations(0).name(), late.name());
  EXPECT_TRUE(resp.recommendations(0).overdue());
  v1::GetStatisticsRequest sreq;
  sreq.mutable_period()->set_type(common::v1::Period::YEAR);
  sreq.mutable_period()->set_year(2024);
  v1::Statistics stats;
  ASSERT_TRUE(logic_->GetStatistics(leader_, sreq, &stats).ok());
  EXPECT_EQ(stats.recommendations(), 1);
  EXPECT_EQ(stats.recommendations_overdue(), 1);
  EXPECT_EQ(stats.conclusions_signed(), 1);
  EXPECT_EQ(stats.conclusions_fully_carried_out(), 0);
  EXPECT_EQ(stats.required_vnd(), 40000000);
  // Recovered in full and done: off the list, and the conclusion is carried out (the other
  // recommendation falls due in 2099, outside 2024's figures but still open).
  ASSERT_TRUE(Recover(late, 40000000, "CENTRAL_INVESTMENT").ok());
  v1::GetRecommendationRequest get;
  get.set_name(late.name());
  ASSERT_TRUE(logic_->GetRecommendation(leader_, get, &late).ok());
  v1::RecordFollowUpRequest fu;
  fu.set_recommendation(late.name());
  fu.set_etag(late.etag());
  *fu.mutable_follow_up()->mutable_date() = Day(2024, 7, 2);
  fu.mutable_follow_up()->set_status(v1::DONE);
  fu.mutable_follow_up()->set_evidence("Biên bản 03/BB");
  // A commune officer of another area cannot see it at all.
  EXPECT_EQ(logic_->RecordFollowUp(commune_, fu, &late).code(), absl::StatusCode::kNotFound);
  ASSERT_TRUE(logic_->RecordFollowUp(leader_, fu, &late).ok());
  resp.Clear();
  ASSERT_TRUE(logic_->ListRecommendations(leader_, list, &resp).ok());
  EXPECT_EQ(resp.recommendations_size(), 0);
  ASSERT_TRUE(logic_->GetStatistics(leader_, sreq, &stats).ok());
  EXPECT_EQ(stats.recommendations_done(), 1);
  EXPECT_DOUBLE_EQ(stats.completion_rate(), 1.0);
  EXPECT_EQ(stats.recovered_vnd(), 40000000);
  EXPECT_EQ(stats.conclusions_fully_carried_out(), 0);  // the 2099 one is still open
}

TEST_F(FindingsTest, ReportsByNodeAndUnitAndFlaggedRecords) {
  Record({Ref(v1::SUPPORT_LINE, line_a_), Ref(v1::HOUSEHOLD, household_)});
  v1::CreateFindingRequest minor = FindingOn(in_, {Ref(v1::SUPPORT_LINE, line_b_)});
  minor.mutable_finding()->set_severity(v1::MINOR);
  minor.mutable_finding()->set_category("PROCEDURE");
  v1::Finding m;
  ASSERT_TRUE(logic_->CreateFinding(leader_, minor, &m).ok());
  v1::GetFindingsReportRequest req;
  req.mutable_period()->set_type(common::v1::Period::YEAR);
  req.mutable_period()->set_year(2024);
  req.add_group_by(v1::BY_NODE);
  req.add_group_by(v1::BY_UNIT);
  v1::FindingsReport rep;
  ASSERT_TRUE(logic_->GetFindingsReport(leader_, req, &rep).ok());
  ASSERT_EQ(rep.rows_size(), 1);
  EXPECT_EQ(rep.rows(0).node_code(), "NTP_EM.P1");
  EXPECT_EQ(rep.rows(0).unit_code(), "25216");
  EXPECT_EQ(rep.rows(0).findings(), 2);
  EXPECT_EQ(rep.rows(0).to_recover_vnd(), 80000000);
  EXPECT_EQ(rep.findings(), 2);
  req.clear_group_by();
  req.add_group_by(v1::BY_CATEGORY);
  rep.Clear();
  ASSERT_TRUE(logic_->GetFindingsReport(leader_, req, &rep).ok());
  EXPECT_EQ(rep.rows_size(), 2);
  // The trigger-kept aggregate agrees with the findings themselves.
  EXPECT_EQ(Count("SELECT sum(findings) FROM inspection.findings_agg WHERE NOT by_node"),
            Count("SELECT count(*) FROM inspection.findings"));
  EXPECT_EQ(Count("SELECT sum(to_recover_vnd) FROM inspection.findings_agg WHERE by_node"),
            Count("SELECT sum(amount_vnd) FROM inspection.finding_money"));
  // For awards: the household with an open serious finding against it.
  v1::ListFlaggedRecordsRequest fr;
  fr.set_open_serious_only(true);
  fr.set_kind(v1::HOUSEHOLD);
  v1::ListFlaggedRecordsResponse flagged;
  ASSERT_TRUE(logic_->ListFlaggedRecords(leader_, fr, &flagged).ok());
  ASSERT_EQ(flagged.records_size(), 1);
  EXPECT_EQ(flagged.records(0).resource(), household_);
  EXPECT_EQ(flagged.records(0).open_serious_findings(), 1);
  // Support lines with findings: both lines, the minor one not open-serious.
  fr.set_kind(v1::SUPPORT_LINE);
  fr.set_open_serious_only(false);
  flagged.Clear();
  ASSERT_TRUE(logic_->ListFlaggedRecords(leader_, fr, &flagged).ok());
  EXPECT_EQ(flagged.records_size(), 2);
  // Another area sees none of it.
  flagged.Clear();
  ASSERT_TRUE(logic_->ListFlaggedRecords(commune_, fr, &flagged).ok());
  EXPECT_EQ(flagged.records_size(), 0);
}

}  // namespace
}  // namespace lnob::inspection
