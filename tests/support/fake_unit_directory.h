#ifndef LNOB_TESTS_SUPPORT_FAKE_UNIT_DIRECTORY_H_
#define LNOB_TESTS_SUPPORT_FAKE_UNIT_DIRECTORY_H_

// scope::UnitDirectory in memory: a small unit tree (or any tables a test gives), and a
// switch that makes Load() UNAVAILABLE, as the registry's would be when it is down.

#include <atomic>
#include <utility>

#include "common/scope/area_scope.h"

namespace lnob::testing {

class FakeUnitDirectory : public scope::UnitDirectory {
 public:
  // Province 70; districts 689 and 688; commune 25195 under 689 and 25216 under 688; no dates.
  static scope::UnitTables SmallProvince() {
    scope::UnitTables t;
    t.units = {{"70", "province", ""}, {"689", "district", "70"}, {"688", "district", "70"},
               {"25195", "commune", "689"}, {"25216", "commune", "688"}};
    return t;
  }
  explicit FakeUnitDirectory(scope::UnitTables tables = SmallProvince()) : tables_(std::move(tables)) {}

  absl::StatusOr<scope::UnitTables> Load() override {
    if (!available_) return absl::UnavailableError("registry down");
    return tables_;
  }
  void set_available(bool a) { available_ = a; }

 private:
  scope::UnitTables tables_;
  std::atomic<bool> available_{true};
};

}  // namespace lnob::testing

#endif  // LNOB_TESTS_SUPPORT_FAKE_UNIT_DIRECTORY_H_
