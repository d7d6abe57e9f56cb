#ifndef LNOB_COMMON_SCOPE_UNIT_GRAPH_H_
#define LNOB_COMMON_SCOPE_UNIT_GRAPH_H_

// In-memory view of the administrative units (every version) and their lineage, for the
// questions asked on every call: which units lie under a unit on a date (old or new
// geography), and which unit an old code stands for on a date. A few hundred rows.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"

namespace lnob::scope {

// One version of an administrative unit (the registry's adminUnits as of its dates).
struct UnitVersion {
  std::string code;
  std::string level;  // province | district | commune
  std::string parent_code;
  std::optional<absl::CivilDay> valid_from;  // unset: before the data's horizon
  std::optional<absl::CivilDay> valid_to;    // unset: still in force
  std::string area_type;                     // RURAL / URBAN default of households there
  bool confirmed = true;                     // false: from an unverified source (PROVENANCE.md)
  std::string name;                          // official full name (reports print it)
};

// A lineage step (merge, split, rename): old_code continued as new_code from effective_date.
struct Succession {
  std::string old_code;
  std::string new_code;
  absl::CivilDay effective_date;
};

struct UnitTables {
  std::vector<UnitVersion> units;
  std::vector<Succession> lineage;
};

class UnitGraph {
 public:
  explicit UnitGraph(UnitTables tables);

  // The version of `code` in force on `date`, or nullptr.
  const UnitVersion* Find(const std::string& code, absl::CivilDay date) const;
  // True when `code` has any version at all.
  bool Known(const std::string& code) const { return versions_.count(code) > 0; }
  // True when some version of `code` is a commune.
  bool IsCommune(const std::string& code) const;
  // The day the unit's geography is read for a scope on `date`: `date` while it is in force,
  // else the last day it was in force before `date`, else its first day after `date`.
  std::optional<absl::CivilDay> ReferenceDay(const std::string& code, absl::CivilDay date) const;
  // The code itself while in force; else its successor through the lineage (the lowest code
  // for a split); the code itself when nothing succeeds it.
  std::string UnitOn(const std::string& code, absl::CivilDay date) const;
  // The area type (RURAL/URBAN) of households living in `code` on `date`: that of the unit in
  // force there (through the lineage when `code` was retired), ignoring unconfirmed versions,
  // which never switch a household's area (the last confirmed version counts). "" if unknown.
  std::string AreaTypeOn(const std::string& code, absl::CivilDay date) const;
  // unit == ancestor or ancestor is on unit's parent chain on `date`.
  bool Within(const std::string& unit, const std::string& ancestor, absl::CivilDay date) const;
  // Commune codes of any period whose unit on `date` lies within `ancestor` (all when empty).
  std::vector<std::string> CommunesUnder(const std::string& ancestor, absl::CivilDay date) const;
  // Codes of any level and period whose unit on `date` lies within `ancestor`.
  std::vector<std::string> UnitsUnder(const std::string& ancestor, absl::CivilDay date) const;
  // The units whose parent on `date` is `parent`.
  std::vector<std::string> ChildrenOf(const std::string& parent, absl::CivilDay date) const;
  // The unit without a parent above `code` (its successor's, when retired) on `date`: the
  // province. The chain stops at a unit not in force then.
  std::string Top(const std::string& code, absl::CivilDay date) const;
  // Every code `code` continued as through the lineage, transitively (not `code` itself).
  std::vector<std::string> Successors(const std::string& code) const;

 private:
  std::map<std::string, std::vector<UnitVersion>> versions_;
  std::map<std::string, std::vector<Succession>> successors_;
};

}  // namespace lnob::scope

#endif  // LNOB_COMMON_SCOPE_UNIT_GRAPH_H_
