#ifndef LNOB_COMMON_UTIL_TASK_RUNNER_H_
#define LNOB_COMMON_UTIL_TASK_RUNNER_H_

// Where long-running operations (report compositions, simulations) run: each task on its own
// thread; finished threads are joined as new tasks start, the rest when the runner is joined or
// destroyed (so no task outlives the logic and store it uses).

#include <atomic>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <thread>

namespace lnob {

class TaskRunner {
 public:
  virtual ~TaskRunner() = default;
  virtual void Run(std::function<void()> task) = 0;
  // Runs `task` unless `limit` tasks are running already (checked and started at once, so two
  // callers never both take the last place); false when it was not started.
  virtual bool TryRun(int limit, std::function<void()> task) = 0;
  // Tasks started and not yet finished.
  virtual int Running() = 0;
};

class ThreadTaskRunner final : public TaskRunner {
 public:
  ThreadTaskRunner() = default;
  ThreadTaskRunner(const ThreadTaskRunner&) = delete;
  ThreadTaskRunner& operator=(const ThreadTaskRunner&) = delete;
  ~ThreadTaskRunner() override { Join(); }

  void Run(std::function<void()> task) override {
    std::lock_guard<std::mutex> lock(mu_);
    Reap();
    Start(std::move(task));
  }
  bool TryRun(int limit, std::function<void()> task) override {
    std::lock_guard<std::mutex> lock(mu_);
    Reap();
    if (static_cast<int>(threads_.size()) >= limit) return false;
    Start(std::move(task));
    return true;
  }
  int Running() override {
    std::lock_guard<std::mutex> lock(mu_);
    Reap();
    return static_cast<int>(threads_.size());
  }
  // Waits for every task started so far.
  void Join() {
    std::list<Worker> threads;
    {
      std::lock_guard<std::mutex> lock(mu_);
      threads.swap(threads_);
    }
    for (auto& w : threads) w.thread.join();
  }

 private:
  struct Worker {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  // Holds mu_.
  void Start(std::function<void()> task) {
    auto done = std::make_shared<std::atomic<bool>>(false);
    threads_.push_back({std::thread([task = std::move(task), done] {
                          task();
                          done->store(true);
                        }),
                        done});
  }
  // Joins the threads whose task has returned (they are ending or ended). Holds mu_.
  void Reap() {
    for (auto it = threads_.begin(); it != threads_.end();) {
      if (it->done->load()) {
        it->thread.join();
        it = threads_.erase(it);
      } else {
        ++it;
      }
    }
  }

  std::mutex mu_;
  std::list<Worker> threads_;
};

}  // namespace lnob

#endif  // LNOB_COMMON_UTIL_TASK_RUNNER_H_
