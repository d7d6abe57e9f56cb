// Funding through its use cases (catalogue, funding, support) and the PostgreSQL store, with a fake registry peer: the
// counted-once invariants attempted by concurrent transactions, scope, the registry down,
// and the change-feed consumer resuming exactly after a broken stream.

#include <thread>

#include <pqxx/pqxx>

#include "absl/strings/match.h"
#include "common/db/pool.h"
#include "common/status/status.h"
#include "common/util/uuid.h"
#include "embedded/lnob_funding_migrations.h"
#include "gtest/gtest.h"
#include "services/funding/domain/feed_consumer.h"
#include "services/funding/domain/catalogue_logic.h"
#include "services/funding/domain/funding_logic.h"
#include "services/funding/domain/support_logic.h"
#include "services/funding/store/pg_funding_store.h"
#include "tests/support/dates.h"
#include "tests/support/fake_registry_client.h"
#include "tests/support/service_test.h"

namespace lnob::funding {
namespace {

using ::lnob::testing::Day;

constexpr char kH1[] = "0190c0de-0000-7000-8000-000000000001";
constexpr char kH2[] = "0190c0de-0000-7000-8000-000000000002";
constexpr char kH3[] = "0190c0de-0000-7000-8000-000000000003";

class FundingTest : public testing::ServiceTest {
 protected:
  void SetUp() override {
    OpenDatabase("funding", EmbeddedMigrations(), 8);
    catalogue_store_ = NewPgCatalogueStore(pool_.get());
    ledger_store_ = NewPgLedgerStore(pool_.get());
    support_store_ = NewPgSupportStore(pool_.get());
    scope_ = std::make_unique<scope::AreaScope>(registry_.units(), clock_);
    shared_ = std::make_unique<FundingShared>(
        FundingStores{catalogue_store_.get(), ledger_store_.get(), support_store_.get()}, &registry_, scope_.get(),
                                              api::PageTokenCodec("test-secret-0123456789"), clock_);
    catalogue_ = std::make_unique<CatalogueLogic>(shared_.get());
    funding_ = std::make_unique<FundingLogic>(shared_.get());
    support_ = std::make_unique<SupportLogic>(shared_.get());
    admin_ = CallAs("admin", {"*"});
    officer_ = CallAs("officer-688", {"funding.*"}, {"688"});
    registry_.AddHousehold(kH1, "25195", true, "POOR");
    registry_.AddHousehold(kH2, "25195", true, "POOR", "ESCAPED_POOR");
    registry_.AddHousehold(kH3, "25216", false, "NEAR_POOR");
    // A Kinh near-poor household in an especially difficult commune: NTP 1719 supports it.
    registry_.SetRegions(kH3, {"REGION_III"});
  }

  v1::CreateSupportLineRequest Line(const std::string& hid, const std::string& content, const std::string& node,
                                    const std::string& source, int64_t amount, const std::string& state = "") {
    v1::CreateSupportLineRequest req;
    auto* l = req.mutable_line();
    l->set_household(absl::StrCat("households/", hid));
    l->set_content(content);
    *l->mutable_date() = Day(2025, 5, 1);
    l->set_amount_vnd(amount);
    if (state == "DELIVERED") l->set_state(v1::DELIVERED);
    auto* s = l->add_shares();
    s->set_node_code(node);
    s->set_source(source);
    s->set_amount_vnd(amount);
    return req;
  }

  FakeClock clock_{absl::FromCivil(absl::CivilSecond(2025, 11, 1, 9, 0, 0), absl::UTCTimeZone())};
  std::unique_ptr<CatalogueStore> catalogue_store_;
  std::unique_ptr<LedgerStore> ledger_store_;
  std::unique_ptr<SupportStore> support_store_;
  testing::FakeRegistryClient registry_;
  std::unique_ptr<scope::AreaScope> scope_;
  std::unique_ptr<FundingShared> shared_;
  std::unique_ptr<CatalogueLogic> catalogue_;
  std::unique_ptr<FundingLogic> funding_;
  std::unique_ptr<SupportLogic> support_;
  server::Call admin_, officer_;
};

TEST_F(FundingTest, TwoConcurrentProgrammesForOnePolicyOnlyOneCommits) {
  for (int round = 0; round < 4; ++round) {
    const std::string content = round % 2 ? "TOILET" : "HOUSING";
    const std::string hid = round < 2 ? kH1 : kH2;
    absl::Status results[2];
    std::thread a([&] {
      v1::SupportLine out;
      results[0] = support_->CreateSupportLine(admin_, Line(hid, content, "NTP_EM.P1", "CENTRAL_RECURRENT", 100), &out);
    });
    std::thread b([&] {
      v1::SupportLine out;
      results[1] = support_->CreateSupportLine(
          admin_, Line(hid, content, "PROG_BP_1000_EM_HH.HOUSING", "PROVINCIAL_SPECIAL", 100), &out);
    });
    a.join();
    b.join();
    EXPECT_NE(results[0].ok(), results[1].ok()) << results[0] << " / " << results[1];
    const absl::Status& refused = results[0].ok() ? results[1] : results[0];
    EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition) << refused;
    EXPECT_TRUE(absl::StrContains(refused.message(), "supportLines/")) << refused;
  }
  EXPECT_EQ(Count("SELECT count(*) FROM funding.support_lines"), 4);
  // Cancelling frees the policy for another line.
  v1::ListSupportLinesRequest lreq;
  lreq.set_household(absl::StrCat("households/", kH1));
  v1::ListSupportLinesResponse listed;
  ASSERT_TRUE(support_->ListSupportLines(admin_, lreq, &listed).ok());
  ASSERT_EQ(listed.lines_size(), 2);
  v1::CancelSupportLineRequest cancel;
  cancel.set_name(listed.lines(0).name());
  cancel.set_reason("wrong programme");
  v1::SupportLine cancelled;
  ASSERT_TRUE(support_->CancelSupportLine(admin_, cancel, &cancelled).ok());
  v1::SupportLine again;
  EXPECT_TRUE(support_->CreateSupportLine(
                  admin_, Line(kH1, listed.lines(0).content(), "NTP_EM.P1", "CENTRAL_RECURRENT", 100), &again)
                  .ok());
}

TEST_F(FundingTest, TwoConcurrentDisbursementsCannotExceedTheAllocation) {
  v1::SetAllocationRequest alloc;
  auto* a = alloc.mutable_allocation();
  a->set_year(2025);
  a->set_node_code("NTP_EM.P1");
  a->set_source("CENTRAL_INVESTMENT");
  a->set_unit_code("689");
  a->set_amount_vnd(1000);
  v1::Allocation created;
  ASSERT_TRUE(funding_->SetAllocation(admin_, alloc, &created).ok());
  for (int round = 0; round < 3; ++round) {
    absl::Status results[2];
    std::vector<std::thread> ts;
    for (int i = 0; i < 2; ++i) {
      ts.emplace_back([&, i] {
        v1::RecordDisbursementRequest d;
        auto* x = d.mutable_disbursement();
        x->set_year(2025);
        x->set_node_code("NTP_EM.P1");
        x->set_source("CENTRAL_INVESTMENT");
        x->set_unit_code("689");
        *x->mutable_date() = Day(2025, 6, 1);
        x->set_amount_vnd(round == 0 ? 600 : 150);
        v1::Disbursement out;
        results[i] = funding_->RecordDisbursement(admin_, d, &out);
      });
    }
    for (auto& t : ts) t.join();
    if (round == 0) {
      EXPECT_NE(results[0].ok(), results[1].ok());  // 600 + 600 > 1000
    } else if (round == 1) {
      EXPECT_TRUE(results[0].ok() && results[1].ok());  // 600 + 300 <= 1000
    } else {
      EXPECT_FALSE(results[0].ok() || results[1].ok());  // 900 + 150 > 1000
      EXPECT_EQ(results[0].code(), absl::StatusCode::kFailedPrecondition);
    }
  }
  EXPECT_EQ(Count("SELECT disbursed FROM funding.allocations"), 900);
}

// A request_id is its first caller's: another subject reusing it gets ALREADY_EXISTS and
// never the stored response.
TEST_F(FundingTest, ARequestIdBelongsToItsFirstCaller) {
  const std::string id = "0190c0de-0000-7000-8000-0000000000aa";
  auto req = Line(kH3, "HOUSING", "NTP_EM.P1", "CENTRAL_RECURRENT", 100);
  req.set_request_id(id);
  v1::SupportLine first, replay, other;
  ASSERT_TRUE(support_->CreateSupportLine(admin_, req, &first).ok());
  ASSERT_TRUE(support_->CreateSupportLine(admin_, req, &replay).ok());
  EXPECT_EQ(replay.name(), first.name());
  server::Call someone = CallAs("someone-else", {"*"});
  absl::Status st = support_->CreateSupportLine(someone, req, &other);
  EXPECT_EQ(st.code(), absl::StatusCode::kAlreadyExists) << st;
  EXPECT_EQ(GetReason(st).value_or(""), "REQUEST_ID_TAKEN");
  EXPECT_TRUE(other.name().empty());
  EXPECT_EQ(Count("SELECT count(*) FROM funding.support_lines"), 1);
}

TEST_F(FundingTest, CreateProgrammeNodeReplaysARetryAndShortListsPage) {
  v1::CreateProgrammeNodeRequest req;
  req.set_request_id("0190c0de-0000-7000-8000-0000000000bb");
  auto* n = req.mutable_node();
  n->set_code("NTP_EM.P99");
  n->set_kind(v1::PROJECT);
  n->set_parent_code("NTP_EM");
  n->set_display_name("Test project");
  n->set_legal_doc("test");
  v1::ProgrammeNode first, replay;
  ASSERT_TRUE(catalogue_->CreateProgrammeNode(admin_, req, &first).ok());
  // The retry gets the node it created, not ALREADY_EXISTS for its code.
  ASSERT_TRUE(catalogue_->CreateProgrammeNode(admin_, req, &replay).ok());
  EXPECT_EQ(replay.name(), first.name());
  req.clear_request_id();
  EXPECT_EQ(catalogue_->CreateProgrammeNode(admin_, req, &replay).code(), absl::StatusCode::kAlreadyExists);
  req.set_request_id("not-a-uuid");
  EXPECT_EQ(catalogue_->CreateProgrammeNode(admin_, req, &replay).code(), absl::StatusCode::kInvalidArgument);
  // The funding sources page like every list; by default one page holds them all.
  v1::ListFundingSourcesResponse all;
  ASSERT_TRUE(catalogue_->ListFundingSources(admin_, {}, &all).ok());
  EXPECT_TRUE(all.next_page_token().empty());
  v1::ListFundingSourcesRequest paged;
  paged.set_page_size(4);
  std::vector<std::string> codes;
  do {
    v1::ListFundingSourcesResponse page;
    ASSERT_TRUE(catalogue_->ListFundingSources(admin_, paged, &page).ok());
    ASSERT_LE(page.sources_size(), 4);
    for (const auto& src : page.sources()) codes.push_back(src.code());
    paged.set_page_token(page.next_page_token());
  } while (!paged.page_token().empty());
  ASSERT_EQ(static_cast<int>(codes.size()), all.sources_size());
  for (int i = 0; i < all.sources_size(); ++i) EXPECT_EQ(codes[i], all.sources(i).code());
}

TEST_F(FundingTest, SharesMustAddUpAndRegistryOutageWritesNothing) {
  auto req = Line(kH1, "HOUSING", "NTP_EM.P1", "CENTRAL_RECURRENT", 100);
  req.mutable_line()->mutable_shares(0)->set_amount_vnd(90);
  v1::SupportLine out;
  absl::Status st = support_->CreateSupportLine(admin_, req, &out);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  ASSERT_FALSE(lnob::GetFieldViolations(st).empty());
  EXPECT_EQ(lnob::GetFieldViolations(st)[0].field, "line.shares");
  registry_.set_available(false);
  st = support_->CreateSupportLine(admin_, Line(kH1, "HOUSING", "NTP_EM.P1", "CENTRAL_RECURRENT", 100), &out);
  EXPECT_EQ(st.code(), absl::StatusCode::kUnavailable) << st;
  EXPECT_EQ(Count("SELECT count(*) FROM funding.support_lines"), 0);
}

TEST_F(FundingTest, AreaScopeOnLinesAllocationsAndReports) {
  v1::SupportLine out;
  // kH1 lives in 25195 (district 689): the officer of 688 cannot see it.
  EXPECT_EQ(support_->CreateSupportLine(officer_, Line(kH1, "HOUSING", "NTP_EM.P1", "CENTRAL_RECURRENT", 5), &out).code(),
            absl::StatusCode::kNotFound);
  ASSERT_TRUE(support_->CreateSupportLine(officer_, Line(kH3, "HOUSING", "NTP_EM.P1", "CENTRAL_RECURRENT", 5), &out).ok());
  v1::SupportLine mine;
  ASSERT_TRUE(support_->CreateSupportLine(admin_, Line(kH1, "HOUSING", "NTP_EM.P1", "CENTRAL_RECURRENT", 7), &mine).ok());
  v1::GetSupportLineRequest get;
  get.set_name(mine.name());
  EXPECT_EQ(support_->GetSupportLine(officer_, get, &out).code(), absl::StatusCode::kNotFound);
  v1::ListSupportLinesResponse listed;
  ASSERT_TRUE(support_->ListSupportLines(officer_, {}, &listed).ok());
  ASSERT_EQ(listed.lines_size(), 1);
  EXPECT_EQ(listed.lines(0).commune_code(), "25216");
  v1::SetAllocationRequest alloc;
  alloc.mutable_allocation()->set_year(2025);
  alloc.mutable_allocation()->set_node_code("NTP_EM.P1");
  alloc.mutable_allocation()->set_source("CENTRAL_RECURRENT");
  alloc.mutable_allocation()->set_unit_code("689");
  v1::Allocation a;
  EXPECT_EQ(funding_->SetAllocation(officer_, alloc, &a).code(), absl::StatusCode::kPermissionDenied);
  v1::GetDisbursementReportRequest rep;
  rep.set_year(2025);
  rep.add_group_by(v1::BY_UNIT);
  v1::DisbursementReport report;
  ASSERT_TRUE(funding_->GetDisbursementReport(officer_, rep, &report).ok());
  EXPECT_EQ(report.total().supported_vnd(), 5);  // only its own commune
  v1::DisbursementReport whole;
  ASSERT_TRUE(funding_->GetDisbursementReport(admin_, rep, &whole).ok());
  EXPECT_EQ(whole.total().supported_vnd(), 5 + 7) << whole.DebugString();
}

// Reporting regimes are monthly, quarterly, 6-monthly and annual (brief §8): a period's report
// counts the disbursements and ledger lines dated inside it, against the year's allocation.
TEST_F(FundingTest, DisbursementReportAnswersMonthsQuartersAndHalvesBrief8) {
  v1::SetAllocationRequest alloc;
  auto* a = alloc.mutable_allocation();
  a->set_year(2025);
  a->set_node_code("NTP_EM.P1");
  a->set_source("CENTRAL_RECURRENT");
  a->set_unit_code("689");
  a->set_amount_vnd(1000);
  v1::Allocation created;
  ASSERT_TRUE(funding_->SetAllocation(admin_, alloc, &created).ok());
  for (auto [month, amount] : {std::pair{2, 100}, std::pair{5, 200}, std::pair{8, 300}}) {
    v1::RecordDisbursementRequest d;
    auto* x = d.mutable_disbursement();
    x->set_year(2025);
    x->set_node_code("NTP_EM.P1");
    x->set_source("CENTRAL_RECURRENT");
    x->set_unit_code("689");
    *x->mutable_date() = Day(2025, month, 10);
    x->set_amount_vnd(amount);
    v1::Disbursement out;
    ASSERT_TRUE(funding_->RecordDisbursement(admin_, d, &out).ok());
  }
  v1::SupportLine line;
  ASSERT_TRUE(support_->CreateSupportLine(admin_, Line(kH1, "HOUSING", "NTP_EM.P1", "CENTRAL_RECURRENT", 40), &line).ok());
  auto toilet = Line(kH1, "TOILET", "NTP_EM.P1", "CENTRAL_RECURRENT", 6);
  *toilet.mutable_line()->mutable_date() = Day(2025, 9, 2);
  ASSERT_TRUE(support_->CreateSupportLine(admin_, toilet, &line).ok());

  auto report = [&](common::v1::Period::Type type, int index) {
    v1::GetDisbursementReportRequest rep;
    rep.mutable_period()->set_type(type);
    rep.mutable_period()->set_year(2025);
    rep.mutable_period()->set_index(index);
    v1::DisbursementReport out;
    absl::Status st = funding_->GetDisbursementReport(admin_, rep, &out);
    EXPECT_TRUE(st.ok()) << st;
    EXPECT_EQ(out.period().type(), type);
    return out.total();
  };
  auto q2 = report(common::v1::Period::QUARTER, 2);  // May: 200 disbursed, the housing line
  EXPECT_EQ(q2.allocated_vnd(), 1000);
  EXPECT_EQ(q2.disbursed_vnd(), 200);
  EXPECT_EQ(q2.supported_vnd(), 40);
  EXPECT_DOUBLE_EQ(q2.disbursement_rate(), 0.2);
  auto h2 = report(common::v1::Period::HALF_YEAR, 2);  // August and September
  EXPECT_EQ(h2.disbursed_vnd(), 300);
  EXPECT_EQ(h2.supported_vnd(), 6);
  // A cancelled line leaves its month's aggregate.
  v1::CancelSupportLineRequest cancel;
  cancel.set_name(line.name());
  cancel.set_reason("recorded twice");
  v1::SupportLine cancelled;
  ASSERT_TRUE(support_->CancelSupportLine(admin_, cancel, &cancelled).ok());
  EXPECT_EQ(report(common::v1::Period::HALF_YEAR, 2).supported_vnd(), 0);
  EXPECT_EQ(Count("SELECT coalesce(sum(amount), 0) FROM funding.support_agg_month"),
            Count("SELECT coalesce(sum(s.amount), 0) FROM funding.support_lines l JOIN funding.funding_shares s"
                  " ON s.line_id = l.id WHERE l.state <> 'CANCELLED'"));
  auto feb = report(common::v1::Period::MONTH, 2);
  EXPECT_EQ(feb.disbursed_vnd(), 100);
  EXPECT_EQ(feb.supported_vnd(), 0);
  auto year = report(common::v1::Period::YEAR, 0);  // the same as year = 2025
  EXPECT_EQ(year.disbursed_vnd(), 600);
  EXPECT_EQ(year.supported_vnd(), 40);
  v1::GetDisbursementReportRequest both;
  both.set_year(2025);
  both.mutable_period()->set_type(common::v1::Period::QUARTER);
  both.mutable_period()->set_year(2025);
  both.mutable_period()->set_index(1);
  v1::DisbursementReport out;
  EXPECT_EQ(lnob::GetFieldViolations(funding_->GetDisbursementReport(admin_, both, &out)).at(0).field, "period");
}

TEST_F(FundingTest, EligibilityIsCheckedWhenALineIsWrittenBrief3_1) {
  constexpr char kKinhNearPoor[] = "0190c0de-0000-7000-8000-000000000005";
  constexpr char kNotPoor[] = "0190c0de-0000-7000-8000-000000000006";
  registry_.AddHousehold(kKinhNearPoor, "25195", false, "NEAR_POOR");
  registry_.AddHousehold(kNotPoor, "25195", true, "NOT_POOR");
  v1::SupportLine out;
  // NTP 1719 supports EM households (rule 1) ...
  ASSERT_TRUE(support_->CreateSupportLine(admin_, Line(kH1, "TOILET", "NTP_EM.P1", "CENTRAL_RECURRENT", 10), &out).ok());
  EXPECT_EQ(out.eligibility_basis().rfind("NTP_EM rule 1", 0), 0u) << out.eligibility_basis();
  // ... and Kinh poor or near-poor households only in especially difficult communes or villages.
  absl::Status refused = support_->CreateSupportLine(admin_, Line(kKinhNearPoor, "TOILET", "NTP_EM.P1", "CENTRAL_RECURRENT", 10), &out);
  EXPECT_EQ(GetReason(refused), "NOT_ELIGIBLE") << refused;
  EXPECT_EQ(std::string(refused.message()).rfind("line.shares[0].node_code: ", 0), 0u) << refused;
  registry_.SetRegions(kKinhNearPoor, {"ESPECIALLY_DIFFICULT_VILLAGE"});
  ASSERT_TRUE(support_->CreateSupportLine(admin_, Line(kKinhNearPoor, "TOILET", "NTP_EM.P1", "CENTRAL_RECURRENT", 10), &out).ok());
  EXPECT_EQ(out.eligibility_basis().rfind("NTP_EM rule 2", 0), 0u) << out.eligibility_basis();
  // The provincial programme is for EM poor households: a sub-node inherits its programme's rules.
  auto provincial = Line(kKinhNearPoor, "HOUSING", "PROG_BP_1000_EM_HH.HOUSING", "PROVINCIAL_SPECIAL", 10);
  EXPECT_EQ(GetReason(support_->CreateSupportLine(admin_, provincial, &out)), "NOT_ELIGIBLE");
  // The content's classes first: HOUSING is for poor and near-poor households.
  absl::Status content = support_->CreateSupportLine(admin_, Line(kNotPoor, "HOUSING", "NTP_EM.P1", "CENTRAL_RECURRENT", 10), &out);
  EXPECT_EQ(std::string(content.message()).rfind("line.content: ", 0), 0u) << content;
  // An explicit reason records it anyway, and the line says so; free text is stored NFC
  // (this reason arrives decomposed: "e" + circumflex + acute).
  provincial.mutable_line()->set_eligibility_override_reason("Quye\xcc\x82\xcc\x81t định 55/QĐ-UBND hỗ trợ đặc cách");
  ASSERT_TRUE(support_->CreateSupportLine(admin_, provincial, &out).ok());
  EXPECT_EQ(out.eligibility_basis().rfind("OVERRIDE (line.shares[0].node_code", 0), 0u) << out.eligibility_basis();
  v1::GetSupportLineRequest get;
  get.set_name(out.name());
  v1::SupportLine stored;
  ASSERT_TRUE(support_->GetSupportLine(admin_, get, &stored).ok());
  EXPECT_EQ(stored.eligibility_override_reason(), "Quyết định 55/QĐ-UBND hỗ trợ đặc cách");
}

TEST_F(FundingTest, AHouseIsGivenOncePerHouseholdAndAClosedPhaseCannotBeChargedBrief3_5) {
  // Brief §3.5: at most one policy per beneficiary, content and period; HOUSING's period is
  // "once per household" (support_contents.policy_period, unconfirmed data).
  v1::SupportLine first, out;
  ASSERT_TRUE(support_->CreateSupportLine(admin_, Line(kH1, "HOUSING", "NTP_EM.P1", "CENTRAL_RECURRENT", 100), &first).ok());
  auto next_year = Line(kH1, "HOUSING", "NTP_EM.P1", "CENTRAL_RECURRENT", 100);
  *next_year.mutable_line()->mutable_date() = Day(2026, 3, 2);
  clock_.Set(absl::FromCivil(absl::CivilSecond(2026, 6, 1, 9, 0, 0), absl::UTCTimeZone()));
  absl::Status twice = support_->CreateSupportLine(admin_, next_year, &out);
  EXPECT_EQ(GetReason(twice), "DOUBLE_FUNDING") << twice;
  EXPECT_NE(std::string(twice.message()).find(first.name()), std::string::npos) << twice;
  // A yearly content is given again the next year.
  ASSERT_TRUE(support_->CreateSupportLine(admin_, Line(kH1, "TOILET", "NTP_EM.P1", "CENTRAL_RECURRENT", 50), &out).ok());
  auto toilet_2026 = Line(kH1, "TOILET", "NTP_EM.P1", "CENTRAL_RECURRENT", 50);
  *toilet_2026.mutable_line()->mutable_date() = Day(2026, 3, 2);
  EXPECT_TRUE(support_->CreateSupportLine(admin_, toilet_2026, &out).ok());
  // Cancelling the house frees the policy.
  v1::CancelSupportLineRequest cancel;
  cancel.set_name(first.name());
  cancel.set_reason("thay bằng nguồn khác");
  ASSERT_TRUE(support_->CancelSupportLine(admin_, cancel, &out).ok());
  EXPECT_TRUE(support_->CreateSupportLine(admin_, next_year, &out).ok());
  // NTP-SPR phase I ended on 31 Dec 2025 (node_placements): a 2026 line cannot charge it.
  auto closed = Line(kH2, "LIVESTOCK_CROPS", "NTP_SPR", "CENTRAL_RECURRENT", 70);
  *closed.mutable_line()->mutable_date() = Day(2026, 3, 2);
  EXPECT_EQ(GetFieldViolations(support_->CreateSupportLine(admin_, closed, &out)).at(0).field, "line.shares[0].node_code");
  *closed.mutable_line()->mutable_date() = Day(2025, 9, 2);
  EXPECT_TRUE(support_->CreateSupportLine(admin_, closed, &out).ok());
}

TEST_F(FundingTest, CatalogueAnswersAsOfAroundAReparenting) {
  v1::ReparentProgrammeNodeRequest move;
  move.set_name("programmeNodes/NTP_SPR.SPR2");
  move.set_new_parent_code("NTP_EM");
  *move.mutable_effective_date() = Day(2025, 10, 1);  // during phase I
  move.set_legal_doc("test");
  v1::ProgrammeNode node;
  ASSERT_TRUE(catalogue_->ReparentProgrammeNode(admin_, move, &node).ok());
  v1::GetProgrammeNodeRequest get;
  get.set_name("programmeNodes/NTP_SPR.SPR2");
  *get.mutable_as_of() = Day(2025, 9, 30);
  ASSERT_TRUE(catalogue_->GetProgrammeNode(admin_, get, &node).ok());
  EXPECT_EQ(node.programme_code(), "NTP_SPR");
  *get.mutable_as_of() = Day(2025, 10, 1);
  ASSERT_TRUE(catalogue_->GetProgrammeNode(admin_, get, &node).ok());
  EXPECT_EQ(node.programme_code(), "NTP_EM");
  // Moving it again on an earlier date than its latest placement is refused.
  *move.mutable_effective_date() = Day(2025, 6, 1);
  move.set_new_parent_code("NTP_NRD");
  EXPECT_EQ(catalogue_->ReparentProgrammeNode(admin_, move, &node).code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(FundingTest, ASplitOrMergedHouseholdKeepsTheLedgerHistoryItCameFromBrief3_5) {
  constexpr char kSplitOff[] = "0190c0de-0000-7000-8000-000000000007";
  constexpr char kAbsorbed[] = "0190c0de-0000-7000-8000-000000000008";
  registry_.AddHousehold(kSplitOff, "25195", true, "POOR");
  registry_.AddHousehold(kAbsorbed, "25195", true, "POOR");
  v1::SupportLine house, well, out;
  ASSERT_TRUE(support_->CreateSupportLine(admin_, Line(kH1, "HOUSING", "NTP_EM.P1", "CENTRAL_RECURRENT", 5), &house).ok());
  ASSERT_TRUE(support_->CreateSupportLine(admin_, Line(kAbsorbed, "DRILLED_WELL", "NTP_EM.P1", "CENTRAL_RECURRENT", 5), &well).ok());
  // The registry's feed: kSplitOff split from kH1; kAbsorbed merged into kH2.
  RegistryChange split;
  split.cursor = 20;
  split.household_id = kSplitOff;
  split.kind = "HOUSEHOLD_SPLIT";
  split.related_household_id = kH1;
  RegistryChange merge;
  merge.cursor = 21;
  merge.household_id = kAbsorbed;
  merge.kind = "HOUSEHOLD_MERGED";
  merge.related_household_id = kH2;
  registry_.AddChange(split);
  registry_.AddChange(merge);
  FeedConsumer consumer(&registry_, support_store_.get(), [](absl::Duration) {});
  ASSERT_TRUE(consumer.RunOnce([] { return false; }).ok());
  // The house given to kH1 counts for the household that split off it (HOUSING: once).
  absl::Status again = support_->CreateSupportLine(admin_, Line(kSplitOff, "HOUSING", "NTP_EM.P1", "CENTRAL_RECURRENT", 5), &out);
  EXPECT_EQ(GetReason(again), "DOUBLE_FUNDING") << again;
  EXPECT_NE(std::string(again.message()).find(house.name()), std::string::npos) << again;
  // The well given to the absorbed household counts for kH2 in the same year; not the next.
  EXPECT_EQ(GetReason(support_->CreateSupportLine(admin_, Line(kH2, "DRILLED_WELL", "NTP_EM.P1", "CENTRAL_RECURRENT", 5), &out)),
            "DOUBLE_FUNDING");
  auto next_year = Line(kH2, "DRILLED_WELL", "NTP_EM.P1", "CENTRAL_RECURRENT", 5);
  *next_year.mutable_line()->mutable_date() = Day(2025, 1, 2);
  EXPECT_EQ(GetReason(support_->CreateSupportLine(admin_, next_year, &out)), "DOUBLE_FUNDING");  // 2025 too
  *next_year.mutable_line()->mutable_date() = Day(2024, 6, 2);
  EXPECT_TRUE(support_->CreateSupportLine(admin_, next_year, &out).ok());
  // The original household is not bound by its descendant's lines.
  EXPECT_TRUE(support_->CreateSupportLine(admin_, Line(kSplitOff, "TOILET", "NTP_EM.P1", "CENTRAL_RECURRENT", 5), &out).ok());
  EXPECT_TRUE(support_->CreateSupportLine(admin_, Line(kH1, "TOILET", "NTP_EM.P1", "CENTRAL_RECURRENT", 5), &out).ok());
}

TEST_F(FundingTest, FeedConsumerResumesAfterABrokenStreamWithoutMissingOrRepeating) {
  v1::SupportLine l1, l2, l3;
  ASSERT_TRUE(support_->CreateSupportLine(admin_, Line(kH1, "HOUSING", "NTP_EM.P1", "CENTRAL_RECURRENT", 5), &l1).ok());
  ASSERT_TRUE(support_->CreateSupportLine(admin_, Line(kH2, "HOUSING", "NTP_EM.P1", "CENTRAL_RECURRENT", 5), &l2).ok());
  ASSERT_TRUE(
      support_->CreateSupportLine(admin_, Line(kH3, "TOILET", "NTP_EM.P1", "CENTRAL_RECURRENT", 5, "DELIVERED"), &l3).ok());
  auto change = [](int64_t cursor, const char* hid, const char* cls) {
    RegistryChange c;
    c.cursor = cursor;
    c.household_id = hid;
    c.kind = "CLASSIFICATION_CHANGED";
    c.classification = cls;
    c.previous_classification = "POOR";
    return c;
  };
  registry_.AddChange(change(10, kH1, "NOT_POOR"));   // flags l1
  registry_.AddChange(change(11, kH2, "NEAR_POOR"));  // still eligible
  registry_.AddChange(change(12, kH3, "NOT_POOR"));   // l3 is delivered: not flagged
  registry_.AddChange(change(13, kH2, "NOT_POOR"));   // flags l2
  registry_.BreakWatchAfter(2);
  FeedConsumer consumer(&registry_, support_store_.get(), [](absl::Duration) {});
  auto first = consumer.RunOnce([] { return false; });
  EXPECT_EQ(first.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(consumer.cursor(), 11);
  auto flagged = [&](const v1::SupportLine& l) {
    v1::GetSupportLineRequest g;
    g.set_name(l.name());
    v1::SupportLine out;
    EXPECT_TRUE(support_->GetSupportLine(admin_, g, &out).ok());
    return out.review_flag();
  };
  EXPECT_TRUE(flagged(l1));
  EXPECT_FALSE(flagged(l2));
  // The flag is cleared after a check; a new consumer (a restart) must not apply 10 again.
  v1::ClearReviewFlagRequest clear;
  clear.set_name(l1.name());
  v1::SupportLine out;
  ASSERT_TRUE(support_->ClearReviewFlag(admin_, clear, &out).ok());
  FeedConsumer restarted(&registry_, support_store_.get(), [](absl::Duration) {});
  auto second = restarted.RunOnce([] { return false; });
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(*second, 2);  // 12 and 13 only
  EXPECT_FALSE(flagged(l1));
  EXPECT_TRUE(flagged(l2));
  EXPECT_FALSE(flagged(l3));
  EXPECT_EQ(Count("SELECT cursor FROM funding.feed_cursors"), 13);
  // Applying an old change directly is a no-op.
  EXPECT_EQ(*restarted.Apply(change(10, kH1, "NOT_POOR")), 0);
  EXPECT_FALSE(flagged(l1));
}

TEST_F(FundingTest, CostPerEscapedHouseholdAndProgrammeProgress) {
  // "Escaped" is the registry's one group ESCAPED in both reports: a household that went from
  // poor to near-poor counts in the cost per escaped household and in the programme's progress
  // alike (the cost report used to count ESCAPED_POOR only).
  const std::string kH4 = "0190c0de-0000-7000-8000-000000000004";
  registry_.AddHousehold(kH4, "25195", true, "POOR", "POOR_TO_NEAR_POOR");  // poor when supported
  v1::SupportLine out;
  ASSERT_TRUE(support_->CreateSupportLine(
                        admin_, Line(kH4, "HOUSING", "PROG_BP_1000_EM_HH.HOUSING", "PROVINCIAL_SPECIAL", 5000), &out)
                  .ok());
  ASSERT_TRUE(support_->CreateSupportLine(
                        admin_, Line(kH2, "HOUSING", "PROG_BP_1000_EM_HH.HOUSING", "PROVINCIAL_SPECIAL", 3000), &out)
                  .ok());
  ASSERT_TRUE(
      support_->CreateSupportLine(admin_, Line(kH1, "HOUSING", "PROG_BP_1000_EM_HH.HOUSING", "PROVINCIAL_SPECIAL", 1000), &out)
          .ok());
  v1::GetCostPerEscapedHouseholdRequest creq;
  creq.set_year(2025);
  v1::CostPerEscapedHousehold cost;
  ASSERT_TRUE(funding_->GetCostPerEscapedHousehold(admin_, creq, &cost).ok());
  EXPECT_EQ(cost.escaped_households(), 2);
  EXPECT_EQ(cost.supported_escaped_households(), 2);
  EXPECT_EQ(cost.cost_per_escaped_household_vnd(), 4000);  // (3000 + 5000) / 2
  v1::GetProgrammeProgressRequest preq;
  preq.set_year(2025);
  v1::ProgrammeProgress progress;
  ASSERT_TRUE(funding_->GetProgrammeProgress(admin_, preq, &progress).ok());
  EXPECT_EQ(progress.cohort_households(), 3);
  EXPECT_EQ(progress.escaped_by_year_end(), 2);
  EXPECT_EQ(progress.target_households(), 1000);
  EXPECT_EQ(progress.support_vnd(), 9000);
}

TEST_F(FundingTest, DatabaseGuardsHoldForDirectWrites) {
  v1::SetAllocationRequest alloc;
  auto* a = alloc.mutable_allocation();
  a->set_year(2025);
  a->set_node_code("NTP_EM.P1");
  a->set_source("CENTRAL_INVESTMENT");
  a->set_unit_code("689");
  a->set_amount_vnd(1000);
  v1::Allocation created;
  ASSERT_TRUE(funding_->SetAllocation(admin_, alloc, &created).ok());
  v1::RecordDisbursementRequest pay;
  auto* d = pay.mutable_disbursement();
  d->set_year(2025);
  d->set_node_code("NTP_EM.P1");
  d->set_source("CENTRAL_INVESTMENT");
  d->set_unit_code("689");
  *d->mutable_date() = Day(2025, 6, 1);
  d->set_amount_vnd(300);
  v1::Disbursement paid;
  ASSERT_TRUE(funding_->RecordDisbursement(admin_, pay, &paid).ok());
  v1::SupportLine line;
  ASSERT_TRUE(support_->CreateSupportLine(admin_, Line(kH1, "HOUSING", "NTP_EM.P1", "CENTRAL_RECURRENT", 5), &line).ok());
  pqxx::connection conn(db_->service_url());
  auto refused = [&](const std::string& sql) {
    try {
      pqxx::work tx(conn);
      tx.exec(sql);
      tx.commit();
      return false;
    } catch (const pqxx::sql_error&) {
      return true;
    }
  };
  EXPECT_TRUE(refused("UPDATE funding.allocations SET disbursed = 0"));
  EXPECT_TRUE(refused("UPDATE funding.allocations SET disbursed = 500"));
  EXPECT_TRUE(refused("DELETE FROM funding.disbursements"));
  EXPECT_EQ(Count("SELECT disbursed FROM funding.allocations"), 300);
  const std::string id = line.name().substr(13);
  EXPECT_TRUE(refused("UPDATE funding.support_lines SET amount = 9 WHERE id = '" + id + "'"));
  EXPECT_TRUE(refused("UPDATE funding.funding_shares SET amount = 9 WHERE line_id = '" + id + "'"));
  EXPECT_FALSE(refused("UPDATE funding.support_lines SET state = 'CANCELLED' WHERE id = '" + id + "'"));
  EXPECT_TRUE(refused("UPDATE funding.support_lines SET state = 'PLANNED' WHERE id = '" + id + "'"));
  EXPECT_TRUE(refused("INSERT INTO funding.plans (id, year, unit_code, state, created_by, updated_by)"
                      " VALUES (gen_random_uuid(), 2024, '689', 'APPROVED', 'x', 'x')"));
  // The aggregate followed the cancellation exactly.
  EXPECT_EQ(Count("SELECT coalesce(sum(amount), 0) FROM funding.support_agg"), 0);
}

TEST_F(FundingTest, EmptySupportAndReparentLoopsInTheFuture) {
  v1::GetHouseholdSupportRequest req;
  req.set_household(absl::StrCat("households/", kH3));
  v1::HouseholdSupport support;
  ASSERT_TRUE(funding_->GetHouseholdSupport(admin_, req, &support).ok());
  EXPECT_EQ(support.total_vnd(), 0);
  v1::GetCostPerEscapedHouseholdRequest creq;
  creq.set_year(2024);  // nobody escaped that year
  v1::CostPerEscapedHousehold cost;
  ASSERT_TRUE(funding_->GetCostPerEscapedHousehold(admin_, creq, &cost).ok());
  EXPECT_EQ(cost.support_to_escaped_vnd(), 0);
  // P3 moves under P1 from 2027; moving P1 under P3 from 2026 would loop from 2027.
  v1::ReparentProgrammeNodeRequest move;
  move.set_name("programmeNodes/NTP_EM.P3");
  move.set_new_parent_code("NTP_EM.P1");
  *move.mutable_effective_date() = Day(2027, 1, 1);
  move.set_legal_doc("test");
  v1::ProgrammeNode node;
  ASSERT_TRUE(catalogue_->ReparentProgrammeNode(admin_, move, &node).ok());
  move.set_name("programmeNodes/NTP_EM.P1");
  move.set_new_parent_code("NTP_EM.P3");
  *move.mutable_effective_date() = Day(2026, 1, 1);
  absl::Status st = catalogue_->ReparentProgrammeNode(admin_, move, &node);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << st;
  v1::GetProgrammeNodeRequest get;
  get.set_name("programmeNodes/NTP_EM.P1");
  *get.mutable_as_of() = Day(2026, 6, 1);
  ASSERT_TRUE(catalogue_->GetProgrammeNode(admin_, get, &node).ok());
  EXPECT_EQ(node.parent_code(), "NTP_EM");  // the refused move left nothing behind
}

}  // namespace
}  // namespace lnob::funding
