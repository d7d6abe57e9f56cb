#ifndef LNOB_TESTS_SUPPORT_TEST_DB_H_
#define LNOB_TESTS_SUPPORT_TEST_DB_H_

// A throwaway database on the PostgreSQL that ./lnob test starts (LNOB_TEST_ADMIN_URL):
// a fresh database with the service's schema bootstrapped under unique role names and
// migrated, dropped again (with its roles) at the end.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/util/embedded.h"

namespace lnob::testing {

std::map<std::string, std::string> ParseDsn(const std::string& dsn);
std::string RenderDsn(const std::map<std::string, std::string>& kv);

class TestDatabase {
 public:
  // Fails the test (ADD_FAILURE) and returns nullptr without LNOB_TEST_ADMIN_URL.
  static std::unique_ptr<TestDatabase> Create(const std::string& schema,
                                              const std::vector<EmbeddedFile>& migrations);
  ~TestDatabase();

  const std::string& admin_url() const { return admin_url_; }    // superuser, this database
  const std::string& owner_url() const { return owner_url_; }    // schema owner
  const std::string& service_url() const { return service_url_; }  // service login role
  const std::string& owner_role() const { return owner_role_; }
  const std::string& service_role() const { return service_role_; }
  const std::string& name() const { return name_; }

 private:
  std::string cluster_admin_url_, admin_url_, owner_url_, service_url_;
  std::string owner_role_, service_role_, db_owner_role_, name_;
};

}  // namespace lnob::testing

#endif  // LNOB_TESTS_SUPPORT_TEST_DB_H_
