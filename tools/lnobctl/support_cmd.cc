#include "tools/lnobctl/support_cmd.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/util/csv.h"
#include "common/util/date.h"
#include "grpcpp/grpcpp.h"
#include "lnob/funding/v1/funding.grpc.pb.h"
#include "tools/lnobctl/client_util.h"
#include "tools/lnobctl/stream_import.h"

namespace lnob::ctl {
namespace fv1 = ::lnob::funding::v1;
namespace {

const std::vector<std::string>& Header() {
  static const std::vector<std::string> kHeader = {"external_id", "household", "content", "date", "quantity",
                                                   "unit_of_measure", "amount_vnd", "state", "shares"};
  return kHeader;
}

// One CSV record -> line; false with *error naming the column.
bool ParseLine(const std::vector<std::string>& f, fv1::SupportLine* l, std::string* error) {
  if (f.size() != Header().size()) {
    *error = absl::StrCat("expected ", Header().size(), " columns, found ", f.size());
    return false;
  }
  l->Clear();
  l->set_external_id(f[0]);
  l->set_household(absl::StartsWith(f[1], "households/") ? f[1] : "households/" + f[1]);
  l->set_content(f[2]);
  auto day = ParseDate(f[3]);
  if (!day.ok()) {
    *error = "date: must be YYYY-MM-DD";
    return false;
  }
  l->mutable_date()->set_year(static_cast<int>(day->year()));
  l->mutable_date()->set_month(day->month());
  l->mutable_date()->set_day(day->day());
  double q = 1;
  if (!f[4].empty() && !absl::SimpleAtod(f[4], &q)) {
    *error = "quantity: not a number";
    return false;
  }
  l->set_quantity(q);
  l->set_unit_of_measure(f[5]);
  int64_t amount = 0;
  if (!absl::SimpleAtoi(f[6], &amount)) {
    *error = "amount_vnd: not a whole number of VND";
    return false;
  }
  l->set_amount_vnd(amount);
  if (!f[7].empty()) {
    fv1::SupportState st;
    if (!fv1::SupportState_Parse(f[7], &st)) {
      *error = "state: PLANNED or DELIVERED";
      return false;
    }
    l->set_state(st);
  }
  // shares: NODE:SOURCE:AMOUNT separated by ';'
  for (absl::string_view part : absl::StrSplit(f[8], ';', absl::SkipWhitespace())) {
    std::vector<std::string> p = absl::StrSplit(part, ':');
    int64_t v = 0;
    if (p.size() != 3 || !absl::SimpleAtoi(p[2], &v)) {
      *error = absl::StrCat("shares: '", part, "' is not NODE:SOURCE:AMOUNT");
      return false;
    }
    auto* s = l->add_shares();
    s->set_node_code(p[0]);
    s->set_source(p[1]);
    s->set_amount_vnd(v);
  }
  return true;
}

}  // namespace

int RunImportSupport(Args& a, const std::string& file) {
  auto stub = fv1::SupportService::NewStub(
      grpc::CreateChannel(Get(a, "target", "127.0.0.1:50052"), grpc::InsecureChannelCredentials()));
  return StreamCsvImport<fv1::ImportSupportLinesRequest, fv1::ImportSupportLinesResponse>(
      a, "import support", "lines", file, Header(),
      [&](grpc::ClientContext* ctx, fv1::ImportSupportLinesResponse* resp) { return stub->ImportSupportLines(ctx, resp); },
      [](const std::vector<std::string>& f, fv1::ImportSupportLinesRequest* msg, std::string* error) {
        return ParseLine(f, msg->mutable_line(), error);
      });
}

}  // namespace lnob::ctl
