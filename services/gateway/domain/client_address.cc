#include "services/gateway/domain/client_address.h"

#include <arpa/inet.h>

#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace lnob::gateway {

bool ParseIpAddress(absl::string_view text, std::array<uint8_t, 16>* out) {
  text = absl::StripAsciiWhitespace(text);
  if (absl::ConsumePrefix(&text, "[") && !absl::ConsumeSuffix(&text, "]")) return false;
  if (text.empty() || text.size() > 45) return false;
  const std::string s(text);
  in_addr v4;
  if (inet_pton(AF_INET, s.c_str(), &v4) == 1) {
    out->fill(0);
    (*out)[10] = 0xff;
    (*out)[11] = 0xff;
    std::memcpy(out->data() + 12, &v4, 4);
    return true;
  }
  in6_addr v6;
  if (inet_pton(AF_INET6, s.c_str(), &v6) == 1) {
    std::memcpy(out->data(), &v6, 16);
    return true;
  }
  return false;
}

absl::StatusOr<TrustedProxies> TrustedProxies::Parse(absl::string_view list) {
  TrustedProxies out;
  for (absl::string_view entry : absl::StrSplit(list, ',', absl::SkipWhitespace())) {
    entry = absl::StripAsciiWhitespace(entry);
    std::pair<absl::string_view, absl::string_view> parts = absl::StrSplit(entry, absl::MaxSplits('/', 1));
    Block b;
    if (!ParseIpAddress(parts.first, &b.bytes)) {
      return absl::InvalidArgumentError(absl::StrCat("'", entry, "' is not an IP address or CIDR block"));
    }
    const bool v4 = parts.first.find(':') == absl::string_view::npos;
    const int max_bits = v4 ? 32 : 128;
    int bits = max_bits;
    if (!parts.second.empty() || entry.find('/') != absl::string_view::npos) {
      if (!absl::SimpleAtoi(parts.second, &bits) || bits < 0 || bits > max_bits) {
        return absl::InvalidArgumentError(absl::StrCat("'", entry, "': prefix length must be 0..", max_bits));
      }
    }
    b.prefix_bits = v4 ? bits + 96 : bits;
    out.blocks_.push_back(b);
  }
  return out;
}

bool TrustedProxies::Contains(absl::string_view address) const {
  std::array<uint8_t, 16> a;
  if (blocks_.empty() || !ParseIpAddress(address, &a)) return false;
  for (const Block& b : blocks_) {
    int bits = b.prefix_bits;
    bool match = true;
    for (int i = 0; i < 16 && bits > 0 && match; ++i, bits -= 8) {
      const uint8_t mask = bits >= 8 ? 0xff : static_cast<uint8_t>(0xff << (8 - bits));
      match = (a[i] & mask) == (b.bytes[i] & mask);
    }
    if (match) return true;
  }
  return false;
}

std::string TrustedProxies::ClientOf(absl::string_view peer, absl::string_view forwarded_for) const {
  std::string client(peer);
  if (!Contains(client) || forwarded_for.empty()) return client;
  std::vector<absl::string_view> hops = absl::StrSplit(forwarded_for, ',');
  std::array<uint8_t, 16> ignored;
  for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
    const absl::string_view hop = absl::StripAsciiWhitespace(*it);
    if (!ParseIpAddress(hop, &ignored)) break;
    client = std::string(hop);
    if (!Contains(client)) break;
  }
  return client;
}

}  // namespace lnob::gateway
