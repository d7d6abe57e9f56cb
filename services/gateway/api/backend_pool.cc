#include "services/gateway/api/backend_pool.h"

#include <chrono>

#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"

namespace lnob::gateway {

BackendPool::BackendPool(BackendPoolConfig config) : config_(std::move(config)) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(config_.max_receive_bytes);
  args.SetMaxSendMessageSize(config_.max_send_bytes);
  for (const auto& [service, address] : config_.backends) {
    serving_[service] = false;
    if (channels_.count(address)) continue;
    channels_[address] = grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
    stubs_[address] = std::make_unique<grpc::GenericStub>(channels_[address]);
  }
}

BackendPool::~BackendPool() { Stop(); }

grpc::GenericStub* BackendPool::StubFor(const std::string& service, std::string* address) const {
  auto it = config_.backends.find(service);
  if (it == config_.backends.end()) return nullptr;
  if (address != nullptr) *address = it->second;
  return stubs_.at(it->second).get();
}

void BackendPool::Start() {
  if (!prober_.joinable()) prober_ = std::thread([this] { ProbeLoop(); });
}

void BackendPool::Stop() {
  if (!stop_.HasBeenNotified()) stop_.Notify();
  if (prober_.joinable()) prober_.join();
}

void BackendPool::ProbeLoop() {
  std::map<std::string, std::unique_ptr<grpc::health::v1::Health::Stub>> health;
  for (const auto& [address, channel] : channels_) health[address] = grpc::health::v1::Health::NewStub(channel);
  do {
    for (const auto& [service, address] : config_.backends) {
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() + absl::ToChronoNanoseconds(config_.health_timeout));
      grpc::health::v1::HealthCheckRequest req;
      req.set_service(service);
      grpc::health::v1::HealthCheckResponse resp;
      const bool serving = health.at(address)->Check(&ctx, req, &resp).ok() &&
                           resp.status() == grpc::health::v1::HealthCheckResponse::SERVING;
      std::lock_guard<std::mutex> l(mu_);
      serving_[service] = serving;
      if (stop_.HasBeenNotified()) return;
      for (const auto& [id, fn] : listeners_) fn(service, serving);
    }
  } while (!stop_.WaitForNotificationWithTimeout(config_.health_interval));
}

std::string BackendPool::FirstNotServing() const {
  std::lock_guard<std::mutex> l(mu_);
  for (const auto& [service, serving] : serving_) {
    if (!serving) return service;
  }
  return "";
}

int BackendPool::Subscribe(std::function<void(const std::string&, bool)> fn) {
  std::lock_guard<std::mutex> l(mu_);
  for (const auto& [service, serving] : serving_) fn(service, serving);
  listeners_[next_listener_] = std::move(fn);
  return next_listener_++;
}

void BackendPool::Unsubscribe(int id) {
  std::lock_guard<std::mutex> l(mu_);
  listeners_.erase(id);
}

}  // namespace lnob::gateway
