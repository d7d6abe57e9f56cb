#ifndef LNOB_SERVICES_FUNDING_DOMAIN_FEED_CONSUMER_H_
#define LNOB_SERVICES_FUNDING_DOMAIN_FEED_CONSUMER_H_

// Follows the registry's change feed from the cursor stored in the funding schema. A
// classification change flags the household's planned support lines whose content it no
// longer qualifies for; a household merged away or dissolved flags all its planned lines.
// Flags and the cursor move in one transaction, so a restart resumes exactly after the last
// applied change. Changes are applied in batches while catching up and at once at the tail.

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "absl/time/time.h"
#include "services/funding/domain/registry_client.h"
#include "services/funding/store/funding_store.h"

namespace lnob::funding {

inline constexpr char kRegistryFeed[] = "registry.households";

class FeedConsumer {
 public:
  using Sleeper = std::function<void(absl::Duration)>;
  // sleeper: backoff between reconnects (tests pass a no-op); the default wakes on Stop().
  FeedConsumer(RegistryClient* registry, SupportStore* store, Sleeper sleeper = nullptr);
  ~FeedConsumer();

  // Applies one change (exposed for tests). Returns the lines flagged.
  absl::StatusOr<int64_t> Apply(const RegistryChange& change);
  // Reads until stop() is true or the stream ends; returns how many changes were applied.
  absl::StatusOr<int64_t> RunOnce(const std::function<bool()>& stop);

  // Background thread reconnecting with backoff until Stop().
  void Start();
  void Stop();
  int64_t cursor() const { return cursor_.load(); }
  int64_t applied() const { return applied_.load(); }
  // Age of the newest applied change when it was applied, or 0 once the consumer has been
  // connected and idle for a second; while disconnected it grows with the outage.
  double LagSeconds() const;

 private:
  absl::StatusOr<int64_t> ApplyBatch(const std::vector<RegistryChange>& batch);

  RegistryClient* registry_;
  SupportStore* store_;
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

}  // namespace lnob::funding

#endif  // LNOB_SERVICES_FUNDING_DOMAIN_FEED_CONSUMER_H_
