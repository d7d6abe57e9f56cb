// Reporting, first layer, against its real schema: the report definitions the brief describes
// as versioned data, and the calendar of reports due.

#include <map>
#include <memory>
#include <set>

#include "common/api/proto_date.h"
#include "common/db/pool.h"
#include "common/status/status.h"
#include "embedded/lnob_reporting_migrations.h"
#include "gtest/gtest.h"
#include "services/reporting/domain/reporting_logic.h"
#include "services/reporting/store/pg_reporting_store.h"
#include "tests/support/service_test.h"

namespace lnob::reporting {
namespace {

using Period = common::v1::Period;

class ReportingTest : public testing::ServiceTest {
 protected:
  void SetUp() override {
    OpenDatabase("reporting", EmbeddedMigrations());
    store_ = NewPgReportingStore(pool_.get());
    logic_ = std::make_unique<ReportingLogic>(store_.get(), api::PageTokenCodec("test-secret-0123456789"),
                                              RealClock::Get());
    call_ = CallAs("officer-1", {"reporting.*"});
  }

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

}  // namespace
}  // namespace lnob::reporting
