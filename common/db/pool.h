#ifndef LNOB_COMMON_DB_POOL_H_
#define LNOB_COMMON_DB_POOL_H_

// Bounded PostgreSQL connection pool (libpqxx). Included only by stores and db tools.
// Broken connections are dropped and re-opened on demand, so a PostgreSQL restart needs no
// process restart. Transactions are retried on serialization failure and deadlock.

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include <pqxx/pqxx>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace prometheus {
class Registry;
class Gauge;
class Histogram;
template <typename T>
class Family;
class Counter;
}  // namespace prometheus

namespace lnob::db {

struct PoolOptions {
  std::string dsn;
  std::string name = "main";
  int max_size = 8;
  absl::Duration acquire_timeout = absl::Seconds(5);
  std::string search_path;  // e.g. "registry, public"
  int max_attempts = 5;     // transaction attempts on retryable failures
  std::function<void(absl::Duration)> sleeper;  // injectable backoff sleeper (tests)
  // Time limits. Every statement is also cut at the deadline of the call being served
  // (CurrentDeadline()); a transaction left idle is ended by the server.
  absl::Duration statement_timeout = absl::Seconds(30);
  absl::Duration idle_in_transaction_timeout = absl::Seconds(60);
  absl::Duration connect_timeout = absl::Seconds(5);
};

enum class Isolation { kReadCommitted, kRepeatableRead, kSerializable };

// Absl status for a pqxx/std exception (the SQLSTATE mapping lives in sqlstate.h).
absl::Status StatusFromException(const std::exception& e);

class Pool {
 public:
  explicit Pool(PoolOptions options, prometheus::Registry* metrics = nullptr);
  ~Pool();
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  using TxFn = std::function<absl::Status(pqxx::transaction_base&)>;

  // Runs fn in a transaction. fn returning non-OK rolls back (no retry). Retries the whole
  // transaction on 40001/40P01 and on a connection lost before commit, with jittered backoff.
  absl::Status Run(const TxFn& user_fn, Isolation isolation = Isolation::kReadCommitted);
  // Read-only convenience.
  absl::Status Read(const TxFn& fn) { return Run(fn, Isolation::kReadCommitted); }

  // A read returning a value: fn(tx, out) fills a fresh T on every attempt.
  template <typename T, typename Fn>
  absl::StatusOr<T> Fetch(Fn&& fn) {
    T out{};
    absl::Status st = Read([&](pqxx::transaction_base& tx) {
      out = T{};
      return fn(tx, out);
    });
    if (!st.ok()) return st;
    return out;
  }

  // A write returning a value, with Run's retries: fn(tx, out) fills a fresh T per attempt.
  template <typename T, typename Fn>
  absl::StatusOr<T> Write(Fn&& fn, Isolation isolation = Isolation::kReadCommitted) {
    T out{};
    absl::Status st = Run(
        [&](pqxx::transaction_base& tx) {
          out = T{};
          return fn(tx, out);
        },
        isolation);
    if (!st.ok()) return st;
    return out;
  }

  // True when a connection can run "SELECT 1" now.
  bool Ping();

  struct Stats {
    int open = 0;
    int in_use = 0;
    int max = 0;
  };
  Stats stats() const;

 private:
  class Lease;
  std::unique_ptr<pqxx::connection> AcquireRaw(absl::Status* status);
  void Release(std::unique_ptr<pqxx::connection> c, bool healthy);
  void UpdateGauges();

  PoolOptions options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::unique_ptr<pqxx::connection>> idle_;
  int open_ = 0;
  int in_use_ = 0;

  prometheus::Gauge* g_open_ = nullptr;
  prometheus::Gauge* g_in_use_ = nullptr;
  prometheus::Gauge* g_max_ = nullptr;
  prometheus::Histogram* h_tx_ = nullptr;
  prometheus::Histogram* h_wait_ = nullptr;
  prometheus::Family<prometheus::Counter>* c_errors_ = nullptr;
};

// The newest cursor of the schema's change_feed table (0 when empty): what every service's
// FeedHub polls.
absl::StatusOr<int64_t> ChangeFeedHead(Pool* pool);

}  // namespace lnob::db

#endif  // LNOB_COMMON_DB_POOL_H_
