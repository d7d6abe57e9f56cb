// Migrations, least privilege, and the pool's retry/reconnect behaviour on real PostgreSQL.

#include <atomic>

#include <pqxx/pqxx>

#include "common/db/migrate.h"
#include "common/db/pool.h"
#include "common/status/status.h"
#include "common/util/deadline.h"
#include "embedded/lnob_registry_migrations.h"
#include "gtest/gtest.h"
#include "tests/support/test_db.h"

namespace lnob {
namespace {

int CountRows(const std::string& dsn, const std::string& sql) {
  pqxx::connection c(dsn);
  pqxx::nontransaction n(c);
  return n.exec(sql)[0][0].as<int>();
}

TEST(Migrations, AppliedTwiceChangeNothing) {
  auto db = testing::TestDatabase::Create("registry", registry::EmbeddedMigrations());
  ASSERT_TRUE(db);
  const std::string objects =
      "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
      " WHERE n.nspname = 'registry'";
  const int before = CountRows(db->admin_url(), objects);
  const int applied = CountRows(db->admin_url(), "SELECT count(*) FROM registry.schema_migrations");
  EXPECT_EQ(applied, static_cast<int>(registry::EmbeddedMigrations().size() +
                                      db::CommonMigrations().size()));
  auto again = db::Migrate(db->owner_url(), "registry", registry::EmbeddedMigrations());
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->applied.empty());
  EXPECT_EQ(again->already_applied, applied);
  EXPECT_EQ(CountRows(db->admin_url(), objects), before);
  EXPECT_EQ(CountRows(db->admin_url(), "SELECT count(*) FROM registry.schema_migrations"), applied);
}

TEST(Migrations, EditedMigrationIsRefused) {
  auto db = testing::TestDatabase::Create("registry", registry::EmbeddedMigrations());
  ASSERT_TRUE(db);
  std::vector<EmbeddedFile> edited = registry::EmbeddedMigrations();
  edited[0].content += "\n-- edited";
  auto r = db::Migrate(db->owner_url(), "registry", edited);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(LeastPrivilege, ServiceRoleCannotReadAnotherSchemaNorChangeItsOwn) {
  auto db = testing::TestDatabase::Create("registry", registry::EmbeddedMigrations());
  ASSERT_TRUE(db);
  {
    pqxx::connection c(db->admin_url());
    pqxx::work w(c);
    w.exec("CREATE SCHEMA other_service");
    w.exec("CREATE TABLE other_service.secrets (v text)");
    w.exec("INSERT INTO other_service.secrets VALUES ('x')");
    w.commit();
  }
  pqxx::connection svc(db->service_url());
  {
    pqxx::work w(svc);
    EXPECT_THROW(w.exec("SELECT * FROM other_service.secrets"), pqxx::insufficient_privilege);
  }
  {
    pqxx::work w(svc);
    EXPECT_THROW(w.exec("CREATE TABLE registry.sneaky (v int)"), pqxx::insufficient_privilege);
  }
  {
    pqxx::work w(svc);
    EXPECT_THROW(w.exec("DROP TABLE registry.admin_units"), pqxx::insufficient_privilege);
  }
  {
    // ...but it can use its own tables.
    pqxx::work w(svc);
    EXPECT_GE(w.exec("SELECT count(*) FROM registry.poverty_standards")[0][0].as<int>(), 2);
  }
}

TEST(Pool, RetriesSerializationFailureWithInjectedSleeper) {
  auto db = testing::TestDatabase::Create("registry", registry::EmbeddedMigrations());
  ASSERT_TRUE(db);
  std::atomic<int> sleeps{0};
  db::Pool pool({.dsn = db->service_url(), .max_size = 2,
                 .sleeper = [&](absl::Duration) { ++sleeps; }});
  int attempts = 0;
  absl::Status st = pool.Run(
      [&](pqxx::transaction_base& tx) {
        if (++attempts < 3) {
          tx.exec("DO $$ BEGIN RAISE EXCEPTION 'conflict' USING ERRCODE = '40001'; END $$");
        }
        return absl::OkStatus();
      },
      db::Isolation::kSerializable);
  EXPECT_TRUE(st.ok()) << st;
  EXPECT_EQ(attempts, 3);
  EXPECT_EQ(sleeps.load(), 2);
  // A business error is not retried.
  attempts = 0;
  st = pool.Run([&](pqxx::transaction_base&) {
    ++attempts;
    return absl::NotFoundError("nope");
  });
  EXPECT_EQ(st.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(attempts, 1);
  // A constraint violation maps through SQLSTATE, naming the constraint.
  st = pool.Run([&](pqxx::transaction_base& tx) {
    tx.exec("INSERT INTO registry.ethnic_groups (code, name, code_1979) VALUES ('1', 'x', '01')");
    return absl::OkStatus();
  });
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(st.message().find("ethnic_groups_code_check"), std::string::npos) << st;
}

TEST(Pool, ReconnectsAfterItsConnectionsAreKilled) {
  auto db = testing::TestDatabase::Create("registry", registry::EmbeddedMigrations());
  ASSERT_TRUE(db);
  db::Pool pool({.dsn = db->service_url(), .max_size = 2, .sleeper = [](absl::Duration) {}});
  ASSERT_TRUE(pool.Ping());
  EXPECT_EQ(pool.stats().open, 1);
  {
    pqxx::connection c(db->admin_url());
    pqxx::nontransaction n(c);
    n.exec_params("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1",
                  db->service_role());
  }
  // The idle connection is dead; the call still succeeds on a fresh one.
  int value = 0;
  absl::Status st = pool.Run([&](pqxx::transaction_base& tx) {
    value = tx.exec("SELECT 42")[0][0].as<int>();
    return absl::OkStatus();
  });
  EXPECT_TRUE(st.ok()) << st;
  EXPECT_EQ(value, 42);
  EXPECT_EQ(pool.stats().in_use, 0);
}

TEST(Pool, BoundedAndUnavailableWhenDatabaseIsUnreachable) {
  db::Pool pool({.dsn = "host=127.0.0.1 port=1 user=x dbname=x connect_timeout=2",
                 .max_size = 1, .max_attempts = 1});
  EXPECT_FALSE(pool.Ping());
  absl::Status st = pool.Read([](pqxx::transaction_base&) { return absl::OkStatus(); });
  EXPECT_EQ(st.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(pool.stats().open, 0);
}

}  // namespace
}  // namespace lnob

namespace lnob {
namespace {

// SQL is bounded by the deadline of the call being served and by the pool's statement_timeout.
TEST(PoolLimits, StatementsStopAtTheCallsDeadlineAndAtTheTimeout) {
  auto db = testing::TestDatabase::Create("registry", registry::EmbeddedMigrations());
  ASSERT_TRUE(db);
  db::Pool pool(db::PoolOptions{.dsn = db->service_url(), .max_size = 2});
  auto sleep = [&](double seconds) {
    return pool.Run([&](pqxx::transaction_base& tx) {
      tx.exec("SELECT pg_sleep(" + std::to_string(seconds) + ")");
      return absl::OkStatus();
    });
  };
  {
    ScopedDeadline deadline(absl::Now() + absl::Milliseconds(300));
    absl::Status st = sleep(30);
    EXPECT_EQ(st.code(), absl::StatusCode::kDeadlineExceeded) << st;
    EXPECT_EQ(GetReason(st).value_or(""), "STATEMENT_TIMEOUT");
  }
  {
    ScopedDeadline gone(absl::Now() - absl::Seconds(1));
    EXPECT_EQ(sleep(0).code(), absl::StatusCode::kDeadlineExceeded);
  }
  EXPECT_TRUE(sleep(0.01).ok());  // no call, no deadline: the session's own limit only
  db::Pool strict(db::PoolOptions{.dsn = db->service_url(), .max_size = 1,
                                  .statement_timeout = absl::Milliseconds(200)});
  absl::Status st = strict.Run([&](pqxx::transaction_base& tx) {
    tx.exec("SELECT pg_sleep(30)");
    return absl::OkStatus();
  });
  EXPECT_EQ(st.code(), absl::StatusCode::kDeadlineExceeded) << st;
  // The connection stays usable after a cancelled statement.
  EXPECT_TRUE(strict.Run([](pqxx::transaction_base& tx) {
                      tx.exec("SELECT 1");
                      return absl::OkStatus();
                    }).ok());
}

}  // namespace
}  // namespace lnob
