#include "services/funding/domain/eligibility.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace lnob::funding {

bool RuleMatches(const EligibilityRule& rule, const HouseholdFact& fact) {
  if (!rule.classes.empty() && !rule.classes.count(fact.classification)) return false;
  if (rule.ethnic_minority && *rule.ethnic_minority != fact.ethnic_minority) return false;
  if (!rule.area_classes.empty()) {
    bool any = false;
    for (const auto& a : fact.region_classes) any |= rule.area_classes.count(a) > 0;
    if (!any) return false;
  }
  return true;
}

std::string Ineligibility(const std::vector<EligibilityRule>& rules, const HouseholdFact& fact, std::string* basis) {
  if (rules.empty()) return "";
  std::vector<std::string> wanted;
  for (const auto& r : rules) {
    if (RuleMatches(r, fact)) {
      *basis = absl::StrCat(r.node_code, " rule ", r.rule_no, ": ", r.description, " (", r.legal_doc,
                            r.confirmed ? "" : "; UNCONFIRMED", ")");
      return "";
    }
    wanted.push_back(r.description);
  }
  return absl::StrCat(rules.front().node_code, " supports ", absl::StrJoin(wanted, "; or "), "; the household is ",
                      fact.classification.empty() ? "unclassified" : fact.classification,
                      fact.ethnic_minority ? ", ethnic-minority head" : ", majority-group head",
                      fact.region_classes.empty() ? ", in no classified area"
                                                  : absl::StrCat(", area ", absl::StrJoin(fact.region_classes, "/")),
                      " on the support date");
}

}  // namespace lnob::funding
