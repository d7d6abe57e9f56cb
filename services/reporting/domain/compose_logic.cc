// Reports composed from the owners' statistics: each indicator's request is built from the
// definition's parameters and the report's period, unit and geography, sent to its owner under
// the caller's token, and the answer's selected field kept with the owner's cursor.

#include <algorithm>
#include <deque>
#include <future>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/strings/ascii.h"
#include "common/api/period.h"
#include "common/api/proto_date.h"
#include "common/api/proto_json.h"
#include "common/api/request_id.h"
#include "common/api/resource_name.h"
#include "common/status/status.h"
#include "common/util/date.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "lnob/awards/v1/awards.pb.h"
#include "lnob/campaigns/v1/campaigns.pb.h"
#include "lnob/funding/v1/funding.pb.h"
#include "lnob/inspection/v1/inspection.pb.h"
#include "lnob/registry/v1/households.pb.h"
#include "services/reporting/domain/owner_messages.h"
#include "services/reporting/domain/reporting_logic.h"

namespace lnob::reporting {
using internal::BuildRequest;
using internal::SameJson;
using internal::Select;
using Period = common::v1::Period;

// How many owners' statistics calls a composition has in flight at once.
constexpr size_t kParallelOwnerCalls = 4;
// How many compositions run in the background at once (StartReport).
constexpr int kMaxRunningCompositions = 8;


// Resolves the definition and fills the report's defaults; every field error at once.
absl::StatusOr<v1::ReportDefinition> ReportingLogic::Resolve(const C& c, v1::Report* r, const std::string& field) {
  Violations v;
  if (r->definition().rfind("reportDefinitions/", 0) != 0) {
    v.Add(field + ".definition", "must be reportDefinitions/{code}");
  }
  if (r->version() < 0) v.Add(field + ".version", "must be a version number (default: the latest in force)");
  if (!r->unit_code().empty() &&
      (r->unit_code().size() > 5 ||
       !std::all_of(r->unit_code().begin(), r->unit_code().end(), [](char ch) { return ch >= '0' && ch <= '9'; }))) {
    v.Add(field + ".unit_code", "must be a unit code (2-5 digits) or empty for the province");
  }
  auto days = r->period().type() == Period::TYPE_UNSPECIFIED
                  ? absl::StatusOr<api::DayRange>(InvalidField(field + ".period", "is required"))
                  : api::ResolvePeriod(r->period(), field + ".period");
  for (const auto& fv : GetFieldViolations(days.status())) v.Add(fv.field, fv.description);
  if (api::IsSet(r->geography())) {
    auto g = api::FromProtoDate(r->geography(), field + ".geography");
    for (const auto& fv : GetFieldViolations(g.status())) v.Add(fv.field, fv.description);
  }
  LNOB_RETURN_IF_ERROR(v.Status());
  const std::string code = r->definition().substr(r->definition().find('/') + 1);
  LNOB_ASSIGN_OR_RETURN(auto all, store_->ListDefinitions());
  const v1::ReportDefinition* d = nullptr;
  for (const auto& x : all) {
    if (x.code() != code) continue;
    const bool in_force = api::ProtoDay(x.valid_from()) <= days->last &&
                          (!api::IsSet(x.valid_to()) || api::ProtoDay(x.valid_to()) >= days->first);
    if (r->version() != 0 ? x.version() == r->version() : in_force) d = &x;
  }
  if (d == nullptr) {
    return InvalidField(field + ".definition", "no such definition (or none in force during the period)");
  }
  if (!d->ad_hoc() && std::find(d->period_types().begin(), d->period_types().end(), r->period().type()) ==
                          d->period_types().end()) {
    return InvalidField(field + ".period", absl::StrCat(d->code(), " is not made for a ",
                                                        Period::Type_Name(r->period().type()), " period"));
  }
  r->set_version(d->version());
  r->set_definition(d->name());
  if (!api::IsSet(r->geography())) *r->mutable_geography() = api::ToProtoDate(days->last);
  const absl::CivilDay geo = api::ProtoDay(r->geography());
  LNOB_ASSIGN_OR_RETURN(auto graph, scope_->Graph());
  if (r->unit_code().empty()) {
    LNOB_ASSIGN_OR_RETURN(std::string province, ProvinceCode(geo));
    r->set_unit_code(province);
  } else if (!graph->Known(r->unit_code())) {
    return InvalidField(field + ".unit_code", "must be a unit code of the registry");
  }
  // A report of a unit is the business of those whose area holds it.
  LNOB_RETURN_IF_ERROR(scope_->CheckFilter(c.principal, r->unit_code(), geo, field + ".unit_code"));
  // The names of the unit and the units under it on the report's geography, frozen with it.
  r->clear_units();
  std::vector<std::string> codes = graph->UnitsUnder(r->unit_code(), geo);
  codes.push_back(r->unit_code());
  std::sort(codes.begin(), codes.end());
  codes.erase(std::unique(codes.begin(), codes.end()), codes.end());
  for (const auto& code : codes) {
    const scope::UnitVersion* u = graph->Find(code, geo);
    if (u == nullptr || u->name.empty()) continue;
    auto* n = r->add_units();
    n->set_code(code);
    n->set_name(u->name);
  }
  return *d;
}

absl::StatusOr<std::string> ReportingLogic::ProvinceCode(absl::CivilDay geo) {
  // Up from any commune to the unit without a parent on the date.
  LNOB_ASSIGN_OR_RETURN(auto graph, scope_->Graph());
  const auto communes = graph->CommunesUnder("", geo);
  return communes.empty() ? std::string() : graph->Top(communes.front(), geo);
}

absl::Status ReportingLogic::Compose(const C& c, const v1::ReportDefinition& d, v1::Report* r,
                                     const Progress& progress, const std::function<bool(const std::string&)>& only) {
  LNOB_ASSIGN_OR_RETURN(auto graph, scope_->Graph());
  const absl::CivilDay geo = api::ProtoDay(r->geography());
  // A unit without children (a commune) answers "by child unit" as one row of its own.
  const bool has_children = !graph->ChildrenOf(r->unit_code(), geo).empty();
  const int year = r->period().year();
  auto wanted = [&](const v1::Indicator& ind) {
    return internal::IndicatorApplies(ind.first_year(), ind.last_year(), year) && (!only || only(ind.code()));
  };
  int total = 0;
  for (const auto& section : d.sections()) {
    for (const auto& ind : section.indicators()) total += wanted(ind) ? 1 : 0;
  }
  int done = 0;
  if (progress) LNOB_RETURN_IF_ERROR(progress(done, total));
  // The owners are asked a few at a time (each call under its own deadline); answers are taken
  // in the definition's order, so the inputs, the progress and the first error are as if asked
  // one after another. Calls in flight are waited for before returning (a future of
  // std::async waits in its destructor).
  struct Pending {
    const v1::Section* section;
    const v1::Indicator* ind;
    std::string request;
    std::future<absl::StatusOr<OwnerAnswer>> answer;
  };
  std::deque<Pending> inflight;
  auto take = [&](Pending& p) -> absl::Status {
    absl::StatusOr<OwnerAnswer> answer = p.answer.get();
    if (!answer.ok()) {
      return absl::Status(answer.status().code(),
                          absl::StrCat("the ", p.ind->owner(), " service could not answer ", p.ind->code(), " (",
                                       answer.status().message(), "); nothing was stored"));
    }
    v1::ReportInput* in = r->add_inputs();
    in->set_section(p.section->code());
    in->set_indicator(p.ind->code());
    in->set_label(p.ind->label());
    in->set_owner(p.ind->owner());
    in->set_method(p.ind->method());
    in->set_request_json(p.request);
    in->set_value_json(Select(answer->response_json, p.ind->select()));
    in->set_cursor(answer->cursor);
    *in->mutable_read_time() = api::ToProtoTimestamp(answer->read_time);
    in->set_unit_of_measure(p.ind->unit_of_measure());
    in->set_confirmed(p.ind->confirmed());
    in->set_source("OWNER");
    return progress ? progress(++done, total) : absl::OkStatus();
  };
  auto take_oldest = [&]() -> absl::Status {
    absl::Status st = take(inflight.front());
    inflight.pop_front();
    return st;
  };
  for (const auto& section : d.sections()) {
    for (const auto& ind : section.indicators()) {
      if (!wanted(ind)) continue;
      LNOB_ASSIGN_OR_RETURN(std::string request, BuildRequest(ind.method(), ind.params_json(), r->period(),
                                                               r->unit_code(), r->geography(), has_children));
      if (inflight.size() >= kParallelOwnerCalls) LNOB_RETURN_IF_ERROR(take_oldest());
      auto call = [this, &c, owner = ind.owner(), method = ind.method(), request] {
        return owners_->Call(c, owner, method, request);
      };
      inflight.push_back({&section, &ind, request, std::async(std::launch::async, std::move(call))});
    }
  }
  while (!inflight.empty()) LNOB_RETURN_IF_ERROR(take_oldest());
  return absl::OkStatus();
}

// One series per key: an existing one is amended, not composed again beside it.
absl::Status ReportingLogic::RefuseExisting(const v1::ReportDefinition& d, const v1::Report& r) {
  ReportKey k{.code = d.code(), .period = r.period(), .unit_code = r.unit_code(),
              .geography = api::ProtoDateText(r.geography()), .source = "OWNERS"};
  LNOB_ASSIGN_OR_RETURN(auto existing, store_->FindLatest(k));
  if (!existing) return absl::OkStatus();
  std::string how = existing->state() == "LOCKED"
                        ? absl::StrCat(" It was locked by ", existing->lock().locked_by(), " (rule ",
                                       existing->lock().rule(), "): ", existing->lock().how_to_amend())
                        : absl::StrCat(" It is ", existing->state(), "; amend it with :revise.");
  return WithReason(absl::AlreadyExistsError(absl::StrCat("this report exists as ", existing->name(), " (revision ",
                                                          existing->revision(), ").", how)),
                    "REPORT_EXISTS");
}

absl::Status ReportingLogic::CreateReport(const C& c, const v1::CreateReportRequest& req, v1::Report* out) {
  if (!api::ValidateRequestId(req.request_id()).ok()) return InvalidField("request_id", "must be a UUID");
  v1::Report r = req.report();
  LNOB_ASSIGN_OR_RETURN(v1::ReportDefinition d, Resolve(c, &r, "report"));
  r.clear_inputs();
  r.set_source("OWNERS");
  // A retry is answered before the owners are asked again.
  const db::IdempotencyKey key = api::IdempotencyKeyFor(req, "CreateReport", c.principal.subject);
  LNOB_ASSIGN_OR_RETURN(bool replayed, store_->Replay(key, out));
  if (replayed) return absl::OkStatus();
  LNOB_RETURN_IF_ERROR(RefuseExisting(d, r));
  LNOB_RETURN_IF_ERROR(Compose(c, d, &r, nullptr));
  LNOB_ASSIGN_OR_RETURN(*out, store_->CreateReport(r, c.principal.subject, "", key));
  return absl::OkStatus();
}

absl::Status ReportingLogic::ReviseReport(const C& c, const v1::ReviseReportRequest& req, v1::Report* out) {
  Violations v;
  if (!api::ValidateRequestId(req.request_id()).ok()) v.Add("request_id", "must be a UUID");
  if (absl::StripAsciiWhitespace(req.reason()).empty()) v.Add("reason", "is required: why the report is amended");
  LNOB_RETURN_IF_ERROR(v.Status());
  LNOB_ASSIGN_OR_RETURN(v1::Report prev, ReadReport(c, req.name(), "name"));
  const db::IdempotencyKey key = api::IdempotencyKeyFor(req, "ReviseReport", c.principal.subject);
  LNOB_ASSIGN_OR_RETURN(bool replayed, store_->Replay(key, out));
  if (replayed) {
    AddDiff(out);
    return absl::OkStatus();
  }
  if (prev.source() == "ROLL_UP") {
    return WithReason(absl::FailedPreconditionError("a roll-up is amended by rolling up again (:rollUp) once the "
                                                    "child reports' amendments are locked"),
                      "ROLL_UP");
  }
  // The same definition version, period, unit and geography: only the owners' data may differ.
  v1::Report r;
  r.set_definition(prev.definition());
  r.set_version(prev.version());
  *r.mutable_period() = prev.period();
  r.set_unit_code(prev.unit_code());
  *r.mutable_geography() = prev.geography();
  LNOB_ASSIGN_OR_RETURN(v1::ReportDefinition d, Resolve(c, &r, "name"));
  r.set_source("OWNERS");
  r.set_amendment_reason(std::string(absl::StripAsciiWhitespace(req.reason())));
  LNOB_RETURN_IF_ERROR(Compose(c, d, &r, nullptr));
  LNOB_ASSIGN_OR_RETURN(*out, store_->CreateReport(r, c.principal.subject, api::IdOf(prev.name()), key));
  AddDiff(out);
  return absl::OkStatus();
}

absl::Status ReportingLogic::CompareReportInputs(const C& c, const v1::CompareReportInputsRequest& req,
                                                 v1::InputComparison* out) {
  LNOB_ASSIGN_OR_RETURN(v1::Report r, ReadReport(c, req.name(), "name"));
  out->set_report(r.name());
  LNOB_ASSIGN_OR_RETURN(auto defs, store_->ListDefinitions());
  std::map<std::string, std::string> selects;
  for (const auto& d : defs) {
    if (d.name() != r.definition() || d.version() != r.version()) continue;
    for (const auto& s : d.sections()) {
      for (const auto& i : s.indicators()) selects[i.code()] = i.select();
    }
  }
  // A roll-up's sums move when a child unit locks another report (an amendment) since.
  bool children_moved = false;
  if (r.source() == "ROLL_UP") {
    std::vector<std::string> units;
    std::set<std::string> used;
    for (const auto& name : r.rolled_up_from()) {
      auto child = store_->GetReport(api::IdOf(name));
      LNOB_RETURN_IF_ERROR(child.status());
      units.push_back(child->unit_code());
      used.insert(name);
    }
    ReportKey k{.code = api::IdOf(r.definition()), .period = r.period(), .unit_code = "",
                .geography = api::ProtoDateText(r.geography()), .source = ""};
    LNOB_ASSIGN_OR_RETURN(auto latest, store_->LatestLocked(k, r.version(), units));
    for (const auto& [unit, rep] : latest) children_moved |= !used.count(rep.name());
  }
  for (const auto& in : r.inputs()) {
    auto* x = out->add_inputs();
    x->set_indicator(in.indicator());
    x->set_owner(in.owner());
    x->set_stored_json(in.value_json());
    x->set_stored_cursor(in.cursor());
    if (in.source() == "ROLL_UP") {
      // Summed from locked child reports: changed when a child has locked an amendment since
      // (roll up again to see the new sums).
      x->set_current_json(in.value_json());
      x->set_current_cursor(in.cursor());
      x->set_changed(children_moved);
      if (children_moved) out->set_changed(out->changed() + 1);
      continue;
    }
    // The very request stored, so the geography and period are those of the report.
    auto answer = owners_->Call(c, in.owner(), in.method(), in.request_json());
    if (!answer.ok()) {
      return absl::Status(answer.status().code(), absl::StrCat("the ", in.owner(), " service could not answer ",
                                                               in.indicator(), " (", answer.status().message(), ")"));
    }
    x->set_current_json(Select(answer->response_json, selects[in.indicator()]));
    x->set_current_cursor(answer->cursor);
    x->set_changed(!SameJson(x->stored_json(), x->current_json()));
    if (x->changed()) out->set_changed(out->changed() + 1);
  }
  *out->mutable_compare_time() = api::ToProtoTimestamp(clock_.Now());
  return absl::OkStatus();
}

absl::Status ReportingLogic::StartReport(const C& c, const v1::StartReportRequest& req, v1::Operation* out) {
  if (tasks_ == nullptr) return absl::UnimplementedError("this server runs no background compositions");
  if (!api::ValidateRequestId(req.request_id()).ok()) return InvalidField("request_id", "must be a UUID");
  v1::Report r = req.report();
  LNOB_ASSIGN_OR_RETURN(v1::ReportDefinition d, Resolve(c, &r, "report"));
  r.clear_inputs();
  r.set_source("OWNERS");
  const db::IdempotencyKey op_key = api::IdempotencyKeyFor(req, "StartReport", c.principal.subject);
  v1::Operation op;
  op.set_creator(c.principal.subject);
  op.set_definition(d.name());
  *op.mutable_period() = r.period();
  op.set_unit_code(r.unit_code());
  int total = 0;
  for (const auto& s : d.sections()) {
    for (const auto& ind : s.indicators()) {
      total += internal::IndicatorApplies(ind.first_year(), ind.last_year(), r.period().year()) ? 1 : 0;
    }
  }
  op.set_total_steps(total);
  // A retry finds its operation; a new one is refused at once when the report exists.
  v1::Operation prior;
  LNOB_ASSIGN_OR_RETURN(bool replayed, store_->Replay(op_key, &prior));
  if (replayed) {
    LNOB_ASSIGN_OR_RETURN(*out, store_->GetOperation(api::IdOf(prior.name())));
    return absl::OkStatus();
  }
  LNOB_RETURN_IF_ERROR(RefuseExisting(d, r));
  // Compositions in the background are bounded: each holds a thread and four owner calls.
  if (tasks_->Running() >= kMaxRunningCompositions) {
    return WithReason(absl::ResourceExhaustedError(absl::StrCat(
                          kMaxRunningCompositions, " compositions are running: try again when one ends")),
                      "TOO_MANY_COMPOSITIONS");
  }
  bool started = false;
  LNOB_ASSIGN_OR_RETURN(v1::Operation created, store_->CreateOperation(op, op_key, &started));
  // A retry finds the operation started the first time (its worker may have finished).
  LNOB_ASSIGN_OR_RETURN(*out, store_->GetOperation(api::IdOf(created.name())));
  if (!started) return absl::OkStatus();
  // The worker's call: the caller's identity and token, no deadline of this RPC's own.
  C worker = c;
  worker.deadline = absl::InfiniteFuture();
  const std::string id = api::IdOf(created.name());
  // The operation is the retry's answer: its one worker stores the report without a key of its own.
  const db::IdempotencyKey key;
  const bool running = tasks_->TryRun(kMaxRunningCompositions, [this, worker, d, r, id, key]() mutable {
    auto progress = [&](int done, int total) -> absl::Status {
      LNOB_ASSIGN_OR_RETURN(bool cancel, store_->CancelRequested(id));
      if (cancel) return absl::CancelledError("cancelled by request; nothing was stored");
      OperationUpdate u;
      u.done_steps = done;
      u.total_steps = total;
      return store_->UpdateOperation(id, u).status();
    };
    OperationUpdate end;
    absl::Status st = Compose(worker, d, &r, progress);
    if (st.ok()) {
      ReportKey k{.code = d.code(), .period = r.period(), .unit_code = r.unit_code(),
                  .geography = api::ProtoDateText(r.geography()), .source = "OWNERS"};
      auto stored = store_->CreateReport(r, worker.principal.subject, "", key);
      st = stored.status();
      if (st.ok()) {
        end.state = "SUCCEEDED";
        end.report_id = api::IdOf(stored->name());
      }
    }
    if (!st.ok()) {
      end.state = st.code() == absl::StatusCode::kCancelled ? "CANCELLED" : "FAILED";
      end.error_code = absl::StatusCodeToString(st.code());
      end.error_message = std::string(st.message());
    }
    (void)store_->UpdateOperation(id, end);
  });
  if (!running) return TooMany(id, out);
  return absl::OkStatus();
}

// The places were taken between the check and the start: the operation ends at once.
absl::Status ReportingLogic::TooMany(const std::string& id, v1::Operation* out) {
  const absl::Status st = WithReason(
      absl::ResourceExhaustedError(
          absl::StrCat(kMaxRunningCompositions, " compositions are running: try again when one ends")),
      "TOO_MANY_COMPOSITIONS");
  OperationUpdate end;
  end.state = "FAILED";
  end.error_code = absl::StatusCodeToString(st.code());
  end.error_message = std::string(st.message());
  LNOB_ASSIGN_OR_RETURN(*out, store_->UpdateOperation(id, end));
  return st;
}

absl::Status ReportingLogic::GetOperation(const C& c, const v1::GetOperationRequest& req, v1::Operation* out) {
  LNOB_ASSIGN_OR_RETURN(std::string id, api::ParseUuidId(req.name(), "reportOperations", "name"));
  LNOB_ASSIGN_OR_RETURN(*out, store_->GetOperation(id));
  // An operation is its creator's.
  if (out->creator() != c.principal.subject) return api::NotFound(req.name());
  // No progress for this long: its process stopped (each owner call has a deadline far shorter).
  const absl::Time updated = absl::FromUnixSeconds(out->update_time().seconds());
  if (out->state() == "RUNNING" && clock_.Now() - updated > absl::Minutes(10)) {
    out->set_state("FAILED");
    out->set_error_code("ABORTED");
    out->set_error_message("no progress for 10 minutes: the service stopped during the composition; start it again");
  }
  return absl::OkStatus();
}

absl::Status ReportingLogic::ListOperations(const C& c, const v1::ListOperationsRequest& req,
                                            v1::ListOperationsResponse* out) {
  LNOB_ASSIGN_OR_RETURN(auto rows, api::FetchPage<v1::Operation>(
                                       tokens_, req,
                                       [&](const std::string& after, int limit) {
                                         return store_->ListOperations(c.principal.subject, after, limit);
                                       },
                                       [](const v1::Operation& x) { return api::IdOf(x.name()); },
                                       out->mutable_next_page_token()));
  for (auto& x : rows) *out->add_operations() = std::move(x);
  return absl::OkStatus();
}

absl::Status ReportingLogic::CancelOperation(const C& c, const v1::CancelOperationRequest& req, v1::Operation* out) {
  v1::GetOperationRequest get;
  get.set_name(req.name());
  LNOB_RETURN_IF_ERROR(GetOperation(c, get, out));
  LNOB_ASSIGN_OR_RETURN(*out, store_->RequestCancel(api::IdOf(req.name())));
  return absl::OkStatus();
}

absl::Status ReportingLogic::GetReport(const C& c, const v1::GetReportRequest& req, v1::Report* out) {
  LNOB_ASSIGN_OR_RETURN(std::string id, api::ParseUuidId(req.name(), "reportInstances", "name"));
  LNOB_ASSIGN_OR_RETURN(*out, ReadReport(c, req.name(), "name"));
  AddDiff(out);
  return absl::OkStatus();
}

absl::Status ReportingLogic::ListReports(const C& c, const v1::ListReportsRequest& req, v1::ListReportsResponse* out) {
  std::string code;
  if (!req.definition().empty()) {
    if (req.definition().rfind("reportDefinitions/", 0) != 0) {
      return InvalidField("definition", "must be reportDefinitions/{code}");
    }
    code = req.definition().substr(req.definition().find('/') + 1);
  }
  if (req.year() != 0 && (req.year() < 2000 || req.year() > 2100)) return InvalidField("year", "must be 2000-2100");
  std::optional<std::vector<std::string>> units;
  LNOB_ASSIGN_OR_RETURN(auto covered, scope_->Covered(c.principal, lnob::Today(clock_.Now())));
  if (covered) units = std::vector<std::string>(covered->begin(), covered->end());
  LNOB_ASSIGN_OR_RETURN(auto rows, api::FetchPage<v1::Report>(
                                       tokens_, req,
                                       [&](const std::string& after, int limit) {
                                         return store_->ListReports(code, req.year(), units, after, limit);
                                       },
                                       [](const v1::Report& x) { return api::IdOf(x.name()); },
                                       out->mutable_next_page_token()));
  for (auto& x : rows) *out->add_reports() = std::move(x);
  return absl::OkStatus();
}

}  // namespace lnob::reporting
