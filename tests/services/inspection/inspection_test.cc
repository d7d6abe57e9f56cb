// Inspection plans, decisions and the conclusion workflow against the real schema: who may
// run what on a date, overlaps, the workflow's illegal moves refused by the database,
// appraisal, the signing deadline, maker-checker, publication and confidentiality.

#include "absl/strings/match.h"
#include "tests/services/inspection/inspection_fixture.h"

namespace lnob::inspection {
namespace {

TEST_F(InspectionTest, WhichAgencyMayRunWhichKindIsDataByDate) {
  // The department's own inspectorate ran inspections until 30 June 2025 (Law 84/2025).
  v1::Inspection before = Create(Decision("DEPARTMENT_INSPECTORATE", v1::INSPECTION, Day(2025, 6, 30), "25195"));
  EXPECT_EQ(before.state(), v1::DECIDED);
  v1::Inspection out;
  // The decider signs what the team drafts: never one of the team.
  auto both = Decision("DEPARTMENT_INSPECTORATE", v1::INSPECTION, Day(2025, 6, 1), "688");
  both.mutable_inspection()->add_members("director");
  EXPECT_TRUE(Fields(logic_->CreateInspection(director_, both, &out)).count("inspection.members[1]"));
  absl::Status st =
      logic_->CreateInspection(director_, Decision("DEPARTMENT_INSPECTORATE", v1::INSPECTION, Day(2025, 7, 1)), &out);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << st;
  EXPECT_TRUE(Fields(st).count("inspection.kind")) << st;
  // The department keeps its checks; the provincial inspectorate runs inspections.
  Create(Decision("DEPARTMENT", v1::CHECK, Day(2025, 7, 1), "689"));
  st = logic_->CreateInspection(director_, Decision("DEPARTMENT", v1::INSPECTION, Day(2025, 7, 1), "688"), &out);
  EXPECT_TRUE(Fields(st).count("inspection.kind")) << st;
  Create(Decision("PROVINCIAL_INSPECTORATE", v1::INSPECTION, Day(2025, 8, 1), "70"));
  // The database refuses it too, whatever writes.
  EXPECT_ANY_THROW(ExecAsService(
      "INSERT INTO inspections (id, kind, agency_code, decision_number, decision_date, origin, decider, leader,"
      " duration_days, scope, period_from, period_to, creator) VALUES (gen_random_uuid(), 'INSPECTION',"
      " 'DEPARTMENT_INSPECTORATE', 'X', '2025-09-01', 'AD_HOC', 'd', 'l', 10, 's', '2024-01-01', '2024-12-31', 'sql')"));
  v1::ListAgenciesResponse agencies;
  ASSERT_TRUE(logic_->ListAgencies(outsider_, v1::ListAgenciesRequest(), &agencies).ok());
  EXPECT_EQ(agencies.agencies_size(), 3);
}

TEST_F(InspectionTest, AnOverlappingSubjectNeedsAReasonAndNamesTheOther) {
  v1::Inspection first = Create(Decision("DEPARTMENT", v1::CHECK, Day(2024, 3, 1)));
  // The provincial inspectorate, same commune, same year, overlapping period.
  auto again = Decision("PROVINCIAL_INSPECTORATE", v1::INSPECTION, Day(2024, 9, 1));
  again.mutable_inspection()->mutable_subjects(0)->set_organisation("ubnd xa tan tien");  // same body, other spelling
  v1::Inspection out;
  absl::Status st = logic_->CreateInspection(director_, again, &out);
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition) << st;
  EXPECT_EQ(GetReason(st), "OVERLAP");
  EXPECT_TRUE(absl::StrContains(st.message(), first.name())) << st;
  // Another commune, or a period that does not overlap, goes ahead without a reason.
  auto other = Decision("PROVINCIAL_INSPECTORATE", v1::INSPECTION, Day(2024, 9, 1), "25195");
  EXPECT_TRUE(logic_->CreateInspection(director_, other, &out).ok());
  // With a reason it is recorded, flagged with the other named.
  again.mutable_inspection()->set_overlap_reason("Đơn tố cáo mới về hỗ trợ nhà ở");
  ASSERT_TRUE(logic_->CreateInspection(director_, again, &out).ok());
  ASSERT_GE(out.overlaps_size(), 1);
  EXPECT_EQ(out.overlaps(0).other(), first.name());
  // The database refuses an unexplained overlap written directly.
  EXPECT_ANY_THROW(ExecAsService(
      absl::StrCat("INSERT INTO subjects (owner, unit_code, agency_code, kind, year, period_from, period_to)"
                   " VALUES ('inspections/x', '25216', 'DEPARTMENT', 'CHECK', 2024, '2023-01-01', '2023-02-01')")));
  v1::GetStatisticsRequest sreq;
  sreq.mutable_period()->set_type(common::v1::Period::YEAR);
  sreq.mutable_period()->set_year(2024);
  v1::Statistics stats;
  ASSERT_TRUE(logic_->GetStatistics(director_, sreq, &stats).ok());
  EXPECT_GT(stats.cursor(), 0);  // the decisions above are in the change feed
  EXPECT_EQ(stats.overlaps_flagged(), 1);
  EXPECT_EQ(stats.checks(), 1);
  EXPECT_EQ(stats.inspections(), 2);
}

TEST_F(InspectionTest, ARetriedDecisionIsAnsweredFromTheFirstAndDoesNotOverlapItself) {
  auto req = Decision("DEPARTMENT", v1::CHECK, Day(2024, 3, 1));
  req.set_request_id("0190c0de-0000-7000-8000-00000000000a");
  v1::Inspection first = Create(req);
  v1::Inspection again = Create(req);
  EXPECT_EQ(again.name(), first.name());
  EXPECT_EQ(Count("SELECT count(*) FROM inspection.inspections"), 1);
  // A new request for the same subject and period is the overlap.
  req.set_request_id("0190c0de-0000-7000-8000-00000000000b");
  v1::Inspection out;
  EXPECT_EQ(GetReason(logic_->CreateInspection(director_, req, &out)), "OVERLAP");
}

TEST_F(InspectionTest, APlannedDecisionDoesNotOverlapItsOwnPlanItem) {
  v1::CreatePlanRequest req;
  auto* p = req.mutable_plan();
  p->set_agency_code("DEPARTMENT");
  p->set_year(2024);
  p->set_number("KH 12/KH-BDT");
  *p->mutable_issued_date() = Day(2023, 12, 15);
  auto* item = p->add_items();
  item->set_kind(v1::CHECK);
  auto* s = item->add_subjects();
  s->set_unit_code("25216");
  item->set_scope("Chính sách người có uy tín");
  *item->mutable_period_from() = Day(2022, 1, 1);
  *item->mutable_period_to() = Day(2023, 12, 31);
  *item->mutable_planned_start() = Day(2024, 4, 1);
  *item->mutable_planned_end() = Day(2025, 1, 30);
  v1::Plan bad_plan;
  EXPECT_TRUE(Fields(logic_->CreatePlan(director_, req, &bad_plan)).count("plan.items[0].planned_end"));
  *item->mutable_planned_end() = Day(2024, 4, 30);
  // A second item on the same subject and period in the same plan is an overlap too.
  *p->add_items() = *item;
  v1::Plan plan;
  absl::Status st = logic_->CreatePlan(director_, req, &plan);
  EXPECT_EQ(GetReason(st), "OVERLAP") << st;
  p->mutable_items()->RemoveLast();
  ASSERT_TRUE(logic_->CreatePlan(director_, req, &plan).ok());
  ASSERT_EQ(plan.items_size(), 1);
  auto d = Decision("DEPARTMENT", v1::CHECK, Day(2024, 3, 25));
  d.mutable_inspection()->set_origin(v1::PLANNED);
  d.mutable_inspection()->set_plan_item(plan.name() + "/items/1");
  d.mutable_inspection()->mutable_subjects(0)->clear_organisation();
  v1::Inspection planned = Create(d);
  EXPECT_EQ(planned.plan_item(), plan.name() + "/items/1");
  EXPECT_EQ(planned.overlaps_size(), 0);
  // A second decision from the same item is an overlap of the first, named.
  d.mutable_inspection()->set_decision_number("QĐ 99/QĐ-BDT");
  v1::Inspection twice;
  absl::Status again = logic_->CreateInspection(director_, d, &twice);
  EXPECT_EQ(GetReason(again), "OVERLAP") << again;
  EXPECT_TRUE(absl::StrContains(again.message(), planned.name())) << again;
  // An ad hoc decision on the same subject overlaps the plan item (and the planned decision).
  v1::Inspection out;
  st = logic_->CreateInspection(director_, Decision("PROVINCIAL_INSPECTORATE", v1::INSPECTION, Day(2024, 5, 1)), &out);
  EXPECT_EQ(GetReason(st), "OVERLAP") << st;
}

TEST_F(InspectionTest, TheWorkflowsIllegalMovesAreRefusedByTheDatabase) {
  v1::Inspection in = Create(Decision("DEPARTMENT", v1::CHECK, Day(2024, 3, 1)));
  {
    v1::ListInspectionsRequest open;
    open.set_open_only(true);
    v1::ListInspectionsResponse listed;
    ASSERT_TRUE(logic_->ListInspections(director_, open, &listed).ok());
    ASSERT_EQ(listed.inspections_size(), 1);
    EXPECT_EQ(listed.inspections(0).name(), in.name());
  }
  // Straight to a report, or a signature, is not a move of the workflow.
  absl::Status st = Advance(leader_, &in, v1::REPORTED, Day(2024, 3, 10));
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition) << st;
  // The database's refusal says which rule.
  EXPECT_TRUE(absl::StrContains(st.message(), "cannot move to REPORTED")) << st;
  EXPECT_ANY_THROW(ExecAsService(
      absl::StrCat("UPDATE inspections SET state = 'PUBLISHED' WHERE id = '", api::IdOf(in.name()), "'")));
  // Only the team moves it through fieldwork.
  st = Advance(outsider_, &in, v1::ANNOUNCED, Day(2024, 3, 5));
  EXPECT_EQ(st.code(), absl::StatusCode::kPermissionDenied) << st;
  ASSERT_TRUE(Advance(leader_, &in, v1::ANNOUNCED, Day(2024, 3, 5), [](auto& r) {
                auto* d = r.add_data_requests();
                d->set_addressee("UBND xã Tân Tiến");
                d->set_description("Hồ sơ hỗ trợ nhà ở 2022-2023");
                *d->mutable_requested_date() = Day(2024, 3, 5);
                *d->mutable_due_date() = Day(2024, 3, 15);
              }).ok());
  EXPECT_EQ(in.data_requests_size(), 1);
  // Steps are in date order, and a state is not entered twice.
  st = Advance(leader_, &in, v1::REPORTED, Day(2024, 3, 4));
  EXPECT_TRUE(Fields(st).count("date")) << st;
  EXPECT_EQ(Advance(leader_, &in, v1::ANNOUNCED, Day(2024, 3, 6)).code(), absl::StatusCode::kFailedPrecondition);
  // A stale etag is refused.
  v1::Inspection stale = in;
  ASSERT_TRUE(Advance(leader_, &in, v1::REPORTED, Day(2024, 3, 25)).ok());
  EXPECT_EQ(Advance(member_, &stale, v1::DRAFTED, Day(2024, 3, 26)).code(), absl::StatusCode::kAborted);
  ASSERT_TRUE(Advance(member_, &in, v1::DRAFTED, Day(2024, 3, 26)).ok());
  EXPECT_EQ(in.state(), v1::DRAFTED);
  EXPECT_EQ(api::ProtoDateText(in.signing_due()), "2024-04-10");  // 15 days (Law 11/2022 Art. 78)
  // Only the decider signs; the drafter never (maker-checker, also in the database).
  st = Advance(leader_, &in, v1::CONCLUDED, Day(2024, 4, 1));
  EXPECT_EQ(st.code(), absl::StatusCode::kPermissionDenied) << st;
  try {
    ExecAsService(absl::StrCat("UPDATE conclusions SET signer = drafter, signed_date = '2024-04-01', number = 'x'"
                               " WHERE inspection_id = '", api::IdOf(in.name()), "'"));
    ADD_FAILURE() << "the database let the drafter sign";
  } catch (const pqxx::check_violation& e) {
    EXPECT_TRUE(absl::StrContains(e.what(), "maker_checker")) << e.what();
  }
  // A 2024 draft needs no appraisal; a late signature needs a reason.
  st = Advance(director_, &in, v1::CONCLUDED, Day(2024, 4, 12));
  EXPECT_TRUE(Fields(st).count("late_reason")) << st;
  ASSERT_TRUE(Advance(director_, &in, v1::CONCLUDED, Day(2024, 4, 12),
                      [](auto& r) { r.set_late_reason("chờ ý kiến cơ quan quản lý"); })
                  .ok());
  EXPECT_EQ(in.state(), v1::CONCLUDED);
  // No longer open (what awards asks before a decision).
  v1::ListInspectionsRequest open;
  open.set_open_only(true);
  v1::ListInspectionsResponse listed;
  ASSERT_TRUE(logic_->ListInspections(director_, open, &listed).ok());
  for (const auto& i : listed.inspections()) EXPECT_NE(i.name(), in.name());
  open.set_open_only(false);
  ASSERT_TRUE(logic_->ListInspections(director_, open, &listed).ok());
  EXPECT_EQ(listed.inspections_size(), 1);
  ASSERT_EQ(in.steps_size(), 5);
  EXPECT_EQ(in.steps(4).actor(), "director");
  // The signed text does not change.
  EXPECT_ANY_THROW(ExecAsService(absl::StrCat("UPDATE conclusions SET text = 'khác' WHERE inspection_id = '",
                                              api::IdOf(in.name()), "'")));
}

TEST_F(InspectionTest, DraftsFromJuly2025AreAppraisedBeforeSigning) {
  v1::Inspection in = Create(Decision("PROVINCIAL_INSPECTORATE", v1::INSPECTION, Day(2025, 8, 1)));
  ASSERT_TRUE(Advance(leader_, &in, v1::ANNOUNCED, Day(2025, 8, 5)).ok());
  ASSERT_TRUE(Advance(leader_, &in, v1::REPORTED, Day(2025, 9, 1)).ok());
  ASSERT_TRUE(Advance(leader_, &in, v1::DRAFTED, Day(2025, 9, 2)).ok());
  absl::Status st = Advance(director_, &in, v1::CONCLUDED, Day(2025, 9, 5));
  EXPECT_EQ(GetReason(st), "APPRAISAL_REQUIRED") << st;
  // The database refuses it too, whatever writes.
  EXPECT_ANY_THROW(ExecAsService(absl::StrCat(
      "UPDATE conclusions SET signer = 'director', signed_date = '2025-09-05', number = 'x' WHERE inspection_id = '",
      api::IdOf(in.name()), "'; UPDATE inspections SET state = 'CONCLUDED' WHERE id = '", api::IdOf(in.name()), "'")));
  // The team cannot appraise its own draft; an appraiser can.
  auto team_appraiser = CallAs("member-1", {"inspection.*"});
  EXPECT_EQ(Advance(team_appraiser, &in, v1::APPRAISED, Day(2025, 9, 4)).code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Advance(leader_, &in, v1::APPRAISED, Day(2025, 9, 4)).code(), absl::StatusCode::kPermissionDenied);
  ASSERT_TRUE(Advance(appraiser_, &in, v1::APPRAISED, Day(2025, 9, 4)).ok());
  // A second appraisal would overwrite the first: refused.
  EXPECT_EQ(Advance(CallAs("appraiser-2", {"inspection.read", "inspection.conclusions.appraise"}), &in, v1::APPRAISED,
                    Day(2025, 9, 4))
                .code(),
            absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(Advance(director_, &in, v1::CONCLUDED, Day(2025, 9, 5)).ok());
  v1::GetConclusionRequest get;
  get.set_name(in.name() + "/conclusion");
  v1::Conclusion c;
  ASSERT_TRUE(logic_->GetConclusion(director_, get, &c).ok());
  EXPECT_EQ(c.appraiser(), "appraiser");
  EXPECT_EQ(c.signer(), "director");
  EXPECT_EQ(c.drafter(), "leader-1");
}

TEST_F(InspectionTest, PublicationHidesSecretsAndStaysUpFifteenDays) {
  v1::Inspection in = Announced();
  ASSERT_TRUE(Advance(leader_, &in, v1::REPORTED, Day(2024, 3, 25)).ok());
  ASSERT_TRUE(Advance(leader_, &in, v1::DRAFTED, Day(2024, 3, 26), [](auto& r) {
                r.set_conclusion_text("Kết luận chung. Tài khoản ngân hàng 0123-456 của doanh nghiệp X. Kiến nghị.");
                auto* p = r.add_protected_passages();
                p->set_text("Tài khoản ngân hàng 0123-456 của doanh nghiệp X.");
                p->set_reason("BANK_SECRET");
              }).ok());
  v1::GetConclusionRequest get;
  get.set_name(in.name() + "/conclusion");
  v1::Conclusion c;
  // The draft is confidential to the team, the decider and the appraiser.
  ASSERT_TRUE(logic_->GetConclusion(outsider_, get, &c).ok());
  EXPECT_TRUE(c.confidential());
  EXPECT_TRUE(c.text().empty());
  ASSERT_TRUE(logic_->GetConclusion(member_, get, &c).ok());
  EXPECT_FALSE(c.confidential());
  EXPECT_TRUE(absl::StrContains(c.text(), "0123-456"));
  // An officer of another area does not even see that it exists until it is published.
  EXPECT_EQ(logic_->GetConclusion(commune_, get, &c).code(), absl::StatusCode::kNotFound);
  ASSERT_TRUE(Advance(director_, &in, v1::CONCLUDED, Day(2024, 4, 2)).ok());
  ASSERT_TRUE(Advance(leader_, &in, v1::PUBLISHED, Day(2024, 4, 5)).ok());
  ASSERT_TRUE(logic_->GetConclusion(commune_, get, &c).ok());
  EXPECT_TRUE(c.confidential());
  EXPECT_FALSE(absl::StrContains(c.published_text(), "0123-456")) << c.published_text();
  EXPECT_TRUE(absl::StrContains(c.published_text(), "Kiến nghị")) << c.published_text();
  EXPECT_EQ(api::ProtoDateText(c.withdrawable_from()), "2024-04-20");
  // Not withdrawn before 15 days (the database's window).
  absl::Status st = Advance(leader_, &in, v1::WITHDRAWN, Day(2024, 4, 10));
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition) << st;
  ASSERT_TRUE(Advance(leader_, &in, v1::WITHDRAWN, Day(2024, 4, 20)).ok());
  // A published text holding a protected passage is refused by the database.
  EXPECT_ANY_THROW(ExecAsService(absl::StrCat("UPDATE conclusions SET published_text = text WHERE inspection_id = '",
                                               api::IdOf(in.name()), "'")));
}

TEST_F(InspectionTest, PassagesInAnotherNormalFormAndOverlappingPassagesStayHidden) {
  v1::Inspection in = Announced();
  ASSERT_TRUE(Advance(leader_, &in, v1::REPORTED, Day(2024, 3, 25)).ok());
  // "Nguyễn" written decomposed (NFD) in both the text and the passage; the passages overlap.
  const std::string nfd = "Nguye\xcc\x82\xcc\x83n";
  ASSERT_TRUE(Advance(leader_, &in, v1::DRAFTED, Day(2024, 3, 26), [&](auto& r) {
                r.set_conclusion_text("Kết luận. Tài khoản 0123 của ông " + nfd + " tại ngân hàng X. Kiến nghị.");
                auto* a = r.add_protected_passages();
                a->set_text("0123");
                a->set_reason("BANK_SECRET");
                auto* b = r.add_protected_passages();
                b->set_text("Tài khoản 0123 của ông " + nfd + " tại ngân hàng X.");
                b->set_reason("BANK_SECRET");
              }).ok());
  ASSERT_TRUE(Advance(director_, &in, v1::CONCLUDED, Day(2024, 4, 2)).ok());
  ASSERT_TRUE(Advance(leader_, &in, v1::PUBLISHED, Day(2024, 4, 5)).ok());
  v1::GetConclusionRequest get;
  get.set_name(in.name() + "/conclusion");
  v1::Conclusion c;
  ASSERT_TRUE(logic_->GetConclusion(outsider_, get, &c).ok());
  EXPECT_EQ(c.published_text(), "Kết luận. [BANK_SECRET] Kiến nghị.");
}

TEST_F(InspectionTest, ChangesAreOnTheFeedInCommitOrder) {
  v1::Inspection in = Announced();
  auto events = store_->ReadFeed(0, 100);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[0].kind(), "INSPECTION_DECIDED");
  EXPECT_EQ((*events)[0].commune_code(), "25216");
  EXPECT_EQ((*events)[1].kind(), "INSPECTION_ADVANCED");
  EXPECT_LT((*events)[0].cursor(), (*events)[1].cursor());
}

}  // namespace
}  // namespace lnob::inspection
