#ifndef LNOB_SERVICES_GATEWAY_API_GRPC_PASSTHROUGH_H_
#define LNOB_SERVICES_GATEWAY_API_GRPC_PASSTHROUGH_H_

// gRPC face of the gateway: forwards any method of a routed proto service to its backend
// as raw bytes (no message parsing), for unary and all streaming shapes, after verifying the
// caller exactly like the REST face. grpcpp stays inside the .cc (pimpl).

#include <map>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/metrics/metrics.h"
#include "services/gateway/api/tls_config.h"

namespace google::protobuf {
class DescriptorPool;
}

namespace lnob::gateway {

class Admission;
class BackendPool;

struct PassthroughConfig {
  std::string listen_host = "0.0.0.0";
  int grpc_port = 9090;                          // 0 = pick a free port
  // Cap on the deadline of unary calls; streams keep the caller's (a change feed may be
  // watched for hours).
  absl::Duration unary_timeout = absl::Seconds(10);
  int max_message_bytes = 16 << 20;
  absl::Duration drain_timeout = absl::Seconds(5);    // in-flight calls at Stop()
  // Calls open at once (streams included); more are refused with RESOURCE_EXHAUSTED
  // (reason OVERLOADED) before anything else is looked at.
  int max_concurrent_requests = 1000;
  // Per client connection (see common/server/config.h): streams open at once, and the age
  // after which it is closed with a grace for its calls, which bounds every stream.
  int max_concurrent_streams = 100;
  absl::Duration max_connection_age = absl::Minutes(30);
  absl::Duration max_connection_age_grace = absl::Minutes(30);
  TlsConfig tls;  // enabled(): TLS only; mutual(): client certificates required

  // Every problem found, one per line (empty when valid).
  absl::Status Validate() const;
};

class GrpcPassthrough {
 public:
  // pool: descriptors of the routed services (call shape). admission: identity, permission
  // and rate, decided before a backend is contacted (shared with the REST face). backends:
  // the routed services' channels and health (shared with the REST face).
  GrpcPassthrough(PassthroughConfig config, const google::protobuf::DescriptorPool* pool,
                  metrics::Metrics* metrics, Admission* admission, BackendPool* backends);
  ~GrpcPassthrough();
  GrpcPassthrough(const GrpcPassthrough&) = delete;
  GrpcPassthrough& operator=(const GrpcPassthrough&) = delete;

  absl::Status Start();
  // Health NOT_SERVING, then in-flight calls get drain_timeout before they are cancelled.
  void Stop();
  int port() const { return port_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
};

}  // namespace lnob::gateway

#endif  // LNOB_SERVICES_GATEWAY_API_GRPC_PASSTHROUGH_H_
