#include "common/auth/service_token.h"

#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/auth/jwt.h"

namespace lnob::auth {

ServiceTokenOptions OwnTokenOptions(absl::string_view service, absl::string_view peer, std::string issuer) {
  ServiceTokenOptions o;
  o.subject = absl::StrCat("service:", service);
  o.roles = {absl::AsciiStrToUpper(absl::StrCat("SERVICE_", service))};
  o.issuer = std::move(issuer);
  o.audience = AudienceOfService(peer);
  return o;
}

absl::StatusOr<std::unique_ptr<ServiceTokenSource>> ServiceTokenSource::FromKeyFile(
    const std::string& key_file, ServiceTokenOptions options, const Clock& clock) {
  std::ifstream in(key_file);
  if (key_file.empty() || !in) {
    return absl::InvalidArgumentError(
        absl::StrCat("service signing key \"", key_file, "\" must name a readable PEM private key"));
  }
  std::stringstream pem;
  pem << in.rdbuf();
  options.private_key_pem = pem.str();
  auto source = std::make_unique<ServiceTokenSource>(std::move(options), clock);
  if (auto t = source->Authorization(); !t.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("service signing key ", key_file, ": ", t.status().message()));
  }
  return source;
}

absl::StatusOr<std::string> ServiceTokenSource::Authorization() {
  std::lock_guard<std::mutex> lock(mu_);
  const absl::Time now = clock_.Now();
  if (now < refresh_at_) return cached_;
  Claims claims;
  claims.issuer = options_.issuer;
  claims.subject = options_.subject;
  claims.audience = {options_.audience};
  claims.issued_at = now;
  claims.not_before = now - absl::Seconds(5);
  claims.expires_at = now + options_.ttl;
  claims.roles = options_.roles;
  auto token = MintRs256(options_.private_key_pem, claims);
  if (!token.ok()) return token.status();
  cached_ = "Bearer " + *token;
  refresh_at_ = now + options_.ttl * 0.8;
  return cached_;
}

}  // namespace lnob::auth
