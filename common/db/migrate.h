#ifndef LNOB_COMMON_DB_MIGRATE_H_
#define LNOB_COMMON_DB_MIGRATE_H_

// Schema bootstrap (roles, schema, grants; run once by an administrator) and ordered SQL
// migrations (run by the schema owner under an advisory lock, recorded per schema).

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/util/embedded.h"

namespace lnob::db {

struct BootstrapOptions {
  std::string admin_dsn;     // a superuser or CREATEROLE role
  std::string schema;        // e.g. "registry"
  std::string owner_role;    // owns the schema; runs migrations
  std::string owner_password;
  std::string service_role;  // the service's login role: DML on its schema only
  std::string service_password;
};

// Idempotent: creates missing roles, the schema (owned by owner_role), the extensions lnob
// uses (in schema public) and default privileges so that every table the owner creates
// later is usable by service_role and nobody else.
absl::Status Bootstrap(const BootstrapOptions& options);

struct MigrationResult {
  std::vector<std::string> applied;  // names applied by this run
  int already_applied = 0;
};

// Applies common migrations then the service's files (sorted by name), each in its own
// transaction with its row in <schema>.schema_migrations. A file changed after it was
// applied is FAILED_PRECONDITION.
absl::StatusOr<MigrationResult> Migrate(const std::string& owner_dsn, const std::string& schema,
                                        const std::vector<EmbeddedFile>& files);

const std::vector<EmbeddedFile>& CommonMigrations();

}  // namespace lnob::db

#endif  // LNOB_COMMON_DB_MIGRATE_H_
