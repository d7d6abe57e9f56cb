// Reporting, first layer, against its real schema: the report definitions the brief describes
// as versioned data, and the calendar of reports due.

#include <map>
#include <memory>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_format.h"
#include "common/api/proto_date.h"
#include "common/db/pool.h"
#include "common/status/status.h"
#include "embedded/lnob_reporting_migrations.h"
#include "gtest/gtest.h"
#include "services/reporting/domain/reporting_logic.h"
#include "services/reporting/store/pg_reporting_store.h"
#include "tests/support/fake_unit_directory.h"
#include "tests/support/service_test.h"

namespace lnob::reporting {
namespace {

using Period = common::v1::Period;

// The owners in memory: each method answers a fixed JSON with a cursor; one owner can be down.
class FakeOwners : public OwnerCaller {
 public:
  absl::StatusOr<OwnerAnswer> Call(const server::Call&, const std::string& owner, const std::string& method,
                                   const std::string& request_json) override {
    requests[method] = request_json;
    if (owner == down) return absl::UnavailableError(absl::StrCat(owner, ": connection refused"));
    ++calls;
    OwnerAnswer a;
    a.read_time = absl::Now();
    a.cursor = owner == "registry" ? 42 : 0;
    if (method == "lnob.awards.v1.AwardsService/GetAnnualReport") {
      a.response_json = R"({"form":"0602.N/BNV-TĐKT","rows":[{"row":1,"form_code":"TITLE_ADVANCED_WORKER","individuals":"6"}]})";
    } else if (method == "lnob.registry.v1.HouseholdService/GetStatistics") {
      a.response_json = R"({"rows":[{"unit_code":"25195","poor":"10"}],"transitions":[{"category":"ESCAPED_POOR","households":"5"}],"cursor":"42"})";
    } else {
      a.response_json = R"({"recovered_vnd":"2000000","recommendations_done":"3","attendances":"120","by_form":[],"villages_without_activity":"4","years":[]})";
    }
    return a;
  }
  std::map<std::string, std::string> requests;
  std::string down;
  int calls = 0;
};

class ReportingTest : public testing::ServiceTest {
 protected:
  void SetUp() override {
    OpenDatabase("reporting", EmbeddedMigrations());
    store_ = NewPgReportingStore(pool_.get());
    logic_ = std::make_unique<ReportingLogic>(store_.get(), &owners_, &scope_,
                                              api::PageTokenCodec("test-secret-0123456789"), RealClock::Get());
    call_ = CallAs("officer-1", {"reporting.*"});
  }

  v1::CreateReportRequest Request(const std::string& code, Period::Type type, int year, int index = 0) {
    v1::CreateReportRequest req;
    static int n = 0;
    req.set_request_id(absl::StrFormat("00000000-0000-4000-8000-%012d", ++n));
    req.mutable_report()->set_definition("reportDefinitions/" + code);
    req.mutable_report()->mutable_period()->set_type(type);
    req.mutable_report()->mutable_period()->set_year(year);
    req.mutable_report()->mutable_period()->set_index(index);
    req.mutable_report()->set_unit_code("25195");
    return req;
  }

  FakeOwners owners_;
  lnob::testing::FakeUnitDirectory units_;
  scope::AreaScope scope_{&units_, RealClock::Get()};
  std::unique_ptr<ReportingStore> store_;
  std::unique_ptr<ReportingLogic> logic_;
  server::Call call_;
};

TEST_F(ReportingTest, TheBriefsDefinitionsAreDataBoundToTheOwnersStatistics) {
  v1::ListReportDefinitionsResponse list;
  ASSERT_TRUE(logic_->ListReportDefinitions(call_, {}, &list).ok());
  std::map<std::string, v1::ReportDefinition> by_code;
  for (const auto& d : list.definitions()) by_code[d.code()] = d;
  ASSERT_EQ(by_code.size(), 4u);
  const auto& periodic = by_code["ETHNIC_WORK_PERIODIC"];
  EXPECT_EQ(periodic.period_types_size(), 4);
  EXPECT_TRUE(periodic.ad_hoc());
  EXPECT_FALSE(periodic.layout_confirmed());  // the brief gives no official layout
  std::set<std::string> owners;
  for (const auto& s : periodic.sections()) {
    for (const auto& i : s.indicators()) owners.insert(i.owner());
  }
  EXPECT_EQ(owners, (std::set<std::string>{"registry", "funding", "campaigns", "inspection", "awards"}));
  v1::GetReportDefinitionRequest get;
  get.set_name("reportDefinitions/EMULATION_STATISTICS");
  v1::ReportDefinition emulation;
  ASSERT_TRUE(logic_->GetReportDefinition(call_, get, &emulation).ok());
  ASSERT_EQ(emulation.due_rules_size(), 1);
  EXPECT_TRUE(emulation.due_rules(0).confirmed());
  EXPECT_EQ(emulation.sections(0).indicators(0).method(), "lnob.awards.v1.AwardsService/GetAnnualReport");
  get.set_version(2);
  EXPECT_EQ(logic_->GetReportDefinition(call_, get, &emulation).code(), absl::StatusCode::kNotFound);
  get.set_name("EMULATION_STATISTICS");
  EXPECT_EQ(logic_->GetReportDefinition(call_, get, &emulation).code(), absl::StatusCode::kInvalidArgument);
  // Only a migration changes a definition (a new version), and an indicator names a known call.
  EXPECT_ANY_THROW(Exec("UPDATE reporting.report_definitions SET title = 'x'"));
  EXPECT_ANY_THROW(Exec("INSERT INTO reporting.report_indicators VALUES ('EMULATION_STATISTICS', 1, 'AWARDS', 2, 'X',"
                        " 'x', 'lnob.registry.v1.HouseholdService/DeleteEverything', '{}', 'rows', '', false)"));
}

TEST_F(ReportingTest, TheCalendarGivesEveryReportDueInAYearWithItsRule) {
  v1::GetReportCalendarRequest req;
  req.set_year(2025);
  v1::ReportCalendar cal;
  ASSERT_TRUE(logic_->GetReportCalendar(call_, req, &cal).ok());
  // 12 + 4 + 2 + 1 periodic reports, 4 quarters and 2 annual dates of NTP 1719, 0602.N, the review.
  EXPECT_EQ(cal.due_size(), 19 + 6 + 1 + 1);
  std::map<std::string, std::string> fixed;
  for (const auto& d : cal.due()) {
    if (d.period().type() == Period::YEAR) fixed[d.definition() + " " + d.rule().substr(0, 12)] = api::ProtoDateText(d.due_date());
  }
  EXPECT_EQ(fixed["reportDefinitions/EMULATION_STATISTICS form 0602.N "], "2025-12-15");
  EXPECT_EQ(fixed["reportDefinitions/NTP1719_MONITORING the commune "], "2025-09-10");
  EXPECT_EQ(fixed["reportDefinitions/NTP1719_MONITORING the year's f"], "2026-01-25");
  // By due date; the December monthly report is due in January of the next year.
  for (int i = 1; i < cal.due_size(); ++i) {
    EXPECT_LE(api::ProtoDay(cal.due(i - 1).due_date()), api::ProtoDay(cal.due(i).due_date()));
  }
  EXPECT_EQ(api::ProtoDateText(cal.due(cal.due_size() - 1).due_date()), "2026-01-25");
  req.set_year(1999);
  EXPECT_EQ(logic_->GetReportCalendar(call_, req, &cal).code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(ReportingTest, AReportIsComposedFromTheOwnersAndFrozenWithTheirCursors) {
  v1::Report r;
  ASSERT_TRUE(logic_->CreateReport(call_, Request("ETHNIC_WORK_PERIODIC", Period::QUARTER, 2025, 3), &r).ok());
  EXPECT_EQ(r.version(), 1);
  EXPECT_EQ(r.state(), "DRAFT");
  EXPECT_EQ(api::ProtoDateText(r.geography()), "2025-09-30");  // the period's last day
  ASSERT_EQ(r.inputs_size(), 9);
  EXPECT_EQ(r.digest().size(), 64u);
  std::map<std::string, v1::ReportInput> by;
  for (const auto& in : r.inputs()) by[in.indicator()] = in;
  EXPECT_EQ(by["TRANSITIONS"].value_json(), R"([{"category": "ESCAPED_POOR", "households": "5"}])");  // as jsonb
  EXPECT_EQ(by["TRANSITIONS"].cursor(), 42);
  EXPECT_EQ(by["RECOVERED"].value_json(), R"("2000000")");
  // The request carries the definition's parameters, the report's period and unit.
  const std::string sent = owners_.requests["lnob.funding.v1.FundingService/GetDisbursementReport"];
  EXPECT_TRUE(absl::StrContains(sent, R"("group_by":["BY_SOURCE"])")) << sent;
  EXPECT_TRUE(absl::StrContains(sent, R"("unit_code":"25195")")) << sent;
  EXPECT_TRUE(absl::StrContains(sent, R"("index":3)")) << sent;
  // Stored as composed, and never changed.
  v1::GetReportRequest get;
  get.set_name(r.name());
  v1::Report again;
  ASSERT_TRUE(logic_->GetReport(call_, get, &again).ok());
  EXPECT_EQ(again.SerializeAsString(), r.SerializeAsString());
  EXPECT_ANY_THROW(Exec("UPDATE reporting.report_inputs SET value = '0'"));
  // Another district's officer does not read it.
  server::Call other = CallAs("other", {"reporting.*"}, {"25216"});
  EXPECT_EQ(logic_->GetReport(other, get, &again).code(), absl::StatusCode::kNotFound);
  v1::ListReportsResponse listed;
  ASSERT_TRUE(logic_->ListReports(other, {}, &listed).ok());
  EXPECT_EQ(listed.reports_size(), 0);
  ASSERT_TRUE(logic_->ListReports(call_, {}, &listed).ok());
  EXPECT_EQ(listed.reports_size(), 1);
}

TEST_F(ReportingTest, AnOwnerThatCannotAnswerFailsTheWholeCompositionNamingIt) {
  owners_.down = "inspection";
  v1::Report r;
  absl::Status st = logic_->CreateReport(call_, Request("ETHNIC_WORK_PERIODIC", Period::YEAR, 2025), &r);
  EXPECT_EQ(st.code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(absl::StrContains(st.message(), "inspection")) << st;
  EXPECT_EQ(Count("SELECT count(*) FROM reporting.reports"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM reporting.report_inputs"), 0);
  // A period the definition is not made for, and a retry answered without asking again.
  owners_.down.clear();
  EXPECT_EQ(logic_->CreateReport(call_, Request("EMULATION_STATISTICS", Period::QUARTER, 2025, 1), &r).code(),
            absl::StatusCode::kInvalidArgument);
  auto req = Request("EMULATION_STATISTICS", Period::YEAR, 2025);
  ASSERT_TRUE(logic_->CreateReport(call_, req, &r).ok());
  EXPECT_TRUE(absl::StrContains(owners_.requests["lnob.awards.v1.AwardsService/GetAnnualReport"], R"("year":2025)"));
  const int calls = owners_.calls;
  owners_.down = "awards";
  v1::Report replay;
  ASSERT_TRUE(logic_->CreateReport(call_, req, &replay).ok());
  EXPECT_EQ(replay.name(), r.name());
  EXPECT_EQ(owners_.calls, calls);
}

}  // namespace
}  // namespace lnob::reporting
