#include "tools/lnobctl/households_cmd.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "embedded/lnob_registry_data.h"
#include "common/util/csv.h"
#include "grpcpp/grpcpp.h"
#include "lnob/registry/v1/households.grpc.pb.h"
#include "lnob/registry/v1/reference_data.grpc.pb.h"
#include "services/registry/domain/refdata.h"
#include "tools/lnobctl/args.h"
#include "tools/lnobctl/client_util.h"
#include "tools/lnobctl/household_csv.h"

namespace lnob::ctl {
namespace v1 = ::lnob::registry::v1;
namespace {

// Which indicator codes a review is scored on: those of the standard in force on 1 January of
// its list year (the registry's rule), read once from the registry itself.
absl::StatusOr<HouseholdCsvReader::IndicatorCodes> StandardCodes(const std::shared_ptr<grpc::Channel>& channel,
                                                                const std::string& token) {
  auto refs = v1::ReferenceDataService::NewStub(channel);
  auto ctx = Context(token);
  v1::ListPovertyStandardsRequest req;
  v1::ListPovertyStandardsResponse resp;
  grpc::Status s = refs->ListPovertyStandards(ctx.get(), req, &resp);
  if (!s.ok()) return absl::UnavailableError("reading the poverty standards: " + s.error_message());
  struct Span {
    int from, to;  // years
    std::vector<std::string> codes;
  };
  std::vector<Span> spans;
  for (const auto& st : resp.poverty_standards()) {
    Span sp{st.valid_from().year(), st.valid_to().year(), {}};
    for (const auto& i : st.indicators()) sp.codes.push_back(i.code());
    spans.push_back(std::move(sp));
  }
  return HouseholdCsvReader::IndicatorCodes([spans](const v1::Review& r) {
    const int list_year = r.list_year() != 0 ? r.list_year()
                                             : r.review_date().year() + (r.kind() == v1::PERIODIC ? 1 : 0);
    for (const auto& sp : spans) {
      if (sp.from <= list_year && list_year <= sp.to) return sp.codes;
    }
    return std::vector<std::string>{};
  });
}

}  // namespace

int RunImportHouseholds(Args& a, const std::string& file) {
  if (file.empty()) return Fail("import households: give the CSV file (see lnobctl import --help)");
  std::ifstream in(file);
  if (!in) return Fail("import households: cannot read " + file);
  const int64_t total_lines = CountLines(file);
  const std::string import_id = Get(a, "import_id", FileImportId(file));
  auto channel = grpc::CreateChannel(Get(a, "target", "127.0.0.1:50051"), grpc::InsecureChannelCredentials());
  auto codes = StandardCodes(channel, Token(a));
  if (!codes.ok()) return Fail("import households: " + std::string(codes.status().message()));
  auto stub = v1::HouseholdService::NewStub(channel);
  auto ctx = Context(Token(a));
  v1::ImportHouseholdsResponse resp;
  auto writer = stub->ImportHouseholds(ctx.get(), &resp);
  HouseholdCsvReader reader(in, *std::move(codes));
  std::string error;
  if (!reader.Start(&error)) return Fail("import households: " + error);
  v1::ImportHouseholdsRequest first;
  first.set_import_id(import_id);
  writer->Write(first);
  Progress progress(total_lines, isatty(2) && Get(a, "progress", "auto") != "plain");
  std::vector<std::string> local_errors;
  int64_t local_failed = 0, row = 0;
  v1::ImportHouseholdsRequest msg;
  bool ok = true;
  while (ok && reader.Next(msg.mutable_record(), &row, &error)) {
    if (!error.empty()) {
      ++local_failed;
      if (local_errors.size() < 20) local_errors.push_back(error);
      continue;
    }
    msg.set_row_number(row);
    ok = writer->Write(msg);
    progress.Update(reader.lines_read());
  }
  progress.Update(reader.lines_read(), true);
  writer->WritesDone();
  grpc::Status st = writer->Finish();
  if (!st.ok()) return Fail(absl::StrCat("import households: ", st.error_message(), " (resend the same file to resume)"));
  return ReportImport(import_id, "households", resp, local_failed, local_errors, progress.Seconds());
}

int RunExportHouseholds(Args& a) {
  auto channel = grpc::CreateChannel(Get(a, "target", "127.0.0.1:50051"), grpc::InsecureChannelCredentials());
  auto stub = v1::HouseholdService::NewStub(channel);
  auto ctx = Context(Token(a));
  v1::ExportHouseholdsRequest req;
  req.set_unit_code(Get(a, "unit"));
  req.set_include_reviews(Get(a, "reviews", "true") == "true");
  const std::string out_path = Get(a, "out");
  std::ofstream file;
  if (!out_path.empty()) file.open(out_path);
  std::ostream& out = out_path.empty() ? std::cout : file;
  out << csv::FormatRecord(HouseholdCsvHeader()) << "\n";
  auto reader = stub->ExportHouseholds(ctx.get(), req);
  v1::HouseholdRecord rec;
  int64_t n = 0;
  while (reader->Read(&rec)) {
    for (const auto& row : RecordToRows(rec)) out << csv::FormatRecord(row) << "\n";
    ++n;
  }
  grpc::Status st = reader->Finish();
  if (!st.ok()) return Fail("export households: " + st.error_message());
  std::fprintf(stderr, "exported %lld households\n", static_cast<long long>(n));
  return 0;
}

absl::Status ForEachDemoCommune(const std::function<void(const std::vector<std::string>&)>& visit) {
  for (const auto& f : registry::EmbeddedRefData()) {
    if (f.name != "admin_units_binh_phuoc_pre2025.csv") continue;
    auto rows = registry::ParseCsv(f.name, f.content, 5);
    if (!rows.ok()) return rows.status();
    for (const auto& r : *rows) {
      if (r[2] == "commune") visit(r);
    }
  }
  return absl::OkStatus();
}

int RunDemoGenerate(Args& a) {
  DemoOptions o;
  if (!absl::SimpleAtoi(Get(a, "households", "260000"), &o.households) || o.households < 1) {
    return Fail("demo: --households must be a positive number");
  }
  if (!absl::SimpleAtoi(Get(a, "seed", "47"), &o.seed)) return Fail("demo: --seed must be a number");
  o.id_prefix = Get(a, "id_prefix", "BP");
  const absl::Status st = ForEachDemoCommune([&](const std::vector<std::string>& r) {
    o.communes.push_back({r[0], r[4]});
    if (r[3] != "xã") o.urban_communes.push_back(r[0]);
  });
  if (!st.ok()) return Fail(std::string(st.message()));
  const std::string out_path = Get(a, "out");
  std::ofstream file;
  if (!out_path.empty()) file.open(out_path);
  std::ostream& out = out_path.empty() ? std::cout : file;
  GenerateDemo(o, [&](const std::vector<std::string>& row) { out << csv::FormatRecord(row) << "\n"; });
  return out.good() ? 0 : Fail("demo: write failed");
}

}  // namespace lnob::ctl
