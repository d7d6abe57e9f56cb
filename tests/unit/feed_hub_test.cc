// The shared change-feed poller: idle streams wait on it without querying, and all of them
// wake when the head moves.

#include "common/util/feed_hub.h"

#include <atomic>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace lnob {
namespace {

TEST(FeedHub, ManyIdleStreamsShareOnePollerAndAllWakeWhenTheHeadMoves) {
  std::atomic<int64_t> head{5};
  std::atomic<int> queries{0};
  FeedHub hub(
      [&]() -> absl::StatusOr<int64_t> {
        ++queries;
        return head.load();
      },
      absl::Milliseconds(20));
  // Nobody waits: nobody queries.
  absl::SleepFor(absl::Milliseconds(100));
  EXPECT_EQ(queries.load(), 0);
  // Fifty streams at cursor 5 wait; the head moves to 6; each wakes and returns.
  constexpr int kStreams = 50;
  std::atomic<int> woke{0};
  std::vector<std::thread> streams;
  for (int i = 0; i < kStreams; ++i) {
    streams.emplace_back([&] {
      hub.WaitBeyond(5, absl::Seconds(30));
      ++woke;
    });
  }
  absl::SleepFor(absl::Milliseconds(200));
  EXPECT_EQ(woke.load(), 0);
  const int64_t polls_while_idle = hub.polls();
  head = 6;
  for (auto& t : streams) t.join();
  EXPECT_EQ(woke.load(), kStreams);
  // The poller queried once per interval for all fifty, not once per stream per interval:
  // per-stream polling would have made at least kStreams queries already.
  EXPECT_LT(polls_while_idle, kStreams);
  EXPECT_EQ(queries.load(), hub.polls());
  // A stream already behind the head returns at once.
  const absl::Time t0 = absl::Now();
  hub.WaitBeyond(0, absl::Seconds(30));
  EXPECT_LT(absl::Now() - t0, absl::Seconds(30));
}

TEST(FeedHub, AFailingHeadQueryOnlyDelaysTheWaiters) {
  FeedHub hub([]() -> absl::StatusOr<int64_t> { return absl::UnavailableError("database down"); },
              absl::Milliseconds(10));
  hub.WaitBeyond(0, absl::Milliseconds(100));  // returns after max_wait: the caller re-checks
  EXPECT_GT(hub.polls(), 0);
}

}  // namespace
}  // namespace lnob
