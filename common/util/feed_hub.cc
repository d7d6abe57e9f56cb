#include "common/util/feed_hub.h"

#include "absl/time/clock.h"

namespace lnob {

FeedHub::FeedHub(std::function<absl::StatusOr<int64_t>()> head, absl::Duration poll)
    : head_fn_(std::move(head)), poll_(poll), thread_([this] { Loop(); }) {}

FeedHub::~FeedHub() {
  {
    absl::MutexLock l(&mu_);
    stop_ = true;
  }
  thread_.join();
}

void FeedHub::Loop() {
  absl::MutexLock l(&mu_);
  while (true) {
    // Sleeps while nobody waits: no stream, no query.
    auto someone_waits = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stop_ || waiters_ > 0; };
    mu_.Await(absl::Condition(&someone_waits));
    if (stop_) return;
    ++polls_;
    mu_.Unlock();
    auto head = head_fn_();  // a failed read keeps the last head; streams retry after max_wait
    mu_.Lock();
    if (head.ok() && *head > head_) head_ = *head;
    if (stop_) return;
    // The next poll after `poll_`, unless stopping.
    auto stopping = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stop_; };
    mu_.AwaitWithTimeout(absl::Condition(&stopping), poll_);
  }
}

void FeedHub::WaitBeyond(int64_t cursor, absl::Duration max_wait) {
  absl::MutexLock l(&mu_);
  ++waiters_;
  auto moved = [this, cursor]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stop_ || head_ > cursor; };
  mu_.AwaitWithTimeout(absl::Condition(&moved), max_wait);
  --waiters_;
}

int64_t FeedHub::polls() const {
  absl::MutexLock l(&mu_);
  return polls_;
}

}  // namespace lnob
