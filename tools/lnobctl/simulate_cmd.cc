#include "tools/lnobctl/simulate_cmd.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/api/proto_date.h"
#include "common/util/date.h"
#include "common/util/uuid.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/grpcpp.h"
#include "lnob/registry/v1/simulation.grpc.pb.h"
#include "tools/lnobctl/client_util.h"

namespace lnob::ctl {
namespace sv1 = ::lnob::registry::v1;

namespace {

// "YYYY-MM-DD" into a request date; false when malformed or not a day.
bool ParseDay(const std::string& text, google::type::Date* out) {
  auto day = ParseDate(text);
  if (!day.ok()) return false;
  *out = api::ToProtoDate(*day);
  return true;
}

}  // namespace

int RunSimulate(Args& a) {
  sv1::StartSimulationRequest req;
  req.set_request_id(NewUuidV7(absl::Now()));
  req.set_title(Get(a, "title"));
  if (!Get(a, "standard").empty()) req.set_standard("povertyStandards/" + Get(a, "standard"));
  if (!Get(a, "draft").empty()) {
    std::ifstream f(Get(a, "draft"));
    std::stringstream text;
    text << f.rdbuf();
    if (!f) return Fail("simulate: cannot read " + Get(a, "draft"));
    auto st = google::protobuf::util::JsonStringToMessage(text.str(), req.mutable_draft_standard());
    if (!st.ok()) return Fail(absl::StrCat("simulate: ", Get(a, "draft"), " is not a PovertyStandard: ", st.ToString()));
  }
  if (req.standard().empty() == !req.has_draft_standard()) {
    return Fail("simulate: give --standard=ID (e.g. PS_2027_2030) or --draft=STANDARD.json");
  }
  req.set_unit_code(Get(a, "unit"));
  req.set_by_child_unit(Get(a, "by_child_unit") == "true");
  for (const auto& [flag, date] : {std::pair{"as_of", req.mutable_as_of()}, {"geography", req.mutable_geography()}}) {
    if (!Get(a, flag).empty() && !ParseDay(Get(a, flag), date)) return Fail(absl::StrCat("simulate: --", flag, "=YYYY-MM-DD"));
  }
  // A simulation's cells and its export can be larger than gRPC's default 4 MB answer.
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  auto stub = sv1::SimulationService::NewStub(grpc::CreateCustomChannel(
      Get(a, "target", "127.0.0.1:50051"), grpc::InsecureChannelCredentials(), args));
  const std::string token = Token(a);
  sv1::SimulationOperation op;
  {
    auto ctx = Context(token);
    grpc::Status s = stub->StartSimulation(ctx.get(), req, &op);
    if (!s.ok()) return Fail("simulate: " + s.error_message());
  }
  // Progress until the operation ends.
  Progress progress(op.total_households(), isatty(2) && Get(a, "progress", "auto") != "plain", "households");
  while (true) {
    progress.Update(op.done_households(), op.state() != "RUNNING");
    if (op.state() != "RUNNING") break;
    absl::SleepFor(absl::Milliseconds(200));
    sv1::GetSimulationOperationRequest get;
    get.set_name(op.name());
    auto ctx = Context(token);
    grpc::Status s = stub->GetSimulationOperation(ctx.get(), get, &op);
    if (!s.ok()) return Fail("simulate: " + s.error_message());
  }
  if (op.state() != "SUCCEEDED") {
    return Fail(absl::StrCat("simulate: ", op.state(), " ", op.error_code(), ": ", op.error_message()));
  }
  sv1::Simulation sim;
  {
    sv1::GetSimulationRequest get;
    get.set_name(op.simulation());
    auto ctx = Context(token);
    grpc::Status s = stub->GetSimulation(ctx.get(), get, &sim);
    if (!s.ok()) return Fail("simulate: " + s.error_message());
  }
  std::printf("%s: %s, %lld households (%lld with one class, %lld whose list may change), registry cursor %lld\n",
              sim.name().c_str(), sim.title().c_str(), static_cast<long long>(sim.households()),
              static_cast<long long>(sim.exact_households()), static_cast<long long>(sim.changing_households()),
              static_cast<long long>(sim.registry_cursor()));
  std::printf("%-10s %10s %10s %10s %10s %12s %12s\n", "unit", "households", "poor now", "poor best", "poor worst",
              "entering min", "entering max");
  for (const auto& u : sim.units()) {
    std::printf("%-10s %10lld %10lld %10lld %10lld %12lld %12lld\n", u.unit_code().empty() ? "total" : u.unit_code().c_str(),
                static_cast<long long>(u.households()), static_cast<long long>(u.poor_now()),
                static_cast<long long>(u.poor_best()), static_cast<long long>(u.poor_worst()),
                static_cast<long long>(u.entering_poverty_best()), static_cast<long long>(u.entering_poverty_worst()));
  }
  for (const auto& u : sim.unknown_inputs()) {
    std::printf("unknown %s: %lld households\n", u.input().c_str(), static_cast<long long>(u.households()));
  }
  for (const auto& c : sim.costs()) {
    std::printf("need %s %s %s: %lld-%lld VND (%lld-%lld households)%s\n", c.content().c_str(), c.programme().c_str(),
                c.source().c_str(), static_cast<long long>(c.amount_low_vnd()), static_cast<long long>(c.amount_high_vnd()),
                static_cast<long long>(c.households_low()), static_cast<long long>(c.households_high()),
                c.confirmed() ? "" : " (unit cost unconfirmed)");
  }
  const std::string out = Get(a, "out");
  if (out.empty()) return 0;
  sv1::ExportSimulationRequest ex;
  ex.set_name(sim.name());
  ex.set_format(absl::EndsWithIgnoreCase(out, ".csv") ? "CSV" : "XLSX");
  sv1::SimulationFile file;
  auto ctx = Context(token);
  grpc::Status s = stub->ExportSimulation(ctx.get(), ex, &file);
  if (!s.ok()) return Fail("simulate: " + s.error_message());
  std::ofstream f(out, std::ios::binary);
  f << file.content();
  if (!f) return Fail("simulate: cannot write " + out);
  std::fprintf(stderr, "simulate: %s (%zu bytes) written to %s\n", file.filename().c_str(), file.content().size(),
               out.c_str());
  return 0;
}

}  // namespace lnob::ctl
