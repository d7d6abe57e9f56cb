// reporting: wiring only (the process skeleton is common/server/service_main.h).

#include "common/server/server_flags.h"
#include "common/server/service_main.h"
#include "common/status/status.h"
#include "lnob/reporting/v1/reporting.lnob.h"
#include "services/reporting/domain/reporting_logic.h"
#include "services/reporting/store/pg_reporting_store.h"

LNOB_SERVER_FLAGS("reporting", 50056, 9106);

int main(int argc, char** argv) {
  using namespace lnob::reporting;
  return lnob::server::RunService(
      argc, argv, "lnob reporting service", ServerConfigFromFlags,
      [](lnob::server::ServiceContext& s) -> absl::Status {
        auto& store = s.Own(NewPgReportingStore(&s.pool()));
        auto& logic = s.Make<ReportingLogic>(&store, s.page_tokens(), s.clock());
        LNOB_RETURN_IF_ERROR(s.Serve<v1::ReportingServiceAdapter>(&logic));
        s.SetReadinessProbe([&store] { return store.Healthy(); });
        return absl::OkStatus();
      });
}
