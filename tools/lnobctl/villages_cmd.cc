#include "tools/lnobctl/villages_cmd.h"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/api/proto_date.h"
#include "common/util/csv.h"
#include "common/util/date.h"
#include "grpcpp/grpcpp.h"
#include "lnob/registry/v1/reference_data.grpc.pb.h"
#include "tools/lnobctl/client_util.h"
#include "tools/lnobctl/household_csv.h"
#include "tools/lnobctl/households_cmd.h"

namespace lnob::ctl {
namespace v1 = ::lnob::registry::v1;
namespace {

const std::vector<std::string>& Header() {
  static const std::vector<std::string> kHeader = {"commune_code", "name", "valid_from", "legal_doc", "synthetic"};
  return kHeader;
}

}  // namespace

int RunImportVillages(Args& a, const std::string& file) {
  if (file.empty()) return Fail("import villages: give the CSV file (see lnobctl import --help)");
  std::ifstream in(file);
  if (!in) return Fail("import villages: cannot read " + file);
  std::vector<std::string> fields;
  int64_t line_no = 0;
  if (!csv::ReadRecord(in, &fields, &line_no) || fields != Header()) {
    return Fail("import villages: the first line must be the header " + csv::FormatRecord(Header()));
  }
  const std::string import_id = Get(a, "import_id", FileImportId(file));
  auto channel = grpc::CreateChannel(Get(a, "target", "127.0.0.1:50051"), grpc::InsecureChannelCredentials());
  auto stub = v1::ReferenceDataService::NewStub(channel);
  const std::string token = Token(a);
  int64_t created = 0, failed = 0;
  std::vector<std::string> errors;
  auto error = [&](int64_t line, const std::string& message) {
    ++failed;
    if (errors.size() < 20) errors.push_back(absl::StrCat("line ", line, ": ", message));
  };
  while (csv::ReadRecord(in, &fields, &line_no)) {
    if (fields.size() != Header().size()) {
      error(line_no, absl::StrCat("expected ", Header().size(), " fields, got ", fields.size()));
      continue;
    }
    v1::CreateVillageRequest req;
    req.set_request_id(RowRequestId(import_id, line_no));
    auto* v = req.mutable_village();
    v->set_commune_code(fields[0]);
    v->set_display_name(fields[1]);
    const auto from = ParseDate(fields[2]);
    if (!from.ok()) {
      error(line_no, "valid_from: must be YYYY-MM-DD");
      continue;
    }
    *v->mutable_valid_from() = api::ToProtoDate(*from);
    v->set_legal_doc(fields[3]);
    if (fields[4] != "0" && fields[4] != "1") {
      error(line_no, "synthetic: must be 0 or 1");
      continue;
    }
    v->set_synthetic(fields[4] == "1");
    v1::Village out;
    auto ctx = Context(token);
    grpc::Status s = stub->CreateVillage(ctx.get(), req, &out);
    if (s.ok()) {
      ++created;
    } else if (s.error_code() == grpc::StatusCode::UNAVAILABLE || s.error_code() == grpc::StatusCode::UNAUTHENTICATED ||
               s.error_code() == grpc::StatusCode::PERMISSION_DENIED) {
      return Fail(absl::StrCat("import villages: line ", line_no, ": ", s.error_message()));
    } else {
      error(line_no, s.error_message());
    }
  }
  std::printf("import villages %s: %lld created (or already created by an earlier run), %lld failed\n",
              import_id.c_str(), static_cast<long long>(created), static_cast<long long>(failed));
  for (const auto& e : errors) std::printf("  %s\n", e.c_str());
  return failed > 0 ? 3 : 0;
}

int RunDemoVillages(Args& a) {
  const std::string out_path = Get(a, "out");
  std::ofstream file;
  if (!out_path.empty()) file.open(out_path);
  std::ostream& out = out_path.empty() ? std::cout : file;
  out << csv::FormatRecord(Header()) << "\n";
  // The villages the demo households name (DemoVillageNames), under every demo commune.
  const absl::Status st = ForEachDemoCommune([&](const std::vector<std::string>& unit) {
    for (const auto& name : DemoVillageNames()) {
      out << csv::FormatRecord({unit[0], name, "2021-01-01", "synthetic demo village (no official list shipped)", "1"})
          << "\n";
    }
  });
  if (!st.ok()) return Fail(std::string(st.message()));
  return out.good() ? 0 : Fail("demo villages: write failed");
}

}  // namespace lnob::ctl
