#include "common/util/periodic.h"

#include "common/log/log.h"

namespace lnob {

PeriodicTask::PeriodicTask(const Clock& clock, absl::Duration interval, std::function<void()> fn,
                           absl::Duration tick, bool run_at_once)
    : clock_(clock), interval_(interval), tick_(tick), fn_(std::move(fn)) {
  thread_ = std::thread([this, run_at_once] {
    absl::Time next = run_at_once ? clock_.Now() : clock_.Now() + interval_;
    std::unique_lock<std::mutex> l(mu_);
    while (!stop_) {
      if (clock_.Now() >= next) {
        l.unlock();
        fn_();
        l.lock();
        ++runs_;
        next = clock_.Now() + interval_;
        cv_.notify_all();
        continue;
      }
      cv_.wait_for(l, absl::ToChronoNanoseconds(tick_), [this] { return stop_; });
    }
  });
}

PeriodicTask::~PeriodicTask() { Stop(); }

void PeriodicTask::Stop() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

int PeriodicTask::runs() const {
  std::lock_guard<std::mutex> l(mu_);
  return runs_;
}

std::unique_ptr<PeriodicTask> RefreshEvery(const Clock& clock, absl::Duration interval,
                                           std::function<absl::Status()> refresh) {
  return std::make_unique<PeriodicTask>(clock, interval, [refresh = std::move(refresh)] {
    if (auto st = refresh(); !st.ok()) {
      log::Warn("business metrics refresh failed", {{"error", std::string(st.message())}});
    }
  });
}

}  // namespace lnob
