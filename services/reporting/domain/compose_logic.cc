// Reports composed from the owners' statistics: each indicator's request is built from the
// definition's parameters and the report's period, unit and geography, sent to its owner under
// the caller's token, and the answer's selected field kept with the owner's cursor.

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
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
#include "lnob/awards/v1/awards.pb.h"
#include "lnob/campaigns/v1/campaigns.pb.h"
#include "lnob/funding/v1/funding.pb.h"
#include "lnob/inspection/v1/inspection.pb.h"
#include "lnob/registry/v1/households.pb.h"
#include "services/reporting/domain/reporting_logic.h"

namespace lnob::reporting {
namespace {

namespace pb = ::google::protobuf;
using Period = common::v1::Period;

// The owners' request and answer types are looked up by name: these references keep their
// generated code (and so their descriptors) linked in.
void LinkOwnerDescriptors() {
  (void)registry::v1::GetStatisticsRequest::descriptor();
  (void)funding::v1::GetDisbursementReportRequest::descriptor();
  (void)campaigns::v1::GetStatisticsRequest::descriptor();
  (void)inspection::v1::GetStatisticsRequest::descriptor();
  (void)awards::v1::GetStatisticsRequest::descriptor();
}

// The request of `method`: the definition's parameters, then the report's period (a `period`
// field, else `year` for a year), unit (`unit_code`) and geography (`as_of`) where the request
// has such fields.
absl::StatusOr<std::string> BuildRequest(const std::string& method, const std::string& params_json,
                                         const Period& period, const std::string& unit_code,
                                         const google::type::Date& geography) {
  LinkOwnerDescriptors();
  const pb::MethodDescriptor* m =
      pb::DescriptorPool::generated_pool()->FindMethodByName(absl::StrReplaceAll(method, {{"/", "."}}));
  if (m == nullptr) return absl::InternalError(absl::StrCat("no such statistics method: ", method));
  std::unique_ptr<pb::Message> req(pb::MessageFactory::generated_factory()->GetPrototype(m->input_type())->New());
  if (auto st = pb::util::JsonStringToMessage(params_json.empty() ? "{}" : params_json, req.get()); !st.ok()) {
    return absl::InternalError(absl::StrCat("parameters of ", method, ": ", st.ToString()));
  }
  const pb::Descriptor* d = req->GetDescriptor();
  const pb::Reflection* r = req->GetReflection();
  if (const auto* f = d->FindFieldByName("period"); f != nullptr && f->message_type() == Period::descriptor()) {
    r->MutableMessage(req.get(), f)->CopyFrom(period);
  } else if (const auto* y = d->FindFieldByName("year"); y != nullptr && y->cpp_type() == pb::FieldDescriptor::CPPTYPE_INT32) {
    r->SetInt32(req.get(), y, period.year());
  }
  if (const auto* f = d->FindFieldByName("unit_code"); f != nullptr && f->cpp_type() == pb::FieldDescriptor::CPPTYPE_STRING) {
    r->SetString(req.get(), f, unit_code);
  }
  if (const auto* f = d->FindFieldByName("as_of");
      f != nullptr && f->message_type() == google::type::Date::descriptor() && api::IsSet(geography)) {
    r->MutableMessage(req.get(), f)->CopyFrom(geography);
  }
  return api::ProtoJson(*req);
}

// The field at `path` (dot-separated proto names) of a JSON answer, as JSON; null when absent.
std::string Select(const std::string& answer_json, const std::string& path) {
  pb::Value v;
  if (!pb::util::JsonStringToMessage(answer_json, &v).ok()) return "null";
  const pb::Value* at = &v;
  for (absl::string_view part : absl::StrSplit(path, '.')) {
    if (at->kind_case() != pb::Value::kStructValue) return "null";
    auto it = at->struct_value().fields().find(std::string(part));
    if (it == at->struct_value().fields().end()) return "null";
    at = &it->second;
  }
  std::string out;
  (void)pb::util::MessageToJsonString(*at, &out);
  return out;
}

pb::Timestamp TimestampOf(absl::Time t) {
  pb::Timestamp ts;
  const int64_t ms = absl::ToUnixMillis(t);
  ts.set_seconds(ms / 1000);
  ts.set_nanos(static_cast<int32_t>((ms % 1000) * 1000000));
  return ts;
}

}  // namespace

absl::Status ReportingLogic::CreateReport(const C& c, const v1::CreateReportRequest& req, v1::Report* out) {
  v1::Report r = req.report();
  Violations v;
  if (!api::ValidateRequestId(req.request_id()).ok()) v.Add("request_id", "must be a UUID");
  if (r.definition().rfind("reportDefinitions/", 0) != 0) v.Add("report.definition", "must be reportDefinitions/{code}");
  if (r.version() < 0) v.Add("report.version", "must be a version number (default: the latest in force)");
  if (!r.unit_code().empty() && (r.unit_code().size() > 5 || !std::all_of(r.unit_code().begin(), r.unit_code().end(),
                                                                            [](char ch) { return ch >= '0' && ch <= '9'; }))) {
    v.Add("report.unit_code", "must be a unit code (2-5 digits) or empty for the province");
  }
  auto days = r.period().type() == Period::TYPE_UNSPECIFIED
                  ? absl::StatusOr<api::DayRange>(InvalidField("report.period", "is required"))
                  : api::ResolvePeriod(r.period(), "report.period");
  for (const auto& fv : GetFieldViolations(days.status())) v.Add(fv.field, fv.description);
  if (api::IsSet(r.geography())) {
    auto g = api::FromProtoDate(r.geography(), "report.geography");
    for (const auto& fv : GetFieldViolations(g.status())) v.Add(fv.field, fv.description);
  }
  LNOB_RETURN_IF_ERROR(v.Status());
  const std::string code = r.definition().substr(r.definition().find('/') + 1);
  LNOB_ASSIGN_OR_RETURN(auto all, store_->ListDefinitions());
  const v1::ReportDefinition* d = nullptr;
  for (const auto& x : all) {
    if (x.code() != code) continue;
    const bool in_force = api::ProtoDay(x.valid_from()) <= days->last &&
                          (!api::IsSet(x.valid_to()) || api::ProtoDay(x.valid_to()) >= days->first);
    if (r.version() != 0 ? x.version() == r.version() : in_force) d = &x;
  }
  if (d == nullptr) return InvalidField("report.definition", "no such definition (or none in force during the period)");
  if (!d->ad_hoc() && std::find(d->period_types().begin(), d->period_types().end(), r.period().type()) ==
                          d->period_types().end()) {
    return InvalidField("report.period", absl::StrCat(d->code(), " is not made for a ",
                                                      Period::Type_Name(r.period().type()), " period"));
  }
  r.set_version(d->version());
  r.set_definition(d->name());
  if (!api::IsSet(r.geography())) *r.mutable_geography() = api::ToProtoDate(days->last);
  if (r.unit_code().empty()) {
    // The province by its code (some statistics break down by the unit's children): up from
    // any commune to the unit without a parent on the report's geography.
    LNOB_ASSIGN_OR_RETURN(auto graph, scope_->Graph());
    const absl::CivilDay geo = api::ProtoDay(r.geography());
    const auto communes = graph->CommunesUnder("", geo);
    std::string at = communes.empty() ? "" : graph->UnitOn(communes.front(), geo);
    for (int depth = 0; depth < 8 && !at.empty(); ++depth) {
      const scope::UnitVersion* u = graph->Find(at, geo);
      if (u == nullptr || u->parent_code.empty()) break;
      at = u->parent_code;
    }
    r.set_unit_code(at);
  } else {
    LNOB_ASSIGN_OR_RETURN(auto graph, scope_->Graph());
    if (!graph->Known(r.unit_code())) return InvalidField("report.unit_code", "must be a unit code of the registry");
  }
  r.clear_inputs();
  r.clear_name();
  r.clear_digest();
  r.clear_state();
  // A retry is answered before the owners are asked again.
  const std::string& me = c.principal.subject;
  const db::IdempotencyKey key = api::IdempotencyKeyFor(req, "CreateReport", me);
  LNOB_ASSIGN_OR_RETURN(bool replayed, store_->Replay(key, out));
  if (replayed) return absl::OkStatus();
  // Every indicator from its owner; the first that fails ends the composition, naming it.
  for (const auto& section : d->sections()) {
    for (const auto& ind : section.indicators()) {
      LNOB_ASSIGN_OR_RETURN(std::string request,
                            BuildRequest(ind.method(), ind.params_json(), r.period(), r.unit_code(), r.geography()));
      auto answer = owners_->Call(c, ind.owner(), ind.method(), request);
      if (!answer.ok()) {
        return absl::Status(answer.status().code(),
                            absl::StrCat("the ", ind.owner(), " service could not answer ", ind.code(), " (",
                                         answer.status().message(), "); nothing was stored"));
      }
      v1::ReportInput* in = r.add_inputs();
      in->set_section(section.code());
      in->set_indicator(ind.code());
      in->set_label(ind.label());
      in->set_owner(ind.owner());
      in->set_method(ind.method());
      in->set_request_json(request);
      in->set_value_json(Select(answer->response_json, ind.select()));
      in->set_cursor(answer->cursor);
      *in->mutable_read_time() = TimestampOf(answer->read_time);
      in->set_unit_of_measure(ind.unit_of_measure());
      in->set_confirmed(ind.confirmed());
    }
  }
  LNOB_ASSIGN_OR_RETURN(*out, store_->CreateReport(r, me, key));
  return absl::OkStatus();
}

absl::Status ReportingLogic::GetReport(const C& c, const v1::GetReportRequest& req, v1::Report* out) {
  LNOB_ASSIGN_OR_RETURN(std::string id, api::ParseUuidId(req.name(), "reportInstances", "name"));
  LNOB_ASSIGN_OR_RETURN(*out, store_->GetReport(id));
  // A report of a unit outside the caller's area reads as missing.
  return scope_->CheckResource(c.principal, out->unit_code(), lnob::Today(clock_.Now()), req.name());
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
