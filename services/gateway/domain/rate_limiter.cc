#include "services/gateway/domain/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace lnob::gateway {

namespace {
constexpr char kOverflow[] = "\x01overflow";  // cannot collide with a real client key
}

void RateLimiter::Evict(absl::Time now) {
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    const Bucket& b = it->second;
    const double tokens = b.tokens + absl::ToDoubleSeconds(now - b.refilled) * b.rps;
    it = tokens >= b.burst ? buckets_.erase(it) : std::next(it);  // full again: idle client
  }
}

int RateLimiter::Take(const std::string& client, double rps, double burst, bool consume) {
  if (rps <= 0) return 0;
  std::lock_guard<std::mutex> l(mu_);
  const absl::Time now = clock_.Now();
  std::string key = client;
  if (!buckets_.count(key) && buckets_.size() >= max_clients_) {
    Evict(now);
    if (buckets_.size() >= max_clients_) key = kOverflow;
  }
  auto [it, fresh] = buckets_.try_emplace(key, Bucket{burst, burst, rps, now});
  Bucket& b = it->second;
  b.burst = burst;
  b.rps = rps;
  b.tokens = std::min(burst, b.tokens + absl::ToDoubleSeconds(now - b.refilled) * rps);
  b.refilled = now;
  if (b.tokens >= 1) {
    if (consume) b.tokens -= 1;
    return 0;
  }
  return std::max(1, static_cast<int>(std::ceil((1 - b.tokens) / rps)));
}

size_t RateLimiter::clients() const {
  std::lock_guard<std::mutex> l(mu_);
  return buckets_.size();
}

}  // namespace lnob::gateway
