#ifndef LNOB_SERVICES_REGISTRY_DOMAIN_SIMULATION_H_
#define LNOB_SERVICES_REGISTRY_DOMAIN_SIMULATION_H_

// A household's class under a standard its review was not scored on (a simulation of a
// standard before it is in force, e.g. Decree 351/2025 from 2027), honest about what the review
// does not say: an indicator of the simulated set the review did not assess, an income known
// only as a proxy score (or not at all, for an imported baseline list), a middle-income cap
// the standard does not give. Instead of a guess, the range of classes those unknowns allow:
// the best case (unknown indicators not deprived, income high) and the worst.

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "services/registry/domain/classifier.h"

namespace lnob::registry {

// What the household's latest approved review recorded.
struct ReviewFacts {
  AreaType area = AreaType::kRural;        // the area on the simulation's date
  std::optional<int64_t> income_per_capita_vnd;  // unset: not measured (a proxy score, a baseline list)
  std::optional<int> proxy_score;                // the B1 score, when income is a proxy
  std::set<std::string> assessed;                // indicator codes the review assessed
  std::set<std::string> deprived;                // of which deprived
};

struct ClassRange {
  HouseholdClass best = HouseholdClass::kNotPoor;  // the least poor class the unknowns allow
  HouseholdClass worst = HouseholdClass::kNotPoor; // the poorest
  // What was not known, in this order: "income", "middle_income_cap", then indicator codes.
  std::vector<std::string> unknown;
  bool exact() const { return best == worst; }
};

// A household whose list (poor, near-poor, neither) under a simulated standard differs from its
// list now in some case.
struct HouseholdChange {
  std::string id, commune_code, unit_code, area_type, from, best, worst;
  std::vector<std::string> unknown;  // ClassRange::unknown
};

// Fills f->assessed and f->deprived from a review's assessments as stored
// ([{"code": "D01", "deprived": true, "evidence": "..."}, ...]); anything else is skipped.
// Read by hand: a simulation reads one per household, and a general JSON parser costs more than
// the rest of the household's work.
void ReadAssessmentsJson(const std::string& json, ReviewFacts* f);

// 0 for POOR up to 3 for NOT_POOR: the order in which "worse" and "better" are meant.
int Rank(HouseholdClass c);

ClassRange ClassifyRange(const ReviewFacts& facts, const StandardRule& standard);

}  // namespace lnob::registry

#endif  // LNOB_SERVICES_REGISTRY_DOMAIN_SIMULATION_H_
