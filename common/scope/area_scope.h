#ifndef LNOB_COMMON_SCOPE_AREA_SCOPE_H_
#define LNOB_COMMON_SCOPE_AREA_SCOPE_H_

// Area scope, the one rule every service applies (docs/architecture.md, "Area scope").
//
// A token's scope names administrative units by code (none: the whole province). For a
// resource dated d (the date a question is asked about), a scope unit s covers:
//   1. every unit, of any level and any period, whose unit on a reference day of s lies under
//      s. s is read twice, as of d and as of today (the token's own present: the 2025 reform
//      reused codes, so one code can name an old and a new unit): on each, the reference day
//      is that day while s is in force, else the last day s was in force before it (a
//      pre-2025 district after the reform), else its first day after it. An old code counts
//      as the unit it continued as on the reference day, so a scope written in post-2025
//      codes covers the predecessor communes;
//   2. every commune that a covered commune continued as through the lineage (merges, splits,
//      renames), so a scope written in pre-2025 codes covers the successor communes.
// A scope unit the directory does not know covers nothing.
//
// One error rule: a resource outside the scope is NOT_FOUND, exactly like a missing one
// (CheckResource); a unit the caller names explicitly (a filter, or the unit of something
// it creates) outside the scope is PERMISSION_DENIED naming the field, reason OUT_OF_SCOPE
// (CheckFilter).

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "common/auth/principal.h"
#include "common/scope/unit_graph.h"
#include "common/util/clock.h"

namespace lnob::scope {

// Where the units and their lineage come from: the registry's tables inside the registry,
// its API elsewhere (common/peer/registry_units.h), a fake in tests.
class UnitDirectory {
 public:
  virtual ~UnitDirectory() = default;
  // Every version of every administrative unit, and the lineage. UNAVAILABLE when the
  // source cannot be reached.
  virtual absl::StatusOr<UnitTables> Load() = 0;
};

class AreaScope {
 public:
  // The directory is read again after `refresh` (units change by legal act, rarely); while
  // it cannot be read, the graph loaded last stays in use.
  AreaScope(UnitDirectory* directory, const Clock& clock, absl::Duration refresh = absl::Minutes(5));

  // The unit graph (cached).
  absl::StatusOr<std::shared_ptr<const UnitGraph>> Graph();

  // Unit codes (any level, any period) covered on `date`; nullopt: the whole province.
  absl::StatusOr<std::optional<std::set<std::string>>> Covered(const auth::Principal& p, absl::CivilDay date);
  // The same restricted to communes (what household lists filter on).
  absl::StatusOr<std::optional<std::set<std::string>>> CoveredCommunes(const auth::Principal& p,
                                                                       absl::CivilDay date);
  // What the scope rule gives for explicit scope units (e.g. a filter unit's subtree).
  absl::StatusOr<std::set<std::string>> CoveredBy(const std::vector<std::string>& units, absl::CivilDay date);
  absl::StatusOr<bool> Covers(const auth::Principal& p, const std::string& unit, absl::CivilDay date);

  // NOT_FOUND naming `resource_name` when its unit is outside the caller's scope.
  absl::Status CheckResource(const auth::Principal& p, const std::string& unit, absl::CivilDay date,
                             absl::string_view resource_name);
  // PERMISSION_DENIED naming `field` when the unit the caller gave is outside its scope.
  absl::Status CheckFilter(const auth::Principal& p, const std::string& unit, absl::CivilDay date,
                           absl::string_view field);
  // The error CheckFilter returns, for callers that intersect a filter wider than the scope
  // with it and find nothing in common.
  static absl::Status FilterOutOfScope(absl::string_view field, const std::string& unit);

 private:
  UnitDirectory* directory_;
  const Clock& clock_;
  absl::Duration refresh_;
  std::mutex mu_;
  std::shared_ptr<const UnitGraph> graph_;
  absl::Time loaded_ = absl::InfinitePast();
  // (sorted scope units, date) -> covered codes, for the current graph.
  std::map<std::pair<std::string, absl::CivilDay>, std::shared_ptr<const std::set<std::string>>> covered_;
};

}  // namespace lnob::scope

#endif  // LNOB_COMMON_SCOPE_AREA_SCOPE_H_
