// The approval workflow (draft -> submitted -> approved -> locked, maker-checker), the diff of
// a revision against the one it amends, and the deadlines the overdue gauges show.

#include <map>
#include <set>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/api/period.h"
#include "common/api/proto_date.h"
#include "common/api/request_id.h"
#include "common/api/resource_name.h"
#include "common/status/status.h"
#include "common/util/date.h"
#include "services/reporting/domain/owner_messages.h"
#include "services/reporting/domain/reporting_logic.h"
#include "services/reporting/export/report_export.h"

namespace lnob::reporting {

absl::StatusOr<v1::Report> ReportingLogic::ReadReport(const C& c, const std::string& name, const std::string& field) {
  LNOB_ASSIGN_OR_RETURN(std::string id, api::ParseUuidId(name, "reportInstances", field));
  LNOB_ASSIGN_OR_RETURN(v1::Report r, store_->GetReport(id));
  // A report of a unit outside the caller's area reads as missing.
  LNOB_RETURN_IF_ERROR(scope_->CheckResource(c.principal, r.unit_code(), lnob::Today(clock_.Now()), name));
  return r;
}

// Every input whose value differs from the revision this one amends (by indicator).
void ReportingLogic::AddDiff(v1::Report* r) {
  r->clear_changes_from_previous();
  if (r->previous().empty()) return;
  auto prev = store_->GetReport(api::IdOf(r->previous()));
  if (!prev.ok()) return;
  std::map<std::string, const v1::ReportInput*> before;
  for (const auto& in : prev->inputs()) before[in.indicator()] = &in;
  std::set<std::string> seen;
  for (const auto& in : r->inputs()) {
    seen.insert(in.indicator());
    auto it = before.find(in.indicator());
    if (it != before.end() && internal::SameJson(it->second->value_json(), in.value_json())) continue;
    auto* ch = r->add_changes_from_previous();
    ch->set_indicator(in.indicator());
    ch->set_label(in.label());
    if (it != before.end()) ch->set_before_json(it->second->value_json());
    ch->set_after_json(in.value_json());
  }
  for (const auto& [code, in] : before) {
    if (seen.count(code)) continue;
    auto* ch = r->add_changes_from_previous();
    ch->set_indicator(code);
    ch->set_label(in->label());
    ch->set_before_json(in->value_json());
  }
}

template <typename Req>
absl::Status ReportingLogic::Move(const C& c, const Req& req, const std::string& method, const std::string& to_state,
                                  v1::Report* out) {
  Violations v;
  if (!api::ValidateRequestId(req.request_id()).ok()) v.Add("request_id", "must be a UUID");
  if (to_state == "DRAFT" && absl::StripAsciiWhitespace(req.note()).empty()) {
    v.Add("note", "is required: why the report is returned");
  }
  LNOB_RETURN_IF_ERROR(v.Status());
  LNOB_ASSIGN_OR_RETURN(v1::Report cur, ReadReport(c, req.name(), "name"));
  const db::IdempotencyKey key = api::IdempotencyKeyFor(req, method, c.principal.subject);
  LNOB_ASSIGN_OR_RETURN(bool replayed, store_->Replay(key, out));
  if (replayed) {
    AddDiff(out);
    return absl::OkStatus();
  }
  // Clear answers before the database's own checks (which hold whatever the caller).
  const std::string& me = c.principal.subject;
  if (cur.state() == "LOCKED") {
    return WithReason(absl::FailedPreconditionError(absl::StrCat(
                          req.name(), " was locked by ", cur.lock().locked_by(), " (rule ", cur.lock().rule(), ": ",
                          cur.lock().rule_description(), "). ", cur.lock().how_to_amend())),
                      "LOCKED");
  }
  if (to_state == "APPROVED" && cur.state() == "SUBMITTED" && cur.submitter() == me) {
    return WithReason(absl::PermissionDeniedError("the one who submitted a report does not approve it (maker-checker)"),
                      "SELF_APPROVAL");
  }
  LNOB_ASSIGN_OR_RETURN(*out, store_->MoveReport({.id = api::IdOf(req.name()),
                                                  .etag = req.etag(),
                                                  .to_state = to_state,
                                                  .actor = me,
                                                  .note = std::string(absl::StripAsciiWhitespace(req.note()))},
                                                 key));
  AddDiff(out);
  return absl::OkStatus();
}

absl::Status ReportingLogic::SubmitReport(const C& c, const v1::SubmitReportRequest& req, v1::Report* out) {
  return Move(c, req, "SubmitReport", "SUBMITTED", out);
}
absl::Status ReportingLogic::ReturnReport(const C& c, const v1::ReturnReportRequest& req, v1::Report* out) {
  return Move(c, req, "ReturnReport", "DRAFT", out);
}
absl::Status ReportingLogic::ApproveReport(const C& c, const v1::ApproveReportRequest& req, v1::Report* out) {
  return Move(c, req, "ApproveReport", "APPROVED", out);
}
absl::Status ReportingLogic::LockReport(const C& c, const v1::LockReportRequest& req, v1::Report* out) {
  return Move(c, req, "LockReport", "LOCKED", out);
}

absl::StatusOr<ReportingLogic::Deadlines> ReportingLogic::ProvinceDeadlines() {
  const absl::CivilDay today = lnob::Today(clock_.Now());
  const int year = static_cast<int>(today.year());
  Deadlines out;
  std::set<std::string> locked;  // code|period of the province's locked reports
  LNOB_ASSIGN_OR_RETURN(std::string province, ProvinceCode(today));
  const server::Call unscoped;
  for (int y = year - 2; y <= year; ++y) {
    LNOB_ASSIGN_OR_RETURN(auto keys, store_->LockedKeys(y));
    for (const auto& k : keys) {
      if (k.unit_code == province) locked.insert(absl::StrCat(k.code, "|", k.period.ShortDebugString()));
    }
  }
  for (int y = year - 2; y <= year; ++y) {
    v1::GetReportCalendarRequest req;
    req.set_year(y);
    v1::ReportCalendar cal;
    LNOB_RETURN_IF_ERROR(GetReportCalendar(unscoped, req, &cal));
    for (const auto& d : cal.due()) {
      const std::string code = api::IdOf(d.definition());
      out.overdue.try_emplace(code, 0);
      if (locked.count(absl::StrCat(code, "|", d.period().ShortDebugString()))) continue;
      const int days = static_cast<int>(api::ProtoDay(d.due_date()) - today);
      if (days < 0 && days >= -365) ++out.overdue[code];
      if (days >= 0) {
        auto [it, inserted] = out.days_to_next_due.try_emplace(code, days);
        if (!inserted && days < it->second) it->second = days;
      }
    }
  }
  return out;
}

absl::Status ReportingLogic::ExportReport(const C& c, const v1::ExportReportRequest& req, v1::ReportFile* out) {
  const std::string format = req.format().empty() ? "XLSX" : absl::AsciiStrToUpper(req.format());
  if (format != "CSV" && format != "XLSX") return InvalidField("format", "must be CSV or XLSX");
  LNOB_ASSIGN_OR_RETURN(v1::Report r, ReadReport(c, req.name(), "name"));
  LNOB_ASSIGN_OR_RETURN(auto all, store_->ListDefinitions());
  const v1::ReportDefinition* d = nullptr;
  for (const auto& x : all) {
    if (x.name() == r.definition() && x.version() == r.version()) d = &x;
  }
  if (d == nullptr) return absl::InternalError(absl::StrCat("no definition ", r.definition(), " version ", r.version()));
  // The snapshot only: never the owners again.
  if (format == "CSV") {
    LNOB_ASSIGN_OR_RETURN(*out->mutable_content(), ReportCsv(r, *d));
    out->set_content_type("text/csv; charset=utf-8");
    out->set_filename(ReportFileName(r, "csv"));
  } else {
    LNOB_ASSIGN_OR_RETURN(*out->mutable_content(), ReportXlsx(r, *d));
    out->set_content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    out->set_filename(ReportFileName(r, "xlsx"));
  }
  return absl::OkStatus();
}

}  // namespace lnob::reporting
