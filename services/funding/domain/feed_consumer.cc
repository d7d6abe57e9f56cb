#include "services/funding/domain/feed_consumer.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/log/log.h"

namespace lnob::funding {
namespace {

constexpr size_t kBatch = 500;
constexpr absl::Duration kFlushEvery = absl::Milliseconds(200);

FeedChange ToFeedChange(const RegistryChange& c) {
  FeedChange f;
  f.cursor = c.cursor;
  if (c.kind == "CLASSIFICATION_CHANGED") {
    f.household_id = c.household_id;
    f.classification = c.classification;
    f.reason = absl::StrCat("registry: classification changed from ", c.previous_classification, " to ",
                            c.classification, " (change ", c.cursor, ")");
  } else if (c.kind == "HOUSEHOLD_MERGED" || c.kind == "HOUSEHOLD_DISSOLVED") {
    f.household_id = c.household_id;
    f.closed = true;
    f.reason = absl::StrCat("registry: household closed (", c.kind, ", change ", c.cursor, ")");
    // The household that stays keeps the closed one's ledger history.
    if (c.kind == "HOUSEHOLD_MERGED" && !c.related_household_id.empty()) {
      f.lineage_household_id = c.related_household_id;
      f.ancestor_id = c.household_id;
    }
  } else if (c.kind == "HOUSEHOLD_SPLIT" && !c.related_household_id.empty()) {
    f.lineage_household_id = c.household_id;  // the new household keeps the original's history
    f.ancestor_id = c.related_household_id;
  }
  return f;
}

}  // namespace

FeedConsumer::FeedConsumer(RegistryClient* registry, SupportStore* store, Sleeper sleeper)
    : registry_(registry), store_(store), sleeper_(std::move(sleeper)) {
  if (!sleeper_) {
    sleeper_ = [this](absl::Duration d) {
      std::unique_lock<std::mutex> lock(stop_mu_);
      stop_cv_.wait_for(lock, absl::ToChronoMilliseconds(d), [this] { return stop_.load(); });
    };
  }
}

FeedConsumer::~FeedConsumer() { Stop(); }

absl::StatusOr<int64_t> FeedConsumer::ApplyBatch(const std::vector<RegistryChange>& batch) {
  if (batch.empty()) return 0;
  std::vector<FeedChange> changes;
  changes.reserve(batch.size());
  for (const auto& c : batch) changes.push_back(ToFeedChange(c));
  auto flagged = store_->ApplyChanges(kRegistryFeed, changes);
  if (!flagged.ok()) return flagged;
  cursor_.store(batch.back().cursor);
  applied_.fetch_add(static_cast<int64_t>(batch.size()));
  const absl::Time now = absl::Now();
  if (batch.back().event_time != absl::InfinitePast()) {
    last_lag_ms_.store(std::max<int64_t>(0, absl::ToInt64Milliseconds(now - batch.back().event_time)));
  }
  last_event_ms_.store(absl::ToUnixMillis(now));
  return flagged;
}

absl::StatusOr<int64_t> FeedConsumer::Apply(const RegistryChange& change) { return ApplyBatch({change}); }

absl::StatusOr<int64_t> FeedConsumer::RunOnce(const std::function<bool()>& stop) {
  auto from = store_->FeedCursor(kRegistryFeed);
  if (!from.ok()) return from.status();
  cursor_.store(*from);
  int64_t applied = 0;
  absl::Status failed;
  std::mutex mu;  // guards buffer, failed, applied
  std::vector<RegistryChange> buffer;
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
  absl::Status st = registry_->Watch(
      *from,
      [&](const RegistryChange& change) {
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
  {
    std::lock_guard<std::mutex> lock(stop_mu_);
    stop_.store(true);
  }
  stop_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace lnob::funding
