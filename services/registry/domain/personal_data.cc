#include "services/registry/domain/personal_data.h"

#include "embedded/lnob_registry_policy.h"

namespace lnob::registry {

const PersonalDataPolicy& DefaultPersonalDataPolicy() {
  static const PersonalDataPolicy* p =
      PersonalDataPolicy::OrDie(EmbeddedPolicy().at(0).content, "lnob.registry.v1", "households");
  return *p;
}

}  // namespace lnob::registry
