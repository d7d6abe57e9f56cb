#ifndef LNOB_SERVICES_REGISTRY_DOMAIN_CLASSIFIER_H_
#define LNOB_SERVICES_REGISTRY_DOMAIN_CLASSIFIER_H_

// The multidimensional poverty rule (NĐ 07/2021 Art. 3(2); same structure in NĐ 351/2025):
//   income <= line AND deprivations >= min  -> POOR
//   income <= line AND deprivations <  min  -> NEAR_POOR (includes 0 deprivations)
//   line < income <= middle-income cap      -> MIDDLE_INCOME (when the cap is known)
//   otherwise                               -> NOT_POOR
// Thresholds are data (StandardRule), never constants here.

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"

namespace lnob::registry {

enum class AreaType { kRural, kUrban };
enum class HouseholdClass { kPoor, kNearPoor, kMiddleIncome, kNotPoor };

struct IncomeLine {
  int64_t line_vnd = 0;                    // per person per month
  std::optional<int64_t> middle_cap_vnd;   // unset when not known
  std::optional<int> proxy_score_cutoff;   // B1 score at/below which income counts as at/below the line
  bool proxy_score_confirmed = false;      // false: the cut-off comes from an unverified source
};

struct StandardRule {
  std::string id;
  absl::CivilDay valid_from;
  absl::CivilDay valid_to;  // inclusive
  int min_deprivations_poor = 3;
  bool scored = true;  // false: the registry does not score this rule (baseline lists only)
  IncomeLine rural;
  IncomeLine urban;
  std::set<std::string> indicator_codes;

  const IncomeLine& line(AreaType a) const { return a == AreaType::kRural ? rural : urban; }
};

HouseholdClass Classify(int64_t income_per_capita_vnd, int deprivations, AreaType area,
                        const StandardRule& standard);

// The same rule with a proxy-income score in place of income: score <= cut-off stands for
// income <= line. Middle income cannot be told from a score, so above the cut-off is NOT_POOR.
// The cut-off must be configured (line(area).proxy_score_cutoff).
HouseholdClass ClassifyByProxyScore(int score, int deprivations, AreaType area, const StandardRule& standard);

// The standard in force on a date, or nullptr.
const StandardRule* StandardInForce(const std::vector<StandardRule>& standards,
                                    absl::CivilDay date);

const char* HouseholdClassName(HouseholdClass c);

}  // namespace lnob::registry

#endif  // LNOB_SERVICES_REGISTRY_DOMAIN_CLASSIFIER_H_
