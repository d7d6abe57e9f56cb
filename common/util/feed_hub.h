#ifndef LNOB_COMMON_UTIL_FEED_HUB_H_
#define LNOB_COMMON_UTIL_FEED_HUB_H_

// One reader of the change feed's head for every WatchChanges stream: an idle stream waits on
// this hub instead of asking PostgreSQL ten times a second, so a hundred idle streams cost one
// cheap query per poll interval, not a hundred. A stream reads the feed itself only when the
// head has moved past its cursor. No gRPC, no SQL.

#include <cstdint>
#include <functional>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace lnob {

class FeedHub {
 public:
  // head: the newest committed cursor (0 when the feed is empty).
  explicit FeedHub(std::function<absl::StatusOr<int64_t>()> head, absl::Duration poll = absl::Milliseconds(100));
  ~FeedHub();
  FeedHub(const FeedHub&) = delete;
  FeedHub& operator=(const FeedHub&) = delete;

  // Returns once the feed's head is past `cursor`, or after `max_wait` (the caller then checks
  // whether its stream was cancelled and waits again).
  void WaitBeyond(int64_t cursor, absl::Duration max_wait);

  int64_t polls() const;  // head queries made so far (tests, metrics)

 private:
  void Loop();

  std::function<absl::StatusOr<int64_t>()> head_fn_;
  const absl::Duration poll_;
  mutable absl::Mutex mu_;
  int64_t head_ ABSL_GUARDED_BY(mu_) = -1;  // -1: not read yet
  int waiters_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t polls_ ABSL_GUARDED_BY(mu_) = 0;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

// The body of every WatchChanges: reads the feed after `from` in pages of 500 (`read(after,
// limit)` returns events with a `cursor()`), writes those `visible(event)` accepts (the
// caller's area) to `sink` (Write, Cancelled), and waits on `hub` when nothing is new, until
// the caller goes away.
template <typename Sink, typename Read, typename Visible>
absl::Status StreamFeed(FeedHub& hub, int64_t from, Sink& sink, Read&& read, Visible&& visible) {
  int64_t cursor = from;
  while (!sink.Cancelled()) {
    auto events = read(cursor, 500);
    if (!events.ok()) return events.status();
    for (const auto& e : *events) {
      cursor = e.cursor();
      if (!visible(e)) continue;
      if (!sink.Write(e)) return absl::OkStatus();
    }
    // Nothing new: wait on the shared poller, not on a query of this stream's own.
    if (events->empty()) hub.WaitBeyond(cursor, absl::Seconds(1));
  }
  return absl::OkStatus();
}

}  // namespace lnob

#endif  // LNOB_COMMON_UTIL_FEED_HUB_H_
