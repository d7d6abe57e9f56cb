// lnobctl's household CSV (docs/household-csv.md): the baseline_class column of past lists and
// files written before it existed.

#include <sstream>

#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "tools/lnobctl/household_csv.h"

namespace lnob::ctl {
namespace {

namespace v1 = ::lnob::registry::v1;

std::string Csv(const std::vector<std::vector<std::string>>& rows) {
  std::string out;
  for (const auto& r : rows) out += absl::StrJoin(r, ",") + "\n";
  return out;
}

TEST(HouseholdCsv, ABaselineListKeepsItsRecognisedClassBrief1_1) {
  v1::HouseholdRecord rec;
  rec.set_external_id("BP-1");
  rec.mutable_household()->set_commune_code("25195");
  auto* m = rec.mutable_household()->add_members();
  m->set_full_name("Thi A");
  m->set_sex(v1::FEMALE);
  m->set_ethnicity_code("16");
  m->set_relation(v1::HEAD);
  auto* r = rec.add_reviews();
  r->set_kind(v1::PERIODIC);
  r->mutable_review_date()->set_year(2020);
  r->mutable_review_date()->set_month(11);
  r->mutable_review_date()->set_day(16);
  r->set_decision_number("88/QD");
  r->set_computed_class(v1::POOR);
  r->add_caveats("BASELINE_NOT_RESCORED");  // as the registry returns a baseline review
  std::stringstream in(Csv({HouseholdCsvHeader()}) + Csv(RecordToRows(rec)));
  HouseholdCsvReader reader(in);
  std::string error;
  ASSERT_TRUE(reader.Start(&error)) << error;
  v1::HouseholdRecord back;
  int64_t line = 0;
  ASSERT_TRUE(reader.Next(&back, &line, &error));
  EXPECT_EQ(error, "");
  ASSERT_EQ(back.reviews_size(), 1);
  EXPECT_EQ(back.reviews(0).baseline_class(), v1::POOR);

  // A bad class names its column.
  auto rows = RecordToRows(rec);
  rows.back().back() = "VERY_POOR";
  std::stringstream bad(Csv({HouseholdCsvHeader()}) + Csv(rows));
  HouseholdCsvReader bad_reader(bad);
  ASSERT_TRUE(bad_reader.Start(&error));
  ASSERT_TRUE(bad_reader.Next(&back, &line, &error));
  EXPECT_NE(error.find("column baseline_class"), std::string::npos) << error;
}

TEST(HouseholdCsv, FilesWrittenBeforeBaselineClassStillRead) {
  std::vector<std::string> legacy = HouseholdCsvHeader();
  legacy.pop_back();
  std::vector<std::string> h(legacy.size()), mem(legacy.size());
  h[0] = "H";
  h[1] = "OLD-1";
  h[2] = "25195";
  mem[0] = "M";
  mem[1] = "OLD-1";
  mem[8] = "Thi B";
  mem[10] = "FEMALE";
  mem[11] = "16";
  mem[13] = "HEAD";
  std::stringstream in(Csv({legacy, h, mem}));
  HouseholdCsvReader reader(in);
  std::string error;
  ASSERT_TRUE(reader.Start(&error)) << error;
  v1::HouseholdRecord back;
  int64_t line = 0;
  ASSERT_TRUE(reader.Next(&back, &line, &error));
  EXPECT_EQ(error, "");
  EXPECT_EQ(back.household().members(0).full_name(), "Thi B");
}

}  // namespace
}  // namespace lnob::ctl
