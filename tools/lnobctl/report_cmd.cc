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
    rv1::StartReportRequest req;
    req.set_request_id(NewUuidV7(absl::Now()));
    req.mutable_report()->set_definition("reportDefinitions/" + Get(a, "definition"));
    *req.mutable_report()->mutable_period() = *period;
    req.mutable_report()->set_unit_code(Get(a, "unit"));
    rv1::Operation op;
    {
      auto ctx = Context(token);
      grpc::Status s = stub->StartReport(ctx.get(), req, &op);
      if (!s.ok()) return Fail("report generate: " + s.error_message());
    }
    // Progress until the operation ends: one line per change on stderr.
    int shown = -1;
    while (true) {
      if (op.done_steps() != shown) {
        const int width = 30;
        const int filled = op.total_steps() > 0 ? width * op.done_steps() / op.total_steps() : 0;
        std::fprintf(stderr, "report generate: [%s%s] %d/%d indicators read from the owners\n",
                     std::string(filled, '#').c_str(), std::string(width - filled, '.').c_str(), op.done_steps(),
                     op.total_steps());
        shown = op.done_steps();
      }
      if (op.state() != "RUNNING") break;
      absl::SleepFor(absl::Milliseconds(200));
      rv1::GetOperationRequest get;
      get.set_name(op.name());
      auto ctx = Context(token);
      grpc::Status s = stub->GetOperation(ctx.get(), get, &op);
      if (!s.ok()) return Fail("report generate: " + s.error_message());
    }
    if (op.state() != "SUCCEEDED") {
      return Fail(absl::StrCat("report generate: ", op.state(), " ", op.error_code(), ": ", op.error_message()));
    }
    rv1::GetReportRequest get;
    get.set_name(op.report());
    auto ctx = Context(token);
    grpc::Status s = stub->GetReport(ctx.get(), get, &report);
    if (!s.ok()) return Fail("report generate: " + s.error_message());
  } else if (verb == "get") {
    if (name.empty()) return Fail("report get: give the report's name (reportInstances/{id})");
    rv1::GetReportRequest req;
    req.set_name(name);
    auto ctx = Context(token);
    grpc::Status s = stub->GetReport(ctx.get(), req, &report);
    if (!s.ok()) return Fail("report get: " + s.error_message());
  } else if (verb == "export") {
    if (name.empty() || Get(a, "out").empty()) return Fail("report export: give reportInstances/{id} and --out=FILE");
    rv1::ExportReportRequest req;
    req.set_name(name);
    req.set_format(Get(a, "format", "XLSX"));
    rv1::ReportFile file;
    auto ctx = Context(token);
    grpc::Status s = stub->ExportReport(ctx.get(), req, &file);
    if (!s.ok()) return Fail("report export: " + s.error_message());
    std::ofstream f(Get(a, "out"), std::ios::binary);
    f << file.content();
    if (!f) return Fail("report export: cannot write " + Get(a, "out"));
    std::fprintf(stderr, "report export: %s (%zu bytes) written to %s\n", file.filename().c_str(), file.content().size(),
                 Get(a, "out").c_str());
    return 0;
  } else if (verb == "submit" || verb == "approve" || verb == "lock" || verb == "return") {
    if (name.empty()) return Fail(absl::StrCat("report ", verb, ": give the report's name (reportInstances/{id})"));
    auto fill = [&](auto& req) {
      req.set_name(name);
      req.set_note(Get(a, "note"));
      req.set_request_id(NewUuidV7(absl::Now()));
    };
    auto ctx = Context(token);
    grpc::Status s;
    if (verb == "submit") {
      rv1::SubmitReportRequest req;
      fill(req);
      s = stub->SubmitReport(ctx.get(), req, &report);
    } else if (verb == "approve") {
      rv1::ApproveReportRequest req;
      fill(req);
      s = stub->ApproveReport(ctx.get(), req, &report);
    } else if (verb == "lock") {
      rv1::LockReportRequest req;
      fill(req);
      s = stub->LockReport(ctx.get(), req, &report);
    } else {
      rv1::ReturnReportRequest req;
      fill(req);
      s = stub->ReturnReport(ctx.get(), req, &report);
    }
    if (!s.ok()) return Fail(absl::StrCat("report ", verb, ": ", s.error_message()));
    std::printf("%s: %s\n", report.name().c_str(), report.state().c_str());
    if (report.has_lock()) {
      std::printf("locked by %s (rule %s). %s\n", report.lock().locked_by().c_str(), report.lock().rule().c_str(),
                  report.lock().how_to_amend().c_str());
    }
    return 0;
  } else if (verb == "revise") {
    if (name.empty() || Get(a, "reason").empty()) return Fail("report revise: give reportInstances/{id} and --reason=TEXT");
    rv1::ReviseReportRequest req;
    req.set_name(name);
    req.set_reason(Get(a, "reason"));
    req.set_request_id(NewUuidV7(absl::Now()));
    auto ctx = Context(token);
    grpc::Status s = stub->ReviseReport(ctx.get(), req, &report);
    if (!s.ok()) return Fail("report revise: " + s.error_message());
    std::fprintf(stderr, "%s: revision %d, %d inputs changed since %s\n", report.name().c_str(), report.revision(),
                 report.changes_from_previous_size(), report.previous().c_str());
  } else {
    return Fail("report: give generate, get, export, submit, approve, lock, return or revise (lnobctl report --help)");
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
