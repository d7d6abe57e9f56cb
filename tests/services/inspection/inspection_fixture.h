#ifndef LNOB_TESTS_SERVICES_INSPECTION_INSPECTION_FIXTURE_H_
#define LNOB_TESTS_SERVICES_INSPECTION_INSPECTION_FIXTURE_H_

// The inspection logic on a fresh database of its own schema, with the registry's units and
// the owners of cited records (funding, registry, campaigns) faked in memory.

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/api/resource_name.h"
#include "common/status/status.h"
#include "embedded/lnob_inspection_migrations.h"
#include "gtest/gtest.h"
#include "services/inspection/domain/inspection_logic.h"
#include "services/inspection/store/pg_inspection_store.h"
#include "tests/support/dates.h"
#include "tests/support/fake_unit_directory.h"
#include "tests/support/service_test.h"

namespace lnob::inspection {

using ::lnob::testing::Day;

// Records by resource name; a record is visible to a call when its commune is in the call's
// scope units (or the call is province-wide), as the real owners decide.
class FakeOwners : public Owners {
 public:
  absl::StatusOr<std::vector<OwnerRecord>> Fetch(const server::Call& call, const std::string& kind,
                                                 const std::vector<std::string>& resources,
                                                 absl::CivilDay) override {
    ++calls[kind];
    asked[kind] += static_cast<int>(resources.size());
    if (down.count(kind)) return absl::UnavailableError(absl::StrCat("owner of ", kind, " unavailable"));
    std::vector<OwnerRecord> out;
    for (const auto& r : resources) {
      auto it = records.find(r);
      OwnerRecord rec;
      if (it != records.end()) {
        const auto& units = call.principal.scope.unit_codes;
        if (units.empty() || std::find(units.begin(), units.end(), it->second.commune_code) != units.end()) rec = it->second;
      }
      out.push_back(rec);
    }
    return out;
  }
  // A support line of `amount` split into shares (node, source, amount).
  std::string AddLine(const std::string& commune, std::vector<ShareFact> shares, int n) {
    const std::string name = absl::StrCat("supportLines/0190c0de-0000-7000-8000-", std::string(12 - std::to_string(n).size(), '0'), n);
    OwnerRecord r;
    r.found = true;
    r.commune_code = commune;
    r.date = absl::CivilDay(2024, 5, 1);
    r.dated = true;
    for (const auto& s : shares) r.amount_vnd += s.amount_vnd;
    r.shares = std::move(shares);
    r.facts_json = absl::StrCat("{\"name\":\"", name, "\",\"amount_vnd\":", r.amount_vnd, "}");
    records[name] = r;
    return name;
  }
  std::map<std::string, OwnerRecord> records;
  std::map<std::string, int> calls, asked;
  std::set<std::string> down;
};

class InspectionTest : public testing::ServiceTest {
 protected:
  void SetUp() override {
    OpenDatabase("inspection", EmbeddedMigrations());
    store_ = NewPgInspectionStore(pool_.get());
    logic_ = std::make_unique<InspectionLogic>(store_.get(), &scope_, &owners_,
                                               api::PageTokenCodec("test-secret-0123456789"), RealClock::Get());
    leader_ = CallAs("leader-1", {"inspection.*"});
    member_ = CallAs("member-1", {"inspection.*"});
    director_ = CallAs("director", {"inspection.*"});
    appraiser_ = CallAs("appraiser", {"inspection.read", "inspection.conclusions.appraise"});
    outsider_ = CallAs("officer-2", {"inspection.read"});
    commune_ = CallAs("commune-officer", {"inspection.read", "inspection.followups.write"}, {"25195"});
  }

  v1::CreateInspectionRequest Decision(const std::string& agency, v1::Kind kind, google::type::Date decided,
                                       const std::string& unit = "25216") {
    v1::CreateInspectionRequest req;
    auto* in = req.mutable_inspection();
    in->set_kind(kind);
    in->set_agency_code(agency);
    in->set_decision_number(absl::StrCat("QĐ ", ++decisions_, "/QĐ-BDT"));
    *in->mutable_decision_date() = decided;
    in->set_origin(v1::AD_HOC);
    in->set_decider("director");
    in->set_leader("leader-1");
    in->add_members("member-1");
    in->set_duration_days(30);
    auto* s = in->add_subjects();
    s->set_unit_code(unit);
    s->set_organisation("UBND xã Tân Tiến");
    in->set_scope("Hỗ trợ nhà ở theo Chương trình 1719");
    *in->mutable_period_from() = Day(2022, 1, 1);
    *in->mutable_period_to() = Day(2023, 12, 31);
    return req;
  }

  v1::Inspection Create(v1::CreateInspectionRequest req) {
    v1::Inspection out;
    absl::Status st = logic_->CreateInspection(director_, req, &out);
    EXPECT_TRUE(st.ok()) << st;
    return out;
  }

  absl::Status Advance(const server::Call& c, v1::Inspection* in, v1::State to, google::type::Date day,
                       const std::function<void(v1::AdvanceInspectionRequest&)>& more = nullptr) {
    v1::AdvanceInspectionRequest req;
    req.set_name(in->name());
    req.set_etag(in->etag());
    req.set_to(to);
    *req.mutable_date() = day;
    if (to == v1::REPORTED) req.set_report_summary("Báo cáo kết quả kiểm tra");
    if (to == v1::DRAFTED) req.set_conclusion_text("Kết luận: hộ A nhận sai đối tượng.");
    if (to == v1::APPRAISED) req.set_appraisal_opinion("Đồng ý với dự thảo");
    if (to == v1::CONCLUDED) req.set_conclusion_number("KL 01/KL-BDT");
    if (to == v1::PUBLISHED) req.set_portal_url("https://bandantoc.example.gov.vn/kl-01");
    if (to == v1::WITHDRAWN) req.set_reason("hết thời hạn đăng tải");
    if (more) more(req);
    v1::Inspection out;
    absl::Status st;
    if (to == v1::APPRAISED) {
      v1::AppraiseConclusionRequest ap;
      ap.set_name(req.name());
      ap.set_etag(req.etag());
      *ap.mutable_date() = req.date();
      ap.set_opinion(req.appraisal_opinion());
      st = logic_->AppraiseConclusion(c, ap, &out);
    } else {
      st = logic_->AdvanceInspection(c, req, &out);
    }
    if (st.ok()) *in = out;
    return st;
  }

  // A 2024 check of 25216, announced (findings may be recorded).
  v1::Inspection Announced() {
    v1::Inspection in = Create(Decision("DEPARTMENT", v1::CHECK, Day(2024, 3, 1)));
    EXPECT_TRUE(Advance(leader_, &in, v1::ANNOUNCED, Day(2024, 3, 5)).ok());
    return in;
  }

  v1::CreateFindingRequest FindingOn(const v1::Inspection& in, std::vector<v1::Reference> refs, bool hold = false) {
    v1::CreateFindingRequest req;
    auto* f = req.mutable_finding();
    f->set_inspection(in.name());
    f->set_category("WRONG_BENEFICIARY");
    f->set_severity(v1::SERIOUS);
    f->set_description("Hỗ trợ nhà ở cho hộ không thuộc diện nghèo");
    *f->mutable_date() = Day(2024, 3, 20);
    f->set_hold(hold);
    for (auto& r : refs) *f->add_references() = std::move(r);
    return req;
  }

  static v1::Reference Ref(v1::ReferenceKind kind, const std::string& resource, const std::string& node = "",
                           const std::string& source = "", int64_t amount = 0) {
    v1::Reference r;
    r.set_kind(kind);
    r.set_resource(resource);
    r.set_node_code(node);
    r.set_source(source);
    r.set_amount_vnd(amount);
    return r;
  }

  std::set<std::string> Fields(const absl::Status& st) {
    std::set<std::string> out;
    for (const auto& f : GetFieldViolations(st)) out.insert(f.field);
    return out;
  }

  // Runs `sql` as the service's own role (what the running service may do).
  void ExecAsService(const std::string& sql) {
    pqxx::connection c(db_->service_url());
    pqxx::work tx(c);
    tx.exec(sql);
    tx.commit();
  }

  lnob::testing::FakeUnitDirectory units_;
  FakeOwners owners_;
  scope::AreaScope scope_{&units_, RealClock::Get()};
  std::unique_ptr<InspectionStore> store_;
  std::unique_ptr<InspectionLogic> logic_;
  server::Call leader_, member_, director_, appraiser_, outsider_, commune_;
  int decisions_ = 0;
};

}  // namespace lnob::inspection

#endif  // LNOB_TESTS_SERVICES_INSPECTION_INSPECTION_FIXTURE_H_
