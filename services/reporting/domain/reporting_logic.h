#ifndef LNOB_SERVICES_REPORTING_DOMAIN_REPORTING_LOGIC_H_
#define LNOB_SERVICES_REPORTING_DOMAIN_REPORTING_LOGIC_H_

// Reporting use cases: the report definitions (data), the calendar of reports due, and reports
// composed from the owners' statistics. Knows nothing of gRPC or SQL: validates requests (errors name the field), pages lists,
// and talks to the ReportingStore.

#include "absl/status/status.h"
#include "common/api/page_token.h"
#include "common/scope/area_scope.h"
#include "common/server/call.h"
#include "common/util/clock.h"
#include "lnob/reporting/v1/reporting.pb.h"
#include "services/reporting/domain/owner_caller.h"
#include "services/reporting/store/reporting_store.h"

namespace lnob::reporting {

class ReportingLogic {
 public:
  ReportingLogic(ReportingStore* store, OwnerCaller* owners, scope::AreaScope* scope, api::PageTokenCodec tokens,
                 const Clock& clock)
      : store_(store), owners_(owners), scope_(scope), tokens_(std::move(tokens)), clock_(clock) {}

  using C = server::Call;
  absl::Status ListReportDefinitions(const C& c, const v1::ListReportDefinitionsRequest& req,
                                     v1::ListReportDefinitionsResponse* out);
  absl::Status GetReportDefinition(const C& c, const v1::GetReportDefinitionRequest& req, v1::ReportDefinition* out);
  absl::Status GetReportCalendar(const C& c, const v1::GetReportCalendarRequest& req, v1::ReportCalendar* out);
  absl::Status CreateReport(const C& c, const v1::CreateReportRequest& req, v1::Report* out);
  absl::Status GetReport(const C& c, const v1::GetReportRequest& req, v1::Report* out);
  absl::Status ListReports(const C& c, const v1::ListReportsRequest& req, v1::ListReportsResponse* out);

 private:
  ReportingStore* store_;
  OwnerCaller* owners_;
  scope::AreaScope* scope_;
  api::PageTokenCodec tokens_;
  const Clock& clock_;
};

}  // namespace lnob::reporting

#endif  // LNOB_SERVICES_REPORTING_DOMAIN_REPORTING_LOGIC_H_
