#ifndef LNOB_TESTS_SUPPORT_SERVICE_TEST_H_
#define LNOB_TESTS_SUPPORT_SERVICE_TEST_H_

// The one fixture of integration tests: a fresh database with the service's schema under
// real least-privilege roles (TestDatabase), a pool on the service's own login role, calls
// as given principals, and counting rows as the administrator.

#include <memory>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "common/db/pool.h"
#include "common/server/call.h"
#include "gtest/gtest.h"
#include "tests/support/test_db.h"

namespace lnob::testing {

class ServiceTest : public ::testing::Test {
 protected:
  // Call from SetUp() first; fails the test when the database cannot be made.
  void OpenDatabase(const std::string& schema, const std::vector<EmbeddedFile>& migrations, int pool_size = 4) {
    db_ = TestDatabase::Create(schema, migrations);
    ASSERT_TRUE(db_);
    pool_ = std::make_unique<db::Pool>(db::PoolOptions{.dsn = db_->service_url(), .max_size = pool_size});
  }

  // A call as `subject` with these permission grants (e.g. {"*"}, {"funding.*"}) and scope.
  static server::Call CallAs(std::string subject, std::vector<std::string> grants,
                             std::vector<std::string> scope_units = {}) {
    server::Call c;
    c.principal.subject = std::move(subject);
    c.principal.grants = std::move(grants);
    c.principal.scope.unit_codes = std::move(scope_units);
    c.method = "test";
    c.request_id = "test-request";
    return c;
  }

  // The single value of `sql`, run as the database administrator (sees every schema).
  int64_t Count(const std::string& sql) {
    pqxx::connection c(db_->admin_url());
    pqxx::nontransaction tx(c);
    return tx.exec1(sql)[0].as<int64_t>();
  }

  // Runs `sql` as the database administrator (throws what libpqxx throws).
  void Exec(const std::string& sql) {
    pqxx::connection c(db_->admin_url());
    pqxx::nontransaction tx(c);
    tx.exec(sql);
  }

  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<db::Pool> pool_;
};

}  // namespace lnob::testing

#endif  // LNOB_TESTS_SUPPORT_SERVICE_TEST_H_
