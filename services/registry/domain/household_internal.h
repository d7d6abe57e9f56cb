#ifndef LNOB_SERVICES_REGISTRY_DOMAIN_HOUSEHOLD_INTERNAL_H_
#define LNOB_SERVICES_REGISTRY_DOMAIN_HOUSEHOLD_INTERNAL_H_

// Helpers shared by the files of HouseholdLogic (household_*.cc); not for other code.

#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lnob/registry/v1/households.pb.h"

namespace lnob::registry {

// "households/{h}/<kind>/{r}" -> {h, r}; INVALID_ARGUMENT naming `field` otherwise.
absl::StatusOr<std::pair<std::string, std::string>> ChildIds(absl::string_view name, absl::string_view kind,
                                                             absl::string_view field);

}  // namespace lnob::registry

#endif  // LNOB_SERVICES_REGISTRY_DOMAIN_HOUSEHOLD_INTERNAL_H_
