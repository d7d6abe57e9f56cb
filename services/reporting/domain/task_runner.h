#ifndef LNOB_SERVICES_REPORTING_DOMAIN_TASK_RUNNER_H_
#define LNOB_SERVICES_REPORTING_DOMAIN_TASK_RUNNER_H_

// Where long-running compositions run: each task on its own thread, joined when the runner is
// destroyed (so no task outlives the logic and store it uses).

#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace lnob::reporting {

class TaskRunner {
 public:
  virtual ~TaskRunner() = default;
  virtual void Run(std::function<void()> task) = 0;
};

class ThreadTaskRunner final : public TaskRunner {
 public:
  ThreadTaskRunner() = default;
  ThreadTaskRunner(const ThreadTaskRunner&) = delete;
  ThreadTaskRunner& operator=(const ThreadTaskRunner&) = delete;
  ~ThreadTaskRunner() override { Join(); }

  void Run(std::function<void()> task) override {
    std::lock_guard<std::mutex> lock(mu_);
    threads_.emplace_back(std::move(task));
  }
  // Waits for every task started so far.
  void Join() {
    std::vector<std::thread> threads;
    {
      std::lock_guard<std::mutex> lock(mu_);
      threads.swap(threads_);
    }
    for (auto& t : threads) t.join();
  }

 private:
  std::mutex mu_;
  std::vector<std::thread> threads_;
};

}  // namespace lnob::reporting

#endif  // LNOB_SERVICES_REPORTING_DOMAIN_TASK_RUNNER_H_
