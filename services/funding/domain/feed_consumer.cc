#include "services/funding/domain/feed_consumer.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/log/log.h"

namespace lnob::funding {

FeedConsumer::FeedConsumer(RegistryClient* registry, FundingStore* store, Sleeper sleeper)
    : registry_(registry), store_(store), sleeper_(std::move(sleeper)) {
  if (!sleeper_) sleeper_ = [](absl::Duration d) { absl::SleepFor(d); };
}

FeedConsumer::~FeedConsumer() { Stop(); }

absl::StatusOr<int64_t> FeedConsumer::Apply(const RegistryChange& change) {
  std::string household, reason;
  if (change.kind == "CLASSIFICATION_CHANGED") {
    household = change.household_id;
    reason = absl::StrCat("registry: classification changed from ", change.previous_classification, " to ",
                          change.classification, " (change ", change.cursor, ")");
  }
  auto flagged = store_->ApplyChange(kRegistryFeed, change.cursor, household, change.classification, reason);
  if (flagged.ok()) {
    cursor_.store(change.cursor);
    applied_.fetch_add(1);
    const absl::Time now = absl::Now();
    if (change.event_time != absl::InfinitePast()) {
      last_lag_ms_.store(std::max<int64_t>(0, absl::ToInt64Milliseconds(now - change.event_time)));
    }
    last_event_ms_.store(absl::ToUnixMillis(now));
  }
  return flagged;
}

absl::StatusOr<int64_t> FeedConsumer::RunOnce(const std::function<bool()>& stop) {
  auto from = store_->FeedCursor(kRegistryFeed);
  if (!from.ok()) return from.status();
  cursor_.store(*from);
  int64_t applied = 0;
  absl::Status failed;
  connected_.store(true);
  absl::Status st = registry_->Watch(
      *from,
      [&](const RegistryChange& change) {
        auto r = Apply(change);
        if (!r.ok()) {
          failed = r.status();
          return false;
        }
        ++applied;
        return true;
      },
      stop);
  // The outage starts when the connection is first lost, not at each failed reconnect.
  if (connected_.exchange(false) || down_since_ms_.load() == 0) {
    down_since_ms_.store(absl::ToUnixMillis(absl::Now()));
  }
  if (!failed.ok()) return failed;
  if (!st.ok()) return st;
  return applied;
}

double FeedConsumer::LagSeconds() const {
  const int64_t now = absl::ToUnixMillis(absl::Now());
  const int64_t down = down_since_ms_.load();
  if (!connected_.load() && down > 0) return static_cast<double>(last_lag_ms_.load() + now - down) / 1000.0;
  if (now - last_event_ms_.load() > 1000) return 0.0;
  return static_cast<double>(last_lag_ms_.load()) / 1000.0;
}

void FeedConsumer::Start() {
  thread_ = std::thread([this] {
    absl::Duration backoff = absl::Milliseconds(200);
    while (!stop_.load()) {
      auto r = RunOnce([this] { return stop_.load(); });
      if (stop_.load()) break;
      if (!r.ok()) {
        log::Warn("change feed consumer", {{"feed", kRegistryFeed}, {"error", std::string(r.status().message())}});
        sleeper_(backoff);
        backoff = std::min(backoff * 2, absl::Seconds(10));
      } else {
        backoff = absl::Milliseconds(200);
        sleeper_(absl::Milliseconds(200));
      }
    }
  });
}

void FeedConsumer::Stop() {
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
}

}  // namespace lnob::funding
