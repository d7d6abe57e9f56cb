#ifndef LNOB_COMMON_PEER_PEER_CONFIG_H_
#define LNOB_COMMON_PEER_PEER_CONFIG_H_

#include <string>

#include "absl/time/time.h"

namespace lnob::peer {

// Where another lnob service is and how long one call to it may take.
struct PeerConfig {
  std::string address;                        // host:port
  absl::Duration timeout = absl::Seconds(5);  // per unary call (also capped by the caller's deadline)
};

}  // namespace lnob::peer

#endif  // LNOB_COMMON_PEER_PEER_CONFIG_H_
