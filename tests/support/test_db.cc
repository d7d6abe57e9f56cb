#include "tests/support/test_db.h"

#include <cstdlib>

#include <pqxx/pqxx>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/db/migrate.h"
#include "common/log/trace.h"
#include "gtest/gtest.h"

namespace lnob::testing {

std::map<std::string, std::string> ParseDsn(const std::string& dsn) {
  std::map<std::string, std::string> kv;
  for (absl::string_view part : absl::StrSplit(dsn, ' ', absl::SkipEmpty())) {
    auto eq = part.find('=');
    if (eq != absl::string_view::npos) kv[std::string(part.substr(0, eq))] = std::string(part.substr(eq + 1));
  }
  return kv;
}

std::string RenderDsn(const std::map<std::string, std::string>& kv) {
  std::string out;
  for (const auto& [k, v] : kv) absl::StrAppend(&out, out.empty() ? "" : " ", k, "=", v);
  return out;
}

std::unique_ptr<TestDatabase> TestDatabase::Create(const std::string& schema,
                                                   const std::vector<EmbeddedFile>& migrations) {
  const char* admin = std::getenv("LNOB_TEST_ADMIN_URL");
  if (admin == nullptr) {
    ADD_FAILURE() << "LNOB_TEST_ADMIN_URL is not set: run the tests through ./lnob test";
    return nullptr;
  }
  auto db = std::unique_ptr<TestDatabase>(new TestDatabase());
  const std::string suffix = RandomHex(4);
  db->cluster_admin_url_ = admin;
  db->name_ = "t_" + suffix;
  db->owner_role_ = absl::StrCat("lnob_", schema, "_owner_", suffix);
  db->service_role_ = absl::StrCat("lnob_", schema, "_", suffix);
  db->db_owner_role_ = "lnob_dbowner_" + suffix;
  {
    // The database belongs to a CREATEROLE role that is not a superuser, and that role
    // bootstraps the schema: what a CloudNativePG cluster without superuser access allows.
    pqxx::connection c(admin);
    pqxx::nontransaction n(c);
    n.exec("CREATE ROLE " + db->db_owner_role_ + " LOGIN CREATEROLE NOSUPERUSER PASSWORD " +
           n.quote("dbowner-" + suffix));
    n.exec("CREATE DATABASE " + db->name_ + " OWNER " + db->db_owner_role_);
  }
  auto kv = ParseDsn(admin);
  kv["dbname"] = db->name_;
  db->admin_url_ = RenderDsn(kv);
  kv["user"] = db->db_owner_role_;
  kv["password"] = "dbowner-" + suffix;
  const std::string bootstrap_url = RenderDsn(kv);
  kv["user"] = db->owner_role_;
  kv["password"] = "owner-" + suffix;
  db->owner_url_ = RenderDsn(kv);
  kv["user"] = db->service_role_;
  kv["password"] = "svc-" + suffix;
  db->service_url_ = RenderDsn(kv);

  db::BootstrapOptions o{bootstrap_url, schema, db->owner_role_, "owner-" + suffix,
                         db->service_role_, "svc-" + suffix};
  auto st = db::Bootstrap(o);
  EXPECT_TRUE(st.ok()) << st;
  auto m = db::Migrate(db->owner_url_, schema, migrations);
  EXPECT_TRUE(m.ok()) << m.status();
  return db;
}

TestDatabase::~TestDatabase() {
  try {
    pqxx::connection c(cluster_admin_url_);
    pqxx::nontransaction n(c);
    n.exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    n.exec("DROP ROLE IF EXISTS " + service_role_);
    n.exec("DROP ROLE IF EXISTS " + owner_role_);
    n.exec("DROP ROLE IF EXISTS " + db_owner_role_);
  } catch (const std::exception& e) {
    ADD_FAILURE() << "dropping test database: " << e.what();
  }
}

}  // namespace lnob::testing
