#include "services/registry/domain/personal_data.h"

#include "embedded/lnob_registry_policy.h"
#include "lnob/registry/v1/households.pb.h"
#include "lnob/registry/v1/simulation.pb.h"

namespace lnob::registry {

const PersonalDataPolicy& DefaultPersonalDataPolicy() {
  // The policy names messages of these files: their descriptors must be linked in (a binary that
  // never uses a file's messages otherwise would drop them and fail to load the policy).
  (void)v1::Household::descriptor();
  (void)v1::SimulatedHousehold::descriptor();
  static const PersonalDataPolicy* p =
      PersonalDataPolicy::OrDie(EmbeddedPolicy().at(0).content, "lnob.registry.v1", "households");
  return *p;
}

}  // namespace lnob::registry
