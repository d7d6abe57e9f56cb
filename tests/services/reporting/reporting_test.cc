// Reporting, first layer, against its real schema: the report definitions the brief describes
// as versioned data, and the calendar of reports due.

#include <map>
#include <memory>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/util/date.h"
#include "absl/strings/str_replace.h"
#include "common/api/proto_date.h"
#include "common/api/proto_json.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/dynamic_message.h"
#include "common/db/pool.h"
#include "common/status/status.h"
#include "embedded/lnob_reporting_migrations.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "services/reporting/export/report_export.h"
#include "services/reporting/domain/reporting_logic.h"
#include "services/reporting/store/pg_reporting_store.h"
#include "tests/support/fake_unit_directory.h"
#include "tests/support/service_test.h"

namespace lnob::reporting {
namespace {

using Period = common::v1::Period;

// The owners in memory. The registry and campaigns answer from per-commune figures (summed over
// the communes under the unit asked, by child unit when asked), the others fixed JSON; every
// answer carries a cursor; one owner can be down, one method can block until released.
class FakeOwners : public OwnerCaller {
 public:
  struct Commune {
    int64_t registered = 0, poor = 0, near_poor = 0, escaped = 0, attendances = 0;
  };

  absl::StatusOr<OwnerAnswer> Call(const server::Call&, const std::string& owner, const std::string& method,
                                   const std::string& request_json) override {
    {
      std::unique_lock<std::mutex> lock(mu);
      requests[method] = request_json;
      if (method == block_method) {
        blocked = true;
        cv.notify_all();
        cv.wait(lock, [&] { return !block_method.size(); });
      }
      if (owner == down) return absl::UnavailableError(absl::StrCat(owner, ": connection refused"));
      ++calls;
    }
    google::protobuf::Struct req;
    (void)google::protobuf::util::JsonStringToMessage(request_json, &req);
    const std::string unit = req.fields().count("unit_code") ? req.fields().at("unit_code").string_value() : "";
    const bool by_child = req.fields().count("by_child_unit") && req.fields().at("by_child_unit").bool_value();
    OwnerAnswer a;
    a.read_time = absl::Now();
    a.cursor = owner == "registry" ? cursor : 0;
    // Buckets: the unit's children (by child unit), else the unit itself as "".
    std::map<std::string, Commune> buckets;
    for (const auto& [code, c] : communes) {
      const std::string parent = parents.count(code) ? parents.at(code) : "";
      std::string bucket;
      if (code == unit) bucket = "";
      else if (parent == unit) bucket = by_child ? code : "";
      else if (parents.count(parent) && parents.at(parent) == unit) bucket = by_child ? parent : "";
      else continue;
      auto& b = buckets[bucket];
      b.registered += c.registered;
      b.poor += c.poor;
      b.near_poor += c.near_poor;
      b.escaped += c.escaped;
      b.attendances += c.attendances;
    }
    if (method == "lnob.awards.v1.AwardsService/GetAnnualReport") {
      a.response_json = R"({"form":"0602.N/BNV-TĐKT","rows":[{"row":1,"form_code":"TITLE_ADVANCED_WORKER","individuals":"6"}]})";
    } else if (method == "lnob.registry.v1.HouseholdService/GetStatistics") {
      std::string rows, totals;
      int64_t escaped = 0;
      for (const auto& [bucket, b] : buckets) {
        absl::StrAppend(&rows, rows.empty() ? "" : ",",
                        absl::StrFormat(R"({"unit_code":"%s","classification":"POOR","households":"%d"},)"
                                        R"({"unit_code":"%s","classification":"NEAR_POOR","households":"%d"})",
                                        bucket, b.poor, bucket, b.near_poor));
        absl::StrAppend(&totals, totals.empty() ? "" : ",",
                        absl::StrFormat(R"({"unit_code":"%s","households_registered":"%d","poor":"%d","near_poor":"%d",)"
                                        R"("poverty_rate_percent":%.17g,"near_poverty_rate_percent":%.17g})",
                                        bucket, b.registered, b.poor, b.near_poor,
                                        b.registered ? 100.0 * static_cast<double>(b.poor) / static_cast<double>(b.registered) : 0.0,
                                        b.registered ? 100.0 * static_cast<double>(b.near_poor) / static_cast<double>(b.registered) : 0.0));
        escaped += b.escaped;
      }
      a.response_json = absl::StrFormat(
          R"({"rows":[%s],"totals":[%s],"transitions":[{"category":"ESCAPED_POOR","households":"%d"}],"cursor":"%d"})",
          rows, totals, escaped, cursor);
    } else if (method == "lnob.campaigns.v1.CampaignsService/GetStatistics") {
      int64_t n = 0;
      for (const auto& [bucket, b] : buckets) n += b.attendances;
      a.response_json = absl::StrFormat(R"({"attendances":"%d"})", n);
    } else {
      a.response_json = absl::StrFormat(
          R"({"recovered_vnd":"%d","recommendations_done":"3","by_form":[],"villages_without_activity":[],"years":[{"year":2025,"achieved":"%d","threshold":"1000"}],"rows":[{"source":"CENTRAL_INVESTMENT","allocated_vnd":"5000000","disbursed_vnd":"%d"}]})",
          recovered, 12, disbursed);
    }
    // Printed with every field, through the answer's own type, as the real peer does.
    namespace pb = ::google::protobuf;
    const pb::MethodDescriptor* m =
        pb::DescriptorPool::generated_pool()->FindMethodByName(absl::StrReplaceAll(method, {{"/", "."}}));
    if (m == nullptr) return absl::InternalError("no method " + method);
    std::unique_ptr<pb::Message> answer(pb::MessageFactory::generated_factory()->GetPrototype(m->output_type())->New());
    pb::util::JsonParseOptions lenient;
    lenient.ignore_unknown_fields = true;
    if (!pb::util::JsonStringToMessage(a.response_json, answer.get(), lenient).ok()) return absl::InternalError("fake");
    a.response_json = api::ProtoJsonAllFields(*answer);
    return a;
  }
  void Release() {
    std::lock_guard<std::mutex> lock(mu);
    block_method.clear();
    cv.notify_all();
  }
  void WaitBlocked() {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return blocked; });
  }

  std::mutex mu;
  std::condition_variable cv;
  std::map<std::string, std::string> requests;
  std::string down;
  std::string block_method;
  bool blocked = false;
  int calls = 0;
  int64_t cursor = 42, recovered = 2000000, disbursed = 3000000;
  std::map<std::string, Commune> communes = {{"25195", {100, 10, 5, 5, 120}}, {"25216", {200, 30, 20, 7, 80}}};
  std::map<std::string, std::string> parents = {{"25195", "689"}, {"25216", "688"}, {"689", "70"}, {"688", "70"}};
};

class ReportingTest : public testing::ServiceTest {
 protected:
  void SetUp() override {
    OpenDatabase("reporting", EmbeddedMigrations());
    store_ = NewPgReportingStore(pool_.get());
    logic_ = std::make_unique<ReportingLogic>(store_.get(), &owners_, &scope_,
                                              api::PageTokenCodec("test-secret-0123456789"), RealClock::Get(), &tasks_);
    call_ = CallAs("officer-1", {"reporting.*"});
    checker_ = CallAs("chair-1", {"reporting.*"});
  }
  void TearDown() override { tasks_.Join(); }

  // A move request: the four (Submit, Return, Approve, Lock) have the same fields and numbers.
  struct Act {
    v1::SubmitReportRequest m;
    template <typename T>
    operator T() const {  // NOLINT: converts to whichever move the call takes
      T t;
      t.ParseFromString(m.SerializeAsString());
      return t;
    }
  };
  Act Action(const v1::Report& r, const std::string& note = "") {
    Act a;
    static int n = 0;
    a.m.set_request_id(absl::StrFormat("00000000-0000-4000-9000-%012d", ++n));
    a.m.set_name(r.name());
    a.m.set_note(note);
    return a;
  }

  // Submitted by the maker, approved and locked by the checker.
  v1::Report Lock(ReportingLogic& logic, const v1::Report& draft) {
    v1::Report r;
    EXPECT_TRUE(logic.SubmitReport(call_, Action(draft), &r).ok());
    EXPECT_TRUE(logic.ApproveReport(checker_, Action(r), &r).ok());
    absl::Status st = logic.LockReport(checker_, Action(r), &r);
    EXPECT_TRUE(st.ok()) << st;
    return r;
  }

  std::string Export(const v1::Report& r, const std::string& format, ReportingLogic* logic = nullptr) {
    v1::ExportReportRequest req;
    req.set_name(r.name());
    req.set_format(format);
    v1::ReportFile f;
    absl::Status st = (logic ? logic : logic_.get())->ExportReport(call_, req, &f);
    EXPECT_TRUE(st.ok()) << st;
    return f.content();
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
  lnob::ThreadTaskRunner tasks_;
  server::Call call_;
  server::Call checker_;
};

std::map<std::string, v1::ReportInput> ByIndicator(const v1::Report& r) {
  std::map<std::string, v1::ReportInput> by;
  for (const auto& in : r.inputs()) by[in.indicator()] = in;
  return by;
}

// A JSON value with its arrays' items in a canonical order (rows compare as sets).
std::string Canonical(const std::string& json) {
  google::protobuf::Value v;
  if (!google::protobuf::util::JsonStringToMessage(json, &v).ok()) return json;
  std::function<std::string(const google::protobuf::Value&)> print = [&](const google::protobuf::Value& x) {
    if (x.kind_case() == google::protobuf::Value::kListValue) {
      std::vector<std::string> items;
      for (const auto& i : x.list_value().values()) items.push_back(print(i));
      std::sort(items.begin(), items.end());
      return absl::StrCat("[", absl::StrJoin(items, ","), "]");
    }
    if (x.kind_case() == google::protobuf::Value::kStructValue) {
      std::map<std::string, std::string> fields;
      for (const auto& [k, f] : x.struct_value().fields()) {
        // Ratios to 9 digits: the roll-up recomputes them, in another order of operations.
        fields[k] = f.kind_case() == google::protobuf::Value::kNumberValue ? absl::StrFormat("%.9g", f.number_value())
                                                                           : print(f);
      }
      std::string out = "{";
      for (const auto& [k, f] : fields) absl::StrAppend(&out, k, ":", f, ",");
      return out + "}";
    }
    std::string out;
    (void)google::protobuf::util::MessageToJsonString(x, &out);
    return out;
  };
  return print(v);
}

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
  EXPECT_EQ(r.version(), 2);  // the latest version in force: 2 adds the rates by unit
  EXPECT_EQ(r.state(), "DRAFT");
  EXPECT_EQ(api::ProtoDateText(r.geography()), "2025-09-30");  // the period's last day
  ASSERT_EQ(r.inputs_size(), 10);
  EXPECT_EQ(r.digest().size(), 64u);
  std::map<std::string, v1::ReportInput> by;
  for (const auto& in : r.inputs()) by[in.indicator()] = in;
  EXPECT_EQ(by["TRANSITIONS"].value_json(),
            R"([{"category": "ESCAPED_POOR", "households": "5", "ethnic_minority_households": "0"}])");  // as jsonb
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
  // A commune has no child units: "by child unit" is asked as the commune's own row.
  EXPECT_FALSE(absl::StrContains(owners_.requests["lnob.registry.v1.HouseholdService/GetStatistics"], R"("by_child_unit":true)"));
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


TEST_F(ReportingTest, TheWorkflowRefusesIllegalMovesAndALockExplainsItself) {
  v1::Report draft;
  ASSERT_TRUE(logic_->CreateReport(call_, Request("ETHNIC_WORK_PERIODIC", Period::YEAR, 2025), &draft).ok());
  v1::Report r;
  // Only a submitted report is approved, only an approved one locked.
  EXPECT_EQ(logic_->ApproveReport(checker_, Action(draft), &r).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(logic_->LockReport(checker_, Action(draft), &r).code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(logic_->SubmitReport(call_, Action(draft), &r).ok());
  EXPECT_EQ(r.state(), "SUBMITTED");
  EXPECT_EQ(r.submitter(), "officer-1");
  EXPECT_EQ(logic_->SubmitReport(call_, Action(r), &r).code(), absl::StatusCode::kFailedPrecondition);
  // Maker-checker: the submitter does not approve, in the logic and in the database.
  EXPECT_EQ(logic_->ApproveReport(call_, Action(r), &r).code(), absl::StatusCode::kPermissionDenied);
  EXPECT_ANY_THROW(Exec("UPDATE reporting.reports SET state = 'APPROVED', approver = 'officer-1'"));
  EXPECT_ANY_THROW(Exec("UPDATE reporting.reports SET submitter = 'someone-else'"));  // only with a move
  // Returned with a reason (required), submitted again, approved, locked.
  EXPECT_EQ(logic_->ReturnReport(checker_, Action(r), &r).code(), absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(logic_->ReturnReport(checker_, Action(r, "thiếu số liệu thôn"), &r).ok());
  EXPECT_EQ(r.state(), "DRAFT");
  auto stale = Action(r);
  stale.m.set_etag("1");
  EXPECT_EQ(logic_->SubmitReport(call_, stale, &r).code(), absl::StatusCode::kAborted);
  r = Lock(*logic_, r);
  EXPECT_EQ(r.state(), "LOCKED");
  ASSERT_EQ(r.history_size(), 5);
  EXPECT_EQ(r.history(1).note(), "thiếu số liệu thôn");
  EXPECT_EQ(r.lock().locked_by(), "chair-1");
  EXPECT_EQ(r.lock().rule(), "APPROVED_REPORT");
  EXPECT_TRUE(absl::StrContains(r.lock().how_to_amend(), r.name() + ":revise")) << r.lock().how_to_amend();
  EXPECT_FALSE(r.lock().rule_description().empty());
  // Nothing moves a locked report, and every refusal says who locked it and how to amend.
  absl::Status st = logic_->ReturnReport(checker_, Action(r, "late"), &r);
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(st.message(), "chair-1") && absl::StrContains(st.message(), ":revise")) << st;
  EXPECT_ANY_THROW(Exec("UPDATE reporting.reports SET state = 'DRAFT'"));
  EXPECT_ANY_THROW(Exec("UPDATE reporting.reports SET digest = 'x'"));
  EXPECT_ANY_THROW(Exec("DELETE FROM reporting.reports"));
  // The words it was locked under are its own: the rule is changed by a migration only.
  EXPECT_ANY_THROW(Exec("UPDATE reporting.lock_rules SET description = 'x'"));
  // Composing the same report again is refused, naming the locked one and the way to amend.
  st = logic_->CreateReport(call_, Request("ETHNIC_WORK_PERIODIC", Period::YEAR, 2025), &draft);
  EXPECT_EQ(st.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_TRUE(absl::StrContains(st.message(), r.name()) && absl::StrContains(st.message(), "chair-1")) << st;
}

TEST_F(ReportingTest, ALockedReportSurvivesLaterWritesAndGeographyAndAnAmendmentIsANewRevisionWithItsDiff) {
  v1::Report draft;
  ASSERT_TRUE(logic_->CreateReport(call_, Request("ETHNIC_WORK_PERIODIC", Period::YEAR, 2025), &draft).ok());
  const v1::Report locked = Lock(*logic_, draft);
  const std::string csv = Export(locked, "CSV");
  const std::string xlsx = Export(locked, "XLSX");
  EXPECT_EQ(xlsx.substr(0, 2), "PK");
  // The owners' data move: households escape, money is disbursed, people attend.
  owners_.communes["25195"].escaped = 9;
  owners_.communes["25195"].attendances = 500;
  owners_.disbursed = 4500000;
  owners_.cursor = 77;
  v1::GetReportRequest get;
  get.set_name(locked.name());
  v1::Report again;
  ASSERT_TRUE(logic_->GetReport(call_, get, &again).ok());
  EXPECT_EQ(again.digest(), locked.digest());
  EXPECT_EQ(Export(again, "CSV"), csv);
  // And the geography: the commune merged away and renamed in the unit directory.
  scope::UnitTables moved = lnob::testing::FakeUnitDirectory::SmallProvince();
  for (auto& u : moved.units) u.name = "Xã mới " + u.code;
  lnob::testing::FakeUnitDirectory other_units(moved);
  scope::AreaScope other_scope(&other_units, RealClock::Get());
  ReportingLogic later(store_.get(), &owners_, &other_scope, api::PageTokenCodec("test-secret-0123456789"),
                       RealClock::Get());
  EXPECT_EQ(Export(locked, "CSV", &later), csv);
  // The inputs that changed since the lock, with the owners' cursors then and now.
  v1::CompareReportInputsRequest cmp;
  cmp.set_name(locked.name());
  v1::InputComparison diff;
  ASSERT_TRUE(logic_->CompareReportInputs(call_, cmp, &diff).ok());
  std::set<std::string> changed;
  for (const auto& in : diff.inputs()) {
    if (in.changed()) changed.insert(in.indicator());
    if (in.indicator() == "TRANSITIONS") {
      EXPECT_EQ(in.stored_cursor(), 42);
      EXPECT_EQ(in.current_cursor(), 77);
    }
  }
  EXPECT_EQ(changed, (std::set<std::string>{"TRANSITIONS", "REACH", "DISBURSEMENT_BY_SOURCE"}));
  EXPECT_EQ(diff.changed(), 3);
  // An amendment: revision 2, in draft, with its diff; revision 1 stays locked as it was.
  v1::ReviseReportRequest rev;
  rev.set_name(locked.name());
  rev.set_request_id("00000000-0000-4000-8000-00000000aaaa");
  v1::Report amended;
  EXPECT_EQ(logic_->ReviseReport(call_, rev, &amended).code(), absl::StatusCode::kInvalidArgument);  // no reason
  rev.set_reason("số liệu giải ngân quý IV bổ sung");
  ASSERT_TRUE(logic_->ReviseReport(call_, rev, &amended).ok());
  EXPECT_EQ(amended.revision(), 2);
  EXPECT_EQ(amended.state(), "DRAFT");
  EXPECT_EQ(amended.previous(), locked.name());
  EXPECT_EQ(amended.series(), locked.series());
  std::set<std::string> diffed;
  for (const auto& ch : amended.changes_from_previous()) diffed.insert(ch.indicator());
  EXPECT_EQ(diffed, changed);
  EXPECT_EQ(ByIndicator(amended)["REACH"].value_json(), R"("500")");
  ASSERT_TRUE(logic_->GetReport(call_, get, &again).ok());
  EXPECT_EQ(again.state(), "LOCKED");
  EXPECT_EQ(Export(again, "CSV"), csv);
  // The amended draft amended again replaces it; an older revision is not amended.
  rev.set_name(amended.name());
  rev.set_request_id("00000000-0000-4000-8000-00000000bbbb");
  v1::Report third;
  ASSERT_TRUE(logic_->ReviseReport(call_, rev, &third).ok());
  EXPECT_EQ(third.revision(), 3);
  get.set_name(amended.name());
  ASSERT_TRUE(logic_->GetReport(call_, get, &again).ok());
  EXPECT_EQ(again.state(), "REPLACED");
  rev.set_name(locked.name());
  rev.set_request_id("00000000-0000-4000-8000-00000000cccc");
  EXPECT_EQ(logic_->ReviseReport(call_, rev, &again).code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(ReportingTest, TwoCommuneReportsRollUpToTheProvinceReportForTheSamePeriod) {
  // A province whose communes are its children (the 2025 two-level geography).
  scope::UnitTables flat;
  flat.units = {{"70", "province", ""}, {"25195", "commune", "70"}, {"25216", "commune", "70"}};
  lnob::testing::FakeUnitDirectory units(flat);
  scope::AreaScope scope(&units, RealClock::Get());
  ReportingLogic logic(store_.get(), &owners_, &scope, api::PageTokenCodec("test-secret-0123456789"),
                       RealClock::Get());
  owners_.parents = {{"25195", "70"}, {"25216", "70"}};
  v1::RollUpReportRequest up;
  up.set_definition("reportDefinitions/ETHNIC_WORK_PERIODIC");
  up.mutable_period()->set_type(Period::YEAR);
  up.mutable_period()->set_year(2025);
  up.set_unit_code("70");
  up.set_request_id("00000000-0000-4000-8000-0000000000f1");
  v1::Report rolled;
  // Every child unit needs its locked report.
  std::vector<v1::Report> communes;
  for (const std::string code : {"25195", "25216"}) {
    auto req = Request("ETHNIC_WORK_PERIODIC", Period::YEAR, 2025);
    req.mutable_report()->set_unit_code(code);
    v1::Report r;
    ASSERT_TRUE(logic.CreateReport(call_, req, &r).ok());
    communes.push_back(r);
    if (code == "25195") {
      absl::Status st = logic.RollUpReport(call_, up, &rolled);
      EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition);
      EXPECT_TRUE(absl::StrContains(st.message(), "25195, 25216")) << st;  // none is locked yet
    }
  }
  for (const auto& r : communes) Lock(logic, r);
  ASSERT_TRUE(logic.RollUpReport(call_, up, &rolled).ok());
  EXPECT_EQ(rolled.source(), "ROLL_UP");
  EXPECT_EQ(rolled.rolled_up_from_size(), 2);
  // The province's report from the owners, for the same period.
  auto req = Request("ETHNIC_WORK_PERIODIC", Period::YEAR, 2025);
  req.mutable_report()->set_unit_code("70");
  v1::Report province;
  ASSERT_TRUE(logic.CreateReport(call_, req, &province).ok());
  auto from_owners = ByIndicator(province);
  int summed = 0;
  for (const auto& in : rolled.inputs()) {
    EXPECT_EQ(Canonical(in.value_json()), Canonical(from_owners[in.indicator()].value_json())) << in.indicator();
    summed += in.source() == "ROLL_UP" ? 1 : 0;
  }
  EXPECT_EQ(summed, 5);  // by class, flows, rates, reach, coverage; the rest read from the owners
  // Rolling up again amends the roll-up: revision 2, the draft replaced.
  up.set_request_id("00000000-0000-4000-8000-0000000000f2");
  v1::Report again;
  ASSERT_TRUE(logic.RollUpReport(call_, up, &again).ok());
  EXPECT_EQ(again.revision(), 2);
  EXPECT_EQ(again.previous(), rolled.name());
  EXPECT_EQ(again.changes_from_previous_size(), 0);
  // The rates were recomputed from the sums, not added.
  EXPECT_TRUE(absl::StrContains(ByIndicator(rolled)["POVERTY_RATES"].value_json(), "15")) << ByIndicator(rolled)["POVERTY_RATES"].value_json();
}

TEST_F(ReportingTest, ACompositionRunsAsAnOperationWithProgressAndCanBeCancelled) {
  v1::StartReportRequest req;
  {
    auto create = Request("ETHNIC_WORK_PERIODIC", Period::YEAR, 2025);
    *req.mutable_report() = create.report();
    req.set_request_id(create.request_id());
  }
  v1::Operation op;
  ASSERT_TRUE(logic_->StartReport(call_, req, &op).ok());
  EXPECT_EQ(op.total_steps(), 10);
  v1::GetOperationRequest get;
  get.set_name(op.name());
  for (int i = 0; i < 500 && op.state() == "RUNNING"; ++i) {
    absl::SleepFor(absl::Milliseconds(20));
    ASSERT_TRUE(logic_->GetOperation(call_, get, &op).ok());
  }
  ASSERT_EQ(op.state(), "SUCCEEDED") << op.error_message();
  EXPECT_EQ(op.done_steps(), 10);
  v1::GetReportRequest rep;
  rep.set_name(op.report());
  v1::Report r;
  ASSERT_TRUE(logic_->GetReport(call_, rep, &r).ok());
  EXPECT_EQ(r.inputs_size(), 10);
  // Another caller does not see it; a retry answers the same operation.
  server::Call other = CallAs("other", {"reporting.*"});
  EXPECT_EQ(logic_->GetOperation(other, get, &op).code(), absl::StatusCode::kNotFound);
  v1::Operation retry;
  ASSERT_TRUE(logic_->StartReport(call_, req, &retry).ok());
  EXPECT_EQ(retry.name(), get.name());

  // Cancelled while an owner answers: stops before the next call, nothing stored.
  owners_.block_method = "lnob.funding.v1.FundingService/GetDisbursementReport";
  v1::StartReportRequest second;
  *second.mutable_report() = Request("ETHNIC_WORK_PERIODIC", Period::QUARTER, 2025, 2).report();
  second.set_request_id("00000000-0000-4000-8000-0000000000e2");
  ASSERT_TRUE(logic_->StartReport(call_, second, &op).ok());
  owners_.WaitBlocked();
  v1::CancelOperationRequest cancel;
  cancel.set_name(op.name());
  ASSERT_TRUE(logic_->CancelOperation(call_, cancel, &op).ok());
  owners_.Release();
  get.set_name(op.name());
  for (int i = 0; i < 500 && op.state() == "RUNNING"; ++i) {
    absl::SleepFor(absl::Milliseconds(20));
    ASSERT_TRUE(logic_->GetOperation(call_, get, &op).ok());
  }
  EXPECT_EQ(op.state(), "CANCELLED");
  EXPECT_LT(op.done_steps(), 10);
  EXPECT_EQ(Count("SELECT count(*) FROM reporting.reports WHERE period_type = 'QUARTER'"), 0);
  // An owner down fails the operation naming it.
  owners_.down = "awards";
  v1::StartReportRequest third;
  *third.mutable_report() = Request("ETHNIC_WORK_PERIODIC", Period::QUARTER, 2025, 3).report();
  third.set_request_id("00000000-0000-4000-8000-0000000000e3");
  ASSERT_TRUE(logic_->StartReport(call_, third, &op).ok());
  get.set_name(op.name());
  for (int i = 0; i < 500 && op.state() == "RUNNING"; ++i) {
    absl::SleepFor(absl::Milliseconds(20));
    ASSERT_TRUE(logic_->GetOperation(call_, get, &op).ok());
  }
  EXPECT_EQ(op.state(), "FAILED");
  EXPECT_TRUE(absl::StrContains(op.error_message(), "awards")) << op.error_message();
  v1::ListOperationsResponse list;
  ASSERT_TRUE(logic_->ListOperations(call_, {}, &list).ok());
  EXPECT_EQ(list.operations_size(), 3);
  EXPECT_EQ(list.operations(0).name(), op.name());  // newest first
}

TEST_F(ReportingTest, TheDeadlineGaugesCountReportsDueWithoutALockedProvinceReport) {
  auto before = logic_->ProvinceDeadlines();
  ASSERT_TRUE(before.ok()) << before.status();
  // Every definition appears; last year's emulation statistics are overdue until locked.
  ASSERT_EQ(before->overdue.size(), 4u);
  // The latest 0602.N already due (by 15 December).
  const absl::CivilDay today = lnob::Today(absl::Now());
  const int year = static_cast<int>(today.year()) - (today < absl::CivilDay(today.year(), 12, 16) ? 1 : 0);
  auto req = Request("EMULATION_STATISTICS", Period::YEAR, year);
  req.mutable_report()->clear_unit_code();  // the province
  v1::Report r;
  ASSERT_TRUE(logic_->CreateReport(call_, req, &r).ok());
  EXPECT_EQ(r.unit_code(), "70");
  Lock(*logic_, r);
  auto after = logic_->ProvinceDeadlines();
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->overdue["EMULATION_STATISTICS"], before->overdue["EMULATION_STATISTICS"] - 1);
  EXPECT_EQ(after->overdue["ETHNIC_WORK_PERIODIC"], before->overdue["ETHNIC_WORK_PERIODIC"]);
}

TEST_F(ReportingTest, AnIndicatorOfSomeYearsIsLeftOutOfAReportOfAnotherYear) {
  // KH 47's target runs 2022-2025: a 2026 report goes without it, every other indicator read.
  v1::Report r;
  ASSERT_TRUE(logic_->CreateReport(call_, Request("ETHNIC_WORK_PERIODIC", Period::YEAR, 2026), &r).ok());
  EXPECT_EQ(r.inputs_size(), 9);
  EXPECT_FALSE(ByIndicator(r).count("EM_ESCAPES_TARGET"));
  v1::ReportDefinition d;
  v1::GetReportDefinitionRequest get;
  get.set_name("reportDefinitions/ETHNIC_WORK_PERIODIC");
  ASSERT_TRUE(logic_->GetReportDefinition(call_, get, &d).ok());
  for (const auto& s : d.sections()) {
    for (const auto& i : s.indicators()) {
      if (i.code() == "EM_ESCAPES_TARGET") {
        EXPECT_EQ(std::make_pair(i.first_year(), i.last_year()), std::make_pair(2022, 2025));
      }
    }
  }
}

TEST_F(ReportingTest, ExportsCarryEveryCellWithItsSource) {
  v1::Report r;
  ASSERT_TRUE(logic_->CreateReport(call_, Request("ETHNIC_WORK_PERIODIC", Period::YEAR, 2025), &r).ok());
  const std::string csv = Export(r, "CSV");
  std::vector<std::string> lines = absl::StrSplit(absl::StripSuffix(csv, "\n"), '\n');
  EXPECT_TRUE(absl::StartsWith(lines[0], "report,revision,state,section,indicator")) << lines[0];
  int recovered = 0;
  for (const auto& l : lines) {
    if (absl::StrContains(l, ",RECOVERED,")) {
      ++recovered;
      EXPECT_TRUE(absl::StrContains(l, "2000000") && absl::StrContains(l, "lnob.inspection.v1.InspectionService/GetStatistics")) << l;
    }
  }
  EXPECT_EQ(recovered, 1);
  v1::ExportReportRequest bad;
  bad.set_name(r.name());
  bad.set_format("PDF");
  v1::ReportFile f;
  EXPECT_EQ(logic_->ExportReport(call_, bad, &f).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ReportFileName(r, "xlsx"), "ETHNIC_WORK_PERIODIC-2025-25195-r1.xlsx");
}

}  // namespace
}  // namespace lnob::reporting
