// Statistics for the reporting service, the statutory annual report (form 0602.N), the dossier
// archive of a nomination, and the change feed.

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "common/api/period.h"
#include "common/api/proto_date.h"
#include "common/api/proto_json.h"
#include "common/api/resource_name.h"
#include "common/status/status.h"
#include "common/util/csv.h"
#include "common/util/date.h"
#include "common/util/sha256.h"
#include "common/util/zip.h"
#include "services/awards/domain/awards_logic.h"

namespace lnob::awards {
namespace {

bool EthnicMinority(const std::string& code) { return !code.empty() && code != "01"; }

// Adds one group of decided awards to a form's counts.
void Count(const AwardCell& a, v1::FormCount* f) {
  f->set_decided(f->decided() + a.count);
  if (a.subject_kind == "INDIVIDUAL") {
    f->set_individuals(f->individuals() + a.count);
    if (a.sex == "FEMALE") f->set_women(f->women() + a.count);
    if (EthnicMinority(a.ethnic_group_code)) {
      f->set_ethnic_minority_individuals(f->ethnic_minority_individuals() + a.count);
    }
  } else if (a.subject_kind == "COLLECTIVE") {
    f->set_collectives(f->collectives() + a.count);
  } else {
    f->set_households(f->households() + a.count);
    if (EthnicMinority(a.ethnic_group_code)) {
      f->set_ethnic_minority_households(f->ethnic_minority_households() + a.count);
    }
  }
}

std::string DateOf(const google::type::Date& d) { return api::IsSet(d) ? api::ProtoDateText(d) : ""; }

}  // namespace

absl::Status AwardsLogic::GetStatistics(const C& c, const v1::GetStatisticsRequest& req, v1::Statistics* out) {
  if (req.period().type() == common::v1::Period::TYPE_UNSPECIFIED) return InvalidField("period", "is required");
  LNOB_ASSIGN_OR_RETURN(api::DayRange days, api::ResolvePeriod(req.period(), "period"));
  LNOB_ASSIGN_OR_RETURN(absl::CivilDay geo, api::FromProtoDateOr(req.as_of(), "as_of", days.last));
  LNOB_ASSIGN_OR_RETURN(Units units, UnitsFor(c, req.unit_code(), "unit_code"));
  // Read before the figures: every change at or before it is in them.
  LNOB_ASSIGN_OR_RETURN(int64_t cursor, store_->FeedHead());
  LNOB_ASSIGN_OR_RETURN(StatisticsRows rows, store_->Statistics(FormatDate(days.first), FormatDate(days.last),
                                                                 static_cast<int>(days.first.year()), units));
  *out->mutable_period() = req.period();
  out->set_unit_code(req.unit_code());
  out->set_cursor(cursor);
  LNOB_ASSIGN_OR_RETURN(auto forms, store_->ListAwardForms());
  std::map<std::string, v1::FormCount> by_form;
  for (const auto& f : forms) {
    by_form[f.code()].set_form_code(f.code());
    by_form[f.code()].set_display_name(f.display_name());
  }
  std::map<std::string, v1::EthnicGroupCount> by_group;
  v1::FormCount total;
  for (const auto& a : rows.decided) {
    Count(a, &by_form[a.form_code]);
    Count(a, &total);
    if (!a.ethnic_group_code.empty() && a.subject_kind != "COLLECTIVE") {
      auto& g = by_group[a.ethnic_group_code];
      g.set_ethnic_group_code(a.ethnic_group_code);
      if (a.subject_kind == "INDIVIDUAL") g.set_individuals(g.individuals() + a.count);
      if (a.subject_kind == "HOUSEHOLD") g.set_households(g.households() + a.count);
    }
  }
  out->set_decided(total.decided());
  out->set_women(total.women());
  out->set_ethnic_minority_individuals(total.ethnic_minority_individuals());
  out->set_ethnic_minority_households(total.ethnic_minority_households());
  for (auto& [code, f] : by_form) *out->add_by_form() = std::move(f);
  for (auto& [code, g] : by_group) *out->add_by_ethnic_group() = std::move(g);
  out->set_revoked(rows.revoked);
  out->set_amount_to_recover_vnd(rows.amount_to_recover_vnd);
  out->set_submitted(rows.submitted);
  int64_t nominations = 0, rejected = 0, in_progress = 0;
  for (const auto& [state, n] : rows.year_states) {
    (*out->mutable_nominations_by_state())[state] = n;
    nominations += n;
    if (state == "UNIT_REJECTED" || state == "COUNCIL_REJECTED") rejected += n;
    if (state == "DRAFT" || state == "UNIT_REVIEWED" || state == "COUNCIL_REVIEW" || state == "COUNCIL_APPROVED") {
      in_progress += n;
    }
  }
  out->set_nominations(nominations);
  out->set_rejected(rejected);
  out->set_in_progress(in_progress);
  if (!req.by_unit()) return absl::OkStatus();
  // By the children of the unit on the geography asked: 2023 gives the old districts, 2026 the
  // new communes; a nomination counts in the child its unit lies in on that day.
  LNOB_ASSIGN_OR_RETURN(auto graph, scope_->Graph());
  std::string parent = req.unit_code();
  if (parent.empty() && !rows.decided.empty()) parent = graph->Top(rows.decided.front().unit_code, geo);
  if (parent.empty()) return absl::OkStatus();
  const std::vector<std::string> children = graph->ChildrenOf(parent, geo);
  // Each unit of the rows to its child: up its parents on that day (the code's own unit then
  // through the lineage when it was retired), once per code.
  const std::set<std::string> child_set(children.begin(), children.end());
  std::map<std::string, std::string> child_of;
  for (const auto& a : rows.decided) {
    if (child_of.count(a.unit_code)) continue;
    std::string at = graph->UnitOn(a.unit_code, geo);
    for (int depth = 0; depth < 8 && !at.empty() && !child_set.count(at); ++depth) {
      const scope::UnitVersion* v = graph->Find(at, geo);
      at = v == nullptr ? "" : v->parent_code;
    }
    child_of[a.unit_code] = child_set.count(at) ? at : "";
  }
  std::map<std::string, v1::UnitAwards> by_unit;
  for (const auto& child : children) by_unit[child].set_unit_code(child);
  for (const auto& a : rows.decided) {
    auto it = child_of.find(a.unit_code);
    if (it == child_of.end() || it->second.empty()) continue;  // decided at the parent's own level
    auto& u = by_unit[it->second];
    u.set_decided(u.decided() + a.count);
    if (EthnicMinority(a.ethnic_group_code) && a.subject_kind != "COLLECTIVE") u.set_ethnic_minority(u.ethnic_minority() + a.count);
    if (a.subject_kind == "INDIVIDUAL" && a.sex == "FEMALE") u.set_women(u.women() + a.count);
  }
  for (auto& [code, u] : by_unit) *out->add_by_unit() = std::move(u);
  return absl::OkStatus();
}

absl::StatusOr<v1::Statistics> AwardsLogic::ProvinceStatistics(int year) {
  v1::GetStatisticsRequest req;
  req.mutable_period()->set_type(common::v1::Period::YEAR);
  req.mutable_period()->set_year(year);
  C province;  // no scope: the whole province
  v1::Statistics out;
  LNOB_RETURN_IF_ERROR(GetStatistics(province, req, &out));
  return out;
}

absl::Status AwardsLogic::GetAnnualReport(const C& c, const v1::GetAnnualReportRequest& req, v1::AnnualReport* out) {
  if (req.year() < 2000 || req.year() > 2100) return InvalidField("year", "must be 2000-2100");
  v1::GetStatisticsRequest sreq;
  sreq.mutable_period()->set_type(common::v1::Period::YEAR);
  sreq.mutable_period()->set_year(req.year());
  sreq.set_unit_code(req.unit_code());
  v1::Statistics stats;
  LNOB_RETURN_IF_ERROR(GetStatistics(c, sreq, &stats));
  LNOB_ASSIGN_OR_RETURN(auto forms, store_->ListAwardForms());
  std::map<std::string, const v1::AwardForm*> form_of;
  for (const auto& f : forms) form_of[f.code()] = &f;
  out->set_form("0602.N/BNV-TĐKT");
  out->set_legal_basis("TT 02/2023/TT-BNV (statistical report forms on emulation and commendation)");
  out->set_year(req.year());
  out->set_unit_code(req.unit_code());
  *out->mutable_due_date() = api::ToProtoDate(absl::CivilDay(req.year(), 12, 15));
  out->set_layout_confirmed(false);
  // Titles first, then forms of commendation, each in the catalogue's order.
  int row = 0;
  v1::AnnualReportRow* total = out->mutable_total();
  total->set_label("Tổng cộng");
  for (bool titles : {true, false}) {
    for (const auto& f : stats.by_form()) {
      auto it = form_of.find(f.form_code());
      const bool title = it != form_of.end() && it->second->title();
      if (title != titles) continue;
      v1::AnnualReportRow* r = out->add_rows();
      r->set_row(++row);
      r->set_label(f.display_name());
      r->set_form_code(f.form_code());
      r->set_title(title);
      r->set_collectives(f.collectives());
      r->set_individuals(f.individuals());
      r->set_women(f.women());
      r->set_ethnic_minority(f.ethnic_minority_individuals());
      r->set_households(f.households());
      total->set_collectives(total->collectives() + f.collectives());
      total->set_individuals(total->individuals() + f.individuals());
      total->set_women(total->women() + f.women());
      total->set_ethnic_minority(total->ethnic_minority() + f.ethnic_minority_individuals());
      total->set_households(total->households() + f.households());
    }
  }
  return absl::OkStatus();
}

absl::Status AwardsLogic::ExportDossier(const C& c, const v1::ExportDossierRequest& req, v1::Dossier* out) {
  LNOB_ASSIGN_OR_RETURN(v1::Nomination n, Visible(c, req.nomination(), "nomination"));
  const std::string id(api::IdOf(n.name()));
  // The snapshot the council saw, else the latest.
  int seq = 0;
  if (n.has_council_review()) {
    const std::string& s = n.council_review().snapshot();
    (void)absl::SimpleAtoi(s.substr(s.rfind('/') + 1), &seq);
  }
  LNOB_ASSIGN_OR_RETURN(auto evidence, store_->GetEvidence(id, seq));
  const auto& [snapshot, items] = evidence;

  std::map<std::string, std::string> files;
  // 1. The proposal (tờ trình).
  std::string proposal = absl::StrCat(
      "TỜ TRÌNH ĐỀ NGHỊ KHEN THƯỞNG\n\n", "Hình thức đề nghị: ", n.form_code(), "\n", "Năm: ", n.year(), "\n",
      "Đối tượng: ", n.subject_name(), " (", v1::RecipientKind_Name(n.subject_kind()), "), đơn vị ", n.unit_code(), "\n");
  if (n.has_submission()) {
    absl::StrAppend(&proposal, "Số tờ trình: ", n.submission().letter_number(), ", ngày ", DateOf(n.submission().date()),
                    "\nKính gửi: ", n.submission().to_authority(), "\n");
  }
  absl::StrAppend(&proposal, "Trạng thái: ", v1::NominationState_Name(n.state()), "\n");
  files["01_to_trinh.txt"] = proposal;
  // 2. The list (danh sách), one row: a spreadsheet opens it.
  std::string list =
      csv::FormatRecord({"stt", "ho_ten_hoac_tap_the", "loai", "gioi_tinh", "dan_toc", "don_vi", "hinh_thuc", "nam", "thanh_tich"}) +
      "\r\n";
  std::vector<std::string> achievements;
  for (const auto& a : n.achievements()) achievements.push_back(absl::StrCat(a.key(), ": ", a.description()));
  list += csv::FormatRecord({"1", n.subject_name(), v1::RecipientKind_Name(n.subject_kind()),
            n.sex() == v1::SEX_UNSPECIFIED ? "" : v1::Sex_Name(n.sex()), n.ethnic_group_code(), n.unit_code(),
            n.form_code(), absl::StrCat(n.year()), absl::StrJoin(achievements, "; ")}) +
          "\r\n";
  files["02_danh_sach.csv"] = list;
  // 3. The achievement report.
  files["03_bao_cao_thanh_tich.txt"] =
      absl::StrCat("BÁO CÁO THÀNH TÍCH\n\n", n.report(), "\n\nThành tích:\n", absl::StrJoin(achievements, "\n"), "\n");
  // 4. The minutes: the unit's meeting and the council's votes.
  std::string minutes = "BIÊN BẢN\n\n";
  if (n.has_unit_review()) {
    const auto& u = n.unit_review();
    absl::StrAppend(&minutes, "Bình xét tại đơn vị ngày ", DateOf(u.meeting_date()), ": ", u.attendees(),
                    " người dự, ", u.votes_for(), " tán thành, ", u.votes_against(), " không tán thành; biên bản ",
                    u.minutes(), "\n");
  }
  if (n.has_council_review()) {
    const auto& r = n.council_review();
    absl::StrAppend(&minutes, "Hội đồng ", r.council(), " họp ngày ", DateOf(r.opened_date()), " trên chứng cứ ",
                    r.snapshot(), "; ", r.members(), " thành viên được bỏ phiếu\n");
    for (const auto& v : r.votes()) {
      absl::StrAppend(&minutes, "- ", v.member(), ": ", v1::VoteChoice_Name(v.choice()), " (", v.snapshot(), ")\n");
    }
    absl::StrAppend(&minutes, "Kết quả: ", r.approved() ? "đề nghị" : "không đề nghị", "\n");
  }
  files["04_bien_ban.txt"] = minutes;
  // 5. The frozen evidence, as its owners answered.
  v1::EvidenceSnapshot head = snapshot;
  std::string evidence_json = absl::StrCat("{\"snapshot\": ", api::ProtoJson(head, /*pretty=*/true), ",\n\"items\": [\n");
  for (size_t i = 0; i < items.size(); ++i) {
    absl::StrAppend(&evidence_json, i ? ",\n" : "", "{\"kind\": \"", items[i].kind, "\", \"resource\": \"",
                    items[i].resource, "\", \"commune_code\": \"", items[i].commune_code,
                    "\", \"facts\": ", items[i].facts_json.empty() ? "{}" : items[i].facts_json, "}");
  }
  absl::StrAppend(&evidence_json, "\n]}\n");
  files["05_chung_cu.json"] = evidence_json;
  // The manifest: each file's SHA-256, and the snapshot's own digest.
  std::string manifest = absl::StrCat("nomination ", n.name(), "\nsnapshot ", snapshot.name(), " digest ",
                                      snapshot.digest(), "\n");
  ZipWriter zip(clock_.Now());
  for (const auto& [name, content] : files) {
    absl::StrAppend(&manifest, Sha256Hex(content), "  ", name, "\n");
    out->add_files(name);
  }
  for (auto& [name, content] : files) zip.Add(name, std::move(content));
  zip.Add("00_manifest.txt", manifest);
  out->add_files("00_manifest.txt");
  out->set_archive(zip.Finish());
  out->set_sha256(Sha256Hex(out->archive()));
  out->set_filename(absl::StrCat("ho-so-de-nghi-", id, ".zip"));
  return absl::OkStatus();
}

absl::Status AwardsLogic::WatchChanges(const C& c, const v1::WatchChangesRequest& req,
                                       server::MessageWriter<v1::ChangeEvent>& sink) {
  if (req.from_cursor() < 0) return InvalidField("from_cursor", "must not be negative");
  LNOB_ASSIGN_OR_RETURN(auto scope, scope_->Covered(c.principal, Today()));
  return StreamFeed(feed_, req.from_cursor(), sink,
                    [&](int64_t after, int limit) { return store_->ReadFeed(after, limit); },
                    [&](const v1::ChangeEvent& e) { return !scope || scope->count(e.unit_code()) > 0; });
}

}  // namespace lnob::awards
