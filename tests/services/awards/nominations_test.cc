// Nominations against the real awards schema: evidence frozen from its owners (faked here) and
// never changed, the unit's review, council votes under quorum and majority, decisions within
// the authority of their date, one achievement rewarded once under concurrency, quotas,
// prerequisites, the integrity gate, submission upward and revocation.

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_format.h"
#include "common/api/resource_name.h"
#include "common/status/status.h"
#include "common/util/sha256.h"
#include "tests/services/awards/awards_fixture.h"

namespace lnob::awards {
namespace {

std::string Name(const char* collection, int i) {
  return absl::StrFormat("%s/00000000-0000-7000-8000-%012d", collection, i);
}

class NominationsTest : public AwardsTest {
 protected:
  void SetUp() override {
    AwardsTest::SetUp();
    head_ = CallAs("head-1", {"awards.*"});
    for (int i = 1; i <= 5; ++i) members_.push_back(CallAs(absl::StrCat("member-", i), {"awards.read", "awards.council.vote"}));
    for (int i = 1; i <= 4; ++i) {
      owners_.households[Name("households", i)] = {.commune = "25195", .escaped = i <= 2, .ethnic_minority = i != 4};
    }
    owners_.households[Name("households", 9)] = {.commune = "25216"};  // another district
    owners_.activities[Name("activities", 1)] = {.commune = "25195", .participants = 40};
    owners_.activities[Name("activities", 2)] = {.commune = "25195", .participants = 25};
    v1::CreateCouncilRequest req;
    req.set_request_id(NewRequestId());
    auto* c = req.mutable_council();
    c->set_title("Hội đồng Thi đua - Khen thưởng Ban Dân tộc");
    c->set_unit_code("70");
    const char* names[] = {"Trần Văn Hùng", "Lê Thị Mai", "Phạm Văn Nam", "Điểu Lanh", "Nguyễn Thị Hoa"};
    for (int i = 0; i < 5; ++i) {
      auto* m = c->add_members();
      m->set_principal(absl::StrCat("member-", i + 1));
      m->set_display_name(names[i]);
      m->set_role(i == 0 ? "Chủ tịch" : "Ủy viên");
    }
    absl::Status st = logic_->CreateCouncil(officer_, req, &council_);
    ASSERT_TRUE(st.ok()) << st;
  }

  static std::string NewRequestId() {
    static std::atomic<int> n{0};
    return absl::StrFormat("00000000-0000-4000-8000-%012d", ++n);
  }

  v1::CreateNominationRequest Request(const std::string& person, const std::string& form = "TITLE_ADVANCED_WORKER",
                                      const std::string& achievement = "2024/ANNUAL_TASKS", int year = 2024) {
    v1::CreateNominationRequest req;
    req.set_request_id(NewRequestId());
    auto* n = req.mutable_nomination();
    n->set_year(year);
    n->set_form_code(form);
    n->set_subject_kind(v1::INDIVIDUAL);
    n->set_subject_name(person);
    n->set_unit_code("25195");
    n->set_sex(v1::FEMALE);
    n->set_ethnic_group_code("18");
    auto* a = n->add_achievements();
    a->set_key(achievement);
    a->set_description("Hoàn thành tốt nhiệm vụ năm");
    return req;
  }

  absl::StatusOr<v1::Nomination> Nominate(const v1::CreateNominationRequest& req) {
    v1::Nomination out;
    absl::Status st = logic_->CreateNomination(commune_, req, &out);
    if (!st.ok()) return st;
    return out;
  }

  absl::Status UnitReview(v1::Nomination* n, int attendees = 10, int votes_for = 8) {
    v1::RecordUnitReviewRequest req;
    req.set_request_id(NewRequestId());
    req.set_nomination(n->name());
    auto* r = req.mutable_review();
    *r->mutable_meeting_date() = Day(2025, 1, 10);
    r->set_attendees(attendees);
    r->set_votes_for(votes_for);
    r->set_votes_against(attendees - votes_for);
    r->set_proposed(votes_for * 2 > attendees);
    r->set_minutes("BB 01/BB-UBND");
    return logic_->RecordUnitReview(commune_, req, n);
  }

  absl::Status Open(v1::Nomination* n) {
    v1::OpenCouncilReviewRequest req;
    req.set_request_id(NewRequestId());
    req.set_nomination(n->name());
    req.set_council(council_.name());
    *req.mutable_opened_date() = Day(2025, 1, 15);
    return logic_->OpenCouncilReview(officer_, req, n);
  }

  absl::Status Vote(v1::Nomination* n, int member, v1::VoteChoice choice, std::string snapshot = "") {
    v1::CastVoteRequest req;
    req.set_request_id(NewRequestId());
    req.set_nomination(n->name());
    req.set_choice(choice);
    req.set_snapshot(snapshot.empty() ? n->council_review().snapshot() : snapshot);
    return logic_->CastVote(members_[member - 1], req, n);
  }

  absl::Status Close(v1::Nomination* n) {
    v1::CloseCouncilReviewRequest req;
    req.set_request_id(NewRequestId());
    req.set_nomination(n->name());
    return logic_->CloseCouncilReview(officer_, req, n);
  }

  // Unit review, council, four YES votes: COUNCIL_APPROVED.
  v1::Nomination Approved(const v1::CreateNominationRequest& req) {
    auto n = Nominate(req);
    EXPECT_TRUE(n.ok()) << n.status();
    if (!n.ok()) return {};
    EXPECT_TRUE(UnitReview(&*n).ok());
    EXPECT_TRUE(Open(&*n).ok());
    for (int m = 1; m <= 4; ++m) EXPECT_TRUE(Vote(&*n, m, v1::YES).ok());
    EXPECT_TRUE(Close(&*n).ok());
    EXPECT_EQ(n->state(), v1::COUNCIL_APPROVED);
    return *n;
  }

  v1::DecideNominationRequest DecideRequest(const v1::Nomination& n, const std::string& level = "AGENCY_HEAD",
                                            google::type::Date date = Day(2025, 1, 20)) {
    v1::DecideNominationRequest req;
    req.set_request_id(NewRequestId());
    req.set_nomination(n.name());
    auto* d = req.mutable_decision();
    d->set_number("QĐ 12/QĐ-BDT");
    *d->mutable_date() = date;
    d->set_authority_level(level);
    d->set_signer("Trưởng ban Ban Dân tộc");
    return req;
  }

  absl::Status Decide(v1::Nomination* n, const std::string& level = "AGENCY_HEAD",
                      google::type::Date date = Day(2025, 1, 20)) {
    return logic_->DecideNomination(head_, DecideRequest(*n, level, date), n);
  }

  server::Call head_;
  std::vector<server::Call> members_;
  v1::Council council_;
};

TEST_F(NominationsTest, EvidenceIsFrozenWithTheOwnersCursorsAndNeverChanges) {
  auto req = Request("Hà Thị Sen");
  auto* er = req.mutable_nomination()->mutable_evidence_request();
  for (int i = 1; i <= 4; ++i) er->add_households(Name("households", i));
  er->add_activities(Name("activities", 1));
  er->add_activities(Name("activities", 2));
  er->set_area_poverty(true);
  auto n = Nominate(req);
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(n->state(), v1::DRAFT);
  EXPECT_TRUE(n->ethnic_minority());
  const auto& ev = n->evidence();
  EXPECT_EQ(ev.name(), n->name() + "/evidence/1");
  EXPECT_EQ(ev.items(), 7);
  EXPECT_EQ(ev.summary().households(), 4);
  EXPECT_EQ(ev.summary().households_escaped(), 2);
  EXPECT_EQ(ev.summary().households_ethnic_minority(), 3);
  EXPECT_EQ(ev.summary().activities(), 2);
  EXPECT_EQ(ev.summary().activity_participants(), 65);
  EXPECT_EQ(api::ProtoDateText(ev.as_of()), "2024-12-31");  // the end of the nominated year
  EXPECT_EQ(ev.digest().size(), 64u);
  std::map<std::string, int64_t> cursors;
  for (const auto& o : ev.owners()) cursors[o.owner()] = o.cursor();
  EXPECT_EQ(cursors["registry"], 10);
  EXPECT_EQ(cursors["campaigns"], 20);

  // The registry's data changes afterwards: the snapshot does not.
  owners_.households[Name("households", 1)].classification = "NEAR_POOR";
  owners_.households[Name("households", 1)].escaped = false;
  owners_.registry_cursor = 11;
  v1::GetNominationRequest get;
  get.set_name(n->name());
  v1::Nomination again;
  ASSERT_TRUE(logic_->GetNomination(commune_, get, &again).ok());
  EXPECT_EQ(again.evidence().digest(), ev.digest());
  EXPECT_EQ(again.evidence().summary().households_escaped(), 2);
  // A re-read shows exactly what changed since, and changes nothing.
  v1::CompareEvidenceRequest cmp;
  cmp.set_nomination(n->name());
  v1::CompareEvidenceResponse diff;
  ASSERT_TRUE(logic_->CompareEvidence(commune_, cmp, &diff).ok());
  ASSERT_EQ(diff.changes_size(), 1);
  EXPECT_EQ(diff.changes(0).resource(), Name("households", 1));
  EXPECT_TRUE(absl::StrContains(diff.changes(0).before_json(), "\"POOR\""));
  EXPECT_TRUE(absl::StrContains(diff.changes(0).after_json(), "NEAR_POOR"));
  EXPECT_EQ(diff.unchanged(), 6);
  bool newer = false;
  for (const auto& o : diff.now()) newer |= o.owner() == "registry" && o.cursor() == 11;
  EXPECT_TRUE(newer);
  EXPECT_EQ(Count("SELECT count(*) FROM awards.evidence_snapshots"), 1);
  // Not even the database's owner rewrites a snapshot.
  EXPECT_ANY_THROW(Exec("UPDATE awards.evidence_items SET facts = '{}'"));
  EXPECT_ANY_THROW(Exec("DELETE FROM awards.evidence_snapshots"));

  // A refresh before the council is a new snapshot; the first stays.
  v1::RefreshEvidenceRequest refresh;
  refresh.set_request_id(NewRequestId());
  refresh.set_nomination(n->name());
  v1::Nomination refreshed;
  ASSERT_TRUE(logic_->RefreshEvidence(commune_, refresh, &refreshed).ok());
  EXPECT_EQ(refreshed.evidence().name(), n->name() + "/evidence/2");
  EXPECT_EQ(refreshed.evidence().summary().households_escaped(), 1);
  EXPECT_NE(refreshed.evidence().digest(), ev.digest());
  cmp.set_snapshot(1);
  ASSERT_TRUE(logic_->CompareEvidence(commune_, cmp, &diff).ok());
  EXPECT_EQ(diff.snapshot(), n->name() + "/evidence/1");
}

TEST_F(NominationsTest, EvidenceOutsideTheNomineesUnitOrMissingIsRefusedNamingIt) {
  auto req = Request("Hà Thị Sen");
  auto* er = req.mutable_nomination()->mutable_evidence_request();
  er->add_households(Name("households", 1));
  er->add_households(Name("households", 9));  // in 25216, another district
  auto n = Nominate(req);
  EXPECT_EQ(n.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Fields(n.status()).count("nomination.evidence_request.households[1]")) << n.status();
  er->set_households(1, Name("households", 77));  // no such household
  n = Nominate(req);
  EXPECT_TRUE(Fields(n.status()).count("nomination.evidence_request.households[1]")) << n.status();
  // An owner that cannot answer fails the nomination, naming it; nothing is stored.
  er->mutable_households()->RemoveLast();
  owners_.down = "registry";
  n = Nominate(req);
  EXPECT_EQ(n.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(absl::StrContains(n.status().message(), "registry"));
  EXPECT_EQ(Count("SELECT count(*) FROM awards.nominations"), 0);
  // A form not given to the subject's kind, and a person without sex or ethnic group.
  owners_.down.clear();
  req = Request("Hà Thị Sen", "TITLE_FLAG_PROV");
  EXPECT_TRUE(Fields(Nominate(req).status()).count("nomination.subject_kind"));
  req = Request("Hà Thị Sen");
  req.mutable_nomination()->clear_sex();
  req.mutable_nomination()->clear_ethnic_group_code();
  auto fields = Fields(Nominate(req).status());
  EXPECT_TRUE(fields.count("nomination.sex"));
  EXPECT_TRUE(fields.count("nomination.ethnic_group_code"));
}

TEST_F(NominationsTest, FromDraftToDecisionThroughTheUnitAndTheCouncil) {
  auto n = Nominate(Request("Hà Thị Sen"));
  ASSERT_TRUE(n.ok()) << n.status();
  // Deciding a draft, or opening a council on it, skips steps: refused.
  v1::Nomination copy = *n;
  EXPECT_EQ(Decide(&copy).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Open(&copy).code(), absl::StatusCode::kFailedPrecondition);
  // A meeting that proposes with half the attendees only is refused.
  v1::RecordUnitReviewRequest weak;
  weak.set_request_id(NewRequestId());
  weak.set_nomination(n->name());
  *weak.mutable_review()->mutable_meeting_date() = Day(2025, 1, 10);
  weak.mutable_review()->set_attendees(10);
  weak.mutable_review()->set_votes_for(5);
  weak.mutable_review()->set_proposed(true);
  EXPECT_TRUE(Fields(logic_->RecordUnitReview(commune_, weak, &copy)).count("review.proposed"));
  ASSERT_TRUE(UnitReview(&*n).ok());
  EXPECT_EQ(n->state(), v1::UNIT_REVIEWED);
  EXPECT_EQ(n->unit_review().votes_for(), 8);
  EXPECT_EQ(UnitReview(&copy).code(), absl::StatusCode::kFailedPrecondition);  // reviewed once
  ASSERT_TRUE(Open(&*n).ok());
  EXPECT_EQ(n->state(), v1::COUNCIL_REVIEW);
  EXPECT_EQ(n->council_review().snapshot(), n->name() + "/evidence/1");
  EXPECT_EQ(n->council_review().members(), 5);
  // The evidence is frozen once before the council.
  v1::RefreshEvidenceRequest refresh;
  refresh.set_request_id(NewRequestId());
  refresh.set_nomination(n->name());
  EXPECT_EQ(logic_->RefreshEvidence(commune_, refresh, &copy).code(), absl::StatusCode::kFailedPrecondition);
  // A vote names the snapshot the member saw: another one is refused.
  EXPECT_EQ(Vote(&*n, 1, v1::YES, n->name() + "/evidence/2").code(), absl::StatusCode::kFailedPrecondition);
  // Someone outside the council does not vote.
  members_.push_back(CallAs("stranger", {"awards.read", "awards.council.vote"}));
  EXPECT_EQ(Vote(&*n, 6, v1::YES).code(), absl::StatusCode::kFailedPrecondition);
  for (int m = 1; m <= 4; ++m) ASSERT_TRUE(Vote(&*n, m, v1::YES).ok());
  EXPECT_EQ(Vote(&*n, 1, v1::NO).code(), absl::StatusCode::kFailedPrecondition);  // once
  ASSERT_EQ(n->council_review().votes_size(), 4);
  EXPECT_EQ(n->council_review().votes(0).snapshot(), n->name() + "/evidence/1");
  ASSERT_TRUE(Close(&*n).ok());
  EXPECT_EQ(n->state(), v1::COUNCIL_APPROVED);
  EXPECT_TRUE(n->council_review().quorum_met());
  // The nominator does not decide (maker-checker).
  v1::Nomination self = *n;
  EXPECT_EQ(logic_->DecideNomination(commune_, DecideRequest(self), &self).code(), absl::StatusCode::kPermissionDenied);
  ASSERT_TRUE(Decide(&*n).ok());
  EXPECT_EQ(n->state(), v1::DECIDED);
  EXPECT_EQ(n->decision().decider(), "head-1");
  EXPECT_EQ(n->decision().number(), "QĐ 12/QĐ-BDT");
  // Illegal moves after the decision.
  EXPECT_EQ(Close(&*n).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Decide(&*n).code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(NominationsTest, AMemberNeverVotesOnANominationThatNamesThem) {
  // Member 4 is Điểu Lanh; spelt without diacritics here, it is still them.
  auto req = Request("dieu lanh");
  auto n = Nominate(req);
  ASSERT_TRUE(n.ok());
  ASSERT_TRUE(UnitReview(&*n).ok());
  ASSERT_TRUE(Open(&*n).ok());
  EXPECT_EQ(n->council_review().members(), 4);  // they are not counted among those who may vote
  absl::Status self = Vote(&*n, 4, v1::YES);
  EXPECT_EQ(self.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(self.message(), "names them")) << self;
  // Named otherwise: by principal, or among the persons the nomination names.
  auto other = Request("Hà Thị Sen");
  other.mutable_nomination()->set_subject_principal("member-2");
  other.mutable_nomination()->add_named_persons("Phạm Văn Nam");
  n = Nominate(other);
  ASSERT_TRUE(n.ok());
  ASSERT_TRUE(UnitReview(&*n).ok());
  ASSERT_TRUE(Open(&*n).ok());
  EXPECT_EQ(n->council_review().members(), 3);
  EXPECT_EQ(Vote(&*n, 2, v1::YES).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Vote(&*n, 3, v1::YES).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(Vote(&*n, 1, v1::YES).ok());
}

TEST_F(NominationsTest, QuorumAndMajorityAreTheCouncilsRules) {
  auto n = Nominate(Request("Hà Thị Sen"));
  ASSERT_TRUE(n.ok());
  ASSERT_TRUE(UnitReview(&*n).ok());
  ASSERT_TRUE(Open(&*n).ok());
  ASSERT_TRUE(Vote(&*n, 1, v1::YES).ok());
  ASSERT_TRUE(Vote(&*n, 2, v1::YES).ok());
  ASSERT_TRUE(Vote(&*n, 3, v1::NO).ok());
  // 3 of 5 is below two thirds: the council cannot conclude.
  absl::Status st = Close(&*n);
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(GetReason(st), "QUORUM");
  // 4 of 5 voted, 2 YES: not more than half of the votes cast.
  ASSERT_TRUE(Vote(&*n, 4, v1::ABSTAIN).ok());
  ASSERT_TRUE(Close(&*n).ok());
  EXPECT_EQ(n->state(), v1::COUNCIL_REJECTED);
  EXPECT_FALSE(n->council_review().approved());
  EXPECT_EQ(Decide(&*n).code(), absl::StatusCode::kFailedPrecondition);
  // 3 YES of 4 cast passes.
  auto m = Nominate(Request("Lò Văn Tư"));
  ASSERT_TRUE(m.ok());
  ASSERT_TRUE(UnitReview(&*m).ok());
  ASSERT_TRUE(Open(&*m).ok());
  for (int i = 1; i <= 3; ++i) ASSERT_TRUE(Vote(&*m, i, v1::YES).ok());
  ASSERT_TRUE(Vote(&*m, 4, v1::NO).ok());
  ASSERT_TRUE(Close(&*m).ok());
  EXPECT_EQ(m->state(), v1::COUNCIL_APPROVED);
}

TEST_F(NominationsTest, TwoOfThreeMeetATwoThirdsQuorum) {
  v1::CreateCouncilRequest req;
  req.set_request_id(NewRequestId());
  auto* c = req.mutable_council();
  c->set_title("Hội đồng xã");
  c->set_unit_code("25195");
  for (int i = 1; i <= 3; ++i) {
    auto* m = c->add_members();
    m->set_principal(absl::StrCat("member-", i));
    m->set_display_name(absl::StrCat("Thành viên ", i));
  }
  v1::Council small;
  ASSERT_TRUE(logic_->CreateCouncil(commune_, req, &small).ok());
  auto n = Nominate(Request("Hà Thị Sen"));
  ASSERT_TRUE(n.ok());
  ASSERT_TRUE(UnitReview(&*n).ok());
  v1::OpenCouncilReviewRequest open;
  open.set_request_id(NewRequestId());
  open.set_nomination(n->name());
  open.set_council(small.name());
  *open.mutable_opened_date() = Day(2025, 1, 15);
  ASSERT_TRUE(logic_->OpenCouncilReview(commune_, open, &*n).ok());
  ASSERT_TRUE(Vote(&*n, 1, v1::YES).ok());
  EXPECT_EQ(GetReason(Close(&*n)), "QUORUM");  // 1 of 3
  ASSERT_TRUE(Vote(&*n, 2, v1::YES).ok());
  ASSERT_TRUE(Close(&*n).ok());  // 2 of 3 (0.667 stored) is two thirds
  EXPECT_EQ(n->state(), v1::COUNCIL_APPROVED);
  // A commune's council is not another district's, and does not advise above the commune.
  server::Call other = CallAs("other", {"awards.*"}, {"25216"});
  v1::ListCouncilsResponse listed;
  ASSERT_TRUE(logic_->ListCouncils(other, {}, &listed).ok());
  EXPECT_EQ(listed.councils_size(), 0);
  ASSERT_TRUE(logic_->ListCouncils(officer_, {}, &listed).ok());
  EXPECT_EQ(listed.councils_size(), 2);
}

TEST_F(NominationsTest, ARetriedNominationIsAnsweredBeforeTheOwnersAreReadAgain) {
  auto req = Request("Hà Thị Sen");
  req.mutable_nomination()->mutable_evidence_request()->add_households(Name("households", 1));
  auto first = Nominate(req);
  ASSERT_TRUE(first.ok());
  const int reads = owners_.household_reads;
  owners_.down = "registry";  // the owner is gone: the retry still gets the first answer
  auto again = Nominate(req);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->name(), first->name());
  EXPECT_EQ(owners_.household_reads, reads);
  EXPECT_EQ(Count("SELECT count(*) FROM awards.nominations"), 1);
  // Nothing is added to a frozen snapshot.
  EXPECT_ANY_THROW(Exec(absl::StrCat("INSERT INTO awards.evidence_items VALUES ('", api::IdOf(first->name()),
                                     "', 1, 99, 'EVIDENCE_HOUSEHOLD', 'households/x', '25195', '{}')")));
}

TEST_F(NominationsTest, TheAuthorityIsTheOneInForceOnTheDecisionsDate) {
  // District chairs decided the advanced-worker title until 30 June 2025 only.
  v1::Nomination late = Approved(Request("Hà Thị Sen"));
  absl::Status st = Decide(&late, "DISTRICT_CHAIR", Day(2025, 7, 1));
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(GetReason(st), "AUTHORITY") << st;
  EXPECT_EQ(late.state(), v1::COUNCIL_APPROVED);
  ASSERT_TRUE(Decide(&late, "DISTRICT_CHAIR", Day(2025, 6, 30)).ok());
  // The provincial chair does not confer it at all.
  v1::Nomination other = Approved(Request("Lò Văn Tư"));
  EXPECT_EQ(GetReason(Decide(&other, "PROVINCIAL_CHAIR")), "AUTHORITY");
}

TEST_F(NominationsTest, OneAchievementIsRewardedOnceEvenByTwoConcurrentDecisions) {
  for (int round = 0; round < 3; ++round) {
    const std::string person = absl::StrCat("Người thứ ", round);
    // The same achievement proposed for two forms.
    v1::Nomination a = Approved(Request(person, "TITLE_ADVANCED_WORKER", "2024/EM_ESCAPES"));
    v1::Nomination b = Approved(Request(person, "AWARD_GK_HEAD", "2024/EM_ESCAPES"));
    absl::Status results[2];
    v1::Nomination outs[2] = {a, b};
    std::atomic<int> ready{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 2; ++i) {
      threads.emplace_back([&, i] {
        auto req = DecideRequest(outs[i]);
        ready.fetch_add(1);
        while (ready.load() < 2) {
        }
        results[i] = logic_->DecideNomination(head_, req, &outs[i]);
      });
    }
    for (auto& t : threads) t.join();
    const int ok = results[0].ok() + results[1].ok();
    EXPECT_EQ(ok, 1) << results[0] << " / " << results[1];
    const absl::Status& lost = results[0].ok() ? results[1] : results[0];
    EXPECT_EQ(lost.code(), absl::StatusCode::kFailedPrecondition) << lost;
    EXPECT_EQ(GetReason(lost), "ACHIEVEMENT_REWARDED") << lost;
  }
  EXPECT_EQ(Count("SELECT count(*) FROM awards.decisions"), 3);
  EXPECT_EQ(Count("SELECT count(*) FROM awards.rewarded_achievements"), 3);
}

TEST_F(NominationsTest, AFormsQuotaForAUnitAndYearIsNeverExceeded) {
  Exec("INSERT INTO awards.quotas VALUES ('AWARD_GK_HEAD', '25195', 2024, 1)");
  v1::Nomination first = Approved(Request("Hà Thị Sen", "AWARD_GK_HEAD"));
  v1::Nomination second = Approved(Request("Lò Văn Tư", "AWARD_GK_HEAD"));
  ASSERT_TRUE(Decide(&first).ok());
  absl::Status st = Decide(&second);
  EXPECT_EQ(GetReason(st), "QUOTA") << st;
  // A revoked award gives its place back.
  v1::RevokeAwardRequest revoke;
  revoke.set_request_id(NewRequestId());
  revoke.set_nomination(first.name());
  revoke.mutable_revocation()->set_reason(v1::FALSE_DOSSIER);
  revoke.mutable_revocation()->set_number("QĐ 30/QĐ-BDT");
  *revoke.mutable_revocation()->mutable_date() = Day(2025, 3, 1);
  ASSERT_TRUE(logic_->RevokeAward(head_, revoke, &first).ok());
  EXPECT_TRUE(Decide(&second).ok());
}

TEST_F(NominationsTest, PrerequisitesAndTheShareOfAdvancedWorkers) {
  // A grassroots emulation fighter needs the advanced-worker title of the year and an
  // initiative; the title is capped at 15% of the unit's advanced workers.
  v1::CheckPrerequisitesRequest check;
  check.set_form_code("TITLE_CSTD_BASE");
  check.set_subject_name("Hà Thị Sen");
  check.set_unit_code("25195");
  check.set_year(2024);
  v1::CheckPrerequisitesResponse pre;
  ASSERT_TRUE(logic_->CheckPrerequisites(commune_, check, &pre).ok());
  EXPECT_FALSE(pre.met());
  ASSERT_EQ(pre.prerequisites_size(), 2);
  v1::Nomination fighter = Approved(Request("Hà Thị Sen", "TITLE_CSTD_BASE", "2024/EXCELLENT"));
  EXPECT_EQ(GetReason(Decide(&fighter)), "PREREQUISITE");
  // Seven advanced workers in the unit, her among them, and her initiative.
  for (int i = 0; i < 7; ++i) {
    v1::Nomination w = Approved(Request(i == 0 ? "Hà Thị Sen" : absl::StrCat("Người ", i)));
    ASSERT_TRUE(Decide(&w).ok());
    if (i == 0) {
      // With one advanced worker, the 15% share allows none.
      v1::CreateInitiativeRequest init;
      init.set_request_id(NewRequestId());
      auto* x = init.mutable_initiative();
      x->set_title("Mô hình nuôi bò sinh sản");
      x->add_authors("HA THI SEN");
      x->set_unit_code("25195");
      x->set_scope(v1::BASE);
      *x->mutable_applied_from() = Day(2024, 2, 1);
      x->set_decision_number("QĐ 5/QĐ-UBND");
      *x->mutable_decision_date() = Day(2024, 11, 1);
      x->set_recognised_by("Chủ tịch UBND xã");
      x->set_benefit("12 hộ áp dụng");
      v1::Initiative created;
      ASSERT_TRUE(logic_->CreateInitiative(commune_, init, &created).ok());
      ASSERT_TRUE(logic_->CheckPrerequisites(commune_, check, &pre).ok());
      EXPECT_TRUE(pre.met());
      EXPECT_EQ(GetReason(Decide(&fighter)), "QUOTA");
    }
  }
  // floor(7 x 0.15) = 1.
  EXPECT_TRUE(Decide(&fighter).ok());
}

TEST_F(NominationsTest, NoDecisionUnderAnOpenInspectionWithoutARecordedOverride) {
  Integrity open;
  open.open_inspections = {"inspections/00000000-0000-7000-8000-000000000001"};
  open.open_serious_findings = 2;
  open.cursor = 44;
  owners_.integrity["25195"] = open;
  v1::Nomination n = Approved(Request("Hà Thị Sen"));
  absl::Status st = Decide(&n);
  EXPECT_EQ(GetReason(st), "INTEGRITY") << st;
  EXPECT_TRUE(absl::StrContains(st.message(), "98/2023")) << st;
  auto req = DecideRequest(n);
  req.mutable_decision()->set_override_reason("Kết luận thanh tra không liên quan đến cá nhân được đề nghị");
  ASSERT_TRUE(logic_->DecideNomination(head_, req, &n).ok());
  EXPECT_EQ(n.decision().integrity().open_inspections_size(), 1);
  EXPECT_EQ(n.decision().integrity().open_serious_findings(), 2);
  EXPECT_EQ(n.decision().integrity().inspection_cursor(), 44);
  // Inspection down: no decision on a guess.
  owners_.down = "inspection";
  v1::Nomination m = Approved(Request("Lò Văn Tư"));
  EXPECT_EQ(Decide(&m).code(), absl::StatusCode::kUnavailable);
}

TEST_F(NominationsTest, SubmittedUpwardThenDecidedAboveThenRevoked) {
  auto req = Request("Hà Thị Sen", "AWARD_BK_PROV_CHAIR", "2024/MOVEMENT");
  v1::Nomination n = Approved(req);
  // Beyond the agency's authority; and the provincial chair decides what was sent up.
  EXPECT_EQ(GetReason(Decide(&n)), "AUTHORITY");
  EXPECT_EQ(GetReason(Decide(&n, "PROVINCIAL_CHAIR", Day(2025, 3, 10))), "NOT_SUBMITTED");
  v1::SubmitNominationRequest sub;
  sub.set_request_id(NewRequestId());
  sub.set_nomination(n.name());
  sub.mutable_submission()->set_to_authority("Chủ tịch UBND tỉnh");
  sub.mutable_submission()->set_letter_number("TTr 15/TTr-BDT");
  *sub.mutable_submission()->mutable_date() = Day(2025, 1, 25);
  ASSERT_TRUE(logic_->SubmitNomination(officer_, sub, &n).ok());
  EXPECT_EQ(n.state(), v1::SUBMITTED);
  // Once: a second submission does not rewrite the first.
  sub.set_request_id(NewRequestId());
  sub.mutable_submission()->set_letter_number("TTr 99/TTr-BDT");
  v1::Nomination twice = n;
  EXPECT_EQ(logic_->SubmitNomination(officer_, sub, &twice).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(n.submission().letter_number(), "TTr 15/TTr-BDT");
  ASSERT_TRUE(Decide(&n, "PROVINCIAL_CHAIR", Day(2025, 3, 10)).ok());
  EXPECT_EQ(n.state(), v1::DECIDED);
  // Revocation: a reason of the law, not dated before the decision, once.
  v1::RevokeAwardRequest revoke;
  revoke.set_request_id(NewRequestId());
  revoke.set_nomination(n.name());
  auto* r = revoke.mutable_revocation();
  r->set_reason(v1::STANDARD_NOT_MET);
  r->set_number("QĐ 99/QĐ-UBND");
  *r->mutable_date() = Day(2025, 3, 1);
  r->set_amount_to_recover_vnd(1'490'000);
  EXPECT_TRUE(Fields(logic_->RevokeAward(head_, revoke, &n)).count("revocation.date"));  // before the decision
  *r->mutable_date() = Day(2025, 9, 1);
  v1::RevokeAwardRequest no_reason = revoke;
  no_reason.mutable_revocation()->clear_reason();
  EXPECT_TRUE(Fields(logic_->RevokeAward(head_, no_reason, &n)).count("revocation.reason"));
  revoke.set_request_id(NewRequestId());
  ASSERT_TRUE(logic_->RevokeAward(head_, revoke, &n).ok());
  EXPECT_EQ(n.state(), v1::REVOKED);
  EXPECT_EQ(n.revocation().amount_to_recover_vnd(), 1'490'000);
  EXPECT_EQ(n.revocation().reason(), v1::STANDARD_NOT_MET);
  revoke.set_request_id(NewRequestId());
  EXPECT_EQ(logic_->RevokeAward(head_, revoke, &n).code(), absl::StatusCode::kFailedPrecondition);
  // A decision is never changed in place.
  EXPECT_ANY_THROW(Exec("UPDATE awards.decisions SET number = 'x'"));
}

TEST_F(NominationsTest, ListsByFormStateSexAndEthnicGroupInTheCallersArea) {
  ASSERT_TRUE(Nominate(Request("Hà Thị Sen")).ok());
  auto kinh = Request("Nguyễn Văn Bình");
  kinh.mutable_nomination()->set_sex(v1::MALE);
  kinh.mutable_nomination()->set_ethnic_group_code("01");
  ASSERT_TRUE(Nominate(kinh).ok());
  v1::ListNominationsRequest req;
  req.set_year(2024);
  v1::ListNominationsResponse out;
  ASSERT_TRUE(logic_->ListNominations(officer_, req, &out).ok());
  EXPECT_EQ(out.nominations_size(), 2);
  req.set_ethnic_minority_only(true);
  out.Clear();
  ASSERT_TRUE(logic_->ListNominations(officer_, req, &out).ok());
  ASSERT_EQ(out.nominations_size(), 1);
  EXPECT_EQ(out.nominations(0).subject_name(), "Hà Thị Sen");
  req.set_ethnic_minority_only(false);
  req.set_sex(v1::MALE);
  out.Clear();
  ASSERT_TRUE(logic_->ListNominations(officer_, req, &out).ok());
  ASSERT_EQ(out.nominations_size(), 1);
  EXPECT_EQ(out.nominations(0).subject_name(), "Nguyễn Văn Bình");
  // Another district's officer sees none of them, and reads one as not found.
  server::Call other = CallAs("other", {"awards.*"}, {"25216"});
  out.Clear();
  ASSERT_TRUE(logic_->ListNominations(other, v1::ListNominationsRequest(), &out).ok());
  EXPECT_EQ(out.nominations_size(), 0);
  v1::GetNominationRequest get;
  out.Clear();
  ASSERT_TRUE(logic_->ListNominations(officer_, v1::ListNominationsRequest(), &out).ok());
  get.set_name(out.nominations(0).name());
  v1::Nomination n;
  EXPECT_EQ(logic_->GetNomination(other, get, &n).code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace lnob::awards

namespace lnob::awards {
namespace {

class AwardsReportsTest : public NominationsTest {};

TEST_F(AwardsReportsTest, StatisticsAndTheAnnualReportCountWhatWasDecided) {
  // Two women of ethnic minorities and a Kinh man decided in 2025; one draft; one revoked.
  v1::Nomination a = Approved(Request("Hà Thị Sen"));
  ASSERT_TRUE(Decide(&a).ok());
  v1::Nomination b = Approved(Request("Thị Nhung", "AWARD_GK_HEAD", "2024/MOVEMENT"));
  ASSERT_TRUE(Decide(&b).ok());
  auto kinh = Request("Nguyễn Văn Bình");
  kinh.mutable_nomination()->set_sex(v1::MALE);
  kinh.mutable_nomination()->set_ethnic_group_code("01");
  v1::Nomination c = Approved(kinh);
  ASSERT_TRUE(Decide(&c).ok());
  v1::Nomination gone = Approved(Request("Lò Văn Tư"));
  ASSERT_TRUE(Decide(&gone).ok());
  v1::RevokeAwardRequest revoke;
  revoke.set_request_id(NewRequestId());
  revoke.set_nomination(gone.name());
  revoke.mutable_revocation()->set_reason(v1::FRAUDULENT_DECLARATION);
  revoke.mutable_revocation()->set_number("QĐ 40/QĐ-BDT");
  *revoke.mutable_revocation()->mutable_date() = Day(2025, 5, 1);
  revoke.mutable_revocation()->set_amount_to_recover_vnd(500'000);
  ASSERT_TRUE(logic_->RevokeAward(head_, revoke, &gone).ok());
  ASSERT_TRUE(Nominate(Request("Đinh Thị Lan")).ok());

  v1::GetStatisticsRequest req;
  req.mutable_period()->set_type(common::v1::Period::YEAR);
  req.mutable_period()->set_year(2025);
  req.set_by_unit(true);
  v1::Statistics s;
  ASSERT_TRUE(logic_->GetStatistics(officer_, req, &s).ok());
  EXPECT_EQ(s.decided(), 3);
  EXPECT_EQ(s.women(), 2);
  EXPECT_EQ(s.ethnic_minority_individuals(), 2);
  EXPECT_EQ(s.revoked(), 1);
  EXPECT_EQ(s.amount_to_recover_vnd(), 500'000);
  EXPECT_GT(s.cursor(), 0);
  std::map<std::string, int64_t> forms;
  for (const auto& f : s.by_form()) forms[f.form_code()] = f.decided();
  EXPECT_EQ(forms["TITLE_ADVANCED_WORKER"], 2);
  EXPECT_EQ(forms["AWARD_GK_HEAD"], 1);
  std::map<std::string, int64_t> units;
  for (const auto& u : s.by_unit()) units[u.unit_code()] = u.decided();
  EXPECT_EQ(units["689"], 3);  // the district of commune 25195
  EXPECT_EQ(units["688"], 0);
  // Nominations of the year 2025 (none: they were for 2024).
  EXPECT_EQ(s.nominations(), 0);
  req.mutable_period()->set_year(2024);
  s.Clear();
  ASSERT_TRUE(logic_->GetStatistics(officer_, req, &s).ok());
  EXPECT_EQ(s.nominations(), 5);
  EXPECT_EQ(s.in_progress(), 1);
  EXPECT_EQ(s.decided(), 0);

  v1::GetAnnualReportRequest annual;
  annual.set_year(2025);
  v1::AnnualReport r;
  ASSERT_TRUE(logic_->GetAnnualReport(officer_, annual, &r).ok());
  EXPECT_EQ(r.form(), "0602.N/BNV-TĐKT");
  EXPECT_EQ(api::ProtoDateText(r.due_date()), "2025-12-15");
  EXPECT_FALSE(r.layout_confirmed());
  EXPECT_EQ(r.total().individuals(), 3);
  EXPECT_EQ(r.total().women(), 2);
  EXPECT_EQ(r.total().ethnic_minority(), 2);
  ASSERT_FALSE(r.rows().empty());
  EXPECT_TRUE(r.rows(0).title());  // titles come first
}

TEST_F(AwardsReportsTest, TheChangeFeedFollowsEveryMoveWithinTheCallersArea) {
  v1::Nomination n = Approved(Request("Hà Thị Sen"));
  ASSERT_TRUE(Decide(&n).ok());
  auto events = store_->ReadFeed(0, 100);
  ASSERT_TRUE(events.ok());
  std::vector<std::string> kinds;
  for (const auto& e : *events) {
    EXPECT_EQ(e.resource(), n.name());
    kinds.push_back(e.kind());
  }
  EXPECT_EQ(kinds, (std::vector<std::string>{"NOMINATION_CREATED", "NOMINATION_UNIT_REVIEWED",
                                             "NOMINATION_COUNCIL_REVIEW", "NOMINATION_COUNCIL_APPROVED",
                                             "NOMINATION_DECIDED"}));
  for (size_t i = 1; i < events->size(); ++i) EXPECT_GT((*events)[i].cursor(), (*events)[i - 1].cursor());
}

TEST_F(AwardsReportsTest, TheDossierIsOneArchiveWithTheFrozenEvidenceAndAManifest) {
  auto req = Request("Hà Thị Sen", "AWARD_BK_PROV_CHAIR", "2024/MOVEMENT");
  req.mutable_nomination()->mutable_evidence_request()->add_households(Name("households", 1));
  v1::Nomination n = Approved(req);
  v1::ExportDossierRequest ex;
  ex.set_nomination(n.name());
  v1::Dossier d;
  ASSERT_TRUE(logic_->ExportDossier(officer_, ex, &d).ok());
  EXPECT_EQ(d.files_size(), 6);
  EXPECT_EQ(d.sha256(), Sha256Hex(d.archive()));
  EXPECT_TRUE(absl::StartsWith(d.archive(), std::string("PK\x03\x04", 4)));
  // The frozen facts and the snapshot's digest travel with it.
  EXPECT_TRUE(absl::StrContains(d.archive(), Name("households", 1)));
  EXPECT_TRUE(absl::StrContains(d.archive(), n.evidence().digest()));
  EXPECT_TRUE(absl::StrContains(d.archive(), "member-1: YES"));
  // Another district's officer does not get it.
  server::Call other = CallAs("other", {"awards.*"}, {"25216"});
  EXPECT_EQ(logic_->ExportDossier(other, ex, &d).code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace lnob::awards

namespace lnob::awards {
namespace {

TEST_F(NominationsTest, SelfEvaluationsMidYearAndAtYearEndAgainstTheTargets) {
  v1::Movement m = Movement();
  auto req = Registration(m.name(), "Hà Thị Sen", 2024);
  auto* t = req.mutable_registration()->add_targets();
  t->set_description("Tổ chức 6 buổi tuyên truyền");
  t->set_value(6);
  req.set_request_id(NewRequestId());
  v1::Registration r;
  ASSERT_TRUE(logic_->CreateRegistration(commune_, req, &r).ok());
  auto eval = [&](v1::EvaluationPoint point, google::type::Date day, v1::TaskRating rating) {
    v1::RecordSelfEvaluationRequest e;
    e.set_request_id(NewRequestId());
    e.set_registration(r.name());
    auto* x = e.mutable_evaluation();
    x->set_point(point);
    *x->mutable_date() = day;
    x->set_task_rating(rating);
    x->set_annual_tasks("Nhiệm vụ công tác dân tộc năm 2024 của xã");
    auto* res = x->add_results();
    res->set_target(0);
    res->set_achieved(point == v1::MID_YEAR ? 2 : 6);
    return e;
  };
  v1::Registration out;
  // A mid-year evaluation in March is not mid-year; nor would the database take it.
  EXPECT_TRUE(Fields(logic_->RecordSelfEvaluation(
                         commune_, eval(v1::MID_YEAR, Day(2024, 3, 1), v1::TASK_RATING_UNSPECIFIED), &out))
                  .count("evaluation.date"));
  EXPECT_ANY_THROW(Exec(absl::StrCat("INSERT INTO awards.self_evaluations (registration_id, point, date, annual_tasks,"
                                     " evaluator) VALUES ('", api::IdOf(r.name()), "', 'MID_YEAR', '2024-03-01', 'x', 'x')")));
  ASSERT_TRUE(
      logic_->RecordSelfEvaluation(commune_, eval(v1::MID_YEAR, Day(2024, 7, 5), v1::TASK_RATING_UNSPECIFIED), &out).ok());
  EXPECT_EQ(logic_->RecordSelfEvaluation(commune_, eval(v1::MID_YEAR, Day(2024, 7, 9), v1::TASK_RATING_UNSPECIFIED), &out)
                .code(),
            absl::StatusCode::kAlreadyExists);
  // The year end rates the tasks, and names a registered target.
  EXPECT_TRUE(Fields(logic_->RecordSelfEvaluation(
                         commune_, eval(v1::YEAR_END, Day(2025, 1, 10), v1::TASK_RATING_UNSPECIFIED), &out))
                  .count("evaluation.task_rating"));
  auto bad = eval(v1::YEAR_END, Day(2025, 1, 10), v1::EXCELLENT);
  bad.mutable_evaluation()->mutable_results(0)->set_target(5);
  EXPECT_TRUE(Fields(logic_->RecordSelfEvaluation(commune_, bad, &out)).count("evaluation.results[0].target"));
  ASSERT_TRUE(logic_->RecordSelfEvaluation(commune_, eval(v1::YEAR_END, Day(2025, 1, 10), v1::EXCELLENT), &out).ok());
  ASSERT_EQ(out.evaluations_size(), 2);
  EXPECT_EQ(out.evaluations(0).point(), v1::MID_YEAR);
  EXPECT_EQ(out.evaluations(1).task_rating(), v1::EXCELLENT);
  EXPECT_EQ(out.evaluations(1).results(0).achieved(), 6);
  EXPECT_EQ(out.evaluations(1).evaluator(), "commune-officer");
  v1::ListRegistrationsRequest list;
  list.set_movement(m.name());
  v1::ListRegistrationsResponse listed;
  ASSERT_TRUE(logic_->ListRegistrations(officer_, list, &listed).ok());
  ASSERT_EQ(listed.registrations_size(), 1);
  EXPECT_EQ(listed.registrations(0).evaluations_size(), 2);
  // Another district's officer does not evaluate it.
  server::Call other = CallAs("other", {"awards.*"}, {"25216"});
  EXPECT_EQ(logic_->RecordSelfEvaluation(other, eval(v1::MID_YEAR, Day(2024, 7, 5), v1::TASK_RATING_UNSPECIFIED), &out)
                .code(),
            absl::StatusCode::kNotFound);
}

TEST_F(NominationsTest, AnAdvancedExampleLinksTheDecidedAwardsItLedTo) {
  v1::Nomination decided = Approved(Request("Hà Thị Sen"));
  ASSERT_TRUE(Decide(&decided).ok());
  auto draft = Nominate(Request("Lò Văn Tư"));
  ASSERT_TRUE(draft.ok());
  v1::CreateAdvancedExampleRequest req;
  req.set_request_id(NewRequestId());
  auto* e = req.mutable_example();
  e->set_subject_kind(v1::INDIVIDUAL);
  e->set_subject_name("Hà Thị Sen");
  e->set_field("giảm nghèo");
  e->set_unit_code("25195");
  e->set_description("Vận động hộ nghèo làm kinh tế");
  e->set_discovered_by("Ban Dân tộc");
  *e->mutable_discovered_date() = Day(2025, 2, 1);
  e->add_linked_awards(decided.name());
  e->add_linked_awards(draft->name());
  v1::AdvancedExample out;
  EXPECT_TRUE(Fields(logic_->CreateAdvancedExample(commune_, req, &out)).count("example.linked_awards[1]"));
  e->mutable_linked_awards()->RemoveLast();
  ASSERT_TRUE(logic_->CreateAdvancedExample(commune_, req, &out).ok());
  ASSERT_EQ(out.linked_awards_size(), 1);
  EXPECT_EQ(out.linked_awards(0), decided.name());
}

}  // namespace
}  // namespace lnob::awards
