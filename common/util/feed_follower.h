#ifndef LNOB_COMMON_UTIL_FEED_FOLLOWER_H_
#define LNOB_COMMON_UTIL_FEED_FOLLOWER_H_

// Follows another service's change feed from a cursor kept in this service's own schema: the
// one consumer loop of every feed a service reads. Changes are applied in batches while
// catching up and at once at the tail; the apply step moves the stored cursor in the same
// transaction as its effects, so a restart resumes exactly after the last applied change. A
// broken stream is reopened with backoff until Stop(). No gRPC, no SQL: the source (Watch)
// and the sink (Apply) are functions.
//
// Change must have `int64_t cursor` and `absl::Time event_time` (InfinitePast when unknown).

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/log/log.h"

namespace lnob {

template <typename Change>
class FeedFollower {
 public:
  using Sink = std::function<bool(const Change&)>;
  using Stop = std::function<bool()>;
  struct Ops {
    std::string name;  // for logs, e.g. "registry.households"
    // The stored cursor (0 before the first change).
    std::function<absl::StatusOr<int64_t>()> load_cursor;
    // Delivers changes with cursor > from until the sink returns false, stop() turns true or
    // the stream breaks (the error is returned).
    std::function<absl::Status(int64_t from, const Sink& sink, const Stop& stop)> watch;
    // Applies a batch and stores its last cursor, in one transaction; returns what it counts
    // (e.g. lines flagged).
    std::function<absl::StatusOr<int64_t>(const std::vector<Change>&)> apply;
  };
  using Sleeper = std::function<void(absl::Duration)>;

  // sleeper: backoff between reconnects (tests pass a no-op); the default wakes on Stop().
  explicit FeedFollower(Ops ops, Sleeper sleeper = nullptr) : ops_(std::move(ops)), sleeper_(std::move(sleeper)) {
    if (!sleeper_) {
      sleeper_ = [this](absl::Duration d) {
        std::unique_lock<std::mutex> lock(stop_mu_);
        stop_cv_.wait_for(lock, absl::ToChronoMilliseconds(d), [this] { return stop_.load(); });
      };
    }
  }
  ~FeedFollower() { StopThread(); }
  FeedFollower(const FeedFollower&) = delete;
  FeedFollower& operator=(const FeedFollower&) = delete;

  absl::StatusOr<int64_t> ApplyBatch(const std::vector<Change>& batch) {
    if (batch.empty()) return 0;
    auto counted = ops_.apply(batch);
    if (!counted.ok()) return counted;
    cursor_.store(batch.back().cursor);
    applied_.fetch_add(static_cast<int64_t>(batch.size()));
    const absl::Time now = absl::Now();
    if (batch.back().event_time != absl::InfinitePast()) {
      last_lag_ms_.store(std::max<int64_t>(0, absl::ToInt64Milliseconds(now - batch.back().event_time)));
    }
    last_event_ms_.store(absl::ToUnixMillis(now));
    return counted;
  }

  // Reads until stop() is true or the stream ends; returns how many changes were applied.
  absl::StatusOr<int64_t> RunOnce(const Stop& stop) {
    auto from = ops_.load_cursor();
    if (!from.ok()) return from.status();
    cursor_.store(*from);
    int64_t applied = 0;
    absl::Status failed;
    std::mutex mu;  // guards buffer, failed, applied
    std::vector<Change> buffer;
    auto flush = [&]() -> bool {  // with mu held
      if (buffer.empty() || !failed.ok()) return failed.ok();
      auto r = ApplyBatch(buffer);
      if (!r.ok()) {
        failed = r.status();
        return false;
      }
      applied += static_cast<int64_t>(buffer.size());
      buffer.clear();
      return true;
    };
    // While catching up, changes are applied in batches; the flusher applies what is left
    // once the stream goes quiet.
    std::atomic<bool> finished{false};
    std::thread flusher([&] {
      while (!finished.load()) {
        absl::SleepFor(kFlushEvery);
        std::lock_guard<std::mutex> lock(mu);
        flush();
      }
    });
    connected_.store(true);
    absl::Status st = ops_.watch(
        *from,
        [&](const Change& change) {
          std::lock_guard<std::mutex> lock(mu);
          if (!failed.ok()) return false;
          buffer.push_back(change);
          const bool tail = change.event_time == absl::InfinitePast() ||
                            absl::Now() - change.event_time < absl::Seconds(2);
          if (buffer.size() >= kBatch || tail) return flush();
          return true;
        },
        stop);
    finished.store(true);
    flusher.join();
    {
      std::lock_guard<std::mutex> lock(mu);
      flush();
    }
    // The outage starts when the connection is first lost, not at each failed reconnect.
    if (connected_.exchange(false) || down_since_ms_.load() == 0) {
      down_since_ms_.store(absl::ToUnixMillis(absl::Now()));
    }
    if (!failed.ok()) return failed;
    if (!st.ok()) return st;
    return applied;
  }

  // Background thread reconnecting with backoff until StopThread().
  void Start() {
    thread_ = std::thread([this] {
      absl::Duration backoff = absl::Milliseconds(200);
      while (!stop_.load()) {
        auto r = RunOnce([this] { return stop_.load(); });
        if (stop_.load()) break;
        if (!r.ok()) {
          log::Warn("change feed consumer", {{"feed", ops_.name}, {"error", std::string(r.status().message())}});
          sleeper_(backoff);
          backoff = std::min(backoff * 2, absl::Seconds(10));
        } else {
          backoff = absl::Milliseconds(200);
          sleeper_(absl::Milliseconds(200));
        }
      }
    });
  }

  void StopThread() {
    {
      std::lock_guard<std::mutex> lock(stop_mu_);
      stop_.store(true);
    }
    stop_cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

  int64_t cursor() const { return cursor_.load(); }
  int64_t applied() const { return applied_.load(); }
  // Age of the newest applied change when it was applied, or 0 once the consumer has been
  // connected and idle for a second; while disconnected it grows with the outage.
  double LagSeconds() const {
    const int64_t now = absl::ToUnixMillis(absl::Now());
    const int64_t down = down_since_ms_.load();
    if (!connected_.load() && down > 0) return static_cast<double>(last_lag_ms_.load() + now - down) / 1000.0;
    if (now - last_event_ms_.load() > 1000) return 0.0;
    return static_cast<double>(last_lag_ms_.load()) / 1000.0;
  }

 private:
  static constexpr size_t kBatch = 500;
  static constexpr absl::Duration kFlushEvery = absl::Milliseconds(200);

  Ops ops_;
  Sleeper sleeper_;
  std::atomic<bool> stop_{false};
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  std::atomic<int64_t> cursor_{0};
  std::atomic<int64_t> applied_{0};
  std::thread thread_;
  std::atomic<bool> connected_{false};
  std::atomic<int64_t> last_lag_ms_{0};
  std::atomic<int64_t> last_event_ms_{0};   // wall time of the last applied change
  std::atomic<int64_t> down_since_ms_{0};   // 0 until the first lost connection
};

}  // namespace lnob

#endif  // LNOB_COMMON_UTIL_FEED_FOLLOWER_H_
