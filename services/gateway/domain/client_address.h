#ifndef LNOB_SERVICES_GATEWAY_DOMAIN_CLIENT_ADDRESS_H_
#define LNOB_SERVICES_GATEWAY_DOMAIN_CLIENT_ADDRESS_H_

// Which address a call comes from, for rate limits and logs. Behind an ingress every call
// arrives from the ingress pods, so the address a proxy appended to X-Forwarded-For is used,
// but only when the hop that appended it is a configured trusted proxy: a client that
// reaches the gateway directly cannot choose its address by sending the header.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace lnob::gateway {

class TrustedProxies {
 public:
  TrustedProxies() = default;
  // Comma-separated IPv4/IPv6 addresses or CIDR blocks ("10.0.0.0/8,fd00::/8,192.0.2.7");
  // INVALID_ARGUMENT naming the first bad entry.
  static absl::StatusOr<TrustedProxies> Parse(absl::string_view list);

  bool empty() const { return blocks_.empty(); }
  bool Contains(absl::string_view address) const;

  // The client's address: the peer, unless the peer is a trusted proxy, in which case
  // X-Forwarded-For is walked from its right end past trusted proxies to the first address
  // that is not one (a malformed entry stops the walk at the last good hop).
  std::string ClientOf(absl::string_view peer, absl::string_view forwarded_for) const;

 private:
  struct Block {
    std::array<uint8_t, 16> bytes{};  // IPv4 as IPv4-mapped IPv6
    int prefix_bits = 0;
  };
  std::vector<Block> blocks_;
};

// "10.0.0.7", "::1", "[::1]" -> 16 bytes (IPv4 mapped); false when not an address.
bool ParseIpAddress(absl::string_view text, std::array<uint8_t, 16>* out);

}  // namespace lnob::gateway

#endif  // LNOB_SERVICES_GATEWAY_DOMAIN_CLIENT_ADDRESS_H_
