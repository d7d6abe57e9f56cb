#ifndef LNOB_SERVICES_REPORTING_DOMAIN_REPORTING_LOGIC_H_
#define LNOB_SERVICES_REPORTING_DOMAIN_REPORTING_LOGIC_H_

// Reporting use cases: the report definitions (data), the calendar of reports due, reports
// composed from the owners' statistics (at once or as an operation), their approval, locking
// and revisions, roll-up from child units, and exports. Knows nothing of gRPC or SQL: validates
// requests (errors name the field), pages lists, and talks to the ReportingStore.

#include <functional>
#include <map>
#include <string>

#include "absl/status/status.h"
#include "common/api/page_token.h"
#include "common/scope/area_scope.h"
#include "common/server/call.h"
#include "common/util/clock.h"
#include "common/util/task_runner.h"
#include "lnob/reporting/v1/reporting.pb.h"
#include "services/reporting/domain/owner_caller.h"
#include "services/reporting/store/reporting_store.h"

namespace lnob::reporting {

class ReportingLogic {
 public:
  ReportingLogic(ReportingStore* store, OwnerCaller* owners, scope::AreaScope* scope, api::PageTokenCodec tokens,
                 const Clock& clock, TaskRunner* tasks = nullptr)
      : store_(store), owners_(owners), scope_(scope), tokens_(std::move(tokens)), clock_(clock), tasks_(tasks) {}

  using C = server::Call;
  absl::Status ListReportDefinitions(const C& c, const v1::ListReportDefinitionsRequest& req,
                                     v1::ListReportDefinitionsResponse* out);
  absl::Status GetReportDefinition(const C& c, const v1::GetReportDefinitionRequest& req, v1::ReportDefinition* out);
  absl::Status GetReportCalendar(const C& c, const v1::GetReportCalendarRequest& req, v1::ReportCalendar* out);
  absl::Status CreateReport(const C& c, const v1::CreateReportRequest& req, v1::Report* out);
  absl::Status GetReport(const C& c, const v1::GetReportRequest& req, v1::Report* out);
  absl::Status ListReports(const C& c, const v1::ListReportsRequest& req, v1::ListReportsResponse* out);
  absl::Status SubmitReport(const C& c, const v1::SubmitReportRequest& req, v1::Report* out);
  absl::Status ReturnReport(const C& c, const v1::ReturnReportRequest& req, v1::Report* out);
  absl::Status ApproveReport(const C& c, const v1::ApproveReportRequest& req, v1::Report* out);
  absl::Status LockReport(const C& c, const v1::LockReportRequest& req, v1::Report* out);
  absl::Status ReviseReport(const C& c, const v1::ReviseReportRequest& req, v1::Report* out);
  absl::Status CompareReportInputs(const C& c, const v1::CompareReportInputsRequest& req, v1::InputComparison* out);
  absl::Status RollUpReport(const C& c, const v1::RollUpReportRequest& req, v1::Report* out);
  absl::Status ExportReport(const C& c, const v1::ExportReportRequest& req, v1::ReportFile* out);
  absl::Status StartReport(const C& c, const v1::StartReportRequest& req, v1::Operation* out);
  absl::Status GetOperation(const C& c, const v1::GetOperationRequest& req, v1::Operation* out);
  absl::Status ListOperations(const C& c, const v1::ListOperationsRequest& req, v1::ListOperationsResponse* out);
  absl::Status CancelOperation(const C& c, const v1::CancelOperationRequest& req, v1::Operation* out);

  // Reports due in the last 365 days whose period has no locked report of the province, by
  // definition code; and days to each definition's next due date (the overdue gauges).
  struct Deadlines {
    std::map<std::string, int> overdue;
    std::map<std::string, int> days_to_next_due;
  };
  absl::StatusOr<Deadlines> ProvinceDeadlines();

  // Called after each indicator is read (done of total); a non-OK status stops the composition.
  using Progress = std::function<absl::Status(int done, int total)>;

 private:
  // RESOURCE_EXHAUSTED when every place for a background composition was taken after the check:
  // operation `id` ends FAILED with it.
  absl::Status TooMany(const std::string& id, v1::Operation* out);
  // Validates the report asked for and fills its defaults (version, geography, unit: the
  // province); returns its definition. Errors name fields under `field`.
  absl::StatusOr<v1::ReportDefinition> Resolve(const C& c, v1::Report* r, const std::string& field);
  // Reads the indicators (those `only` accepts, all when unset) from their owners into r.
  absl::Status Compose(const C& c, const v1::ReportDefinition& d, v1::Report* r, const Progress& progress,
                       const std::function<bool(const std::string&)>& only = nullptr);
  absl::StatusOr<v1::Report> ReadReport(const C& c, const std::string& name, const std::string& field);
  // One move of the workflow, for any of the four move requests (same fields).
  template <typename Req>
  absl::Status Move(const C& c, const Req& req, const std::string& method, const std::string& to_state,
                    v1::Report* out);
  absl::StatusOr<std::string> ProvinceCode(absl::CivilDay geography);
  // ALREADY_EXISTS (REPORT_EXISTS) naming the report of r's key composed from the owners, and
  // its lock, when there is one.
  absl::Status RefuseExisting(const v1::ReportDefinition& d, const v1::Report& r);
  void AddDiff(v1::Report* r);

  ReportingStore* store_;
  OwnerCaller* owners_;
  scope::AreaScope* scope_;
  api::PageTokenCodec tokens_;
  const Clock& clock_;
  TaskRunner* tasks_;
};

}  // namespace lnob::reporting

#endif  // LNOB_SERVICES_REPORTING_DOMAIN_REPORTING_LOGIC_H_
