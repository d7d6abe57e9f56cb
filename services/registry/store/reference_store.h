#ifndef LNOB_SERVICES_REGISTRY_STORE_REFERENCE_STORE_H_
#define LNOB_SERVICES_REGISTRY_STORE_REFERENCE_STORE_H_

// Storage boundary of the registry's reference data. The PostgreSQL implementation is
// pg_reference_store.cc (the only registry code that includes libpqxx).

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/auth/principal.h"
#include "common/db/idempotency_key.h"
#include "lnob/registry/v1/reference_data.pb.h"
#include "services/registry/domain/refdata.h"

namespace lnob::registry {

namespace v1 = ::lnob::registry::v1;

struct UnitQuery {
  absl::CivilDay as_of;
  std::string parent_code;
  std::string level;       // "" = any
  std::string after_code;  // keyset cursor
  int limit = 100;
};

struct AreaClassificationQuery {
  std::optional<absl::CivilDay> as_of;
  std::string region;  // "" = any
  std::string unit_code;
  int64_t after_id = 0;
  int limit = 100;
  // Only rows of these units (the caller's area scope); nullopt: any unit.
  std::optional<std::vector<std::string>> units;
};

struct VillageQuery {
  std::optional<std::vector<std::string>> communes;  // nullopt: any
  std::optional<absl::CivilDay> as_of;               // nullopt: every period
  std::string name_query;                            // folded in SQL (fold_name)
  std::string exact_name;                            // folded equality, when set
  std::string after_id;
  int limit = 100;
};

using IdempotencyKey = db::IdempotencyKey;

struct LoadReport {
  int units_inserted = 0;
  int lineage_inserted = 0;
  int ethnic_groups_inserted = 0;
  bool unchanged = false;
};

class ReferenceStore {
 public:
  virtual ~ReferenceStore() = default;

  virtual absl::StatusOr<v1::AdminUnit> GetUnit(const std::string& code, absl::CivilDay as_of) = 0;
  virtual absl::StatusOr<std::vector<v1::AdminUnit>> ListUnits(const UnitQuery& q) = 0;
  // Events where code is the old (as_old) or the new unit, effective on or before `until`.
  virtual absl::StatusOr<std::vector<v1::LineageEvent>> LineageOf(const std::string& code,
                                                                  bool as_old,
                                                                  absl::CivilDay until) = 0;
  virtual absl::StatusOr<std::vector<v1::LineageEvent>> ListLineage(const std::string& code,
                                                                    int64_t after_id, int limit,
                                                                    std::vector<int64_t>* ids) = 0;
  virtual absl::StatusOr<bool> IsWithin(const std::string& unit, const std::string& ancestor,
                                        absl::CivilDay as_of) = 0;

  virtual absl::StatusOr<v1::AreaClassification> GetAreaClassification(int64_t id) = 0;
  virtual absl::StatusOr<std::vector<v1::AreaClassification>> ListAreaClassifications(
      const AreaClassificationQuery& q) = 0;
  virtual absl::StatusOr<v1::AreaClassification> CreateAreaClassification(
      const v1::AreaClassification& ac, const std::string& actor, const IdempotencyKey& key) = 0;
  // Applies the masked fields if the stored version equals expected_version (or any when 0).
  virtual absl::StatusOr<v1::AreaClassification> UpdateAreaClassification(
      int64_t id, const v1::AreaClassification& ac, const std::vector<std::string>& mask,
      const std::string& etag, const std::string& actor) = 0;

  // Villages (migration 022). ALREADY_EXISTS (VILLAGE_EXISTS) when the commune has a village
  // of that name (diacritic-insensitive) during the new one's validity.
  virtual absl::StatusOr<v1::Village> CreateVillage(const v1::Village& v, const std::string& actor,
                                                    const IdempotencyKey& key) = 0;
  virtual absl::StatusOr<std::vector<v1::Village>> ListVillages(const VillageQuery& q) = 0;
  virtual absl::StatusOr<v1::Village> GetVillage(const std::string& id) = 0;
  // Closes `old_ids` the day before created.valid_from and opens `created` (id set) as their
  // continuation (kind RENAMED or MERGED); each must be in force then. `etag` guards a rename.
  virtual absl::StatusOr<v1::Village> SucceedVillages(const std::vector<std::string>& old_ids, const v1::Village& created,
                                                      const std::string& kind, const std::string& etag,
                                                      const std::string& actor) = 0;

  virtual absl::StatusOr<std::vector<v1::PovertyStandard>> ListStandards() = 0;
  virtual absl::StatusOr<std::vector<v1::EthnicGroup>> ListEthnicGroups() = 0;
  virtual absl::StatusOr<std::vector<v1::ReferenceDataChange>> ListChanges(
      const std::string& dataset, int64_t after_id, int limit) = 0;

  virtual absl::StatusOr<LoadReport> Load(const RefDataBundle& bundle, const std::string& actor) = 0;

  // Every unit version and lineage event (a few hundred rows), for UnitGraph.
  virtual absl::StatusOr<std::pair<std::vector<UnitVersion>, std::vector<LineageRow>>> UnitsAndLineage() = 0;

  // The database's name folding (fold_name in migration 003), so queries match stored keys.
  virtual absl::StatusOr<std::string> FoldName(const std::string& text) = 0;

  // True when the database answers (health).
  virtual bool Healthy() = 0;
};

}  // namespace lnob::registry

#endif  // LNOB_SERVICES_REGISTRY_STORE_REFERENCE_STORE_H_
