// lnobctl: the operator CLI. Each command explains itself with --help.

#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/auth/jwt.h"
#include "common/auth/policy.h"
#include "common/db/migrate.h"
#include "common/db/pool.h"
#include "common/log/log.h"
#include "services/registry/domain/refdata.h"
#include "services/registry/store/pg_audit_chain.h"
#include "services/registry/store/pg_reference_store.h"
#include "common/server/service_list.h"
#include "embedded/lnob_registry_data.h"
#include "services/gateway/domain/api_key_logic.h"
#include "tools/lnobctl/apikeys_cmd.h"
#include "tools/lnobctl/campaigns_cmd.h"
#include "tools/lnobctl/awards_cmd.h"
#include "tools/lnobctl/inspection_cmd.h"
#include "tools/lnobctl/report_cmd.h"
#include "tools/lnobctl/simulate_cmd.h"
#include "tools/lnobctl/households_cmd.h"
#include "tools/lnobctl/support_cmd.h"
#include "tools/lnobctl/villages_cmd.h"

namespace {

struct Command {
  const char* name;
  const char* summary;
  const char* help;
  int (*run)(std::map<std::string, std::string>& args);
};

using lnob::ctl::Fail;
using lnob::ctl::Get;

const std::vector<lnob::EmbeddedFile>* MigrationsOf(const std::string& service) {
  return lnob::services::MigrationsOf(service);  // services/services.list
}

int RunKeys(std::map<std::string, std::string>& a) {
  const std::string dir = Get(a, "dir");
  if (dir.empty()) return Fail("keys: --dir is required");
  const std::string priv = dir + "/jwt_private.pem", pub = dir + "/jwt_public.pem";
  if (std::ifstream(priv).good() && Get(a, "force") != "true") {
    std::printf("%s exists; keeping it (use --force=true to replace)\n", priv.c_str());
    return 0;
  }
  // A key held by a running process signs only what that process needs.
  std::string policy_line;
  if (const std::string holder = Get(a, "for"); !holder.empty()) {
    lnob::auth::KeyPolicy policy;
    policy.restricted = true;
    if (holder == "gateway") {
      // Tokens minted for API keys: subject apikey:<id>, any role a key may carry.
      policy.subjects = {"apikey:*"};
      for (const auto& role : lnob::auth::RolePolicy::Default().Roles()) {
        if (lnob::gateway::ApiKeyMayCarry(lnob::auth::RolePolicy::Default(), role)) policy.roles.push_back(role);
      }
    } else {
      if (lnob::services::Find(holder) == nullptr) return Fail("keys: --for names no service of services/services.list");
      std::string upper = absl::AsciiStrToUpper(holder);
      policy.subjects = {"service:" + holder};
      policy.roles = {"SERVICE_" + upper};
    }
    policy_line = policy.ToLine() + "\n";
  }
  std::string priv_pem, pub_pem;
  if (auto st = lnob::auth::GenerateRsaKeyPair(&priv_pem, &pub_pem); !st.ok()) {
    return Fail(std::string(st.message()));
  }
  pub_pem = policy_line + pub_pem;
  mkdir(dir.c_str(), 0700);
  {
    std::ofstream out(priv);
    out << priv_pem;
  }
  chmod(priv.c_str(), 0600);
  std::ofstream(pub) << pub_pem;
  std::printf("wrote %s and %s\n", priv.c_str(), pub.c_str());
  return 0;
}

int RunToken(std::map<std::string, std::string>& a) {
  const std::string key_file = Get(a, "private_key");
  if (key_file.empty()) return Fail("token: --private_key is required");
  std::ifstream in(key_file);
  if (!in) return Fail("token: cannot read " + key_file);
  std::stringstream ss;
  ss << in.rdbuf();
  lnob::auth::Claims c;
  c.issuer = Get(a, "issuer", "lnob");
  // Each service is its own audience; by default the token is good for every service.
  std::string audiences = Get(a, "audience");
  if (audiences.empty()) {
    for (const auto& svc : lnob::services::All()) c.audience.push_back(lnob::auth::AudienceOfService(svc.name));
  } else {
    for (auto aud : absl::StrSplit(audiences, ',', absl::SkipEmpty())) c.audience.emplace_back(aud);
  }
  c.subject = Get(a, "subject", "dev-operator");
  // No default role: a forgotten flag must not mint a province administrator.
  const std::string roles = Get(a, "roles");
  if (roles.empty()) return Fail("token: --roles is required (e.g. --roles=VIEWER or --roles=PROVINCE_ADMIN)");
  for (auto r : absl::StrSplit(roles, ',', absl::SkipEmpty())) c.roles.emplace_back(r);
  for (auto s : absl::StrSplit(Get(a, "scope"), ',', absl::SkipEmpty())) c.scope_units.emplace_back(s);
  if (c.scope_units.empty()) {
    if (const std::string role = lnob::auth::RolePolicy::Default().AreaRoleIn(c.roles); !role.empty()) {
      return Fail("token: role " + role + " acts in an area: give --scope=UNIT[,UNIT...]");
    }
  }
  absl::Duration ttl;
  if (!absl::ParseDuration(Get(a, "ttl", "1h"), &ttl)) return Fail("token: --ttl must be a duration like 30m or 8h");
  const absl::Time now = absl::Now();
  c.issued_at = now;
  c.not_before = now - absl::Seconds(5);
  c.expires_at = now + ttl;
  auto tok = lnob::auth::MintRs256(ss.str(), c);
  if (!tok.ok()) return Fail(std::string(tok.status().message()));
  std::printf("%s\n", tok->c_str());
  return 0;
}

int RunBootstrap(std::map<std::string, std::string>& a) {
  lnob::db::BootstrapOptions o;
  o.admin_dsn = Get(a, "admin_url");
  o.schema = Get(a, "service");
  if (o.admin_dsn.empty() || o.schema.empty()) return Fail("bootstrap: --admin_url and --service are required");
  o.owner_role = Get(a, "owner_role", "lnob_" + o.schema + "_owner");
  o.service_role = Get(a, "service_role", "lnob_" + o.schema);
  o.owner_password = Get(a, "owner_password");  // or LNOB_OWNER_PASSWORD (better than argv)
  o.service_password = Get(a, "service_password");  // or LNOB_SERVICE_PASSWORD
  if (auto st = lnob::db::Bootstrap(o); !st.ok()) return Fail("bootstrap: " + std::string(st.message()));
  std::printf("bootstrap %s: schema owned by %s, service role %s\n", o.schema.c_str(),
              o.owner_role.c_str(), o.service_role.c_str());
  return 0;
}

int RunMigrate(std::map<std::string, std::string>& a) {
  const std::string service = Get(a, "service");
  const std::string dsn = Get(a, "database_url");
  if (service.empty() || dsn.empty()) return Fail("migrate: --service and --database_url are required");
  const auto* files = MigrationsOf(service);
  if (files == nullptr) return Fail("migrate: unknown service " + service);
  auto r = lnob::db::Migrate(dsn, service, *files);
  if (!r.ok()) return Fail("migrate: " + std::string(r.status().message()));
  std::printf("migrate %s: %zu applied, %d already applied\n", service.c_str(), r->applied.size(),
              r->already_applied);
  return 0;
}

int RunRefdata(std::map<std::string, std::string>& a) {
  const std::string dsn = Get(a, "database_url");
  if (dsn.empty()) return Fail("refdata: --database_url is required");
  auto bundle = lnob::registry::BuildRefData(lnob::registry::EmbeddedRefData());
  if (!bundle.ok()) return Fail("refdata: " + std::string(bundle.status().message()));
  lnob::db::Pool pool({.dsn = dsn, .name = "lnobctl", .max_size = 1, .search_path = "registry, public"});
  auto store = lnob::registry::NewPgReferenceStore(&pool);
  auto rep = store->Load(*bundle, Get(a, "actor", "lnobctl"));
  if (!rep.ok()) return Fail("refdata: " + std::string(rep.status().message()));
  if (rep->unchanged) {
    std::printf("refdata: already loaded (checksum %s)\n", bundle->checksum.substr(0, 12).c_str());
  } else {
    std::printf("refdata: units +%d, lineage events +%d, ethnic groups +%d\n", rep->units_inserted,
                rep->lineage_inserted, rep->ethnic_groups_inserted);
  }
  return 0;
}

std::string g_positional;  // FILE of "import households FILE"
std::string g_kind;        // what to import, demo or verify (households, support, ...)

int RunImport(std::map<std::string, std::string>& a) {
  if (g_kind == "support") return lnob::ctl::RunImportSupport(a, g_positional);
  if (g_kind == "villages") return lnob::ctl::RunImportVillages(a, g_positional);
  if (g_kind == "activities") return lnob::ctl::RunImportActivities(a, g_positional);
  if (g_kind == "persons") return lnob::ctl::RunImportPersons(a, g_positional);
  if (g_kind == "plans") return lnob::ctl::RunImportPlans(a, g_positional);
  if (g_kind == "findings") return lnob::ctl::RunImportFindings(a, g_positional);
  if (g_kind == "registrations") return lnob::ctl::RunImportRegistrations(a, g_positional);
  if (g_kind == "nominations") return lnob::ctl::RunImportNominations(a, g_positional);
  return lnob::ctl::RunImportHouseholds(a, g_positional);
}
int RunAudit(std::map<std::string, std::string>& a) {
  if (g_kind != "verify") return Fail("audit: give verify (see lnobctl audit --help)");
  const std::string dsn = Get(a, "database_url");
  if (dsn.empty()) return Fail("audit verify: --database_url is required");
  lnob::db::Pool pool({.dsn = dsn, .name = "lnobctl", .max_size = 1, .search_path = "registry, public"});
  auto report = lnob::registry::VerifyPiiAuditChain(&pool, Get(a, "expect_head"));
  if (!report.ok()) return Fail("audit verify: " + std::string(report.status().message()));
  if (!report->problem.empty()) {
    std::fprintf(stderr, "audit verify: %s (%lld rows verified before it)\n", report->problem.c_str(),
                 static_cast<long long>(report->rows));
    return 3;
  }
  std::printf("audit verify: %lld rows, chain intact; head %lld:%s\n", static_cast<long long>(report->rows),
              static_cast<long long>(report->head_seq), report->head_hash.c_str());
  return 0;
}

int RunExport(std::map<std::string, std::string>& a) { return lnob::ctl::RunExportHouseholds(a); }
int RunDemo(std::map<std::string, std::string>& a) {
  if (g_kind == "villages") return lnob::ctl::RunDemoVillages(a);
  if (g_kind == "activities") return lnob::ctl::RunDemoActivities(a);
  if (g_kind == "persons") return lnob::ctl::RunDemoPersons(a);
  if (g_kind == "inspection") return lnob::ctl::RunDemoInspection(a);
  if (g_kind == "awards") return lnob::ctl::RunDemoAwards(a);
  return lnob::ctl::RunDemoGenerate(a);
}
int RunApiKeys(std::map<std::string, std::string>& a) { return lnob::ctl::RunApiKeys(a, g_positional); }
int RunReportCmd(std::map<std::string, std::string>& a) { return lnob::ctl::RunReport(a, g_kind, g_positional); }
int RunSimulateCmd(std::map<std::string, std::string>& a) { return lnob::ctl::RunSimulate(a); }

const Command kCommands[] = {
    {"keys", "generate the development JWT key pair",
     "lnobctl keys --dir=DIR [--for=gateway|SERVICE] [--force=true]\n"
     "  Writes DIR/jwt_private.pem (mode 0600) and DIR/jwt_public.pem, a 2048-bit RSA pair.\n"
     "  Never commit them. Services trust the public file (--jwt_public_keys); it may hold\n"
     "  several keys during a rotation. Without --for the key is an operator's and may sign\n"
     "  any token; --for=gateway prefixes the public key with the policy line that lets it sign\n"
     "  only API-key tokens (subject apikey:*, roles a key may carry), --for=SERVICE only that\n"
     "  service's own token (subject service:SERVICE, role SERVICE_<SERVICE>).\n",
     RunKeys},
    {"token", "mint a bearer token for a role and area scope",
     "lnobctl token --private_key=FILE --roles=R1,R2 [--scope=CODE,...] [--subject=ID]\n"
     "              [--ttl=1h] [--issuer=lnob] [--audience=lnob.registry,...]\n"
     "  Prints an RS256 JWT. Roles are those of common/auth/roles.json (PROVINCE_ADMIN,\n"
     "  PROVINCE_OFFICER, COMMUNE_OFFICER, COMMUNE_CHAIR, REVIEWER, INSPECTOR, SYSTEM_CLIENT,\n"
     "  VIEWER); --roles is required. --scope lists admin-unit codes; empty means the whole\n"
     "  province, which the commune roles (area_roles) may not have. --audience lists the\n"
     "  services the token is good for (lnob.<service>); the default is every service.\n"
     "  Services refuse tokens living longer than 24h.\n",
     RunToken},
    {"bootstrap", "create a service's roles and schema (administrator)",
     "lnobctl bootstrap --admin_url=DSN --service=NAME [--owner_role=R] [--service_role=R]\n"
     "                  [--owner_password=P] [--service_password=P]\n"
     "  Idempotent. Creates the schema NAME owned by the owner role (default lnob_NAME_owner),\n"
     "  the service login role (default lnob_NAME) with DML rights on that schema only, and\n"
     "  the extensions lnob uses. Run once per service with a superuser connection.\n"
     "  Passwords are better given as LNOB_OWNER_PASSWORD / LNOB_SERVICE_PASSWORD, and a\n"
     "  connection's password as PGPASSWORD, than on the command line (visible to every process).\n",
     RunBootstrap},
    {"migrate", "apply a service's migrations (schema owner)",
     "lnobctl migrate --service=NAME --database_url=OWNER_DSN\n"
     "  Applies the common and the service's ordered SQL migrations (compiled into lnobctl)\n"
     "  under an advisory lock, recording each in NAME.schema_migrations. Running it again\n"
     "  changes nothing; a migration edited after it was applied is refused.\n",
     RunMigrate},
    {"refdata", "load the registry's reference data (units, lineage, ethnic groups)",
     "lnobctl refdata load --database_url=DSN [--actor=NAME]\n"
     "  Loads the administrative units (pre-2025 Bình Phước and Đồng Nai, post-2025 Đồng Nai,\n"
     "  2026 renames), their lineage and the 54 ethnic groups from the CSV files compiled in\n"
     "  from services/registry/data (see PROVENANCE.md there). Idempotent: the same files load\n"
     "  once; each load is recorded in registry.refdata_changes.\n",
     RunRefdata},
    {"import", "import households, villages (registry), support lines (funding), activities, persons (campaigns),"
               " plans, findings (inspection), registrations, nominations (awards)",
     "lnobctl import households FILE.csv [--target=127.0.0.1:50051] [--token=JWT | --token_file=F]\n"
     "                [--import_id=UUID] [--progress=plain]\n"
     "  Streams the file (format: docs/household-csv.md) to HouseholdService/ImportHouseholds with\n"
     "  a live progress bar (lines, lines/s, ETA), then prints a summary and the first errors,\n"
     "  each with its line number and field. Good households commit; bad ones are reported.\n"
     "  The import id defaults to a digest of the file: running the same file again resumes an\n"
     "  interrupted import and creates nothing twice. Exit code 3 when some rows failed.\n"
     "  The token needs registry.households.import (e.g. PROVINCE_OFFICER).\n"
     "\n"
     "lnobctl import support FILE.csv [--target=127.0.0.1:50052] [--token=JWT | --token_file=F]\n"
     "                [--import_id=UUID] [--progress=plain]\n"
     "  Streams support lines with their funding shares (format: docs/support-csv.md) to\n"
     "  SupportService/ImportSupportLines, with the same progress bar, resumption by import id\n"
     "  and per-row errors (a second line for a household x content x year is refused).\n"
     "  The token needs funding.support.import (e.g. PROVINCE_OFFICER).\n"
     "\n"
     "lnobctl import villages FILE.csv [--target=127.0.0.1:50051] [--token=JWT | --token_file=F]\n"
     "                [--import_id=UUID]\n"
     "  Registers villages (format: docs/villages-csv.md: commune_code,name,valid_from,legal_doc,\n"
     "  synthetic) with ReferenceDataService/CreateVillage, one call per row under a request id\n"
     "  derived from the file: running the same file again creates nothing twice. Prints the\n"
     "  refused rows with their line number; exit code 3 when some rows failed.\n"
     "\n"
     "lnobctl import activities FILE.csv [--target=127.0.0.1:50053] [--token=JWT | --token_file=F]\n"
     "                [--import_id=UUID] [--progress=plain]\n"
     "  Streams communication activities with their reach (format: docs/campaigns-csv.md) to\n"
     "  CampaignsService/ImportActivities, with the progress bar, resumption by import id and\n"
     "  per-row errors. The token needs campaigns.activities.import (e.g. PROVINCE_OFFICER).\n"
     "\n"
     "lnobctl import persons FILE.csv [--target=127.0.0.1:50053] [--token=JWT | --token_file=F]\n"
     "                [--import_id=UUID]\n"
     "  Registers prestigious persons and their support events (format: docs/campaigns-csv.md)\n"
     "  with CreatePerson and RecordSupportEvent under request ids derived from the file: the\n"
     "  same file again records nothing twice. Exit code 3 when some rows failed.\n"
     "lnobctl import plans FILE.csv [--target=127.0.0.1:50055] [--token=JWT | --token_file=F]\n"
     "lnobctl import findings FILE.csv [--target=127.0.0.1:50055] [--token=JWT | --token_file=F]\n"
     "  Inspection plans (rows of one agency, year and number are one plan's items) and findings\n"
     "  with their references (format: docs/inspection-csv.md), one idempotent call per plan or\n"
     "  row. Exit code 3 when some rows failed.\n"
     "lnobctl import registrations FILE.csv [--target=127.0.0.1:50054] [--token=JWT | --token_file=F]\n"
     "lnobctl import nominations FILE.csv [--target=127.0.0.1:50054] [--token=JWT | --token_file=F]\n"
     "  Awards registrations (rows of one subject, movement and year are its targets) and\n"
     "  nominations (rows of one subject, form and year are its achievements; the evidence they\n"
     "  cite is read from its owners under the token), format: docs/awards-csv.md. One\n"
     "  idempotent call per registration or nomination. Exit code 3 when some rows failed.\n",
     RunImport},
    {"export", "export households to CSV",
     "lnobctl export households [--out=FILE.csv] [--unit=CODE] [--reviews=true|false]\n"
     "                [--target=127.0.0.1:50051] [--token=JWT | --token_file=F]\n"
     "  Writes the households the token's area scope covers (under --unit when given) in the\n"
     "  import format, with their approved reviews. Names, birth dates and citizen IDs are\n"
     "  masked unless the token holds registry.personal_data.read (such exports are audited).\n",
     RunExport},
    {"audit", "verify the personal-data audit's hash chain (registry)",
     "lnobctl audit verify --database_url=DSN [--expect_head=SEQ:HASH]\n"
     "  Recomputes the SHA-256 chain of registry.pii_audit outside the database and names the\n"
     "  first row that was altered, removed or reordered (exit code 3). Prints the head\n"
     "  (SEQ:HASH): keep it elsewhere, and a later --expect_head=SEQ:HASH proves that nothing up\n"
     "  to it was rewritten since, even by someone who recomputed the hashes.\n",
     RunAudit},
    {"demo", "generate the synthetic demo province as household CSV",
     "lnobctl demo generate [--households=260000] [--seed=47] [--id_prefix=BP] [--out=FILE.csv]\n"
     "  Deterministic synthetic households on the real pre-2025 communes of Bình Phước: about\n"
     "  4 people per household, ethnic-minority households concentrated in the districts where\n"
     "  the minorities live, and 2022-2025 approved reviews from a yearly Markov chain that\n"
     "  yields about 2% poor households in 2023. Same seed, same file.\n"
     "\n"
     "lnobctl demo villages [--out=FILE.csv]\n"
     "  The villages the demo households name, for every demo commune, as a village CSV marked\n"
     "  synthetic (no official village list is shipped): load it with lnobctl import villages\n"
     "  before the households so that they link to the register.\n"
     "\n"
     "lnobctl demo activities [--per_village=4] [--seed=47] [--out=FILE.csv]\n"
     "  A year of communication activities (the twelve months to the end of last month) in the\n"
     "  demo villages, as an activity CSV: about 5% of communes and 12% of villages get none,\n"
     "  on purpose, so that coverage has something to show. Communes after 1 July 2025 are the\n"
     "  ones the demo communes became.\n"
     "\n"
     "lnobctl demo persons [--seed=47] [--out=FILE.csv]\n"
     "  Prestigious persons of the demo's ethnic-minority villages with this year's Tết gifts,\n"
     "  information and visits, as a person CSV.\n"
     "lnobctl demo inspection --private_key=KEY.pem [--target=127.0.0.1:50055]\n"
     "                [--funding_target=127.0.0.1:50052]\n"
     "  A check of the demo's housing support in one commune from plan to published conclusion:\n"
     "  findings on real demo lines (one holds its line in funding), a partial recovery and an\n"
     "  overdue recommendation. The team's tokens are signed with KEY.pem.\n"
     "lnobctl demo awards --private_key=KEY.pem [--target=127.0.0.1:50054]\n"
     "                [--registry_target=127.0.0.1:50051] [--campaigns_target=127.0.0.1:50053]\n"
     "  The 2024 round of the movement in the demo commune with the most households that escaped\n"
     "  poverty: a registration, an initiative, the council, nominations citing those households,\n"
     "  council votes, decisions, one submitted upward, one rejected, one revoked, and this\n"
     "  year's draft citing the commune's activities. The officers' tokens are signed with KEY.pem.\n",
     RunDemo},
    {"report", "compose, read, export and move reports through approval",
     "lnobctl report generate --definition=CODE --period=2025|2025-Q3|2025-H1|2025-07 [--unit=CODE]\n"
     "                [--out=FILE.csv] [--target=127.0.0.1:50056] [--token=JWT | --token_file=F]\n"
     "lnobctl report get reportInstances/ID [--out=FILE.csv] [--target=...] [--token=...]\n"
     "lnobctl report export reportInstances/ID [--format=XLSX|CSV] --out=FILE [--target=...] [--token=...]\n"
     "lnobctl report submit|approve|lock|return reportInstances/ID [--note=TEXT] [--target=...] [--token=...]\n"
     "lnobctl report revise reportInstances/ID --reason=TEXT [--target=...] [--token=...]\n"
     "  generate composes a report of a definition (ListReportDefinitions: ETHNIC_WORK_PERIODIC,\n"
     "  NTP1719_MONITORING, EMULATION_STATISTICS, POVERTY_REVIEW_RESULTS) for a period and unit\n"
     "  (default: the province) from the services that own the numbers, under the token (so\n"
     "  within its area), as an operation whose progress it shows on stderr; get reads one back.\n"
     "  Both print the report's inputs as CSV, one row per indicator with its owner, the owner's\n"
     "  cursor and the value as the owner gave it. export writes the stored snapshot as XLSX\n"
     "  (one sheet per section, charts) or CSV (one line per cell with its source). submit,\n"
     "  approve, lock and return (with --note) move it through approval; revise composes the\n"
     "  next revision of a locked report (docs/reporting.md).\n",
     RunReportCmd},
    {"simulate", "classify every household under a standard not in force yet, with its cost",
     "lnobctl simulate --standard=ID | --draft=STANDARD.json [--unit=CODE] [--by_child_unit=true]\n"
     "                [--as_of=YYYY-MM-DD] [--geography=YYYY-MM-DD] [--title=TEXT] [--out=FILE.xlsx|FILE.csv]\n"
     "                [--target=127.0.0.1:50051] [--token=JWT | --token_file=F] [--progress=plain]\n"
     "  Applies a poverty standard (one of the registry's, e.g. PS_2027_2030, or a draft: a\n"
     "  PovertyStandard as JSON with lines, caps, min_deprivations_poor, indicators, valid_from)\n"
     "  to each household's latest approved review in force on --as_of (default today), within\n"
     "  the token's area, as an operation whose progress it shows on stderr. Prints the households\n"
     "  poor now and under the standard (best and worst case: inputs the reviews did not record\n"
     "  give a range, never a guess), the unknowns, and the support need of the newly eligible\n"
     "  households by content and source. --out writes the export (households that change class,\n"
     "  personal data masked for the token). The token needs registry.simulations.run\n"
     "  (docs/registry.md, \"Policy simulation\").\n",
     RunSimulateCmd},
    {"apikeys", "create, list, get or revoke API keys through the gateway's admin API",
     lnob::ctl::kApiKeysHelp, RunApiKeys},
};

void Usage() {
  std::printf("lnobctl: operator CLI for lnob\n\nCommands:\n");
  for (const auto& c : kCommands) std::printf("  %-10s %s\n", c.name, c.summary);
  std::printf("\nRun 'lnobctl COMMAND --help' for details. Every --flag can also be given as\n"
              "the environment variable LNOB_<FLAG> (e.g. LNOB_DATABASE_URL).\n");
}

}  // namespace

int main(int argc, char** argv) {
  lnob::log::Init("lnobctl", lnob::log::Severity::kWarning);
  if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "help") {
    Usage();
    return argc < 2 ? 1 : 0;
  }
  const std::string name = argv[1];
  for (const auto& c : kCommands) {
    if (name != c.name) continue;
    std::map<std::string, std::string> args;
    for (int i = 2; i < argc; ++i) {
      std::string s = argv[i];
      if (s == "--help" || s == "-h") {
        std::printf("%s", c.help);
        return 0;
      }
      if (s.rfind("--", 0) != 0) {
        if ((name == "refdata" && s == "load") ||
            (name == "demo" && (s == "generate" || s == "villages" || s == "activities" || s == "persons" ||
                                 s == "inspection" || s == "awards")) ||
            (name == "audit" && s == "verify") ||
            ((name == "import" || name == "export") && s == "households")) {
          g_kind = s;
          continue;
        }
        if (name == "import" && (s == "support" || s == "villages" || s == "activities" || s == "persons" ||
                                  s == "plans" || s == "findings" || s == "registrations" || s == "nominations") &&
            g_kind.empty()) {
          g_kind = s;
          continue;
        }
        if (name == "report") {  // generate | get, then the report's name for get
          (g_kind.empty() ? g_kind : g_positional) = s;
          continue;
        }
        if (name == "apikeys" && g_positional.empty()) {  // create | list | get | revoke
          g_positional = s;
          continue;
        }
        if (name == "import" && g_positional.empty()) {
          g_positional = s;
          continue;
        }
        return Fail("unexpected argument '" + s + "' (see lnobctl " + name + " --help)");
      }
      s = s.substr(2);
      auto eq = s.find('=');
      if (eq != std::string::npos) {
        args[s.substr(0, eq)] = s.substr(eq + 1);
      } else if (i + 1 < argc && std::string(argv[i + 1]).rfind("--", 0) != 0) {
        args[s] = argv[++i];
      } else {
        args[s] = "true";
      }
    }
    return c.run(args);
  }
  Usage();
  return 1;
}
