#ifndef LNOB_SERVICES_REGISTRY_DOMAIN_REFDATA_H_
#define LNOB_SERVICES_REGISTRY_DOMAIN_REFDATA_H_

// Turns the reference CSV files (services/registry/data, see PROVENANCE.md there) into the
// effective-dated unit versions and lineage events the registry stores. Pure: no I/O.

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/util/embedded.h"

namespace lnob::registry {

struct UnitVersion {
  std::string code;
  std::string name;
  std::string level;      // province | district | commune
  std::string unit_type;  // GSO Vietnamese type: xã, phường, ...
  std::string parent_code;
  std::optional<absl::CivilDay> valid_from;
  std::optional<absl::CivilDay> valid_to;
  std::string legal_doc;
  std::string source;
  bool confirmed = true;
  std::string area_type;  // RURAL / URBAN default for households (filled from the database)
};

struct LineageRow {
  std::string old_code, old_name, new_code, new_name, kind;
  absl::CivilDay effective_date;
  std::string legal_doc;
  bool confirmed = true;
};

struct EthnicGroupRow {
  std::string code, name, code_1979;
  std::vector<std::string> other_names, name_variants;
};

struct RefDataBundle {
  std::vector<UnitVersion> units;
  std::vector<LineageRow> lineage;
  std::vector<EthnicGroupRow> ethnic_groups;
  std::string checksum;  // over all input files
};

// files: the embedded data directory. Errors name the file, row and column.
absl::StatusOr<RefDataBundle> BuildRefData(const std::vector<EmbeddedFile>& files);

// Minimal CSV (the reference files have no quoted fields; quotes are rejected).
absl::StatusOr<std::vector<std::vector<std::string>>> ParseCsv(const std::string& name,
                                                               const std::string& content,
                                                               size_t columns);

}  // namespace lnob::registry

#endif  // LNOB_SERVICES_REGISTRY_DOMAIN_REFDATA_H_
