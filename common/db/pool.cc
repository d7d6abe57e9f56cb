#include "common/db/pool.h"

#include <algorithm>
#include <chrono>
#include <random>
#include <thread>
#include <typeinfo>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/db/sqlstate.h"
#include "common/status/status.h"
#include "common/log/log.h"
#include "common/status/status.h"
#include "common/util/deadline.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace lnob::db {
namespace {

// Constraint names are schema identifiers (never data), so they may be reported.
std::string ConstraintOf(const std::string& what) {
  auto pos = what.find("constraint \"");
  if (pos == std::string::npos) return "";
  pos += 12;
  auto end = what.find('"', pos);
  return end == std::string::npos ? "" : what.substr(pos, end - pos);
}

absl::Status InvariantStatus(const std::string& what) {
  std::string message = what.substr(0, what.find('\n'));
  for (const char* prefix : {"ERROR:  ", "ERROR: "}) {
    if (message.rfind(prefix, 0) == 0) message = message.substr(std::string(prefix).size());
  }
  // A message that opens with its own reason code ("QUOTA: ...") gives that reason.
  std::string reason = "INVARIANT";
  const size_t colon = message.find(": ");
  if (colon >= 3 && colon <= 40 && colon != std::string::npos &&
      std::all_of(message.begin(), message.begin() + colon, [](char ch) { return (ch >= 'A' && ch <= 'Z') || ch == '_'; })) {
    reason = message.substr(0, colon);
  }
  return WithReason(absl::FailedPreconditionError(message.empty() ? "invariant violated" : message), reason);
}

const prometheus::Histogram::BucketBoundaries& LatencyBuckets() {
  static const auto* b = new prometheus::Histogram::BucketBoundaries{
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  return *b;
}

}  // namespace

absl::Status StatusFromException(const std::exception& e) {
  if (dynamic_cast<const pqxx::in_doubt_error*>(&e)) {
    return WithReason(absl::UnavailableError("database connection lost during commit; outcome unknown"),
                      "TX_IN_DOUBT");
  }
  // libpqxx 6 derives these from pqxx::failure, not from pqxx::sql_error.
  if (dynamic_cast<const pqxx::serialization_failure*>(&e)) return StatusFromSqlState("40001");
  if (dynamic_cast<const pqxx::deadlock_detected*>(&e)) return StatusFromSqlState("40P01");
  if (dynamic_cast<const pqxx::statement_completion_unknown*>(&e)) {
    return WithReason(absl::UnavailableError("database statement outcome unknown"), "TX_IN_DOUBT");
  }
  if (dynamic_cast<const pqxx::broken_connection*>(&e)) {
    return WithReason(absl::UnavailableError("database unavailable"), "DB_UNAVAILABLE");
  }
  if (const auto* se = dynamic_cast<const pqxx::sql_error*>(&e)) {
    // Our own triggers' refusals (RAISE EXCEPTION) say what rule was broken: pass the first
    // line on, so a workflow refused by the database explains itself.
    if (se->sqlstate() == "P0001") return InvariantStatus(se->what());
    return StatusFromSqlState(se->sqlstate(), ConstraintOf(se->what()));
  }
  return WithReason(absl::InternalError("database error"), "DB_ERROR");
}

Pool::Pool(PoolOptions options, prometheus::Registry* metrics) : options_(std::move(options)) {
  if (options_.max_size < 1) options_.max_size = 1;
  if (!options_.sleeper) {
    options_.sleeper = [](absl::Duration d) { absl::SleepFor(d); };
  }
  if (metrics != nullptr) {
    auto& conns = prometheus::BuildGauge()
                      .Name("lnob_db_pool_connections")
                      .Help("Connections of the PostgreSQL pool by state")
                      .Register(*metrics);
    g_open_ = &conns.Add({{"pool", options_.name}, {"state", "open"}});
    g_in_use_ = &conns.Add({{"pool", options_.name}, {"state", "in_use"}});
    g_max_ = &prometheus::BuildGauge()
                  .Name("lnob_db_pool_max_connections")
                  .Help("Configured pool size")
                  .Register(*metrics)
                  .Add({{"pool", options_.name}});
    g_max_->Set(options_.max_size);
    h_tx_ = &prometheus::BuildHistogram()
                 .Name("lnob_db_query_duration_seconds")
                 .Help("Duration of one database unit of work (transaction), including retries")
                 .Register(*metrics)
                 .Add({{"pool", options_.name}}, LatencyBuckets());
    h_wait_ = &prometheus::BuildHistogram()
                   .Name("lnob_db_pool_wait_seconds")
                   .Help("Time spent waiting for a pooled connection")
                   .Register(*metrics)
                   .Add({{"pool", options_.name}}, LatencyBuckets());
    c_errors_ = &prometheus::BuildCounter()
                     .Name("lnob_db_errors_total")
                     .Help("Database errors by status code")
                     .Register(*metrics);
  }
}

Pool::~Pool() = default;

void Pool::UpdateGauges() {
  if (g_open_) g_open_->Set(open_);
  if (g_in_use_) g_in_use_->Set(in_use_);
}

Pool::Stats Pool::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return {open_, in_use_, options_.max_size};
}

std::unique_ptr<pqxx::connection> Pool::AcquireRaw(absl::Status* status) {
  const absl::Time start = absl::Now();
  std::unique_lock<std::mutex> lock(mu_);
  const auto deadline = std::chrono::steady_clock::now() +
                        absl::ToChronoNanoseconds(options_.acquire_timeout);
  while (idle_.empty() && open_ >= options_.max_size) {
    if (cv_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
        open_ >= options_.max_size) {
      *status = WithReason(absl::ResourceExhaustedError("database pool exhausted"), "POOL_EXHAUSTED");
      return nullptr;
    }
  }
  if (h_wait_) h_wait_->Observe(absl::ToDoubleSeconds(absl::Now() - start));
  if (!idle_.empty()) {
    auto c = std::move(idle_.front());
    idle_.pop_front();
    ++in_use_;
    UpdateGauges();
    return c;
  }
  ++open_;
  ++in_use_;
  UpdateGauges();
  lock.unlock();
  try {
    std::string dsn = options_.dsn;
    if (dsn.find("connect_timeout") == std::string::npos && dsn.find("://") == std::string::npos) {
      absl::StrAppend(&dsn, " connect_timeout=", std::max<int64_t>(1, absl::ToInt64Seconds(options_.connect_timeout)));
    }
    auto c = std::make_unique<pqxx::connection>(dsn);
    // The session's settings in one round trip.
    std::string settings = absl::StrCat(
        "SET statement_timeout = ", absl::ToInt64Milliseconds(options_.statement_timeout),
        "; SET idle_in_transaction_session_timeout = ", absl::ToInt64Milliseconds(options_.idle_in_transaction_timeout));
    if (!options_.search_path.empty()) absl::StrAppend(&settings, "; SET search_path TO ", options_.search_path);
    pqxx::nontransaction(*c).exec(settings);
    return c;
  } catch (const std::exception& e) {
    lock.lock();
    --open_;
    --in_use_;
    UpdateGauges();
    cv_.notify_one();
    *status = StatusFromException(e);
    if (status->ok() || status->code() == absl::StatusCode::kInternal) {
      *status = WithReason(absl::UnavailableError("database unavailable"), "DB_UNAVAILABLE");
    }
    return nullptr;
  }
}

void Pool::Release(std::unique_ptr<pqxx::connection> c, bool healthy) {
  std::lock_guard<std::mutex> lock(mu_);
  --in_use_;
  if (healthy && c && c->is_open()) {
    idle_.push_back(std::move(c));
  } else {
    --open_;
  }
  UpdateGauges();
  cv_.notify_one();
}

absl::Status Pool::Run(const TxFn& user_fn, Isolation isolation) {
  const absl::Time start = absl::Now();
  // The call's deadline, when sooner than the session's statement_timeout, bounds every
  // statement of this transaction; a deadline already gone costs the database nothing.
  const absl::Time deadline = CurrentDeadline();
  if (deadline <= start) {
    return WithReason(absl::DeadlineExceededError("the call's deadline passed before the database was asked"),
                      "STATEMENT_TIMEOUT");
  }
  const TxFn fn = [&](pqxx::transaction_base& tx) -> absl::Status {
    const absl::Duration left = deadline - absl::Now();
    if (left < options_.statement_timeout) {
      tx.exec(absl::StrCat("SET LOCAL statement_timeout = ", std::max<int64_t>(1, absl::ToInt64Milliseconds(left))));
    }
    return user_fn(tx);
  };
  absl::Status result;
  std::mt19937 rng(std::random_device{}());
  for (int attempt = 1; attempt <= options_.max_attempts; ++attempt) {
    absl::Status acquire_status;
    auto conn = AcquireRaw(&acquire_status);
    if (!conn) {
      result = acquire_status;
      break;  // unavailable: the caller decides (health reports NOT_SERVING meanwhile)
    }
    bool healthy = true;
    bool retry = false;
    try {
      absl::Status st;
      switch (isolation) {
        case Isolation::kReadCommitted: {
          pqxx::transaction<pqxx::read_committed> tx(*conn);
          st = fn(tx);
          if (st.ok()) tx.commit();
          break;
        }
        case Isolation::kRepeatableRead: {
          pqxx::transaction<pqxx::repeatable_read> tx(*conn);
          st = fn(tx);
          if (st.ok()) tx.commit();
          break;
        }
        case Isolation::kSerializable: {
          pqxx::transaction<pqxx::serializable> tx(*conn);
          st = fn(tx);
          if (st.ok()) tx.commit();
          break;
        }
      }
      result = st;
    } catch (const pqxx::in_doubt_error& e) {
      healthy = false;
      result = StatusFromException(e);  // never retried: the commit may have happened
    } catch (const pqxx::serialization_failure& e) {
      retry = true;  // rolled back by the server: safe to run again
      result = StatusFromException(e);
    } catch (const pqxx::deadlock_detected& e) {
      retry = true;
      result = StatusFromException(e);
    } catch (const pqxx::statement_completion_unknown& e) {
      healthy = false;
      result = StatusFromException(e);
    } catch (const pqxx::broken_connection& e) {
      healthy = false;
      retry = true;  // lost before commit: nothing was written
      result = StatusFromException(e);
    } catch (const pqxx::sql_error& e) {
      retry = IsRetryableSqlState(e.sqlstate());
      result = StatusFromException(e);
    } catch (const std::exception& e) {
      healthy = conn->is_open();
      result = StatusFromException(e);
      // Not a database verdict: a bug or a usage error. Statement texts never carry values
      // (parameters travel separately), so the message is safe to log.
      log::Error("unexpected exception in a database transaction",
                 {{"pool", options_.name}, {"type", typeid(e).name()}, {"error", e.what()}});
    }
    Release(std::move(conn), healthy);
    if (!retry || attempt == options_.max_attempts) break;
    // Jittered exponential backoff: 5ms, 10ms, 20ms ... capped at 200ms.
    const int64_t base_ms = std::min<int64_t>(200, 5LL << (attempt - 1));
    options_.sleeper(absl::Milliseconds(base_ms / 2 + rng() % (base_ms / 2 + 1)));
  }
  if (h_tx_) h_tx_->Observe(absl::ToDoubleSeconds(absl::Now() - start));
  if (!result.ok() && c_errors_) {
    c_errors_->Add({{"pool", options_.name}, {"code", CodeName(result.code())}}).Increment();
  }
  return result;
}

bool Pool::Ping() {
  absl::Status st = Run([](pqxx::transaction_base& tx) {
    tx.exec("SELECT 1");
    return absl::OkStatus();
  });
  return st.ok();
}

absl::StatusOr<int64_t> ChangeFeedHead(Pool* pool) {
  return pool->Fetch<int64_t>([&](pqxx::transaction_base& tx, int64_t& out) -> absl::Status {
    out = tx.exec("SELECT coalesce(max(cursor), 0) FROM change_feed")[0][0].as<int64_t>();
    return absl::OkStatus();
  });
}

}  // namespace lnob::db
