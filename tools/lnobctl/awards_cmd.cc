#include "tools/lnobctl/awards_cmd.h"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <fstream>
#include <map>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/api/proto_date.h"
#include "common/util/csv.h"
#include "common/util/date.h"
#include "grpcpp/grpcpp.h"
#include "lnob/awards/v1/awards.grpc.pb.h"
#include "lnob/campaigns/v1/campaigns.grpc.pb.h"
#include "lnob/registry/v1/households.grpc.pb.h"
#include "tools/lnobctl/client_util.h"
#include "tools/lnobctl/csv_fields.h"

namespace lnob::ctl {
namespace av1 = ::lnob::awards::v1;
namespace rv1 = ::lnob::registry::v1;
namespace cv1 = ::lnob::campaigns::v1;
namespace {

const std::vector<std::string>& RegistrationHeader() {
  static const auto* h = new std::vector<std::string>{
      "movement",   "year",        "subject_kind",       "subject_name", "unit_code",
      "household",  "registered_date", "target_code", "target_description", "target_value",
      "target_unit_of_measure"};
  return *h;
}

const std::vector<std::string>& NominationHeader() {
  static const auto* h = new std::vector<std::string>{
      "year",      "form_code",       "subject_kind",           "subject_name", "subject_ref",
      "unit_code", "sex",             "ethnic_group_code",      "household",    "achievement_key",
      "achievement_description", "households", "activities", "area_statistics", "report"};
  return *h;
}

bool Fatal(const grpc::Status& s) {
  return s.error_code() == grpc::StatusCode::UNAVAILABLE || s.error_code() == grpc::StatusCode::UNAUTHENTICATED ||
         s.error_code() == grpc::StatusCode::PERMISSION_DENIED;
}

std::vector<std::string> Words(const std::string& text) {
  return absl::StrSplit(text, ' ', absl::SkipEmpty());
}

// Rows grouped into requests by a key, in file order, each sent once.
template <typename Req>
struct Grouped {
  std::vector<std::string> order;
  std::map<std::string, std::pair<int64_t, Req>> by_key;  // key -> (first line, request)
  int64_t failed = 0;
  std::vector<std::string> errors;
  std::set<std::string> refused;  // keys with a refused row: never sent incomplete
  void Error(int64_t line, const std::string& message) {
    ++failed;
    if (errors.size() < 20) errors.push_back(absl::StrCat("line ", line, ": ", message));
  }
  // The request of `key`, created on its first row.
  Req* At(const std::string& key, int64_t line, bool* fresh) {
    auto [it, inserted] = by_key.try_emplace(key);
    *fresh = inserted;
    if (inserted) {
      order.push_back(key);
      it->second.first = line;
    }
    return &it->second.second;
  }
};

int Report(const char* what, int64_t created, int64_t failed, const std::vector<std::string>& errors) {
  std::printf("import %s: %lld recorded (again: answered from the first run), %lld rows failed\n", what,
              static_cast<long long>(created), static_cast<long long>(failed));
  for (const auto& e : errors) std::printf("  %s\n", e.c_str());
  return failed > 0 ? 3 : 0;
}

// Reads the CSV `file` (its first line must be `header`) row by row into `g`: key_of(fields)
// names the record a row belongs to, add(fields, line, key) adds the row or returns why it is
// refused (the whole record is then not sent). Non-zero (after a message) when the file cannot
// be read.
template <typename Req, typename KeyOf, typename Add>
int ReadGrouped(const std::string& file, const std::vector<std::string>& header, const char* what, Grouped<Req>* g,
                KeyOf&& key_of, Add&& add) {
  if (file.empty()) return Fail(absl::StrCat("import ", what, ": give the CSV file (see lnobctl import --help)"));
  std::ifstream in(file);
  if (!in) return Fail(absl::StrCat("import ", what, ": cannot read ", file));
  std::vector<std::string> f;
  int64_t line_no = 0;
  if (!csv::ReadRecord(in, &f, &line_no) || f != header) {
    return Fail(absl::StrCat("import ", what, ": the first line must be the header ", csv::FormatRecord(header)));
  }
  while (csv::ReadRecord(in, &f, &line_no)) {
    if (f.size() != header.size()) {
      g->Error(line_no, absl::StrCat("expected ", header.size(), " columns, found ", f.size()));
      continue;
    }
    const std::string key = key_of(f);
    const std::string why = add(f, line_no, key);
    if (!why.empty()) {
      g->Error(line_no, why);
      g->refused.insert(key);
    }
  }
  return 0;
}

// Sends each grouped request once with `call(ctx, req, &made)`; prints each with `show`.
template <typename Req, typename Resp, typename Call, typename Show>
int SendGrouped(Args& a, const char* what, Grouped<Req>& g, Call&& call, Show&& show) {
  const std::string token = Token(a);
  int64_t created = 0;
  for (const auto& key : g.order) {
    const auto& [line, req] = g.by_key[key];
    if (g.refused.count(key)) {
      g.Error(line, "not sent: a row of this record was refused (fix it and run the file again)");
      continue;
    }
    Resp made;
    auto ctx = Context(token);
    grpc::Status s = call(ctx.get(), req, &made);
    if (!s.ok()) {
      if (Fatal(s)) return Fail(absl::StrCat("import ", what, ": line ", line, ": ", s.error_message()));
      g.Error(line, s.error_message());
      continue;
    }
    ++created;
    show(made);
  }
  return Report(what, created, g.failed, g.errors);
}

std::unique_ptr<av1::AwardsService::Stub> AwardsStub(const Args& a) {
  return av1::AwardsService::NewStub(
      grpc::CreateChannel(Get(a, "target", "127.0.0.1:50054"), grpc::InsecureChannelCredentials()));
}

}  // namespace

int RunImportRegistrations(Args& a, const std::string& file) {
  const std::string import_id = Get(a, "import_id", FileImportId(file));
  Grouped<av1::CreateRegistrationRequest> g;
  auto key_of = [](const std::vector<std::string>& f) {
    return absl::StrCat(f[0], "|", f[1], "|", f[2], "|", f[3], "|", f[4]);
  };
  auto add = [&](const std::vector<std::string>& f, int64_t line_no, const std::string& key) -> std::string {
    std::string why;
    int64_t year = 0;
    google::type::Date registered;
    av1::RecipientKind kind = av1::RECIPIENT_KIND_UNSPECIFIED;
    double value = 0;
    if (!Number(f[1], "year", 0, &year, &why) || !Date(f[6], "registered_date", true, &registered, &why)) return why;
    if (!av1::RecipientKind_Parse(f[2], &kind) || kind == av1::RECIPIENT_KIND_UNSPECIFIED) {
      return "subject_kind: INDIVIDUAL, COLLECTIVE or HOUSEHOLD";
    }
    if (!absl::SimpleAtod(f[9], &value)) return "target_value: a number";
    bool fresh = false;
    auto* req = g.At(key, line_no, &fresh);
    if (fresh) {
      req->set_request_id(RowRequestId(import_id, line_no));
      auto* r = req->mutable_registration();
      r->set_movement(f[0]);
      r->set_year(static_cast<int32_t>(year));
      r->set_subject_kind(kind);
      r->set_subject_name(f[3]);
      r->set_unit_code(f[4]);
      r->set_household(f[5]);
      *r->mutable_registered_date() = registered;
    }
    auto* t = req->mutable_registration()->add_targets();
    t->set_code(f[7]);
    t->set_description(f[8]);
    t->set_value(value);
    t->set_unit_of_measure(f[10]);
    return "";
  };
  if (int rc = ReadGrouped(file, RegistrationHeader(), "registrations", &g, key_of, add); rc != 0) return rc;
  auto stub = AwardsStub(a);
  return SendGrouped<av1::CreateRegistrationRequest, av1::Registration>(
      a, "registrations", g,
      [&](grpc::ClientContext* ctx, const av1::CreateRegistrationRequest& req, av1::Registration* out) {
        return stub->CreateRegistration(ctx, req, out);
      },
      [](const av1::Registration& made) {
        std::printf("%s\t%s %d: %d targets\n", made.name().c_str(), made.subject_name().c_str(), made.year(),
                    made.targets_size());
      });
}

int RunImportNominations(Args& a, const std::string& file) {
  const std::string import_id = Get(a, "import_id", FileImportId(file));
  Grouped<av1::CreateNominationRequest> g;
  auto key_of = [](const std::vector<std::string>& f) {
    return absl::StrCat(f[0], "|", f[1], "|", f[2], "|", f[3], "|", f[4], "|", f[5]);
  };
  auto add = [&](const std::vector<std::string>& f, int64_t line_no, const std::string& key) -> std::string {
    std::string why;
    int64_t year = 0;
    av1::RecipientKind kind = av1::RECIPIENT_KIND_UNSPECIFIED;
    av1::Sex sex = av1::SEX_UNSPECIFIED;
    if (!Number(f[0], "year", 0, &year, &why)) return why;
    if (!av1::RecipientKind_Parse(f[2], &kind) || kind == av1::RECIPIENT_KIND_UNSPECIFIED) {
      return "subject_kind: INDIVIDUAL, COLLECTIVE or HOUSEHOLD";
    }
    if (!f[6].empty() && (!av1::Sex_Parse(f[6], &sex) || sex == av1::SEX_UNSPECIFIED)) return "sex: MALE, FEMALE or empty";
    for (const auto& w : Words(f[13])) {
      if (w != "POVERTY" && w != "DISBURSEMENT" && w != "INSPECTION") {
        return "area_statistics: words among POVERTY DISBURSEMENT INSPECTION";
      }
    }
    bool fresh = false;
    auto* req = g.At(key, line_no, &fresh);
    auto* n = req->mutable_nomination();
    if (fresh) {
      req->set_request_id(RowRequestId(import_id, line_no));
      n->set_year(static_cast<int32_t>(year));
      n->set_form_code(f[1]);
      n->set_subject_kind(kind);
      n->set_subject_name(f[3]);
      n->set_subject_ref(f[4]);
      n->set_unit_code(f[5]);
      n->set_sex(sex);
      n->set_ethnic_group_code(f[7]);
      n->set_household(f[8]);
      n->set_report(f[14]);
    }
    auto* ach = n->add_achievements();
    ach->set_key(f[9]);
    ach->set_description(f[10]);
    auto* er = n->mutable_evidence_request();
    for (const auto& h : Words(f[11])) er->add_households(h);
    for (const auto& x : Words(f[12])) er->add_activities(x);
    for (const auto& w : Words(f[13])) {
      if (w == "POVERTY") er->set_area_poverty(true);
      if (w == "DISBURSEMENT") er->set_area_disbursement(true);
      if (w == "INSPECTION") er->set_area_inspection(true);
    }
    return "";
  };
  if (int rc = ReadGrouped(file, NominationHeader(), "nominations", &g, key_of, add); rc != 0) return rc;
  auto stub = AwardsStub(a);
  return SendGrouped<av1::CreateNominationRequest, av1::Nomination>(
      a, "nominations", g,
      [&](grpc::ClientContext* ctx, const av1::CreateNominationRequest& req, av1::Nomination* out) {
        return stub->CreateNomination(ctx, req, out);
      },
      [](const av1::Nomination& made) {
        std::printf("%s\t%s %s %d: evidence %lld items, digest %.12s\n", made.name().c_str(),
                    made.form_code().c_str(), made.subject_name().c_str(), made.year(),
                    static_cast<long long>(made.evidence().items()), made.evidence().digest().c_str());
      });
}

int RunDemoAwards(Args& a) {
  const std::string key = ReadPrivateKey(a, "demo awards");
  if (key.empty()) return 1;
  auto aw = AwardsStub(a);
  auto reg = rv1::HouseholdService::NewStub(
      grpc::CreateChannel(Get(a, "registry_target", "127.0.0.1:50051"), grpc::InsecureChannelCredentials()));
  auto camp = cv1::CampaignsService::NewStub(
      grpc::CreateChannel(Get(a, "campaigns_target", "127.0.0.1:50053"), grpc::InsecureChannelCredentials()));
  auto check = [](const grpc::Status& s, const std::string& what) {
    if (!s.ok()) std::fprintf(stderr, "demo awards: %s: %s\n", what.c_str(), s.error_message().c_str());
    return s.ok();
  };
  const std::string officer = MintDemoToken(key, "demo-emulation-officer", "PROVINCE_OFFICER");
  const std::string head = MintDemoToken(key, "demo-awards-head", "AWARDS_HEAD");
  if (officer.empty() || head.empty()) return Fail("demo awards: cannot sign tokens with --private_key");
  constexpr int kYear = 2024;

  // The commune with the most households that escaped poverty in 2024, and up to 200 of them.
  std::vector<std::string> escaped;
  rv1::ListTransitionsRequest tr;
  tr.set_year(kYear);
  tr.set_group("ESCAPED");
  tr.set_page_size(1000);
  do {
    rv1::ListTransitionsResponse page;
    auto ctx = Context(officer);
    if (!check(reg->ListTransitions(ctx.get(), tr, &page), "list the households that escaped in 2024")) return 1;
    for (auto& h : *page.mutable_households()) escaped.push_back(std::move(h));
    tr.set_page_token(page.next_page_token());
  } while (!tr.page_token().empty() && escaped.size() < 5000);
  std::map<std::string, std::vector<std::string>> by_commune;
  for (size_t at = 0; at < escaped.size(); at += 1000) {
    rv1::BatchGetHouseholdFactsRequest fq;
    for (size_t i = at; i < std::min(escaped.size(), at + 1000); ++i) fq.add_queries()->set_household(escaped[i]);
    rv1::BatchGetHouseholdFactsResponse facts;
    auto ctx = Context(officer);
    ctx->AddMetadata("x-lnob-purpose", "demo: the communes' escapes for the 2024 awards round");
    if (!check(reg->BatchGetHouseholdFacts(ctx.get(), fq, &facts), "read the households' facts")) return 1;
    for (const auto& x : facts.facts()) {
      if (x.found()) by_commune[x.commune_code()].push_back(x.household());
    }
  }
  const std::vector<std::string>* most = nullptr;
  std::string commune;
  for (const auto& [c, hs] : by_commune) {
    if (most == nullptr || hs.size() > most->size()) {
      most = &hs;
      commune = c;
    }
  }
  if (most == nullptr) return Fail("demo awards: no household escaped poverty in 2024 (load the demo province first)");
  std::vector<std::string> cited(most->begin(), most->begin() + std::min<size_t>(most->size(), 200));
  // The commune's activities (the demo's are of the last twelve months).
  std::vector<std::string> activities;
  cv1::ListActivitiesRequest lr;
  lr.set_page_size(1000);
  const std::string nominator = MintDemoToken(key, "demo-commune-officer", "COMMUNE_OFFICER", {commune});
  do {
    cv1::ListActivitiesResponse page;
    auto ctx = Context(nominator);
    if (!check(camp->ListActivities(ctx.get(), lr, &page), "list the commune's activities")) return 1;
    for (const auto& x : page.activities()) {
      if (activities.size() < 100) activities.push_back(x.name());
    }
    lr.set_page_token(page.next_page_token());
  } while (!lr.page_token().empty());

  int seq = 0;
  auto rid = [&] { return RowRequestId("demo-awards", ++seq); };
  // The movement, a registration and an initiative.
  av1::CreateMovementRequest mr;
  mr.set_request_id(rid());
  auto* m = mr.mutable_movement();
  m->set_number("KH 47/KH-BDT");
  m->set_title("Phong trào thi đua \"Vì người nghèo – Không để ai bị bỏ lại phía sau\" giai đoạn 2021-2025");
  *m->mutable_launched_date() = api::ToProtoDate(absl::CivilDay(2022, 9, 29));
  m->set_launched_by("Trưởng Ban Dân tộc tỉnh");
  m->add_parent_plans("KH 263/KH-UBND");
  m->add_parent_plans("QĐ 666/QĐ-TTg");
  *m->mutable_period_from() = api::ToProtoDate(absl::CivilDay(2022, 9, 29));
  *m->mutable_period_to() = api::ToProtoDate(absl::CivilDay(2025, 12, 31));
  m->set_owner_unit("70");
  auto* target = m->add_targets();
  target->set_code("EM_HOUSEHOLDS_ESCAPED");
  target->set_description("Ít nhất 1.000 hộ nghèo dân tộc thiểu số thoát nghèo mỗi năm");
  target->set_value(1000);
  target->set_unit_of_measure("hộ");
  av1::Movement movement;
  {
    auto ctx = Context(officer);
    if (!check(aw->CreateMovement(ctx.get(), mr, &movement), "create the movement")) return 1;
  }
  const std::string person = "Điểu Thị Hạnh";
  av1::CreateRegistrationRequest rr;
  rr.set_request_id(rid());
  auto* r = rr.mutable_registration();
  r->set_movement(movement.name());
  r->set_year(kYear);
  r->set_subject_kind(av1::INDIVIDUAL);
  r->set_subject_name(person);
  r->set_unit_code(commune);
  *r->mutable_registered_date() = api::ToProtoDate(absl::CivilDay(kYear, 1, 15));
  auto* rt = r->add_targets();
  rt->set_description("Vận động 20 hộ đồng bào dân tộc thiểu số thoát nghèo");
  rt->set_value(20);
  rt->set_unit_of_measure("hộ");
  av1::Registration registration;
  {
    auto ctx = Context(nominator);
    if (!check(aw->CreateRegistration(ctx.get(), rr, &registration), "register")) return 1;
  }
  av1::CreateInitiativeRequest ir;
  ir.set_request_id(rid());
  auto* ini = ir.mutable_initiative();
  ini->set_title("Tổ hợp tác nuôi bò sinh sản luân phiên giữa các hộ nghèo");
  ini->add_authors(person);
  ini->set_unit_code(commune);
  ini->set_scope(av1::BASE);
  *ini->mutable_applied_from() = api::ToProtoDate(absl::CivilDay(kYear, 3, 1));
  ini->set_decision_number("QĐ 112/QĐ-UBND");
  *ini->mutable_decision_date() = api::ToProtoDate(absl::CivilDay(kYear, 11, 20));
  ini->set_recognised_by("Chủ tịch UBND xã");
  ini->set_benefit("18 hộ áp dụng, 7 hộ thoát nghèo trong năm");
  av1::Initiative initiative;
  {
    auto ctx = Context(nominator);
    if (!check(aw->CreateInitiative(ctx.get(), ir, &initiative), "record the initiative")) return 1;
  }
  // The agency's council.
  av1::CreateCouncilRequest cr;
  cr.set_request_id(rid());
  auto* council = cr.mutable_council();
  council->set_title("Hội đồng Thi đua - Khen thưởng Ban Dân tộc tỉnh");
  council->set_unit_code("70");
  const char* members[] = {"Trần Văn Hùng", "Lê Thị Mai", "Phạm Văn Nam", "Thị Bích", "Nguyễn Thị Hoa"};
  for (int i = 0; i < 5; ++i) {
    auto* mm = council->add_members();
    mm->set_principal(absl::StrCat("demo-council-", i + 1));
    mm->set_display_name(members[i]);
    mm->set_role(i == 0 ? "Chủ tịch Hội đồng" : i == 4 ? "Thư ký" : "Ủy viên");
  }
  av1::Council made_council;
  {
    auto ctx = Context(officer);
    if (!check(aw->CreateCouncil(ctx.get(), cr, &made_council), "create the council")) return 1;
  }

  // Each nomination from the unit's review to the council's vote; `yes` of 5 members vote YES.
  auto run = [&](av1::Nomination nom, int yes, const std::string& what) -> std::optional<av1::Nomination> {
    av1::CreateNominationRequest req;
    req.set_request_id(rid());
    *req.mutable_nomination() = std::move(nom);
    av1::Nomination n;
    {
      auto ctx = Context(nominator);
      if (!check(aw->CreateNomination(ctx.get(), req, &n), "nominate " + what)) return std::nullopt;
    }
    av1::RecordUnitReviewRequest ur;
    ur.set_request_id(rid());
    ur.set_nomination(n.name());
    *ur.mutable_review()->mutable_meeting_date() = api::ToProtoDate(absl::CivilDay(kYear + 1, 1, 8));
    ur.mutable_review()->set_attendees(25);
    ur.mutable_review()->set_votes_for(21);
    ur.mutable_review()->set_votes_against(4);
    ur.mutable_review()->set_proposed(true);
    ur.mutable_review()->set_minutes("BB 02/BB-UBND");
    {
      auto ctx = Context(nominator);
      if (!check(aw->RecordUnitReview(ctx.get(), ur, &n), "unit review of " + what)) return std::nullopt;
    }
    av1::OpenCouncilReviewRequest open;
    open.set_request_id(rid());
    open.set_nomination(n.name());
    open.set_council(made_council.name());
    *open.mutable_opened_date() = api::ToProtoDate(absl::CivilDay(kYear + 1, 1, 15));
    {
      auto ctx = Context(officer);
      if (!check(aw->OpenCouncilReview(ctx.get(), open, &n), "council for " + what)) return std::nullopt;
    }
    for (int i = 1; i <= 5; ++i) {
      av1::CastVoteRequest v;
      v.set_request_id(rid());
      v.set_nomination(n.name());
      v.set_choice(i <= yes ? av1::YES : av1::NO);
      v.set_snapshot(n.council_review().snapshot());
      auto ctx = Context(MintDemoToken(key, absl::StrCat("demo-council-", i), "AWARDS_COUNCIL_MEMBER"));
      if (!check(aw->CastVote(ctx.get(), v, &n), "vote on " + what)) return std::nullopt;
    }
    av1::CloseCouncilReviewRequest close;
    close.set_request_id(rid());
    close.set_nomination(n.name());
    auto ctx = Context(officer);
    if (!check(aw->CloseCouncilReview(ctx.get(), close, &n), "close the council on " + what)) return std::nullopt;
    return n;
  };
  // Decided at `level`. Where the demo's own inspection left the commune with open serious
  // findings, the decider records why they do not bear on this achievement (the override).
  int overrides = 0;
  auto decide = [&](av1::Nomination* n, const std::string& level, absl::CivilDay day, const std::string& number) {
    av1::DecideNominationRequest d;
    d.set_request_id(rid());
    d.set_nomination(n->name());
    d.mutable_decision()->set_number(number);
    *d.mutable_decision()->mutable_date() = api::ToProtoDate(day);
    d.mutable_decision()->set_authority_level(level);
    d.mutable_decision()->set_signer(level == "COMMUNE_CHAIR" ? "Chủ tịch UBND xã" : "Trưởng ban Ban Dân tộc tỉnh");
    grpc::Status s;
    {
      auto ctx = Context(head);
      s = aw->DecideNomination(ctx.get(), d, n);
    }
    if (s.error_code() == grpc::StatusCode::FAILED_PRECONDITION && absl::StrContains(s.error_message(), "INTEGRITY")) {
      ++overrides;
      d.set_request_id(rid());
      d.mutable_decision()->set_override_reason(
          "Các phát hiện thanh tra đang mở thuộc hỗ trợ nhà ở, không liên quan đến thành tích được đề nghị");
      auto ctx = Context(head);
      s = aw->DecideNomination(ctx.get(), d, n);
    }
    return check(s, "decide on " + n->subject_name());
  };
  auto individual = [&](const std::string& name, const std::string& form, const std::string& achievement,
                        av1::Sex sex, const std::string& ethnic) {
    av1::Nomination n;
    n.set_movement(movement.name());
    n.set_year(kYear);
    n.set_form_code(form);
    n.set_subject_kind(av1::INDIVIDUAL);
    n.set_subject_name(name);
    n.set_unit_code(commune);
    n.set_sex(sex);
    n.set_ethnic_group_code(ethnic);
    auto* ach = n.add_achievements();
    ach->set_key(achievement);
    ach->set_description("Hoàn thành xuất sắc nhiệm vụ năm; vận động hộ nghèo thoát nghèo");
    return n;
  };

  // 1. The commune officer who mobilised the escapes, citing them and the commune's activities:
  //    advanced worker, then grassroots emulation fighter (her initiative).
  av1::Nomination first = individual(person, "TITLE_ADVANCED_WORKER", "2024/ANNUAL_TASKS", av1::FEMALE, "22");
  auto* er = first.mutable_evidence_request();
  for (const auto& h : cited) er->add_households(h);
  er->set_area_poverty(true);
  er->set_area_disbursement(true);
  er->set_area_inspection(true);
  first.set_report("Vận động " + std::to_string(cited.size()) + " hộ thoát nghèo năm 2024");
  auto a1 = run(first, 5, "the commune officer");
  if (!a1 || !decide(&*a1, "AGENCY_HEAD", absl::CivilDay(kYear + 1, 1, 20), "QĐ 15/QĐ-BDT")) return 1;
  // 2-8. Six more advanced workers of the commune (the 15% share of seven allows one fighter),
  //      one of them later revoked.
  const char* names[] = {"Lâm Văn Sơn", "Thị Ngọc", "Điểu Minh", "Nguyễn Văn Bình", "Hoàng Thị Thu", "Lý Văn Tài"};
  const char* groups[] = {"22", "22", "22", "01", "20", "05"};
  std::optional<av1::Nomination> revoked;
  for (int i = 0; i < 6; ++i) {
    auto n = run(individual(names[i], "TITLE_ADVANCED_WORKER", "2024/ANNUAL_TASKS", i % 2 ? av1::FEMALE : av1::MALE,
                            groups[i]),
                 4, names[i]);
    if (!n || !decide(&*n, "AGENCY_HEAD", absl::CivilDay(kYear + 1, 1, 20), "QĐ 15/QĐ-BDT")) return 1;
    if (i == 5) revoked = *n;
  }
  av1::Nomination fighter_nom = individual(person, "TITLE_CSTD_BASE", "2024/INITIATIVE", av1::FEMALE, "22");
  auto fighter = run(fighter_nom, 4, "the grassroots emulation fighter");
  if (!fighter || !decide(&*fighter, "AGENCY_HEAD", absl::CivilDay(kYear + 1, 1, 22), "QĐ 16/QĐ-BDT")) return 1;
  // 9. A household that escaped, honoured by the commune chair.
  av1::Nomination hh;
  hh.set_movement(movement.name());
  hh.set_year(kYear);
  hh.set_form_code("AWARD_GK_HEAD");
  hh.set_subject_kind(av1::HOUSEHOLD);
  hh.set_subject_name("Hộ gia đình thoát nghèo tiêu biểu");
  hh.set_household(cited.front());
  hh.set_unit_code(commune);
  auto* hach = hh.add_achievements();
  hach->set_key("2024/ESCAPED");
  hach->set_description("Vươn lên thoát nghèo bền vững");
  hh.mutable_evidence_request()->add_households(cited.front());
  auto household = run(hh, 4, "the household");
  if (!household || !decide(&*household, "COMMUNE_CHAIR", absl::CivilDay(kYear + 1, 1, 25), "QĐ 30/QĐ-UBND")) return 1;
  // 10. The provincial chair's certificate of merit: beyond the agency, submitted upward.
  av1::Nomination bk = individual(person, "AWARD_BK_PROV_CHAIR", "2024/MOVEMENT", av1::FEMALE, "22");
  bk.mutable_evidence_request()->set_area_poverty(true);
  auto upward = run(bk, 5, "the certificate of merit");
  if (!upward) return 1;
  av1::SubmitNominationRequest sub;
  sub.set_request_id(rid());
  sub.set_nomination(upward->name());
  sub.mutable_submission()->set_to_authority("Chủ tịch UBND tỉnh (qua Sở Nội vụ)");
  sub.mutable_submission()->set_letter_number("TTr 05/TTr-BDT");
  *sub.mutable_submission()->mutable_date() = api::ToProtoDate(absl::CivilDay(kYear + 1, 2, 3));
  {
    auto ctx = Context(officer);
    if (!check(aw->SubmitNomination(ctx.get(), sub, &*upward), "submit upward")) return 1;
  }
  // 11. One the council turns down (2 of 5).
  if (!run(individual("Trần Văn Lộc", "AWARD_GK_HEAD", "2024/OTHER", av1::MALE, "01"), 2, "a weak nomination")) return 1;
  // 12. This year's propaganda team, citing the commune's activities: a draft awaiting the
  //     unit's year-end review.
  if (!activities.empty()) {
    av1::CreateNominationRequest team;
    team.set_request_id(rid());
    auto* t = team.mutable_nomination();
    t->set_year(static_cast<int32_t>(Today(absl::Now()).year()));
    t->set_form_code("AWARD_GK_HEAD");
    t->set_subject_kind(av1::COLLECTIVE);
    t->set_subject_name("Tổ tuyên truyền, vận động xã");
    t->set_unit_code(commune);
    auto* tach = t->add_achievements();
    tach->set_key(absl::StrCat(t->year(), "/PROPAGANDA"));
    tach->set_description("Tổ chức tuyên truyền, vận động đồng bào dân tộc thiểu số");
    for (const auto& x : activities) t->mutable_evidence_request()->add_activities(x);
    av1::Nomination made;
    auto ctx = Context(nominator);
    if (!check(aw->CreateNomination(ctx.get(), team, &made), "nominate the propaganda team")) return 1;
  }
  // 13. The revocation: a later check found the standard not met.
  av1::RevokeAwardRequest rv;
  rv.set_request_id(rid());
  rv.set_nomination(revoked->name());
  rv.mutable_revocation()->set_reason(av1::STANDARD_NOT_MET);
  rv.mutable_revocation()->set_number("QĐ 44/QĐ-BDT");
  *rv.mutable_revocation()->mutable_date() = api::ToProtoDate(absl::CivilDay(kYear + 1, 6, 10));
  rv.mutable_revocation()->set_amount_to_recover_vnd(350000);
  rv.mutable_revocation()->set_note("Kiểm tra sau khen thưởng: chưa đạt tiêu chuẩn hoàn thành nhiệm vụ");
  {
    auto ctx = Context(head);
    if (!check(aw->RevokeAward(ctx.get(), rv, &*revoked), "revoke")) return 1;
  }
  std::printf("demo awards: commune %s: %zu escaped households cited (digest %.12s), %zu activities;"
              " 10 decided (%d with an integrity override; 1 later revoked), 1 submitted upward, 1 rejected, 1 draft\n",
              commune.c_str(), cited.size(), a1->evidence().digest().c_str(), activities.size(), overrides);
  return 0;
}

}  // namespace lnob::ctl
