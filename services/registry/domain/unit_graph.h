#ifndef LNOB_SERVICES_REGISTRY_DOMAIN_UNIT_GRAPH_H_
#define LNOB_SERVICES_REGISTRY_DOMAIN_UNIT_GRAPH_H_

// In-memory view of the administrative units and their lineage, for the questions asked on
// every household call: which communes lie under a unit on a date (old or new geography),
// and which unit an old code stands for on a date. A few hundred rows; rebuilt when stale.

#include <map>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "services/registry/domain/refdata.h"

namespace lnob::registry {

class UnitGraph {
 public:
  UnitGraph(std::vector<UnitVersion> units, std::vector<LineageRow> lineage);

  // The version of `code` in force on `date`, or nullptr.
  const UnitVersion* Find(const std::string& code, absl::CivilDay date) const;
  // The code itself while in force; else its successor through the lineage (the lowest code
  // for a split); the code itself when nothing succeeds it.
  std::string UnitOn(const std::string& code, absl::CivilDay date) const;
  // unit == ancestor or ancestor is on unit's parent chain on `date`.
  bool Within(const std::string& unit, const std::string& ancestor, absl::CivilDay date) const;
  // Commune codes of any period whose unit on `date` lies within `ancestor` (all when empty).
  std::vector<std::string> CommunesUnder(const std::string& ancestor, absl::CivilDay date) const;

 private:
  std::map<std::string, std::vector<UnitVersion>> versions_;
  std::map<std::string, std::vector<LineageRow>> successors_;
};

}  // namespace lnob::registry

#endif  // LNOB_SERVICES_REGISTRY_DOMAIN_UNIT_GRAPH_H_
