#ifndef LNOB_COMMON_SERVER_RUNNER_H_
#define LNOB_COMMON_SERVER_RUNNER_H_

// Runs one service process: gRPC server (health, reflection, keepalive, size limits), the
// call interceptor (identity, metrics, access log, request/trace ids), the Prometheus
// endpoint and graceful shutdown. Included by main.cc files and in-process tests only.

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "common/auth/policy.h"
#include "common/metrics/metrics.h"
#include "common/server/config.h"
#include "common/util/clock.h"
#include "common/util/periodic.h"

namespace grpc {
class Server;
class Service;
}  // namespace grpc
namespace google::protobuf {
class ServiceDescriptor;
}  // namespace google::protobuf

namespace lnob::server {

class ServerRunner {
 public:
  // config must be valid (ServerConfig::Validate). Keys and policy are loaded by Init().
  explicit ServerRunner(ServerConfig config, const Clock& clock = RealClock::Get());
  ~ServerRunner();

  // Loads the JWT key set and starts the metrics endpoint. Errors are start-up errors.
  absl::Status Init();
  metrics::Metrics& metrics() { return host_metrics_ != nullptr ? *host_metrics_ : *metrics_; }
  // For a service embedded in another process (the gateway's admin API): logging is already
  // set up, and the gRPC metrics go to the host's `metrics`, served by the host, instead of an
  // endpoint of their own. Call before Init().
  void EmbedIn(metrics::Metrics* metrics) { host_metrics_ = metrics; }

  // Registers a generated adapter (`<Service>Adapter<Logic>`, see protoc-gen-lnob): its name
  // and method policies come from the service's descriptor, never from a string. The service
  // must outlive the runner. Errors (before Init(), a method without an access policy) name
  // the problem and are repeated by Start(), so a misregistered service never serves.
  template <typename Adapter>
  absl::Status Add(Adapter* service) {
    return AddService(service, Adapter::descriptor());
  }
  absl::Status AddService(grpc::Service* service,
                          const google::protobuf::ServiceDescriptor* descriptor);
  // Called every health_interval; false -> every service NOT_SERVING (e.g. DB unreachable).
  void SetReadinessProbe(std::function<bool()> probe) { probe_ = std::move(probe); }

  absl::Status Start();
  int grpc_port() const { return grpc_port_; }
  int metrics_port() const { return metrics_port_; }

  // NOT_SERVING -> wait shutdown_grace -> drain in-flight calls up to drain_timeout -> stop.
  void Shutdown();
  // Blocks until SIGTERM/SIGINT (see BlockTerminationSignals), then Shutdown().
  void RunUntilSignal();

 private:
  void SetServing(bool serving);

  ServerConfig config_;
  const Clock& clock_;
  std::unique_ptr<metrics::Metrics> metrics_;
  metrics::Metrics* host_metrics_ = nullptr;
  std::unique_ptr<auth::Authorizer> authorizer_;
  std::vector<std::pair<grpc::Service*, std::string>> services_;
  absl::Status registration_error_;  // the first failed AddService, returned by Start()
  std::function<bool()> probe_;
  std::unique_ptr<grpc::Server> server_;
  int grpc_port_ = 0;
  int metrics_port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> last_serving_{-1};
  std::unique_ptr<PeriodicTask> health_;
  bool shut_down_ = false;
};

}  // namespace lnob::server

#endif  // LNOB_COMMON_SERVER_RUNNER_H_
