#ifndef LNOB_SERVICES_GATEWAY_DOMAIN_RATE_LIMITER_H_
#define LNOB_SERVICES_GATEWAY_DOMAIN_RATE_LIMITER_H_

// Token bucket per client (token subject, key or address), shared by both faces' logic.
// Memory is bounded without ever resetting a client that is still limited: when the table is
// full, buckets that have refilled (idle clients) are dropped, and if every bucket is still
// in use new clients share one overflow bucket, so address churn cannot buy fresh budgets.

#include <map>
#include <mutex>
#include <string>

#include "absl/time/time.h"
#include "common/util/clock.h"

namespace lnob::gateway {

class RateLimiter {
 public:
  explicit RateLimiter(const Clock& clock, size_t max_clients = 100000) : clock_(clock), max_clients_(max_clients) {}

  // Seconds to wait when the client is over its rate, 0 when the request may go (and then,
  // unless consume is false, one token is taken).
  int Take(const std::string& client, double rps, double burst, bool consume = true);
  size_t clients() const;

 private:
  struct Bucket {
    double tokens;
    double burst;
    double rps;
    absl::Time refilled;
  };
  void Evict(absl::Time now);

  const Clock& clock_;
  const size_t max_clients_;
  mutable std::mutex mu_;
  std::map<std::string, Bucket> buckets_;
};

}  // namespace lnob::gateway

#endif  // LNOB_SERVICES_GATEWAY_DOMAIN_RATE_LIMITER_H_
