#ifndef LNOB_TESTS_INTEGRATION_HOUSEHOLD_FIXTURE_H_
#define LNOB_TESTS_INTEGRATION_HOUSEHOLD_FIXTURE_H_

// The registry's household logic over a fresh database (tests/support/service_test.h), with
// the helpers the household and review-procedure tests share.

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/status/status.h"
#include "common/server/stream.h"
#include "common/util/clock.h"
#include "embedded/lnob_registry_data.h"
#include "embedded/lnob_registry_migrations.h"
#include "gtest/gtest.h"
#include "services/registry/domain/household_logic.h"
#include "services/registry/domain/refdata.h"
#include "services/registry/domain/unit_directory.h"
#include "services/registry/store/pg_household_store.h"
#include "services/registry/store/pg_reference_store.h"
#include "tests/support/dates.h"
#include "tests/support/service_test.h"

namespace lnob::registry {

using ::lnob::testing::Day;

inline v1::Member Person(const std::string& name, v1::Relation rel, const std::string& eth = "01",
                  const std::string& cid = "", v1::Sex sex = v1::MALE, int birth_year = 1980) {
  v1::Member m;
  m.set_full_name(name);
  m.set_relation(rel);
  m.set_ethnicity_code(eth);
  m.set_sex(sex);
  m.set_citizen_id(cid);
  *m.mutable_birth_date() = Day(birth_year, 5, 17);
  return m;
}

class HouseholdTest : public testing::ServiceTest {
 protected:
  void SetUp() override {
    OpenDatabase("registry", EmbeddedMigrations());
    refs_ = NewPgReferenceStore(pool_.get());
    ASSERT_TRUE(refs_->Load(*BuildRefData(EmbeddedRefData()), "test").ok());
    store_ = NewPgHouseholdStore(pool_.get());
    units_ = std::make_unique<LocalUnitDirectory>(refs_.get());
    scope_ = std::make_unique<scope::AreaScope>(units_.get(), clock_);
    logic_ = std::make_unique<HouseholdLogic>(store_.get(), refs_.get(), scope_.get(),
                                              api::PageTokenCodec("test-secret-0123456789"), clock_);
    admin_ = CallAs("admin", {"*"});
    checker_ = CallAs("checker", {"*"});  // approves what admin_ submitted (maker-checker)
    // A commune officer of Phường Bình Phước (25195) without personal-data permission.
    officer_ = CallAs("officer", {"registry.households.*"}, {"25195"});
  }

  v1::Household Create(const std::string& commune, std::vector<v1::Member> members,
                       const server::Call* who = nullptr) {
    v1::CreateHouseholdRequest req;
    req.mutable_household()->set_commune_code(commune);
    *req.mutable_household()->mutable_registered_on() = Day(2021, 3, 1);
    for (auto& m : members) *req.mutable_household()->add_members() = m;
    v1::Household out;
    absl::Status st = logic_->CreateHousehold(who ? *who : admin_, req, &out);
    EXPECT_TRUE(st.ok()) << st;
    return out;
  }

  v1::Review Review(const std::string& household, int year, int64_t income, int deprived,
                    v1::ReviewKind kind = v1::PERIODIC) {
    v1::CreateReviewRequest req;
    req.set_parent(household);
    auto* r = req.mutable_review();
    r->set_kind(kind);
    *r->mutable_review_date() = Day(year, 10, 15);
    r->set_income_per_capita_vnd(income);
    // The codes of the list year's standard: 2027-2030 keeps D01-D11 and adds D13 (waste).
    const int list_year = year + (kind == v1::PERIODIC ? 1 : 0);
    for (int i = 1; i <= 12; ++i) {
      auto* ind = r->add_indicators();
      ind->set_code(absl::StrFormat("D%02d", list_year >= 2027 && i == 12 ? 13 : i));
      ind->set_deprived(i <= deprived);
    }
    v1::Review out;
    absl::Status st = logic_->CreateReview(admin_, req, &out);
    EXPECT_TRUE(st.ok()) << st;
    return out;
  }

  // Review, submit, post on 16 Dec and recognise with a decision on 20 Dec of the year (the
  // district chair consulted on 18 Dec while that step existed, brief §2.3).
  void Classify(const std::string& household, int year, int64_t income, int deprived) {
    v1::Review r = Review(household, year, income, deprived);
    v1::SubmitReviewRequest sub;
    sub.set_name(r.name());
    ASSERT_TRUE(logic_->SubmitReview(admin_, sub, &r).ok());
    v1::PostReviewRequest post;
    post.set_name(r.name());
    *post.mutable_posted_on() = Day(year, 12, 16);
    ASSERT_TRUE(logic_->PostReview(admin_, post, &r).ok());
    v1::ApproveReviewRequest ap;
    if (year < 2025) {
      *ap.mutable_consulted_on() = Day(year, 12, 18);
      ap.set_consultation_document(absl::StrCat(year, "/UBND-huyện"));
    }
    ap.set_name(r.name());
    ap.set_decision_number(absl::StrCat("QĐ ", year, "/UBND"));
    *ap.mutable_decision_date() = Day(year, 12, 20);
    absl::Status st = logic_->ApproveReview(checker_, ap, &r);
    ASSERT_TRUE(st.ok()) << st;
  }

  FakeClock clock_{absl::FromCivil(absl::CivilSecond(2025, 12, 28, 10, 0, 0), absl::UTCTimeZone())};
  std::unique_ptr<ReferenceStore> refs_;
  std::unique_ptr<HouseholdStore> store_;
  std::unique_ptr<LocalUnitDirectory> units_;
  std::unique_ptr<scope::AreaScope> scope_;
  std::unique_ptr<HouseholdLogic> logic_;
  server::Call admin_, checker_, officer_;
};

// A household with one ethnic-minority head and, optionally, a 2024 periodic review (poor).
inline v1::HouseholdRecord Record(const std::string& ext, const std::string& commune, const std::string& cid,
                           bool with_review) {
  v1::HouseholdRecord r;
  r.set_external_id(ext);
  r.mutable_household()->set_commune_code(commune);
  *r.mutable_household()->add_members() = Person("Thị " + ext, v1::HEAD, "22", cid, v1::FEMALE);
  if (with_review) {
    auto* v = r.add_reviews();
    v->set_kind(v1::PERIODIC);
    *v->mutable_review_date() = Day(2024, 10, 1);
    v->set_income_per_capita_vnd(900000);
    for (int i = 1; i <= 12; ++i) {
      auto* ind = v->add_indicators();
      ind->set_code(absl::StrFormat("D%02d", i));
      ind->set_deprived(i <= 4);
    }
    v->set_decision_number("12/QĐ-UBND");
    *v->mutable_decision_date() = Day(2024, 12, 20);
  }
  return r;
}

class ImportTest : public HouseholdTest {
 protected:
  v1::ImportHouseholdsResponse Import(const std::string& id, const std::vector<v1::HouseholdRecord>& rows,
                                      size_t stop_after = SIZE_MAX, absl::Status* status = nullptr,
                                      const server::Call* as = nullptr) {
    size_t i = 0;
    bool sent_header = false;
    v1::ImportHouseholdsResponse resp;
    server::FunctionReader<v1::ImportHouseholdsRequest> in(
        [&](v1::ImportHouseholdsRequest* m) {
          m->Clear();
          if (!sent_header) {
            sent_header = true;
            m->set_import_id(id);
            return true;
          }
          if (i >= rows.size() || i >= stop_after) return false;
          m->set_row_number(static_cast<int64_t>(i) + 2);  // CSV line numbers
          *m->mutable_record() = rows[i++];
          return true;
        });
    absl::Status st = logic_->ImportHouseholds(as ? *as : admin_, in, &resp);
    if (status != nullptr) {
      *status = st;
    } else {
      EXPECT_TRUE(st.ok()) << st;
    }
    return resp;
  }
};

}  // namespace lnob::registry

#endif  // LNOB_TESTS_INTEGRATION_HOUSEHOLD_FIXTURE_H_
