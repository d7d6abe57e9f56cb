#include "tools/lnobctl/inspection_cmd.h"

#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/api/proto_date.h"
#include "common/auth/jwt.h"
#include "common/server/service_list.h"
#include "common/util/csv.h"
#include "common/util/date.h"
#include "grpcpp/grpcpp.h"
#include "lnob/funding/v1/funding.grpc.pb.h"
#include "lnob/inspection/v1/inspection.grpc.pb.h"
#include "tools/lnobctl/client_util.h"
#include "tools/lnobctl/csv_fields.h"

namespace lnob::ctl {
namespace iv1 = ::lnob::inspection::v1;
namespace fv1 = ::lnob::funding::v1;
namespace {

const std::vector<std::string>& PlanHeader() {
  static const std::vector<std::string> k = {"agency_code", "year", "number", "issued_date", "kind", "subjects", "scope",
                                             "period_from", "period_to", "planned_start", "planned_end",
                                             "overlap_reason"};
  return k;
}

const std::vector<std::string>& FindingHeader() {
  static const std::vector<std::string> k = {"inspection", "category", "severity", "description", "unit_code",
                                             "date", "hold", "references"};
  return k;
}

// Stops the whole run: the service cannot be reached or will not let this caller in.
bool Fatal(const grpc::Status& s) {
  return s.error_code() == grpc::StatusCode::UNAVAILABLE || s.error_code() == grpc::StatusCode::UNAUTHENTICATED ||
         s.error_code() == grpc::StatusCode::PERMISSION_DENIED;
}

// "UNIT" or "UNIT:Organisation", ';'-separated.
bool Subjects(const std::string& text, google::protobuf::RepeatedPtrField<iv1::Subject>* out, std::string* error) {
  for (absl::string_view item : absl::StrSplit(text, ';', absl::SkipWhitespace())) {
    std::vector<std::string> parts = absl::StrSplit(item, absl::MaxSplits(':', 1));
    auto* s = out->Add();
    s->set_unit_code(parts[0]);
    if (parts.size() > 1) s->set_organisation(parts[1]);
  }
  if (out->empty()) *error = "subjects: at least one UNIT or UNIT:Organisation";
  return !out->empty();
}

// KIND:RESOURCE[:AMOUNT] or SUPPORT_SHARE:RESOURCE:NODE:SOURCE[:AMOUNT], ';'-separated.
bool References(const std::string& text, iv1::Finding* f, std::string* error) {
  for (absl::string_view item : absl::StrSplit(text, ';', absl::SkipWhitespace())) {
    std::vector<std::string> p = absl::StrSplit(item, ':');
    auto* r = f->add_references();
    iv1::ReferenceKind kind = iv1::REFERENCE_KIND_UNSPECIFIED;
    if (p.size() < 2 || !iv1::ReferenceKind_Parse(p[0], &kind) || kind == iv1::REFERENCE_KIND_UNSPECIFIED) {
      *error = absl::StrCat("references: '", item, "' must start with a kind (SUPPORT_LINE, SUPPORT_SHARE, ...) and a resource");
      return false;
    }
    r->set_kind(kind);
    r->set_resource(p[1]);
    size_t amount_at = 2;
    if (kind == iv1::SUPPORT_SHARE) {
      if (p.size() < 4) {
        *error = absl::StrCat("references: '", item, "' must name the share as SUPPORT_SHARE:LINE:NODE:SOURCE");
        return false;
      }
      r->set_node_code(p[2]);
      r->set_source(p[3]);
      amount_at = 4;
    }
    if (p.size() > amount_at + 1) {
      *error = absl::StrCat("references: '", item, "' has too many parts");
      return false;
    }
    int64_t amount = 0;
    if (p.size() == amount_at + 1 && !Number(p[amount_at], "references", 0, &amount, error)) return false;
    r->set_amount_vnd(amount);
  }
  return true;
}

}  // namespace

int RunImportPlans(Args& a, const std::string& file) {
  if (file.empty()) return Fail("import plans: give the CSV file (see lnobctl import --help)");
  std::ifstream in(file);
  if (!in) return Fail("import plans: cannot read " + file);
  std::vector<std::string> f;
  int64_t line_no = 0;
  if (!csv::ReadRecord(in, &f, &line_no) || f != PlanHeader()) {
    return Fail("import plans: the first line must be the header " + csv::FormatRecord(PlanHeader()));
  }
  // Rows of one (agency, year, number) are the items of one plan, in file order.
  struct Pending {
    int64_t first_line = 0;
    iv1::CreatePlanRequest req;
  };
  std::vector<std::string> order;
  std::map<std::string, Pending> plans;
  int64_t failed = 0;
  std::vector<std::string> errors;
  auto error = [&](int64_t line, const std::string& message) {
    ++failed;
    if (errors.size() < 20) errors.push_back(absl::StrCat("line ", line, ": ", message));
  };
  const std::string import_id = Get(a, "import_id", FileImportId(file));
  while (csv::ReadRecord(in, &f, &line_no)) {
    if (f.size() != PlanHeader().size()) {
      error(line_no, absl::StrCat("expected ", PlanHeader().size(), " columns, found ", f.size()));
      continue;
    }
    const std::string key = absl::StrCat(f[0], "|", f[1], "|", f[2]);
    std::string why;
    int64_t year = 0;
    iv1::PlanItem item;
    iv1::Kind kind = iv1::KIND_UNSPECIFIED;
    google::type::Date issued;
    if (!Number(f[1], "year", 0, &year, &why) || !Date(f[3], "issued_date", true, &issued, &why) ||
        !Subjects(f[5], item.mutable_subjects(), &why) || !Date(f[7], "period_from", true, item.mutable_period_from(), &why) ||
        !Date(f[8], "period_to", true, item.mutable_period_to(), &why) ||
        !Date(f[9], "planned_start", true, item.mutable_planned_start(), &why) ||
        !Date(f[10], "planned_end", true, item.mutable_planned_end(), &why)) {
      error(line_no, why);
      continue;
    }
    if (!iv1::Kind_Parse(f[4], &kind) || kind == iv1::KIND_UNSPECIFIED) {
      error(line_no, "kind: INSPECTION or CHECK");
      continue;
    }
    item.set_kind(kind);
    item.set_scope(f[6]);
    item.set_overlap_reason(f[11]);
    auto [it, fresh] = plans.try_emplace(key);
    if (fresh) {
      order.push_back(key);
      it->second.first_line = line_no;
      auto* p = it->second.req.mutable_plan();
      p->set_agency_code(f[0]);
      p->set_year(static_cast<int32_t>(year));
      p->set_number(f[2]);
      *p->mutable_issued_date() = issued;
      it->second.req.set_request_id(RowRequestId(import_id, line_no));
    } else if (api::ProtoDateText(it->second.req.plan().issued_date()) != api::ProtoDateText(issued)) {
      error(line_no, "issued_date: differs from the plan's first row");
      continue;
    }
    *it->second.req.mutable_plan()->add_items() = std::move(item);
  }
  auto stub = iv1::InspectionService::NewStub(
      grpc::CreateChannel(Get(a, "target", "127.0.0.1:50055"), grpc::InsecureChannelCredentials()));
  const std::string token = Token(a);
  int64_t created = 0;
  for (const auto& key : order) {
    const Pending& p = plans[key];
    iv1::Plan made;
    auto ctx = Context(token);
    grpc::Status s = stub->CreatePlan(ctx.get(), p.req, &made);
    if (!s.ok()) {
      if (Fatal(s)) return Fail(absl::StrCat("import plans: line ", p.first_line, ": ", s.error_message()));
      error(p.first_line, s.error_message());
      continue;
    }
    ++created;
    std::printf("%s\t%s %d %s: %d items\n", made.name().c_str(), made.agency_code().c_str(), made.year(),
                made.number().c_str(), made.items_size());
  }
  std::printf("import plans: %lld plans recorded (again: answered from the first run), %lld rows failed\n",
              static_cast<long long>(created), static_cast<long long>(failed));
  for (const auto& e : errors) std::printf("  %s\n", e.c_str());
  return failed > 0 ? 3 : 0;
}

int RunImportFindings(Args& a, const std::string& file) {
  if (file.empty()) return Fail("import findings: give the CSV file (see lnobctl import --help)");
  std::ifstream in(file);
  if (!in) return Fail("import findings: cannot read " + file);
  std::vector<std::string> f;
  int64_t line_no = 0;
  if (!csv::ReadRecord(in, &f, &line_no) || f != FindingHeader()) {
    return Fail("import findings: the first line must be the header " + csv::FormatRecord(FindingHeader()));
  }
  const std::string import_id = Get(a, "import_id", FileImportId(file));
  auto stub = iv1::InspectionService::NewStub(
      grpc::CreateChannel(Get(a, "target", "127.0.0.1:50055"), grpc::InsecureChannelCredentials()));
  const std::string token = Token(a);
  int64_t created = 0, failed = 0;
  std::vector<std::string> errors;
  auto error = [&](int64_t line, const std::string& message) {
    ++failed;
    if (errors.size() < 20) errors.push_back(absl::StrCat("line ", line, ": ", message));
  };
  while (csv::ReadRecord(in, &f, &line_no)) {
    if (f.size() != FindingHeader().size()) {
      error(line_no, absl::StrCat("expected ", FindingHeader().size(), " columns, found ", f.size()));
      continue;
    }
    iv1::CreateFindingRequest req;
    req.set_request_id(RowRequestId(import_id, line_no));
    auto* x = req.mutable_finding();
    x->set_inspection(absl::StartsWith(f[0], "inspections/") ? f[0] : "inspections/" + f[0]);
    x->set_category(f[1]);
    iv1::Severity sev = iv1::SEVERITY_UNSPECIFIED;
    if (!iv1::Severity_Parse(f[2], &sev) || sev == iv1::SEVERITY_UNSPECIFIED) {
      error(line_no, "severity: MINOR, MODERATE or SERIOUS");
      continue;
    }
    x->set_severity(sev);
    x->set_description(f[3]);
    x->set_unit_code(f[4]);
    std::string why;
    if (!Date(f[5], "date", true, x->mutable_date(), &why) || !References(f[7], x, &why)) {
      error(line_no, why);
      continue;
    }
    if (f[6] != "" && f[6] != "true" && f[6] != "false") {
      error(line_no, "hold: true or false");
      continue;
    }
    x->set_hold(f[6] == "true");
    iv1::Finding made;
    auto ctx = Context(token);
    grpc::Status s = stub->CreateFinding(ctx.get(), req, &made);
    if (!s.ok()) {
      if (Fatal(s)) return Fail(absl::StrCat("import findings: line ", line_no, ": ", s.error_message()));
      error(line_no, s.error_message());
      continue;
    }
    ++created;
    std::printf("%s\t%s %s %lld VND to recover%s\n", made.name().c_str(), made.category().c_str(),
                iv1::Severity_Name(made.severity()).c_str(), static_cast<long long>(made.to_recover_vnd()),
                made.hold_active() ? ", holding its support lines" : "");
  }
  std::printf("import findings: %lld findings recorded (again: answered from the first run), %lld rows failed\n",
              static_cast<long long>(created), static_cast<long long>(failed));
  for (const auto& e : errors) std::printf("  %s\n", e.c_str());
  return failed > 0 ? 3 : 0;
}

int RunDemoInspection(Args& a) {
  const std::string key = ReadPrivateKey(a, "demo inspection");
  if (key.empty()) return 1;
  // The people: a team of two inspectors, the director who decides and signs, an appraiser.
  const std::string leader = MintDemoToken(key, "demo-inspector-lead", "INSPECTOR");
  const std::string member = MintDemoToken(key, "demo-inspector", "INSPECTOR");
  const std::string director = MintDemoToken(key, "demo-director", "PROVINCE_OFFICER");
  const std::string appraiser = MintDemoToken(key, "demo-appraiser", "INSPECTION_APPRAISER");
  if (leader.empty() || director.empty()) return Fail("demo inspection: cannot sign tokens with --private_key");
  auto ins = iv1::InspectionService::NewStub(
      grpc::CreateChannel(Get(a, "target", "127.0.0.1:50055"), grpc::InsecureChannelCredentials()));
  auto sup = fv1::SupportService::NewStub(
      grpc::CreateChannel(Get(a, "funding_target", "127.0.0.1:50052"), grpc::InsecureChannelCredentials()));
  auto check = [](const grpc::Status& s, const char* what) {
    if (!s.ok()) std::fprintf(stderr, "demo inspection: %s: %s\n", what, s.error_message().c_str());
    return s.ok();
  };
  const absl::CivilDay today = Today(absl::Now());
  auto day = [&](int days_ago) { return api::ToProtoDate(today - days_ago); };
  // The demo's housing lines of this year; the commune with the most of them.
  std::vector<fv1::SupportLine> all;
  fv1::ListSupportLinesRequest lreq;
  lreq.set_year(static_cast<int32_t>(today.year()));
  lreq.set_content("HOUSING");
  lreq.set_page_size(1000);
  do {
    fv1::ListSupportLinesResponse page;
    auto ctx = Context(director);
    if (!check(sup->ListSupportLines(ctx.get(), lreq, &page), "list support lines")) return 1;
    for (auto& l : *page.mutable_lines()) all.push_back(std::move(l));
    lreq.set_page_token(page.next_page_token());
  } while (!lreq.page_token().empty() && all.size() < 20000);
  std::map<std::string, std::vector<const fv1::SupportLine*>> by_commune;
  for (const auto& l : all) by_commune[l.commune_code()].push_back(&l);
  const std::vector<const fv1::SupportLine*>* pick = nullptr;
  for (const auto& [commune, ls] : by_commune) {
    if (ls.size() >= 2 && (pick == nullptr || ls.size() > pick->size())) pick = &ls;
  }
  if (pick == nullptr) return Fail("demo inspection: no commune has 2 housing lines this year (load demo funding first)");
  const std::string commune = (*pick)[0]->commune_code();
  // The department's plan of the year with a check of the commune's housing support.
  iv1::CreatePlanRequest preq;
  preq.set_request_id(RowRequestId("demo-inspection", 1));
  auto* plan = preq.mutable_plan();
  plan->set_agency_code("DEPARTMENT");
  const absl::CivilDay decided = today - 125;
  plan->set_year(static_cast<int32_t>(decided.year()));
  plan->set_number(absl::StrCat("KH 05/KH-BDT-", decided.year()));
  *plan->mutable_issued_date() = api::ToProtoDate(absl::CivilDay(decided.year(), 1, 1));
  auto* item = plan->add_items();
  item->set_kind(iv1::CHECK);
  item->add_subjects()->set_unit_code(commune);
  item->set_scope("Hỗ trợ nhà ở cho hộ nghèo dân tộc thiểu số (Chương trình 1719, Dự án 1)");
  *item->mutable_period_from() = api::ToProtoDate(absl::CivilDay(today.year() - 1, 1, 1));
  *item->mutable_period_to() = day(130);
  *item->mutable_planned_start() = day(125);
  *item->mutable_planned_end() = day(95);
  iv1::Plan made_plan;
  {
    auto ctx = Context(director);
    if (!check(ins->CreatePlan(ctx.get(), preq, &made_plan), "create plan")) return 1;
  }
  iv1::CreateInspectionRequest ireq;
  ireq.set_request_id(RowRequestId("demo-inspection", 2));
  auto* d = ireq.mutable_inspection();
  d->set_kind(iv1::CHECK);
  d->set_agency_code("DEPARTMENT");
  d->set_decision_number(absl::StrCat("45/QĐ-BDT-", decided.year()));
  *d->mutable_decision_date() = day(125);
  d->set_origin(iv1::PLANNED);
  d->set_plan_item(made_plan.name() + "/items/1");
  d->set_decider("demo-director");
  d->set_leader("demo-inspector-lead");
  d->add_members("demo-inspector");
  d->set_duration_days(30);
  d->add_subjects()->set_unit_code(commune);
  d->set_scope(item->scope());
  *d->mutable_period_from() = item->period_from();
  *d->mutable_period_to() = item->period_to();
  iv1::Inspection in;
  {
    auto ctx = Context(director);
    if (!check(ins->CreateInspection(ctx.get(), ireq, &in), "create inspection")) return 1;
  }
  {
    // A second run is answered from the first one's records: go on from where it stands.
    iv1::GetInspectionRequest g;
    g.set_name(in.name());
    auto ctx = Context(director);
    if (!check(ins->GetInspection(ctx.get(), g, &in), "get inspection")) return 1;
  }
  auto before = [&](iv1::State s) { return in.state() < s; };
  auto advance = [&](const std::string& token, iv1::State to, int days_ago,
                     const std::function<void(iv1::AdvanceInspectionRequest&)>& more) {
    iv1::AdvanceInspectionRequest r;
    r.set_name(in.name());
    r.set_etag(in.etag());
    r.set_to(to);
    *r.mutable_date() = day(days_ago);
    if (more) more(r);
    auto ctx = Context(token);
    return check(ins->AdvanceInspection(ctx.get(), r, &in), iv1::State_Name(to).c_str());
  };
  if (before(iv1::ANNOUNCED) && !advance(leader, iv1::ANNOUNCED, 122, [&](auto& r) {
        auto* q = r.add_data_requests();
        q->set_addressee(absl::StrCat("UBND xã ", commune));
        q->set_description("Hồ sơ bình xét, danh sách và chứng từ hỗ trợ nhà ở");
        *q->mutable_requested_date() = day(122);
        *q->mutable_due_date() = day(112);
      })) {
    return 1;
  }
  // Findings on real lines: one held, one to recover, one procedural.
  auto finding = [&](const std::string& token, const std::string& category, iv1::Severity sev, const std::string& text,
                     std::vector<const fv1::SupportLine*> refs, bool hold, bool household, int n) {
    iv1::CreateFindingRequest r;
    r.set_request_id(RowRequestId("demo-inspection", 10 + n));
    auto* x = r.mutable_finding();
    x->set_inspection(in.name());
    x->set_category(category);
    x->set_severity(sev);
    x->set_description(text);
    *x->mutable_date() = day(110);
    x->set_hold(hold);
    for (const auto* l : refs) {
      auto* ref = x->add_references();
      ref->set_kind(iv1::SUPPORT_LINE);
      ref->set_resource(l->name());
      if (household) {
        auto* h = x->add_references();
        h->set_kind(iv1::HOUSEHOLD);
        h->set_resource(l->household());
      }
    }
    iv1::Finding out;
    auto ctx = Context(token);
    check(ins->CreateFinding(ctx.get(), r, &out), "create finding");
    return out;
  };
  const iv1::Finding held = finding(member, "UNDELIVERED", iv1::MODERATE,
                                    "Nhà chưa hoàn thành nhưng đã ghi nhận bàn giao; tạm dừng thanh toán chờ xác minh",
                                    {(*pick)[0]}, true, false, 1);
  const iv1::Finding wrong = finding(leader, "WRONG_BENEFICIARY", iv1::SERIOUS,
                                     "Hộ đã có nhà kiên cố trước khi được hỗ trợ", {(*pick)[1]}, false, true, 2);
  finding(leader, "PROCEDURE", iv1::MINOR, "Danh sách hộ được hỗ trợ không được niêm yết công khai", {}, false, false, 3);
  if (held.name().empty() || wrong.name().empty()) return 1;
  if ((before(iv1::REPORTED) &&
       !advance(leader, iv1::REPORTED, 100, [](auto& r) { r.set_report_summary("Báo cáo kết quả kiểm tra của Đoàn"); })) ||
      (before(iv1::DRAFTED) && !advance(leader, iv1::DRAFTED, 98, [](auto& r) {
        r.set_conclusion_text(
            "Kết luận kiểm tra việc thực hiện hỗ trợ nhà ở năm nay: một hộ được hỗ trợ sai đối tượng, phải thu hồi; "
            "một căn nhà chưa hoàn thành; danh sách chưa được niêm yết công khai.");
      }))) {
    return 1;
  }
  if (before(iv1::APPRAISED)) {
    iv1::AppraiseConclusionRequest r;
    r.set_name(in.name());
    r.set_etag(in.etag());
    *r.mutable_date() = day(95);
    r.set_opinion("Thống nhất với dự thảo");
    auto ctx = Context(appraiser);
    if (!check(ins->AppraiseConclusion(ctx.get(), r, &in), "appraise")) return 1;
  }
  // Recommendations are part of the conclusion: a financial one already past its deadline.
  auto recommend = [&](iv1::RecommendationKind kind, const std::string& finding_name, const std::string& text,
                       int deadline_days_ago, int n) {
    iv1::CreateRecommendationRequest r;
    r.set_request_id(RowRequestId("demo-inspection", 20 + n));
    auto* x = r.mutable_recommendation();
    x->set_inspection(in.name());
    x->set_finding(finding_name);
    x->set_kind(kind);
    x->set_description(text);
    x->set_owner_unit(commune);
    *x->mutable_deadline() = day(deadline_days_ago);
    iv1::Recommendation out;
    auto ctx = Context(leader);
    check(ins->CreateRecommendation(ctx.get(), r, &out), "create recommendation");
    return out;
  };
  iv1::Recommendation money = recommend(iv1::FINANCIAL, wrong.name(), "Thu hồi số tiền hỗ trợ sai đối tượng", 20, 1);
  iv1::Recommendation posting =
      recommend(iv1::ADMINISTRATIVE, "", "Niêm yết công khai danh sách hộ được hỗ trợ tại nhà văn hóa ấp", 60, 2);
  if (money.name().empty() || posting.name().empty()) return 1;
  if ((before(iv1::CONCLUDED) &&
       !advance(director, iv1::CONCLUDED, 90,
                [&](auto& r) { r.set_conclusion_number(absl::StrCat("12/KL-BDT-", today.year())); })) ||
      (before(iv1::PUBLISHED) && !advance(leader, iv1::PUBLISHED, 88, [](auto& r) {
        r.set_portal_url("https://bandantoc.binhphuoc.gov.vn/ket-luan-kiem-tra");
      }))) {
    return 1;
  }
  // Part of the money recovered; the posting done; the recovery still short, so overdue.
  iv1::RecordRecoveryRequest rr;
  rr.set_request_id(RowRequestId("demo-inspection", 30));
  rr.mutable_recovery()->set_recommendation(money.name());
  *rr.mutable_recovery()->mutable_date() = day(40);
  if (money.required().empty()) return Fail("demo inspection: the financial recommendation requires nothing");
  rr.mutable_recovery()->set_source(money.required(0).source());
  rr.mutable_recovery()->set_node_code(money.required(0).node_code());
  rr.mutable_recovery()->set_amount_vnd(money.required(0).amount_vnd() / 2);
  rr.mutable_recovery()->set_document("Giấy nộp tiền vào ngân sách số 08/GNT");
  iv1::Recovery rec;
  {
    auto ctx = Context(leader);
    if (!check(ins->RecordRecovery(ctx.get(), rr, &rec), "record recovery")) return 1;
  }
  iv1::RecordFollowUpRequest fu;
  fu.set_request_id(RowRequestId("demo-inspection", 31));
  fu.set_recommendation(posting.name());
  fu.set_etag(posting.etag());
  *fu.mutable_follow_up()->mutable_date() = day(55);
  fu.mutable_follow_up()->set_status(iv1::DONE);
  fu.mutable_follow_up()->set_evidence("Biên bản niêm yết ngày công khai");
  {
    iv1::Recommendation out;
    auto ctx = Context(leader);
    if (!check(ins->RecordFollowUp(ctx.get(), fu, &out), "record follow-up")) return 1;
  }
  std::printf("demo inspection: %s in commune %s: 3 findings (%s holds %s), %s overdue with %lld of %lld VND recovered\n",
              in.name().c_str(), commune.c_str(), held.name().c_str(), (*pick)[0]->name().c_str(), money.name().c_str(),
              static_cast<long long>(rec.amount_vnd()), static_cast<long long>(money.required_vnd()));
  return 0;
}

}  // namespace lnob::ctl
