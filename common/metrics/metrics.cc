#include "common/metrics/metrics.h"

#include "absl/strings/str_cat.h"
#include "prometheus/counter.h"
#include "prometheus/exposer.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace lnob::metrics {

struct Metrics::Families {
  prometheus::Family<prometheus::Counter>* started;
  prometheus::Family<prometheus::Counter>* handled;
  prometheus::Family<prometheus::Histogram>* seconds;
};

Metrics::Metrics(absl::string_view service, absl::string_view version, absl::string_view commit)
    : registry_(std::make_shared<prometheus::Registry>()), f_(std::make_unique<Families>()) {
  f_->started = &prometheus::BuildCounter()
                     .Name("grpc_server_started_total")
                     .Help("Total number of RPCs started on the server.")
                     .Register(*registry_);
  f_->handled = &prometheus::BuildCounter()
                     .Name("grpc_server_handled_total")
                     .Help("Total number of RPCs completed on the server, regardless of success or failure.")
                     .Register(*registry_);
  f_->seconds = &prometheus::BuildHistogram()
                     .Name("grpc_server_handling_seconds")
                     .Help("Histogram of response latency (seconds) of gRPC that had been application-level handled by the server.")
                     .Register(*registry_);
  prometheus::BuildGauge()
      .Name("lnob_build_info")
      .Help("Build of the running binary (value is always 1).")
      .Register(*registry_)
      .Add({{"service", std::string(service)},
            {"version", std::string(version)},
            {"commit", std::string(commit)}})
      .Set(1);
}

Metrics::~Metrics() = default;

absl::StatusOr<int> Metrics::Serve(const std::string& address) {
  try {
    exposer_ = std::make_unique<prometheus::Exposer>(address);
  } catch (const std::exception& e) {
    return absl::UnavailableError(absl::StrCat("metrics endpoint ", address, ": ", e.what()));
  }
  exposer_->RegisterCollectable(registry_);
  auto ports = exposer_->GetListeningPorts();
  return ports.empty() ? 0 : ports.front();
}

void Metrics::RpcStarted(absl::string_view type, absl::string_view service,
                         absl::string_view method) {
  f_->started
      ->Add({{"grpc_type", std::string(type)},
             {"grpc_service", std::string(service)},
             {"grpc_method", std::string(method)}})
      .Increment();
}

void Metrics::RpcHandled(absl::string_view type, absl::string_view service,
                         absl::string_view method, absl::string_view code, double seconds) {
  f_->handled
      ->Add({{"grpc_type", std::string(type)},
             {"grpc_service", std::string(service)},
             {"grpc_method", std::string(method)},
             {"grpc_code", std::string(code)}})
      .Increment();
  static const auto* buckets = new prometheus::Histogram::BucketBoundaries{
      0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  f_->seconds
      ->Add({{"grpc_type", std::string(type)},
             {"grpc_service", std::string(service)},
             {"grpc_method", std::string(method)}},
            *buckets)
      .Observe(seconds);
}

}  // namespace lnob::metrics
