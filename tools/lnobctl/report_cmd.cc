#include "tools/lnobctl/report_cmd.h"

#include <cstdio>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "common/api/period.h"
#include "common/util/csv.h"
#include "common/util/uuid.h"
#include "grpcpp/grpcpp.h"
#include "lnob/reporting/v1/reporting.grpc.pb.h"
#include "tools/lnobctl/client_util.h"

namespace lnob::ctl {
namespace rv1 = ::lnob::reporting::v1;
namespace {

// The report's inputs as CSV: one row per indicator, the value as its owner gave it.
std::string InputsCsv(const rv1::Report& r) {
  std::string out = csv::FormatRecord({"report", "definition", "period", "unit_code", "section", "indicator", "label",
                                       "owner", "cursor", "unit_of_measure", "confirmed", "value"}) +
                    "\n";
  for (const auto& in : r.inputs()) {
    out += csv::FormatRecord({r.name(), r.definition(), api::PeriodLabel(r.period()), r.unit_code(), in.section(),
                              in.indicator(), in.label(), in.owner(), absl::StrCat(in.cursor()), in.unit_of_measure(),
                              in.confirmed() ? "true" : "false", in.value_json()}) +
           "\n";
  }
  return out;
}

}  // namespace

int RunReport(Args& a, const std::string& verb, const std::string& name) {
  auto stub = rv1::ReportingService::NewStub(
      grpc::CreateChannel(Get(a, "target", "127.0.0.1:50056"), grpc::InsecureChannelCredentials()));
  const std::string token = Token(a);
  rv1::Report report;
  if (verb == "generate") {
    if (Get(a, "definition").empty() || Get(a, "period").empty()) {
      return Fail("report generate: --definition=CODE and --period=2025|2025-Q3|2025-H1|2025-07 are required");
    }
    auto period = api::ParsePeriodLabel(Get(a, "period"), "--period");
    if (!period.ok()) return Fail(absl::StrCat("report generate: ", period.status().message()));
    rv1::CreateReportRequest req;
    req.set_request_id(NewUuidV7(absl::Now()));
    req.mutable_report()->set_definition("reportDefinitions/" + Get(a, "definition"));
    *req.mutable_report()->mutable_period() = *period;
    req.mutable_report()->set_unit_code(Get(a, "unit"));
    std::fprintf(stderr, "report generate: composing %s %s from the owners...\n", Get(a, "definition").c_str(),
                 Get(a, "period").c_str());
    auto ctx = Context(token);
    grpc::Status s = stub->CreateReport(ctx.get(), req, &report);
    if (!s.ok()) return Fail("report generate: " + s.error_message());
  } else if (verb == "get") {
    if (name.empty()) return Fail("report get: give the report's name (reportInstances/{id})");
    rv1::GetReportRequest req;
    req.set_name(name);
    auto ctx = Context(token);
    grpc::Status s = stub->GetReport(ctx.get(), req, &report);
    if (!s.ok()) return Fail("report get: " + s.error_message());
  } else {
    return Fail("report: give generate or get (see lnobctl report --help)");
  }
  std::fprintf(stderr, "%s: %d inputs, digest %.12s\n", report.name().c_str(), report.inputs_size(),
               report.digest().c_str());
  const std::string text = InputsCsv(report);
  const std::string out = Get(a, "out");
  if (out.empty()) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return 0;
  }
  std::ofstream f(out, std::ios::binary);
  f << text;
  if (!f) return Fail("report: cannot write " + out);
  return 0;
}

}  // namespace lnob::ctl
