#include "tools/lnobctl/household_csv.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/api/proto_date.h"
#include "common/util/csv.h"
#include "common/util/date.h"

namespace lnob::ctl {
namespace v1 = ::lnob::registry::v1;
namespace {

enum Col {
  kType, kExternalId, kCommune, kVillage, kAddress, kRegisteredOn, kNoLabor, kPolicy,
  kFullName, kBirthDate, kSex, kEthnicity, kCitizenId, kRelation, kWorking, kInsurance,
  kSchool, kEducation, kDisability, kReviewKind, kReviewDate, kIncome, kDeprived,
  kDecisionNumber, kDecisionDate, kProxyScore, kBaselineClass, kColumns
};

bool ParseBool(const std::string& s, bool* out) {
  if (s.empty() || s == "0" || s == "false") *out = false;
  else if (s == "1" || s == "true") *out = true;
  else return false;
  return true;
}

bool ParseDay(const std::string& s, google::type::Date* out) {
  if (s.empty()) return true;
  auto d = ParseDate(s);
  if (!d.ok()) return false;
  *out = api::ToProtoDate(*d);
  return true;
}


}  // namespace

const std::vector<std::string>& HouseholdCsvHeader() {
  static const auto* h = new std::vector<std::string>{
      "type", "external_id", "commune_code", "village", "address", "registered_on", "no_labor_capacity",
      "policy_beneficiary", "full_name", "birth_date", "sex", "ethnicity_code", "citizen_id", "relation",
      "working_capacity", "health_insurance", "attending_school", "education_level", "disability",
      "review_kind", "review_date", "income_per_capita_vnd", "deprived_indicators", "decision_number",
      "decision_date", "proxy_score", "baseline_class"};
  return *h;
}

bool HouseholdCsvReader::ReadRow() {
  have_row_ = csv::ReadRecord(in_, &row_, &line_no_);
  if (!have_row_) eof_ = true;
  if (have_row_ && legacy_ && row_.size() == kColumns - 1) row_.emplace_back();
  return have_row_;
}

bool HouseholdCsvReader::Start(std::string* error) {
  if (ReadRow() && row_.size() == kColumns - 1 &&
      std::equal(row_.begin(), row_.end(), HouseholdCsvHeader().begin())) {
    legacy_ = true;  // files written before baseline_class: read as if it were empty
    row_ = HouseholdCsvHeader();
  }
  if (!have_row_ || row_ != HouseholdCsvHeader()) {
    *error = absl::StrCat("line 1: expected the header ", absl::StrJoin(HouseholdCsvHeader(), ","));
    return false;
  }
  ReadRow();
  return true;
}

bool HouseholdCsvReader::Next(v1::HouseholdRecord* rec, int64_t* row_number, std::string* error) {
  rec->Clear();
  error->clear();
  while (have_row_ && !(row_.size() == kColumns && row_[kType] == "H")) {
    if (error->empty()) {
      *row_number = line_no_;
      *error = row_.size() != kColumns
                   ? absl::StrCat("line ", line_no_, ": expected ", static_cast<int>(kColumns), " columns, got ", row_.size())
                   : absl::StrCat("line ", line_no_, ": column type: a household starts with an H row");
    }
    ReadRow();
  }
  if (!error->empty()) return true;  // report the stray rows once, as one failed record
  if (!have_row_) return false;
  *row_number = line_no_;
  auto fail = [&](const char* column, const std::string& what) {
    if (error->empty()) *error = absl::StrCat("line ", line_no_, ": column ", column, ": ", what);
  };
  const std::vector<std::string> h = row_;
  rec->set_external_id(h[kExternalId]);
  auto* hh = rec->mutable_household();
  hh->set_commune_code(h[kCommune]);
  hh->set_village(h[kVillage]);
  hh->set_address(h[kAddress]);
  bool b = false;
  if (!ParseDay(h[kRegisteredOn], hh->mutable_registered_on())) fail("registered_on", "expected YYYY-MM-DD");
  if (!ParseBool(h[kNoLabor], &b)) fail("no_labor_capacity", "expected 0 or 1");
  hh->set_no_labor_capacity(b);
  if (!ParseBool(h[kPolicy], &b)) fail("policy_beneficiary", "expected 0 or 1");
  hh->set_policy_beneficiary(b);
  while (ReadRow() && row_.size() == kColumns && row_[kType] != "H") {
    const auto& r = row_;
    if (r[kExternalId] != h[kExternalId]) {
      fail("external_id", "differs from the household's H row");
      continue;
    }
    if (r[kType] == "M") {
      auto* m = hh->add_members();
      m->set_full_name(r[kFullName]);
      if (!ParseDay(r[kBirthDate], m->mutable_birth_date())) fail("birth_date", "expected YYYY-MM-DD");
      v1::Sex sex = v1::SEX_UNSPECIFIED;
      if (!r[kSex].empty() && !v1::Sex_Parse(r[kSex], &sex)) fail("sex", "expected MALE or FEMALE");
      m->set_sex(sex);
      m->set_ethnicity_code(r[kEthnicity]);
      m->set_citizen_id(r[kCitizenId]);
      v1::Relation rel = v1::RELATION_UNSPECIFIED;
      if (!v1::Relation_Parse(r[kRelation], &rel)) fail("relation", "expected HEAD, SPOUSE, CHILD, ...");
      m->set_relation(rel);
      if (!ParseBool(r[kWorking], &b)) fail("working_capacity", "expected 0 or 1");
      m->set_working_capacity(b);
      if (!ParseBool(r[kInsurance], &b)) fail("health_insurance", "expected 0 or 1");
      m->set_health_insurance(b);
      if (!ParseBool(r[kSchool], &b)) fail("attending_school", "expected 0 or 1");
      m->set_attending_school(b);
      v1::EducationLevel edu = v1::EDUCATION_LEVEL_UNSPECIFIED;
      if (!r[kEducation].empty() && !v1::EducationLevel_Parse(r[kEducation], &edu)) fail("education_level", "unknown level");
      m->set_education_level(edu);
      if (!ParseBool(r[kDisability], &b)) fail("disability", "expected 0 or 1");
      m->set_disability(b);
    } else if (r[kType] == "R") {
      auto* v = rec->add_reviews();
      v1::ReviewKind kind = v1::REVIEW_KIND_UNSPECIFIED;
      if (!v1::ReviewKind_Parse(r[kReviewKind], &kind)) fail("review_kind", "expected PERIODIC or ONGOING");
      v->set_kind(kind);
      if (!ParseDay(r[kReviewDate], v->mutable_review_date())) fail("review_date", "expected YYYY-MM-DD");
      int64_t income = 0;
      if (!r[kIncome].empty() && !absl::SimpleAtoi(r[kIncome], &income)) fail("income_per_capita_vnd", "expected an integer");
      v->set_income_per_capita_vnd(income);
      if (!r[kProxyScore].empty()) {
        int score = 0;
        if (!absl::SimpleAtoi(r[kProxyScore], &score)) fail("proxy_score", "expected an integer");
        v->set_proxy_score(score);
      }
      std::set<std::string> deprived;
      for (absl::string_view code : absl::StrSplit(r[kDeprived], ';', absl::SkipEmpty())) deprived.insert(std::string(code));
      std::vector<std::string> codes;
      if (codes_) codes = codes_(*v);
      if (codes.empty()) {
        for (int i = 1; i <= 12; ++i) codes.push_back(absl::StrFormat("D%02d", i));
      }
      for (const auto& code : codes) {
        auto* ind = v->add_indicators();
        ind->set_code(code);
        ind->set_deprived(deprived.erase(code) > 0);
      }
      if (!deprived.empty()) fail("deprived_indicators", absl::StrCat("unknown code ", *deprived.begin()));
      v->set_decision_number(r[kDecisionNumber]);
      if (!ParseDay(r[kDecisionDate], v->mutable_decision_date())) fail("decision_date", "expected YYYY-MM-DD");
      if (!r[kBaselineClass].empty()) {
        v1::HouseholdClass cls = v1::HOUSEHOLD_CLASS_UNSPECIFIED;
        if (!v1::HouseholdClass_Parse(r[kBaselineClass], &cls) || cls == v1::HOUSEHOLD_CLASS_UNSPECIFIED) {
          fail("baseline_class", "expected POOR, NEAR_POOR, MIDDLE_INCOME or NOT_POOR");
        }
        v->set_baseline_class(cls);
      }
    } else {
      fail("type", "expected H, M or R");
    }
  }
  if (have_row_ && row_.size() != kColumns) {
    // A malformed row after the household: it becomes the next (failed) record.
  }
  return true;
}

std::vector<std::vector<std::string>> RecordToRows(const v1::HouseholdRecord& rec) {
  std::vector<std::vector<std::string>> rows;
  const auto& h = rec.household();
  std::string ext = rec.external_id().empty() ? h.name() : rec.external_id();
  std::vector<std::string> hr(kColumns);
  hr[kType] = "H";
  hr[kExternalId] = ext;
  hr[kCommune] = h.commune_code();
  hr[kVillage] = h.village();
  hr[kAddress] = h.address();
  hr[kRegisteredOn] = api::ProtoDateText(h.registered_on());
  hr[kNoLabor] = h.no_labor_capacity() ? "1" : "0";
  hr[kPolicy] = h.policy_beneficiary() ? "1" : "0";
  rows.push_back(hr);
  for (const auto& m : h.members()) {
    std::vector<std::string> r(kColumns);
    r[kType] = "M";
    r[kExternalId] = ext;
    r[kFullName] = m.full_name();
    r[kBirthDate] = api::ProtoDateText(m.birth_date());
    r[kSex] = v1::Sex_Name(m.sex());
    r[kEthnicity] = m.ethnicity_code();
    r[kCitizenId] = m.citizen_id();
    r[kRelation] = v1::Relation_Name(m.relation());
    r[kWorking] = m.working_capacity() ? "1" : "0";
    r[kInsurance] = m.health_insurance() ? "1" : "0";
    r[kSchool] = m.attending_school() ? "1" : "0";
    r[kEducation] = m.education_level() == v1::EDUCATION_LEVEL_UNSPECIFIED ? "" : v1::EducationLevel_Name(m.education_level());
    r[kDisability] = m.disability() ? "1" : "0";
    rows.push_back(std::move(r));
  }
  for (const auto& v : rec.reviews()) {
    std::vector<std::string> r(kColumns);
    r[kType] = "R";
    r[kExternalId] = ext;
    r[kReviewKind] = v1::ReviewKind_Name(v.kind());
    r[kReviewDate] = api::ProtoDateText(v.review_date());
    r[kIncome] = absl::StrCat(v.income_per_capita_vnd());
    std::vector<std::string> codes;
    for (const auto& i : v.indicators()) {
      if (i.deprived()) codes.push_back(i.code());
    }
    r[kDeprived] = absl::StrJoin(codes, ";");
    r[kDecisionNumber] = v.decision_number();
    r[kDecisionDate] = api::ProtoDateText(v.decision_date());
    if (v.has_proxy_score()) r[kProxyScore] = absl::StrCat(v.proxy_score());
    for (const auto& c : v.caveats()) {
      if (c == "BASELINE_NOT_RESCORED") r[kBaselineClass] = v1::HouseholdClass_Name(v.computed_class());
    }
    rows.push_back(std::move(r));
  }
  return rows;
}

// ---- demo generator -------------------------------------------------------------------

namespace {

// SplitMix64: tiny, portable, deterministic on every platform (unlike std distributions).

struct Weighted {
  std::string value;
  double weight;
};

const std::string& PickWeighted(Rng& rng, const std::vector<Weighted>& items) {
  double total = 0;
  for (const auto& i : items) total += i.weight;
  double x = rng.Unit() * total;
  for (const auto& i : items) {
    if ((x -= i.weight) < 0) return i.value;
  }
  return items.back().value;
}

// Ethnic-minority groups named for the province (BRIEF §4.1), QĐ 1019 codes; weights are
// illustrative (per-group figures are UNCONFIRMED).
const std::vector<Weighted>& EmGroups() {
  static const auto* g = new std::vector<Weighted>{
      {"22", 40}, {"20", 12}, {"05", 10}, {"28", 4}, {"02", 9}, {"07", 10},
      {"03", 3},  {"04", 3},  {"09", 3},  {"06", 4}, {"14", 1}, {"08", 1}};
  return *g;
}

const std::vector<std::string> kKinhFamily = {"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ",
                                              "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"};
const std::vector<std::string> kMaleMiddle = {"Văn", "Đức", "Minh", "Quốc", "Hữu", "Thanh"};
const std::vector<std::string> kFemaleMiddle = {"Thị", "Ngọc", "Thu", "Thanh", "Mỹ"};
const std::vector<std::string> kMaleGiven = {"An", "Bình", "Cường", "Dũng", "Hải", "Hùng", "Khoa", "Long", "Nam",
                                             "Phúc", "Quang", "Sơn", "Tài", "Thắng", "Trung", "Tuấn", "Việt"};
const std::vector<std::string> kFemaleGiven = {"Anh", "Chi", "Dung", "Hà", "Hạnh", "Hoa", "Hương", "Lan", "Linh",
                                               "Mai", "Nga", "Nhung", "Phương", "Thảo", "Trang", "Vy", "Yến"};
// Minority names as commonly written in the province's records (Điểu for S'tiêng, K'/Y/H'
// prefixes for M'nông and others, Khmer family names Thạch, Danh, Lâm).
const std::vector<std::string> kEmFamily = {"Điểu", "Điểu", "Thị", "K'", "Y", "H'", "Thạch", "Danh", "Lâm", "Lý"};
const std::vector<std::string> kEmGiven = {"Lanh", "Bré", "Srê", "Bình", "Ken", "Mai", "Sơn", "Phước", "Tâm",
                                           "Xuân", "Thương", "Đông", "Liên", "Hồng", "Nhơn", "Brên"};

std::string Name(Rng& rng, bool em, bool female) {
  if (em) {
    const std::string& fam = rng.Pick(kEmFamily);
    const std::string& given = rng.Pick(kEmGiven);
    if (fam.back() == '\'') return fam + given;
    return absl::StrCat(fam, female ? " Thị " : " ", given);
  }
  return absl::StrCat(rng.Pick(kKinhFamily), " ", rng.Pick(female ? kFemaleMiddle : kMaleMiddle), " ",
                      rng.Pick(female ? kFemaleGiven : kMaleGiven));
}

}  // namespace

const std::vector<std::string>& DemoVillageNames() {
  static const std::vector<std::string> kNames = [] {
    std::vector<std::string> names;
    for (const char* prefix : {"Ấp ", "Sóc "}) {
      for (int i = 1; i <= 9; ++i) names.push_back(absl::StrCat(prefix, i));
    }
    return names;
  }();
  return kNames;
}

void GenerateDemo(const DemoOptions& o, const std::function<void(const std::vector<std::string>&)>& sink) {
  Rng rng(o.seed);
  sink(HouseholdCsvHeader());
  static const std::set<std::string> kEmDistricts = {"691", "692", "693", "694", "695", "696", "698"};
  std::set<std::string> urban(o.urban_communes.begin(), o.urban_communes.end());
  std::map<std::string, int> serials;  // (province, century/sex, yy) -> next serial
  const std::vector<Weighted> sizes = {{"1", 8}, {"2", 15}, {"3", 22}, {"4", 25}, {"5", 15}, {"6", 9}, {"7", 4}, {"8", 2}};
  for (int64_t n = 0; n < o.households; ++n) {
    const auto& [commune, district] = o.communes[rng.Next() % o.communes.size()];
    const bool em = rng.Chance(kEmDistricts.count(district) ? 0.34 : 0.07);
    const std::string eth = em ? PickWeighted(rng, EmGroups()) : "01";
    const bool is_urban = urban.count(commune) > 0;
    const std::string ext = absl::StrFormat("%s-%07d", o.id_prefix, n + 1);
    std::vector<std::string> h(kColumns);
    h[kType] = "H";
    h[kExternalId] = ext;
    h[kCommune] = commune;
    h[kVillage] = DemoVillageNames()[(em ? 9 : 0) + rng.Range(1, 9) - 1];
    h[kAddress] = absl::StrCat("Tổ ", rng.Range(1, 20));
    h[kRegisteredOn] = absl::StrFormat("2021-%02d-%02d", rng.Range(1, 12), rng.Range(1, 28));
    const bool no_labor = rng.Chance(0.004);
    h[kNoLabor] = no_labor ? "1" : "0";
    h[kPolicy] = rng.Chance(0.02) ? "1" : "0";
    sink(h);
    int size = 0;
    (void)absl::SimpleAtoi(PickWeighted(rng, sizes), &size);
    const int head_age = rng.Range(24, 75);
    const bool head_female = rng.Chance(0.3);
    for (int i = 0; i < size; ++i) {
      int age;
      bool female;
      std::string rel;
      if (i == 0) {
        age = head_age, female = head_female, rel = "HEAD";
      } else if (i == 1 && size > 2) {
        age = std::max(18, head_age + rng.Range(-6, 4)), female = !head_female, rel = "SPOUSE";
      } else if (i == size - 1 && size >= 5 && head_age < 55) {
        age = std::min(95, head_age + rng.Range(20, 30)), female = rng.Chance(0.6), rel = "PARENT";
      } else {
        age = std::max(0, std::min(head_age - 18, rng.Range(0, 25))), female = rng.Chance(0.5), rel = "CHILD";
      }
      const int year = 2024 - age;
      std::vector<std::string> m(kColumns);
      m[kType] = "M";
      m[kExternalId] = ext;
      m[kFullName] = Name(rng, em, female);
      m[kBirthDate] = absl::StrFormat("%04d-%02d-%02d", year, rng.Range(1, 12), rng.Range(1, 28));
      m[kSex] = female ? "FEMALE" : "MALE";
      m[kEthnicity] = (i > 0 && em && rng.Chance(0.05)) ? "01" : eth;
      if (age >= 14) {
        const std::string province = rng.Chance(0.85) ? "070" : absl::StrFormat("%03d", rng.Range(1, 96));
        const int cs = (year >= 2000 ? 2 : 0) + (female ? 1 : 0);
        const std::string key = absl::StrCat(province, cs, year % 100);
        const int serial = serials[key]++;
        m[kCitizenId] = absl::StrFormat("%s%d%02d%06d", province, cs, year % 100, serial);
      }
      m[kRelation] = rel;
      m[kWorking] = (no_labor || age < 15 || age > 70) ? "0" : "1";
      m[kInsurance] = rng.Chance(em ? 0.85 : 0.93) ? "1" : "0";
      m[kSchool] = (age >= 6 && age <= 18 && rng.Chance(0.92)) ? "1" : "0";
      m[kEducation] = age < 6 ? "NONE" : age < 11 ? "PRIMARY" : age < 15 ? "LOWER_SECONDARY" : (rng.Chance(0.45) ? "UPPER_SECONDARY" : "LOWER_SECONDARY");
      m[kDisability] = rng.Chance(0.02) ? "1" : "0";
      sink(m);
    }
    // Poverty history 2022-2025 as a yearly Markov chain; reviews only for households that
    // are on (or leave) the commune's lists.
    std::string state = "NOT_POOR";
    const double p_poor0 = em ? 0.10 : 0.018, p_near0 = em ? 0.08 : 0.023;
    const double u0 = rng.Unit();
    if (u0 < p_poor0) state = "POOR";
    else if (u0 < p_poor0 + p_near0) state = "NEAR_POOR";
    std::string prev = "";
    for (int year = 2022; year <= 2025; ++year) {
      if (year > 2022) {
        const double u = rng.Unit();
        if (state == "POOR") state = u < 0.50 ? "POOR" : u < 0.75 ? "NEAR_POOR" : "NOT_POOR";
        else if (state == "NEAR_POOR") state = u < 0.08 ? "POOR" : u < 0.58 ? "NEAR_POOR" : "NOT_POOR";
        else state = u < (em ? 0.006 : 0.001) ? "POOR" : u < (em ? 0.016 : 0.004) ? "NEAR_POOR" : "NOT_POOR";
      }
      const bool listed = state != "NOT_POOR";
      const bool leaving = !listed && (prev == "POOR" || prev == "NEAR_POOR");
      if (listed || leaving) {
        const int64_t line = is_urban ? 2000000 : 1500000;
        int64_t income;
        int deprived;
        if (state == "POOR") income = line - rng.Range(0, 900) * 1000, deprived = rng.Range(3, 7);
        else if (state == "NEAR_POOR") income = line - rng.Range(0, 500) * 1000, deprived = rng.Range(0, 2);
        else income = line + rng.Range(1, 1500) * 1000, deprived = rng.Range(0, 3);
        std::vector<std::string> codes;
        for (int i = 1; i <= 12 && static_cast<int>(codes.size()) < deprived; ++i) {
          if (rng.Chance(0.5) || 12 - i < deprived - static_cast<int>(codes.size())) codes.push_back(absl::StrFormat("D%02d", i));
        }
        std::vector<std::string> r(kColumns);
        r[kType] = "R";
        r[kExternalId] = ext;
        r[kReviewKind] = "PERIODIC";
        r[kReviewDate] = absl::StrFormat("%04d-%02d-%02d", year, rng.Range(9, 11), rng.Range(1, 28));
        r[kIncome] = absl::StrCat(income);
        r[kDeprived] = absl::StrJoin(codes, ";");
        r[kDecisionNumber] = absl::StrFormat("%d/QĐ-UBND", rng.Range(100, 999));
        r[kDecisionDate] = absl::StrFormat("%04d-12-%02d", year, rng.Range(15, 28));
        sink(r);
      }
      prev = state;
    }
  }
}

}  // namespace lnob::ctl
