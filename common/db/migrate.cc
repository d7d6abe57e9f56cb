#include "common/db/migrate.h"

#include <pqxx/pqxx>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/db/pool.h"
#include "common/log/log.h"
#include "common/status/status.h"
#include "common/util/sha256.h"
#include "embedded/lnob_common_migrations.h"

namespace lnob::db {

const std::vector<EmbeddedFile>& CommonMigrations() { return EmbeddedCommonMigrations(); }

namespace {

bool ValidIdent(const std::string& s) {
  if (s.empty() || s.size() > 63) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return !(s[0] >= '0' && s[0] <= '9');
}

}  // namespace

absl::Status Bootstrap(const BootstrapOptions& o) {
  for (const auto* id : {&o.schema, &o.owner_role, &o.service_role}) {
    if (!ValidIdent(*id)) {
      return InvalidField("schema/role", absl::StrCat("not a plain lower-case identifier: ", *id));
    }
  }
  try {
    pqxx::connection c(o.admin_dsn);
    pqxx::work tx(c);
    // Serialize concurrent bootstraps of the whole cluster.
    tx.exec("SELECT pg_advisory_xact_lock(hashtext('lnob.bootstrap'))");
    auto ensure_role = [&](const std::string& role, const std::string& password) {
      auto r = tx.exec_params("SELECT 1 FROM pg_roles WHERE rolname = $1", role);
      const std::string pw =
          password.empty() ? std::string() : " PASSWORD " + tx.quote(password);
      if (r.empty()) {
        tx.exec("CREATE ROLE " + tx.quote_name(role) + " LOGIN" + pw);
      } else if (!password.empty()) {
        tx.exec("ALTER ROLE " + tx.quote_name(role) + " LOGIN" + pw);
      }
    };
    ensure_role(o.owner_role, o.owner_password);
    ensure_role(o.service_role, o.service_password);
    const std::string schema = tx.quote_name(o.schema);
    const std::string owner = tx.quote_name(o.owner_role);
    const std::string svc = tx.quote_name(o.service_role);
    // Without a superuser (CloudNativePG with enableSuperuserAccess off) the administrator is
    // the database owner with CREATEROLE: it acts for the schema owner through membership.
    if (!tx.exec_params("SELECT pg_has_role(current_user, $1, 'MEMBER')", o.owner_role)[0][0].as<bool>()) {
      tx.exec("GRANT " + owner + " TO CURRENT_USER");
    }
    tx.exec("CREATE SCHEMA IF NOT EXISTS " + schema + " AUTHORIZATION " + owner);
    tx.exec("ALTER SCHEMA " + schema + " OWNER TO " + owner);
    // Extensions live in public; nobody but the admin may create objects there. All three are
    // trusted extensions: the database owner may create them without a superuser.
    tx.exec("CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public");
    tx.exec("CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA public");
    tx.exec("CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public");
    tx.exec("REVOKE CREATE ON SCHEMA public FROM PUBLIC");
    tx.exec("REVOKE ALL ON SCHEMA " + schema + " FROM PUBLIC");
    tx.exec("GRANT USAGE ON SCHEMA " + schema + " TO " + svc);
    tx.exec("ALTER DEFAULT PRIVILEGES FOR ROLE " + owner + " IN SCHEMA " + schema +
            " GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO " + svc);
    tx.exec("ALTER DEFAULT PRIVILEGES FOR ROLE " + owner + " IN SCHEMA " + schema +
            " GRANT USAGE, SELECT ON SEQUENCES TO " + svc);
    tx.exec("ALTER DEFAULT PRIVILEGES FOR ROLE " + owner + " IN SCHEMA " + schema +
            " GRANT EXECUTE ON FUNCTIONS TO " + svc);
    // Tables created before these defaults existed (re-bootstrap after a restore).
    tx.exec("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA " + schema + " TO " + svc);
    tx.exec("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA " + schema + " TO " + svc);
    // ...but never on the schema's append-only tables (audit trails): the grant above must
    // not undo what their migration revoked.
    auto registry = tx.exec_params("SELECT to_regclass($1) IS NOT NULL", o.schema + ".append_only_tables");
    if (registry[0][0].as<bool>()) {
      for (const auto& row : tx.exec("SELECT table_name FROM " + schema + ".append_only_tables")) {
        tx.exec("REVOKE UPDATE, DELETE, TRUNCATE ON " + schema + "." + tx.quote_name(row[0].as<std::string>()) +
                " FROM " + svc);
      }
    }
    tx.exec("ALTER ROLE " + owner + " SET search_path = " + schema + ", public");
    tx.exec("ALTER ROLE " + svc + " SET search_path = " + schema + ", public");
    tx.commit();
    return absl::OkStatus();
  } catch (const std::exception& e) {
    log::Error("bootstrap failed", {{"schema", o.schema}, {"error", e.what()}});
    return StatusFromException(e);
  }
}

absl::StatusOr<MigrationResult> Migrate(const std::string& owner_dsn, const std::string& schema,
                                        const std::vector<EmbeddedFile>& files) {
  if (!ValidIdent(schema)) return InvalidField("schema", "not a plain lower-case identifier");
  std::vector<std::pair<std::string, const EmbeddedFile*>> all;
  for (const auto& f : CommonMigrations()) all.push_back({"common/" + f.name, &f});
  for (const auto& f : files) all.push_back({f.name, &f});

  MigrationResult result;
  try {
    pqxx::connection c(owner_dsn);
    {
      pqxx::nontransaction n(c);
      n.exec("SET search_path TO " + n.quote_name(schema) + ", public");
      // Session lock: held across the per-file transactions below.
      n.exec_params("SELECT pg_advisory_lock(hashtext($1))", "lnob.migrate." + schema);
      n.exec("CREATE TABLE IF NOT EXISTS schema_migrations ("
             " name text PRIMARY KEY, checksum text NOT NULL,"
             " applied_at timestamptz NOT NULL DEFAULT now(),"
             " applied_by text NOT NULL DEFAULT current_user)");
    }
    absl::Status failure;
    for (const auto& [name, file] : all) {
      const std::string sum = Sha256Hex(file->content);
      pqxx::work tx(c);
      auto r = tx.exec_params("SELECT checksum FROM schema_migrations WHERE name = $1", name);
      if (!r.empty()) {
        if (r[0][0].as<std::string>() != sum) {
          failure = WithReason(
              absl::FailedPreconditionError(absl::StrCat(
                  "migration ", name, " was changed after it was applied; add a new file instead")),
              "MIGRATION_CHANGED");
          break;
        }
        ++result.already_applied;
        continue;
      }
      tx.exec(file->content);
      tx.exec_params("INSERT INTO schema_migrations(name, checksum) VALUES ($1, $2)", name, sum);
      tx.commit();
      result.applied.push_back(name);
      log::Info("migration applied", {{"schema", schema}, {"migration", name}});
    }
    pqxx::nontransaction n(c);
    n.exec_params("SELECT pg_advisory_unlock(hashtext($1))", "lnob.migrate." + schema);
    if (!failure.ok()) return failure;
    return result;
  } catch (const std::exception& e) {
    log::Error("migration failed", {{"schema", schema}, {"error", e.what()}});
    return StatusFromException(e);
  }
}

}  // namespace lnob::db
