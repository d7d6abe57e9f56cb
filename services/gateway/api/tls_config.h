#ifndef LNOB_SERVICES_GATEWAY_API_TLS_CONFIG_H_
#define LNOB_SERVICES_GATEWAY_API_TLS_CONFIG_H_

// TLS material of the gateway's two faces (REST and gRPC), read once at start-up from PEM
// files and checked before anything listens, so that a bad file is a start-up error naming
// its flag rather than a failed handshake later. Free of OpenSSL, Asio and gRPC.

#include <string>

#include "absl/status/statusor.h"

namespace lnob::gateway {

struct TlsConfig {
  std::string cert_chain_pem;  // server certificate, then any intermediates
  std::string private_key_pem;
  std::string client_ca_pem;  // non-empty: clients must present a certificate it signed (mTLS)

  bool enabled() const { return !cert_chain_pem.empty(); }
  bool mutual() const { return enabled() && !client_ca_pem.empty(); }
};

// Reads --tls_cert, --tls_key and --tls_client_ca (all empty: TLS off). Both or neither of
// cert and key; the key must match the certificate; the CA file must hold at least one
// certificate. INVALID_ARGUMENT naming the flag otherwise.
absl::StatusOr<TlsConfig> LoadTlsConfig(const std::string& cert_file, const std::string& key_file,
                                        const std::string& client_ca_file);

}  // namespace lnob::gateway

#endif  // LNOB_SERVICES_GATEWAY_API_TLS_CONFIG_H_
