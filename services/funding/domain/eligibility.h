#ifndef LNOB_SERVICES_FUNDING_DOMAIN_ELIGIBILITY_H_
#define LNOB_SERVICES_FUNDING_DOMAIN_ELIGIBILITY_H_

// Who a programme node may support (brief §3.1-3.3; table node_eligibility): pure rules, no I/O.

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "services/funding/domain/registry_client.h"

namespace lnob::funding {

struct EligibilityRule {
  std::string node_code;  // the node the rule is written on (the node itself or its programme)
  int rule_no = 0;
  std::set<std::string> classes;       // empty: any class
  std::optional<bool> ethnic_minority;  // unset: any head
  std::set<std::string> area_classes;  // empty: any area
  std::string description, legal_doc;
  bool confirmed = true;
};

// True when the household (facts on the support date) satisfies every condition of the rule.
bool RuleMatches(const EligibilityRule& rule, const HouseholdFact& fact);

// "" when a rule matches (or there is none), with *basis naming it; otherwise why none does.
std::string Ineligibility(const std::vector<EligibilityRule>& rules, const HouseholdFact& fact, std::string* basis);

}  // namespace lnob::funding

#endif  // LNOB_SERVICES_FUNDING_DOMAIN_ELIGIBILITY_H_
