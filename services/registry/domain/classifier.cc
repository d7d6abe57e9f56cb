#include "services/registry/domain/classifier.h"

namespace lnob::registry {

HouseholdClass Classify(int64_t income, int deprivations, AreaType area,
                        const StandardRule& standard) {
  const IncomeLine& l = standard.line(area);
  if (income <= l.line_vnd) {
    return deprivations >= standard.min_deprivations_poor ? HouseholdClass::kPoor
                                                          : HouseholdClass::kNearPoor;
  }
  if (l.middle_cap_vnd && income <= *l.middle_cap_vnd) return HouseholdClass::kMiddleIncome;
  return HouseholdClass::kNotPoor;
}

HouseholdClass ClassifyByProxyScore(int score, int deprivations, AreaType area, const StandardRule& standard) {
  const IncomeLine& l = standard.line(area);
  if (l.proxy_score_cutoff && score <= *l.proxy_score_cutoff) {
    return deprivations >= standard.min_deprivations_poor ? HouseholdClass::kPoor : HouseholdClass::kNearPoor;
  }
  return HouseholdClass::kNotPoor;
}

const StandardRule* StandardInForce(const std::vector<StandardRule>& standards,
                                    absl::CivilDay date) {
  for (const auto& s : standards) {
    if (s.valid_from <= date && date <= s.valid_to) return &s;
  }
  return nullptr;
}

const char* HouseholdClassName(HouseholdClass c) {
  switch (c) {
    case HouseholdClass::kPoor: return "POOR";
    case HouseholdClass::kNearPoor: return "NEAR_POOR";
    case HouseholdClass::kMiddleIncome: return "MIDDLE_INCOME";
    case HouseholdClass::kNotPoor: return "NOT_POOR";
  }
  return "NOT_POOR";
}

}  // namespace lnob::registry
