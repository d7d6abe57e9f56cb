#ifndef LNOB_SERVICES_FUNDING_DOMAIN_FEED_CONSUMER_H_
#define LNOB_SERVICES_FUNDING_DOMAIN_FEED_CONSUMER_H_

// Follows the registry's change feed from the cursor stored in the funding schema. A
// classification change flags the household's planned support lines whose content it no
// longer qualifies for; a household merged away or dissolved flags all its planned lines.
// Flags and the cursor move in one transaction, so a restart resumes exactly after the last
// applied change. Changes are applied in batches while catching up and at once at the tail.

#include <functional>
#include <memory>

#include "absl/time/time.h"
#include "common/util/feed_follower.h"
#include "services/funding/domain/inspection_feed.h"
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
  absl::StatusOr<int64_t> RunOnce(const std::function<bool()>& stop) { return follower_.RunOnce(stop); }

  // Background thread reconnecting with backoff until Stop().
  void Start() { follower_.Start(); }
  void Stop() { follower_.StopThread(); }
  int64_t cursor() const { return follower_.cursor(); }
  int64_t applied() const { return follower_.applied(); }
  // Age of the newest applied change when it was applied, or 0 once the consumer has been
  // connected and idle for a second; while disconnected it grows with the outage.
  double LagSeconds() const { return follower_.LagSeconds(); }

 private:
  FeedFollower<RegistryChange> follower_;
};

// Follows inspection's feed the same way: holds placed and lifted on support lines, money
// recovered (SupportStore::ApplyInspectionChanges), with the cursor kept under
// kInspectionFeed.
using InspectionFollower = FeedFollower<InspectionChange>;
std::unique_ptr<InspectionFollower> NewInspectionFollower(InspectionFeed* feed, SupportStore* store,
                                                          InspectionFollower::Sleeper sleeper = nullptr);

}  // namespace lnob::funding

#endif  // LNOB_SERVICES_FUNDING_DOMAIN_FEED_CONSUMER_H_
