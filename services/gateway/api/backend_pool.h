#ifndef LNOB_SERVICES_GATEWAY_API_BACKEND_POOL_H_
#define LNOB_SERVICES_GATEWAY_API_BACKEND_POOL_H_

// The backends of both gateway faces: one channel per backend address, shared by the REST
// and the gRPC face, and one health prober whose verdicts the REST face's /readyz and the
// gRPC face's health service both report. Included only by the faces and main.cc.

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "grpcpp/generic/generic_stub.h"

namespace lnob::gateway {

struct BackendPoolConfig {
  std::map<std::string, std::string> backends;  // proto service -> host:port
  int max_send_bytes = 16 << 20;                // largest request forwarded
  int max_receive_bytes = 64 << 20;             // largest response accepted (large lists)
  absl::Duration health_interval = absl::Seconds(1);
  absl::Duration health_timeout = absl::Seconds(1);
};

class BackendPool {
 public:
  explicit BackendPool(BackendPoolConfig config);
  ~BackendPool();
  BackendPool(const BackendPool&) = delete;
  BackendPool& operator=(const BackendPool&) = delete;

  const std::map<std::string, std::string>& backends() const { return config_.backends; }
  // The stub of a proto service's backend and its address; nullptr when it has none.
  grpc::GenericStub* StubFor(const std::string& service, std::string* address = nullptr) const;

  // Probes every routed service now and then every health_interval, on one thread.
  void Start();
  void Stop();
  // "" when every routed service answered SERVING at its last probe, else the first that
  // did not (never probed counts as not serving).
  std::string FirstNotServing() const;
  // fn(service, serving) after each probe, on the prober thread; also called at once with
  // the current verdicts. Returns an id for Unsubscribe.
  int Subscribe(std::function<void(const std::string&, bool)> fn);
  void Unsubscribe(int id);

 private:
  void ProbeLoop();

  const BackendPoolConfig config_;
  std::map<std::string, std::shared_ptr<grpc::Channel>> channels_;  // by address
  std::map<std::string, std::unique_ptr<grpc::GenericStub>> stubs_;  // by address
  mutable std::mutex mu_;
  std::map<std::string, bool> serving_;  // by service
  std::map<int, std::function<void(const std::string&, bool)>> listeners_;
  int next_listener_ = 0;
  absl::Notification stop_;
  std::thread prober_;
};

}  // namespace lnob::gateway

#endif  // LNOB_SERVICES_GATEWAY_API_BACKEND_POOL_H_
