#ifndef LNOB_SERVICES_REGISTRY_DOMAIN_HOUSEHOLD_INTERNAL_H_
#define LNOB_SERVICES_REGISTRY_DOMAIN_HOUSEHOLD_INTERNAL_H_

// Helpers shared by the files of HouseholdLogic (household_*.cc); not for other code.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "lnob/registry/v1/households.pb.h"
#include "services/registry/domain/household_rules.h"
#include "services/registry/store/household_store.h"

namespace lnob::registry {

// "households/{h}/<kind>/{r}" -> {h, r}; INVALID_ARGUMENT naming `field` otherwise.
absl::StatusOr<std::pair<std::string, std::string>> ChildIds(absl::string_view name, absl::string_view kind,
                                                             absl::string_view field);

// A date already validated (or read from the database) as a civil day.
inline absl::CivilDay Civil(const google::type::Date& d) { return absl::CivilDay(d.year(), d.month(), d.day()); }

// The district chair's consultation before recognition (QĐ 24/2021 step 5): required when the
// step is in force on the decision date, refused on a date it is not; on success it is
// recorded in `change`. Errors name fields under `prefix`.
absl::Status CheckConsultation(const std::vector<ProcedureStep>& steps, absl::CivilDay posted,
                               absl::CivilDay decided, std::optional<absl::CivilDay> consulted,
                               const std::string& document, const std::string& prefix, ReviewChange* change);

}  // namespace lnob::registry

#endif  // LNOB_SERVICES_REGISTRY_DOMAIN_HOUSEHOLD_INTERNAL_H_
