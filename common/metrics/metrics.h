#ifndef LNOB_COMMON_METRICS_METRICS_H_
#define LNOB_COMMON_METRICS_METRICS_H_

// Prometheus metrics of one process: the registry, its HTTP endpoint and the standard gRPC
// server metrics (names as in go-grpc-prometheus so that stock dashboards work).

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace prometheus {
class Registry;
class Exposer;
}  // namespace prometheus

namespace lnob::metrics {

class Metrics {
 public:
  Metrics(absl::string_view service, absl::string_view version, absl::string_view commit);
  ~Metrics();

  // Serves /metrics on address ("host:port", port 0 = any). Returns the bound port.
  absl::StatusOr<int> Serve(const std::string& address);

  prometheus::Registry& registry() { return *registry_; }
  std::shared_ptr<prometheus::Registry> shared_registry() { return registry_; }

  // grpc_type: unary | client_stream | server_stream | bidi_stream
  void RpcStarted(absl::string_view type, absl::string_view service, absl::string_view method);
  void RpcHandled(absl::string_view type, absl::string_view service, absl::string_view method,
                  absl::string_view code, double seconds);

 private:
  struct Families;
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  std::unique_ptr<Families> f_;
};

}  // namespace lnob::metrics

#endif  // LNOB_COMMON_METRICS_METRICS_H_
