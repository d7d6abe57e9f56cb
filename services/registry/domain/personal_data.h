#ifndef LNOB_SERVICES_REGISTRY_DOMAIN_PERSONAL_DATA_H_
#define LNOB_SERVICES_REGISTRY_DOMAIN_PERSONAL_DATA_H_

// The registry's personal-data policy (services/registry/policy/personal_data.json), whose
// subjects are households.

#include "common/privacy/personal_data.h"

namespace lnob::registry {

using privacy::Disclosure;
using privacy::PersonalDataPolicy;

// The compiled-in policy; a broken one aborts at first use (a start-up error).
const PersonalDataPolicy& DefaultPersonalDataPolicy();

}  // namespace lnob::registry

#endif  // LNOB_SERVICES_REGISTRY_DOMAIN_PERSONAL_DATA_H_
