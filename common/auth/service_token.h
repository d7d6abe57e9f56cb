#ifndef LNOB_COMMON_AUTH_SERVICE_TOKEN_H_
#define LNOB_COMMON_AUTH_SERVICE_TOKEN_H_

// A service's own short-lived bearer token, for calls it makes on its own behalf (feeds,
// directories). Minted from its signing key and reused until most of its lifetime is gone.

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/util/clock.h"

namespace lnob::auth {

struct ServiceTokenOptions {
  std::string private_key_pem;
  std::string subject;             // e.g. "service:funding"
  std::vector<std::string> roles;  // e.g. {"SERVICE_FUNDING"}
  std::string issuer = "lnob";
  std::string audience;  // the called service's (AudienceOfService)
  absl::Duration ttl = absl::Minutes(10);
};

// A service's own identity on calls to `peer`: subject "service:<service>", role
// SERVICE_<SERVICE> (common/auth/roles.json), the peer's audience.
ServiceTokenOptions OwnTokenOptions(absl::string_view service, absl::string_view peer, std::string issuer);

class ServiceTokenSource {
 public:
  ServiceTokenSource(ServiceTokenOptions options, const Clock& clock) : options_(std::move(options)), clock_(clock) {}
  // Reads the PEM private key from key_file (options.private_key_pem is ignored) and mints
  // one token to prove the key works. Errors name the file: they are start-up errors.
  static absl::StatusOr<std::unique_ptr<ServiceTokenSource>> FromKeyFile(const std::string& key_file,
                                                                        ServiceTokenOptions options,
                                                                        const Clock& clock);
  // "Bearer <jwt>".
  absl::StatusOr<std::string> Authorization();

 private:
  ServiceTokenOptions options_;
  const Clock& clock_;
  std::mutex mu_;
  std::string cached_;
  absl::Time refresh_at_ = absl::InfinitePast();
};

}  // namespace lnob::auth

#endif  // LNOB_COMMON_AUTH_SERVICE_TOKEN_H_
