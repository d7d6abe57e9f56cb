#ifndef LNOB_TOOLS_LNOBCTL_STREAM_IMPORT_H_
#define LNOB_TOOLS_LNOBCTL_STREAM_IMPORT_H_

// One CSV file streamed to a service's client-streaming Import* RPC (support lines, activities):
// the header checked, the import id first (a digest of the file unless --import_id), one
// message per parsed line with its line number, a progress bar, then the summary and the first
// errors. Lines that do not parse are reported locally and not sent.

#include <unistd.h>

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/util/csv.h"
#include "grpcpp/grpcpp.h"
#include "tools/lnobctl/args.h"
#include "tools/lnobctl/client_util.h"

namespace lnob::ctl {

// `open(ctx, resp)` starts the call (a stub's Import* method); `parse(fields, msg, error)` fills
// the request's row (false with *error naming the column). `what` names the command in
// messages ("import support"), `noun` the rows in the summary ("lines").
template <typename Request, typename Response, typename Open, typename Parse>
int StreamCsvImport(Args& a, const std::string& what, const char* noun, const std::string& file,
                    const std::vector<std::string>& header, Open open, Parse parse) {
  if (file.empty()) return Fail(what + ": give the CSV file (see lnobctl import --help)");
  std::ifstream in(file);
  if (!in) return Fail(what + ": cannot read " + file);
  std::vector<std::string> fields;
  int64_t line_no = 0;
  if (!csv::ReadRecord(in, &fields, &line_no) || fields != header) {
    return Fail(what + ": the first line must be the header " + csv::FormatRecord(header));
  }
  const int64_t total_lines = CountLines(file);
  const std::string import_id = Get(a, "import_id", FileImportId(file));
  auto ctx = Context(Token(a));
  Response resp;
  std::unique_ptr<grpc::ClientWriter<Request>> writer = open(ctx.get(), &resp);
  Request first;
  first.set_import_id(import_id);
  writer->Write(first);
  Progress progress(total_lines, isatty(2) && Get(a, "progress", "auto") != "plain");
  std::vector<std::string> local_errors;
  int64_t local_failed = 0;
  Request msg;
  bool ok = true;
  while (ok && csv::ReadRecord(in, &fields, &line_no)) {
    std::string error;
    if (!parse(fields, &msg, &error)) {
      ++local_failed;
      if (local_errors.size() < 20) local_errors.push_back(absl::StrCat("line ", line_no, ": ", error));
      continue;
    }
    msg.set_row_number(line_no);
    ok = writer->Write(msg);
    progress.Update(line_no);
  }
  progress.Update(line_no, true);
  writer->WritesDone();
  grpc::Status st = writer->Finish();
  if (!st.ok()) return Fail(absl::StrCat(what, ": ", st.error_message(), " (resend the same file to resume)"));
  return ReportImport(import_id, noun, resp, local_failed, local_errors, progress.Seconds());
}

}  // namespace lnob::ctl

#endif  // LNOB_TOOLS_LNOBCTL_STREAM_IMPORT_H_
