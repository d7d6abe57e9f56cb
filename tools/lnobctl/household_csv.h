#ifndef LNOB_TOOLS_LNOBCTL_HOUSEHOLD_CSV_H_
#define LNOB_TOOLS_LNOBCTL_HOUSEHOLD_CSV_H_

// The household CSV format of `lnobctl import/export households` (docs/household-csv.md):
// typed rows H (household), M (member), R (approved review), consecutive per household.

#include <cstdint>
#include <functional>
#include <istream>
#include <string>
#include <vector>

#include "lnob/registry/v1/households.pb.h"

namespace lnob::ctl {

const std::vector<std::string>& HouseholdCsvHeader();

class HouseholdCsvReader {
 public:
  // The indicator codes of the standard a review is scored on (that of its list year): the
  // CSV lists only the deprived ones, every other code of the standard is "not deprived".
  using IndicatorCodes = std::function<std::vector<std::string>(const registry::v1::Review&)>;

  // Without `codes`: D01..D12, the 2022-2025 set.
  explicit HouseholdCsvReader(std::istream& in, IndicatorCodes codes = nullptr) : in_(in), codes_(std::move(codes)) {}
  // Reads the header; false with *error when it is not the expected one.
  bool Start(std::string* error);
  // Next household. *row_number: line of its H row. A record that cannot be converted is
  // returned with *error set (naming line and column) so that the caller can report it.
  bool Next(registry::v1::HouseholdRecord* record, int64_t* row_number, std::string* error);
  int64_t lines_read() const { return line_no_; }

 private:
  bool ReadRow();
  std::istream& in_;
  IndicatorCodes codes_;
  std::vector<std::string> row_;
  bool have_row_ = false;
  bool eof_ = false;
  bool legacy_ = false;  // the 26-column header written before baseline_class existed
  int64_t line_no_ = 0;
};

// Rows (without header) for one record.
std::vector<std::vector<std::string>> RecordToRows(const registry::v1::HouseholdRecord& record);

struct DemoOptions {
  int64_t households = 260000;
  uint64_t seed = 47;  // KH 47/KH-BDT
  std::string id_prefix = "BP";  // external ids are <prefix>-0000001 ...
  // Commune codes of the province before 2025 with their district codes.
  std::vector<std::pair<std::string, std::string>> communes;  // (commune, district)
  std::vector<std::string> urban_communes;                    // phường / thị trấn
};

// Deterministic synthetic province: households with members and 2022-2025 reviews.
// Calls sink with each CSV row (header first).
// The villages demo households live in, the same in every commune ("Ấp 1".."Ấp 9" for Kinh
// households, "Sóc 1".."Sóc 9" for ethnic-minority ones): `lnobctl demo villages` registers them.
const std::vector<std::string>& DemoVillageNames();

// The demo generators' deterministic random numbers (splitmix64): the same seed, the same
// province.
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  uint64_t Next() {
    uint64_t z = (s_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  double Unit() { return (Next() >> 11) * (1.0 / 9007199254740992.0); }
  int Range(int lo, int hi) { return lo + static_cast<int>(Next() % static_cast<uint64_t>(hi - lo + 1)); }
  bool Chance(double p) { return Unit() < p; }
  template <typename T>
  const T& Pick(const std::vector<T>& v) { return v[Next() % v.size()]; }

 private:
  uint64_t s_;
};


void GenerateDemo(const DemoOptions& options, const std::function<void(const std::vector<std::string>&)>& sink);

}  // namespace lnob::ctl

#endif  // LNOB_TOOLS_LNOBCTL_HOUSEHOLD_CSV_H_
